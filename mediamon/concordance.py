"""Keyword in context: every hit of a word, phrase, pattern or actor with its left and right context."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import display
from .actors import Actor, ActorSet, alias_spans, longest_matches, resolve_actors
from .errors import InputError, PatternError, one_of
from .text import codepoints, split_utf8, utf8_positions
from .tokenindex import Match, TokenIndex
from .tokenindex import index as build_index
from .routing import accepts_store

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .corpus import Corpus

KWIC_COLUMNS = (
    "doc_id", "date", "source", "title", "left", "match", "right",
    "token_start", "token_end", "char_start", "char_end", "pattern", "url",
)  # fmt: skip
_SORT_KEY = re.compile(r"^(?:(\d+)([LR])|K|0|M)$", re.IGNORECASE)
_SPACES = r"\s+"


@dataclass(frozen=True, eq=False)
class Kwic:
    """A concordance: one row per hit (see :data:`KWIC_COLUMNS`).

    ``char_start``/``char_end`` point into the document's original text and
    ``text[char_start:char_end] == match`` for every row. ``left``/``right`` are the original text
    from the first context token to the match and from the match to the last context token, trimmed
    (line breaks kept; displays show whitespace runs as one space).
    """

    df: pd.DataFrame
    params: dict[str, Any]
    _index: TokenIndex | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.df)

    def sort(self, *keys: str) -> Kwic:
        """Sort as AntConc does: by the form of the n-th token left or right of the match.

        Keys are ``"1L"`` (the token just left of the match), ``"2L"``, ``"1R"``, ``"2R"``, ... and
        ``"K"`` (the match itself). Forms compare case-insensitively (matching form); a position
        outside the document sorts first; ties keep corpus order.

        >>> kw.sort("1R", "2R")  # doctest: +SKIP
        """
        if not keys:
            keys = ("1R",)
        if self._index is None:
            raise InputError("Kwic.sort(): this concordance has no index attached (it was read from a file).")
        for key in keys:
            _parse_key(key)
        ts = self.df["token_start"].to_numpy(dtype=np.int64)
        te = self.df["token_end"].to_numpy(dtype=np.int64)
        rows = self.df["_row"].to_numpy() if "_row" in self.df else np.arange(len(self.df))
        if hasattr(self._index, "sort_columns"):  # a sharded result: keys read from the shard indexes
            columns = self._index.sort_columns(ts, te, keys)
        else:
            columns = sort_columns(self._index, ts, te, keys)
        frame = pd.DataFrame(columns)
        frame["_order"] = rows
        order = frame.sort_values(list(columns) + ["_order"], kind="stable").index.to_numpy()
        df = self.df.iloc[order].reset_index(drop=True)
        return Kwic(df=df, params={**self.params, "sort": list(keys)}, _index=self._index)

    def to_csv(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write the table as CSV (UTF-8)."""
        self.df[list(KWIC_COLUMNS)].to_csv(path, index=False, **kwargs)

    def to_parquet(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write the table as Parquet."""
        self.df[list(KWIC_COLUMNS)].to_parquet(path, index=False, **kwargs)

    def plot_dispersion(self, *, by: Literal["doc", "date"] = "doc", ax: Axes | None = None) -> Axes:
        """Dispersion plot of the hits (see :func:`mediamon.plot.plot_dispersion`)."""
        from .plot import plot_dispersion

        return plot_dispersion(self, by=by, ax=ax)

    def to_text(self, *, width: int = 40, max_rows: int | None = None) -> str:
        """An aligned plain-text concordance (left context right-aligned), for terminals."""
        lines = []
        df = self.df if max_rows is None else self.df.head(max_rows)
        for left, match, right in zip(df["left"], df["match"], df["right"]):
            lines.append(f"{_clip_left(left, width):>{width}}  {_flat(match)}  {_clip_right(right, width)}")
        return "\n".join(lines)

    def _repr_html_(self, max_rows: int = 50) -> str:
        return render_html(self, max_rows=max_rows)


def _parse_key(key: str) -> tuple[int | None, str | None]:
    """``(n, "L"|"R")`` for an ``nL``/``nR`` sort key, ``(None, None)`` for the match itself."""
    m = _SORT_KEY.match(key.strip())
    if not m:
        raise InputError(f"Kwic.sort(): key {key!r} is invalid; use 'K' or 'nL'/'nR' such as '1L', '2R'.")
    if m.group(1) is None:
        return None, None
    n = int(m.group(1))
    if n < 1:
        raise InputError(f"Kwic.sort(): key {key!r}: positions count from 1.")
    return n, m.group(2).upper()


def sort_columns(ix: TokenIndex, ts: np.ndarray, te: np.ndarray, keys: Sequence[str]) -> dict[str, np.ndarray]:
    """The sort key columns of :meth:`Kwic.sort` for hits ``[ts, te)`` of index *ix*: the matching
    form at each key's position ("" outside the hit's document)."""
    vocab = np.asarray(ix.vocab + [""], dtype=object)
    empty = len(ix.vocab)
    doc = ix.doc[ts] if ts.size else np.zeros(0, np.int32)
    columns: dict[str, np.ndarray] = {}
    for key in keys:
        n, side = _parse_key(key)
        if n is None:
            columns[key] = np.asarray([" ".join(vocab[ix.ids[a:b]]) for a, b in zip(ts, te)], dtype=object)
            continue
        pos = ts - n if side == "L" else te - 1 + n
        inside = (pos >= 0) & (pos < ix.n_tokens)
        safe = np.where(inside, pos, 0)
        inside &= ix.doc[safe] == doc
        columns[key] = vocab[np.where(inside, ix.ids[safe], empty)]
    return columns


def _flat(text: object) -> str:
    return re.sub(_SPACES, " ", str(text)) if isinstance(text, str) else ""


def _clip_left(text: str, width: int) -> str:
    text = _flat(text)
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def _clip_right(text: str, width: int) -> str:
    text = _flat(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def render_html(kw: Kwic, *, max_rows: int = 50) -> str:
    """Aligned, escaped concordance table: each piece of article text is escaped on its own."""
    df = kw.df.head(max_rows)
    rows = []
    for doc_id, title, url, date, left, match, right in zip(
        df["doc_id"], df["title"], df.get("url", pd.Series([None] * len(df))), df["date"],
        df["left"], df["match"], df["right"],
    ):
        label = title if isinstance(title, str) and title.strip() else doc_id
        when = "" if pd.isna(date) else f"{pd.Timestamp(date):%Y-%m-%d}"
        rows.append(
            "<tr>"
            f'<td class="mm-doc">{display.link(display.truncate(label, 60), url)}</td>'
            f"<td>{display.esc(when)}</td>"
            f'<td class="mm-left">{display.bdi(left)}</td>'
            f'<td class="mm-match"><mark>{display.bdi(match)}</mark></td>'
            f'<td class="mm-right">{display.bdi(right)}</td>'
            "</tr>"
        )
    more = f'<div class="mm-more">… {len(kw.df) - max_rows:,} more hits</div>' if len(kw.df) > max_rows else ""
    pattern = kw.params.get("pattern")
    cap = display.caption(f"KWIC {pattern!s}: {len(kw.df):,} hits in {kw.df['doc_id'].nunique():,} documents")
    return (
        f'{display.STYLE}{cap}<table class="mm-table mm-kwic"><thead><tr><th>document</th><th>date</th>'
        f'<th class="mm-left">left</th><th>match</th><th>right</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


def _window(window: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(window, (int, np.integer)):
        left = right = int(window)
    elif isinstance(window, Sequence) and len(window) == 2:
        left, right = (int(w) for w in window)
    else:
        raise InputError(f"kwic(): window={window!r} is invalid; give tokens as an int or (left, right).")
    if left < 0 or right < 0:
        raise InputError(f"kwic(): window={window!r} must not be negative.")
    return left, right


def _case_filter(
    ix: TokenIndex, texts: np.ndarray, starts: np.ndarray, ends: np.ndarray, pattern: str, match: Match
) -> np.ndarray:
    """Keep hits whose original tokens match *pattern* case-sensitively (per hit, not per token)."""
    from .text import tokenize

    if match == "fixed":
        wanted = [s for _, _, s in tokenize(pattern)]
        regexes = [re.compile(re.escape(w)) for w in wanted]
    else:
        import fnmatch

        parts = pattern.split()
        regexes = [re.compile(fnmatch.translate(p) if match == "glob" else p) for p in parts]
    keep = np.ones(starts.size, dtype=bool)
    for k, rx in enumerate(regexes):
        pos = starts + k
        doc = ix.doc[pos]
        keep &= np.fromiter(
            (rx.fullmatch(texts[d][a:b]) is not None for d, a, b in zip(doc, ix.start[pos], ix.end[pos])),
            dtype=bool,
            count=starts.size,
        )
    return keep


@accepts_store
def kwic(
    corpus: Corpus,
    pattern: str | Sequence[str] | Actor,
    *,
    match: Match = "fixed",
    window: int | tuple[int, int] = 5,
    ignore_case: bool = True,
    actors: ActorSet | str | os.PathLike[str] | None = None,
    clip: Literal["document", "sentence"] = "document",
) -> Kwic:
    """Every hit of *pattern* with *window* tokens of context on each side.

    Parameters
    ----------
    corpus
        The corpus; its token index is built on first use and cached.
    pattern
        A word ("Putin"), a phrase ("Islamic Republic"), a list of them, an :class:`Actor`, or an
        actor id when *actors* is given (all the actor's aliases, longest match first).
    match
        ``"fixed"`` (literal tokens; regex metacharacters mean themselves), ``"glob"`` (``*``,
        ``?``, ``[...]`` per token, e.g. "Putin*", "*stan") or ``"regex"`` (Python regex matched
        against whole vocabulary forms).
    window
        Context in tokens: an int for both sides or ``(left, right)``.
    ignore_case
        Match case-insensitively (on the matching form). ``False`` also requires the original text
        to match the pattern's case.
    actors
        An actor list used to resolve *pattern* when it is an actor id.
    clip
        ``"document"``: context stops at the document's edges (always); ``"sentence"``: also at the
        edges of the hit's sentence.

    Returns
    -------
    Kwic
        ``.df`` with columns doc_id, date, source, title, left, match, right, token_start,
        token_end, char_start, char_end, pattern.
    """
    return _kwic(corpus, pattern, match=match, window=window, ignore_case=ignore_case, actors=actors, clip=clip)


def _kwic(
    corpus: Corpus,
    pattern: str | Sequence[str] | Actor,
    *,
    match: Match = "fixed",
    window: int | tuple[int, int] = 5,
    ignore_case: bool = True,
    actors: ActorSet | str | os.PathLike[str] | None = None,
    clip: Literal["document", "sentence"] = "document",
    keep_doc: np.ndarray | None = None,
) -> Kwic:
    """:func:`kwic`, keeping only the hits in documents where *keep_doc* is true (for a shard of a
    store's view: the other documents' texts need not be read)."""
    if match not in ("fixed", "glob", "regex"):
        raise one_of("kwic()", "match", match, ["fixed", "glob", "regex"])
    if clip not in ("document", "sentence"):
        raise one_of("kwic()", "clip", clip, ["document", "sentence"])
    left_n, right_n = _window(window)
    ix = build_index(corpus)
    texts = corpus.column_values("text")

    actor: Actor | None = pattern if isinstance(pattern, Actor) else None
    if actor is None and actors is not None and isinstance(pattern, str):
        actor_set = resolve_actors(actors)
        if pattern in actor_set:
            actor = actor_set[pattern]
    if actor is not None:
        spans = [alias_spans(ix, corpus, alias) for alias in actor.aliases]
        starts = np.concatenate([s for s, _ in spans]) if spans else np.zeros(0, np.int64)
        ends = np.concatenate([e for _, e in spans]) if spans else np.zeros(0, np.int64)
        keep = longest_matches(starts, ends)
        starts, ends = starts[keep], ends[keep]
        label = actor.id
    else:
        if isinstance(pattern, str):
            patterns = [pattern]
        elif isinstance(pattern, Sequence) and all(isinstance(p, str) for p in pattern) and pattern:
            patterns = list(pattern)
        else:
            raise PatternError(f"kwic(): pattern {pattern!r} is invalid; give a str, a list of str or an Actor.")
        found_s, found_e = [], []
        for p in patterns:
            s, e = ix.find(p, match=match)
            if not ignore_case and s.size:
                ok = _case_filter(ix, texts, s, e, p, match)
                s, e = s[ok], e[ok]
            found_s.append(s)
            found_e.append(e)
        starts, ends = np.concatenate(found_s), np.concatenate(found_e)
        if len(patterns) > 1:
            keep = longest_matches(starts, ends)
            starts, ends = starts[keep], ends[keep]
        label = pattern if isinstance(pattern, str) else " | ".join(patterns)
    if keep_doc is not None and starts.size:  # hits of the selected documents only (a store's view)
        ok = np.asarray(keep_doc, dtype=bool)[ix.doc[starts]]
        starts, ends = starts[ok], ends[ok]
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order].astype(np.int64), ends[order].astype(np.int64)
    df = _rows(ix, corpus, texts, starts, ends, left_n, right_n, clip, str(label))
    params = {
        "pattern": label, "match": match, "window": (left_n, right_n), "ignore_case": ignore_case,
        "clip": clip, "corpus": corpus.fingerprint,
    }  # fmt: skip
    return Kwic(df=df, params=params, _index=ix)


def _slices(texts: np.ndarray, doc: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[str]:
    """``texts[doc][a:b]`` per hit (one string slice per hit: proportional to hits, not tokens)."""
    return [t[x:y] for t, x, y in zip(texts[doc].tolist(), a.tolist(), b.tolist())]


def _pieces(
    texts: np.ndarray, doc: np.ndarray, left: np.ndarray, start: np.ndarray, end: np.ndarray, right: np.ndarray
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Left context, match and right context of every hit as Arrow string arrays.

    One Python slice per hit (the whole window); the window is cut into its three pieces in Arrow,
    from byte offsets computed with numpy, and the contexts are trimmed of outer whitespace.
    """
    n = doc.size
    if n == 0:
        empty = pa.array([], type=pa.string())
        return empty, empty, empty
    joined = "".join(_slices(texts, doc, left, right))
    utf8 = joined.encode("utf-8", "surrogatepass")
    if len(utf8) == len(joined):  # all ASCII: bytes are characters
        byte_at = np.arange(len(joined) + 1, dtype=np.int64)
    else:
        byte_at = utf8_positions(codepoints(joined))
    win_start = np.concatenate(([0], np.cumsum(right - left)))
    cuts = np.empty(3 * n + 1, dtype=np.int64)
    cuts[0:-1:3] = win_start[:-1]
    cuts[1::3] = win_start[:-1] + (start - left)
    cuts[2::3] = win_start[:-1] + (end - left)
    cuts[-1] = win_start[-1]
    pieces = split_utf8(utf8, byte_at[cuts])
    at = np.arange(0, 3 * n, 3)
    left_ctx = pc.utf8_trim_whitespace(pieces.take(at))
    match = pieces.take(at + 1)
    right_ctx = pc.utf8_trim_whitespace(pieces.take(at + 2))
    return left_ctx, match, right_ctx


def _rows(
    ix: TokenIndex,
    corpus: Corpus,
    texts: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    left_n: int,
    right_n: int,
    clip: str,
    pattern: str,
) -> pd.DataFrame:
    """The concordance table of token spans (one string slice per piece; the rest in Arrow)."""
    doc = ix.doc[starts].astype(np.int64) if starts.size else np.zeros(0, np.int64)
    lo = ix.doc_offsets[doc]
    hi = ix.doc_offsets[doc + 1]
    if clip == "sentence" and starts.size:
        so = ix.sent_offsets
        lo = np.maximum(lo, so[ix.sent[starts]])
        hi = np.minimum(hi, so[ix.sent[ends - 1] + 1])
    left_tok = np.maximum(starts - left_n, lo)
    right_tok = np.minimum(ends + right_n, hi)  # exclusive
    if starts.size:
        char_start = ix.start[starts].astype(np.int64)
        char_end = ix.end[ends - 1].astype(np.int64)
        left_char = np.where(left_tok < starts, ix.start[np.minimum(left_tok, ix.n_tokens - 1)], char_start)
        right_char = np.where(right_tok > ends, ix.end[np.maximum(right_tok - 1, 0)], char_end)
    else:
        char_start = char_end = left_char = right_char = np.zeros(0, np.int64)
    meta = corpus.meta_table.take(pa.array(doc))
    left, match, right = _pieces(texts, doc, left_char, char_start, char_end, right_char)
    table = pa.table(
        {
            "doc_id": meta["doc_id"],
            "date": meta["date"],
            "source": meta["source"],
            "title": meta["title"],
            "left": left,
            "match": match,
            "right": right,
            "token_start": starts,
            "token_end": ends,
            "char_start": char_start,
            "char_end": char_end,
            "pattern": pa.repeat(pa.scalar(pattern, pa.string()), starts.size),
            "url": meta["url"],
        }
    )
    # Arrow-backed string columns: no copy into Python objects for the table.
    return table.to_pandas(types_mapper=_arrow_strings)


def _arrow_strings(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    text_type = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    return pd.ArrowDtype(arrow_type) if text_type else None
