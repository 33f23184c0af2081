"""Dated coverage on real events: en.kremlin.ru 2000-2020 and 2021-22 (../shared; skipped without it).

Raisi became president in August 2021; his first contact with Putin as president was a call on
2021-11-16 and his visit to Moscow followed on 2022-01-19 (the corpora's READMEs list the items).
Putin–Raisi co-occurrence must therefore appear only from 2021-11, and the monthly timeline must show
the January 2022 visit.
"""

from __future__ import annotations

import pandas as pd
import pytest

import mediamon as mm
from conftest import ACTORS_FILE, shared_path


@pytest.fixture(scope="module")
def kremlin() -> mm.Corpus:
    return mm.read_corpus([shared_path("corpora", "kremlin"), shared_path("corpora", "kremlin-2021-2022")])


@pytest.mark.slow
def test_putin_raisi_cooccur_only_from_the_november_2021_call(kremlin: mm.Corpus) -> None:
    actors = mm.read_actors(ACTORS_FILE).subset(["putin", "raisi"])
    tl = mm.timeline(kremlin, actors, freq="M", pairs=True)
    pair = tl.pairs[(tl.pairs["a"] == "putin") & (tl.pairs["b"] == "raisi") & (tl.pairs["n_ab"] > 0)]
    assert len(pair) > 0
    assert pair["period"].min() == pd.Timestamp("2021-11-01", tz="UTC")
    co = mm.cooccurrence(kremlin.between(None, "2021-10-31"), actors)
    assert co.df.empty or int(co.df["n_ab"].sum()) == 0


@pytest.mark.slow
def test_the_monthly_timeline_shows_the_january_2022_visit(kremlin: mm.Corpus) -> None:
    tl = mm.timeline(kremlin, mm.read_actors(ACTORS_FILE).subset(["raisi"]), freq="M")
    raisi = tl.df.set_index("period")
    january = raisi.loc[pd.Timestamp("2022-01-01", tz="UTC")]
    assert january["documents"] >= 2  # the announcement (18 January) and the visit (19 January)
    assert raisi["documents"].idxmax() == pd.Timestamp("2022-01-01", tz="UTC")
    docs = tl.documents_of("2022-01-01", "raisi")
    assert docs["date"].dt.strftime("%Y-%m-%d").isin(["2022-01-18", "2022-01-19"]).sum() >= 2
