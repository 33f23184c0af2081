"""Bursts and pair trends: golden values from the stats functions fed with plain-Python counts of a
constructed dated corpus (with a month without documents and undated documents), the evidence behind
every alert, and the keyness of a burst against its baseline.

The constructed corpus is lowercase words separated by spaces, paragraphs separated by blank lines
(every paragraph is one sentence), so ``str.split`` counts its tokens and units independently.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mediamon as mm
from mediamon.analysis.bursts import BURST_COLUMNS, PAIR_TREND_COLUMNS, bursts, pair_trends
from mediamon.errors import InputError, NotFoundError
from mediamon.stats.bursts import baseline_test, kleinberg
from mediamon.stats.trends import association_ci, association_rise

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_V1 = ROOT / "corpora" / "mm-sample" / "mm_sample_v1.jsonl"
ACTORS = mm.read_actors([{"id": "putin", "name": "Vladimir Putin", "aliases": ["putin"]},
                         {"id": "raisi", "name": "Ebrahim Raisi", "aliases": ["raisi"]},
                         {"id": "kazan", "name": "Kazan", "kind": "place", "aliases": ["kazan"]}])  # fmt: skip

MONTHS = pd.period_range("2020-01", "2021-06", freq="M")
GAP = pd.Period("2020-05", freq="M")  # no document at all: a month without data
#: documents mentioning putin per month (of 10 documents a month); July-August 2020 is the burst
PUTIN = {p: (7 if p in (pd.Period("2020-07", "M"), pd.Period("2020-08", "M")) else 1) for p in MONTHS}
#: raisi and kazan are named in every document, in separate sentences, but together in March 2021
PAIR_MONTH = pd.Period("2021-03", freq="M")


def make_docs() -> pd.DataFrame:
    rows = []
    for p in MONTHS:
        if p == GAP:
            continue
        for k in range(10):
            day = p.start_time + pd.Timedelta(days=k)
            paragraphs = [f"talks on trade ref{p.year}{p.month:02d}{k}"]  # a unique word: no two texts alike
            if k < PUTIN[p]:
                paragraphs.append("putin spoke about gas" + (" and putin smiled in kazan" if k == 0 else ""))
                if PUTIN[p] > 1:
                    paragraphs.append("pipeline exports rose")  # what the burst is about
            if p == PAIR_MONTH:
                paragraphs.append("raisi visited kazan")
            else:
                paragraphs += ["raisi visited tehran", "kazan hosted a fair"]
            rows.append({"doc_id": f"{p}-{k}", "date": day.strftime("%Y-%m-%d"), "source": "A" if k % 2 else "B",
                         "text": "\n\n".join(paragraphs)})  # fmt: skip
    rows.append({"doc_id": "undated-1", "date": None, "source": "A", "text": "putin in kazan"})
    rows.append({"doc_id": "undated-2", "date": None, "source": "B", "text": "putin met raisi"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def dated() -> mm.Corpus:
    return mm.Corpus(make_docs(), name="dated")


def plain_monthly(docs: pd.DataFrame, actor: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per month of MONTHS: documents mentioning *actor*, its mentions, and all documents."""
    mentioning, mentions, total = Counter(), Counter(), Counter()
    for date, text in zip(docs["date"], docs["text"]):
        if date is None:
            continue
        p = pd.Period(date, freq="M")
        words = text.split()
        total[p] += 1
        mentions[p] += words.count(actor)
        mentioning[p] += actor in words
    return (np.array([mentioning[p] for p in MONTHS], float), np.array([mentions[p] for p in MONTHS], float),
            np.array([total[p] for p in MONTHS], float))  # fmt: skip


def month(i: int) -> pd.Timestamp:
    return MONTHS[i].start_time.tz_localize("UTC")


