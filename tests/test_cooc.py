"""Actor co-occurrence: hand counts on the seed article, plain-Python references on mm-sample."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from nltk.metrics.association import BigramAssocMeasures as BAM

import mediamon as mm
from mediamon.analysis.cooc import COOC_COLUMNS, MentionRows, cooccurrence, task_cooc
from mediamon.cli import main
from mediamon.errors import InputError, NotFoundError
from mediamon.stats import assoc

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "corpora" / "actors.yaml"


@pytest.fixture(scope="module")
def seed():
    return mm.read_corpus(ROOT / "corpora" / "seed")


@pytest.fixture(scope="module")
def sample():
    return mm.read_corpus(ROOT / "corpora" / "mm-sample")


@pytest.fixture(scope="module")
def sample_mentions(sample):
    return mm.mentions(sample, ACTORS)


def pair_counts(df: pd.DataFrame) -> dict[frozenset, int]:
    return {frozenset((a, b)): int(n) for a, b, n in zip(df["a"], df["b"], df["n_ab"])}


# --- golden: the seed article, counted by hand -----------------------------------------------------
def test_seed_sentence_level_hand_counts(seed):
    r = cooccurrence(seed, ACTORS, unit="sentence")
    got = pair_counts(r.df)
    # Hand count of the article's sentences:
    #  "After Raisi’s triumph, ... President Vladimir Putin congratulating Raisi ..."        Putin, Raisi
    #  "In April 2017, Raisi held a meeting with ... Rustam Minnikhanov, ... Putin’s ..."    all three
    #  (the sentence "Jalali stated that Vladimir Putin ..." names Putin without Raisi)
    assert got[frozenset(("putin", "raisi"))] == 2
    assert got[frozenset(("raisi", "minnikhanov"))] == 1
    assert got[frozenset(("putin", "minnikhanov"))] == 1
    assert list(r.df.columns) == list(COOC_COLUMNS)
    assert (r.df["a"] < r.df["b"]).all()


def test_seed_evidence_traces_every_count(seed):
    r = cooccurrence(seed, ACTORS)
    for a, b, n_ab in r.df[["a", "b", "n_ab"]].itertuples(index=False):
        assert len(r.evidence(a, b)) == n_ab
    ev = r.evidence("putin", "raisi").df
    text = seed.docs["text"].iloc[0]
    assert sorted({ev["first_actor"].iloc[1], ev["second_actor"].iloc[1]}) == ["putin", "raisi"]
    for row in ev.itertuples(index=False):
        assert text[row.first_start : row.first_end] == row.first
        assert text[row.second_start : row.second_end] == row.second
        assert row.char_start <= row.first_start < row.second_end <= row.char_end
    assert ev["first"].tolist() == ["Raisi", "Raisi"]
    assert ev["second"].tolist() == ["Vladimir Putin", "Putin"]
    assert ev["middle"].iloc[1].startswith("held a meeting with Tatarstan")


# --- plain-Python references on mm-sample ----------------------------------------------------------
def reference_units(mentions: pd.DataFrame, unit_col: str, n_units: int) -> dict:
    """Plain Python: per unit, the set of actors; then pair and single counts."""
    members: dict[int, set[str]] = defaultdict(set)
    for u, actor in zip(mentions[unit_col].tolist(), mentions["actor"].tolist()):
        members[u].add(actor)
    single: Counter = Counter()
    pairs: Counter = Counter()
    for actors in members.values():
        for a in actors:
            single[a] += 1
        for a, b in itertools.combinations(sorted(actors), 2):
            pairs[frozenset((a, b))] += 1
    return {"pairs": pairs, "single": single, "n": n_units}


def reference_window(mentions: pd.DataFrame, window: int) -> dict:
    """Plain Python: pairs of mentions of different actors at most `window` tokens apart."""
    by_doc: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for d, s, e, a in zip(mentions["doc"], mentions["token_start"], mentions["token_end"], mentions["actor"]):
        by_doc[int(d)].append((int(s), int(e), a))
    pairs: Counter = Counter()
    for items in by_doc.values():
        items.sort()
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                s_i, e_i, a_i = items[i]
                s_j, e_j, a_j = items[j]
                if s_j - (e_i - 1) > window:
                    continue
                if a_i != a_j:
                    pairs[frozenset((a_i, a_j))] += 1
    single: Counter = Counter()
    for p, c in pairs.items():
        for a in p:
            single[a] += c
    return {"pairs": pairs, "single": single, "n": sum(pairs.values())}


@pytest.mark.parametrize("unit", ["sentence", "paragraph", "document", "window"])
def test_mm_sample_counts_equal_plain_python(sample, sample_mentions, unit):
    m = sample_mentions.df
    ix = mm.index(sample)
    if unit == "window":
        r = cooccurrence(sample, sample_mentions, window=10)
        ref = reference_window(m, 10)
        # a pair can have more mention events inside a long window than either has events at all
        # only through other actors; sanity: the reference is not trivially empty
        assert len(ref["pairs"]) > 20
    else:
        col = {"sentence": "sentence", "paragraph": "paragraph", "document": "doc"}[unit]
        n_units = {"sentence": len(set(ix.sent.tolist())), "paragraph": len(set(ix.para.tolist())),
                   "document": len(sample.docs)}[unit]  # fmt: skip
        r = cooccurrence(sample, sample_mentions, unit=unit)
        ref = reference_units(m, col, n_units)
    got = pair_counts(r.df)
    assert got == dict(ref["pairs"])
    assert set(r.df["n"]) == {ref["n"]}
    for a, b, n_a, n_b in r.df[["a", "b", "n_a", "n_b"]].itertuples(index=False):
        assert n_a == ref["single"][a] and n_b == ref["single"][b]
    assert r.n == ref["n"]


def test_measures_in_table_equal_assoc_and_nltk(sample, sample_mentions):
    r = cooccurrence(sample, sample_mentions)
    df = r.df
    t = (df["n_ab"], df["n_a"], df["n_b"], df["n"])
    for name in assoc.MEASURES:
        np.testing.assert_allclose(df[name], assoc.score(name, *t), rtol=1e-12)
    for row in df.head(10).itertuples(index=False):
        args = (row.n_ab, (row.n_a, row.n_b), row.n)
        assert row.pmi == pytest.approx(BAM.pmi(*args), rel=1e-9)
        assert row.llr == pytest.approx(BAM.likelihood_ratio(*args), rel=1e-7)
        assert row.chi2 == pytest.approx(BAM.chi_sq(*args), rel=1e-9)
        assert row.dice == pytest.approx(BAM.dice(*args), rel=1e-12)
        assert row.jaccard == pytest.approx(BAM.jaccard(*args), rel=1e-12)
        assert row.t_score == pytest.approx(BAM.student_t(*args), rel=1e-9)


def test_window_evidence_rows_equal_counts(sample, sample_mentions):
    r = cooccurrence(sample, sample_mentions, window=5)
    top = r.df.head(5)
    for a, b, n_ab in top[["a", "b", "n_ab"]].itertuples(index=False):
        ev = r.evidence(a, b).df
        assert len(ev) == n_ab
        assert set(ev["first_actor"]) | set(ev["second_actor"]) <= {a, b}
    assert (r.events["distance"] <= 5).all()


def test_min_count_filters_pairs(sample, sample_mentions):
    r1 = cooccurrence(sample, sample_mentions, unit="document", min_count=1)
    r5 = cooccurrence(sample, sample_mentions, unit="document", min_count=5)
    assert (r5.df["n_ab"] >= 5).all()
    assert len(r5.df) == int((r1.df["n_ab"] >= 5).sum())


# --- matrix, graph, export -------------------------------------------------------------------------
def test_matrix_and_graph(seed, tmp_path):
    r = cooccurrence(seed, ACTORS)
    m = r.matrix()
    assert (m.to_numpy() == m.to_numpy().T).all()
    assert m.loc["putin", "raisi"] == 2 and m.loc["putin", "putin"] == 3  # 3 sentences name Putin
    s = r.matrix("npmi")
    assert np.isnan(s.loc["putin", "putin"])
    row = r.df[(r.df["a"] == "putin") & (r.df["b"] == "raisi")].iloc[0]
    assert s.loc["raisi", "putin"] == pytest.approx(row["npmi"])
    g = r.graph("npmi", min_count=2)
    assert g.has_edge("putin", "raisi") and not g.has_edge("putin", "minnikhanov")
    e = g.edges["putin", "raisi"]
    assert e["n_ab"] == 2 and e["weight"] == pytest.approx(row["npmi"])
    r.write_gexf(tmp_path / "g.gexf", measure="log_dice")
    r.write_graphml(tmp_path / "g.graphml", measure="n_ab")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.edges["putin", "raisi"]["n_ab"] == 2
    assert nx.read_gexf(tmp_path / "g.gexf").number_of_edges() == len(r.df)
    with pytest.raises(InputError, match=r"Cooc.matrix\(\): measure='lift'"):
        r.matrix("lift")


def test_dedupe_counts_identical_texts_once():
    text = "Putin met Raisi in Kazan.\n\nMinnikhanov welcomed Putin."
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "text": [text, text.upper().replace("\n\n", "\n\n  "), text, "Raisi spoke. Putin listened."],
            "source": ["x", "y", "z", "x"],
        }
    )
    corpus = mm.Corpus(docs)
    actors = mm.read_actors(
        [
            {"id": "putin", "name": "Putin", "aliases": ["Putin"]},
            {"id": "raisi", "name": "Raisi", "aliases": ["Raisi"]},
            {"id": "minnikhanov", "name": "Minnikhanov", "aliases": ["Minnikhanov"]},
        ]
    )
    plain = cooccurrence(corpus, actors)
    once = cooccurrence(corpus, actors, dedupe=True)
    assert pair_counts(plain.df)[frozenset(("putin", "raisi"))] == 3
    assert pair_counts(once.df)[frozenset(("putin", "raisi"))] == 1
    assert once.duplicates.to_dict("list") == {"doc_id": ["b", "c"], "duplicate_of": ["a", "a"]}
    assert once.n == plain.n - 4  # two sentences in each of the two duplicates
    doc_level = cooccurrence(corpus, actors, unit="document", dedupe=True)
    assert doc_level.n == 2


def test_errors_name_the_call(seed):
    with pytest.raises(InputError, match=r"cooccurrence\(\): unit='line' is invalid; must be one of"):
        cooccurrence(seed, ACTORS, unit="line")
    with pytest.raises(InputError, match=r"window=0"):
        cooccurrence(seed, ACTORS, window=0)
    r = cooccurrence(seed, ACTORS)
    with pytest.raises(NotFoundError, match="evidence"):
        r.evidence("putin", "nobody")


def test_html_is_escaped():
    corpus = mm.Corpus(pd.DataFrame({"doc_id": ["<x>"], "text": ["<b>Putin</b> met Raisi."]}))
    actors = mm.read_actors(
        [
            {"id": "putin", "name": "<script>p</script>", "aliases": ["Putin"]},
            {"id": "raisi", "name": "Raisi", "aliases": ["Raisi"]},
        ]
    )
    r = cooccurrence(corpus, actors)
    html = r._repr_html_() + r.evidence("putin", "raisi")._repr_html_()
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_cli_cooc_writes_csv(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    code = main(["cooc", str(ROOT / "corpora" / "seed"), "--actors", str(ACTORS), "--measure", "log_dice",
                 "--csv", str(out)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "sorted by log_dice" in printed
    df = pd.read_csv(out)
    row = df[(df["a"] == "putin") & (df["b"] == "raisi")]
    assert row["n_ab"].tolist() == [2]
    assert main(["cooc", str(ROOT / "corpora" / "seed"), "--actors", str(ACTORS), "--measure", "lift"]) == 2


def test_units_on_a_store_count_without_the_rows_and_read_them_on_first_use(engine_store, sample_corpus, actors):
    """On a store, a count of units moves counts only (no mention rows per shard); ``mentions``
    and the evidence then read the rows, equal to those of the in-memory engine."""

    ids = [a.id for a in actors]
    lean = task_cooc(engine_store, 1, ids, actors, None, "sentence", None, None, False)
    assert lean.tables == {} and lean.counts["counts"].shape == (len(ids), len(ids))
    full = task_cooc(engine_store, 1, ids, actors, None, "sentence", None, None, True)
    np.testing.assert_array_equal(lean.counts["counts"], full.counts["counts"])
    assert lean.counts["n"] == full.counts["n"] > 0
    co = cooccurrence(engine_store, actors)
    assert isinstance(co._mentions, MentionRows)  # nothing gathered yet
    want = cooccurrence(mm.Corpus(sample_corpus.docs.copy(), sample_corpus.manifest), actors)
    pd.testing.assert_frame_equal(co.mentions, want.mentions)
    assert co.mentions is co.mentions  # read once
    row = want.df.iloc[0]
    pd.testing.assert_frame_equal(co.evidence(row.a, row.b).df, want.evidence(row.a, row.b).df)
    windows = cooccurrence(engine_store, actors, window=5)
    assert isinstance(windows._mentions, pd.DataFrame)  # events point into the rows: gathered with them
