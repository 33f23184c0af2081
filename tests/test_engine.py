"""One engine over shards: every analysis gives the same tables on every kind of corpus.

Kinds: an in-memory Corpus; a view of it (``sample``, which reuses the base corpus's index with a
selection); a sharded store (mm-sample in 4 shards); a view of the store; and both of those run on a
real Dask ``LocalCluster`` of 2 worker processes (TLS, per-cluster certificates). The reference of
each case is the engine on a *freshly built* in-memory Corpus holding the same documents (its own
index, no selection), so the selection, renumbering and combining code is checked against plain
indexing of the same text. Tables are compared whole: same rows in the same order, the same doc ids,
character offsets, global sentence/paragraph/token numbers, counts, and measures.
"""

from __future__ import annotations

import json
import pickle
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import mediamon as mm
from mediamon import executors
from mediamon.errors import InputError, MediamonError
from mediamon.ingestion import ingest
from mediamon.store import ShardedCorpus
from mediamon.textspans import TextSpans

from conftest import SAMPLE_DIR, assert_same, fresh

pytestmark = pytest.mark.usefixtures("close_clusters")  # a Dask cluster per module, closed after it

#: (name, function, positional args after the corpus, options, which attributes to compare)
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
    ("cooc of mentions", "cooccurrence", ("MENTIONS",), {}, ["df", "counts", "n"]),
    ("collocates", "collocates", ("Putin",), {}, ["df"]),
    ("collocates nltk-style", "collocates", ("Raisi",),
     {"window": (0, 4), "per_position": True, "stopwords": None, "punctuation": True, "min_count": 1,
      "measure": "llr"}, ["df"]),
    ("collocates glob", "collocates", ("Tatar*",), {"match": "glob", "min_count": 1, "measure": "npmi"}, ["df"]),
    ("collocates of mentions", "collocates", ("PUTIN_MENTIONS",), {"min_count": 2}, ["df"]),
    ("word pairs", "word_pairs", (), {"window": 3, "min_count": 5}, ["self"]),
    ("timeline", "timeline", ("ACTORS",), {}, ["df", "undated"]),
    ("timeline by source, pairs", "timeline", ("ACTORS",), {"freq": "Y", "by": "source", "pairs": True},
     ["df", "undated", "pairs"]),
    ("timeline documents only", "timeline", (None,), {"freq": "Q"}, ["df", "undated"]),
    ("timeline of mentions", "timeline", ("MENTIONS",), {"freq": "Y"}, ["df", "undated"]),
]  # fmt: skip

KINDS = ["memory", "memory view", "store", "store view", "dask", "dask view"]
PERIOD = ("2015-01-01", "2020-12-31")


def resolve(args, actors, data):
    out = []
    for a in args:
        if a == "ACTORS":
            out.append(actors)
        elif a == "MENTIONS":
            out.append(mm.mentions(data, actors))
        elif a == "PUTIN_MENTIONS":
            out.append(mm.mentions(data, actors).of("putin"))
        else:
            out.append(a)
    return out


@pytest.fixture(scope="module")
def references(actors):
    cache: dict[tuple[str, str], object] = {}

    def get(case, selection):
        key = (case[0], selection.name)
        if key not in cache:
            _, fn, args, opts, _ = case
            corpus = fresh(selection)
            opts = {k: (actors if v == "ACTORS" else v) for k, v in opts.items()}
            cache[key] = getattr(mm, fn)(corpus, *resolve(args, actors, corpus), **opts)
        return cache[key]

    return get


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_analysis_on_every_kind_of_corpus(case, kind, kinds, references, actors):
    name, fn, args, opts, attributes = case
    data, selection = kinds[kind]
    want = references(case, selection)
    opts = {k: (actors if v == "ACTORS" else v) for k, v in opts.items()}
    got = getattr(mm, fn)(data, *resolve(args, actors, data), **opts)
    assert len(want) > 0 or name == "kwic case-sensitive"
    assert_same(got, want, attributes, f"{name} on {kind}")


@pytest.mark.parametrize("kind", KINDS)
def test_sort_and_evidence_on_every_kind(kind, kinds, actors):
    data, selection = kinds[kind]
    corpus = fresh(selection)
    got, want = mm.kwic(data, "putin", actors=actors), mm.kwic(corpus, "putin", actors=actors)
    for keys in (("1L", "1R"), ("K", "2R"), ("source", "1R")):
        assert_same(got.sort(*keys), want.sort(*keys), ["df"], f"kwic sort {keys} on {kind}")
    co, ref = mm.cooccurrence(data, actors), mm.cooccurrence(corpus, actors)
    for row in ref.df.head(3).itertuples():
        assert_same(co.evidence(row.a, row.b), ref.evidence(row.a, row.b), ["df"], f"evidence {row.a}-{row.b}")
        assert len(co.evidence(row.a, row.b)) == row.n_ab
    assert_same(co.evidence("putin", "raisi", limit=2, width=30), ref.evidence("putin", "raisi", limit=2, width=30),
                ["df"], "evidence limit")  # fmt: skip


