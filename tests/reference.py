"""Plain-Python reference implementations, independent of mediamon's vectorised engine.

The tokenizer here is written with Python's ``re`` over the original string (the engine uses numpy
masks over code points); KWIC and actor matching scan token lists linearly (the engine uses
postings). Only :func:`mediamon.text.normalize` is shared: it defines the matching form.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from functools import lru_cache

from mediamon.text import normalize

APOSTROPHES = "'\u2019\u2018\u02bc\uff07\u02bb"
HYPHENS = "-\u2010\u2011"
PERIODS = ".\uff0e"


def char_kind(ch: str) -> str:
    """W word (letter/mark/digit), S space, Z ignorable, or the character itself for joiners."""
    if ch in APOSTROPHES:
        return "'"
    if ch in PERIODS:
        return "."
    if ch in HYPHENS:
        return "-"
    if ch == ",":
        return ","
    cat = unicodedata.category(ch)
    if cat[0] in "LMN":
        return "D" if cat[0] == "N" else ("L" if cat[0] == "L" else "M")
    if cat[0] == "Z" or cat == "Cc":
        return " "
    if cat == "Cf":
        return "Z"
    return "P"


@lru_cache(maxsize=1 << 16)
def _kind_cached(ch: str) -> str:
    k = char_kind(ch)
    if k in "LMD" and ch in "sS":
        return "s"
    return k


# Over a string of kinds: L letter, s letter s/S, M mark, D digit, ' apostrophe, . period,
# , comma, - hyphen, Z ignorable, space, P other punctuation.
_W = "[LsMD]"
_WORD = re.compile(
    rf"""
    {_W}+
    (?:
        (?: Z(?={_W})                       # zero-width between word characters
          | '(?!s(?!{_W}))(?={_W})           # apostrophe, unless a final possessive 's
          | \.(?={_W})                      # period inside a word (U.S, 3.5)
          | (?<=D),(?=D)                    # comma between digits (1,000)
        )
        {_W}+
    )*
    (?:(?<=[Ls]\.[Ls])\.)?                  # final period of a dotted abbreviation (U.S.)
    """,
    re.VERBOSE,
)
_POSSESSIVE = re.compile(r"'s(?![LsMD])")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token spans of *text* by the documented rules, with ``re`` over a string of character kinds."""
    kinds = "".join(_kind_cached(ch) for ch in text)
    spans: list[tuple[int, int]] = []
    i, n = 0, len(kinds)
    while i < n:
        k = kinds[i]
        if k in " Z":
            i += 1
            continue
        if k == "'" and i > 0 and kinds[i - 1] in "LsMD" and spans and spans[-1][1] == i:
            m = _POSSESSIVE.match(kinds, i)
            if m:
                spans.append((i, m.end()))
                i = m.end()
                continue
        m = _WORD.match(kinds, i) if k in "LsMD" else None
        if m:
            spans.append((i, m.end()))
            i = m.end()
            continue
        spans.append((i, i + 1))
        i += 1
    return spans


def doc_tokens(text: str, body_start: int, body_end: int) -> list[tuple[int, int, str]]:
    """Tokens of a document body as (char_start, char_end, matching form), offsets into *text*."""
    body = text[body_start:body_end]
    return [(body_start + a, body_start + b, normalize(body[a:b])) for a, b in tokenize(body)]


def phrase_hits(tokens: list[tuple[int, int, str]], forms: list[str], *, glob: bool = False) -> list[tuple[int, int]]:
    """Token index spans [i, i+len) where the token forms equal (or glob-match) *forms*, by a scan."""
    k = len(forms)
    if glob:
        tests = [re.compile(fnmatch.translate(f)).match for f in forms]
    else:
        tests = [f.__eq__ for f in forms]
    have = [t[2] for t in tokens]
    hits = []
    for i in range(len(have) - k + 1):
        if tests[0](have[i]) and all(tests[j](have[i + j]) for j in range(1, k)):
            hits.append((i, i + k))
    return hits


def many_phrase_hits(
    tokens: list[tuple[int, int, str]], queries: list[tuple[list[str], bool]]
) -> list[list[tuple[int, int]]]:
    """:func:`phrase_hits` for many (forms, glob) queries in one scan over the tokens."""
    have = [t[2] for t in tokens]
    fixed_first: dict[str, list[int]] = {}
    globbed = []
    for q, (forms, glob) in enumerate(queries):
        if glob:
            globbed.append((q, re.compile(fnmatch.translate(forms[0])).match))
        else:
            fixed_first.setdefault(forms[0], []).append(q)
    any_glob = re.compile("|".join(f"(?:{fnmatch.translate(f[0])})" for f, g in queries if g) or "(?!)")
    out: list[list[tuple[int, int]]] = [[] for _ in queries]
    for i, f in enumerate(have):
        candidates = list(fixed_first.get(f, ()))
        if any_glob.match(f):
            candidates += [q for q, m in globbed if m(f)]
        for q in candidates:
            forms, glob = queries[q]
            k = len(forms)
            if i + k > len(have):
                continue
            rest = all(
                (re.match(fnmatch.translate(forms[j]), have[i + j]) if glob else have[i + j] == forms[j])
                for j in range(1, k)
            )
            if rest:
                out[q].append((i, i + k))
    return out


def leftmost_longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Greedy left-to-right selection, longest first at each start, no overlaps."""
    kept: list[tuple[int, int]] = []
    last = -1
    for a, b in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if a >= last:
            kept.append((a, b))
            last = b
    return kept


def kwic_rows(corpus, hits_per_doc, window: int) -> list[tuple]:
    """KWIC rows (doc_id, char_start, char_end, left, match, right) from per-document token hits."""
    rows = []
    for doc_id, text, tokens, hits in hits_per_doc:
        for a, b in hits:
            lo, hi = max(0, a - window), min(len(tokens), b + window)
            cs, ce = tokens[a][0], tokens[b - 1][1]
            left = text[tokens[lo][0] : cs].strip() if lo < a else ""
            right = text[ce : tokens[hi - 1][1]].strip() if hi > b else ""
            rows.append((doc_id, cs, ce, left, text[cs:ce], right))
    return rows
