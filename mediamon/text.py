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
from functools import cache, lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


@lru_cache(maxsize=1 << 20)
def normalize_token(surface: str) -> str:
    """:func:`normalize` of a token or a short query, remembered per process (the same surfaces
    come back in every batch, shard and query)."""
    return normalize(surface)


def normalize_array(surfaces: pa.Array) -> pa.Array:
    """:func:`normalize` of every string of *surfaces* (Arrow strings without nulls), as Arrow strings.

    An ASCII string's matching form is the string lower-cased with the backtick made an apostrophe
    (NFKC leaves ASCII alone, no ASCII character is a format character, and case folding of ASCII
    is lower-casing), so those are computed by Arrow; only the others are normalised in Python,
    once each per process (cached).
    """
    if not len(surfaces):
        return surfaces
    ascii_mask = pc.string_is_ascii(surfaces)
    out = pc.ascii_lower(pc.replace_substring(surfaces, "`", "'"))
    if pc.all(ascii_mask).as_py():
        return out
    other = pc.invert(ascii_mask)
    forms = [normalize_token(s) for s in surfaces.filter(other).to_pylist()]
    return pc.replace_with_mask(out, other, pa.array(forms, type=out.type))


_CATEGORY_CLASS = {
    "Lu": LETTER, "Ll": LETTER, "Lt": LETTER, "Lm": LETTER, "Lo": LETTER,
    "Mn": MARK, "Mc": MARK, "Me": MARK,
    "Nd": DIGIT, "Nl": DIGIT, "No": DIGIT,
    "Zs": SPACE, "Zl": SPACE, "Zp": SPACE, "Cc": SPACE,
    "Cf": IGNORE,
    "Cs": PUNCT, "Co": PUNCT, "Cn": PUNCT,
}  # fmt: skip
# The 30 general categories: every value ``unicodedata.category`` returns.
_CATEGORY_NAMES = frozenset((*_CATEGORY_CLASS, "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So"))


@dataclass(frozen=True)
class CharTables:
    """Per-code-point lookup tables over the whole Unicode range."""

    cls: np.ndarray  # uint8 class code
    upper: np.ndarray  # bool: category Lu or Lt
    lower: np.ndarray  # bool: category Ll


@cache
def char_tables() -> CharTables:
    """Build (once per process) the class, upper and lower tables for all code points.

    One pass of ``unicodedata.category`` over the 1,114,112 code points gives each a category
    number; the three tables are then lookups of those numbers (about 0.25 s, where a Python
    pass per table took 0.6 s: every process that tokenises pays it once).
    """
    names = sorted(_CATEGORY_NAMES)
    number = {name: k for k, name in enumerate(names)}
    category = np.fromiter(
        map(number.__getitem__, map(unicodedata.category, map(chr, range(0x110000)))), dtype=np.uint8, count=0x110000
    )
    cls = np.array([_CATEGORY_CLASS.get(name, PUNCT) for name in names], dtype=np.uint8)[category]
    for ch in _APOSTROPHES:
        cls[ord(ch)] = APOS
    for ch in _HYPHENS:
        cls[ord(ch)] = HYPHEN
    for ch in _PERIODS:
        cls[ord(ch)] = PERIOD
    cls[ord(",")] = COMMA
    upper = np.array([name in ("Lu", "Lt") for name in names])[category]
    lower = np.array([name == "Ll" for name in names])[category]
    return CharTables(cls=cls, upper=upper, lower=lower)


