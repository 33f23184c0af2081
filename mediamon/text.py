"""The text model: matching form, tokens with character spans, paragraphs.

Matching form
    :func:`normalize` maps a surface form to the form used for matching: NFKC, curly and straight
    apostrophes and quotes unified, zero-width and bidi control characters and soft hyphens dropped,
    case folded, Arabic-script letter variants (ي/ی, ك/ک, ى) and Cyrillic ё folded. The original text
    is never altered; only vocabulary entries are normalised.

Tokens
    :func:`tokenize_spans` works on whole batches of text at once with numpy over code points (no
    Python loop per token). Rules, in order:

    * a *word* is a maximal run of letters, marks and digits (any script: "Путин", "رئیسی");
    * inside a word, an apostrophe joins ("don't", "O'Neil"), except the possessive/clitic ``'s``
      at the end of a word, which becomes its own token: "Raisi’s" → ``Raisi`` + ``’s``;
    * a period between two word characters joins ("U.S", "3.5", "tehrantimes.com"), and a final
      period joins a dotted abbreviation whose last part is one letter ("U.S.", "e.g.", "Ph.D.");
    * a comma between digits joins ("1,000"); hyphens split ("Russia-Iran" → ``Russia`` ``-``
      ``Iran``), so every part of a compound is findable and a phrase query "Russia-Iran" still
      matches, because queries are tokenised by the same rules;
    * zero-width characters and soft hyphens inside a word are kept in its span (and dropped from
      its matching form); elsewhere they count as space;
    * every other non-space character is a one-character punctuation token.

Paragraphs
    A paragraph ends at a blank line (a line holding only whitespace). Sentence splitting lives in
    :mod:`mediamon.sentences`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

# Character classes (uint8 codes in the class table).
SPACE, LETTER, DIGIT, MARK, APOS, HYPHEN, PERIOD, COMMA, IGNORE, PUNCT = range(10)

_APOSTROPHES = "'\u2019\u2018\u02bc\uff07\u02bb"  # ' ’ ‘ ʼ ＇ ʻ
_HYPHENS = "-\u2010\u2011"
_PERIODS = ".\uff0e"

# Matching-form translation: apostrophes and quotes unified, ignorable characters dropped,
# Arabic-script and Cyrillic letter variants folded.
_TRANSLATE = {ord(c): "'" for c in _APOSTROPHES + "`\u00b4\u2032"}
_TRANSLATE.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"})
_TRANSLATE.update({ord(c): "-" for c in "\u2010\u2011"})
_TRANSLATE.update(
    {
        0x064A: "\u06cc",  # Arabic yeh -> Farsi yeh
        0x0649: "\u06cc",  # alef maksura -> Farsi yeh
        0x0643: "\u06a9",  # Arabic kaf -> keheh
        0x0640: None,  # tatweel
        0x0451: "\u0435",  # ё -> е
    }
)


@cache
def _ignorable_codepoints() -> frozenset[int]:
    return frozenset(i for i in range(0x110000) if unicodedata.category(chr(i)) == "Cf")


def _drop_ignorable(s: str) -> str:
    # Cf covers zero-width (U+200B-U+200D, U+2060, U+FEFF), soft hyphen, bidi controls.
    return "".join(ch for ch in s if unicodedata.category(ch) != "Cf")


def normalize(text: str) -> str:
    """Return the matching form of *text*.

    NFKC, apostrophes/quotes unified, format characters (zero-width, soft hyphen, bidi controls)
    removed, Arabic-script and Cyrillic variants folded, then case-folded; applied until stable so
    that ``normalize(normalize(s)) == normalize(s)``.

    >>> normalize("Iran’s") == normalize("IRAN'S") == normalize("Iranʼs")
    True
    >>> normalize("Пу\\u200bтин")
    'путин'
    """
    previous = None
    out = text
    for _ in range(4):  # NFKC and casefold interact on a few exotic characters; iterate to a fixpoint
        previous = out
        out = unicodedata.normalize("NFKC", out)
        out = _drop_ignorable(out.translate(_TRANSLATE)).casefold()
        out = unicodedata.normalize("NFKC", out)
        if out == previous:
            break
    return out


_CATEGORY_CLASS = {
    "Lu": LETTER, "Ll": LETTER, "Lt": LETTER, "Lm": LETTER, "Lo": LETTER,
    "Mn": MARK, "Mc": MARK, "Me": MARK,
    "Nd": DIGIT, "Nl": DIGIT, "No": DIGIT,
    "Zs": SPACE, "Zl": SPACE, "Zp": SPACE, "Cc": SPACE,
    "Cf": IGNORE,
    "Cs": PUNCT, "Co": PUNCT, "Cn": PUNCT,
}  # fmt: skip


@dataclass(frozen=True)
class CharTables:
    """Per-code-point lookup tables over the whole Unicode range."""

    cls: np.ndarray  # uint8 class code
    upper: np.ndarray  # bool: category Lu or Lt
    lower: np.ndarray  # bool: category Ll


@cache
def char_tables() -> CharTables:
    """Build (once per process) the class, upper and lower tables for all code points."""
    cats = [unicodedata.category(chr(i)) for i in range(0x110000)]
    cls = np.fromiter((_CATEGORY_CLASS.get(c, PUNCT) for c in cats), dtype=np.uint8, count=len(cats))
    for ch in _APOSTROPHES:
        cls[ord(ch)] = APOS
    for ch in _HYPHENS:
        cls[ord(ch)] = HYPHEN
    for ch in _PERIODS:
        cls[ord(ch)] = PERIOD
    cls[ord(",")] = COMMA
    upper = np.fromiter((c in ("Lu", "Lt") for c in cats), dtype=bool, count=len(cats))
    lower = np.fromiter((c == "Ll" for c in cats), dtype=bool, count=len(cats))
    return CharTables(cls=cls, upper=upper, lower=lower)


def codepoints(text: str) -> np.ndarray:
    """The code points of *text* as a uint32 array (lone surrogates kept as their values)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _shift_right(mask: np.ndarray) -> np.ndarray:
    out = np.empty_like(mask)
    out[0] = False
    out[1:] = mask[:-1]
    return out


