"""The sharded store (mediamon.store) and the local out-of-core engine (mediamon.sharded).

The equality tests split mm-sample into 4 shards with ``ingest`` and check that every sharded result
equals the single-corpus engine's table on ``read_corpus("corpora/mm-sample")``, table for table:
same rows in the same order (corpus order; no re-sorting needed), the same doc ids, character
offsets, global sentence/paragraph/token numbers, counts, and measures to float tolerance.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mediamon as mm
from mediamon import sharded
from mediamon.cli import main as cli_main
from mediamon.errors import NotFoundError
from mediamon.store import ROW_GROUP, ShardedCorpus, StoreError, ingest, open_store, parse_shard_size

from conftest import ACTORS_FILE, SAMPLE_DIR

# Resolve the package-level functions before any submodule import can shadow them.
ENGINE = {
    "kwic": mm.kwic, "mentions": mm.mentions, "cooccurrence": mm.cooccurrence,
    "collocates": mm.collocates, "timeline": mm.timeline,
}  # fmt: skip


def _putin_mentions(m):
    return type("Sel", (), {"df": m.df[m.df["actor"] == "putin"].reset_index(drop=True)})()


#: (name, function name, positional args after the corpus, options, which tables to compare)
CASES = [
    ("kwic word", "kwic", ("Putin",), {}, ["df"]),
    ("kwic phrase", "kwic", ("Islamic Republic",), {"window": (3, 7)}, ["df"]),
    ("kwic list", "kwic", (["Putin", "Raisi"],), {}, ["df"]),
    ("kwic glob sentence", "kwic", ("Iran*",), {"match": "glob", "clip": "sentence"}, ["df"]),
    ("kwic regex", "kwic", ("kaz.n",), {"match": "regex"}, ["df"]),
    ("kwic case-sensitive", "kwic", ("OIC",), {"ignore_case": False}, ["df"]),
    ("kwic actor", "kwic", ("putin",), {"actors": "ACTORS"}, ["df"]),
    ("mentions", "mentions", ("ACTORS",), {}, ["df"]),
    ("cooc sentence", "cooccurrence", ("ACTORS",), {"unit": "sentence"}, ["df", "actors", "mentions", "counts", "n"]),
    ("cooc paragraph", "cooccurrence", ("ACTORS",), {"unit": "paragraph", "min_count": 0}, ["df", "actors", "counts", "n"]),
    ("cooc document", "cooccurrence", ("ACTORS",), {"unit": "document"}, ["df", "actors", "mentions", "counts", "n"]),
    ("cooc window", "cooccurrence", ("ACTORS",), {"window": 10}, ["df", "actors", "mentions", "events", "counts", "n"]),
    ("cooc dedupe", "cooccurrence", ("ACTORS",), {"dedupe": True}, ["df", "duplicates", "counts", "n"]),
    ("collocates", "collocates", ("Putin",), {}, ["df"]),
    ("collocates nltk-style", "collocates", ("Raisi",),
     {"window": (0, 4), "per_position": True, "stopwords": None, "punctuation": True, "min_count": 1,
      "measure": "llr"}, ["df"]),
    ("collocates glob", "collocates", ("Tatar*",), {"match": "glob", "min_count": 1, "measure": "npmi"}, ["df"]),
    ("collocates of mentions", "collocates", ("PUTIN_MENTIONS",), {"min_count": 2}, ["df"]),
    ("timeline", "timeline", ("ACTORS",), {}, ["df", "undated"]),
    ("timeline by source, pairs", "timeline", ("ACTORS",), {"freq": "Y", "by": "source", "pairs": True},
     ["df", "undated", "pairs"]),
    ("timeline documents only", "timeline", (None,), {"freq": "Q"}, ["df", "undated"]),
]  # fmt: skip


def resolve_args(args, actors, mentions_of):
    out = []
    for a in args:
        if a == "ACTORS":
            out.append(actors)
        elif a == "PUTIN_MENTIONS":
            out.append(_putin_mentions(mentions_of()))
        else:
            out.append(a)
    return out


def assert_same(got, want, tables, name):
    for t in tables:
        a, b = getattr(got, t), getattr(want, t)
        if isinstance(b, pd.DataFrame):
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), obj=f"{name}: {t}")
        elif isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f"{name}: {t}")
        else:
            assert a == b, f"{name}: {t}: {a!r} != {b!r}"


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> ShardedCorpus:
    return ingest(SAMPLE_DIR, tmp_path_factory.mktemp("stores") / "mm-sample", shard_size=343)


@pytest.fixture(scope="session")
def engine_results(sample_corpus, actors):
    """The single-corpus engine's result of each case, computed once."""
    cache: dict[str, object] = {}

    def get(name):
        if name not in cache:
            _, fn, args, opts, _ = next(c for c in CASES if c[0] == name)
            mentions_of = lambda: ENGINE["mentions"](sample_corpus, actors)  # noqa: E731
            opts = {k: (actors if v == "ACTORS" else v) for k, v in opts.items()}
            cache[name] = ENGINE[fn](sample_corpus, *resolve_args(args, actors, mentions_of), **opts)
        return cache[name]

    return get


