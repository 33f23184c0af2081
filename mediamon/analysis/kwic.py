"""Keyword in context: every hit of a word, phrase, pattern or actor with its left and right context.

Per shard, the pattern is looked up in the token index, hits outside the selected documents are
dropped, and one slice of original text per hit is cut into left context, match and right context
in Arrow (only the texts of documents with hits are read). The shards' rows are concatenated in
shard order, which is corpus order, with global token positions.
"""

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

from .. import display
from ..actors import Actor, ActorSet, resolve_actors
from ..errors import InputError, PatternError
from ..options import Match, check_choice, check_match, check_window_sides, shared_docs
from ..partials import Part, combine
from ..plot import plot_dispersion
from ..results import Result
from ..shards import Layout, Shard, Source, as_source, map_shards, open_shard
from ..text import tokenize
from ..tokenindex import token_mask
from .mentions import actor_spans, longest_matches, metadata

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["KWIC_COLUMNS", "Kwic", "arrow_frame", "kwic"]

KWIC_COLUMNS = (
    "doc_id", "date", "source", "title", "left", "match", "right",
    "token_start", "token_end", "char_start", "char_end", "pattern", "url",
)  # fmt: skip
CLIPS = ("document", "sentence")
#: Metadata columns a concordance can also be sorted by.
META_SORT_KEYS = ("date", "source", "title", "doc_id")
_SORT_KEY = re.compile(r"^(?:(\d+)([LR])|K|0|M)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _parse_key(key: str) -> tuple[int | None, str | None]:
    """``(n, "L"|"R")`` for an ``nL``/``nR`` sort key, ``(None, None)`` for the match itself."""
    m = _SORT_KEY.match(key.strip())
    if not m:
        raise InputError(
            f"Kwic.sort(): key {key!r} is invalid; use 'K', 'nL'/'nR' such as '1L', '2R', or one of "
            f"{list(META_SORT_KEYS)}."
        )
    if m.group(1) is None:
        return None, None
    n = int(m.group(1))
    if n < 1:
        raise InputError(f"Kwic.sort(): key {key!r}: positions count from 1.")
    return n, m.group(2).upper()


def sort_columns(shard: Shard, ts: np.ndarray, te: np.ndarray, keys: Sequence[str]) -> dict[str, np.ndarray]:
    """The sort key columns for hits ``[ts, te)`` (index positions of *shard*): the matching form at
    each key's position ("" outside the hit's document)."""
    ix = shard.index
    vocab = np.asarray(ix.vocab + [""], dtype=object)
    empty = len(ix.vocab)
    doc = np.asarray(ix.doc[ts], dtype=np.int64) if ts.size else np.zeros(0, np.int64)
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


@dataclass(frozen=True, eq=False, repr=False)
class Kwic(Result):
    """A concordance: one row per hit (see :data:`KWIC_COLUMNS`).

    ``char_start``/``char_end`` point into the document's original text and
    ``text[char_start:char_end] == match`` for every row. ``left``/``right`` are the original text
    from the first context token to the match and from the match to the last context token, trimmed
    (line breaks kept; displays show whitespace runs as one space). ``token_start``/``token_end``
    are token positions in the whole corpus.
    """

    layout: Layout | None = field(default=None, repr=False)

    columns = KWIC_COLUMNS
    display_rows = 50

    def caption(self) -> str:
        return (
            f"KWIC {self.params.get('pattern')!s}: {len(self.df):,} hits in "
            f"{self.df['doc_id'].nunique():,} documents"
        )

    def sort(self, *keys: str) -> Kwic:
        """Sort as AntConc does: by the form of the n-th token left or right of the match.

        Keys are ``"1L"`` (the token just left of the match), ``"2L"``, ``"1R"``, ``"2R"``, ...,
        ``"K"`` (the match itself), or a metadata column (``"date"``, ``"source"``, ``"title"``,
        ``"doc_id"``). Forms compare case-insensitively (matching form); a position outside the
        document sorts first; ties keep corpus order.

        >>> import mediamon as mm
        >>> kw = mm.kwic(mm.read_corpus("corpora/seed"), ["Raisi", "Putin"], window=1)
        >>> kw.sort("1R").df["right"].astype(str).tolist()[:3]  # ' and ’ have one matching form
        ["'s", '’s', '’s']
        """
        keys = keys or ("1R",)
        token_keys = [k for k in keys if k not in META_SORT_KEYS]
        for key in token_keys:
            _parse_key(key)
        if token_keys and self.layout is None:
            raise InputError("Kwic.sort(): this concordance has no corpus attached (it was read from a file).")
        n = len(self.df)
        columns: dict[str, Any] = {}
        if token_keys:
            ts = self.df["token_start"].to_numpy(dtype=np.int64)
            te = self.df["token_end"].to_numpy(dtype=np.int64)
            found = {key: np.full(n, "", dtype=object) for key in token_keys}
            for shard, sel, local in self.layout.by_tokens(ts) if n else ():
                cols = sort_columns(shard, local, local + (te[sel] - ts[sel]), token_keys)
                for key in token_keys:
                    found[key][sel] = cols[key]
        for key in keys:
            if key in META_SORT_KEYS:
                columns[key] = self.df[key].to_numpy()
            else:
                columns[key] = found[key]
        frame = pd.DataFrame(columns)
        frame["_order"] = np.arange(n)
        order = frame.sort_values([*columns, "_order"], kind="stable", na_position="first").index.to_numpy()
        df = self.df.iloc[order].reset_index(drop=True)
        return Kwic(df=df, params={**self.params, "sort": list(keys)}, layout=self.layout)

    def sample(self, n: int, *, seed: int = 0) -> Kwic:
        """*n* rows drawn reproducibly (``seed``), kept in this concordance's order (all rows when
        there are fewer)."""
        if n >= len(self.df):
            return self
        picked = self.df.sample(n, random_state=seed).index.sort_values()
        return Kwic(df=self.df.loc[picked].reset_index(drop=True), params={**self.params, "sample": (n, seed)},
                    layout=self.layout)  # fmt: skip

    def plot_dispersion(self, *, by: Literal["doc", "date"] = "doc", ax: Axes | None = None) -> Axes:
        """Dispersion plot of the hits (see :func:`mediamon.plot.plot_dispersion`)."""
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


def _flat(text: object) -> str:
    return _SPACES.sub(" ", str(text)) if isinstance(text, str) else ""


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
    urls = df["url"] if "url" in df.columns else pd.Series([None] * len(df))
    for doc_id, title, url, date, left, match, right in zip(
        df["doc_id"], df["title"], urls, df["date"], df["left"], df["match"], df["right"]
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
    return (
        f'{display.STYLE}{display.caption(kw.caption())}<table class="mm-table mm-kwic"><thead><tr>'
        f'<th>document</th><th>date</th><th class="mm-left">left</th><th>match</th><th>right</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


# ---------------------------------------------------------------------------------------------
# per shard
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    """What a concordance looks for: an actor (all its aliases) or patterns, and how."""

    actor: Actor | None
    patterns: tuple[str, ...]
    match: Match
    ignore_case: bool
    label: str


def _case_filter(shard: Shard, starts: np.ndarray, pattern: str, match: Match) -> np.ndarray:
    """Keep hits whose original tokens match *pattern* case-sensitively (per hit, not per token).

    Each token of the pattern meets the original text of its token in every hit through
    :func:`~mediamon.tokenindex.token_mask` (RE2: linear time, whatever the pattern)."""
    ix = shard.index
    tokens = [w for _, _, w in tokenize(pattern)] if match == "fixed" else pattern.split()
    keep = np.ones(starts.size, dtype=bool)
    for k, token in enumerate(tokens):
        pos = starts + k
        surfaces = shard.slices(ix.doc[pos], ix.start[pos], ix.end[pos])
        keep &= token_mask(surfaces, token, match=match, ignore_case=False, call="kwic()")
    return keep


def find_hits(shard: Shard, query: Query) -> tuple[np.ndarray, np.ndarray]:
    """Index spans of the query's hits in the shard's selected documents, in corpus order."""
    ix = shard.index
    if query.actor is not None:
        starts, ends = actor_spans(shard, query.actor)
    else:
        found_s, found_e = [], []
        for p in query.patterns:
            s, e = ix.find(p, match=query.match)
            if s.size and not shard.all:
                ok = shard.keep[ix.doc[s]]
                s, e = s[ok], e[ok]
            if not query.ignore_case and s.size:
                ok = _case_filter(shard, s, p, query.match)
                s, e = s[ok], e[ok]
            found_s.append(np.asarray(s, np.int64))
            found_e.append(np.asarray(e, np.int64))
        starts, ends = np.concatenate(found_s), np.concatenate(found_e)
        if len(query.patterns) == 1:
            return starts, ends  # one pattern's hits come sorted from the index (postings are)
        keep = longest_matches(starts, ends)
        starts, ends = starts[keep], ends[keep]
    order = np.argsort(starts, kind="stable")
    return starts[order].astype(np.int64), ends[order].astype(np.int64)


def kwic_rows(
    shard: Shard, starts: np.ndarray, ends: np.ndarray, window: tuple[int, int], clip: str, label: str
) -> pa.Table:
    """The concordance rows of index spans ``[starts, ends)`` (selection-local token positions)."""
    ix = shard.index
    left_n, right_n = window
    doc = np.asarray(ix.doc[starts], dtype=np.int64) if starts.size else np.zeros(0, np.int64)
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
    meta = metadata(shard, doc)
    left, match, right = shard.pieces(doc, left_char, char_start, char_end, right_char)
    left, right = pc.utf8_trim_whitespace(left), pc.utf8_trim_whitespace(right)
    return pa.table(
        {
            "doc_id": meta["doc_id"],
            "date": meta["date"],
            "source": meta["source"],
            "title": meta["title"],
            "left": left,
            "match": match,
            "right": right,
            "token_start": shard.local_tokens(starts, doc),
            "token_end": shard.local_tokens(ends, doc),
            "char_start": char_start,
            "char_end": char_end,
            "pattern": pa.repeat(pa.scalar(label, pa.string()), starts.size),
            "url": meta["url"],
        }
    )


def task_kwic(source: Source, i: int, query: Query, window: tuple[int, int], clip: str) -> Part:
    """Per-shard step of :func:`kwic`."""
    shard = open_shard(source, i)
    starts, ends = find_hits(shard, query)
    rows = kwic_rows(shard, starts, ends, window, clip, query.label)
    return Part(sizes=shard.sizes, tables={"kwic": rows},
                numbering={"kwic": {"token_start": "tokens", "token_end": "tokens"}}, shards=(shard.sizes,))  # fmt: skip


def make_query(
    pattern: str | Sequence[str] | Actor,
    *,
    match: Match,
    ignore_case: bool,
    actors: ActorSet | str | os.PathLike[str] | None,
    call: str,
) -> Query:
    """Resolve a pattern argument: an Actor, an actor id of *actors*, a word/phrase, or a list."""
    check_match(match, call)
    actor = pattern if isinstance(pattern, Actor) else None
    if actor is None and actors is not None and isinstance(pattern, str):
        actor_set = resolve_actors(actors)
        if pattern in actor_set:
            actor = actor_set[pattern]
    if actor is not None:
        return Query(actor, (), match, ignore_case, actor.id)
    if isinstance(pattern, str):
        patterns = [pattern]
    elif isinstance(pattern, Sequence) and pattern and all(isinstance(p, str) for p in pattern):
        patterns = list(pattern)
    else:
        raise PatternError(f"{call}: pattern {pattern!r} is invalid; give a str, a list of str or an Actor.")
    label = pattern if isinstance(pattern, str) else " | ".join(patterns)
    return Query(None, tuple(patterns), match, ignore_case, label)


@shared_docs
def kwic(
    corpus: Source | str | os.PathLike[str],
    pattern: str | Sequence[str] | Actor,
    *,
    match: Match = "fixed",
    window: int | tuple[int, int] = 5,
    ignore_case: bool = True,
    actors: ActorSet | str | os.PathLike[str] | None = None,
    clip: Literal["document", "sentence"] = "document",
    executor: object = None,
) -> Kwic:
    """Every hit of *pattern* with *window* tokens of context on each side.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either; the token index is built on first use.
    pattern
        A word ("Putin"), a phrase ("Islamic Republic"), a list of them, an :class:`Actor`, or an
        actor id when *actors* is given (all the actor's aliases, longest match first).
    {match}
    {window_sides}
    ignore_case
        Match case-insensitively (on the matching form). ``False`` also requires the original text
        to match the pattern's case.
    actors
        An actor list used to resolve *pattern* when it is an actor id.
    clip
        ``"document"``: context stops at the document's edges (always); ``"sentence"``: also at the
        edges of the hit's sentence.
    {executor}

    Returns
    -------
    Kwic
        ``.df`` with columns doc_id, date, source, title, left, match, right, token_start,
        token_end, char_start, char_end, pattern, url.

    Examples
    --------
    >>> import mediamon as mm
    >>> kw = mm.kwic(mm.read_corpus("corpora/seed"), "Minnikhanov", window=3)
    >>> len(kw), kw.df["match"].astype(str).tolist()
    (2, ['Minnikhanov', 'Minnikhanov'])
    """
    call = "kwic()"
    source = as_source(corpus, call)
    query = make_query(pattern, match=match, ignore_case=ignore_case, actors=actors, call=call)
    sides = check_window_sides(window, call, allow_empty=True)
    check_choice(clip, "clip", CLIPS, call)
    part = combine(map_shards(source, task_kwic, (query, sides, clip), executor=executor))
    df = arrow_frame(part.tables["kwic"])
    params = {
        "call": "kwic", "pattern": query.label, "match": match, "window": sides, "ignore_case": ignore_case,
        "clip": clip, "corpus": source.fingerprint,
    }  # fmt: skip
    return Kwic(df=df, params=params, layout=Layout.of(source, part))


def _arrow_strings(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    text_type = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    return pd.ArrowDtype(arrow_type) if text_type else None


_UTC_NS = pd.DatetimeTZDtype("ns", "UTC")


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """``table.to_pandas(types_mapper=_arrow_strings)``, the same frame (values, dtypes, columns,
    index), made from the columns directly.

    Strings stay Arrow (``pd.ArrowDtype``), integers and UTC ``timestamp[ns]`` dates become numpy;
    ``to_pandas`` would spend about 0.3 ms per call on its generic conversion (schema metadata,
    type mapping, block building), which a concordance of a rare word pays on every query. A table
    holding any other type (or a null number) is left to ``to_pandas``.
    """
    columns: dict[str, Any] = {}
    for name, col in zip(table.column_names, table.columns):
        kind = col.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            columns[name] = pd.arrays.ArrowExtensionArray(col)
        elif pa.types.is_int64(kind) and not col.null_count:
            values = col.to_numpy()
            columns[name] = values if values.flags.writeable else values.copy()  # to_pandas hands out writable arrays
        elif pa.types.is_timestamp(kind) and kind.unit == "ns" and kind.tz == "UTC":
            columns[name] = _UTC_NS.__from_arrow__(col)  # pandas' own Arrow conversion of the type
        else:
            return table.to_pandas(types_mapper=_arrow_strings)
    if len(set(columns)) != table.num_columns or not columns:
        return table.to_pandas(types_mapper=_arrow_strings)  # duplicate names, or no columns: pandas decides
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)