def _shift_left(mask: np.ndarray) -> np.ndarray:
    out = np.empty_like(mask)
    out[-1] = False
    out[:-1] = mask[1:]
    return out


def tokenize_spans(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token spans of a code-point array: ``(starts, ends)``, int64, in text order.

    Vectorised over the whole array (see the module docstring for the rules).
    """
    if cps.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    tables = char_tables()
    cls = tables.cls[cps]
    word = (cls == LETTER) | (cls == DIGIT) | (cls == MARK)
    digit = cls == DIGIT
    prev_word, next_word = _shift_right(word), _shift_left(word)
    between_words = prev_word & next_word

    apos = cls == APOS
    is_s = (cps == ord("s")) | (cps == ord("S"))
    after_s_not_word = np.zeros_like(word)
    after_s_not_word[:-2] = ~word[2:]
    after_s_not_word[-2:] = True
    possessive = apos & prev_word & _shift_left(is_s) & after_s_not_word

    period = cls == PERIOD
    period_inner = period & between_words
    # "U.S." / "e.g.": a final period after <letter> <joined period> <letter>.
    letter = cls == LETTER
    p1, p2, p3 = np.zeros_like(word), np.zeros_like(word), np.zeros_like(word)
    p1[1:], p2[2:], p3[3:] = letter[:-1], period_inner[:-2], letter[:-3]
    period_final = period & ~period_inner & p1 & p2 & p3

    # A possessive is exactly its apostrophe and "s": a token of its own, joined to nothing after.
    possessive_s = _shift_right(possessive)
    after_possessive = _shift_right(possessive_s)
    joiners = (
        ((cls == IGNORE) & between_words)
        | (apos & between_words & ~possessive)
        | period_inner
        | period_final
        | ((cls == COMMA) & _shift_right(digit) & _shift_left(digit))
    ) & ~after_possessive
    joined = word | joiners | possessive
    punct = ~joined & (cls != SPACE) & (cls != IGNORE)
    start_mask = (
        (joined & ~_shift_right(joined)) | possessive | (_shift_right(possessive_s) & joined) | punct
    )
    end_mask = (joined & ~_shift_left(joined)) | _shift_left(possessive) | possessive_s | punct
    starts = np.flatnonzero(start_mask)
    ends = np.flatnonzero(end_mask) + 1
    return starts, ends


def utf8_positions(cps: np.ndarray) -> np.ndarray:
    """UTF-8 byte position of every code-point boundary of *cps* (length ``cps.size + 1``)."""
    out = np.zeros(cps.size + 1, dtype=np.int64)
    width = np.ones(cps.size, dtype=np.uint8)
    width += cps >= 0x80
    width += cps >= 0x800
    width += cps >= 0x10000
    np.cumsum(width, dtype=np.int64, out=out[1:])
    return out


def split_utf8(utf8: bytes, cuts: np.ndarray) -> pa.Array:
    """Arrow strings ``utf8[cuts[i]:cuts[i+1]]`` for consecutive byte *cuts* (no copy of the text).

    *cuts* must start at 0, never decrease, and fall on character boundaries.
    """
    large = len(utf8) >= 2**31
    return pa.Array.from_buffers(
        pa.large_string() if large else pa.string(),
        cuts.size - 1,
        [None, pa.py_buffer(cuts.astype(np.int64 if large else np.int32)), pa.py_buffer(utf8)],
    )


def paragraph_breaks(cps: np.ndarray) -> np.ndarray:
    """Positions of blank-line ends: a newline preceded, with only whitespace between, by another.

    Returns a sorted int64 array of code-point positions; a paragraph break lies between two tokens
    when one of these positions falls between them.
    """
    newlines = np.flatnonzero(cps == 10)
    if newlines.size < 2:
        return np.zeros(0, dtype=np.int64)
    cls = char_tables().cls[cps]
    nonspace_before = np.concatenate(([0], np.cumsum((cls != SPACE) & (cls != IGNORE))))
    gap_nonspace = nonspace_before[newlines[1:]] - nonspace_before[newlines[:-1] + 1]
    return newlines[1:][gap_nonspace == 0].astype(np.int64)


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Tokens of one string as ``(start, end, surface)`` triples, for scripts and queries.

    >>> [t[2] for t in tokenize("Raisi’s visit to the U.S. on 1,000 days.")]
    ['Raisi', '’s', 'visit', 'to', 'the', 'U.S.', 'on', '1,000', 'days', '.']
    """
    starts, ends = tokenize_spans(codepoints(text))
    return [(int(s), int(e), text[s:e]) for s, e in zip(starts, ends)]


def query_forms(phrase: str) -> list[str]:
    """Matching forms of the tokens of a query phrase ("Vladimir Putin" → ['vladimir', 'putin'])."""
    return [normalize(surface) for _, _, surface in tokenize(phrase)]


_WORDLIKE = re.compile(r"\w")


def is_word_form(form: str) -> bool:
    """True when a vocabulary form has a letter or digit (punctuation tokens are not words)."""
    return bool(_WORDLIKE.search(form))
