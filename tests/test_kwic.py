"""KWIC: the engine against a plain-Python reference on mm-sample, NLTK counts, sorting, display."""

from __future__ import annotations

import re
from pathlib import Path

import nltk
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mediamon
import reference
from conftest import ACTORS_FILE, SAMPLE_DIR
from mediamon.analysis.kwic import arrow_frame
from mediamon.cli import main as cli_main
from mediamon.errors import MediamonError
from mediamon.text import normalize, query_forms

WINDOW = 5


@pytest.fixture(scope="module")
def sample_corpus(sample_v1):
    """The English v1 sample: the plain-Python reference matches aliases as written (Russian
    inflection, in the v2 files, is checked against its own reference in test_russian.py)."""
    return sample_v1


@pytest.fixture(scope="module")
def ref_docs(sample_corpus):
    docs = sample_corpus.docs
    return [
        (doc_id, text, reference.doc_tokens(text, int(a), int(b)))
        for doc_id, text, a, b in zip(docs.doc_id, docs.text, docs.body_start, docs.body_end)
    ]


def engine_rows(kw: mediamon.Kwic) -> list[tuple]:
    df = kw.df
    return list(zip(df.doc_id, df.char_start, df.char_end, df.left, df.match, df.right))


@pytest.mark.parametrize(
    ("pattern", "match"),
    [("putin", "fixed"), ("raisi", "fixed"), ("minnikhanov", "fixed"), ("tehran", "fixed"),
     ("islamic republic", "fixed"), ("tatar*", "glob")],
)  # fmt: skip
def test_engine_equals_reference_row_for_row(sample_corpus, ref_docs, pattern, match) -> None:
    forms = query_forms(pattern) if match == "fixed" else [normalize(p) for p in pattern.split()]
    hits = [(d, t, toks, reference.phrase_hits(toks, forms, glob=match == "glob")) for d, t, toks in ref_docs]
    expected = reference.kwic_rows(sample_corpus, hits, WINDOW)
    got = engine_rows(mediamon.kwic(sample_corpus, pattern, match=match, window=WINDOW))
    assert len(expected) > 0
    assert got == expected


def test_each_actor_equals_reference_row_for_row(sample_corpus, ref_docs, actors) -> None:
    queries, owners = [], []
    for actor in actors:
        for alias in actor.aliases:
            forms = list(alias.forms) if not alias.is_pattern else [normalize(p) for p in alias.forms]
            queries.append((forms, alias.is_pattern))
            owners.append((actor.id, alias))
    per_doc = [(d, t, toks, reference.many_phrase_hits(toks, queries)) for d, t, toks in ref_docs]
    for actor in actors:
        hits = []
        for d, t, toks, found in per_doc:
            spans = []
            for (owner, alias), spans_q in zip(owners, found):
                if owner != actor.id:
                    continue
                if alias.match_case:
                    spans_q = [(a, b) for a, b in spans_q if t[toks[a][0] : toks[b - 1][1]] == alias.text]
                spans += spans_q
            hits.append((d, t, toks, reference.leftmost_longest(spans)))
        expected = reference.kwic_rows(sample_corpus, hits, WINDOW)
        got = engine_rows(mediamon.kwic(sample_corpus, actor.id, actors=actors, window=WINDOW))
        assert got == expected, actor.id
        assert len(expected) > 0, actor.id


@pytest.mark.parametrize("word", ["putin", "raisi", "minnikhanov", "tehran", "kazan", "the"])
def test_single_word_counts_equal_nltk_concordance_index(sample_corpus, ref_docs, word) -> None:
    tokens = [form for _, _, toks in ref_docs for _, _, form in toks]
    nltk_hits = len(nltk.text.ConcordanceIndex(tokens).offsets(word))
    assert len(mediamon.kwic(sample_corpus, word)) == nltk_hits > 0