# ---------------------------------------------------------------------------------------------
# ingest and the store
# ---------------------------------------------------------------------------------------------
def test_ingest_splits_and_keeps_documents_and_manifest(sample_store, sample_corpus):
    assert sample_store.n_shards == 4
    assert [s.n_docs for s in sample_store.shards] == [343, 343, 343, 341]
    assert list(sample_store.doc_starts) == [0, 343, 686, 1029, 1370]
    whole = sample_store.to_corpus()
    pd.testing.assert_frame_equal(whole.docs, sample_corpus.docs)
    pd.testing.assert_frame_equal(whole.manifest, sample_corpus.manifest)
    assert whole.fingerprint == sample_corpus.fingerprint
    assert sample_store.manifest_counts() == sample_corpus.manifest_counts()
    # each shard is an ordinary Corpus with the rows of the single corpus
    for info, shard in zip(sample_store.shards, sample_store):
        want = sample_corpus.docs.iloc[info.doc_start : info.doc_start + info.n_docs].reset_index(drop=True)
        pd.testing.assert_frame_equal(shard.docs, want)
        assert shard.fingerprint == info.fingerprint == mm.Corpus(want).fingerprint


def test_store_layout_has_no_pickle(sample_store):
    meta = json.loads((sample_store.path / "store.json").read_text())
    assert meta["format"] == "mediamon-store" and meta["n_docs"] == 1370
    assert meta["counts"] == {"loaded": 1370, "rejected": 0, "skipped": 3, "discovered": 1373}
    suffixes = {p.suffix for p in sample_store.path.rglob("*") if p.is_file()}
    assert suffixes <= {".json", ".parquet", ".npy", ".txt"}
    for npy in sample_store.path.rglob("*.npy"):
        np.load(npy, allow_pickle=False)  # raises on an object (pickled) array


def test_shard_index_is_memory_mapped_and_equals_a_fresh_build(sample_store):
    ix = sample_store.index(2)
    assert isinstance(ix.ids, np.memmap) and isinstance(ix.postings, np.memmap)
    fresh = mm.tokenindex.build_index(sample_store.shard(2, with_index=False))
    for name in ("ids", "doc", "sent", "para", "start", "end", "postings"):
        np.testing.assert_array_equal(getattr(ix, name), getattr(fresh, name))
    assert ix.vocab == fresh.vocab
    # the shard Corpus carries that index: mediamon.index() does not rebuild it
    shard = sample_store.shard(2)
    assert isinstance(mm.index(shard).ids, np.memmap)


def test_shard_index_stale_is_rebuilt(tmp_path):
    store = ingest(SAMPLE_DIR, tmp_path / "s", shard_size=700, index=False)
    folder = store.index_folder(0)
    assert not folder.exists()
    ix = store.index(0)  # built on first use, then memory-mapped
    assert folder.is_dir() and isinstance(ix.ids, np.memmap)
    meta = json.loads((folder / "meta.json").read_text())
    meta["fingerprint"] = "0" * 32
    (folder / "meta.json").write_text(json.dumps(meta))
    again = store.index(0)
    assert json.loads((folder / "meta.json").read_text())["fingerprint"] == store.shards[0].fingerprint
    np.testing.assert_array_equal(again.ids, ix.ids)


def test_partial_shard_reads_only_needed_row_groups(sample_store):
    full = sample_store.shard(1)
    part = sample_store.shard(1, rows=[5])
    text = part.docs["text"]
    assert (text.iloc[:ROW_GROUP] == full.docs["text"].iloc[:ROW_GROUP]).all()
    assert (text.iloc[ROW_GROUP:] == "").all()
    pd.testing.assert_series_equal(part.docs["doc_id"], full.docs["doc_id"])
    assert part.fingerprint == full.fingerprint