# ---------------------------------------------------------------------------------------------
# bursts: golden values
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("levels", [1, 2])
def test_kleinberg_bursts_equal_the_automaton_on_plain_counts(dated, levels):
    got = bursts(dated, ACTORS, freq="M", levels=levels, min_count=0)
    docs = make_docs()
    counts = {a: plain_monthly(docs, a) for a in ACTORS.ids}
    r = np.stack([counts[a][0] for a in ACTORS.ids])
    d = counts["putin"][2]
    assert d[MONTHS.get_loc(GAP)] == 0  # the gap month has no data ...
    want = kleinberg(r, d, levels=levels).bursts
    assert len(got.df) == len(want) > 0
    for row, w in zip(got.df.itertuples(index=False), want.itertuples(index=False)):
        assert row.actor == ACTORS.ids[w.series] and row.level == w.level
        assert (row.first_period, row.last_period) == (month(w.start), month(w.end))
        assert (row.observed, row.total, row.periods) == (w.observed, w.total, w.periods)
        assert row.expected == pytest.approx(w.expected) and row.weight == pytest.approx(w.weight)
        assert row.ratio == pytest.approx(w.observed / w.expected)
    burst = got.df[got.df["actor"] == "putin"].iloc[0]
    assert (burst["first_period"], burst["last_period"]) == (month(6), month(7))  # July-August 2020
    assert burst["start"] == month(6) and burst["end"] == MONTHS[7].end_time.tz_localize("UTC")
    series = got.series[got.series["actor"] == "putin"].set_index("period")
    gap = series.loc[GAP.start_time.tz_localize("UTC")]
    assert gap["total"] == 0 and np.isnan(gap["share"])  # ... no data, not a zero share
    assert list(got.df.columns) == list(BURST_COLUMNS)


def test_baseline_bursts_equal_the_test_on_plain_counts(dated):
    got = bursts(dated, ACTORS, freq="M", method="baseline", window=4, min_periods=3, min_count=0)
    counts = {a: plain_monthly(make_docs(), a) for a in ACTORS.ids}
    r = np.stack([counts[a][0] for a in ACTORS.ids])
    d = counts["putin"][2]
    want = baseline_test(r, d, window=4, min_periods=3, method="binomial")  # adjusted over every series
    for k, actor in enumerate(ACTORS.ids):
        series = got.series[got.series["actor"] == actor]
        np.testing.assert_allclose(series["p_value"], want["p_value"][k], equal_nan=True)
        np.testing.assert_allclose(series["p_adjusted"], want["p_adjusted"][k], equal_nan=True)
        np.testing.assert_allclose(series["expected"], want["expected"][k], equal_nan=True)
    flagged = np.nan_to_num(want["p_adjusted"][0], nan=1) <= 0.05
    putin = got.df[got.df["actor"] == "putin"]
    assert flagged[6] and putin["first_period"].iloc[0] == month(6)  # July 2020
    run = [6] + ([7] if flagged[7] else [])
    assert putin["observed"].iloc[0] == r[0, run].sum() and putin["last_period"].iloc[0] == month(run[-1])
    assert putin["expected"].iloc[0] == pytest.approx(want["expected"][0, run].sum())
    assert np.isnan(putin["weight"]).all() and (putin["p_adjusted"] <= 0.05).all()
    assert set(got.df["actor"]) == {"putin"}  # raisi and kazan are in every document: no rise


def test_share_of_mentions_and_by_source(dated):
    got = bursts(dated, ACTORS, freq="M", share="mentions", min_count=0)
    docs = make_docs()
    per_actor = {a: plain_monthly(docs, a)[1] for a in ACTORS.ids}
    totals = sum(per_actor.values())
    s = got.series.set_index(["actor", "period"])
    for a in ACTORS.ids:
        np.testing.assert_array_equal(s.loc[a, "count"].to_numpy(), per_actor[a])
        np.testing.assert_array_equal(s.loc[a, "total"].to_numpy(), totals)
    want = kleinberg(np.stack([per_actor[a] for a in ACTORS.ids]), totals).bursts
    assert len(got.df) == len(want)
    by = bursts(dated, ACTORS, freq="M", by="source", min_count=0)
    assert set(by.series["source"]) == {"A", "B"} and "source" in by.df.columns
    a_docs = docs[docs["source"] == "A"]
    r, _, d = plain_monthly(a_docs, "putin")
    series = by.series[(by.series["actor"] == "putin") & (by.series["source"] == "A")]
    np.testing.assert_array_equal(series["count"], r)
    np.testing.assert_array_equal(series["total"], d)
    with pytest.raises(InputError, match="always 1"):
        bursts(dated, ACTORS.subset(["putin"]), share="mentions")


def test_undated_documents_are_reported_apart(dated):
    got = bursts(dated, ACTORS, freq="M")
    assert got.params["undated_documents"] == 2 and got.params["dated_documents"] == len(make_docs()) - 2
    undated = got.undated.set_index("actor")
    assert undated.loc["putin", "documents"] == 2 and undated.loc["raisi", "documents"] == 1
    assert "2 documents without a date" in got.caption()


def test_min_count_leaves_out_small_bursts(dated):
    every = bursts(dated, ACTORS, freq="M", method="baseline", window=3, min_count=0)
    some = bursts(dated, ACTORS, freq="M", method="baseline", window=3, min_count=8)
    assert (some.df["observed"] >= 8).all() and len(some.df) == int((every.df["observed"] >= 8).sum())