def test_window_sides_and_sentence_clipping(seed_corpus) -> None:
    kw = mediamon.kwic(seed_corpus, "Jalali", window=(2, 3))
    first = kw.df.iloc[0]
    assert (first.left, first.match, first.right) == (", Kazem", "Jalali", ", Iran’s")  # window counts tokens, punctuation too
    clipped = mediamon.kwic(seed_corpus, "Sazhin", window=50, clip="sentence")
    assert clipped.df.iloc[0].left == "Vladimir"
    assert clipped.df.iloc[0].right.endswith("situational partnership.")


def test_context_never_crosses_a_document() -> None:
    c = mediamon.Corpus(pd.DataFrame({"doc_id": ["a", "b"], "text": ["one two Putin", "Putin three four"]}))
    kw = mediamon.kwic(c, "putin", window=10)
    assert kw.df[["left", "right"]].values.tolist() == [["one two", ""], ["", "three four"]]


def test_offsets_point_into_original_text(sample_corpus) -> None:
    kw = mediamon.kwic(sample_corpus, ["Iran", "Islamic Republic of Iran"])
    texts = dict(zip(sample_corpus.docs.doc_id, sample_corpus.docs.text))
    assert all(texts[d][a:b] == m for d, a, b, m in zip(kw.df.doc_id, kw.df.char_start, kw.df.char_end, kw.df.match))
    assert "Islamic Republic of Iran" in set(kw.df.match)  # longest of the listed patterns wins
    assert list(kw.df.columns[:12]) == [
        "doc_id", "date", "source", "title", "left", "match", "right",
        "token_start", "token_end", "char_start", "char_end", "pattern",
    ]  # fmt: skip


def test_sort_like_antconc(sample_corpus, ref_docs) -> None:
    kw = mediamon.kwic(sample_corpus, "minnikhanov")
    sorted_kw = kw.sort("1L", "1R")
    ix = mediamon.index(sample_corpus)

    def key(ts: int, te: int, doc_row: int) -> tuple[str, str]:
        lo, hi = ix.doc_offsets[doc_row], ix.doc_offsets[doc_row + 1]
        left = ix.vocab[ix.ids[ts - 1]] if ts - 1 >= lo else ""
        right = ix.vocab[ix.ids[te]] if te < hi else ""
        return left, right

    keys = [key(a, b, ix.doc[a]) for a, b in zip(sorted_kw.df.token_start, sorted_kw.df.token_end)]
    assert keys == sorted(keys)
    assert sorted(sorted_kw.df.char_start.tolist()) == sorted(kw.df.char_start.tolist())
    with pytest.raises(MediamonError, match="key 'X3'"):
        kw.sort("X3")


def test_case_sensitive_and_bad_patterns(sample_corpus) -> None:
    all_oic = mediamon.kwic(sample_corpus, "oic")
    caps = mediamon.kwic(sample_corpus, "OIC", ignore_case=False)
    assert 0 < len(caps) <= len(all_oic)
    assert set(caps.df.match) == {"OIC"}
    with pytest.raises(MediamonError, match="must be one of"):
        mediamon.kwic(sample_corpus, "x", match="fuzzy")
    with pytest.raises(MediamonError, match="bad regex"):
        mediamon.kwic(sample_corpus, "(", match="regex")


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "</td></tr></table>",
    "\u202eevil",
]


def test_html_escapes_every_piece_and_links_only_http() -> None:
    text = " ".join(f"{p} Putin {p}" for p in HOSTILE)
    c = mediamon.Corpus(
        pd.DataFrame(
            {"doc_id": ["a", "b"], "text": [text, "Putin again"], "title": ["<b>t</b>", "ok"],
             "url": ["javascript:alert(1)", "https://example.org/x?a=1&b=2"]}
        )
    )  # fmt: skip
    html = mediamon.kwic(c, "putin", window=8)._repr_html_()
    assert "<script" not in html and "<img" not in html and "</td></tr></table>" not in html
    assert "<b>t</b>" not in html and "javascript:" not in html and "\u202e" not in html
    assert '<a href="https://example.org/x?a=1&amp;b=2"' in html
    assert html.count("<mark>") == len(mediamon.kwic(c, "putin"))
    tags = set(re.findall(r"</?([a-zA-Z]+)", html))
    assert tags <= {"style", "div", "table", "thead", "tbody", "tr", "th", "td", "mark", "bdi", "a"}


