"""Who appears with whom: actor co-occurrence with association measures, and the evidence behind it.

Units
    ``unit="sentence"`` (the default), ``"paragraph"`` or ``"document"``: a unit *contains* an actor
    when at least one mention of it lies in the unit. ``n_ab`` is the number of units containing
    both, ``n_a`` and ``n_b`` the units containing each, ``n`` all units of the corpus (also those
    without any mention). Per shard, all pairs come from one sparse product ``X.T @ X`` of the
    boolean units × actors incidence matrix ``X``; the shards' ``k × k`` matrices and unit counts
    add, and the measures (:mod:`mediamon.stats.assoc`) are computed once on the sums.

Windows
    ``window=N``: the units are *co-mention events*: pairs of mentions of two different actors in
    one document whose distance is at most ``N`` tokens, the distance being the number of tokens from
    the last token of the earlier mention to the first token of the later one (adjacent mentions
    are 1 apart; "Putin met Raisi" puts them 2 apart). ``n_ab`` is the number of such events between
    *a* and *b*, ``n_a = Σ_x n_ax`` the events involving *a* (its weighted degree), ``n`` all events.
    This keeps the 2×2 table valid (``n_ab <= min(n_a, n_b)``) and makes every count a number of
    evidence rows.

Deduplication
    ``dedupe="exact"`` counts each exact duplicate article once, ``dedupe="near"`` each cluster of
    near-duplicate reprints (:mod:`mediamon.analysis.duplicates`): the folded documents leave every
    count, ``n`` included, and are listed in ``Cooc.duplicates``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from .. import display
from ..actors import ActorSet, resolve_actors
from ..corpus import Corpus
from ..errors import InputError, NotFoundError, one_of
from ..options import Unit, check_dedupe, check_min_count, check_unit, check_window_distance, shared_docs
from ..partials import Part, combine
from ..results import Result
from ..shards import Layout, Shard, Source, as_source, map_shards, open_shard, shard_count
from ..stats import assoc
from ..tokenindex import TokenIndex
from .duplicates import dedupe_params, duplicate_documents, keep_per_shard
from .mentions import NUMBERING, mention_rows, mention_table, split_mentions

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["COOC_COLUMNS", "EVIDENCE_COLUMNS", "Cooc", "Evidence", "cooccurrence"]

#: Columns of :attr:`Cooc.df`.
COOC_COLUMNS: tuple[str, ...] = ("a", "b", "n_ab", "n_a", "n_b", "n", "expected", *assoc.SCORES)

#: Columns of :attr:`Evidence.df`.
EVIDENCE_COLUMNS: tuple[str, ...] = (
    "doc_id", "date", "source", "unit", "sentence", "paragraph", "char_start", "char_end",
    "left", "first", "middle", "second", "right", "first_actor", "second_actor",
    "first_start", "first_end", "second_start", "second_end",
)  # fmt: skip

_UNIT_COLUMN = {"sentence": "sentence", "paragraph": "paragraph", "document": "doc"}
_UNIT_SIZE = {"sentence": "sentences", "paragraph": "paragraphs", "document": "documents"}


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


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def unit_spans(ix: TokenIndex, unit: str, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last token position (in *ix*) of each given unit id of *ix*."""
    if unit == "sentence":
        off = ix.sent_offsets
        return off[units], off[units + 1] - 1
    arr = ix.para if unit == "paragraph" else ix.doc
    first = np.searchsorted(arr, units, side="left")
    last = np.searchsorted(arr, units, side="right") - 1
    return first.astype(np.int64), last.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Evidence(Result):
    """The units behind one co-occurrence count, one KWIC-style row per unit.

    ``df`` columns: ``doc_id``, ``date``, ``source``, ``unit`` (the unit id: global sentence,
    paragraph or document number, or the event number for windows), ``sentence``/``paragraph``
    (global ids of the first mention's sentence and paragraph), ``char_start``/``char_end`` (the
    unit's span in the original text), ``left`` · ``first`` · ``middle`` · ``second`` · ``right`` (the
    unit's text cut at the first mention of each actor, in text order; whitespace collapsed, long
    context shortened with "…"), ``first_actor``/``second_actor`` and the character offsets of both
    mentions (``first_start`` ... ``second_end``) into the original document text.
    """

    def caption(self) -> str:
        p = self.params
        return f"Evidence for {p.get('a')} – {p.get('b')}: {len(self.df):,} {p.get('unit')} units"

    def __repr__(self) -> str:
        p = self.params
        return f"<Evidence {p.get('a')!r}–{p.get('b')!r}: {len(self.df):,} units ({p.get('unit')})>"

    def _repr_html_(self) -> str:
        cols = ["doc_id", "date", "source", "unit", "left", "first", "middle", "second", "right"]
        mark = lambda v: f"<mark>{display.bdi(v)}</mark>"  # noqa: E731
        body = display.table(self.df[cols], css_class="mm-table mm-kwic", formatters={"first": mark, "second": mark})
        return display.join([display.caption(self.caption()), body])