def test_metadata_and_text_of(sample_store, sample_corpus):
    meta = sample_store.metadata(["doc_id", "date", "source"])
    pd.testing.assert_frame_equal(meta, sample_corpus.docs[["doc_id", "date", "source"]])
    doc_id = sample_corpus.docs["doc_id"].iloc[1200]
    assert sample_store.text_of(doc_id) == sample_corpus.text_of(doc_id)
    assert "1,370 in 4 shards" in sample_store._repr_html_()


def test_shard_size_in_bytes(tmp_path, sample_corpus):
    store = ingest(SAMPLE_DIR, tmp_path / "s", shard_size="1MB", index=False)
    assert store.n_shards >= 4
    assert all(s.text_bytes <= 1_000_000 for s in store.shards[:-1])
    assert sum(s.n_docs for s in store.shards) == 1370
    pd.testing.assert_frame_equal(store.to_corpus().docs, sample_corpus.docs)


@pytest.mark.parametrize("value", [0, -3, "ten", "5XB", True])
def test_bad_shard_size(value):
    with pytest.raises(mm.MediamonError, match="shard_size"):
        parse_shard_size(value)


def test_folder_source_many_files_same_ids_as_read_corpus(tmp_path):
    """Files in sub-folders (automatic ids from their paths), JSONL.gz and CSV, cross-batch
    duplicates and a repeated id: one file per batch gives what read_corpus gives in one go."""
    src = tmp_path / "src"
    (src / "2021" / "07").mkdir(parents=True)
    (src / "2022").mkdir()
    (src / "2021" / "07" / "a.txt").write_text("KAZAN — Putin met Raisi in Kazan.\n", encoding="utf-8")
    (src / "2021" / "07" / "b.txt").write_text("Minnikhanov spoke.\n", encoding="utf-8")
    (src / "2022" / "c.txt").write_text("Putin met Raisi in Kazan.\n", encoding="utf-8")
    (src / "2022" / "dup.txt").write_text("Minnikhanov spoke.\n", encoding="utf-8")  # duplicate of b
    rows = [{"id": "x1", "text": "Raisi in Tehran."}, {"id": "x1", "text": "Again x1 id."},
            {"text": "No id here."}]  # fmt: skip
    with gzip.open(src / "2022" / "feed.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in rows) + "\n{bad json\n")
    (src / "z.csv").write_text("id,text\nx1,Third x1.\n,Minnikhanov spoke.\n", encoding="utf-8")
    (src / ".DS_Store").write_bytes(b"\0junk")
    (src / "notes.pdf").write_bytes(b"%PDF")
    want = mm.read_corpus(src)
    store = ingest(src, tmp_path / "store", shard_size=2, batch_bytes=1)
    got = store.to_corpus()
    # a column that is empty in one batch may come back with another dtype: compare values
    pd.testing.assert_frame_equal(_values(got.docs), _values(want.docs))
    pd.testing.assert_frame_equal(got.manifest, want.manifest)
    assert got.fingerprint == want.fingerprint
    assert store.manifest_counts() == want.manifest_counts()


def _values(df: pd.DataFrame) -> pd.DataFrame:
    out = df.astype(object)
    return out.where(out.notna(), None)


def test_dedupe_off_keeps_repeats(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"d{i}", "text": "Putin met Raisi."}) for i in range(5)) + "\n")
    store = ingest(src, tmp_path / "s", shard_size=2, dedupe=False)
    assert len(store) == 5 and store.n_shards == 3
    assert len(ingest(src, tmp_path / "t", shard_size=2)) == 1


def test_dest_rules_and_nothing_half_written(tmp_path):
    with pytest.raises(NotFoundError):
        ingest(tmp_path / "missing", tmp_path / "s")
    assert not (tmp_path / "s").exists()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]
    other = tmp_path / "not-a-store"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    with pytest.raises(StoreError, match="not a mediamon store"):
        ingest(SAMPLE_DIR, other, overwrite=True)
    assert (other / "precious.txt").exists()
    store = ingest(SAMPLE_DIR, tmp_path / "s", shard_size=1000, index=False)
    with pytest.raises(StoreError, match="exists"):
        ingest(SAMPLE_DIR, tmp_path / "s")
    again = ingest(SAMPLE_DIR, tmp_path / "s", shard_size=500, index=False, overwrite=True)
    assert again.n_shards == 3 and store.path == again.path
    with pytest.raises(StoreError, match="no store.json"):
        open_store(other)


