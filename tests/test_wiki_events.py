"""Bursts on real events: Wikipedia's "Current events" portal (../shared/corpora/wiki-current-events,
111,807 dated items 2002-2025, CC BY-SA 4.0; its text is read here and never shipped).

The events are those the items themselves describe in the burst periods (read with
``Bursts.evidence``): Raisi's candidacy and defeat in the 2017 election (April-May 2017), his
election (18-19 June 2021) and inauguration (5 August 2021), his death in a helicopter crash
(19 May 2024); for Putin, the Euromaidan crisis and the annexation of Crimea (December 2013 to
autumn 2014), the invasion of Ukraine (24 February 2022) and his re-election (15-17 March 2024).
Skipped cleanly when ../shared is absent.
"""

from __future__ import annotations

import pandas as pd
import pytest

import mediamon as mm

from conftest import ACTORS_FILE, shared_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wiki() -> mm.Corpus:
    corpus = mm.read_corpus(shared_path("corpora", "wiki-current-events"))
    mm.index(corpus, progress=False)
    return corpus


@pytest.fixture(scope="module")
def two() -> mm.ActorSet:
    return mm.read_actors(ACTORS_FILE).subset(["putin", "raisi"])


def utc(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC")


def covers(df: pd.DataFrame, actor: str, day: str) -> bool:
    """Whether a burst of *actor* holds *day*."""
    mine = df[df["actor"] == actor]
    return bool(((mine["start"] <= utc(day)) & (mine["end"] >= utc(day))).any())


def texts_of(corpus: mm.Corpus, docs: pd.DataFrame) -> str:
    return " ".join(corpus.docs.set_index("doc_id").loc[docs["doc_id"], "text"]).lower()


def test_monthly_kleinberg_bursts_fall_on_the_events(wiki, two):
    b = mm.bursts(wiki, two, freq="M", levels=3)
    assert b.params["undated_documents"] == 0
    # Putin: the Ukraine crisis of 2013-14 and the war from February 2022; the top level is the invasion
    assert covers(b.df, "putin", "2014-03-18") and covers(b.df, "putin", "2022-02-24")
    top = b.df[(b.df["actor"] == "putin")].sort_values("level").iloc[-1]
    assert top["level"] == 3 and (top["first_period"], top["last_period"]) == (utc("2022-02-01"), utc("2022-03-01"))
    i = int(top.name)
    assert len(b.evidence(i)) == top["observed"]
    assert "invasion" in texts_of(wiki, b.evidence(i)) and "ukrain" in texts_of(wiki, b.evidence(i))
    about = b.keywords(i)
    assert {"ukrainian", "zelenskyy"} & set(about.top(15)["word"])
    # Raisi: one burst from his election month to the month after his death (his presidency)
    raisi = b.df[b.df["actor"] == "raisi"]
    assert [(r.first_period, r.last_period) for r in raisi.itertuples()] == [(utc("2021-06-01"), utc("2024-06-01"))]


def test_monthly_baseline_bursts_of_raisi_are_his_elections_and_his_death(wiki, two):
    b = mm.bursts(wiki, two, freq="M", method="baseline")
    raisi = b.df[b.df["actor"] == "raisi"].reset_index()
    months = [(r.first_period.strftime("%Y-%m"), r.last_period.strftime("%Y-%m")) for r in raisi.itertuples()]
    assert months == [("2017-04", "2017-05"), ("2021-06", "2021-06"), ("2021-08", "2021-08"), ("2024-05", "2024-05")]
    texts = [texts_of(wiki, b.evidence(int(r["index"]))) for _, r in raisi.iterrows()]
    assert "rouhani" in texts[0] and "votes" in texts[0]  # the 2017 election, lost to Rouhani
    assert "projected to be the" in texts[1] or "concede" in texts[1]  # the 2021 election
    assert "sworn" in texts[2]  # the inauguration
    assert "helicopter" in texts[3]  # the crash that killed him
    death = int(raisi["index"].iloc[3])
    assert "helicopter" in set(b.keywords(death).top(15)["word"])  # what the burst is about, from keyness alone
    putin = b.df[b.df["actor"] == "putin"]
    assert covers(putin, "putin", "2022-02-24") and covers(putin, "putin", "2024-03-17")


def test_weekly_baseline_bursts_of_putin(wiki, two):
    b = mm.bursts(wiki, two, freq="W", method="baseline", window=12)
    assert covers(b.df, "putin", "2022-02-24")  # the week of the invasion
    assert covers(b.df, "putin", "2024-03-15")  # the week of the 2024 election
    assert covers(b.df, "raisi", "2021-06-18")  # the week of the 2021 election


def test_pair_trends_on_real_events(wiki):
    actors = mm.read_actors(ACTORS_FILE).subset(["putin", "raisi", "russia", "iran"])
    pt = mm.pair_trends(wiki, actors, freq="M")
    rows = pt.pair("putin", "raisi")
    july = rows[rows["period"] == utc("2022-07-01")].iloc[0]  # Putin in Tehran, 19 July 2022
    assert july["n_ab"] >= 1 and july["npmi"] > 0.5
    ev = pt.evidence("putin", "raisi", "2022-07-01")
    assert len(ev) == july["n_ab"] and "visit to iran" in " ".join(ev.df["left"] + ev.df["middle"] + ev.df["right"]).lower()