# ---------------------------------------------------------------------------------------------
# bursts: evidence
# ---------------------------------------------------------------------------------------------
def test_evidence_kwic_and_keywords_of_a_burst(dated):
    got = bursts(dated, ACTORS, freq="M")
    i = int(np.flatnonzero(got.df["actor"] == "putin")[0])
    docs = got.evidence(i)
    assert len(docs) == got.df.loc[i, "observed"] == 14
    assert set(pd.to_datetime(docs["date"]).dt.month) == {7, 8} and set(docs.columns) >= {"doc_id", "date", "mentions"}
    assert docs.loc[docs["doc_id"] == "2020-07-0", "mentions"].item() == 2  # "putin spoke ... and putin smiled"
    kw = got.kwic(i)
    assert len(kw) == docs["mentions"].sum() and set(kw.df["doc_id"].astype(str)) == set(docs["doc_id"])
    k = got.keywords(i, min_count=1, stopwords=None)
    # against the documents mentioning putin in the 8 months before: "pipeline exports" is new
    assert k.params["reference"] == "documents mentioning putin of the 8 periods before"
    assert k.params["documents_target"] == 14 and k.params["documents_reference"] == 5  # Jan - Jun 2020, no May
    assert {"pipeline", "exports"} <= set(k.significant(0.05)["word"])
    assert k.df["word"].iloc[0] in {"pipeline", "exports", "rose"}
    assert k.params["target"] == "putin 2020-07 to 2020-08"
    with pytest.raises(NotFoundError, match="not a row"):
        got.evidence(99)


def test_keywords_fall_back_to_all_documents_for_a_new_actor(tmp_path):
    docs = make_docs()
    late = docs["date"].notna() & (docs["date"] >= "2021-01-01")
    new = late & docs["doc_id"].str[-2:].isin(["-0", "-1", "-2"])  # 3 documents a month from January 2021
    docs.loc[new, "text"] = docs.loc[new, "doc_id"] + " navalny returned\n\nnavalny was arrested"
    corpus = mm.Corpus(docs)
    actors = mm.read_actors([{"id": "navalny", "name": "Alexei Navalny", "aliases": ["navalny"]}])
    got = bursts(corpus, actors, freq="M", min_count=0)
    assert got.df["first_period"].tolist() == [pd.Timestamp("2021-01-01", tz="UTC")]
    k = got.keywords(0, min_count=1)
    assert k.params["reference"] == "all documents of the 8 periods before"


def test_plot_bursts(dated):
    got = bursts(dated, ACTORS, freq="M")
    ax = got.plot()  # the actors with a burst
    assert len(ax.lines) == got.df["actor"].nunique() == 1 and len(ax.patches) == len(got.df)
    ax = got.plot(actors=ACTORS.ids)
    assert [line.get_label() for line in ax.lines] == ACTORS.ids
    assert "undated documents not shown" in " ".join(t.get_text() for t in ax.texts)


def test_bad_options(dated):
    for opts, message in (({"method": "cusum"}, "method="), ({"share": "tokens"}, "share="), ({"freq": "fortnight"}, "freq="),
                          ({"s": 1.0}, "s=1.0"), ({"window": 0}, "window=0"), ({"alpha": 2}, "alpha=2"),
                          ({"min_periods": 9}, "min_periods=9")):  # fmt: skip
        with pytest.raises(InputError, match=message):
            bursts(dated, ACTORS, **opts)


# ---------------------------------------------------------------------------------------------
# pair trends
# ---------------------------------------------------------------------------------------------
def plain_pairs(docs: pd.DataFrame, a: str, b: str) -> dict[str, np.ndarray]:
    """Per month of MONTHS: paragraphs (= sentences) in all, naming *a*, *b*, and both."""
    n, na, nb, nab = Counter(), Counter(), Counter(), Counter()
    for date, text in zip(docs["date"], docs["text"]):
        if date is None:
            continue
        p = pd.Period(date, freq="M")
        for paragraph in text.split("\n\n"):
            words = paragraph.split()
            n[p] += 1
            na[p] += a in words
            nb[p] += b in words
            nab[p] += a in words and b in words
    return {k: np.array([c[p] for p in MONTHS], float) for k, c in (("n", n), ("a", na), ("b", nb), ("ab", nab))}


