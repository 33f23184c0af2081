"""The sharded store: ingest (mediamon.ingestion) and reading it back (mediamon.store), views of it.

The analyses on a store are checked against the in-memory engine in test_engine.py; here the store
itself: what ingest writes, that it reads back the documents and manifest ``read_corpus`` gives, the
memory-mapped shard indexes, partial reads, views selected from metadata, and the guards.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import mediamon as mm
from mediamon import indexbuild
from mediamon.cli import main as cli_main
from mediamon.errors import ColumnError, InputError, NotFoundError
from mediamon.ingestion import ingest, parse_shard_size
from mediamon.store import ROW_GROUP, ShardedCorpus, StoreError, open_store

from conftest import ACTORS_FILE, SAMPLE_V1, fresh_index


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory) -> ShardedCorpus:
    return ingest(SAMPLE_V1, tmp_path_factory.mktemp("stores") / "mm-sample", shard_size=343)


# ---------------------------------------------------------------------------------------------
# ingest and the store
# ---------------------------------------------------------------------------------------------
def test_ingest_splits_and_keeps_documents_and_manifest(sample_store, sample_v1):
    assert sample_store.n_shards == 4
    assert [s.n_docs for s in sample_store.shards] == [343, 343, 343, 341]
    assert list(sample_store.doc_starts) == [0, 343, 686, 1029, 1370]
    whole = sample_store.to_corpus()
    pd.testing.assert_frame_equal(whole.docs, sample_v1.docs)
    pd.testing.assert_frame_equal(whole.manifest, sample_v1.manifest)
    assert whole.fingerprint == sample_v1.fingerprint
    assert sample_store.manifest_counts() == sample_v1.manifest_counts()
    # each shard is an ordinary Corpus with the rows of the single corpus
    for info, shard in zip(sample_store.shards, sample_store):
        want = sample_v1.docs.iloc[info.doc_start : info.doc_start + info.n_docs].reset_index(drop=True)
        pd.testing.assert_frame_equal(shard.docs, want)
        assert shard.fingerprint == info.fingerprint == mm.Corpus(want).fingerprint


def test_store_layout_has_no_pickle(sample_store):
    meta = json.loads((sample_store.path / "store.json").read_text())
    assert meta["format"] == "mediamon-store" and meta["n_docs"] == 1370
    assert meta["counts"] == {"loaded": 1370, "rejected": 0, "skipped": 0, "discovered": 1370}
    suffixes = {p.suffix for p in sample_store.path.rglob("*") if p.is_file()}
    assert suffixes <= {".json", ".parquet", ".npy", ".txt", ".arrow"}
    for npy in sample_store.path.rglob("*.npy"):
        np.load(npy, allow_pickle=False)  # raises on an object (pickled) array
    for arrow in sample_store.path.rglob("*.arrow"):  # the shards' metadata tables: Arrow IPC files
        pa.ipc.open_file(pa.memory_map(str(arrow))).read_all().validate(full=True)


def test_shard_index_is_memory_mapped_and_equals_a_fresh_build(sample_store):
    ix = sample_store.shard_index(2)
    assert isinstance(ix.ids, np.memmap) and isinstance(ix.postings, np.memmap)
    fresh = fresh_index(sample_store.shard(2, with_index=False))
    for name in ("ids", "doc", "sent", "para", "start", "end", "postings"):
        np.testing.assert_array_equal(getattr(ix, name), getattr(fresh, name))
    assert ix.vocab == fresh.vocab
    # the shard Corpus carries that index: mediamon.index() does not rebuild it
    shard = sample_store.shard(2)
    assert isinstance(mm.index(shard).ids, np.memmap)


def test_shard_index_stale_is_rebuilt(tmp_path):
    store = ingest(SAMPLE_V1, tmp_path / "s", shard_size=700, index=False)
    folder = store.index_folder(0)
    assert not folder.exists()
    ix = store.shard_index(0)  # built on first use, then memory-mapped
    assert folder.is_dir() and isinstance(ix.ids, np.memmap)
    meta = json.loads((folder / "meta.json").read_text())
    meta["fingerprint"] = "0" * 32
    (folder / "meta.json").write_text(json.dumps(meta))
    again = store.shard_index(0)
    assert json.loads((folder / "meta.json").read_text())["fingerprint"] == store.shards[0].fingerprint
    np.testing.assert_array_equal(again.ids, ix.ids)


def test_partial_shard_reads_only_needed_row_groups(sample_store):
    full = sample_store.shard(1)
    part = sample_store.shard(1, rows=[5])
    text = part.docs["text"]
    assert text.iloc[5] == full.docs["text"].iloc[5]
    assert (text.drop(index=5) == "").all()  # only row 5 becomes a string (its row group is read)
    texts = sample_store.shard_texts(1, [5, ROW_GROUP + 1])
    assert texts[ROW_GROUP + 1] == full.docs["text"].iloc[ROW_GROUP + 1] and texts[6] == ""
    pd.testing.assert_series_equal(part.docs["doc_id"], full.docs["doc_id"])
    assert part.fingerprint == full.fingerprint


def test_metadata_and_text_of(sample_store, sample_v1):
    meta = sample_store.metadata(["doc_id", "date", "source"])
    pd.testing.assert_frame_equal(meta, sample_v1.docs[["doc_id", "date", "source"]])
    doc_id = sample_v1.docs["doc_id"].iloc[1200]
    assert sample_store.text_of(doc_id) == sample_v1.text_of(doc_id)
    assert "1,370 in 4 shards" in sample_store._repr_html_()


def test_shard_size_in_bytes(tmp_path, sample_v1):
    store = ingest(SAMPLE_V1, tmp_path / "s", shard_size="1MB", index=False)
    assert store.n_shards >= 4
    assert all(s.text_bytes <= 1_000_000 for s in store.shards[:-1])
    assert sum(s.n_docs for s in store.shards) == 1370
    pd.testing.assert_frame_equal(store.to_corpus().docs, sample_v1.docs)


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
        ingest(SAMPLE_V1, other, overwrite=True)
    assert (other / "precious.txt").exists()
    store = ingest(SAMPLE_V1, tmp_path / "s", shard_size=1000, index=False)
    with pytest.raises(StoreError, match="exists"):
        ingest(SAMPLE_V1, tmp_path / "s")
    again = ingest(SAMPLE_V1, tmp_path / "s", shard_size=500, index=False, overwrite=True)
    assert again.n_shards == 3 and store.path == again.path
    with pytest.raises(StoreError, match="no store.json"):
        open_store(other)


def test_changed_shard_is_refused(tmp_path):
    store = ingest(SAMPLE_V1, tmp_path / "s", shard_size=1000, index=False)
    path = store.path / store.shards[1].file
    with open(path, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(StoreError, match="changed"):
        store.shard(1)


def test_cli_ingest(tmp_path, capsys):
    assert cli_main(["ingest", str(SAMPLE_V1), str(tmp_path / "s"), "--shard-size", "700", "--no-index"]) == 0
    out = capsys.readouterr().out
    assert "1370" in out and "shards: 2" in out
    assert cli_main(["kwic", str(tmp_path / "s"), "Minnikhanov", "--max-rows", "3", "--dask"]) == 0
    out = capsys.readouterr().out
    assert "-- " in out and "hits in" in out


def test_shared_reference_data_path_is_not_needed():
    # the store tests run on the bundled sample only
    assert Path(SAMPLE_V1).is_file() and Path(ACTORS_FILE).is_file()


# ---------------------------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------------------------
VIEWS = [
    ("between", lambda c: c.between("2015-01-01", "2020-12-31")),
    ("between open end", lambda c: c.between("2019-06-01")),
    ("sample", lambda c: c.sample(500, seed=3)),
    ("head", lambda c: c.head(700)),
    ("filter source", lambda c: c.filter(source="Tehran Times")),
    ("filter callable", lambda c: c.filter(lambda d: d["doc_id"].str.len() % 2 == 0)),
    ("between then sample", lambda c: c.between(None, "2021-12-31").sample(120, seed=1)),
]  # fmt: skip


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_selects_the_same_documents_without_text(view, sample_store, sample_v1) -> None:
    store_view, corpus_view = view[1](sample_store), view[1](sample_v1)
    assert isinstance(store_view, ShardedCorpus) and store_view.is_view
    assert len(store_view) == len(corpus_view) > 0
    assert "text" not in store_view.docs.columns
    pd.testing.assert_frame_equal(store_view.docs, corpus_view.docs.drop(columns=["text"]))
    assert store_view.manifest_counts() == corpus_view.manifest_counts()
    want = corpus_view.summary()
    got = store_view.summary()
    assert {k: got[k] for k in want} == want
    assert got["shards"] == 4 and got["text_bytes"] is None


def test_view_to_corpus_and_text_of(sample_store, sample_v1) -> None:
    view = sample_store.between("2015-01-01", "2020-12-31")
    pd.testing.assert_frame_equal(view.to_corpus().docs, sample_v1.between("2015-01-01", "2020-12-31").docs)
    doc_id = view.docs["doc_id"].iloc[-1]
    assert view.text_of(doc_id) == sample_v1.text_of(doc_id)
    outside = sample_store.docs["doc_id"][~sample_store.docs["doc_id"].isin(view.docs["doc_id"])].iloc[0]
    with pytest.raises(InputError):
        view.text_of(outside)


def test_view_errors(sample_store) -> None:
    with pytest.raises(ColumnError, match="not_a_column"):
        sample_store.filter(not_a_column=1)
    with pytest.raises(InputError, match="shape"):
        sample_store.filter(np.ones(3, dtype=bool))
    with pytest.raises(InputError):
        sample_store.sample(-1)


def test_store_index_is_every_shard_index(sample_store) -> None:
    indexes = sample_store.index
    assert len(indexes) == 4 and sum(ix.n_docs for ix in indexes) == 1370
    assert mm.index(sample_store) is sample_store


def test_a_failed_ingest_stops_the_index_build_it_had_started(tmp_path, monkeypatch):
    monkeypatch.setattr(indexbuild, "_PARALLEL_CHARS", 0)  # forked workers even for a tiny shard
    monkeypatch.setattr(indexbuild, "_BATCH_CHARS", 20)  # and several batches, so they are used
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.jsonl").write_text("".join(json.dumps({"id": f"a{i}", "text": f"Putin met Raisi in Kazan, day {i}.",
                                                     "published": "2021-07-29"}) + "\n" for i in range(3)))  # fmt: skip
    (src / "b.jsonl").write_text(json.dumps({"id": "b0", "text": "No date column here."}) + "\n")
    before = set(multiprocessing.active_children())
    # a.jsonl fills a shard (its index build starts), then the batch of b.jsonl lacks the column
    with pytest.raises(ColumnError, match="published"):
        ingest(src, tmp_path / "store", shard_size=2, batch_bytes=1, date="published")
    assert set(multiprocessing.active_children()) <= before
    assert not (tmp_path / "store").exists() and [p.name for p in tmp_path.iterdir()] == ["src"]
