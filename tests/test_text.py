"""Matching form and tokenisation (mediamon.text), checked against a plain-Python reference."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference
from mediamon.text import (
    APOS,
    COMMA,
    DIGIT,
    HYPHEN,
    IGNORE,
    LETTER,
    MARK,
    PERIOD,
    PUNCT,
    SPACE,
    blank_line_between,
    char_tables,
    codepoints,
    normalize,
    normalize_array,
    query_forms,
    tokenize,
    tokenize_spans,
    utf8_token_cuts,
)


def surfaces(text: str) -> list[str]:
    return [s for _, _, s in tokenize(text)]


@pytest.mark.parametrize(
    "variant", ["Iran’s", "Iran's", "IRAN'S", "Iranʼs", "iran‘s", "Ｉｒａｎ's", "I\u200bran's", "Iran\u00ads"[:0] + "Iran's"]
)
def test_apostrophe_case_and_width_variants_share_one_matching_form(variant: str) -> None:
    assert [normalize(s) for s in surfaces(variant)] == ["iran", "'s"]


def test_normalize_folds_nfd_nfkc_arabic_and_cyrillic_variants() -> None:
    assert normalize(unicodedata.normalize("NFD", "Café")) == normalize("café") == "café"
    assert normalize("رئيسي") == normalize("رئیسی")  # Arabic yeh vs Farsi yeh
    assert normalize("كاظم") == normalize("کاظم")  # Arabic kaf vs keheh
    assert normalize("Путин") == "путин"
    assert normalize("ёлка") == normalize("елка")
    assert normalize("\u202eevil") == "evil"  # bidi override is not part of a word


def test_us_stays_one_token_and_possessives_split() -> None:
    assert surfaces("the U.S. and Raisi’s and Raisi's visit") == [
        "the", "U.S.", "and", "Raisi", "’s", "and", "Raisi", "'s", "visit",
    ]  # fmt: skip


def test_numbers_hyphens_and_contractions() -> None:
    assert surfaces("1,000 people, 3.5% growth; Russia-Iran ties don't end.") == [
        "1,000", "people", ",", "3.5", "%", "growth", ";", "Russia", "-", "Iran", "ties", "don't", "end", ".",
    ]  # fmt: skip


def test_cyrillic_and_persian_words_are_words() -> None:
    assert surfaces("Путин встретился с رئیسی‌ها в Казани.") == [
        "Путин", "встретился", "с", "رئیسی\u200cها", "в", "Казани", ".",
    ]  # fmt: skip


def test_no_break_and_zero_width_spaces() -> None:
    text = "Vladimir\u00a0Putin met Rai\u200bsi"
    toks = tokenize(text)
    assert [s for _, _, s in toks] == ["Vladimir", "Putin", "met", "Rai\u200bsi"]
    assert normalize(toks[-1][2]) == "raisi"
    assert all(text[a:b] == s for a, b, s in toks)  # offsets point into the original


def test_query_forms_tokenise_like_the_corpus() -> None:
    assert query_forms("Iran’s U.S.-based C++") == ["iran", "'s", "u.s.", "-", "based", "c", "+", "+"]


ALPHABET = st.sampled_from(
    list("abcsS XYZ019") + ["'", "’", ".", ",", "-", "\u200b", "\u00a0", "\n", "П", "у", "ر", "ی", "\u0301", "“", "!", "?"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_tokenizer_equals_the_reference_on_random_text(text: str) -> None:
    assert [(a, b) for a, b, _ in tokenize(text)] == reference.tokenize(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_tokens_cover_every_visible_character_once(text: str) -> None:
    toks = tokenize(text)
    covered = [False] * len(text)
    last_end = 0
    for a, b, s in toks:
        assert last_end <= a < b <= len(text)
        assert text[a:b] == s
        last_end = b
        for i in range(a, b):
            covered[i] = True
    for ch, cov in zip(text, covered):
        cat = unicodedata.category(ch)
        if not cov:  # only spaces, controls and format characters are left out
            assert cat[0] == "Z" or cat in ("Cc", "Cf"), repr(ch)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="aBz`'. -", max_size=8), st.text(max_size=8)), max_size=12))
def test_normalize_array_equals_normalize_of_each_string(values: list[str]) -> None:
    # ASCII strings take Arrow's path, the others Python's: both must give normalize()'s form
    assert normalize_array(pa.array(values, type=pa.string())).to_pylist() == [normalize(v) for v in values]


WIDE_ALPHABET = st.sampled_from(list("ab .\n") + ["é", "П", "ر", "€", "😀", "\u200b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WIDE_ALPHABET, max_size=60).map("".join))
def test_utf8_token_cuts_are_the_byte_lengths_of_the_prefixes(text: str) -> None:
    cps = codepoints(text)
    starts, ends = tokenize_spans(cps)
    cuts = utf8_token_cuts(cps, len(text.encode("utf-8")), starts, ends)
    positions = [0] + [p for a, b in zip(starts.tolist(), ends.tolist()) for p in (a, b)]
    assert cuts.tolist() == [len(text[:p].encode("utf-8")) for p in positions]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab. \t\r\n") + ["\n\n", "\u200b", "\u00a0"]), max_size=40).map("".join))
def test_blank_line_between_tokens_means_two_newlines_in_the_gap(text: str) -> None:
    cps = codepoints(text)
    starts, ends = tokenize_spans(cps)
    gaps = [text[b:a] for b, a in zip(ends[:-1].tolist(), starts[1:].tolist())]
    assert blank_line_between(cps, starts, ends).tolist() == [g.count("\n") >= 2 for g in gaps]


@pytest.mark.parametrize("text", ["plain ascii words " * 4 + "café 😀 end", "Путин встретился с Раиси"])
def test_utf8_token_cuts_with_few_and_with_many_wide_characters(text: str) -> None:
    # few wide characters take the shifting path, mostly wide ones the per-position map
    cps = codepoints(text)
    starts, ends = tokenize_spans(cps)
    cuts = utf8_token_cuts(cps, len(text.encode("utf-8")), starts, ends)
    utf8 = text.encode("utf-8")
    assert [utf8[a:b].decode() for a, b in zip(cuts[1::2], cuts[2::2])] == [s for _, _, s in tokenize(text)]


def test_char_tables_agree_with_unicodedata_at_every_code_point() -> None:
    # the reference: one unicodedata.category call per code point, with the class rules of the
    # module docstring written out (apostrophes, hyphens, periods, the comma)
    tables = char_tables()
    special = {**dict.fromkeys("'\u2019\u2018\u02bc\uff07\u02bb", APOS), **dict.fromkeys("-\u2010\u2011", HYPHEN),
               ".": PERIOD, "\uff0e": PERIOD, ",": COMMA}  # fmt: skip
    by_category = {"L": LETTER, "M": MARK, "N": DIGIT, "Z": SPACE}
    for cp in range(0x110000):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        want = special.get(ch, SPACE if cat == "Cc" else IGNORE if cat == "Cf" else by_category.get(cat[0], PUNCT))
        assert (tables.cls[cp], tables.upper[cp], tables.lower[cp]) == (want, cat in ("Lu", "Lt"), cat == "Ll"), hex(cp)
