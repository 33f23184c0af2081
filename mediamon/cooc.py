"""Who appears with whom: actor co-occurrence (:func:`cooccurrence`) and word collocates
(:func:`collocates`).

Both count on the corpus's :class:`~mediamon.index.TokenIndex` with numpy and ``scipy.sparse``;
no Python loop runs over tokens, sentences or mentions. Scores come from :mod:`mediamon.assoc`.

Co-occurrence units
    ``unit="sentence"`` (the default), ``"paragraph"`` or ``"document"``: a unit *contains* an actor
    when at least one mention of it lies in the unit. ``n_ab`` is the number of units containing
    both, ``n_a`` and ``n_b`` the units containing each, ``n`` all units of the corpus (also those
    without any mention). All pairs come from one sparse product ``X.T @ X`` of the boolean
    units × actors incidence matrix ``X``.

    ``window=N``: the units are *co-mention events*: pairs of mentions of two different actors in one
    document whose distance is at most ``N`` tokens, the distance being the number of tokens from
    the last token of the earlier mention to the first token of the later one (adjacent mentions
    are 1 apart; "Putin met Raisi" puts them 2 apart). ``n_ab`` is the number of such events between
    *a* and *b*, ``n_a = Σ_x n_ax`` the events involving *a* (its weighted degree), ``n`` all events.
    This keeps the 2×2 table valid (``n_ab <= min(n_a, n_b)``) and makes every count a number of
    evidence rows.

Deduplication
    ``dedupe=True`` counts each identical article once: two documents are duplicates when the
    sequences of *normalised* tokens of their indexed text (the body between ``body_start`` and
    ``body_end``, so datelines, editor codes and licence lines are ignored; case, Unicode form,
    quotes and whitespace do not matter) are identical, compared through a BLAKE2b digest of the
    token-id sequence. The first document in corpus order is kept; the others are listed in
    ``Cooc.duplicates`` with the ``doc_id`` they duplicate, and their units leave ``n`` too.

Collocate table
    :func:`collocates` uses the quanteda/AntConc window table: ``n_ab`` = occurrences of the
    collocate inside the node's windows (a token inside the windows of two node hits counts twice),
    ``n_a`` = node frequency (hits), ``n_b`` = collocate frequency in the corpus, ``n`` = tokens in
    the corpus (punctuation included; punctuation and stopwords are only excluded as candidates).
    Such tables can have ``n_ab > n_a``; they are scored as given (``assoc`` with ``check=False``),
    exactly as NLTK's ``BigramCollocationFinder`` does.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import assoc, display
from .errors import InputError, NotFoundError, one_of
from .routing import accepts_store

if TYPE_CHECKING:
    import networkx as nx

    from .corpus import Corpus
    from .tokenindex import TokenIndex

log = logging.getLogger(__name__)

__all__ = ["Cooc", "Collocates", "Evidence", "collocates", "cooccurrence", "word_pairs"]

Unit = Literal["sentence", "paragraph", "document"]
UNITS: tuple[str, ...] = ("sentence", "paragraph", "document")
MEASURE_COLUMNS: tuple[str, ...] = assoc.SCORES

#: Columns of :attr:`Cooc.df`.
COOC_COLUMNS: tuple[str, ...] = ("a", "b", "n_ab", "n_a", "n_b", "n", "expected", *assoc.SCORES)

#: Columns of :attr:`Collocates.df`.
COLLOCATE_COLUMNS: tuple[str, ...] = (
    "collocate", "n_ab", "left", "right", "n_a", "n_b", "n", "expected", *assoc.SCORES
)  # fmt: skip

#: Columns of :attr:`Evidence.df`.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "doc_id", "date", "source", "unit", "sentence", "paragraph", "char_start", "char_end",
    "left", "first", "middle", "second", "right", "first_actor", "second_actor",
    "first_start", "first_end", "second_start", "second_end",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------
def _index(corpus: Corpus) -> TokenIndex:
    from .tokenindex import index

    return index(corpus)


def _mentions_df(corpus: Corpus, actors: Any, call: str) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Mentions table and actor records (id, name, kind) for an ActorSet, a path or a Mentions."""
    from . import actors as actors_mod

    if hasattr(actors, "df") and {"actor", "token_start", "sentence"} <= set(actors.df.columns):
        m = actors.df
        actor_set = getattr(actors, "actors", None)
        if actor_set is None:
            ids = list(getattr(actors, "params", {}).get("actors") or [])
            actor_set = [type("A", (), {"id": i, "name": i, "kind": None})() for i in ids]
    else:
        if actors is None:
            raise InputError(
                f"{call}: actors=None; pass an ActorSet (mediamon.read_actors('corpora/actors.yaml')), "
                "a path to an actors YAML file or a Mentions result."
            )
        actors = actors_mod.resolve_actors(actors)
        actor_set = actors
        m = actors_mod.mentions(corpus, actors).df
    records: list[dict[str, Any]] = []
    if actor_set is not None:
        for a in actor_set:
            records.append({"id": str(a.id), "name": getattr(a, "name", a.id), "kind": getattr(a, "kind", None)})
    seen = {r["id"] for r in records}
    for a in pd.unique(m["actor"].astype(str)):
        if a not in seen:
            records.append({"id": a, "name": a, "kind": None})
            seen.add(a)
    return m, records