def test_changed_shard_is_refused(tmp_path):
    store = ingest(SAMPLE_DIR, tmp_path / "s", shard_size=1000, index=False)
    path = store.path / store.shards[1].file
    with open(path, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(StoreError, match="changed"):
        store.shard(1)


def test_cli_ingest(tmp_path, capsys):
    assert cli_main(["ingest", str(SAMPLE_DIR), str(tmp_path / "s"), "--shard-size", "700", "--no-index"]) == 0
    out = capsys.readouterr().out
    assert "1370" in out and "shards: 2" in out
    assert cli_main(["sharded", str(tmp_path / "s"), "--max-rows", "3", "kwic", "Minnikhanov"]) == 0
    out = capsys.readouterr().out
    assert "-- " in out and "hits in" in out


# ---------------------------------------------------------------------------------------------
# sharded (local, out of core) == single-corpus engine
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_sharded_local_equals_engine(case, sample_store, actors, engine_results):
    name, fn, args, opts, tables = case
    mentions_of = lambda: sharded.mentions(sample_store, actors)  # noqa: E731
    opts = {k: (actors if v == "ACTORS" else v) for k, v in opts.items()}
    got = getattr(sharded, fn)(sample_store, *resolve_args(args, actors, mentions_of), **opts)
    assert len(getattr(engine_results(name), "df")) > 0 or name == "kwic case-sensitive"
    assert_same(got, engine_results(name), tables, name)


def test_sharded_dedupe_across_shards(tmp_path, actors):
    """Token-level duplicates (different case and spacing) in different shards are counted once."""
    texts = ["Putin met Raisi in Kazan.", "Minnikhanov and Putin.", "PUTIN  met Raisi in   Kazan.",
             "Raisi and Minnikhanov in Kazan.", "putin met raisi in kazan."]  # fmt: skip
    src = tmp_path / "d.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"d{i}", "text": t}) for i, t in enumerate(texts)) + "\n")
    corpus = mm.read_corpus(src)
    store = ingest(src, tmp_path / "s", shard_size=2)
    for opts in ({"dedupe": True}, {"dedupe": True, "window": 3}, {"dedupe": True, "unit": "document"}):
        got = sharded.cooccurrence(store, actors, **opts)
        want = ENGINE["cooccurrence"](corpus, actors, **opts)
        assert len(want.duplicates) == 2
        assert_same(got, want, ["df", "duplicates", "counts", "n", "mentions"], str(opts))


def test_sharded_accepts_a_store_path_and_a_corpus(sample_store, sample_corpus):
    by_path = sharded.kwic(str(sample_store.path), "Kazan")
    direct = sharded.kwic(sample_corpus, "Kazan")
    pd.testing.assert_frame_equal(by_path.df, direct.df)
    with pytest.raises(mm.MediamonError, match="ShardedCorpus"):
        sharded.kwic(os.getcwd(), "Kazan")


def test_sharded_query_reads_text_only_where_hits_are(sample_store, monkeypatch):
    calls = []
    real = ShardedCorpus.shard

    def spy(self, i, *, rows=None, with_index=True):
        calls.append((i, None if rows is None else len(np.asarray(rows))))
        return real(self, i, rows=rows, with_index=with_index)

    monkeypatch.setattr(ShardedCorpus, "shard", spy)
    k = sharded.kwic(sample_store, "Minnikhanov")
    assert len(k) > 0
    assert all(rows is not None for _, rows in calls)  # never a full shard read
    assert sum(rows for _, rows in calls) == k.df["doc_id"].nunique()


def test_sharded_results_say_where_from(sample_store, actors):
    k = sharded.kwic(sample_store, "Putin")
    assert k.params["corpus"] == sample_store.fingerprint and k.params["shards"] == 4
    c = sharded.cooccurrence(sample_store, actors)
    assert c.params["shards"] == 4
    assert isinstance(c.corpus, sharded.ShardedTokens) and c.corpus.store is sample_store  # for evidence()
    with pytest.raises(mm.MediamonError, match="Mentions"):
        sharded.cooccurrence(sample_store, sharded.mentions(sample_store, actors))


def test_shared_reference_data_path_is_not_needed():
    # the store tests run on the bundled sample only
    assert Path(SAMPLE_DIR).is_dir() and Path(ACTORS_FILE).is_file()