def test_pair_trends_equal_the_stats_on_plain_counts(dated):
    got = pair_trends(dated, ACTORS, freq="M", window=4, min_count=2)
    assert list(got.df.columns) == list(PAIR_TREND_COLUMNS)
    assert set(zip(got.df["a"], got.df["b"])) == {("kazan", "raisi"), ("kazan", "putin")}  # putin-raisi: undated only
    plain = plain_pairs(make_docs(), "kazan", "raisi")
    rows = got.pair("raisi", "kazan")
    assert (rows["a"].iloc[0], rows["b"].iloc[0]) == ("kazan", "raisi")
    np.testing.assert_array_equal(rows["n"], plain["n"])
    np.testing.assert_array_equal(rows["n_a"], plain["a"])
    np.testing.assert_array_equal(rows["n_b"], plain["b"])
    np.testing.assert_array_equal(rows["n_ab"], plain["ab"])
    ci = association_ci(plain["ab"], plain["a"], plain["b"], plain["n"])
    for key in ("npmi", "npmi_low", "npmi_high", "log_dice_low", "g2", "g2_high", "g2_p"):
        np.testing.assert_allclose(rows[key], ci[key], equal_nan=True, err_msg=key)
    # the rise test adjusts over every tested period of every pair of the call
    pairs = [("kazan", "putin"), ("kazan", "raisi")]
    counts = {p: got.pair(*p) for p in pairs}
    stack = {k: np.stack([counts[p][k].to_numpy(float) for p in pairs]) for k in ("n_ab", "n_a", "n_b", "n")}
    rise = association_rise(stack["n_ab"], stack["n_a"], stack["n_b"], stack["n"], window=4)
    for j, p in enumerate(pairs):
        for key in ("p_value", "p_adjusted", "log2_ratio", "log2_ratio_low", "baseline_expected"):
            np.testing.assert_allclose(counts[p][key], rise[key][j], equal_nan=True, err_msg=key)
    gap = rows[rows["period"] == GAP.start_time.tz_localize("UTC")].iloc[0]
    assert gap["n"] == 0 and np.isnan(gap["npmi"]) and not gap["rising"]  # no data, not a zero
    flagged = got.rising()
    assert list(zip(flagged["a"], flagged["b"], flagged["period"])) == [("kazan", "raisi", PAIR_MONTH.start_time.tz_localize("UTC"))]
    undated = got.undated.set_index(["a", "b"])
    assert undated.loc[("kazan", "putin"), "n_ab"] == 1 and undated.loc[("kazan", "putin"), "n"] == 2
    assert undated.loc[("putin", "raisi"), "n_ab"] == 1  # named together only in an undated document
    assert got.params["undated_documents"] == 2


def test_pair_trends_evidence_is_the_period_cooccurrence(dated):
    got = pair_trends(dated, ACTORS, freq="M", window=4)
    row = got.rising().iloc[0]
    ev = got.evidence(row["a"], row["b"], row["period"])
    assert len(ev) == row["n_ab"] == 10
    assert set(pd.to_datetime(ev.df["date"]).dt.tz_localize(None).dt.to_period("M")) == {PAIR_MONTH}
    assert set(ev.df["first"]) == {"raisi"} and set(ev.df["second"]) == {"kazan"}
    for _, r in got.pair("putin", "kazan").iterrows():
        if r["n"]:
            assert len(got.evidence("putin", "kazan", r["period"])) == r["n_ab"] == 1
    with pytest.raises(NotFoundError, match="not a period"):
        got.evidence("raisi", "kazan", "1999-01-01")


def test_pair_trends_units_and_dedupe(dated):
    docs = make_docs()
    doc_level = pair_trends(dated, ACTORS, unit="document", freq="M")
    rows = doc_level.pair("putin", "kazan")
    assert rows["n_ab"].tolist() == [0 if p == GAP else PUTIN[p] for p in MONTHS]  # kazan is in every document
    assert rows["n"].tolist() == [0 if p == GAP else 10 for p in MONTHS]
    assert doc_level.undated.set_index(["a", "b"]).loc[("kazan", "putin"), "n_ab"] == 1  # "putin in kazan", undated
    for _, r in doc_level.pair("putin", "kazan").iterrows():
        if r["n"]:
            assert len(doc_level.evidence("putin", "kazan", r["period"])) == r["n_ab"]
    twice = pd.concat([docs, docs.assign(doc_id=docs["doc_id"] + "-copy")], ignore_index=True)
    folded = pair_trends(mm.Corpus(twice), ACTORS, freq="M", dedupe=True)
    pd.testing.assert_frame_equal(folded.df, pair_trends(dated, ACTORS, freq="M").df)
    assert folded.params["n_duplicates"] == len(docs)
    row = folded.rising().iloc[0]
    assert len(folded.evidence(row["a"], row["b"], row["period"])) == row["n_ab"]
