"""Views of a sharded store (``between``, ``filter``, ``sample``, ``head``), ``mm.index`` on a store,
``Kwic.sort`` and ``Cooc.evidence`` on sharded results, and the bundled report notebooks run on a store.

Golden values come from the in-memory engine applied to the same selection of
``read_corpus("corpora/mm-sample")`` (``corpus.between(...)`` ...); mm-sample is split into 4 shards
(``shard_size=400``), so every view crosses shard boundaries. Tables are compared whole.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mediamon as mm
from mediamon import sharded
from mediamon.errors import ColumnError, InputError
from mediamon.report import run_report
from mediamon.store import ShardedCorpus, ingest

from conftest import SAMPLE_DIR

REPO = Path(__file__).resolve().parent.parent

#: (id, the view of a store, the same selection of a Corpus)
VIEWS = [
    ("between", lambda c: c.between("2015-01-01", "2020-12-31")),
    ("between open end", lambda c: c.between("2019-06-01")),
    ("sample", lambda c: c.sample(500, seed=3)),
    ("head", lambda c: c.head(700)),
    ("filter source", lambda c: c.filter(source="Tehran Times")),
    ("filter callable", lambda c: c.filter(lambda d: d["doc_id"].str.len() % 2 == 0)),
    ("between then sample", lambda c: c.between(None, "2021-12-31").sample(120, seed=1)),
]  # fmt: skip


def _put(m):
    return type("Sel", (), {"df": m.df[m.df["actor"] == "putin"].reset_index(drop=True)})()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ShardedCorpus:
    return ingest(SAMPLE_DIR, tmp_path_factory.mktemp("views") / "store", shard_size=400)


@pytest.fixture(scope="module", params=VIEWS, ids=[v[0] for v in VIEWS])
def pair(request, store, sample_corpus):
    make = request.param[1]
    return make(store), make(sample_corpus)


def frames_equal(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), obj=what)


# ---------------------------------------------------------------------------------------------
# the view itself
# ---------------------------------------------------------------------------------------------
def test_view_selects_the_same_documents_without_text(pair) -> None:
    view, corpus = pair
    assert isinstance(view, ShardedCorpus) and view.is_view
    assert len(view) == len(corpus) > 0
    assert "text" not in view.docs.columns
    frames_equal(view.docs, corpus.docs.drop(columns=["text"]), "docs")
    assert view.manifest_counts() == corpus.manifest_counts()
    want = corpus.summary()
    got = view.summary()
    assert {k: got[k] for k in want} == want
    assert got["shards"] == 4 and got["text_bytes"] is None


def test_view_to_corpus_and_text_of(store, sample_corpus) -> None:
    view = store.between("2015-01-01", "2020-12-31")
    frames_equal(view.to_corpus().docs, sample_corpus.between("2015-01-01", "2020-12-31").docs, "to_corpus")
    doc_id = view.docs["doc_id"].iloc[-1]
    assert view.text_of(doc_id) == sample_corpus.text_of(doc_id)
    outside = store.docs["doc_id"][~store.docs["doc_id"].isin(view.docs["doc_id"])].iloc[0]
    with pytest.raises(InputError):
        view.text_of(outside)


def test_view_fingerprint_name_and_shipping(store) -> None:
    a, b = store.head(10), store.head(10)
    assert a.fingerprint == b.fingerprint != store.fingerprint != store.head(11).fingerprint
    assert a.name.endswith("|head(10)") and "10 documents" in repr(a)
    back = pickle.loads(pickle.dumps(a))  # what Dask ships: the description and the rows, no data
    assert back.fingerprint == a.fingerprint and len(back) == 10 and "docs" not in back.__dict__


def test_view_errors(store) -> None:
    with pytest.raises(ColumnError, match="not_a_column"):
        store.filter(not_a_column=1)
    with pytest.raises(InputError, match="shape"):
        store.filter(np.ones(3, dtype=bool))
    with pytest.raises(InputError):
        store.sample(-1)


def test_empty_view(store, actors) -> None:
    empty = store.head(0)
    assert len(empty) == 0
    assert len(mm.kwic(empty, "Putin")) == 0
    co = mm.cooccurrence(empty, actors)
    assert co.n == 0 and len(co.df) == 0


# ---------------------------------------------------------------------------------------------
# every analysis honours the view
# ---------------------------------------------------------------------------------------------
def test_kwic_and_sort_on_a_view(pair) -> None:
    view, corpus = pair
    for pattern, opts in (("Putin", {}), ("Iran*", {"match": "glob", "clip": "sentence"})):
        got, want = mm.kwic(view, pattern, **opts), mm.kwic(corpus, pattern, **opts)
        frames_equal(got.df, want.df, f"kwic {pattern}")
        frames_equal(got.sort("1R", "2L").df, want.sort("1R", "2L").df, f"kwic {pattern} sorted")
        frames_equal(got.sort("K", "1L").df, want.sort("K", "1L").df, f"kwic {pattern} sorted by K")


def test_mentions_and_timeline_on_a_view(pair, actors) -> None:
    view, corpus = pair
    frames_equal(mm.mentions(view, actors).df, mm.mentions(corpus, actors).df, "mentions")
    got, want = mm.timeline(view, actors, freq="Y", by="source"), mm.timeline(corpus, actors, freq="Y", by="source")
    frames_equal(got.df, want.df, "timeline")
    frames_equal(got.undated, want.undated, "timeline undated")


def test_cooccurrence_and_evidence_on_a_view(pair, actors) -> None:
    _check_cooc(*pair, actors, {})


#: every unit and option on three kinds of view (the sentence unit runs on every view above)
COOC_CASES = [
    (view, opts)
    for view in ("between", "sample", "filter callable")
    for opts in ({"unit": "paragraph"}, {"unit": "document"}, {"window": 10}, {"dedupe": True})
]


@pytest.mark.parametrize("view_id,opts", COOC_CASES, ids=[f"{v}-{next(iter(o.items()))}" for v, o in COOC_CASES])
def test_cooccurrence_options_on_a_view(view_id, opts, store, sample_corpus, actors) -> None:
    make = dict(VIEWS)[view_id]
    _check_cooc(make(store), make(sample_corpus), actors, opts)


def _check_cooc(view, corpus, actors, opts) -> None:
    got, want = mm.cooccurrence(view, actors, **opts), mm.cooccurrence(corpus, actors, **opts)
    for table in ("df", "actors", "mentions", "duplicates"):
        frames_equal(getattr(got, table), getattr(want, table), f"cooc {opts} {table}")
    np.testing.assert_array_equal(got.counts, want.counts)
    assert got.n == want.n and got.params["n_docs"] == want.params["n_docs"]
    for row in want.df.head(2).itertuples():
        ev = got.evidence(row.a, row.b)
        frames_equal(ev.df, want.evidence(row.a, row.b).df, f"evidence {row.a}-{row.b}")
        assert len(ev) == row.n_ab


def test_collocates_on_a_view(pair, actors) -> None:
    view, corpus = pair
    frames_equal(mm.collocates(view, "Putin", min_count=1).df, mm.collocates(corpus, "Putin", min_count=1).df,
                 "collocates word")  # fmt: skip
    got = mm.collocates(view, _put(mm.mentions(view, actors)), min_count=1)
    want = mm.collocates(corpus, _put(mm.mentions(corpus, actors)), min_count=1)
    frames_equal(got.df, want.df, "collocates of mentions")


# ---------------------------------------------------------------------------------------------
# the whole store: sort, evidence, index
# ---------------------------------------------------------------------------------------------
def test_sort_and_evidence_on_the_whole_store(store, sample_corpus, actors) -> None:
    got, want = mm.kwic(store, "putin", actors=actors), mm.kwic(sample_corpus, "putin", actors=actors)
    frames_equal(got.sort("1L", "1R").df, want.sort("1L", "1R").df, "kwic sort")
    co, ref = sharded.cooccurrence(store, actors), mm.cooccurrence(sample_corpus, actors)
    for a, b in (("putin", "raisi"), ("iran", "raisi")):
        frames_equal(co.evidence(a, b).df, ref.evidence(a, b).df, f"evidence {a}-{b}")
        frames_equal(co.evidence(a, b, limit=3, width=30).df, ref.evidence(a, b, limit=3, width=30).df, "limit")


def test_index_of_a_store_builds_the_shard_indexes(tmp_path) -> None:
    store = ingest(SAMPLE_DIR, tmp_path / "s", shard_size=700, index=False)
    assert not any(store.index_folder(i).is_dir() for i in range(store.n_shards))
    assert mm.index(store.head(3), progress=False) is not None
    assert all(store.index_folder(i).is_dir() for i in range(store.n_shards))
    assert mm.index(store, progress=False) is store


# ---------------------------------------------------------------------------------------------
# the bundled report notebooks run unchanged on a store
# ---------------------------------------------------------------------------------------------
REPORTS = [
    ("actor_report", {"actor": "putin", "date_from": "2015-01-01", "date_to": "2020-12-31"}),
    ("network_report", {}),
]


@pytest.mark.parametrize("name,params", REPORTS, ids=[r[0] for r in REPORTS])
def test_report_notebook_on_a_store_equals_the_in_memory_run(name, params, store, tmp_path) -> None:
    runs = {}
    for kind, corpus in (("memory", SAMPLE_DIR), ("store", store.path)):
        run = run_report(REPO / "notebooks" / f"{name}.ipynb", {"corpus": str(corpus), **params},
                         out=tmp_path / kind, run_id="t")  # fmt: skip
        assert run.ok, run.error
        runs[kind] = run
    tables = sorted(p.name for p in (runs["memory"].folder / "tables").glob("*.csv"))
    assert tables == sorted(p.name for p in (runs["store"].folder / "tables").glob("*.csv"))
    assert {"partners.csv", "kwic.csv", "evidence.csv"} <= set(tables) or name != "actor_report"
    for table in tables:
        want = pd.read_csv(runs["memory"].folder / "tables" / table)
        got = pd.read_csv(runs["store"].folder / "tables" / table)
        frames_equal(got, want, f"{name}: {table}")
    html = runs["store"].html.read_text(encoding="utf-8")
    assert "Traceback" not in html
    if name == "actor_report":
        assert len(pd.read_csv(runs["store"].folder / "tables" / "kwic.csv")) > 25
        assert html.count("<mark><bdi>") >= 25


def test_view_query_reads_text_only_of_its_documents_with_hits(store, sample_corpus, actors, monkeypatch) -> None:
    calls = []
    real = ShardedCorpus.shard

    def spy(self, i, *, rows=None, with_index=True):
        calls.append(None if rows is None else len(np.asarray(rows)))
        return real(self, i, rows=rows, with_index=with_index)

    monkeypatch.setattr(ShardedCorpus, "shard", spy)
    view = store.between("2015-01-01", "2020-12-31")
    for pattern, opts in (("Putin", {}), ("putin", {"actors": actors}), ("Putin", {"ignore_case": False})):
        calls.clear()
        got = mm.kwic(view, pattern, **opts)
        frames_equal(got.df, mm.kwic(sample_corpus.between("2015-01-01", "2020-12-31"), pattern, **opts).df, pattern)
        assert None not in calls and sum(calls) == got.df["doc_id"].nunique() > 0  # never a full shard