# ---------------------------------------------------------------------------------------------
# Cooc
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Cooc(Result):
    """Actor co-occurrence counts with association scores.

    Attributes
    ----------
    df
        One row per unordered actor pair (``a < b`` by id) with ``n_ab >= min_count``, sorted by
        ``n_ab`` descending: ``a``, ``b``, ``n_ab``, ``n_a``, ``n_b``, ``n``, ``expected`` and the
        measures ``pmi``, ``npmi``, ``llr``, ``chi2``, ``dice``, ``log_dice``, ``jaccard``,
        ``t_score``, ``mi3`` (definitions in :mod:`mediamon.stats.assoc`).
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
        Documents left out by ``dedupe``: ``doc_id``, ``duplicate_of``.
    mentions, events
        The mention rows counted (with their ``unit``) and, for windows, the co-mention events
        (rows ``i`` < ``j`` of *mentions*, their ``distance`` and actors). Units counted on a store
        read the mention rows on first use of ``mentions`` (or :meth:`evidence`), from the tables
        the store keeps beside each shard: the count itself moves only counts between processes.
    """

    actors: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    n: int = 0
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    _mentions: pd.DataFrame | MentionRows = field(default_factory=pd.DataFrame, repr=False)
    events: pd.DataFrame | None = field(default=None, repr=False)
    layout: Layout | None = field(default=None, repr=False)

    @property
    def mentions(self) -> pd.DataFrame:
        """The mention rows counted (see the class docstring); read once, on first use."""
        if isinstance(self._mentions, MentionRows):
            object.__setattr__(self, "_mentions", self._mentions.read())
        return self._mentions  # type: ignore[return-value]

    def __repr__(self) -> str:
        p = self.params
        what = f"window={p['window']}" if p.get("window") else f"unit={p['unit']}"
        return f"<Cooc {what}: {len(self.df):,} pairs of {len(self.actors):,} actors, n={self.n:,}>"

    def caption(self) -> str:
        p = self.params
        what = f"co-mentions within {p['window']} tokens" if p.get("window") else f"{p['unit']}s"
        return (
            f"Co-occurrence ({what}): {len(self.df):,} pairs, n = {self.n:,} units"
            + (f", {len(self.duplicates):,} duplicate documents left out" if p.get("dedupe") else "")
        )

    # -- views --------------------------------------------------------------------------------
    def matrix(self, measure: str = "n_ab", *, all_actors: bool = False) -> pd.DataFrame:
        """Square actor × actor table of a count or measure.

        Parameters
        ----------
        measure
            ``"n_ab"`` (units with both; the diagonal holds ``n_a``, units with the actor) or any
            name in :data:`mediamon.stats.assoc.MEASURES` (diagonal ``nan``).
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
        vals = np.array(assoc.score(measure, c, diag[:, None], diag[None, :], float(self.n), check=False),
                        dtype=np.float64)  # fmt: skip
        np.fill_diagonal(vals, np.nan)
        return pd.DataFrame(vals, index=pd.Index(ids, name="a"), columns=pd.Index(ids, name="b"))

    def graph(self, measure: str = "npmi", *, min_count: int | None = None) -> nx.Graph:
        """The co-occurrence network: actors as nodes, pairs with ``n_ab >= min_count`` as edges.

        Nodes carry ``name``, ``kind`` and ``n`` (units with the actor); edges carry every column
        of :attr:`df` (``n_ab``, ``n_a``, ``n_b``, ``n``, ``expected`` and the measures) plus
        ``weight`` = the chosen *measure* (or ``n_ab``). Values are plain Python numbers, so the
        graph writes to GEXF and GraphML as is.
        """
        import networkx as nx  # a heavy import, needed only for graphs

        if measure != "n_ab" and measure not in assoc.MEASURES:
            raise one_of("Cooc.graph()", "measure", measure, ["n_ab", *assoc.MEASURES])
        threshold = self.params["min_count"] if min_count is None else int(min_count)
        g = nx.Graph(measure=measure, unit=str(self.params.get("unit")), n=int(self.n))
        for row in self.actors.itertuples(index=False):
            if row.n > 0:
                g.add_node(row.id, name=str(row.name), kind=str(row.kind or ""), n=int(row.n))
        for rec in self.df[self.df["n_ab"] >= threshold].to_dict("records"):
            attrs = {k: _plain(v) for k, v in rec.items() if k not in ("a", "b")}
            attrs["weight"] = _plain(rec[measure])
            g.add_edge(rec["a"], rec["b"], **attrs)
        return g

    def write_gexf(self, path: str | os.PathLike[str], *, measure: str = "npmi", min_count: int | None = None) -> None:
        """Write :meth:`graph` as GEXF for Gephi."""
        import networkx as nx  # a heavy import, needed only for graphs

        nx.write_gexf(self.graph(measure, min_count=min_count), os.fspath(path))

    def write_graphml(
        self, path: str | os.PathLike[str], *, measure: str = "npmi", min_count: int | None = None
    ) -> None:
        """Write :meth:`graph` as GraphML (Gephi, Cytoscape, igraph)."""
        import networkx as nx  # a heavy import, needed only for graphs

        nx.write_graphml(self.graph(measure, min_count=min_count), os.fspath(path))

    def partners(self, actor: str) -> pd.DataFrame:
        """The actors named with *actor*, one row per partner, most shared units first.

        Columns: ``partner``, ``name``, ``n_ab`` (units naming both), ``n_actor`` and ``n_partner``
        (units naming each), ``n``, ``expected``, ``npmi``, ``llr``, ``log_dice``.
        """
        if actor not in set(self.actors["id"]):
            raise NotFoundError(f"Cooc.partners(): {actor!r} is not an actor of this result.")
        mine = self.df[(self.df["a"] == actor) | (self.df["b"] == actor)]
        first = (mine["a"] == actor).to_numpy()
        names = dict(zip(self.actors["id"], self.actors["name"]))
        partner = np.where(first, mine["b"], mine["a"])
        return pd.DataFrame(
            {
                "partner": partner,
                "name": [names.get(p, p) for p in partner],
                "n_ab": mine["n_ab"].to_numpy(),
                "n_actor": np.where(first, mine["n_a"], mine["n_b"]),
                "n_partner": np.where(first, mine["n_b"], mine["n_a"]),
                "n": mine["n"].to_numpy(),
                "expected": mine["expected"].to_numpy(),
                "npmi": mine["npmi"].to_numpy(),
                "llr": mine["llr"].to_numpy(),
                "log_dice": mine["log_dice"].to_numpy(),
            }
        )

    # -- evidence -----------------------------------------------------------------------------
    def evidence(self, a: str, b: str, *, limit: int | None = None, width: int | None = 120) -> Evidence:
        """The units behind ``n_ab`` for one pair, as KWIC-style rows (one row per unit).

        ``len(cooc.evidence(a, b)) == n_ab`` for every pair (unless *limit* cuts it). The row shows
        the unit's text split at the first mention of each actor in it; with ``window=N`` each
        event is one row showing the two mentions. *width* bounds the context in characters.
        Only the texts of the documents behind the count are read.
        """
        ids = set(self.actors["id"])
        for name, value in (("a", a), ("b", b)):
            if value not in ids:
                raise NotFoundError(
                    f"Cooc.evidence(): {name}={value!r} is not an actor of this result; actors are "
                    f"{sorted(ids)[:20]}."
                )
        if self.layout is None:
            raise InputError("Cooc.evidence(): this result has no corpus attached.")
        m = self.mentions
        if self.params.get("window"):
            ev = self.events
            ev = ev[((ev["a"] == a) & (ev["b"] == b)) | ((ev["a"] == b) & (ev["b"] == a))]
            if limit is not None:
                ev = ev.head(limit)
            first = m.iloc[ev["i"].to_numpy()].reset_index(drop=True)
            second = m.iloc[ev["j"].to_numpy()].reset_index(drop=True)
            unit_ids = ev.index.to_numpy()
            span_start = span_end = None
        else:
            both = np.intersect1d(m.loc[m["actor"] == a, "unit"].to_numpy(), m.loc[m["actor"] == b, "unit"].to_numpy())
            if limit is not None:
                both = both[:limit]
            sub = m[m["unit"].isin(both) & m["actor"].isin([a, b])].sort_values(["unit", "token_start"], kind="stable")
            fa = sub[sub["actor"] == a].drop_duplicates("unit").set_index("unit").loc[both]
            fb = sub[sub["actor"] == b].drop_duplicates("unit").set_index("unit").loc[both]
            a_first = fa["token_start"].to_numpy() <= fb["token_start"].to_numpy()
            first = pd.DataFrame(np.where(a_first[:, None], fa.to_numpy(), fb.to_numpy()), columns=fa.columns)
            second = pd.DataFrame(np.where(a_first[:, None], fb.to_numpy(), fa.to_numpy()), columns=fa.columns)
            unit_ids = both
            span_start, span_end = self._unit_char_spans(first["token_start"].to_numpy(dtype=np.int64))
        texts = self._doc_texts(first["token_start"].to_numpy(dtype=np.int64))
        rows = []
        for k in range(len(unit_ids)):
            f, s = first.iloc[k], second.iloc[k]
            text = texts[k]
            fs, fe, ss, se = int(f["char_start"]), int(f["char_end"]), int(s["char_start"]), int(s["char_end"])
            if span_start is None:  # a window event: context around the two mentions
                us, ue = max(0, fs - (width or 120)), min(len(text), se + (width or 120))
            else:
                us, ue = int(span_start[k]), int(span_end[k])
            us, ue = min(us, fs), max(ue, se)
            mid_end = max(fe, min(ss, se))
            rows.append(
                {
                    "doc_id": f["doc_id"], "date": f.get("date"), "source": f.get("source"),
                    "unit": int(unit_ids[k]), "sentence": int(f["sentence"]), "paragraph": int(f["paragraph"]),
                    "char_start": us, "char_end": ue,
                    "left": _clip_left(text[us:fs], width), "first": text[fs:fe],
                    "middle": _clip_middle(text[fe:mid_end], width), "second": text[max(ss, fe):se],
                    "right": _clip_right(text[se:ue], width),
                    "first_actor": f["actor"], "second_actor": s["actor"],
                    "first_start": fs, "first_end": fe, "second_start": ss, "second_end": se,
                }
            )  # fmt: skip
        df = pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))
        return Evidence(df, {"a": a, "b": b, "unit": self.params.get("unit"), "window": self.params.get("window")})

    def _unit_char_spans(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Character span of the unit holding each global token position."""
        unit = self.params["unit"]
        start = np.zeros(pos.size, dtype=np.int64)
        end = np.zeros(pos.size, dtype=np.int64)
        for shard, sel, local in self.layout.by_tokens(pos) if pos.size else ():  # type: ignore[union-attr]
            ix = shard.index
            units = {"sentence": ix.sent, "paragraph": ix.para, "document": ix.doc}[unit][local].astype(np.int64)
            t0, t1 = unit_spans(ix, unit, units)
            start[sel], end[sel] = ix.start[t0], ix.end[t1]
        return start, end

    def _doc_texts(self, pos: np.ndarray) -> list[str]:
        """The text of the document holding each global token position (only those are read)."""
        out = [""] * pos.size
        for shard, sel, local in self.layout.by_tokens(pos) if pos.size else ():  # type: ignore[union-attr]
            docs = np.asarray(shard.index.doc[local], dtype=np.int64)
            texts = shard.texts(docs)
            for j, d in zip(sel.tolist(), docs.tolist()):
                out[j] = texts[d]
        return out


