"""Matching form and tokenisation (mediamon.text), checked against a plain-Python reference."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference
from mediamon.text import normalize, query_forms, tokenize


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
