"""The browser's state (mediamon.explore.view): sorting, filtering and paging against plain Python.

The reference orders and selections are computed here from the KWIC table with plain Python: the
1R form is the matching form (mm.normalize) of the first token of the right context, read with
mm.tokenize; filters are list comprehensions over the rows. None of it goes through KwicView.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import mediamon as mm
from mediamon.errors import InputError
from mediamon.explore.view import NO_SOURCE, KwicView, Selection, selection_call

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus() -> mm.Corpus:
    return mm.read_corpus(ROOT / "corpora" / "mm-sample")


@pytest.fixture(scope="module")
def actors() -> mm.ActorSet:
    return mm.read_actors(ROOT / "corpora" / "actors.yaml")


@pytest.fixture(scope="module")
def kw(corpus: mm.Corpus, actors: mm.ActorSet) -> mm.Kwic:
    return mm.kwic(corpus, "putin", actors=actors, window=5)


@pytest.fixture(scope="module")
def view(kw: mm.Kwic) -> KwicView:
    return KwicView(kw)


def first_form(text: str) -> str:
    tokens = mm.tokenize(text or "")
    return mm.normalize(tokens[0][2]) if tokens else ""


def last_form(text: str) -> str:
    tokens = mm.tokenize(text or "")
    return mm.normalize(tokens[-1][2]) if tokens else ""


def test_the_fixture_has_two_sources_dated_and_undated_hits(kw: mm.Kwic) -> None:
    assert kw.df["source"].nunique() >= 2
    assert 0 < kw.df["date"].isna().sum() < len(kw)


def test_sort_1r_matches_a_plain_python_sort(kw: mm.Kwic, view: KwicView) -> None:
    forms = [first_form(r) for r in kw.df["right"]]
    expected = sorted(range(len(forms)), key=lambda i: (forms[i], i))
    got = view.order(["1R"]).tolist()
    assert [forms[i] for i in got] == [forms[i] for i in expected]  # same key sequence
    # ties keep corpus order
    for a, b in zip(got, got[1:]):
        if forms[a] == forms[b]:
            assert a < b


def test_sort_1l_matches_a_plain_python_sort(kw: mm.Kwic, view: KwicView) -> None:
    forms = [last_form(left) for left in kw.df["left"]]
    got = view.order(["1L"]).tolist()
    assert [forms[i] for i in got] == sorted(forms)


def test_metadata_first_then_words_break_ties(kw: mm.Kwic, view: KwicView) -> None:
    forms = [first_form(r) for r in kw.df["right"]]
    sources = kw.df["source"].astype(object).fillna("").str.casefold().tolist()
    expected = sorted(range(len(forms)), key=lambda i: (sources[i], forms[i], i))
    got = view.order(["source", "1R"]).tolist()
    assert [(sources[i], forms[i]) for i in got] == [(sources[i], forms[i]) for i in expected]


def test_newest_first_puts_undated_last(kw: mm.Kwic, view: KwicView) -> None:
    got = view.order(["-date"])
    dates = kw.df["date"].iloc[got].reset_index(drop=True)
    dated = dates.dropna()
    assert dates.isna().to_numpy()[len(dated):].all()  # every undated hit after the dated ones
    assert dated.is_monotonic_decreasing


def test_filters_match_plain_python(kw: mm.Kwic, view: KwicView) -> None:
    rows = kw.df.reset_index(drop=True)
    source = "Tehran Times"
    sel = Selection(sources=(source,))
    assert view.rows(sel).tolist() == [i for i, s in enumerate(rows["source"]) if s == source]

    sel = Selection(date_from="2017-01-01", date_to="2017-12-31")  # a bare end date covers its day
    start, end = pd.Timestamp("2017-01-01", tz="UTC"), pd.Timestamp("2018-01-01", tz="UTC")
    expected = [i for i, d in enumerate(rows["date"]) if not pd.isna(d) and start <= d < end]
    assert view.rows(sel).tolist() == expected and expected
    page = view.page(sel)
    assert page.hidden_undated == int(rows["date"].isna().sum())

    needle = "Supreme  Leader"  # two spaces: whitespace runs read as one
    sel = Selection(search=needle)
    flat = [re.sub(r"\s+", " ", f"{a} {b} {c}").lower() for a, b, c in zip(rows["left"], rows["match"], rows["right"])]
    expected = [i for i, text in enumerate(flat) if "supreme leader" in text]
    assert view.rows(sel).tolist() == expected and expected


def test_filters_combine_with_sorting_and_pages_cover_the_selection(kw: mm.Kwic, view: KwicView) -> None:
    sel = Selection(sort=("1R",), sources=("President of Russia (en.kremlin.ru)",), search="russia", page_size=7)
    everything = view.rows(sel)
    order = view.order(["1R"]).tolist()
    kept = set(view.rows(Selection(sources=sel.sources, search=sel.search)).tolist())
    assert everything.tolist() == [i for i in order if i in kept]
    pages = []
    first = view.page(sel)
    for p in range(first.n_pages):
        pages.extend(r["row"] for r in view.page(sel.replace(page=p)).rows)
    assert pages == everything.tolist()
    beyond = view.page(sel.replace(page=10_000))  # clamped to the last page
    assert beyond.page == first.n_pages - 1 and beyond.rows


def test_rows_are_plain_text_clipped_to_the_width(kw: mm.Kwic) -> None:
    view = KwicView(kw, width=20)
    row = view.page(Selection(page_size=1)).rows[0]
    assert set(row) >= {"row", "doc_id", "date", "source", "title", "left", "match", "right"}
    assert len(row["left"]) <= 20 and len(row["right"]) <= 20
    hit = kw.df.iloc[row["row"]]
    assert row["match"] == re.sub(r"\s+", " ", hit["match"]).strip()
    assert re.sub(r"\s+", " ", hit["left"]).strip().endswith(row["left"].lstrip("…"))


def test_selection_is_a_kwic_that_still_sorts(kw: mm.Kwic, view: KwicView) -> None:
    sel = Selection(sources=("Tehran Times",), sort=("1L",))
    chosen = view.selection(sel)
    assert isinstance(chosen, mm.Kwic)
    assert chosen.df["doc_id"].tolist() == kw.df["doc_id"].iloc[view.rows(sel)].tolist()
    assert chosen.params["browse"] == {"sort": ["1L"], "sources": ["Tehran Times"]}
    resorted = chosen.sort("1R")
    assert len(resorted) == len(chosen)


def test_the_shown_call_reproduces_the_selection(kw: mm.Kwic, corpus: mm.Corpus, actors: mm.ActorSet) -> None:
    sel = Selection(sort=("source", "1R"), sources=("Tehran Times",), search="visit", page=1, page_size=10)
    code = selection_call(sel, kw="kw", corpus="news", actors="actors")
    again = eval(code, {"mm": mm, "kw": kw, "news": corpus, "actors": actors})  # noqa: S307 - our own call
    assert again.rows == KwicView(kw).page(sel).rows


def test_source_counts_name_missing_sources(corpus: mm.Corpus) -> None:
    docs = corpus.docs.copy()
    docs.loc[docs["doc_id"] == docs["doc_id"].iloc[0], "source"] = None
    kw = mm.kwic(mm.Corpus(docs), "the", window=1)
    view = KwicView(kw)
    counts = dict(view.source_counts())
    assert sum(counts.values()) == len(kw)
    assert NO_SOURCE in counts
    assert view.rows(Selection(sources=(NO_SOURCE,))).size == counts[NO_SOURCE]


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (Selection(sort=("2X",)), r"sort key '2X' is invalid"),
        (Selection(sort=("1R", "date")), r"put metadata keys"),
        (Selection(sources=("Nowhere Daily",)), r"sources \['Nowhere Daily'\] have no hit"),
        (Selection(date_from="yesterday-ish"), r"is not a date"),
        (Selection(date_from="2020-02-01", date_to="2020-01-01"), r"is after date_to"),
        (Selection(page_size=0), r"page_size=0"),
    ],
)
def test_bad_selections_say_what_to_do(view: KwicView, selection: Selection, message: str) -> None:
    with pytest.raises(InputError, match=message):
        view.page(selection)


def test_not_a_kwic_is_rejected() -> None:
    with pytest.raises(InputError, match=r"expected the result of mm.kwic"):
        KwicView(pd.DataFrame({"a": [1]}))  # type: ignore[arg-type]