def test_csv_parquet_roundtrip(sample_corpus, tmp_path: Path) -> None:
    kw = mediamon.kwic(sample_corpus, "kazan")
    kw.to_csv(tmp_path / "k.csv")
    kw.to_parquet(tmp_path / "k.parquet")
    back = pd.read_csv(tmp_path / "k.csv", keep_default_na=False)
    assert back["match"].tolist() == kw.df["match"].tolist()
    assert back["left"].tolist() == kw.df["left"].tolist()
    assert pd.read_parquet(tmp_path / "k.parquet")["char_start"].tolist() == kw.df["char_start"].tolist()


def test_cli_prints_an_aligned_concordance(capsys, tmp_path: Path) -> None:
    out_csv = tmp_path / "hits.csv"
    code = cli_main(["kwic", str(SAMPLE_DIR), "minnikhanov", "--sort", "1R", "--window", "4", "--max-rows", "1000", "--csv", str(out_csv)])
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    lines = [ln for ln in printed if not ln.startswith("--")]
    n = len(pd.read_csv(out_csv))
    assert len(lines) == n and printed[-2].startswith(f"-- {n} hits")
    matches = pd.read_csv(out_csv)["match"].tolist()
    assert all(ln[42:].startswith(m + "  ") for ln, m in zip(lines, matches))  # aligned after 40 + 2
    assert cli_main(["kwic", str(SAMPLE_DIR), "raisi", "--actors", str(ACTORS_FILE), "--max-rows", "3"]) == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Putin", "putin’s", "PUTIN", "met", "Raisi", ".", ",", "\n\n", " ", "Путин", "x-y"]), max_size=30))
def test_every_row_matches_the_original_text(words: list[str]) -> None:
    text = " ".join(words)
    c = mediamon.Corpus(pd.DataFrame({"doc_id": ["a"], "text": [text]}))
    kw = mediamon.kwic(c, "putin", window=3)
    expected = sum(1 for _, _, f in reference.doc_tokens(text, 0, len(text)) if f == "putin")
    assert len(kw) == expected
    for a, b, m in zip(kw.df.char_start, kw.df.char_end, kw.df.match):
        assert text[a:b] == m and normalize(m) == "putin"


def test_arrow_frame_is_the_frame_to_pandas_makes() -> None:
    # The fast table -> DataFrame conversion against pyarrow's own to_pandas (the reference):
    # several chunks, null dates, no rows, and types it leaves to to_pandas.
    def strings_stay_arrow(t: pa.DataType) -> pd.ArrowDtype | None:
        return pd.ArrowDtype(t) if pa.types.is_string(t) or pa.types.is_large_string(t) else None

    dates = pa.array([0, None, 1_700_000_000_000_000_000], pa.timestamp("ns", tz="UTC"))
    chunked = pa.table({"doc_id": pa.chunked_array([["a", "b"], ["c"]]), "date": pa.chunked_array([dates[:1], dates[1:]]),
                        "left": pa.array(["x", None, "ž"], pa.large_string()), "token_start": pa.chunked_array([[1], [2, 3]])})  # fmt: skip
    others = [
        chunked.slice(0, 0),
        pa.table({"n": pa.array([1, None], pa.int64())}),  # a null number
        pa.table({"d": pa.array([0, 1], pa.timestamp("ns", tz="Europe/Moscow"))}),
        pa.table({"f": pa.array([1.5, 2.5]), "s": ["a", "b"]}),
    ]
    for table in (chunked, *others):
        got, want = arrow_frame(table), table.to_pandas(types_mapper=strings_stay_arrow)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert list(got.dtypes) == list(want.dtypes)
        assert got.index.equals(want.index) and type(got.index) is type(want.index)
        assert got.columns.equals(want.columns) and got.columns.dtype == want.columns.dtype
