"""A sorted, filtered, paged view of a concordance: the state behind the concordance browser.

Nothing here draws anything. :class:`KwicView` holds a ``mm.kwic(...)`` result and answers "which
hits, in which order, on which page" for a :class:`Selection` (sort keys, sources, a date range and
a text search). Only the rows of the asked page are turned into Python values, so a view over
150,000 hits costs a sort (once per distinct sort, cached) and a few vectorised masks per change.

Sort keys
    AntConc's word positions (``"1L"``, ``"2L"``, ..., ``"K"`` for the match, ``"1R"``, ...) are
    passed to :meth:`Kwic.sort` as they are. Metadata keys (``"date"``, ``"-date"`` for newest first,
    ``"source"``, ``"title"``, ``"doc_id"``) sort first, in the order given; the word keys then break
    the ties within them, and corpus order breaks the rest.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..display import strip_bidi
from ..errors import InputError

if TYPE_CHECKING:
    import mediamon

__all__ = ["KwicView", "Selection", "METADATA_KEYS", "WORD_KEYS", "NO_SOURCE"]

WORD_KEYS = tuple(f"{n}L" for n in range(5, 0, -1)) + ("K",) + tuple(f"{n}R" for n in range(1, 6))
METADATA_KEYS = ("date", "-date", "source", "title", "doc_id")
NO_SOURCE = "(no source)"  # the filter label of hits whose document has no source
_WORD_KEY = re.compile(r"^(?:[1-9]\d*[LR]|K)$")
_ROW = "_mm_view_row"  # a column carried through Kwic.sort to read back the permutation
_SPACES = re.compile(r"\s+")
_REQUIRED = ("doc_id", "date", "source", "title", "left", "match", "right", "char_start", "char_end")


@dataclass(frozen=True)
class Selection:
    """What the browser shows: sort keys, filters and the page.

    ``sources`` empty means every source; ``date_from``/``date_to`` are ISO dates (``"2021-06-01"``)
    or empty, inclusive, a date without a time as ``date_to`` covering that whole day (UTC);
    ``search`` is a case-insensitive substring of ``left + " " + match + " " + right`` with runs of
    whitespace read as one space.
    """

    sort: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    search: str = ""
    page: int = 0
    page_size: int = 25

    def replace(self, **changes: Any) -> Selection:
        """A copy with *changes* (tuples for the list-valued fields)."""
        for name in ("sort", "sources"):
            if name in changes:
                changes[name] = tuple(changes[name] or ())
        return dataclasses.replace(self, **changes)


@dataclass
class Page:
    """One page of a view: its rows (plain Python values) and the counts around it."""

    rows: list[dict[str, Any]]
    page: int
    n_pages: int
    matched: int
    total: int
    hidden_undated: int = 0
    row_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def check_kwic(kw: object, call: str) -> None:
    """Raise a clear error unless *kw* looks like a ``mm.kwic(...)`` result."""
    df = getattr(kw, "df", None)
    if not isinstance(df, pd.DataFrame) or not callable(getattr(kw, "sort", None)):
        raise InputError(f"{call}: expected the result of mm.kwic(...), got {type(kw).__name__}.")
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"{call}: the concordance table lacks columns {missing}; make it with mm.kwic(...).")


def parse_sort(keys: Iterable[str], call: str) -> tuple[str, ...]:
    """Validate sort keys: metadata keys first, then AntConc word keys (upper-cased)."""
    out: list[str] = []
    seen_word = False
    for raw in keys:
        key = str(raw).strip()
        if not key:
            continue
        if key in METADATA_KEYS:
            if seen_word:
                raise InputError(
                    f"{call}: sort={list(keys)!r}: put metadata keys ({', '.join(METADATA_KEYS)}) before "
                    "word keys such as '1R'; the word keys break ties within them."
                )
            out.append(key)
            continue
        word = key.upper()
        if not _WORD_KEY.match(word):
            raise InputError(
                f"{call}: sort key {key!r} is invalid; use 'K', 'nL'/'nR' such as '1L', '2R', "
                f"or one of {', '.join(METADATA_KEYS)}."
            )
        seen_word = True
        out.append(word)
    return tuple(out)


def parse_day(value: str, *, end: bool, call: str) -> pd.Timestamp | None:
    """An inclusive UTC bound; a bare date as an *end* bound covers its whole day."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError):
        raise InputError(f"{call}: date {value!r} is not a date; use YYYY-MM-DD.") from None
    if pd.isna(stamp):
        raise InputError(f"{call}: date {value!r} is not a date; use YYYY-MM-DD.")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    if end and stamp == stamp.normalize() and ":" not in text:
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    return stamp


