"""Keyness, bursts and pair trends give the same tables on every kind of corpus (as tests/test_engine.py
checks the other analyses): an in-memory Corpus, a view of it (reusing the base corpus's index with a
selection), a sharded store (4 shards), a view of the store, and both on a real Dask LocalCluster.
The reference of each case is the analysis on a *freshly built* in-memory Corpus of the same
documents, so the masks over shards, the per-shard counting by form and the combination are checked
against plain indexing of the same text. The evidence behind the numbers is compared too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mediamon as mm

from conftest import assert_same, fresh

pytestmark = pytest.mark.usefixtures("close_clusters")  # a Dask cluster per module, closed after it

KINDS = ["memory", "memory view", "store", "store view", "dask", "dask view"]
TEHRAN = "Tehran Times"
KREMLIN = "President of Russia (en.kremlin.ru)"


#: (name, call on the data (and the actor list), the attributes compared)
CASES = [
    ("keyness of an outlet", lambda c, a: mm.keyness(c, c.filter(source=TEHRAN)), ["df"]),
    ("keyness of a period, chi2, fisher", lambda c, a: mm.keyness(c, c.between("2016-01-01", "2018-12-31"), measure="chi2",
                                                                  fisher=True, stopwords="english"), ["df"]),
    ("keyness against another view", lambda c, a: mm.keyness(c, c.filter(source=KREMLIN).between("2019-01-01"),
                                                             c.filter(source=KREMLIN).between(None, "2018-12-31")), ["df"]),
    ("keyness of actor windows", lambda c, a: mm.keyness(c, "putin", actors=a, window=5, min_count=2), ["df"]),
    ("keyness of actor sentences, dedupe", lambda c, a: mm.keyness(c, "raisi", actors=a, unit="sentence", dedupe=True),
     ["df", "duplicates"]),
    ("keyness of mentions' paragraphs", lambda c, a: mm.keyness(c, mm.mentions(c, a).of("iran"), unit="paragraph"), ["df"]),
    ("bursts kleinberg", lambda c, a: mm.bursts(c, a, freq="Y", levels=2, min_count=1), ["df", "series", "undated"]),
    ("bursts baseline by source", lambda c, a: mm.bursts(c, a, freq="Q", by="source", method="baseline", window=3,
                                                         min_periods=1), ["df", "series", "undated"]),
    ("bursts of mentions' share", lambda c, a: mm.bursts(c, mm.mentions(c, a), freq="Y", share="mentions"), ["df", "series"]),
    ("pair trends", lambda c, a: mm.pair_trends(c, a, freq="Y", window=3, min_periods=1), ["df", "periods", "undated"]),
    ("pair trends of documents, dedupe", lambda c, a: mm.pair_trends(c, a, unit="document", freq="Y", dedupe=True),
     ["df", "periods", "undated"]),
]  # fmt: skip


@pytest.fixture(scope="module")
def references(actors):
    cache: dict[tuple[str, str], object] = {}

    def get(case, selection):
        key = (case[0], selection.name)
        if key not in cache:
            cache[key] = case[1](fresh(selection), actors)
        return cache[key]

    return get


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_alert_analysis_on_every_kind_of_corpus(case, kind, kinds, references, actors):
    name, call, attributes = case
    data, selection = kinds[kind]
    want = references(case, selection)
    got = call(data, actors)
    assert len(want) > 0, name
    assert_same(got, want, attributes, f"{name} on {kind}")


@pytest.mark.parametrize("kind", KINDS)
def test_evidence_on_every_kind(kind, kinds, actors):
    data, selection = kinds[kind]
    corpus = fresh(selection)
    for make in (lambda c: mm.keyness(c, c.filter(source=KREMLIN)), lambda c: mm.keyness(c, "putin", actors=actors, window=4)):
        got, want = make(data), make(corpus)
        for word in want.df["word"].head(2).tolist() + want.df["word"].tail(1).tolist():
            for where in ("target", "reference"):
                g, w = got.evidence(word, where=where), want.evidence(word, where=where)
                pd.testing.assert_frame_equal(g.df, w.df, obj=f"{kind}: evidence {word} {where}")
                assert len(w) == want.df.set_index("word").loc[word, where]
            pd.testing.assert_frame_equal(got.evidence(word).sort("1L").df, want.evidence(word).sort("1L").df)
    b, ref = mm.bursts(data, actors, freq="Y"), mm.bursts(corpus, actors, freq="Y")
    for i in range(len(ref)):
        pd.testing.assert_frame_equal(b.evidence(i), ref.evidence(i))
        pd.testing.assert_frame_equal(b.kwic(i).df, ref.kwic(i).df)
        pd.testing.assert_frame_equal(b.keywords(i).df, ref.keywords(i).df)
    pt, pref = mm.pair_trends(data, actors, freq="Y", window=2, min_periods=1), mm.pair_trends(corpus, actors, freq="Y", window=2, min_periods=1)
    rows = pref.df[pref.df["n_ab"] > 0].sort_values("n_ab", ascending=False).head(2)
    for row in rows.itertuples(index=False):
        ev, evr = pt.evidence(row.a, row.b, row.period), pref.evidence(row.a, row.b, row.period)
        pd.testing.assert_frame_equal(ev.df, evr.df)
        assert len(evr) == row.n_ab


def test_a_memory_view_is_counted_on_its_base_index(sample_corpus):
    """A view of a view: the target's mask is over the corpus's documents, and nothing is indexed again."""
    mm.index(sample_corpus)
    period = sample_corpus.between("2015-01-01", "2020-12-31")
    target = period.filter(source=KREMLIN).head(20)
    k = mm.keyness(period, target)
    assert not period.has_index() and not target.has_index()
    want = mm.keyness(fresh(period), fresh(period).filter(source=KREMLIN).head(20))
    pd.testing.assert_frame_equal(k.df, want.df)
    assert k.params["documents_target"] == 20 and k.params["documents_reference"] == len(period) - 20


def test_store_and_memory_reference_corpora_mix(sample_corpus, engine_store):
    """Two separate corpora (one in memory, one a store) are aligned by form."""
    tehran = fresh(sample_corpus.filter(source=TEHRAN))
    kremlin_store = engine_store.filter(source=KREMLIN)
    got = mm.keyness(tehran, tehran, kremlin_store)
    two = sample_corpus.filter(source=[TEHRAN, KREMLIN])  # the sample also holds Russian kremlin.ru items
    want = mm.keyness(two, two.filter(source=TEHRAN))
    pd.testing.assert_frame_equal(got.df, want.df)
    word = want.df["word"].iloc[-1]
    assert len(got.evidence(word, where="reference")) == want.df["reference"].iloc[-1]
    assert np.array_equal(got.evidence(word, where="reference").df["char_start"], want.evidence(word, where="reference").df["char_start"])
