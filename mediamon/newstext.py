"""News-wire conventions around an article body: datelines, editor codes, licence trailers.

A wire article often arrives as ``"TEHRAN — The meeting ... with Russia and Tatarstan.  SA/PA All
Content by Mehr News Agency is licensed under a Creative Commons Attribution 4.0 International
License."``. The text is never altered here; :func:`find_body` returns the character offsets of the
body inside the original text plus what was recognised around it:

dateline
    At the very start (after optional whitespace): a place written in capitals, one to four words of
    at least three capital letters in all (``TEHRAN``, ``ST PETERSBURG``, ``NEW YORK``), optionally
    followed by ``, Country`` or ``, July 29`` and a parenthesised agency (``(Reuters)``, ``(AP)``),
    then a dash: an em or en dash (spaces optional) or a hyphen with spaces on both sides. The
    ``dateline`` value is the place in capitals ("KAZAN" for "KAZAN, Russia (AP) —"); the body starts
    after the dash and the whitespace that follows. The rule is conservative on purpose: a first
    sentence such as "US President Joe Biden said ..." (no dash), "The talks in Vienna — which ..."
    (not capitals), or a capitals-and-dash line further down the text is *not* a dateline.
editor_code
    At the end, after the body's last sentence (after ``.``, ``!``, ``?``, a closing quote or
    bracket, or a line break) and whitespace: groups of 2–4 capitals joined by slashes (``SA/PA``,
    ``SA/PA/MR``). "talks with the US/UK" at the end of a sentence without the final full stop is
    not taken.
licence
    A trailing sentence "All content by|on|of <who> is licensed under a Creative Commons Attribution
    [NonCommercial/ShareAlike/NoDerivatives] <version> [International] [License]." (case-insensitive).
    ``license`` becomes the normalised short name ("CC BY 4.0", "CC BY-NC-SA 4.0"), ``license_text``
    the sentence as written, and ``license_holder`` the ``<who>`` part unless it is "this site".

``body_end`` is placed before the editor code and licence sentence and before trailing whitespace;
``body_start`` after the dateline and leading whitespace. If what remains would be empty, nothing is
recognised and the body is the whole (stripped) text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = ["BodyParts", "find_body", "find_bodies"]

_CAP = "A-ZÀ-ÖØ-Þ"
_WORD = rf"[{_CAP}][{_CAP}.'’\-]*"
_DATELINE = re.compile(
    rf"""^(?P<lead>\s*)
    (?P<place>{_WORD}(?:[^\S\n]{_WORD}){{0,3}})
    (?P<extra>
        (?:,[^\S\n]*[A-Z][A-Za-z.]*(?:[^\S\n][A-Za-z.]+){{0,2}}(?:[^\S\n]\d{{1,2}})?)?
        (?:[^\S\n]*\([^()\n]{{1,40}}\))?
    )
    (?:[^\S\n]+-[^\S\n]+|[^\S\n]*[\u2013\u2014\u2012\u2015][^\S\n]*)
    """,
    re.VERBOSE,
)
_LICENCE = re.compile(
    r"""(?P<stmt>All\s+(?:the\s+)?content\s+(?:by|on|of|from)\s+(?P<who>[^\n]{1,80}?)\s+
    (?:is|are)\s+licen[sc]ed\s+under\s+(?:a\s+|the\s+)?
    (?:Creative\s+Commons|CC)\s+(?:Attribution|BY)
    (?P<mods>(?:[\s-]+(?:NonCommercial|ShareAlike|NoDerivatives|NoDerivs|NC|SA|ND))*)
    (?:\s+(?P<ver>\d\.\d))?(?:\s+International)?(?:\s+Licen[sc]e)?\.?)\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_EDITOR = re.compile(r"(?:(?<=[.!?\"”’)\]])|(?<=\n))\s+(?P<code>[A-Z]{2,4}(?:/[A-Z]{2,4})+)\s*$")
_MODS = {"noncommercial": "NC", "nc": "NC", "sharealike": "SA", "sa": "SA", "noderivatives": "ND",
         "noderivs": "ND", "nd": "ND"}
_TAIL = 800  # trailers are looked for in the last characters only (no scan of long bodies)


@dataclass(frozen=True)
class BodyParts:
    """Where the body of one article lies in its text, and what was found around it."""

    body_start: int
    body_end: int
    dateline: str | None = None
    editor_code: str | None = None
    license: str | None = None
    license_text: str | None = None
    license_holder: str | None = None


_LEAD_WS = re.compile(r"\s*")