VIEWS = [
    ("between open end", lambda c: c.between("2019-06-01")),
    ("sample", lambda c: c.sample(500, seed=3)),
    ("head", lambda c: c.head(700)),
    ("filter source", lambda c: c.filter(source="Tehran Times")),
    ("filter callable", lambda c: c.filter(lambda d: d["doc_id"].str.len() % 2 == 0)),
    ("between then sample", lambda c: c.between(None, "2021-12-31").sample(120, seed=1)),
]


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_select_and_count_as_the_same_selection_in_memory(view, sample_corpus, engine_store, actors):
    make = view[1]
    mm.index(sample_corpus)
    for data in (make(sample_corpus), make(engine_store)):
        corpus = fresh(make(sample_corpus))
        assert len(data) == len(corpus)
        pd.testing.assert_frame_equal(mm.kwic(data, "Putin").df, mm.kwic(corpus, "Putin").df)
        assert_same(mm.cooccurrence(data, actors, window=8), mm.cooccurrence(corpus, actors, window=8),
                    ["df", "mentions", "events", "n"], f"{view[0]} cooc")  # fmt: skip
        assert_same(mm.collocates(data, "Iran", min_count=1), mm.collocates(corpus, "Iran", min_count=1), ["df"], "colloc")
        assert_same(mm.timeline(data, actors, freq="Y", by="source"), mm.timeline(corpus, actors, freq="Y", by="source"),
                    ["df", "undated"], f"{view[0]} timeline")  # fmt: skip


def test_empty_view(engine_store, sample_corpus, actors):
    for empty in (engine_store.head(0), sample_corpus.head(0)):
        assert len(empty) == 0
        assert len(mm.kwic(empty, "Putin")) == 0
        co = mm.cooccurrence(empty, actors)
        assert co.n == 0 and len(co.df) == 0
        assert len(mm.collocates(empty, "Putin")) == 0


def test_dedupe_across_shards(tmp_path, actors):
    """Token-level duplicates (different case and spacing) in different shards are counted once."""
    texts = ["Putin met Raisi in Kazan.", "Minnikhanov and Putin.", "PUTIN  met Raisi in   Kazan.",
             "Raisi and Minnikhanov in Kazan.", "putin met raisi in kazan."]  # fmt: skip
    src = tmp_path / "d.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"d{i}", "text": t}) for i, t in enumerate(texts)) + "\n")
    corpus = mm.read_corpus(src)
    store = ingest(src, tmp_path / "s", shard_size=2)
    for opts in ({"dedupe": True}, {"dedupe": "exact", "window": 3}, {"dedupe": True, "unit": "document"}):
        got = mm.cooccurrence(store, actors, **opts)
        want = mm.cooccurrence(corpus, actors, **opts)
        assert want.duplicates.to_dict("list") == {"doc_id": ["d2", "d4"], "duplicate_of": ["d0", "d0"]}
        assert_same(got, want, ["df", "duplicates", "counts", "n", "mentions"], str(opts))


def test_load_time_and_analysis_time_dedupe_give_the_same_numbers(tmp_path, actors):
    """Byte-identical texts skipped at load are exact duplicates too: same counts either way."""
    texts = ["Putin met Raisi.", "Putin met Raisi.", "PUTIN met  Raisi.", "Raisi and Minnikhanov."]
    src = tmp_path / "d.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"d{i}", "text": t}) for i, t in enumerate(texts)) + "\n")
    skipped, kept = mm.read_corpus(src), mm.read_corpus(src, dedupe=False)
    assert len(skipped) == 3 and len(kept) == 4
    a, b = mm.cooccurrence(skipped, actors, dedupe=True), mm.cooccurrence(kept, actors, dedupe=True)
    assert_same(a, b, ["df", "counts", "n"], "dedupe at load vs in the analysis")


def test_read_corpus_opens_a_store_and_paths_are_accepted(engine_store, sample_corpus):
    data = mm.read_corpus(engine_store.path)
    assert isinstance(data, ShardedCorpus) and len(data) == len(sample_corpus)
    pd.testing.assert_frame_equal(mm.kwic(str(engine_store.path), "Kazan").df, mm.kwic(sample_corpus, "Kazan").df)
    with pytest.raises(MediamonError, match="unsupported data type"):
        mm.kwic(str(SAMPLE_DIR), "Kazan")  # a folder of files is read with read_corpus first