# ---------------------------------------------------------------------------------------------
# counting, per shard
# ---------------------------------------------------------------------------------------------
def count_pairs(
    m: pa.Table, codes: np.ndarray, k: int, *, unit: str, window: int | None
) -> tuple[pa.Table, np.ndarray, pa.Table]:
    """The counting core: the ``k × k`` count matrix of mention rows *m* (``n_ab`` off the diagonal,
    ``n_a`` on it), *m* with its ``unit`` column, and the co-mention events (empty for units):
    rows ``i`` < ``j`` of *m*, their ``distance`` and actor numbers ``a``, ``b``."""
    if window is None:
        units = m.column(_UNIT_COLUMN[unit]).to_numpy().astype(np.int64, copy=False)
        m = m.append_column("unit", pa.array(units, type=pa.int64()))
        # units x actors incidence; every pair count comes from one sparse product
        uniq, row = np.unique(units, return_inverse=True)
        x = sp.csr_matrix((np.ones(len(units), dtype=np.int64), (row.ravel(), codes)), shape=(len(uniq), k))
        x.sum_duplicates()
        x.data[:] = 1
        none = np.zeros(0, np.int64)
        return m, (x.T @ x).toarray().astype(np.int64), _events_table(none, none, none, none, none)
    m = m.append_column("unit", pa.array(np.full(m.num_rows, -1, dtype=np.int64)))
    i, j, distance = _window_events(m, codes, window)
    ea, eb = codes[i], codes[j]
    lo, hi = np.minimum(ea, eb), np.maximum(ea, eb)
    pair = np.bincount(lo * k + hi, minlength=k * k).reshape(k, k)
    counts = pair + pair.T
    np.fill_diagonal(counts, counts.sum(axis=1))
    return m, counts, _events_table(i, j, distance, ea, eb)