def _rstrip_len(text: str, stop: int) -> int:
    """``len(text[:stop].rstrip())`` without copying a long text."""
    lo = max(0, stop - 256)
    while True:
        chunk = text[lo:stop].rstrip()
        if chunk or lo == 0:
            return lo + len(chunk)
        stop, lo = lo, max(0, lo - 256)


def _licence_name(mods: str, version: str | None) -> str:
    parts = [_MODS[m.lower()] for m in re.findall(r"[A-Za-z]+", mods or "") if m.lower() in _MODS]
    name = "CC BY" + "".join(f"-{p}" for p in dict.fromkeys(parts))
    return f"{name} {version}" if version else name


def find_body(text: str) -> BodyParts:
    """Locate the body of one news text; the text is not changed.

    Parameters
    ----------
    text
        The original article text.

    Returns
    -------
    BodyParts
        ``text[body_start:body_end]`` is the body without dateline, editor code, licence sentence and
        surrounding whitespace.

    Examples
    --------
    >>> t = "TEHRAN — Raisi met Putin.  SA/PA All Content by Mehr News Agency is licensed under a " \\
    ...     "Creative Commons Attribution 4.0 International License."
    >>> p = find_body(t)
    >>> t[p.body_start:p.body_end], p.dateline, p.editor_code, p.license, p.license_holder
    ('Raisi met Putin.', 'TEHRAN', 'SA/PA', 'CC BY 4.0', 'Mehr News Agency')
    >>> find_body("US President Joe Biden said - in Rome - that ...").dateline is None
    True
    """
    n = len(text)
    if not text or text.isspace():
        return BodyParts(0, n)
    start = _LEAD_WS.match(text).end()  # type: ignore[union-attr]
    end = _rstrip_len(text, n)
    dateline = editor = licence = licence_text = holder = None

    m = _DATELINE.match(text, 0, min(n, 120))
    if m is not None:
        place = m.group("place").strip()
        letters = sum(ch.isalpha() for ch in place)
        after = m.end()
        rest = text[after:end]
        if letters >= 3 and rest.strip() and place.upper() == place:
            dateline = place
            start = after + (len(rest) - len(rest.lstrip()))

    offset = max(start, end - _TAIL)
    tail = text[offset:end]
    lm = None
    if "icen" in tail or "ICEN" in tail:  # cheap pre-check before the regex
        low = tail.lower()
        lm = _LICENCE.search(tail, max(0, low.rfind("all ", 0, max(0, low.rfind("licen")))))
    if lm is not None:
        cut = offset + lm.start("stmt")
        if text[start:cut].strip():
            licence = _licence_name(lm.group("mods"), lm.group("ver"))
            licence_text = lm.group("stmt")
            who = re.sub(r"\s+", " ", lm.group("who")).strip()
            holder = None if who.lower() in {"this site", "this website", "this page"} else who
            end = _rstrip_len(text, cut)
            tail = text[offset:end] if end > offset else ""
    em = _EDITOR.search(tail, max(0, len(tail) - 40)) if "/" in tail[-40:] else None
    if em is not None:
        cut = offset + em.start()
        if text[start:cut].strip():
            editor = em.group("code")
            end = _rstrip_len(text, cut)
    if end <= start:  # nothing left: recognise nothing
        return BodyParts(_LEAD_WS.match(text).end(), _rstrip_len(text, n))  # type: ignore[union-attr]
    return BodyParts(start, end, dateline, editor, licence, licence_text, holder)


def find_bodies(texts: Iterable[str]) -> pd.DataFrame:
    """:func:`find_body` over many texts, as a table with one row per text (same order).

    Columns: ``body_start``, ``body_end`` (int64), ``dateline``, ``editor_code``, ``license``,
    ``license_text``, ``license_holder`` (str or None).

    >>> find_bodies(["MOSCOW, July 29 (Reuters) – Talks began.", "No dateline here."])[
    ...     ["dateline", "body_start"]].values.tolist()
    [['MOSCOW', 28], [None, 0]]
    """
    parts = [find_body(t) for t in texts]
    return pd.DataFrame(
        {
            "body_start": pd.array([p.body_start for p in parts], dtype="int64"),
            "body_end": pd.array([p.body_end for p in parts], dtype="int64"),
            "dateline": pd.Series([p.dateline for p in parts], dtype=object),
            "editor_code": pd.Series([p.editor_code for p in parts], dtype=object),
            "license": pd.Series([p.license for p in parts], dtype=object),
            "license_text": pd.Series([p.license_text for p in parts], dtype=object),
            "license_holder": pd.Series([p.license_holder for p in parts], dtype=object),
        }
    )