def _duplicate_rows(corpus: Corpus, idx: TokenIndex) -> tuple[np.ndarray, pd.DataFrame]:
    """Boolean keep-mask over documents and the table of dropped duplicates.

    Two documents are duplicates when their normalised token-id sequences are identical (BLAKE2b
    digest of the int32 ids); the first in corpus order is kept.
    """
    n_docs = len(corpus.docs)
    offsets = idx.doc_offsets
    ids = np.ascontiguousarray(idx.ids, dtype=np.int32)
    digests = [
        hashlib.blake2b(ids[offsets[d] : offsets[d + 1]].tobytes(), digest_size=16).digest()
        for d in range(n_docs)
    ]
    keys = pd.Series(digests)
    first_row = keys.groupby(keys, sort=False).transform(lambda s: s.index[0]).to_numpy()
    rows = np.arange(n_docs)
    keep = first_row == rows
    dropped = np.flatnonzero(~keep)
    doc_ids = corpus.docs["doc_id"].to_numpy()
    dups = pd.DataFrame(
        {"doc_id": doc_ids[dropped], "duplicate_of": doc_ids[first_row[dropped]]}
    )
    return keep, dups


def _unit_spans(idx: TokenIndex, unit: str, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last token position of each given unit id."""
    if unit == "sentence":
        off = idx.sent_offsets
        return off[units], off[units + 1] - 1
    if unit == "paragraph":
        arr = idx.para
    else:
        arr = idx.doc
    first = np.searchsorted(arr, units, side="left")
    last = np.searchsorted(arr, units, side="right") - 1
    return first.astype(np.int64), last.astype(np.int64)


def _clip_left(s: str, width: int | None) -> str:
    s = " ".join(s.split())
    return s if width is None or len(s) <= width else "…" + s[len(s) - width + 1 :]


def _clip_right(s: str, width: int | None) -> str:
    s = " ".join(s.split())
    return s if width is None or len(s) <= width else s[: width - 1] + "…"


def _clip_middle(s: str, width: int | None) -> str:
    s = " ".join(s.split())
    if width is None or len(s) <= 2 * width:
        return s
    return s[:width] + " … " + s[len(s) - width :]


# ---------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Evidence:
    """The units behind one co-occurrence count, one KWIC-style row per unit.

    ``df`` columns: ``doc_id``, ``date``, ``source``, ``unit`` (the unit id: global sentence,
    paragraph or document row, or the event number for windows), ``sentence``/``paragraph`` (global
    ids of the first mention's sentence and paragraph), ``char_start``/``char_end`` (the unit's span
    in the original text), ``left`` · ``first`` · ``middle`` · ``second`` · ``right`` (the unit's
    text cut at the first mention of each actor, in text order; whitespace collapsed, long context
    shortened with "…"), ``first_actor``/``second_actor`` and the character offsets of both
    mentions (``first_start`` ... ``second_end``) into the original document text.
    """

    df: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.df)

    def __repr__(self) -> str:
        p = self.params
        return f"<Evidence {p.get('a')!r}–{p.get('b')!r}: {len(self.df):,} units ({p.get('unit')})>"

    def _repr_html_(self) -> str:
        p = self.params
        cap = display.caption(
            f"Evidence for {p.get('a')} – {p.get('b')}: {len(self.df):,} {p.get('unit')} units"
        )
        cols = ["doc_id", "date", "source", "unit", "left", "first", "middle", "second", "right"]
        mark = lambda v: f"<mark>{display.bdi(v)}</mark>"  # noqa: E731
        body = display.table(
            self.df[cols], css_class="mm-table mm-kwic", formatters={"first": mark, "second": mark}
        )
        return display.join([cap, body])

    def to_csv(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write ``df`` as CSV (UTF-8, no index)."""
        self.df.to_csv(path, index=False, **kwargs)

    def to_parquet(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write ``df`` as Parquet."""
        self.df.to_parquet(path, index=False, **kwargs)


# ---------------------------------------------------------------------------------------------
# Cooc
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Cooc:
    """Actor co-occurrence counts with association scores.

    Attributes
    ----------
    df
        One row per unordered actor pair (``a < b`` by id) with ``n_ab >= min_count``, sorted by
        ``n_ab`` descending: ``a``, ``b``, ``n_ab``, ``n_a``, ``n_b``, ``n``, ``expected`` and the
        measures ``pmi``, ``npmi``, ``llr``, ``chi2``, ``dice``, ``log_dice``, ``jaccard``,
        ``t_score``, ``mi3`` (definitions in :mod:`mediamon.assoc`).
    params
        The call: unit, window, min_count, dedupe, counts of documents and duplicates.
    actors
        One row per actor: ``id``, ``name``, ``kind``, ``n`` (units containing it; events for
        windows), ``mentions`` (its mention rows used).
    counts
        ``k × k`` int64 array over ``actors.id``: ``n_ab`` off the diagonal, ``n_a`` on it.
    n
        The number of units.
    duplicates
        Documents left out by ``dedupe=True``: ``doc_id``, ``duplicate_of``.
    """

    df: pd.DataFrame
    params: dict[str, Any]
    actors: pd.DataFrame
    counts: np.ndarray
    n: int
    duplicates: pd.DataFrame
    mentions: pd.DataFrame = field(repr=False)
    events: pd.DataFrame | None = field(default=None, repr=False)
    corpus: Any = field(default=None, repr=False)

    # -- display ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        p = self.params
        what = f"window={p['window']}" if p.get("window") else f"unit={p['unit']}"
        return f"<Cooc {what}: {len(self.df):,} pairs of {len(self.actors):,} actors, n={self.n:,}>"

    def _repr_html_(self) -> str:
        p = self.params
        what = f"co-mentions within {p['window']} tokens" if p.get("window") else f"{p['unit']}s"
        cap = display.caption(
            f"Co-occurrence ({what}): {len(self.df):,} pairs, n = {self.n:,} units"
            + (f", {len(self.duplicates):,} duplicate documents left out" if p.get("dedupe") else "")
        )
        return display.join([cap, display.table(self.df)])

    def to_csv(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write ``df`` as CSV (UTF-8, no index)."""
        self.df.to_csv(path, index=False, **kwargs)

    def to_parquet(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write ``df`` as Parquet."""
        self.df.to_parquet(path, index=False, **kwargs)

    # -- views --------------------------------------------------------------------------------
    def matrix(self, measure: str = "n_ab", *, all_actors: bool = False) -> pd.DataFrame:
        """Square actor × actor table of a count or measure.

        Parameters
        ----------
        measure
            ``"n_ab"`` (units with both; the diagonal holds ``n_a``, units with the actor) or any
            name in :data:`mediamon.assoc.MEASURES` (diagonal ``nan``).
        all_actors
            Keep actors that were never mentioned (default: only those with ``n_a > 0``).
        """
        ids = self.actors["id"].to_numpy()
        c = self.counts.astype(np.float64)
        keep = np.ones(len(ids), bool) if all_actors else np.diag(c) > 0
        ids, c = ids[keep], c[np.ix_(keep, keep)]
        if measure == "n_ab":
            out = self.counts[np.ix_(keep, keep)]
            return pd.DataFrame(out, index=pd.Index(ids, name="a"), columns=pd.Index(ids, name="b"))
        if measure not in assoc.MEASURES:
            raise one_of("Cooc.matrix()", "measure", measure, ["n_ab", *assoc.MEASURES])
        diag = np.diag(c)
        vals = assoc.score(measure, c, diag[:, None], diag[None, :], float(self.n), check=False)
        vals = np.array(vals, dtype=np.float64)
        np.fill_diagonal(vals, np.nan)
        return pd.DataFrame(vals, index=pd.Index(ids, name="a"), columns=pd.Index(ids, name="b"))

    def graph(self, measure: str = "npmi", *, min_count: int | None = None) -> nx.Graph:
        """The co-occurrence network: actors as nodes, pairs with ``n_ab >= min_count`` as edges.

        Nodes carry ``name``, ``kind`` and ``n`` (units with the actor); edges carry every column
        of :attr:`df` (``n_ab``, ``n_a``, ``n_b``, ``n``, ``expected`` and the measures) plus
        ``weight`` = the chosen *measure* (or ``n_ab``). Values are plain Python numbers, so the
        graph writes to GEXF and GraphML as is.
        """
        import networkx as nx

        if measure != "n_ab" and measure not in assoc.MEASURES:
            raise one_of("Cooc.graph()", "measure", measure, ["n_ab", *assoc.MEASURES])
        threshold = self.params["min_count"] if min_count is None else int(min_count)
        g = nx.Graph(measure=measure, unit=str(self.params.get("unit")), n=int(self.n))
        for row in self.actors.itertuples(index=False):
            if row.n > 0:
                g.add_node(row.id, name=str(row.name), kind=str(row.kind or ""), n=int(row.n))
        df = self.df[self.df["n_ab"] >= threshold]
        for rec in df.to_dict("records"):
            attrs = {k: _plain(v) for k, v in rec.items() if k not in ("a", "b")}
            attrs["weight"] = _plain(rec[measure])
            g.add_edge(rec["a"], rec["b"], **attrs)
        return g

    def write_gexf(
        self, path: str | os.PathLike[str], *, measure: str = "npmi", min_count: int | None = None
    ) -> None:
        """Write :meth:`graph` as GEXF for Gephi."""
        import networkx as nx

        nx.write_gexf(self.graph(measure, min_count=min_count), os.fspath(path))

    def write_graphml(
        self, path: str | os.PathLike[str], *, measure: str = "npmi", min_count: int | None = None
    ) -> None:
        """Write :meth:`graph` as GraphML (Gephi, Cytoscape, igraph)."""
        import networkx as nx

        nx.write_graphml(self.graph(measure, min_count=min_count), os.fspath(path))

    # -- evidence -----------------------------------------------------------------------------
    def evidence(self, a: str, b: str, *, limit: int | None = None, width: int | None = 120) -> Evidence:
        """The units behind ``n_ab`` for one pair, as KWIC-style rows (one row per unit).

        ``len(cooc.evidence(a, b)) == n_ab`` for every pair (unless *limit* cuts it). The row shows
        the unit's text split at the first mention of each actor in it; with ``window=N`` each
        event is one row showing the two mentions. *width* bounds the context in characters.
        """
        ids = set(self.actors["id"])
        for name, value in (("a", a), ("b", b)):
            if value not in ids:
                raise NotFoundError(
                    f"Cooc.evidence(): {name}={value!r} is not an actor of this result; actors are "
                    f"{sorted(ids)[:20]}."
                )
        m = self.mentions
        sharded = hasattr(self.corpus, "doc_texts")  # a sharded result: texts and spans from the shards
        docs = self.corpus.docs if self.corpus is not None and not sharded else None
        if self.params.get("window"):
            ev = self.events
            sel = ((ev["a"] == a) & (ev["b"] == b)) | ((ev["a"] == b) & (ev["b"] == a))
            ev = ev[sel]
            if limit is not None:
                ev = ev.head(limit)
            first = m.iloc[ev["i"].to_numpy()]
            second = m.iloc[ev["j"].to_numpy()]
            unit_ids = ev.index.to_numpy()
            span_start = first["char_start"].to_numpy()
            span_end = second["char_end"].to_numpy()
            extend = True
        else:
            ua = m.loc[m["actor"] == a, "unit"]
            ub = m.loc[m["actor"] == b, "unit"]
            both = np.intersect1d(ua.to_numpy(), ub.to_numpy())
            if limit is not None:
                both = both[:limit]
            sub = m[m["unit"].isin(both) & m["actor"].isin([a, b])]
            sub = sub.sort_values(["unit", "token_start"], kind="stable")
            fa = sub[sub["actor"] == a].drop_duplicates("unit").set_index("unit").loc[both]
            fb = sub[sub["actor"] == b].drop_duplicates("unit").set_index("unit").loc[both]
            a_first = fa["token_start"].to_numpy() <= fb["token_start"].to_numpy()
            first = pd.DataFrame(np.where(a_first[:, None], fa.to_numpy(), fb.to_numpy()), columns=fa.columns)
            second = pd.DataFrame(np.where(a_first[:, None], fb.to_numpy(), fa.to_numpy()), columns=fa.columns)
            unit_ids = both
            if sharded:
                at = first["token_start"].to_numpy(dtype=np.int64)
                span_start, span_end = self.corpus.unit_spans(self.params["unit"], at)
            else:
                idx = _index(self.corpus)
                t0, t1 = _unit_spans(idx, self.params["unit"], both.astype(np.int64))
                span_start = idx.start[t0].astype(np.int64) if len(both) else np.zeros(0, np.int64)
                span_end = idx.end[t1].astype(np.int64) if len(both) else np.zeros(0, np.int64)
            extend = False
        rows = []
        texts = docs["text"].to_numpy() if docs is not None else None
        row_texts = self.corpus.doc_texts(first["token_start"].to_numpy(dtype=np.int64)) if sharded else None
        for k in range(len(unit_ids)):
            f, s = first.iloc[k], second.iloc[k]
            if row_texts is not None:
                text = row_texts[k]
            else:
                text = texts[int(f["doc"])] if texts is not None else ""
            fs, fe, ss, se = (int(f["char_start"]), int(f["char_end"]), int(s["char_start"]), int(s["char_end"]))
            us, ue = int(span_start[k]), int(span_end[k])
            if extend:  # a window event: show context around the two mentions
                us, ue = max(0, fs - (width or 120)), min(len(text), se + (width or 120))
            us, ue = min(us, fs), max(ue, se)
            mid_end = max(fe, min(ss, se))
            rows.append(
                {
                    "doc_id": f["doc_id"],
                    "date": f.get("date"),
                    "source": f.get("source"),
                    "unit": int(unit_ids[k]),
                    "sentence": int(f["sentence"]),
                    "paragraph": int(f["paragraph"]),
                    "char_start": us,
                    "char_end": ue,
                    "left": _clip_left(text[us:fs], width),
                    "first": text[fs:fe],
                    "middle": _clip_middle(text[fe:mid_end], width),
                    "second": text[max(ss, fe):se],
                    "right": _clip_right(text[se:ue], width),
                    "first_actor": f["actor"],
                    "second_actor": s["actor"],
                    "first_start": fs,
                    "first_end": fe,
                    "second_start": ss,
                    "second_end": se,
                }
            )
        df = pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))
        return Evidence(df, {"a": a, "b": b, "unit": self.params.get("unit"), "window": self.params.get("window")})


def _plain(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


# ---------------------------------------------------------------------------------------------
# cooccurrence()
# ---------------------------------------------------------------------------------------------
@accepts_store
def cooccurrence(
    corpus: Corpus,
    actors: Any,
    *,
    unit: Unit = "sentence",
    window: int | None = None,
    min_count: int = 1,
    dedupe: bool = False,
) -> Cooc:
    """Count which actors appear together, and how strongly they are associated.

    Parameters
    ----------
    corpus
        The corpus; its token index is built or loaded on first use.
    actors
        An :class:`~mediamon.actors.ActorSet`, the path of an actors YAML file, or a precomputed
        :class:`~mediamon.actors.Mentions` result of this corpus.
    unit
        ``"sentence"``, ``"paragraph"`` or ``"document"``: the unit in which two actors count as
        co-occurring (ignored when *window* is given).
    window
        Count co-mention events instead: two mentions of different actors at most *window* tokens
        apart inside one document (see the module docstring for the table this implies).
    min_count
        Keep pairs with ``n_ab >= min_count`` in :attr:`Cooc.df` (``0`` lists every pair).
    dedupe
        Count each identical article once (module docstring: how duplicates are detected).

    Returns
    -------
    Cooc
        ``df`` with ``a, b, n_ab, n_a, n_b, n, expected, pmi, npmi, llr, chi2, dice, log_dice,
        jaccard, t_score, mi3`` (each measure defined in :mod:`mediamon.assoc`); use
        :meth:`Cooc.evidence` to see the units behind a count.

    Examples
    --------
    >>> import mediamon as mm                                         # doctest: +SKIP
    >>> c = mm.read_corpus("corpora/seed")                            # doctest: +SKIP
    >>> mm.cooccurrence(c, "corpora/actors.yaml").df[["a", "b", "n_ab"]].head(3)  # doctest: +SKIP
    """
    call = "cooccurrence()"
    if window is None and unit not in UNITS:
        raise one_of(call, "unit", unit, UNITS)
    if window is not None:
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
            raise InputError(f"{call}: window={window!r} is invalid; pass a number of tokens >= 1.")
        window = int(window)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise InputError(f"{call}: min_count={min_count!r} is invalid; pass an integer >= 0.")

    idx = _index(corpus)
    m, records = _mentions_df(corpus, actors, call)
    m = m.reset_index(drop=True)
    actor_ids = [r["id"] for r in records]
    k = len(actor_ids)
    code_of = {a: i for i, a in enumerate(actor_ids)}

    if dedupe:
        keep_doc, dups = _duplicate_rows(corpus, idx)
        m = m[keep_doc[m["doc"].to_numpy(dtype=np.int64)]].reset_index(drop=True)
    else:
        keep_doc = np.ones(len(corpus.docs), dtype=bool)
        dups = pd.DataFrame({"doc_id": pd.Series(dtype=object), "duplicate_of": pd.Series(dtype=object)})

    codes = m["actor"].astype(str).map(code_of).to_numpy(dtype=np.int64)
    m, counts, n, events = count_pairs(m, codes, actor_ids, idx, keep_doc, unit=unit, window=window)

    df = _pairs_table(counts, actor_ids, n, min_count)
    actors_df = pd.DataFrame(records, columns=["id", "name", "kind"])
    actors_df["n"] = np.diag(counts).astype(np.int64)
    actors_df["mentions"] = np.bincount(codes, minlength=k).astype(np.int64)
    params = {
        "call": "cooccurrence",
        "unit": "window" if window else unit,
        "window": window,
        "min_count": int(min_count),
        "dedupe": bool(dedupe),
        "n_docs": int(keep_doc.sum()),
        "n_duplicates": int(len(dups)),
        "corpus": getattr(corpus, "name", None),
        "fingerprint": getattr(corpus, "fingerprint", None),
    }
    return Cooc(
        df=df, params=params, actors=actors_df, counts=counts, n=n, duplicates=dups,
        mentions=m, events=events, corpus=corpus,
    )  # fmt: skip


def count_pairs(
    m: pd.DataFrame,
    codes: np.ndarray,
    actor_ids: Sequence[str],
    idx: TokenIndex,
    keep_doc: np.ndarray,
    *,
    unit: str,
    window: int | None,
) -> tuple[pd.DataFrame, np.ndarray, int, pd.DataFrame | None]:
    """The counting core of :func:`cooccurrence` (also run per shard by :mod:`mediamon.sharded`).

    Parameters
    ----------
    m
        Mention rows (``doc``, ``sentence``, ``paragraph``, token positions) of the kept documents.
    codes
        Actor number of each row of *m* (positions in *actor_ids*).
    idx, keep_doc
        The index of the corpus and which of its documents count (``dedupe``).

    Returns
    -------
    (m, counts, n, events)
        *m* with a ``unit`` column; the ``k × k`` count matrix (``n_ab`` off the diagonal, ``n_a``
        on it); the number of units; the co-mention events for ``window=N`` (else ``None``).
    """
    k = len(actor_ids)
    if window is None:
        unit_col = {"sentence": "sentence", "paragraph": "paragraph", "document": "doc"}[unit]
        units = m[unit_col].to_numpy(dtype=np.int64)
        m = m.assign(unit=units)
        if unit == "sentence":
            n = int(keep_doc[idx.sent_doc].sum())
        elif unit == "paragraph":
            n = int(keep_doc[idx.para_doc].sum())
        else:
            n = int(keep_doc.sum())
        # units x actors incidence; every pair count comes from one sparse product
        uniq, row = np.unique(units, return_inverse=True)
        x = sp.csr_matrix(
            (np.ones(len(units), dtype=np.int64), (row.ravel(), codes)), shape=(len(uniq), k)
        )
        x.sum_duplicates()
        x.data[:] = 1
        return m, (x.T @ x).toarray().astype(np.int64), n, None
    m = m.assign(unit=-1)
    events = _window_events(m, codes, window)
    ea, eb = codes[events["i"].to_numpy()], codes[events["j"].to_numpy()]
    lo, hi = np.minimum(ea, eb), np.maximum(ea, eb)
    pair = np.bincount(lo * k + hi, minlength=k * k).reshape(k, k)
    counts = pair + pair.T
    np.fill_diagonal(counts, counts.sum(axis=1))
    names = np.asarray(actor_ids, dtype=object)
    events = events.assign(a=names[ea], b=names[eb])
    return m, counts, int(len(events)), events


def _window_events(m: pd.DataFrame, codes: np.ndarray, window: int) -> pd.DataFrame:
    """Pairs of mentions (rows i < j of *m* in text order) of different actors within *window*."""
    if len(m) == 0:
        return pd.DataFrame({"i": np.zeros(0, np.int64), "j": np.zeros(0, np.int64), "distance": np.zeros(0, np.int64)})
    doc = m["doc"].to_numpy(dtype=np.int64)
    ts = m["token_start"].to_numpy(dtype=np.int64)
    te = m["token_end"].to_numpy(dtype=np.int64)
    order = np.lexsort((te, ts, doc))
    doc_s, ts_s, te_s = doc[order], ts[order], te[order]
    # token positions are global, so a window never reaches into another document if we also stop
    # at the document boundary: the last candidate for i is the last mention of the same doc
    doc_end = np.searchsorted(doc_s, doc_s, side="right")
    reach = np.searchsorted(ts_s, te_s - 1 + window, side="right")
    stop = np.minimum(reach, doc_end)
    start = np.arange(len(order)) + 1
    cnt = np.maximum(stop - start, 0)
    total = int(cnt.sum())
    i_s = np.repeat(np.arange(len(order)), cnt)
    offs = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    j_s = i_s + 1 + offs
    i, j = order[i_s], order[j_s]
    diff = codes[i] != codes[j]
    i, j = i[diff], j[diff]
    dist = np.maximum(ts[j] - te[i] + 1, 0)
    return pd.DataFrame({"i": i.astype(np.int64), "j": j.astype(np.int64), "distance": dist.astype(np.int64)})


def _pairs_table(counts: np.ndarray, actor_ids: list[str], n: int, min_count: int) -> pd.DataFrame:
    k = len(actor_ids)
    ids = np.asarray(actor_ids, dtype=object)
    ia, ib = np.triu_indices(k, 1)
    # a < b by id
    swap = ids[ia] > ids[ib]
    ia, ib = np.where(swap, ib, ia), np.where(swap, ia, ib)
    n_ab = counts[ia, ib]
    n_a = np.diag(counts)[ia]
    n_b = np.diag(counts)[ib]
    keep = (n_ab >= min_count) & (n_a > 0) & (n_b > 0) if min_count > 0 else np.ones(len(ia), bool)
    ia, ib, n_ab, n_a, n_b = ia[keep], ib[keep], n_ab[keep], n_a[keep], n_b[keep]
    tot = np.full(len(ia), n, dtype=np.int64)
    df = pd.DataFrame({"a": ids[ia].astype(str), "b": ids[ib].astype(str), "n_ab": n_ab.astype(np.int64),
                       "n_a": n_a.astype(np.int64), "n_b": n_b.astype(np.int64), "n": tot})  # fmt: skip
    if len(df) and n > 0:
        scores = assoc.all_measures(n_ab, n_a, n_b, tot, check=False)
    else:
        scores = {name: np.zeros(len(df)) for name in assoc.MEASURES}
    for name in assoc.MEASURES:
        df[name] = np.asarray(scores[name], dtype=np.float64)
    df = df.sort_values(["n_ab", "a", "b"], ascending=[False, True, True], kind="stable")
    return df.reset_index(drop=True)[list(COOC_COLUMNS)]


# ---------------------------------------------------------------------------------------------
# collocates()
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Collocates:
    """Words around a node, with window counts and association scores.

    ``df`` columns: ``collocate`` (matching form), ``n_ab`` (occurrences inside the node's windows,
    possibly divided by the window span with ``per_position=True``), ``left``/``right`` (raw counts
    on each side), ``n_a`` (node hits), ``n_b`` (collocate frequency in the corpus), ``n`` (tokens),
    ``expected`` and the measures of :mod:`mediamon.assoc`; sorted by ``params['measure']``
    descending, ties by collocate.
    """

    df: pd.DataFrame
    params: dict[str, Any]

    def __repr__(self) -> str:
        p = self.params
        return f"<Collocates of {p['node']!r}: {len(self.df):,} collocates, {p['hits']:,} hits, window={p['window']}>"

    def __len__(self) -> int:
        return len(self.df)

    def _repr_html_(self) -> str:
        p = self.params
        cap = display.caption(
            f"Collocates of {p['node']!r} (window {p['window'][0]} left, {p['window'][1]} right; "
            f"{p['hits']:,} hits; by {p['measure']})"
        )
        return display.join([cap, display.table(self.df)])

    def top(self, k: int = 20) -> pd.DataFrame:
        """The first *k* rows of ``df``."""
        return self.df.head(k)

    def to_csv(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write ``df`` as CSV (UTF-8, no index)."""
        self.df.to_csv(path, index=False, **kwargs)

    def to_parquet(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write ``df`` as Parquet."""
        self.df.to_parquet(path, index=False, **kwargs)


_PER_INDEX: dict[int, tuple[Any, dict[Any, Any]]] = {}


def _index_cache(idx: TokenIndex) -> dict[Any, Any]:
    """A small per-index cache (vocabulary ranks, stopword masks), dropped with the index."""
    import weakref

    key = id(idx)
    hit = _PER_INDEX.get(key)
    if hit is not None and hit[0]() is idx:
        return hit[1]
    store: dict[Any, Any] = {}
    _PER_INDEX[key] = (weakref.ref(idx, lambda _r, k=key: _PER_INDEX.pop(k, None)), store)
    return store


def _vocab_rank(idx: TokenIndex) -> np.ndarray:
    """Rank of each vocabulary form in code-point order (Python's string order), for tie-breaks."""
    store = _index_cache(idx)
    if "rank" not in store:
        forms = np.asarray(idx.vocab, dtype=str)
        rank = np.empty(forms.size, dtype=np.int64)
        rank[np.argsort(forms, kind="stable")] = np.arange(forms.size)
        store["rank"] = rank
    return store["rank"]


def _descending_order(vals: np.ndarray, tie_key: np.ndarray, tie_span: int) -> np.ndarray:
    """Order by *vals* descending (nan last), ties by *tie_key* ascending (``0 <= tie_key < tie_span``).

    Equivalent to ``np.lexsort((tie_key, -vals))`` but built from two quicksorts on int64/float64,
    several times faster on large tables.
    """
    key = -np.nan_to_num(np.asarray(vals, dtype=np.float64), nan=-np.inf)
    o = np.argsort(key)
    sk = key[o]
    group = np.zeros(sk.size, dtype=np.int64)
    if sk.size > 1:
        np.cumsum(sk[1:] != sk[:-1], out=group[1:])
    n_groups = int(group[-1]) + 1 if sk.size else 0
    if n_groups * float(tie_span) >= 2.0**62:
        return np.lexsort((tie_key, key))
    composite = group * np.int64(tie_span) + tie_key[o].astype(np.int64)
    return o[np.argsort(composite)]


def _stop_mask(idx: TokenIndex, spec: Any) -> np.ndarray:
    from .stopwords import vocab_mask

    if spec is None:
        return np.zeros(len(idx.vocab), dtype=bool)
    if not isinstance(spec, str):
        return vocab_mask(idx.vocab, spec)
    store = _index_cache(idx)
    key = ("stop", spec)
    if key not in store:
        store[key] = vocab_mask(idx.vocab, spec)
    return store[key]


def _window_pair(window: int | tuple[int, int], call: str) -> tuple[int, int]:
    if isinstance(window, (int, np.integer)) and not isinstance(window, bool):
        left = right = int(window)
    elif isinstance(window, (tuple, list)) and len(window) == 2:
        left, right = (int(w) for w in window)
    else:
        raise InputError(f"{call}: window={window!r} is invalid; pass tokens per side (5) or (left, right).")
    if left < 0 or right < 0 or left + right == 0:
        raise InputError(f"{call}: window={window!r} is invalid; sides must be >= 0 and not both 0.")
    return left, right


def _node_spans(idx: TokenIndex, node: Any, match: str, call: str) -> tuple[np.ndarray, np.ndarray, str]:
    if hasattr(node, "df") and {"token_start", "token_end"} <= set(node.df.columns):
        d = node.df
        label = ",".join(pd.unique(d["actor"].astype(str))) if "actor" in d.columns else "mentions"
        s = d["token_start"].to_numpy(dtype=np.int64)
        e = d["token_end"].to_numpy(dtype=np.int64)
        order = np.lexsort((e, s))
        return s[order], e[order], label
    if isinstance(node, str) or (isinstance(node, Sequence) and all(isinstance(x, str) for x in node)):
        if match not in ("fixed", "glob", "regex"):
            raise one_of(call, "match", match, ["fixed", "glob", "regex"])
        s, e = idx.find(node, match=match)
        label = node if isinstance(node, str) else " | ".join(node)
        return np.asarray(s, np.int64), np.asarray(e, np.int64), label
    raise InputError(
        f"{call}: node={node!r} is not supported; pass a word or phrase (str), a list of them, "
        "or a Mentions result (e.g. mediamon.mentions(corpus, actors) filtered to one actor)."
    )


@accepts_store
def collocates(
    corpus: Corpus,
    node: str | Sequence[str] | Any,
    *,
    window: int | tuple[int, int] = 5,
    measure: str = "log_dice",
    min_count: int = 3,
    stopwords: str | Iterable[str] | None = "english",
    punctuation: bool = False,
    match: Literal["fixed", "glob", "regex"] = "fixed",
    per_position: bool = False,
) -> Collocates:
    """Words that occur near a word, phrase or actor, ranked by an association measure.

    Parameters
    ----------
    corpus
        The corpus (its token index is reused).
    node
        A word or phrase (matched like :func:`mediamon.kwic`: normalised, phrase tokens in sequence),
        a list of them (their union), or a Mentions result (e.g. one actor's mentions).
    window
        Tokens on each side (``5``) or ``(left, right)``; ``(0, 4)`` looks only to the right. Windows
        stop at document boundaries; tokens of the node occurrences themselves are never counted.
    measure
        Sort key: a name in :data:`mediamon.assoc.MEASURES` or ``"n_ab"``.
    min_count
        Keep collocates with at least this many (raw) occurrences in the windows.
    stopwords
        Excluded as candidates: a spec for :func:`mediamon.stopwords.stopwords` (``"english"``,
        ``"russian"``, ``"persian"``, ``"nltk:english"``, ``"english+russian"``), a list, or ``None``.
    punctuation
        Keep punctuation tokens as candidates (excluded by default; they always count in ``n``).
    match
        How *node* is matched: ``"fixed"``, ``"glob"`` or ``"regex"`` per token.
    per_position
        Divide ``n_ab`` by the number of window positions ``left + right`` before scoring, as
        Church & Hanks (1990) and NLTK's ``BigramCollocationFinder`` (``window_size - 1``) do.

    Returns
    -------
    Collocates
        See the module docstring for the 2×2 table: ``n_ab`` = occurrences in the windows, ``n_a`` =
        node hits, ``n_b`` = collocate frequency, ``n`` = corpus tokens.

    Notes
    -----
    ``collocates(c, w, window=(0, k - 1), per_position=True, stopwords=None, punctuation=True,
    min_count=f)`` reproduces NLTK's ``BigramCollocationFinder.from_words(tokens, window_size=k)``
    restricted to bigrams starting with ``w`` (frequency filter ``f``), for every measure.
    """
    call = "collocates()"
    left, right = _window_pair(window, call)
    if measure != "n_ab" and measure not in assoc.MEASURES:
        raise one_of(call, "measure", measure, ["n_ab", *assoc.MEASURES])
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise InputError(f"{call}: min_count={min_count!r} is invalid; pass an integer >= 0.")

    idx = _index(corpus)
    starts, ends, label = _node_spans(idx, node, match, call)
    v = len(idx.vocab)
    n_tok = idx.n_tokens
    hit_doc = idx.doc[starts] if starts.size else np.zeros(0, np.int64)
    d0 = idx.doc_offsets[hit_doc].astype(np.int64)
    d1 = idx.doc_offsets[hit_doc + 1].astype(np.int64)
    # positions covered by any node occurrence (running max of ends handles overlapping hits)
    cover_end = np.maximum.accumulate(ends) if ends.size else ends

    def side(pos: np.ndarray, valid: np.ndarray) -> np.ndarray:
        pos = pos[valid]
        if starts.size and pos.size:
            j = np.searchsorted(starts, pos, side="right") - 1
            inside = (j >= 0) & (pos < cover_end[np.maximum(j, 0)])
            pos = pos[~inside]
        return np.bincount(idx.ids[pos], minlength=v).astype(np.int64)

    if left:
        lp = starts[:, None] - np.arange(1, left + 1)[None, :]
        lc = side(lp.ravel(), (lp >= d0[:, None]).ravel())
    else:
        lc = np.zeros(v, np.int64)
    if right:
        rp = ends[:, None] + np.arange(right)[None, :]
        rc = side(rp.ravel(), (rp < d1[:, None]).ravel())
    else:
        rc = np.zeros(v, np.int64)
    raw = lc + rc
    cand = raw >= max(min_count, 1)
    if not punctuation:
        cand &= np.asarray(idx.is_word, dtype=bool)
    if stopwords is not None:
        cand &= ~_stop_mask(idx, stopwords)
    cid = np.flatnonzero(cand)
    n_ab = raw[cid].astype(np.float64)
    if per_position:
        n_ab = n_ab / float(left + right)
    n_a = np.full(cid.size, float(starts.size))
    n_b = idx.counts[cid].astype(np.float64)
    tot = np.full(cid.size, float(n_tok))
    vocab = np.asarray(idx.vocab, dtype=object)
    df = pd.DataFrame(
        {
            "collocate": vocab[cid].astype(str) if cid.size else np.zeros(0, dtype=str),
            "n_ab": n_ab if per_position else raw[cid],
            "left": lc[cid],
            "right": rc[cid],
            "n_a": np.full(cid.size, starts.size, dtype=np.int64),
            "n_b": idx.counts[cid].astype(np.int64),
            "n": np.full(cid.size, n_tok, dtype=np.int64),
        }
    )
    if cid.size:
        scores = assoc.all_measures(n_ab, n_a, n_b, tot, check=False)
    else:
        scores = {name: np.zeros(0) for name in assoc.MEASURES}
    for name in assoc.MEASURES:
        df[name] = np.asarray(scores[name], dtype=np.float64)
    key = df[measure].to_numpy(dtype=np.float64)
    order = _descending_order(key, _vocab_rank(idx)[cid], len(idx.vocab))
    df = df.iloc[order].reset_index(drop=True)[list(COLLOCATE_COLUMNS)]
    params = {
        "call": "collocates",
        "node": label,
        "hits": int(starts.size),
        "window": (left, right),
        "measure": measure,
        "min_count": int(min_count),
        "stopwords": stopwords if stopwords is None or isinstance(stopwords, str) else "custom",
        "punctuation": bool(punctuation),
        "match": match,
        "per_position": bool(per_position),
        "corpus": getattr(corpus, "name", None),
    }
    return Collocates(df, params)


# ---------------------------------------------------------------------------------------------
# word_pairs(): the full window association table (NLTK BigramCollocationFinder equivalent)
# ---------------------------------------------------------------------------------------------
def word_pairs(
    corpus: Corpus,
    *,
    window: int = 5,
    measure: str = "llr",
    min_count: int = 1,
    per_position: bool = True,
) -> pd.DataFrame:
    """Every ordered word pair ``(w1, w2)`` with ``w2`` among the ``window - 1`` tokens after ``w1``
    in one document, with counts and one measure, sorted by the measure (ties by ``w1, w2``).

    This is the table NLTK's ``BigramCollocationFinder.from_documents``-style counting builds
    (``from_words(tokens, window_size=window)`` with documents separated), computed with numpy:
    ``n_ab`` = pair count (divided by ``window - 1`` when *per_position*, as NLTK does), ``n_a`` and
    ``n_b`` the token frequencies, ``n`` the number of tokens. Columns: ``w1, w2, count, n_ab, n_a,
    n_b, n, <measure>``.
    """
    call = "word_pairs()"
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 2:
        raise InputError(f"{call}: window={window!r} is invalid; pass an integer >= 2 (as NLTK's window_size).")
    if measure not in assoc.MEASURES:
        raise one_of(call, "measure", measure, list(assoc.MEASURES))
    idx = _index(corpus)
    ids = idx.ids.astype(np.int64)
    doc = idx.doc
    v = len(idx.vocab)
    codes = []
    for k in range(1, window):  # window - 1 vectorised passes, not a loop over tokens
        same = doc[:-k] == doc[k:]
        codes.append(ids[:-k][same] * v + ids[k:][same])
    allc = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    uniq, cnt = np.unique(allc, return_counts=True)
    keep = cnt >= max(min_count, 1)
    uniq, cnt = uniq[keep], cnt[keep]
    w1, w2 = uniq // v, uniq % v
    counts = idx.counts.astype(np.float64)
    n_ab = cnt / float(window - 1) if per_position else cnt.astype(np.float64)
    vals = assoc.score(measure, n_ab, counts[w1], counts[w2], float(idx.n_tokens), check=False)
    rank = _vocab_rank(idx)
    order = _descending_order(vals, rank[w1] * v + rank[w2], v * v)
    w1, w2, cnt, n_ab, vals = w1[order], w2[order], cnt[order], n_ab[order], vals[order]
    forms = pd.Index(idx.vocab, dtype=object)
    return pd.DataFrame(
        {
            "w1": pd.Categorical.from_codes(w1, categories=forms, validate=False),
            "w2": pd.Categorical.from_codes(w2, categories=forms, validate=False),
            "count": cnt,
            "n_ab": n_ab,
            "n_a": idx.counts[w1],
            "n_b": idx.counts[w2],
            "n": np.full(w1.size, idx.n_tokens, dtype=np.int64),
            measure: vals,
        }
    )
