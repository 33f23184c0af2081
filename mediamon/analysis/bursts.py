"""Alerts on attention: when an actor's coverage suddenly rises (:func:`bursts`), and when two actors
are suddenly named together more than before (:func:`pair_trends`), each traced to its documents.

Bursts
    Built on :func:`mediamon.timeline`'s counts per period (``freq``) and actor (and group, with
    ``by=``). The series is the actor's *share*: ``share="documents"`` (default) counts documents
    that mention the actor out of all documents of the period (Media Cloud's attention);
    ``share="mentions"`` counts its mentions out of the mentions of every listed actor (share of
    voice). Two detectors (:mod:`mediamon.stats.bursts`):

    - ``method="kleinberg"`` (default): Kleinberg's (2002) automaton over the counts and totals of
      every period, two states by default (``levels`` adds nested levels); a burst is a maximal run
      of periods in a burst state, its strength Kleinberg's weight;
    - ``method="baseline"``: each period's count against the binomial expectation from the
      ``window`` periods before it; consecutive periods whose adjusted p-value is at most ``alpha``
      form one burst.

    One row per burst: actor, start, end, level, observed and expected counts. A burst resting on
    fewer than ``min_count`` documents (or mentions) is not reported: one article is an anecdote,
    not a burst. **Periods without documents are periods without data**, never zeros: they carry no
    evidence, are not tested and do not enter a baseline. Undated documents are reported apart
    (``Bursts.undated``), as the timeline reports them.

Rising pairs
    :func:`pair_trends` counts, per period, the units (sentences, paragraphs or documents) naming
    both actors of each pair (``n_ab``), each of them (``n_a``, ``n_b``) and all units (``n``),
    scores npmi, logDice and signed G² with confidence intervals (:func:`mediamon.stats.trends.
    association_ci`) and tests whether the association rises above the pooled baseline of the
    ``window`` periods before (:func:`mediamon.stats.trends.association_rise`, observed over
    expected co-occurrences, so a pair is not flagged merely because both actors are in the news
    more often). ``PairTrends.evidence(a, b, period)`` gives the units behind a period's count: the
    co-occurrence evidence (:meth:`mediamon.Cooc.evidence`) of that period's documents.

Every alert traces to its documents: ``Bursts.evidence(i)`` lists the documents behind burst *i*,
``Bursts.kwic(i)`` their concordance, ``Bursts.keywords(i)`` what the burst is about (keyness of the
burst's documents against those of the preceding baseline).

References
----------
Kleinberg, J. (2002). Bursty and hierarchical structure in streams. *KDD 2002*, 91–101.

Hutwagner, L. et al. (2003). The bioterrorism preparedness and response Early Aberration
Reporting System (EARS). *Journal of Urban Health* 80(S1), i89–i96 (rolling baselines).

Media Cloud (mediacloud.org): attention as the share of stories matching a query.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from ..actors import ActorSet, resolve_actors
from ..corpus import Corpus
from ..errors import InputError, NotFoundError
from ..options import Unit, check_choice, check_dedupe, check_min_count, check_unit, shared_docs
from ..partials import Part, combine
from ..plot import plot_bursts
from ..results import Result
from ..shards import Source, as_source, map_shards, open_shard, shard_count
from ..stats.adjust import ADJUST_METHODS
from ..stats.bursts import baseline_test, kleinberg
from ..stats.intervals import CI_METHODS
from ..stats.trends import association_ci, association_rise
from .cooc import Evidence, actor_records, cooccurrence
from .duplicates import dedupe_params, duplicate_documents, keep_per_shard
from .keyness import Keyness, keyness
from .kwic import Kwic, kwic
from .mentions import META_TYPES, mention_rows, split_mentions
from .timeline import Timeline, timeline

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["BURST_COLUMNS", "PAIR_TREND_COLUMNS", "Bursts", "PairTrends", "bursts", "pair_trends"]

METHODS: tuple[str, ...] = ("kleinberg", "baseline")
SHARES: tuple[str, ...] = ("documents", "mentions")

#: Columns of :attr:`Bursts.df` (the ``by`` column follows ``name`` when given).
BURST_COLUMNS: tuple[str, ...] = (
    "actor", "name", "level", "start", "end", "first_period", "last_period", "periods",
    "observed", "total", "expected", "ratio", "weight", "p_adjusted",
)  # fmt: skip

#: Columns of :attr:`PairTrends.df`.
PAIR_TREND_COLUMNS: tuple[str, ...] = (
    "a", "b", "period", "n_ab", "n_a", "n_b", "n", "expected",
    "npmi", "npmi_low", "npmi_high", "log_dice", "log_dice_low", "log_dice_high", "g2", "g2_low", "g2_high", "g2_p",
    "baseline_observed", "baseline_expected", "baseline_periods",
    "ratio", "log2_ratio", "log2_ratio_low", "log2_ratio_high", "p_value", "p_adjusted", "rising",
)  # fmt: skip


def _check_alpha(alpha: object, call: str) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < float(alpha) < 1:
        raise InputError(f"{call}: alpha={alpha!r} is invalid; pass a significance level in (0, 1), e.g. 0.05.")
    return float(alpha)


def _check_periods(window: object, min_periods: object, call: str) -> tuple[int, int | None]:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or int(window) < 1:
        raise InputError(f"{call}: window={window!r} is invalid; pass the number of baseline periods, an integer >= 1.")
    if min_periods is not None and (
        isinstance(min_periods, bool) or not isinstance(min_periods, (int, np.integer)) or not 1 <= int(min_periods) <= int(window)
    ):
        raise InputError(f"{call}: min_periods={min_periods!r} is invalid; pass None or an integer in [1, window={window}].")
    return int(window), None if min_periods is None else int(min_periods)


def _period_index(freq: str, call: str) -> pd.PeriodIndex:
    """An empty PeriodIndex of *freq*, or a clear error for a bad alias (before any work)."""
    try:
        return pd.PeriodIndex([], freq=freq)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(f"{call}: freq={freq!r} is not a pandas period alias ({exc}); use e.g. 'D', 'W', 'M', 'Q' or 'Y'.") from None


def _period_bounds(starts: pd.Series, freq: str) -> tuple[pd.Series, pd.Series]:
    """The first and last instant (UTC) of the periods starting at *starts*."""
    naive = pd.to_datetime(starts, utc=True).dt.tz_localize(None)
    per = naive.dt.to_period(freq)
    return per.dt.start_time.dt.tz_localize("UTC"), per.dt.end_time.dt.tz_localize("UTC")


def _actor_set(actors: Any) -> ActorSet | None:
    """The ActorSet behind an ``actors`` argument (a Mentions result carries its own)."""
    if hasattr(actors, "df"):
        return getattr(actors, "actors", None)
    return resolve_actors(actors)


def _doc_column(source: Source, column: str) -> np.ndarray:
    """One metadata column of *source* over its documents, in order (no text read)."""
    if isinstance(source, Corpus):
        return source.docs[column].to_numpy(dtype=object)
    return source.metadata([column])[column].to_numpy(dtype=object)


def _view(source: Source, mask: np.ndarray) -> Source:
    """The view of *source* holding the documents where *mask* is true."""
    return source.filter(np.asarray(mask, dtype=bool))


# ---------------------------------------------------------------------------------------------
# bursts
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Bursts(Result):
    """Bursts of attention: one row per burst (:data:`BURST_COLUMNS`).

    Attributes
    ----------
    df
        ``actor``, ``name``, [*by*], ``level`` (1 for the two-state automaton and the baseline test;
        higher levels nest inside lower ones), ``start`` and ``end`` (first and last instant of the
        burst, UTC), ``first_period``/``last_period`` (the periods' starts, as in the timeline),
        ``periods`` (periods with data inside), ``observed`` (documents or mentions of the actor),
        ``total`` (documents, or mentions of all actors), ``expected`` (at the series' base rate for
        Kleinberg, at the rolling baseline for the baseline test), ``ratio`` = observed / expected,
        ``weight`` (Kleinberg's weight, the cost the burst state saves; ``nan`` for the baseline
        test) and ``p_adjusted`` (the smallest adjusted p-value of the burst's periods; ``nan`` for
        Kleinberg). Sorted by actor (in the list's order), group, level and start.
    series
        One row per period (and group) and actor: ``period``, [*by*], ``actor``, ``count``,
        ``total``, ``share`` (``nan`` for a period without data) and the detector's output:
        ``state`` (Kleinberg) or ``expected``, ``p_value``, ``p_adjusted`` (baseline).
    undated
        As :attr:`mediamon.Timeline.undated`: documents without a date, which no burst can hold.
    timeline
        The :class:`~mediamon.Timeline` the counts come from.
    """

    series: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    undated: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    timeline: Timeline | None = field(default=None, repr=False)
    source: Any = field(default=None, repr=False)
    actor_set: ActorSet | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        p = self.params
        return f"<Bursts {p['method']} per {p['freq']!r}: {len(self.df):,} bursts of {len(p['actors']):,} actors>"

    def caption(self) -> str:
        p = self.params
        text = (
            f"Bursts of attention ({p['method']}, share of {p['share']} per {p['freq']}): {len(self.df):,} bursts "
            f"of {self.df['actor'].nunique() if len(self.df) else 0:,} actors, at least {p['min_count']} {p['share']} each"
        )
        if p["undated_documents"]:
            text += f"; {p['undated_documents']:,} documents without a date are not placed in a period"
        return text

    def _row(self, burst: int, call: str) -> pd.Series:
        if isinstance(burst, bool) or not isinstance(burst, (int, np.integer)) or not 0 <= int(burst) < len(self.df):
            raise NotFoundError(f"{call}: burst={burst!r} is not a row of this table (0 to {len(self.df) - 1}).")
        return self.df.iloc[int(burst)]

    def _docs_in(self, first: pd.Timestamp, last: pd.Timestamp, actor: str | None, group: Any) -> pd.DataFrame:
        """The documents of periods ``[first, last]`` (of *group*), mentioning *actor* if given."""
        assert self.timeline is not None
        d = self.timeline.doc_periods
        d = d[(d["period"] >= first) & (d["period"] <= last)]
        by = self.params.get("by")
        if by is not None:
            values = pd.Series(_doc_column(self.source, by)[d["doc"].to_numpy(dtype=np.int64)], index=d.index)
            d = d[values.isna()] if pd.isna(group) else d[values == group]  # documents without a value are a group too
        counts = None
        if actor is not None:
            m = self.timeline.mentions
            mine = m.loc[m["actor"] == actor, "doc"] if m is not None else pd.Series([], dtype=np.int64)
            counts = mine.value_counts()
            d = d[d["doc"].isin(counts.index)]
        out = d.drop(columns=["period"]).copy()
        out["mentions"] = out["doc"].map(counts).fillna(0).astype(np.int64) if counts is not None else 0
        return out.sort_values(["date", "doc"], kind="stable").reset_index(drop=True)

    def evidence(self, burst: int) -> pd.DataFrame:
        """The documents behind burst *burst* (a row number of ``df``): those of its periods that
        mention the actor, with ``doc_id``, ``date``, ``source``, ``title`` and ``mentions`` (the
        actor's mentions in the document), by date. With ``share="documents"`` there are exactly
        ``observed`` of them; with ``share="mentions"`` their ``mentions`` add up to ``observed``."""
        row = self._row(burst, "Bursts.evidence()")
        by = self.params.get("by")
        docs = self._docs_in(row["first_period"], row["last_period"], row["actor"], row[by] if by else None)
        return docs.drop(columns=["doc"])

    def kwic(self, burst: int, *, window: int | tuple[int, int] = 5) -> Kwic:
        """The concordance of the actor in the documents of burst *burst* (its aliases, as
        :func:`mediamon.kwic` with ``actors=``)."""
        row = self._row(burst, "Bursts.kwic()")
        if self.actor_set is None:
            raise InputError("Bursts.kwic(): the actor list is unknown (bursts of a table of mentions); pass the actors.")
        by = self.params.get("by")
        docs = self._docs_in(row["first_period"], row["last_period"], row["actor"], row[by] if by else None)
        mask = np.zeros(len(self.source), dtype=bool)
        mask[docs["doc"].to_numpy(dtype=np.int64)] = True
        return kwic(_view(self.source, mask), row["actor"], actors=self.actor_set, window=window)

    def keywords(
        self, burst: int, *, reference: Literal["actor", "all"] = "actor", baseline: int | None = None,
        measure: str = "g2", min_count: int = 3, stopwords: str | list[str] | None = "english", **options: Any,
    ) -> Keyness:  # fmt: skip
        """What burst *burst* is about: the keyness of its documents (those mentioning the actor)
        against the documents of the *baseline* periods before it (default: the call's ``window``).

        ``reference="actor"`` (default) compares with the baseline documents that mention the actor
        (what is new in its coverage), falling back to all baseline documents when none does (a new
        actor); ``"all"`` compares with all of them; with no baseline document at all (a burst at
        the start of the corpus), the rest of the corpus is the reference. ``params['reference']``
        says which was used. Other options go to :func:`mediamon.keyness`.
        """
        call = "Bursts.keywords()"
        row = self._row(burst, call)
        check_choice(reference, "reference", ("actor", "all"), call)
        periods, _ = _check_periods(self.params["window"] if baseline is None else baseline, None, call)
        by = self.params.get("by")
        group = row[by] if by else None
        freq = self.params["freq"]
        first = pd.Period(pd.Timestamp(row["first_period"]).tz_localize(None), freq=freq)
        base_first = (first - periods).start_time.tz_localize("UTC")
        base_last = (first - 1).start_time.tz_localize("UTC")
        target_docs = self._docs_in(row["first_period"], row["last_period"], row["actor"], group)
        n = len(self.source)
        target_mask = np.zeros(n, dtype=bool)
        target_mask[target_docs["doc"].to_numpy(dtype=np.int64)] = True
        label = f"{row['actor']} {_span_label(row, freq)}"
        chosen = self._docs_in(base_first, base_last, row["actor"] if reference == "actor" else None, group)
        used = f"documents mentioning {row['actor']}" if reference == "actor" else "all documents"
        if reference == "actor" and chosen.empty:
            chosen, used = self._docs_in(base_first, base_last, None, group), "all documents"
        ref_label = f"{used} of the {periods} periods before"
        target = _view(self.source, target_mask)
        if chosen.empty:
            return keyness(self.source, target, None, measure=measure, min_count=min_count, stopwords=stopwords,
                           target_label=label, reference_label=f"rest of {self.source.name} (no baseline document)",
                           **options)  # fmt: skip
        ref_mask = np.zeros(n, dtype=bool)
        ref_mask[chosen["doc"].to_numpy(dtype=np.int64)] = True
        return keyness(self.source, target, _view(self.source, ref_mask), measure=measure, min_count=min_count,
                       stopwords=stopwords, target_label=label, reference_label=ref_label, **options)  # fmt: skip

    def plot(self, *, actors: list[str] | None = None, value: Literal["share", "count"] = "share", ax: Axes | None = None) -> Axes:
        """The series with the bursts shaded (:func:`mediamon.plot.plot_bursts`)."""
        return plot_bursts(self, actors=actors, value=value, ax=ax)


def _span_label(row: pd.Series, freq: str) -> str:
    first, last = pd.Timestamp(row["first_period"]), pd.Timestamp(row["last_period"])
    fmt = "%Y" if freq.upper().startswith(("Y", "A")) else "%Y-%m" if freq.upper().startswith(("M", "Q")) else "%Y-%m-%d"
    return f"{first:{fmt}}" if first == last else f"{first:{fmt}} to {last:{fmt}}"


def _runs(flagged: np.ndarray, has_data: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``(first, last)`` of flagged periods, consecutive among the periods with data."""
    data = np.flatnonzero(has_data)
    marks = flagged[data]
    if not marks.any():
        return []
    edges = np.diff(np.concatenate(([0], marks.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(int(data[a]), int(data[b])) for a, b in zip(starts, ends)]


@shared_docs
def bursts(
    corpus: Source | str | os.PathLike[str],
    actors: Any,
    *,
    freq: str = "M",
    by: str | None = None,
    method: Literal["kleinberg", "baseline"] = "kleinberg",
    share: Literal["documents", "mentions"] = "documents",
    s: float = 2.0,
    gamma: float = 1.0,
    levels: int = 1,
    window: int = 8,
    min_periods: int | None = None,
    alpha: float = 0.05,
    adjust: str = "bh",
    min_count: int = 2,
    executor: object = None,
) -> Bursts:
    """The periods where an actor's share of the coverage rises above its usual level.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either; documents need a ``date``.
    actors
        An :class:`~mediamon.actors.ActorSet`, an actors YAML path, or a Mentions result of *corpus*.
    freq
        A pandas period alias: ``"D"``, ``"W"`` (weeks from Monday), ``"M"`` (default), ``"Q"``, ``"Y"``.
    by
        A document column (e.g. ``"source"``): one series per actor and group, shares within the
        group's own documents.
    method
        ``"kleinberg"`` (default: Kleinberg's automaton) or ``"baseline"`` (rolling-baseline test).
    share
        ``"documents"`` (documents mentioning the actor / documents of the period; default) or
        ``"mentions"`` (its mentions / the mentions of every listed actor; needs two actors or more).
    s, gamma, levels
        Kleinberg's rate ratio of a burst state (``> 1``, default 2), cost of moving up a level in
        units of ``ln n`` (default 1) and number of burst levels (default 1: the two-state automaton);
        see :func:`mediamon.stats.bursts.kleinberg`.
    window, min_periods
        The baseline: the periods before each one (default 8) and how many of them need data
        (default: all). Used by the baseline test and by :meth:`Bursts.keywords`.
    alpha, adjust
        The baseline test flags a period whose p-value, adjusted over every tested period of every
        series (``"bh"``, ``"by"``, ``"bonferroni"``, ``"none"``), is at most *alpha*.
    min_count
        Report only bursts of at least this many documents (or mentions) (default 2).
    {executor}

    Returns
    -------
    Bursts
        One row per burst; :meth:`Bursts.evidence`, :meth:`Bursts.kwic` and
        :meth:`Bursts.keywords` trace it to its documents.

    Examples
    --------
    >>> import mediamon as mm
    >>> corpus = mm.read_corpus("corpora/mm-sample/mm_sample_v1.jsonl")
    >>> b = mm.bursts(corpus, "corpora/actors.yaml", freq="Y")
    >>> b.df[["actor", "first_period", "observed"]].astype(str).values.tolist()[1:]
    [['tatarstan', '2019-01-01 00:00:00+00:00', '15'], ['kazan', '2019-01-01 00:00:00+00:00', '19']]
    >>> len(b.evidence(2))  # the documents of 2019 that mention Kazan
    19
    """
    call = "bursts()"
    source = as_source(corpus, call)
    check_choice(method, "method", METHODS, call)
    check_choice(share, "share", SHARES, call)
    check_choice(adjust, "adjust", ADJUST_METHODS, call)
    alpha = _check_alpha(alpha, call)
    window, min_periods = _check_periods(window, min_periods, call)
    min_count = check_min_count(min_count, call)
    _period_index(freq, call)
    if method == "kleinberg":
        kleinberg(np.zeros(1), np.ones(1), s=s, gamma=gamma, levels=levels)  # refuse bad options before any work
    tl = timeline(source, actors, freq=freq, by=by, executor=executor)
    actor_ids: list[str] = list(tl.params["actors"])
    if share == "mentions" and len(actor_ids) < 2:
        raise InputError(
            f"{call}: share='mentions' is an actor's share of the mentions of all listed actors; with "
            f"{len(actor_ids)} actor it is always 1. Pass two actors or more, or share='documents'."
        )
    names = _names(actors, actor_ids)
    df = tl.df
    periods = pd.DatetimeIndex(pd.unique(df["period"])).sort_values() if len(df) else pd.DatetimeIndex([], tz="UTC")
    groups = list(pd.unique(df[by])) if by and len(df) else [None]
    n_p, n_g, n_a = len(periods), len(groups), len(actor_ids)
    count = np.zeros((n_a, n_g, n_p))
    total = np.zeros((n_a, n_g, n_p))
    if len(df):
        pi = periods.get_indexer(pd.DatetimeIndex(df["period"]))
        gi = pd.Index(groups).get_indexer(df[by]) if by else np.zeros(len(df), dtype=np.int64)
        ai = pd.Index(actor_ids).get_indexer(df["actor"])
        count[ai, gi, pi] = df["documents" if share == "documents" else "mentions"].to_numpy(dtype=np.float64)
        if share == "documents":
            total[ai, gi, pi] = df["total_documents"].to_numpy(dtype=np.float64)
        else:
            total[:] = count.sum(axis=0, keepdims=True)
    r, d = count.reshape(n_a * n_g, n_p), total.reshape(n_a * n_g, n_p)
    series = _series_frame(periods, groups, actor_ids, by, r, d)
    rows: list[dict[str, Any]] = []
    if n_p:
        if method == "kleinberg":
            found = kleinberg(r, d, s=s, gamma=gamma, levels=levels)
            series["state"] = found.states.reshape(-1)
            for b in found.bursts.itertuples(index=False):
                rows.append({"series": int(b.series), "level": int(b.level), "first": int(b.start), "last": int(b.end),
                             "periods": int(b.periods), "observed": float(b.observed), "total": float(b.total),
                             "expected": float(b.expected), "weight": float(b.weight), "p_adjusted": np.nan})  # fmt: skip
        else:
            test = baseline_test(r, d, window=window, min_periods=min_periods, method="binomial", adjust=adjust)  # type: ignore[arg-type]
            for key in ("expected", "p_value", "p_adjusted"):
                series[key] = test[key].reshape(-1)
            flagged = np.nan_to_num(test["p_adjusted"], nan=1.0) <= alpha
            for k in range(r.shape[0]):
                for first, last in _runs(flagged[k], d[k] > 0):
                    inside = flagged[k, first : last + 1]
                    rows.append({"series": k, "level": 1, "first": first, "last": last, "periods": int(inside.sum()),
                                 "observed": float(r[k, first : last + 1][inside].sum()),
                                 "total": float(d[k, first : last + 1][inside].sum()),
                                 "expected": float(test["expected"][k, first : last + 1][inside].sum()),
                                 "weight": np.nan, "p_adjusted": float(np.nanmin(test["p_adjusted"][k, first : last + 1]))})  # fmt: skip
    table = _bursts_frame(rows, periods, groups, actor_ids, names, by, freq, min_count)
    params = {
        "call": "bursts", "method": method, "share": share, "freq": freq, "by": by, "s": s, "gamma": gamma,
        "levels": levels, "window": window, "min_periods": min_periods, "alpha": alpha, "adjust": adjust,
        "min_count": min_count, "actors": actor_ids, "periods": n_p,
        "dated_documents": tl.params["dated_documents"], "undated_documents": tl.params["undated_documents"],
        "corpus": source.name,
    }  # fmt: skip
    return Bursts(df=table, params=params, series=series, undated=tl.undated, timeline=tl, source=source,
                  actor_set=_actor_set(actors))  # fmt: skip


def _names(actors: Any, actor_ids: list[str]) -> dict[str, str]:
    records = actor_records(actors, "bursts()")[2]
    return {r["id"]: str(r["name"]) for r in records} | {a: a for a in actor_ids if a not in {r["id"] for r in records}}


def _series_frame(
    periods: pd.DatetimeIndex, groups: list[Any], actor_ids: list[str], by: str | None, r: np.ndarray, d: np.ndarray
) -> pd.DataFrame:
    n_a, n_g, n_p = len(actor_ids), len(groups), len(periods)
    out = pd.DataFrame(
        {
            "period": np.tile(np.asarray(periods), n_a * n_g),
            **({by: np.tile(np.repeat(np.asarray(groups, dtype=object), n_p), n_a)} if by else {}),
            "actor": np.repeat(np.asarray(actor_ids, dtype=object), n_g * n_p),
            "count": r.reshape(-1).astype(np.int64),
            "total": d.reshape(-1).astype(np.int64),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(d.reshape(-1) > 0, r.reshape(-1) / np.where(d.reshape(-1) > 0, d.reshape(-1), 1), np.nan)
    if n_p:
        out["period"] = pd.to_datetime(out["period"], utc=True)
    return out


def _bursts_frame(
    rows: list[dict[str, Any]], periods: pd.DatetimeIndex, groups: list[Any], actor_ids: list[str],
    names: dict[str, str], by: str | None, freq: str, min_count: int,
) -> pd.DataFrame:  # fmt: skip
    columns = list(BURST_COLUMNS)
    if by:
        columns.insert(2, by)
    raw = pd.DataFrame(rows, columns=["series", "level", "first", "last", "periods", "observed", "total",
                                      "expected", "weight", "p_adjusted"])  # fmt: skip
    raw = raw[raw["observed"] >= max(min_count, 1)].reset_index(drop=True)
    n_g = len(groups)
    first = pd.Series(periods[raw["first"].to_numpy(dtype=np.int64)] if len(raw) else pd.DatetimeIndex([], tz="UTC"))
    last = pd.Series(periods[raw["last"].to_numpy(dtype=np.int64)] if len(raw) else pd.DatetimeIndex([], tz="UTC"))
    start, _ = _period_bounds(first, freq) if len(raw) else (first, first)
    _, end = _period_bounds(last, freq) if len(raw) else (last, last)
    actor = np.asarray(actor_ids, dtype=object)[raw["series"].to_numpy(dtype=np.int64) // n_g] if len(raw) else []
    out = pd.DataFrame(
        {
            "actor": pd.Series(actor, dtype=object),
            "name": pd.Series([names.get(a, a) for a in actor], dtype=object),
            **({by: pd.Series(np.asarray(groups, dtype=object)[raw["series"].to_numpy(dtype=np.int64) % n_g]
                              if len(raw) else [], dtype=object)} if by else {}),
            "level": raw["level"].astype(np.int64),
            "start": start,
            "end": end,
            "first_period": first,
            "last_period": last,
            "periods": raw["periods"].astype(np.int64),
            "observed": raw["observed"].round().astype(np.int64),
            "total": raw["total"].round().astype(np.int64),
            "expected": raw["expected"].astype(np.float64),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["observed"] / out["expected"]
    out["weight"] = raw["weight"].astype(np.float64)
    out["p_adjusted"] = raw["p_adjusted"].astype(np.float64)
    order = [pd.Index(actor_ids).get_indexer(out["actor"]), *( [pd.Index(groups).get_indexer(out[by])] if by else []),
             out["level"].to_numpy(), out["first_period"].to_numpy()]  # fmt: skip
    out = out.iloc[np.lexsort(order[::-1])].reset_index(drop=True) if len(out) else out
    return out[columns]


# ---------------------------------------------------------------------------------------------
# rising pairs
# ---------------------------------------------------------------------------------------------
_UNIT_COLUMN = {"sentence": "sentence", "paragraph": "paragraph", "document": "doc"}
_UNIT_SIZE = {"sentence": "sentences", "paragraph": "paragraphs", "document": "documents"}


@dataclass(frozen=True, eq=False, repr=False)
class PairTrends(Result):
    """Association of actor pairs per period, with intervals and rises above the baseline.

    Attributes
    ----------
    df
        One row per pair (``a < b`` by id; pairs that co-occur at least once in a dated document)
        and period (:data:`PAIR_TREND_COLUMNS`): the period's counts ``n_ab``, ``n_a``, ``n_b``,
        ``n`` (units), ``expected`` (``n_a n_b / n``); ``npmi``, ``log_dice`` and signed ``g2`` each
        with ``_low``/``_high`` (the interval of :func:`mediamon.stats.trends.association_ci`) and
        ``g2_p``; the rise test (:func:`mediamon.stats.trends.association_rise`):
        ``baseline_observed``, ``baseline_expected``, ``baseline_periods``, ``ratio`` (observed over
        expected, relative to the baseline's), ``log2_ratio`` with its interval, ``p_value``,
        ``p_adjusted``; and ``rising``: adjusted p at most ``alpha`` and ``n_ab >= min_count``.
        Periods without documents have ``n = 0`` and ``nan`` scores.
    periods
        One row per period: ``period``, ``documents``, ``units``.
    undated
        Per pair named together anywhere, the counts in documents without a date (``a``, ``b``,
        ``n_ab``, ``n_a``, ``n_b``, ``n``), which no period holds.
    """

    periods: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    undated: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    source: Any = field(default=None, repr=False)
    actor_set: ActorSet | None = field(default=None, repr=False)
    doc_periods: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    keep: np.ndarray | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        p = self.params
        return f"<PairTrends per {p['freq']!r} ({p['unit']}): {p['pairs']:,} pairs, {int(self.df['rising'].sum()):,} rises>"

    def caption(self) -> str:
        p = self.params
        text = (
            f"Pair trends per {p['freq']} ({p['unit']}s): {p['pairs']:,} pairs over {p['n_periods']:,} periods, "
            f"{int(self.df['rising'].sum()) if len(self.df) else 0:,} rises above the {p['window']}-period baseline "
            f"(adjusted p <= {p['alpha']})"
        )
        if p["undated_documents"]:
            text += f"; {p['undated_documents']:,} documents without a date are not placed in a period"
        return text

    def rising(self) -> pd.DataFrame:
        """The flagged rows (a pair in a period), strongest rise first."""
        flagged = self.df[self.df["rising"]]
        return flagged.sort_values(["p_adjusted", "log2_ratio"], ascending=[True, False], kind="stable").reset_index(drop=True)

    def pair(self, a: str, b: str) -> pd.DataFrame:
        """The rows of one pair, by period."""
        lo, hi = sorted((a, b))
        return self.df[(self.df["a"] == lo) & (self.df["b"] == hi)].reset_index(drop=True)

    def evidence(self, a: str, b: str, period: object, *, limit: int | None = None, width: int | None = 120) -> Evidence:
        """The units behind ``n_ab`` of pair *a*–*b* in *period* (a period start, as in ``df``): the
        co-occurrence evidence (:meth:`mediamon.Cooc.evidence`) of that period's documents, so its
        length is that row's ``n_ab``."""
        call = "PairTrends.evidence()"
        if self.actor_set is None or self.source is None:
            raise InputError(f"{call}: the actor list is unknown (trends of a table of mentions); pass the actors.")
        start = pd.Timestamp(period)
        start = start.tz_localize("UTC") if start.tzinfo is None else start.tz_convert("UTC")
        starts = pd.DatetimeIndex(self.periods["period"])
        at = starts.get_indexer([start])[0]
        if at < 0:
            raise NotFoundError(f"{call}: period={period!r} is not a period of this table; periods start at e.g. {starts[:3].tolist()}.")
        mask = self.doc_periods == at
        if self.keep is not None:
            mask &= self.keep
        co = cooccurrence(_view(self.source, mask), self.actor_set, unit=self.params["unit"])  # type: ignore[arg-type]
        return co.evidence(a, b, limit=limit, width=width)


def task_pair_units(
    source: Source, i: int, actors: ActorSet | None, given: pa.Table | None, unit: str, keep: np.ndarray | None
) -> Part:
    """Per shard: each selected document's date and number of units (0 when dedupe leaves it out),
    and its mention rows (document, actor, unit)."""
    shard = open_shard(source, i)
    ix = shard.index
    sel = shard.selected
    if unit == "sentence":
        units = np.bincount(np.asarray(ix.sent_doc, dtype=np.int64), minlength=ix.n_docs)[sel]
    elif unit == "paragraph":
        units = np.bincount(np.asarray(ix.para_doc, dtype=np.int64), minlength=ix.n_docs)[sel]
    else:
        units = np.ones(sel.size, dtype=np.int64)
    if keep is not None:
        units = np.where(keep, units, 0)
    date = shard.table(sel, ("date",)).column("date").cast(META_TYPES["date"])
    docs = pa.table({"doc": pa.array(np.arange(sel.size, dtype=np.int64)), "date": date,
                     "units": pa.array(units.astype(np.int64))})  # fmt: skip
    m = given if given is not None else mention_rows(shard, actors, matched=False)  # type: ignore[arg-type]
    if keep is not None and m.num_rows:
        m = m.filter(pa.array(keep[m.column("doc").to_numpy()]))
    mentions = pa.table({"doc": m.column("doc"), "actor": m.column("actor"),
                         "unit": m.column(_UNIT_COLUMN[unit]).cast(pa.int64())})  # fmt: skip
    return Part(
        sizes=shard.sizes,
        tables={"docs": docs, "mentions": mentions},
        numbering={"docs": {"doc": "documents"}, "mentions": {"doc": "documents", "unit": _UNIT_SIZE[unit]}},
        shards=(shard.sizes,),
    )


@shared_docs
def pair_trends(
    corpus: Source | str | os.PathLike[str],
    actors: Any,
    *,
    unit: Unit = "sentence",
    freq: str = "M",
    window: int = 8,
    min_periods: int | None = None,
    confidence: float = 0.95,
    ci_method: str = "wilson",
    alpha: float = 0.05,
    adjust: str = "bh",
    min_count: int = 2,
    dedupe: bool | str = False,
    executor: object = None,
) -> PairTrends:
    """Per period, how strongly each pair of actors is associated, and when that rises.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either; documents need a ``date``.
    actors
        An :class:`~mediamon.actors.ActorSet`, an actors YAML path, or a Mentions result of *corpus*.
    {unit}
    freq
        A pandas period alias (``"W"``, ``"M"`` (default), ``"Q"``, ``"Y"``, ...).
    window, min_periods
        The baseline of the rise test: the periods before each one (default 8) and how many of them
        need data (default: all).
    confidence, ci_method
        Level and method (``"wilson"`` or ``"exact"``) of the intervals.
    alpha, adjust
        A pair's period is flagged (``rising``) when the rise test's p-value, adjusted over every
        tested period of every pair (``"bh"``, ``"by"``, ``"bonferroni"``, ``"none"``), is at most
        *alpha* ...
    min_count
        ... and the pair shares at least this many units in the period (default 2).
    {dedupe}
    {executor}

    Returns
    -------
    PairTrends
        See :data:`PAIR_TREND_COLUMNS`; :meth:`PairTrends.rising` lists the flags and
        :meth:`PairTrends.evidence` the units behind one.

    Examples
    --------
    >>> import mediamon as mm
    >>> corpus = mm.read_corpus("corpora/mm-sample/mm_sample_v1.jsonl")
    >>> pt = mm.pair_trends(corpus, "corpora/actors.yaml", freq="Y", window=3, min_periods=1)
    >>> pt.pair("putin", "russia")[["n_ab", "n_a", "n_b", "n"]].head(2).values.tolist()  # 2000, 2001
    [[9, 64, 41, 234], [11, 41, 35, 188]]
    >>> len(pt.evidence("putin", "russia", "2000-01-01"))
    9
    """
    call = "pair_trends()"
    source = as_source(corpus, call)
    check_unit(unit, call)
    window, min_periods = _check_periods(window, min_periods, call)
    check_choice(ci_method, "ci_method", CI_METHODS, call)
    check_choice(adjust, "adjust", ADJUST_METHODS, call)
    alpha = _check_alpha(alpha, call)
    min_count = check_min_count(min_count, call)
    if not 0 < float(confidence) < 1:
        raise InputError(f"{call}: confidence={confidence!r} is invalid; pass a level in (0, 1), e.g. 0.95.")
    _period_index(freq, call)
    mode = check_dedupe(dedupe, call)
    actor_set, _, records, found = actor_records(actors, call)
    actor_ids = [r["id"] for r in records]
    k = len(actor_ids)
    given = split_mentions(found, source, call) if found is not None else None
    keep, dups = duplicate_documents(source, mode, executor=executor)
    keeps = keep_per_shard(source, keep)
    args = [(actor_set, None if given is None else given[j], unit, keeps[j]) for j in range(shard_count(source))]
    part = combine(map_shards(source, task_pair_units, args, executor=executor))
    docs, m = part.tables["docs"], part.tables["mentions"]

    dates = pd.to_datetime(docs.column("date").to_pandas(), utc=True)
    dated = dates.notna().to_numpy()
    naive = dates[dated].dt.tz_convert("UTC").dt.tz_localize(None)
    per = naive.dt.to_period(freq)
    full = pd.period_range(per.min(), per.max(), freq=per.dt.freq) if dated.any() else pd.PeriodIndex([], freq=freq)
    n_p = len(full)
    bucket = np.full(len(dates), n_p, dtype=np.int64)  # the last bucket: undated documents
    if n_p:
        bucket[dated] = _offsets(per, full)
    units_per_doc = docs.column("units").to_numpy().astype(np.int64)
    n = np.bincount(bucket, weights=units_per_doc, minlength=n_p + 1).astype(np.int64)
    n_docs = np.bincount(bucket, weights=(units_per_doc > 0).astype(np.int64), minlength=n_p + 1).astype(np.int64)

    codes = pd.Index(actor_ids).get_indexer(m.column("actor").to_pandas())
    if (codes < 0).any():
        raise InputError(f"{call}: the mentions name actors that are not in the actor list.")
    unit_ids = m.column("unit").to_numpy().astype(np.int64)
    doc_of = m.column("doc").to_numpy().astype(np.int64)
    n_a, n_ab = _unit_pair_counts(unit_ids, codes.astype(np.int64), bucket[doc_of], k, n_p + 1)

    ia, ib = np.triu_indices(k, 1)
    ids = np.asarray(actor_ids, dtype=object)
    swap = ids[ia] > ids[ib]
    ia, ib = np.where(swap, ib, ia), np.where(swap, ia, ib)  # a < b by id, as cooccurrence()
    pair_ab = n_ab[:, np.minimum(ia, ib), np.maximum(ia, ib)].T  # (pairs, buckets)
    anywhere = pair_ab.sum(axis=1) > 0
    undated = pd.DataFrame({"a": ids[ia[anywhere]].astype(object), "b": ids[ib[anywhere]].astype(object),
                            "n_ab": pair_ab[anywhere, n_p].astype(np.int64), "n_a": n_a[n_p, ia[anywhere]].astype(np.int64),
                            "n_b": n_a[n_p, ib[anywhere]].astype(np.int64),
                            "n": np.full(int(anywhere.sum()), n[n_p], dtype=np.int64)})  # fmt: skip
    present = pair_ab[:, :n_p].sum(axis=1) > 0
    ia, ib, pair_ab = ia[present], ib[present], pair_ab[present]
    dated_ab, dated_a, dated_b = pair_ab[:, :n_p], n_a[:n_p, ia].T, n_a[:n_p, ib].T
    dated_n = np.broadcast_to(n[:n_p], dated_ab.shape)
    ci = association_ci(dated_ab, dated_a, dated_b, dated_n, confidence=confidence, method=ci_method)  # type: ignore[arg-type]
    rise = association_rise(dated_ab, dated_a, dated_b, dated_n, window=window, min_periods=min_periods,
                            confidence=confidence, method=ci_method, adjust=adjust)  # type: ignore[arg-type]
    n_pairs = int(ia.size)
    starts = pd.DatetimeIndex(full.start_time).tz_localize("UTC") if n_p else pd.DatetimeIndex([], tz="UTC")
    frame = {
        "a": np.repeat(ids[ia], n_p).astype(object), "b": np.repeat(ids[ib], n_p).astype(object),
        "period": np.tile(np.asarray(starts), n_pairs),
        "n_ab": dated_ab.reshape(-1), "n_a": dated_a.reshape(-1), "n_b": dated_b.reshape(-1),
        "n": np.asarray(dated_n).reshape(-1),
    }  # fmt: skip
    for key in ("expected", "npmi", "npmi_low", "npmi_high", "log_dice", "log_dice_low", "log_dice_high",
                "g2", "g2_low", "g2_high", "g2_p"):  # fmt: skip
        frame[key] = np.asarray(ci[key], dtype=np.float64).reshape(-1)
    for key in ("baseline_observed", "baseline_expected", "baseline_periods", "ratio", "log2_ratio",
                "log2_ratio_low", "log2_ratio_high", "p_value", "p_adjusted"):  # fmt: skip
        frame[key] = np.asarray(rise[key], dtype=np.float64).reshape(-1)
    df = pd.DataFrame(frame)
    if n_pairs and n_p:
        df["period"] = pd.to_datetime(df["period"], utc=True)
    else:
        df["period"] = pd.Series([], dtype="datetime64[ns, UTC]")
    for col in ("n_ab", "n_a", "n_b", "n"):
        df[col] = df[col].astype(np.int64)
    df["rising"] = (np.nan_to_num(df["p_adjusted"].to_numpy(), nan=1.0) <= alpha) & (df["n_ab"].to_numpy() >= max(min_count, 1))
    df = df[list(PAIR_TREND_COLUMNS)]
    periods = pd.DataFrame({"period": pd.Series(starts, dtype="datetime64[ns, UTC]"),
                            "documents": n_docs[:n_p], "units": n[:n_p]})  # fmt: skip
    n_undated = int((~dated).sum())
    params = {
        "call": "pair_trends", "unit": unit, "freq": freq, "window": window, "min_periods": min_periods,
        "confidence": confidence, "ci_method": ci_method, "alpha": alpha, "adjust": adjust, "min_count": min_count,
        **dedupe_params(mode, dups), "actors": actor_ids, "pairs": n_pairs,
        "n_periods": n_p, "dated_documents": int(dated.sum()), "undated_documents": n_undated,
        "corpus": source.name, "fingerprint": source.fingerprint,
    }  # fmt: skip
    return PairTrends(df=df, params=params, periods=periods, undated=undated, source=source,
                      actor_set=actor_set if actor_set is not None else _actor_set(actors),
                      doc_periods=bucket, keep=keep)  # fmt: skip


def _offsets(per: pd.Series, full: pd.PeriodIndex) -> np.ndarray:
    """Position of each period of *per* in the contiguous range *full*."""
    return full.get_indexer(pd.PeriodIndex(per)).astype(np.int64)


def _unit_pair_counts(
    unit_ids: np.ndarray, codes: np.ndarray, bucket_of_row: np.ndarray, k: int, buckets: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per bucket (period), the units naming each actor (``(buckets, k)``) and each pair of actors
    (``(buckets, k, k)``, ``[t, i, j]`` for actor codes ``i < j``).

    A unit lies in one document, so in one bucket. The (unit, actor) rows are made distinct; the
    pairs of each unit come from its rows in one vectorised pass (rows ``r < q`` of one unit).
    """
    if unit_ids.size == 0:
        return np.zeros((buckets, k), dtype=np.int64), np.zeros((buckets, k, k), dtype=np.int64)
    key, first = np.unique(unit_ids * k + codes, return_index=True)  # sorted by unit, then actor
    u, c, t = key // k, key % k, bucket_of_row[first]
    n_a = np.bincount(t * k + c, minlength=buckets * k).reshape(buckets, k).astype(np.int64)
    group_end = np.searchsorted(u, u, side="right")
    cnt = group_end - np.arange(u.size) - 1
    i = np.repeat(np.arange(u.size), cnt)
    j = i + 1 + (np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    n_ab = np.bincount((t[i] * k + c[i]) * k + c[j], minlength=buckets * k * k).reshape(buckets, k, k).astype(np.int64)
    return n_a, n_ab
