"""Mentions over time: how much attention each actor gets, per period (and per outlet).

:func:`timeline` counts, per period of ``freq`` (a pandas period alias: ``"D"``, ``"W"``, ``"M"``,
``"Q"``, ``"Y"``) and per actor:

- ``mentions``: mention rows in documents dated in the period;
- ``documents``: documents of the period that mention the actor at least once;
- ``total_documents``: all documents of the period (of that outlet, with ``by="source"``);
- ``share = documents / total_documents``: the share of the period's coverage that mentions the
  actor, i.e. Media Cloud's *attention* ratio (``nan`` for a period without documents).

With ``roles=True``, being quoted is told apart from being mentioned (:func:`mediamon.quotes`):

- ``quotes``: direct quotations the actor speaks in documents of the period;
- ``quoted_documents``: documents of the period in which the actor is quoted at least once;
- ``quoted_share = quoted_documents / documents``: the share of the documents mentioning the actor
  that also quote it (``1 - quoted_share`` are mentioned only; ``nan`` when none mention it).

Every period between the first and the last dated document is present, also those with no
documents, so gaps show as gaps. Documents without a date cannot be placed in a period: they are
counted and reported (``Timeline.undated``, ``params['undated_documents']``, the HTML caption and a
log warning), never silently dropped.

``dedupe="exact"`` or ``"near"`` (:mod:`mediamon.analysis.duplicates`) counts each cluster of
repeated articles once: the folded documents and their mentions leave every count
(``Timeline.duplicates`` lists them).

Per shard, only the documents' metadata (dates, the ``by`` column) and the mentions are gathered
(no text is read); the counting runs once on the combined tables.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..actors import ActorSet
from ..errors import ColumnError, InputError
from ..options import check_dedupe, shared_docs
from ..partials import Part, combine
from ..results import Result
from ..shards import Source, as_source, doc_columns, map_shards, open_shard
from .cooc import actor_records
from .duplicates import dedupe_params, duplicate_documents, keep_per_shard, no_duplicates
from .mentions import META_TYPES, drop_folded, match_actors, mention_rows, shard_quotations, split_mentions

log = logging.getLogger(__name__)

__all__ = ["Timeline", "timeline"]

#: The largest table of periods × groups × actors a timeline builds (a guard against ``freq="min"``
#: over decades or ``by=`` a column with a value per document).
MAX_GRID = 5_000_000


@dataclass(frozen=True, eq=False, repr=False)
class Timeline(Result):
    """Counts per period, actor (and group).

    Attributes
    ----------
    df
        Columns ``period`` (the period's start, UTC), the *by* column if given, ``actor``,
        ``mentions``, ``documents``, ``total_documents``, ``share``. Without actors: ``period``,
        [*by*], ``documents``.
    pairs
        With ``pairs=True``: ``period``, [*by*], ``a``, ``b``, ``n_ab`` (sentences naming both),
        ``documents`` (documents with such a sentence); otherwise ``None``.
    undated
        Documents without a date, per actor: ``actor``, ``mentions``, ``documents`` (and a row
        ``actor=None`` with all undated documents).
    params
        The call, including ``undated_documents``.
    """

    undated: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairs: pd.DataFrame | None = None
    doc_periods: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    mentions: pd.DataFrame | None = field(default=None, repr=False)
    #: Documents left out by ``dedupe``: ``doc_id``, ``duplicate_of`` (and ``similarity``).
    duplicates: pd.DataFrame = field(default_factory=no_duplicates, repr=False)

    def __repr__(self) -> str:
        p = self.params
        return (
            f"<Timeline freq={p['freq']!r}: {p['periods']:,} periods, {len(self.df):,} rows, "
            f"{p['undated_documents']:,} undated documents>"
        )

    def caption(self) -> str:
        p = self.params
        text = f"Timeline per {p['freq']}: {p['periods']:,} periods"
        if p["undated_documents"]:
            text += f"; {p['undated_documents']:,} documents without a date are not placed in a period"
        return text

    def documents_of(self, period: object, actor: str | None = None) -> pd.DataFrame:
        """The documents behind one point: ``doc_id``, ``date``, ``source``, ``title`` of the
        period (mentioning *actor*, if given)."""
        start = pd.Timestamp(period)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        d = self.doc_periods
        d = d[d["period"] == start]
        if actor is not None and self.mentions is not None:
            rows = set(self.mentions.loc[self.mentions["actor"] == actor, "doc"].tolist())
            d = d[d["doc"].isin(rows)]
        return d.drop(columns=["doc", "period"]).reset_index(drop=True)


def _periods(dates: pd.Series, freq: str, call: str) -> pd.Series:
    naive = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    try:
        return naive.dt.to_period(freq)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(
            f"{call}: freq={freq!r} is not a pandas period alias ({exc}); use e.g. 'D', 'W', 'M', "
            "'Q' or 'Y'."
        ) from None


def task_timeline(
    source: Source, i: int, columns: tuple[str, ...], actors: ActorSet | None, given: pa.Table | None,
    speakers: ActorSet | None = None,
    keep: np.ndarray | None = None,
) -> Part:  # fmt: skip
    """Per shard: the selected (kept) documents' metadata, (optionally) their mention rows, and with
    *speakers* the speaker of each quotation."""
    shard = open_shard(source, i)
    table = shard.table(shard.selected, columns)
    docs = pa.table(
        {"doc": np.arange(shard.sizes.documents, dtype=np.int64),
         **{c: (table.column(c).cast(META_TYPES[c]) if c in META_TYPES else table.column(c)) for c in columns}}
    )  # fmt: skip
    if keep is not None:  # folded documents leave the table; the others keep their numbers
        docs = docs.filter(pa.array(np.asarray(keep, dtype=bool)))
    tables = {"docs": docs}
    numbering = {"docs": {"doc": "documents"}}
    if actors is not None or given is not None:
        m = given if given is not None else mention_rows(shard, actors, matched=False)  # type: ignore[arg-type]
        tables["mentions"] = drop_folded(m, keep).select(["doc", "actor", "sentence"])
        numbering["mentions"] = {"doc": "documents", "sentence": "sentences"}
    if speakers is not None:
        found = shard_quotations(shard, speakers, match_actors(shard, speakers)).quotes
        said = np.asarray([s is not None for s in found["speaker"]], dtype=bool)
        qdoc = shard.local_docs(np.asarray(found["doc"], dtype=np.int64)[said])
        quoted = pa.table({"doc": qdoc, "actor": pa.array(found["speaker"][said].tolist(), type=pa.string())})
        tables["quotes"] = drop_folded(quoted, keep)
        numbering["quotes"] = {"doc": "documents"}
    return Part(sizes=shard.sizes, tables=tables, numbering=numbering, shards=(shard.sizes,))


@shared_docs
def timeline(
    corpus: Source | str | os.PathLike[str],
    actors: Any = None,
    *,
    freq: str = "M",
    by: str | None = None,
    pairs: bool = False,
    roles: bool = False,
    dedupe: bool | str | Any = False,
    executor: object = None,
) -> Timeline:
    """Mentions and documents per period per actor, with the share of the period's documents.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either; documents need a ``date`` (undated ones are
        counted apart, see the module docstring).
    actors
        An :class:`~mediamon.actors.ActorSet`, an actors YAML path, a Mentions result, or ``None``
        for document counts only.
    freq
        A pandas period alias: ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"``, ``"Y"``.
    by
        A document column to split by (e.g. ``"source"``: per outlet); shares are then within the
        outlet's own documents of the period.
    pairs
        Also count co-mentions per period (sentences naming both actors) into ``Timeline.pairs``.
    roles
        Also count how often each actor is *quoted* (columns ``quotes``, ``quoted_documents``,
        ``quoted_share``; see the module docstring and :func:`mediamon.quotes`).
    {dedupe}
    {executor}

    Returns
    -------
    Timeline

    Examples
    --------
    >>> import mediamon as mm
    >>> tl = mm.timeline(mm.read_corpus("corpora/mm-sample"), "corpora/actors.yaml", freq="Y")
    >>> int(tl.df.loc[tl.df["actor"] == "minnikhanov", "mentions"].sum()), tl.params["undated_documents"]
    (103, 755)
    """
    call = "timeline()"
    source = as_source(corpus, call)
    if by is not None and (by not in doc_columns(source) or by == "text"):
        raise ColumnError(f"{call}: by={by!r} is not a document column; columns are {doc_columns(source)}.")
    _periods(pd.Series(pd.to_datetime([], utc=True)), freq, call)  # refuse a bad freq before any work
    columns = tuple(dict.fromkeys(("doc_id", "date", "source", "title", *([by] if by else []))))
    actor_set = found = None
    records: list[dict[str, Any]] = []
    if actors is not None:
        actor_set, _, records, found = actor_records(actors, call)
    mode = check_dedupe(dedupe, call)
    speakers = None
    if roles:
        speakers = actor_set if actor_set is not None else getattr(found, "actors", None)
        if speakers is None:
            raise InputError(
                f"{call}: roles=True needs the actor list to attribute quotations; pass an ActorSet or "
                "an actors YAML path (or mediamon.mentions(...) of one)."
            )
    given = split_mentions(found, source, call) if found is not None else None
    keep, dups = duplicate_documents(source, mode, executor=executor)
    keeps = keep_per_shard(source, keep)
    args = [(columns, actor_set, given[j] if given is not None else None, speakers, keeps[j]) for j in range(len(keeps))]
    part = combine(map_shards(source, task_timeline, args, executor=executor))  # type: ignore[arg-type]
    docs = part.tables["docs"].to_pandas() if "docs" in part.tables else pd.DataFrame({c: [] for c in ("doc", *columns)})
    m = part.tables["mentions"].to_pandas() if actors is not None and "mentions" in part.tables else None
    q = None
    if roles:
        q = part.tables["quotes"].to_pandas() if "quotes" in part.tables else pd.DataFrame({"doc": [], "actor": []})
    result = _count(docs, m, [r["id"] for r in records] if actors is not None else None,
                    freq=freq, by=by, pairs=pairs, name=source.name, call=call)  # fmt: skip
    if q is not None:
        result = _with_roles(result, q, docs)
    return Timeline(df=result.df, params={**result.params, **dedupe_params(mode, dups)}, undated=result.undated,
                    pairs=result.pairs, doc_periods=result.doc_periods, mentions=result.mentions, duplicates=dups)  # fmt: skip


def _with_roles(result: Timeline, q: pd.DataFrame, docs: pd.DataFrame) -> Timeline:
    """*result* with the quoted counts of the quotations *q* (``doc``, ``actor``: the speaker) of the
    documents *docs* (``doc``, the *by* column)."""
    by = result.params["by"]
    keys = [by] if by else []
    placed = q.merge(result.doc_periods[["doc", "period"]], on="doc", how="inner")
    if by:
        placed = placed.merge(docs[["doc", by]], on="doc", how="left")
    df = result.df.copy()
    if len(placed) and len(df):
        g = placed.groupby(["period", *keys, "actor"], sort=False, dropna=False)
        counts = pd.DataFrame({"quotes": g.size(), "quoted_documents": g["doc"].nunique()}).reset_index()
        counts["period"] = counts["period"].astype(df["period"].dtype)
        df = df.merge(counts, on=["period", *keys, "actor"], how="left")
    else:  # no quotation in a dated document
        df["quotes"] = df["quoted_documents"] = 0
    for col in ("quotes", "quoted_documents"):
        df[col] = df[col].fillna(0).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["quoted_share"] = np.where(df["documents"] > 0,
                                      df["quoted_documents"] / df["documents"].where(df["documents"] > 0, 1), np.nan)  # fmt: skip
    undated_q = q[~q["doc"].isin(result.doc_periods["doc"])]
    per_actor = undated_q.groupby("actor").size()
    undated = result.undated.copy()
    undated["quotes"] = [int(per_actor.get(a, 0)) if a is not None else int(len(undated_q)) for a in undated["actor"]]
    return Timeline(df=df, params={**result.params, "roles": True}, undated=undated, pairs=result.pairs,
                    doc_periods=result.doc_periods, mentions=result.mentions)  # fmt: skip


def _count(
    docs: pd.DataFrame, m: pd.DataFrame | None, actor_ids: list[str] | None, *,
    freq: str, by: str | None, pairs: bool, name: str, call: str,
) -> Timeline:  # fmt: skip
    """The timeline of the gathered documents (``doc``, dates, *by*) and mentions (``doc``, ``actor``,
    ``sentence``)."""
    dates = pd.to_datetime(docs["date"], utc=True)
    dated = dates.notna().to_numpy()
    per = _periods(dates[dated], freq, call)
    n_undated = int((~dated).sum())
    if n_undated:
        log.warning("%s: %d of %d documents have no date and are reported apart", call, n_undated, len(docs))
    keys = [by] if by else []
    dp = pd.DataFrame({"doc": docs["doc"].to_numpy()[dated], "period_p": per.to_numpy()})
    for k in keys:
        dp[k] = docs[k].to_numpy()[dated]
    full = pd.period_range(per.min(), per.max(), freq=per.dt.freq) if len(dp) else pd.PeriodIndex([], freq=freq)
    groups = [pd.unique(dp[k]) for k in keys]
    grid_size = len(full) * int(np.prod([len(g) for g in groups] or [1])) * max(len(actor_ids or []), 1)
    if grid_size > MAX_GRID:
        raise InputError(
            f"{call}: freq={freq!r}{f', by={by!r}' if by else ''} would build {grid_size:,} rows "
            f"(more than {MAX_GRID:,}); choose a longer period or a column with fewer values."
        )
    grid_index = pd.MultiIndex.from_product([full, *groups], names=["period_p", *keys])
    totals = dp.groupby(["period_p", *keys], sort=True, dropna=False).size().reindex(grid_index, fill_value=0)

    def start(p: pd.Series | pd.Index) -> pd.DatetimeIndex:
        # a tz-aware DatetimeIndex, not .to_numpy() of it (which makes one Timestamp object per row)
        return pd.PeriodIndex(p).start_time.tz_localize("UTC")

    pairs_df = None
    if actor_ids is None or m is None:
        df = totals.rename("documents").reset_index()
        df.insert(0, "period", start(pd.PeriodIndex(df["period_p"])))
        df = df.drop(columns="period_p")
        undated = pd.DataFrame({"actor": [None], "mentions": [0], "documents": [n_undated]})
        actor_ids = []
        m = None
    else:
        rows = m["doc"].to_numpy(dtype=np.int64)
        numbers = docs["doc"].to_numpy(dtype=np.int64)  # dedupe leaves gaps in the numbers
        doc_dated = np.zeros(int(numbers.max()) + 1 if numbers.size else 0, dtype=bool)
        doc_dated[numbers] = dated
        m_dated = doc_dated[rows] if len(m) else np.zeros(0, bool)
        md = m[m_dated].drop(columns=[k for k in keys if k in m.columns]).merge(dp, on="doc", how="left")
        g_m = md.groupby(["period_p", *keys, "actor"], sort=True, dropna=False)
        counts = pd.DataFrame({"mentions": g_m.size(), "documents": g_m["doc"].nunique()})
        grid = pd.MultiIndex.from_product([full, *groups, actor_ids], names=["period_p", *keys, "actor"])
        counts = counts.reindex(grid, fill_value=0).reset_index()
        tot = totals.rename("total_documents").reset_index()
        df = counts.merge(tot, on=["period_p", *keys], how="left")
        with np.errstate(invalid="ignore", divide="ignore"):
            df["share"] = np.where(df["total_documents"] > 0,
                                   df["documents"] / df["total_documents"].where(df["total_documents"] > 0, 1), np.nan)  # fmt: skip
        df.insert(0, "period", start(pd.PeriodIndex(df["period_p"])))
        df = df.drop(columns="period_p")
        for col in ("mentions", "documents", "total_documents"):
            df[col] = df[col].astype(np.int64)
        mu = m[~m_dated]
        g_u = mu.groupby("actor", sort=False)
        undated = pd.DataFrame({"mentions": g_u.size(), "documents": g_u["doc"].nunique()})
        undated = undated.reindex(actor_ids, fill_value=0).rename_axis("actor").reset_index()
        undated = pd.concat(
            [undated, pd.DataFrame({"actor": [None], "mentions": [int(len(mu))], "documents": [n_undated]})],
            ignore_index=True,
        )
        if pairs:
            pairs_df = _pairs_per_period(md, keys, start)
    doc_rows = dp["doc"].to_numpy()
    doc_periods = pd.DataFrame(
        {
            "doc": doc_rows,
            "period": start(pd.PeriodIndex(dp["period_p"])) if len(dp) else pd.DatetimeIndex([], tz="UTC"),
            "doc_id": docs["doc_id"].to_numpy()[dated] if len(dp) else [],  # by row: dedupe leaves gaps in "doc"
            "date": pd.DatetimeIndex(dates[dated]),
            "source": docs["source"].to_numpy()[dated] if len(dp) else [],
            "title": docs["title"].to_numpy()[dated] if len(dp) else [],
        }
    )
    params = {
        "call": "timeline", "freq": freq, "by": by, "pairs": bool(pairs), "actors": actor_ids,
        "periods": int(len(full)), "dated_documents": int(dated.sum()), "undated_documents": n_undated,
        "corpus": name,
    }  # fmt: skip
    return Timeline(df=df.reset_index(drop=True), params=params, undated=undated, pairs=pairs_df,
                    doc_periods=doc_periods, mentions=m)  # fmt: skip


def _pairs_per_period(md: pd.DataFrame, keys: list[str], start: Any) -> pd.DataFrame:
    """Sentences naming two actors, per period: one self-merge of (sentence, actor) rows."""
    cols = ["period_p", *keys, "doc", "sentence", "actor"]
    u = md[cols].drop_duplicates(["sentence", "actor"])
    both = u.merge(u[["sentence", "actor"]], on="sentence", suffixes=("_a", "_b"))
    both = both[both["actor_a"] < both["actor_b"]]
    g = both.groupby(["period_p", *keys, "actor_a", "actor_b"], sort=True, dropna=False)
    out = pd.DataFrame({"n_ab": g.size(), "documents": g["doc"].nunique()}).reset_index()
    out = out.rename(columns={"actor_a": "a", "actor_b": "b"})
    out.insert(0, "period", start(pd.PeriodIndex(out["period_p"])) if len(out) else out["period_p"])
    return out.drop(columns="period_p").astype({"n_ab": np.int64, "documents": np.int64})