def test_results_say_where_they_come_from(engine_store, actors):
    k = mm.kwic(engine_store, "Putin")
    assert k.params["corpus"] == engine_store.fingerprint
    assert k.layout.source is engine_store and len(k.layout.shards) == engine_store.n_shards > 1
    m = mm.mentions(engine_store, actors)
    with pytest.raises(InputError, match="another corpus"):
        mm.cooccurrence(engine_store.head(10), m)


def test_queries_read_text_only_of_documents_with_hits(engine_store, sample_corpus, actors, monkeypatch):
    # A store's texts are read row by row (shard_texts) or cut from its saved texts (TextSpans):
    # either way, only documents with hits, never a whole shard's texts.
    calls = []
    real_texts, real_cut = ShardedCorpus.shard_texts, TextSpans.byte_slices

    def spy_texts(self, i, rows=None):
        calls.append(None if rows is None else len(np.asarray(rows)))
        return real_texts(self, i, rows)

    def spy_cut(self, docs, b0, b1, **kw):
        calls.append(np.unique(np.asarray(docs)).size)
        return real_cut(self, docs, b0, b1, **kw)

    monkeypatch.setattr(ShardedCorpus, "shard_texts", spy_texts)
    monkeypatch.setattr(TextSpans, "byte_slices", spy_cut)
    view = engine_store.between(*PERIOD)
    for data, selection in ((engine_store, sample_corpus), (view, sample_corpus.between(*PERIOD))):
        for pattern, opts in (("Minnikhanov", {}), ("putin", {"actors": actors}), ("Putin", {"ignore_case": False})):
            calls.clear()
            got = mm.kwic(data, pattern, **opts)
            read = list(calls)
            pd.testing.assert_frame_equal(got.df, mm.kwic(fresh(selection), pattern, **opts).df)
            assert None not in read  # never a whole shard's texts
            assert sum(read) >= got.df["doc_id"].nunique() > 0
            assert all(n <= got.df["doc_id"].nunique() for n in read)  # only documents with hits


def test_a_view_travels_as_its_description(engine_store):
    a, b = engine_store.head(10), engine_store.head(10)
    assert a.fingerprint == b.fingerprint != engine_store.fingerprint != engine_store.head(11).fingerprint
    back = pickle.loads(pickle.dumps(a))  # what Dask ships: the description and the rows, no data
    assert back.fingerprint == a.fingerprint and len(back) == 10 and "docs" not in back.__dict__


# ---------------------------------------------------------------------------------------------
# executors
# ---------------------------------------------------------------------------------------------
def test_executor_choices(engine_store, sample_corpus):
    want = mm.kwic(sample_corpus, "Minnikhanov").df
    client = executors.get_client()
    for choice in ("serial", "dask", client, executors.SerialExecutor()):
        pd.testing.assert_frame_equal(mm.kwic(engine_store, "Minnikhanov", executor=choice).df, want)
    pd.testing.assert_frame_equal(mm.kwic(engine_store.using(client.scheduler.address), "Minnikhanov").df, want)
    with pytest.raises(InputError, match="executor='threads' is invalid"):
        mm.kwic(engine_store, "Kazan", executor="threads")


def test_index_of_a_store_builds_the_shard_indexes_on_the_workers(tmp_path):
    store = ingest(SAMPLE_DIR, tmp_path / "s", shard_size=700, index=False)
    assert not any(store.index_folder(i).is_dir() for i in range(store.n_shards))
    assert mm.index(store, executor="dask") is store
    assert all(store.index_folder(i).is_dir() for i in range(store.n_shards))
    assert mm.index(store.head(3), progress=False) is not None


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(executors.DistributedError, match="cannot reach"):
        executors.get_client("tcp://127.0.0.1:9")


def test_local_cluster_is_closed_to_other_processes():
    """Another local process can neither join the cluster without its certificates nor find a
    dashboard (issue 15: the default LocalCluster let anyone in)."""
    client = executors.get_client()
    address = client.scheduler.address
    assert address.startswith("tls://")
    probe = (
        "import sys\nfrom distributed import Client\n"
        f"try:\n    Client({address!r}, timeout='3s').close()\nexcept Exception as e:\n    print('refused', type(e).__name__)\n"
        "else:\n    print('joined')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60).stdout
    assert out.startswith("refused"), out
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", 8787)) != 0  # no dashboard