def _events_table(i: np.ndarray, j: np.ndarray, distance: np.ndarray, a: np.ndarray, b: np.ndarray) -> pa.Table:
    return pa.table({"i": pa.array(i, pa.int64()), "j": pa.array(j, pa.int64()), "distance": pa.array(distance, pa.int64()),
                     "a": pa.array(a, pa.int64()), "b": pa.array(b, pa.int64())})  # fmt: skip


def _window_events(m: pa.Table, codes: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of mentions (rows i < j of *m* in text order) of different actors within *window*:
    ``(i, j, distance)``."""
    if m.num_rows == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    doc = m.column("doc").to_numpy().astype(np.int64, copy=False)
    ts = m.column("token_start").to_numpy().astype(np.int64, copy=False)
    te = m.column("token_end").to_numpy().astype(np.int64, copy=False)
    order = np.lexsort((te, ts, doc))
    doc_s, ts_s, te_s = doc[order], ts[order], te[order]
    # a window never reaches into another document: the last candidate is the document's last mention
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
    return i.astype(np.int64), j.astype(np.int64), dist.astype(np.int64)


def _unit_count(shard: Shard, unit: str, keep: np.ndarray | None) -> int:
    """Units of the shard's selected documents (those kept by dedupe)."""
    if keep is None:
        return int(getattr(shard.sizes, _UNIT_SIZE[unit]))
    ntok, nsent, npara = shard._counts
    per_doc = {"sentence": nsent, "paragraph": npara, "document": np.ones_like(nsent)}[unit]
    return int(per_doc[shard.selected][keep].sum())


def _unit_rows(shard: Shard, actors: ActorSet) -> pa.Table:
    """What counting units needs of the shard's mentions: ``actor`` and the selection-local
    ``doc``, ``sentence`` and ``paragraph`` (no metadata, no text: :func:`mention_rows` without
    the columns only the mention rows show)."""
    m = mention_table(shard, actors)
    doc = m.column("doc").to_numpy().astype(np.int64, copy=False)
    return pa.table({
        "actor": m.column("actor"),
        "doc": shard.local_docs(doc),
        "sentence": shard.local_sentences(m.column("sentence").to_numpy(), doc),
        "paragraph": shard.local_paragraphs(m.column("paragraph").to_numpy(), doc),
    })  # fmt: skip


def task_cooc(
    source: Source,
    i: int,
    actor_ids: list[str],
    actors: ActorSet | None,
    given: pa.Table | None,
    unit: str,
    window: int | None,
    keep: np.ndarray | None,
    rows: bool = True,
) -> Part:
    """Per-shard step of :func:`cooccurrence`: the count matrix, units, mentions per actor and,
    with *rows*, the mention rows (and events); without, only the counts (units only)."""
    shard = open_shard(source, i)
    if given is not None:
        m = given
    elif rows or window is not None:
        m = mention_rows(shard, actors)  # type: ignore[arg-type]
    else:
        m = _unit_rows(shard, actors)  # type: ignore[arg-type]
    if keep is not None and m.num_rows:
        m = m.filter(pa.array(keep[m.column("doc").to_numpy()]))
    k = len(actor_ids)
    codes = pc.fill_null(pc.index_in(m.column("actor"), value_set=pa.array(actor_ids, pa.string())), -1)
    codes = codes.to_numpy().astype(np.int64)
    if (codes < 0).any():
        raise InputError("cooccurrence(): the mentions name actors that are not in the actor list.")
    n_units = _unit_count(shard, unit, keep) if window is None else 0
    m, counts, events = count_pairs(m, codes, k, unit=unit, window=window)
    numbering = {"mentions": {**NUMBERING, **({"unit": _UNIT_SIZE[unit]} if window is None else {})},
                 "events": {"i": "rows:mentions", "j": "rows:mentions"}}  # fmt: skip
    with_rows = rows or window is not None
    return Part(
        sizes=shard.sizes,
        tables={"mentions": m, "events": events} if with_rows else {},
        numbering=numbering if with_rows else {},
        counts={"counts": counts, "n": n_units if window is None else events.num_rows,
                "mentions": np.bincount(codes, minlength=k).astype(np.int64)},  # fmt: skip
        shards=(shard.sizes,),
    )


@dataclass(frozen=True)
class MentionRows:
    """The mention rows of a count of units on a store, read when first asked for
    (:attr:`Cooc.mentions`): the same per-shard step with its rows, run in this process whatever
    executor counted. The count left the mention tables beside the shards, so reading them needs
    no cluster (which may be closed by then), and the rows do not travel between processes."""

    source: Source
    args: list[tuple[Any, ...]]

    def read(self) -> pd.DataFrame:
        """The rows, exactly as a count that gathered them would hold them."""
        part = combine(map_shards(self.source, task_cooc, self.args, executor="serial"))
        return part.tables["mentions"].to_pandas()


def _pairs_table(counts: np.ndarray, actor_ids: list[str], n: int, min_count: int) -> pd.DataFrame:
    k = len(actor_ids)
    ids = np.asarray(actor_ids, dtype=object)
    ia, ib = np.triu_indices(k, 1)
    swap = ids[ia] > ids[ib]  # a < b by id
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


def actor_records(actors: Any, call: str) -> tuple[ActorSet | None, pa.Table | None, list[dict[str, Any]], Any]:
    """``(actor set or None, None, records, mentions result or None)`` for an ActorSet/path or a
    Mentions result (``.df`` with the mention columns)."""
    if actors is None:
        raise InputError(
            f"{call}: actors=None; pass an ActorSet (mediamon.read_actors('corpora/actors.yaml')), "
            "a path to an actors YAML file or a Mentions result."
        )
    if hasattr(actors, "df"):
        found = actors
        actor_set = getattr(found, "actors", None)
        records = [{"id": a.id, "name": a.name, "kind": a.kind} for a in actor_set] if actor_set is not None else []
        seen = {r["id"] for r in records}
        for a in pd.unique(found.df["actor"].astype(str)) if len(found.df) else []:
            if a not in seen:
                records.append({"id": a, "name": a, "kind": None})
                seen.add(a)
        return None, None, records, found
    actor_set = resolve_actors(actors)
    return actor_set, None, [{"id": a.id, "name": a.name, "kind": a.kind} for a in actor_set], None


@shared_docs
def cooccurrence(
    corpus: Source | str | os.PathLike[str],
    actors: Any,
    *,
    unit: Unit = "sentence",
    window: int | None = None,
    min_count: int = 1,
    dedupe: bool | str | Any = False,
    executor: object = None,
) -> Cooc:
    """Count which actors appear together, and how strongly they are associated.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either.
    actors
        An :class:`~mediamon.actors.ActorSet`, the path of an actors YAML file, or a
        :class:`~mediamon.analysis.mentions.Mentions` result of this corpus.
    {unit}
        Ignored when *window* is given.
    {window_distance}
    {min_count}
    {dedupe}
    {executor}

    Returns
    -------
    Cooc
        ``df`` with ``a, b, n_ab, n_a, n_b, n, expected, pmi, npmi, llr, chi2, dice, log_dice,
        jaccard, t_score, mi3`` (each measure defined in :mod:`mediamon.stats.assoc`); use
        :meth:`Cooc.evidence` to see the units behind a count.

    Examples
    --------
    >>> import mediamon as mm
    >>> co = mm.cooccurrence(mm.read_corpus("corpora/seed"), "corpora/actors.yaml")
    >>> co.df.set_index(["a", "b"]).loc[("putin", "raisi"), "n_ab"]
    np.int64(2)
    """
    call = "cooccurrence()"
    source = as_source(corpus, call)
    window = check_window_distance(window, call)
    if window is None:
        check_unit(unit, call)
    min_count = check_min_count(min_count, call)
    mode = check_dedupe(dedupe, call)
    actor_set, _, records, found = actor_records(actors, call)
    actor_ids = [r["id"] for r in records]
    given = split_mentions(found, source, call) if found is not None else None
    keep, dups = duplicate_documents(source, mode, executor=executor)
    keeps = keep_per_shard(source, keep)
    args = [(actor_ids, actor_set, given[j] if given is not None else None, unit, window, keeps[j])
            for j in range(shard_count(source))]  # fmt: skip
    # Units on a store: the shards send counts only; the (large) mention rows stay in the tables
    # kept beside the shards until someone asks for them. In memory they are at hand anyway.
    lean = window is None and not isinstance(source, Corpus)
    part = combine(map_shards(source, task_cooc, [(*a, not lean) for a in args], executor=executor))
    counts, n = part.counts["counts"], int(part.counts["n"])
    m = MentionRows(source, [(*a, True) for a in args]) if lean else part.tables["mentions"].to_pandas()
    events = None
    if window is not None:
        events = part.tables["events"].to_pandas()
        names = np.asarray(actor_ids, dtype=object)
        events["a"], events["b"] = names[events["a"].to_numpy()], names[events["b"].to_numpy()]
    actors_df = pd.DataFrame(records, columns=["id", "name", "kind"])
    actors_df["n"] = np.diag(counts).astype(np.int64)
    actors_df["mentions"] = part.counts["mentions"]
    n_docs = int(keep.sum()) if keep is not None else part.sizes.documents
    params = {
        "call": "cooccurrence", "unit": "window" if window else unit, "window": window, "min_count": min_count,
        "n_docs": n_docs, **dedupe_params(mode, dups), "corpus": source.name, "fingerprint": source.fingerprint,
    }  # fmt: skip
    return Cooc(df=_pairs_table(counts, actor_ids, n, min_count), params=params, actors=actors_df, counts=counts,
                n=n, duplicates=dups, _mentions=m, events=events, layout=Layout.of(source, part))  # fmt: skip