def codepoints(text: str) -> np.ndarray:
    """The code points of *text* as a uint32 array (lone surrogates kept as their values)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@cache
def _token_codes() -> np.ndarray:
    """Per code point, bit 1: a word character (letter, digit, mark); bit 2: a character whose
    joining depends on its neighbours (apostrophe, period, comma, format character); bit 4: a
    character that is a token of its own unless it joins (neither word, space nor format)."""
    cls = char_tables().cls
    word = (cls == LETTER) | (cls == DIGIT) | (cls == MARK)
    special = np.isin(cls, (APOS, PERIOD, COMMA, IGNORE))
    other = ~word & (cls != SPACE) & (cls != IGNORE)
    return word.astype(np.uint8) | (special.astype(np.uint8) << 1) | (other.astype(np.uint8) << 2)


def tokenize_spans(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token spans of a code-point array: ``(starts, ends)``, int64, in text order.

    Vectorised over the whole array (see the module docstring for the rules): word runs come from
    one mask over all characters; the joining rules are decided only where an apostrophe, a
    period, a comma or a format character stands, from its neighbours.
    """
    n = cps.size
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    cls_of = char_tables().cls
    code = _token_codes()[cps]
    joined = np.bitwise_and(code, 1).view(bool)  # the word characters; joiners are added below
    sp = np.flatnonzero(code & 2)
    other = np.flatnonzero(code & 4)
    del code

    # The rules at each apostrophe, period, comma and format character, from its neighbours.
    c = cls_of[cps[sp]]
    has_prev, has_next, has_next2 = sp > 0, sp < n - 1, sp < n - 2
    prev, nxt, nxt2 = np.where(has_prev, sp - 1, 0), np.where(has_next, sp + 1, 0), np.where(has_next2, sp + 2, 0)
    word_prev, word_next = joined[prev] & has_prev, joined[nxt] & has_next
    between = word_prev & word_next
    apos, period = c == APOS, c == PERIOD
    # a possessive/clitic 's at the end of a word: the apostrophe and "s" are one token
    next_is_s = has_next & ((cps[nxt] == ord("s")) | (cps[nxt] == ord("S")))
    possessive = apos & word_prev & next_is_s & (~has_next2 | ~joined[nxt2])
    period_inner = period & between
    # "U.S." / "e.g.": a final period after <letter> <joined period> <letter>
    back3 = sp >= 3
    b1, b2, b3 = (np.where(back3, sp - k, 0) for k in (1, 2, 3))
    period_final = (
        period & ~between & back3 & (cls_of[cps[b1]] == LETTER) & (cls_of[cps[b2]] == PERIOD) & (cls_of[cps[b3]] == LETTER)
    )
    comma = (c == COMMA) & has_prev & has_next & (cls_of[cps[prev]] == DIGIT) & (cls_of[cps[nxt]] == DIGIT)
    joiner = ((c == IGNORE) & between) | (apos & between & ~possessive) | period_inner | period_final | comma
    poss = sp[possessive]
    if poss.size:  # nothing joins to the character after a possessive's "s"
        joiner &= ~np.isin(sp, poss + 2)
    joined[sp[joiner | possessive]] = True

    # Tokens: runs of joined characters, split around possessives, and one-character punctuation.
    punct = other[~joined[other]]
    start_mask = np.empty(n, dtype=bool)
    start_mask[0] = joined[0]
    np.greater(joined[1:], joined[:-1], out=start_mask[1:])
    end_mask = np.empty(n, dtype=bool)
    end_mask[-1] = joined[-1]
    np.greater(joined[:-1], joined[1:], out=end_mask[:-1])
    start_mask[punct] = True
    end_mask[punct] = True
    if poss.size:
        start_mask[poss] = True
        end_mask[poss - 1] = True
        end_mask[poss + 1] = True
        after = poss + 2
        after = after[after < n]
        start_mask[after[joined[after]]] = True
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


def utf8_token_cuts(cps: np.ndarray, utf8_size: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Byte cuts ``0, start_0, end_0, start_1, end_1, ...`` of tokens in the UTF-8 form of *cps*
    (*utf8_size* bytes long), for :func:`split_utf8`: the tokens are the odd pieces.

    A text of ASCII only has its byte positions equal to its character positions, so only a text
    with other characters pays for :func:`utf8_positions`.
    """
    cuts = np.empty(2 * starts.size + 1, dtype=np.int64)
    cuts[0] = 0
    cuts[1::2], cuts[2::2] = starts, ends
    if utf8_size == cps.size:
        return cuts
    wide = np.flatnonzero(cps >= 0x80)
    if wide.size > cps.size // 8:  # mostly wide characters: every position's byte offset at once
        byte_at = utf8_positions(cps)
        cuts[1::2], cuts[2::2] = byte_at[starts], byte_at[ends]
        return cuts
    # few wide characters: a cut moves by the extra bytes of the wide characters before it
    extra = 1 + (cps[wide] >= 0x800).astype(np.int64) + (cps[wide] >= 0x10000)
    first_after = np.searchsorted(cuts, wide, side="right")  # the first cut past each wide character
    cuts += np.cumsum(np.bincount(first_after, weights=extra, minlength=cuts.size + 1)[: cuts.size].astype(np.int64))
    return cuts


def blank_line_between(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each pair of consecutive tokens, whether a blank line lies between them (length
    ``starts.size - 1``).

    Everything between two consecutive tokens is whitespace (every other character is part of a
    token, and no token holds a newline), so a blank line lies there exactly when two newlines do:
    the same breaks :func:`paragraph_breaks` finds, looked for only between tokens.
    """
    if starts.size < 2:
        return np.zeros(0, dtype=bool)
    newlines = np.flatnonzero(cps == 10)
    if newlines.size < 2:
        return np.zeros(starts.size - 1, dtype=bool)
    # no newline lies inside a token: the tokens before a newline are those that start before it
    before = np.bincount(np.searchsorted(starts, newlines), minlength=starts.size + 1)
    return before[1 : starts.size] >= 2


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Tokens of one string as ``(start, end, surface)`` triples, for scripts and queries.

    >>> [t[2] for t in tokenize("Raisi’s visit to the U.S. on 1,000 days.")]
    ['Raisi', '’s', 'visit', 'to', 'the', 'U.S.', 'on', '1,000', 'days', '.']
    """
    starts, ends = tokenize_spans(codepoints(text))
    return [(int(s), int(e), text[s:e]) for s, e in zip(starts, ends)]


def query_forms(phrase: str) -> list[str]:
    """Matching forms of the tokens of a query phrase ("Vladimir Putin" → ['vladimir', 'putin'])."""
    return list(_query_forms(phrase))


@lru_cache(maxsize=1 << 14)
def _query_forms(phrase: str) -> tuple[str, ...]:
    # remembered: an actor list's aliases are parsed again for every shard and every query
    return tuple(normalize_token(surface) for _, _, surface in tokenize(phrase))


_WORDLIKE = re.compile(r"\w")


def is_word_form(form: str) -> bool:
    """True when a vocabulary form has a letter or digit (punctuation tokens are not words)."""
    return bool(_WORDLIKE.search(form))