def flat(text: object) -> str:
    """Whitespace runs as one space, bidi controls dropped (display only)."""
    return strip_bidi(_SPACES.sub(" ", text)).strip() if isinstance(text, str) else ""


def clip_left(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :].lstrip()


def clip_right(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class KwicView:
    """Sort, filter and page a concordance without copying it per change.

    Parameters
    ----------
    kw
        A ``mm.kwic(...)`` result (its ``df`` and ``sort``; nothing private is read).
    width
        Characters of left and right context sent per row (the rest is clipped with "…").
    """

    def __init__(self, kw: mediamon.Kwic, *, width: int = 70) -> None:
        check_kwic(kw, "KwicView()")
        if width < 5:
            raise InputError(f"KwicView(): width={width} is too small; give at least 5 characters.")
        self.kw = kw
        self.width = int(width)
        self.df = kw.df.reset_index(drop=True)
        self.total = len(self.df)
        self._orders: dict[tuple[str, ...], np.ndarray] = {}
        self._tagged: Any = None
        source = self.df["source"].astype(object)
        self._source = np.asarray(source.where(source.notna() & (source != ""), NO_SOURCE), dtype=object)
        self._dates = pd.to_datetime(self.df["date"], utc=True)
        self._undated = self._dates.isna().to_numpy()
        naive = self._dates.dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
        self._date_ns = naive.view(np.int64)
        self._haystack: pa.Array | None = None

    # -- facts for the controls -----------------------------------------------------------------
    def source_counts(self) -> list[tuple[str, int]]:
        """``(source, hits)``, most hits first, ties by name."""
        counts = pd.Series(self._source).value_counts()
        pairs = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
        return pairs

    def date_span(self) -> tuple[str, str]:
        """First and last date of the dated hits as ``YYYY-MM-DD`` (empty strings when none)."""
        dated = self._dates.dropna()
        if dated.empty:
            return "", ""
        return f"{dated.min():%Y-%m-%d}", f"{dated.max():%Y-%m-%d}"

    @property
    def undated(self) -> int:
        return int(self._undated.sum())

    # -- ordering ---------------------------------------------------------------------------------
    def order(self, keys: Sequence[str]) -> np.ndarray:
        """Row numbers of ``kw.df`` in the order of *keys* (cached per distinct key tuple)."""
        keys = parse_sort(keys, "KwicView.order()")
        hit = self._orders.get(keys)
        if hit is not None:
            return hit
        words = [k for k in keys if k not in METADATA_KEYS]
        meta = [k for k in keys if k in METADATA_KEYS]
        if words:
            if self._tagged is None:  # the permutation comes back through a carried row number
                self._tagged = dataclasses.replace(self.kw, df=self.df.assign(**{_ROW: np.arange(self.total)}))
            order = self._tagged.sort(*words).df[_ROW].to_numpy(dtype=np.int64)
        else:
            order = np.arange(self.total, dtype=np.int64)
        for key in reversed(meta):  # least significant first; stable sorts keep the inner order
            order = order[self._meta_rank(key, order)]
        order.flags.writeable = False
        self._orders[keys] = order
        return order

    def _meta_rank(self, key: str, order: np.ndarray) -> np.ndarray:
        """A stable argsort of *order* by metadata *key* (missing values last)."""
        if key in ("date", "-date"):
            values = self._date_ns[order]
            missing = self._undated[order]
            values = np.where(missing, np.iinfo(np.int64).max, -values if key == "-date" else values)
            return np.argsort(values, kind="stable")
        column = self._source if key == "source" else self.df[key].astype(object).to_numpy()
        codes, _ = pd.factorize(pd.Series(column[order]).fillna("").str.casefold(), sort=True)
        return np.argsort(codes, kind="stable")

    # -- filtering --------------------------------------------------------------------------------
    def mask(self, sel: Selection) -> tuple[np.ndarray, int]:
        """Rows kept by the filters of *sel*, and how many undated hits the date range hid."""
        keep = np.ones(self.total, dtype=bool)
        if sel.sources:
            known = {s for s, _ in self.source_counts()}
            unknown = [s for s in sel.sources if s not in known]
            if unknown:
                raise InputError(
                    f"browse(): sources {unknown!r} have no hit here; sources are {sorted(known)!r}."
                )
            keep &= np.isin(self._source, list(sel.sources))
        hidden = 0
        start = parse_day(sel.date_from, end=False, call="browse()")
        end = parse_day(sel.date_to, end=True, call="browse()")
        if start is not None or end is not None:
            if start is not None and end is not None and start > end:
                raise InputError(f"browse(): date_from={sel.date_from!r} is after date_to={sel.date_to!r}.")
            dated = ~self._undated
            hidden = int((keep & ~dated).sum())
            inside = dated.copy()
            if start is not None:
                inside &= (self._dates >= start).fillna(False).to_numpy(dtype=bool)
            if end is not None:
                inside &= (self._dates <= end).fillna(False).to_numpy(dtype=bool)
            keep &= inside
        needle = _SPACES.sub(" ", sel.search).strip()
        if needle:
            found = pc.match_substring(self.haystack(), needle, ignore_case=True)
            keep &= found.to_numpy(zero_copy_only=False).astype(bool)
        return keep, hidden

    def haystack(self) -> pa.Array:
        """``left match right`` per hit, whitespace runs as one space (built once, in Arrow)."""
        if self._haystack is None:
            parts = [pa.array(self.df[c].astype(object).fillna("").tolist(), pa.string())
                     for c in ("left", "match", "right")]  # fmt: skip
            joined = pc.binary_join_element_wise(*parts, " ")
            self._haystack = pc.replace_substring_regex(joined, r"\s+", " ")
        return self._haystack

    def rows(self, sel: Selection) -> np.ndarray:
        """Row numbers of ``kw.df`` selected by *sel*, in its order (all pages)."""
        order = self.order(sel.sort)
        keep, _ = self.mask(sel)
        return order[keep[order]]

    # -- paging -----------------------------------------------------------------------------------
    def page(self, sel: Selection) -> Page:
        """The rows of page ``sel.page`` (clamped into range) as plain values for a front end."""
        if sel.page_size < 1:
            raise InputError(f"browse(): page_size={sel.page_size} must be at least 1.")
        order = self.order(sel.sort)
        keep, hidden = self.mask(sel)
        selected = order[keep[order]]
        n_pages = max(1, -(-selected.size // sel.page_size))
        page = min(max(int(sel.page), 0), n_pages - 1)
        ids = selected[page * sel.page_size : (page + 1) * sel.page_size]
        return Page(self.records(ids), page, n_pages, int(selected.size), self.total, hidden, ids)

    def records(self, ids: np.ndarray) -> list[dict[str, Any]]:
        """Plain-value rows for *ids*: text stays text (no markup is made here)."""
        sub = self.df.iloc[ids]
        dates = self._dates.iloc[ids]
        out = []
        for row, doc_id, date, source, title, left, match, right, cs, ce in zip(
            ids.tolist(), sub["doc_id"].tolist(), dates.tolist(), self._source[ids].tolist(),
            sub["title"].tolist(), sub["left"].tolist(), sub["match"].tolist(), sub["right"].tolist(),
            sub["char_start"].tolist(), sub["char_end"].tolist(),
        ):  # fmt: skip
            out.append(
                {
                    "row": int(row),
                    "doc_id": strip_bidi(str(doc_id)),
                    "date": "" if pd.isna(date) else f"{date:%Y-%m-%d}",
                    "source": flat(source),
                    "title": clip_right(flat(title), 80),
                    "left": clip_left(flat(left), self.width),
                    "match": flat(match),
                    "right": clip_right(flat(right), self.width),
                    "char_start": int(cs),
                    "char_end": int(ce),
                }
            )
        return out

    def selection(self, sel: Selection) -> mediamon.Kwic:
        """The selected hits (every page) as a Kwic of the same kind, for further analysis."""
        ids = self.rows(sel)
        params = {**self.kw.params, "browse": _selection_params(sel)}
        return dataclasses.replace(self.kw, df=self.df.iloc[ids].reset_index(drop=True), params=params)


def _selection_params(sel: Selection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sel.sort:
        out["sort"] = list(sel.sort)
    if sel.sources:
        out["sources"] = list(sel.sources)
    for name in ("date_from", "date_to", "search"):
        if getattr(sel, name):
            out[name] = getattr(sel, name)
    return out


def selection_call(sel: Selection, *, kw: str = "kw", corpus: str | None = None, actors: str | None = None) -> str:
    """The ``mm.browse(...)`` call that shows *sel* again (variable names as given)."""
    args = [kw]
    if corpus:
        args.append(f"corpus={corpus}")
    if actors:
        args.append(f"actors={actors}")
    for name, value in _selection_params(sel).items():
        args.append(f"{name}={value!r}")
    if sel.page:
        args.append(f"page={sel.page}")
    if sel.page_size != Selection.page_size:
        args.append(f"page_size={sel.page_size}")
    return f"mm.browse({', '.join(args)})"
