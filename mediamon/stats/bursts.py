"""Bursts of attention in counts per period: Kleinberg's automaton and a rolling-baseline test.

Both take, per period ``t``, a count ``r_t`` (documents that mention an actor, or mentions) and,
for shares, a total ``d_t`` (all documents of the period). Inputs are 1-D ``(periods,)`` or 2-D
``(series, periods)`` arrays (one row per actor), so many actors are processed in one vectorised
pass; the only loop is over periods, inside Kleinberg's dynamic programme.

**Periods without data are missing, not zeros.** A period is missing where its total is ``0`` or
``nan`` (or, without totals, where its count is ``nan``). A missing period carries no evidence: it
costs nothing in the automaton (so a burst may span a gap, exactly as if the period were removed),
it is not tested, and it does not enter any baseline.

References
----------
Kleinberg, J. (2002). Bursty and hierarchical structure in streams. *Proceedings of the 8th ACM
SIGKDD*, 91–101; journal version *Data Mining and Knowledge Discovery* 7 (2003), 373–397. Section 4,
"Enumerating bursts", defines the batched two-state automaton implemented by :func:`kleinberg`.

Viterbi, A. J. (1967). Error bounds for convolutional codes and an asymptotically optimum decoding
algorithm. *IEEE Transactions on Information Theory* 13(2), 260–269.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from ..errors import InputError, one_of
from ._checks import floats, reject_if
from ._window import check_window, trailing_sums
from .adjust import AdjustMethod, adjust_pvalues

__all__ = ["BASELINE_METHODS", "KleinbergBursts", "baseline_test", "kleinberg"]

BaselineMethod = Literal["binomial", "poisson"]
BASELINE_METHODS: tuple[str, ...] = ("binomial", "poisson")

#: Columns of :attr:`KleinbergBursts.bursts`, in order.
BURST_COLUMNS: tuple[str, ...] = (
    "series", "level", "start", "end", "periods", "observed", "total", "expected", "weight",
)


@dataclass(frozen=True)
class KleinbergBursts:
    """The result of :func:`kleinberg`.

    Attributes
    ----------
    bursts
        One row per burst: ``series`` (row of the input), ``level`` (1 = the burst state of the
        two-state automaton; higher levels nest inside lower ones), ``start`` and ``end`` (period
        indices, inclusive; always periods with data), ``periods`` (periods with data inside),
        ``observed`` (``Σ r_t`` over the burst), ``total`` (``Σ d_t``), ``expected`` (``p0 · total``,
        the count at the series' base rate) and ``weight`` (Kleinberg's weight, the cost saved by
        the burst state, see :func:`kleinberg`). Sorted by series, level, start.
    states
        The optimal state per period, shaped like the counts (0 = base state). Missing periods take
        the state the optimal sequence passes through there.
    rates
        ``p_i = p0 · s^i`` per series and state, ``(series, levels + 1)``; ``nan`` for a state that
        is unavailable because ``p_i >= 1``.
    transition_cost
        ``γ ln n`` per series (``n`` its number of periods with data): the cost of moving up one level.
    """

    bursts: pd.DataFrame
    states: np.ndarray
    rates: np.ndarray
    transition_cost: np.ndarray


def _series(call: str, counts: object, totals: object | None) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """Counts (and totals) as 2-D float arrays ``(series, periods)``; whether the input was 1-D."""
    r = np.array(counts, dtype=np.float64)
    if r.ndim not in (1, 2) or r.shape[-1] == 0:
        raise InputError(
            f"{call}: counts must be a 1-D (periods,) or 2-D (series, periods) array with at least one "
            f"period; got shape {r.shape}."
        )
    one_d = r.ndim == 1
    r = np.atleast_2d(r)
    if totals is None:
        return r, None, one_d
    d = np.asarray(totals, dtype=np.float64)
    counts_shape = r.shape[1:] if one_d else r.shape
    try:
        r, d = floats(r, d)
    except ValueError as exc:
        raise InputError(
            f"{call}: totals of shape {d.shape} do not broadcast against counts of shape "
            f"{counts_shape}; pass one total per period (periods,) or per series and period."
        ) from exc
    if r.ndim != 2:
        raise InputError(f"{call}: totals of shape {d.shape} add dimensions to the counts.")
    return r, d, one_d and r.shape[0] == 1


def kleinberg(
    counts: object,
    totals: object,
    *,
    s: float = 2.0,
    gamma: float = 1.0,
    levels: int = 1,
) -> KleinbergBursts:
    """Kleinberg's (2002) burst detection for counts ``r_t`` out of totals ``d_t`` per period.

    The batched automaton of Kleinberg's §4 ("Enumerating bursts"). With ``R = Σ r_t``,
    ``D = Σ d_t`` over the ``n`` periods with data, state ``q_i`` emits relevant items at rate

    .. math:: p_0 = R / D, \\qquad p_i = p_0\\, s^i \\quad (i = 1, \\dots, \\text{levels})

    Being in ``q_i`` at period ``t`` costs the negative binomial log-likelihood, and moving up costs
    ``γ ln n`` per level (moving down is free):

    .. math:: \\sigma(i, t) = -\\ln\\Big[\\binom{d_t}{r_t} p_i^{r_t} (1 - p_i)^{d_t - r_t}\\Big],
              \\qquad \\tau(i, j) = (j - i)\\,\\gamma \\ln n \\;\\; (j > i), \\; 0 \\text{ otherwise}

    The automaton starts in ``q_0``; the state sequence minimising ``Σ_t τ(q_{t-1}, q_t) + σ(q_t, t)``
    is found exactly by the Viterbi algorithm (ties go to the lower state). A burst of level ``j``
    is a maximal run of periods in state ``>= j``; its weight is the cost it saves,

    .. math:: w = \\sum_{t = t_1}^{t_2} \\big[\\sigma(j - 1, t) - \\sigma(j, t)\\big]

    which for ``levels=1`` is Kleinberg's weight ``Σ σ(0, t) - σ(1, t)``. (The binomial coefficient
    is the same in every state, so it cancels from decisions and weights and is not computed.)

    Parameters
    ----------
    counts
        ``r_t``: ``(periods,)`` or ``(series, periods)``, ``0 <= r_t <= d_t`` (real values allowed,
        e.g. smoothed counts).
    totals
        ``d_t``, broadcasting against ``counts`` (e.g. one row of document counts per period for all
        actors). ``0`` or ``nan`` marks a period without data.
    s
        Ratio of the burst rate to the base rate, ``> 1`` (default 2, Kleinberg's choice). A state
        whose rate ``p0 s^i`` would reach 1 is unavailable (an actor in more than half of all documents
        cannot double its share).
    gamma
        Cost of moving up one level, in units of ``ln n``; ``>= 0`` (default 1). Larger values demand
        longer or stronger bursts.
    levels
        Number of burst levels above the base state (default 1: Kleinberg's two-state automaton).

    Returns
    -------
    KleinbergBursts
        The bursts table, the state sequence, the state rates and the transition cost.
    """
    call = "kleinberg()"
    if not np.isfinite(s) or s <= 1:
        raise InputError(f"{call}: s={s!r} is invalid; the burst rate must exceed the base rate, pass s > 1 (e.g. 2).")
    if not np.isfinite(gamma) or gamma < 0:
        raise InputError(f"{call}: gamma={gamma!r} is invalid; pass a transition cost factor >= 0 (e.g. 1).")
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 1:
        raise InputError(f"{call}: levels={levels!r} is invalid; pass the number of burst levels, an integer >= 1.")
    r, d, one_d = _series(call, counts, totals)
    assert d is not None
    missing = np.isnan(d) | (d == 0) | np.isnan(r)
    reject_if(
        ~missing & (~np.isfinite(d) | (d < 0) | ~np.isfinite(r) | (r < 0) | (r > d)),
        call, ("count", "total"), (r, d), "0 <= count <= total in every period with data (total 0 or nan: no data)",
    )
    reject_if(missing & (d == 0) & (r > 0), call, ("count", "total"), (r, d), "count 0 where the total is 0")
    r = np.where(missing, 0.0, r)
    d = np.where(missing, 0.0, d)
    n_series, n_periods = r.shape
    k = int(levels) + 1

    n_data = (~missing).sum(axis=1)
    total_d = d.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p0 = np.where(total_d > 0, r.sum(axis=1) / total_d, 0.0)
    p = p0[:, None] * float(s) ** np.arange(k)
    # the base state always exists (p0 = 1 when every document mentions the actor)
    available = (np.arange(k) == 0) | ((p < 1.0) & (p0[:, None] > 0))
    rates = np.where(available, p, np.nan)

    # emission costs (series, periods, states); a missing period costs 0 in every available state
    pk = np.where(available, p, 0.0)[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = -(special.xlogy(r[:, :, None], pk) + special.xlog1py((d - r)[:, :, None], -pk))
    sigma = np.where(missing[:, :, None], 0.0, sigma)
    sigma = np.where(available[:, None, :], sigma, np.inf)

    step = float(gamma) * np.log(np.maximum(n_data, 1)).astype(np.float64)
    up = np.subtract.outer(np.arange(k), np.arange(k)).T  # up[i, j] = j - i
    tau = np.maximum(up, 0)[None, :, :] * step[:, None, None]  # (series, from, to)

    cost = np.full((n_series, k), np.inf)
    cost[:, 0] = 0.0  # the automaton starts in q0
    back = np.empty((n_periods, n_series, k), dtype=np.int8)
    for t in range(n_periods):  # Viterbi: a loop over periods, vectorised over series and states
        cand = cost[:, :, None] + tau
        arg = np.argmin(cand, axis=1)  # first minimum: ties go to the lower state
        back[t] = arg
        cost = np.take_along_axis(cand, arg[:, None, :], axis=1)[:, 0, :] + sigma[:, t, :]
    states = np.empty((n_series, n_periods), dtype=np.int64)
    rows = np.arange(n_series)
    states[:, -1] = np.argmin(cost, axis=1)
    for t in range(n_periods - 1, 0, -1):
        states[:, t - 1] = back[t][rows, states[:, t]]

    table = _enumerate(states, sigma, r, d, missing, p0, k)
    return KleinbergBursts(
        bursts=table,
        states=states[0] if one_d else states,
        rates=rates,
        transition_cost=step,
    )


def _enumerate(
    states: np.ndarray,
    sigma: np.ndarray,
    r: np.ndarray,
    d: np.ndarray,
    missing: np.ndarray,
    p0: np.ndarray,
    k: int,
) -> pd.DataFrame:
    """Maximal runs of state >= j for every level j, with their sums from prefix sums."""
    n_series = states.shape[0]
    zeros = np.zeros((n_series, 1))

    def prefix(x: np.ndarray) -> np.ndarray:
        return np.concatenate([zeros, np.cumsum(x, axis=1)], axis=1)

    pr, pd_, pv = prefix(r), prefix(d), prefix((~missing).astype(np.float64))
    parts = []
    for level in range(1, k):
        inside = (states >= level).astype(np.int8)
        edges = np.diff(np.pad(inside, ((0, 0), (1, 1))), axis=1)
        s_row, s_t = np.nonzero(edges == 1)
        _, e_t = np.nonzero(edges == -1)  # row-major order: the i-th end closes the i-th start
        if s_row.size == 0:
            continue
        with np.errstate(invalid="ignore"):
            saving = np.where(missing, 0.0, sigma[:, :, level - 1] - sigma[:, :, level])
        pw = prefix(np.nan_to_num(saving, nan=0.0, posinf=0.0, neginf=0.0))
        total = pd_[s_row, e_t] - pd_[s_row, s_t]
        parts.append(
            pd.DataFrame(
                {
                    "series": s_row,
                    "level": level,
                    "start": s_t,
                    "end": e_t - 1,
                    "periods": (pv[s_row, e_t] - pv[s_row, s_t]).astype(np.int64),
                    "observed": pr[s_row, e_t] - pr[s_row, s_t],
                    "total": total,
                    "expected": p0[s_row] * total,
                    "weight": pw[s_row, e_t] - pw[s_row, s_t],
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in BURST_COLUMNS[:5] else np.float64)
                             for c in BURST_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["series", "level", "start"], kind="stable", ignore_index=True)[list(BURST_COLUMNS)]


def baseline_test(
    counts: object,
    totals: object | None = None,
    *,
    window: int = 8,
    min_periods: int | None = None,
    method: BaselineMethod = "binomial",
    adjust: AdjustMethod = "bh",
) -> dict[str, np.ndarray]:
    """Probability of at least the observed count in each period, given the preceding periods.

    For period ``t``, the baseline is the ``window`` periods before it (calendar periods; those
    without data are skipped, so a gap shortens the window). Among them, with data:

    - ``method="binomial"`` (shares of documents; needs ``totals``): the baseline share
      ``p = Σ r / Σ d`` and

      .. math:: P_t = P(X \\ge r_t), \\qquad X \\sim \\mathrm{Binomial}(d_t, p),
                \\qquad E_t = d_t\\, p

    - ``method="poisson"`` (raw counts, e.g. mentions, which can exceed documents): with totals as
      exposure, ``λ_t = d_t Σ r / Σ d``; without totals, ``λ_t = Σ r / m`` (the mean count of the
      ``m`` baseline periods with data); ``P_t = P(X >= r_t)``, ``X ~ Poisson(λ_t)``, ``E_t = λ_t``.

    A period is tested only when it has data and its baseline has at least ``min_periods`` periods
    with data (default: all ``window`` of them, as ``pandas.rolling``); otherwise its p-value is
    ``nan``. A baseline rate of 0 makes any ``r_t > 0`` certain to be a rise (``p = 0``): the first
    mention of a new actor. The baseline ignores its own sampling error; it is a transparent screen,
    :func:`kleinberg` the model-based detector.

    Parameters
    ----------
    counts
        ``r_t``, integers, ``(periods,)`` or ``(series, periods)``; ``nan`` marks a period without data.
    totals
        ``d_t`` broadcasting against ``counts``; ``0`` or ``nan`` marks a period without data.
    window, min_periods
        Baseline length in periods and the minimum number of them with data.
    method
        ``"binomial"`` or ``"poisson"``.
    adjust
        Multiple-testing adjustment over every tested period of every series in the call
        (:func:`mediamon.stats.adjust.adjust_pvalues`).

    Returns
    -------
    dict of numpy.ndarray
        Shaped like ``counts``: ``expected`` (``E_t``), ``baseline_rate`` (``p``, or ``λ`` per unit of
        total, or per period without totals), ``baseline_periods`` (periods with data in the window),
        ``p_value`` and ``p_adjusted``; ``nan`` where the period is not tested.

    References
    ----------
    The Poisson and binomial tail tests of a count against a reference rate; rolling baselines as in
    public-health surveillance, e.g. the EARS C-family (Hutwagner et al. 2003, *J. Urban Health*
    80(S1), i89–i96), here with exact tails instead of a normal threshold.
    """
    call = "baseline_test()"
    if method not in BASELINE_METHODS:
        raise one_of(call, "method", method, BASELINE_METHODS)
    if method == "binomial" and totals is None:
        raise InputError(
            f"{call}: method='binomial' tests shares and needs totals (documents per period); pass totals=..., "
            "or method='poisson' for raw counts."
        )
    mp = check_window(call, window, min_periods)
    r, d, one_d = _series(call, counts, totals)
    missing = np.isnan(r) if d is None else (np.isnan(r) | np.isnan(d) | (d == 0))
    bad = ~missing & (~np.isfinite(r) | (r < 0) | (r != np.floor(r)))
    if d is not None:
        bad |= ~missing & (~np.isfinite(d) | (d < 0))
        if method == "binomial":
            bad |= ~missing & (r > d)
        bad |= ~np.isnan(r) & (d == 0) & (r > 0)
    reject_if(
        bad, call, ("count",) if d is None else ("count", "total"), (r,) if d is None else (r, d),
        "whole counts >= 0" + ("" if d is None else ", totals >= 0 (0 or nan: no data)")
        + (", count <= total" if method == "binomial" else ""),
    )
    valid = ~missing
    sum_r, n_base = trailing_sums(np.nan_to_num(r), valid, window)
    with np.errstate(divide="ignore", invalid="ignore"):
        if d is None:
            rate = sum_r / n_base
            expected = rate
        else:
            sum_d, _ = trailing_sums(np.nan_to_num(d), valid, window)
            rate = sum_r / sum_d
            expected = d * rate
    tested = valid & (n_base >= mp)
    rr = np.where(tested, r, 0.0)
    if method == "binomial":
        assert d is not None
        p = stats.binom.sf(rr - 1.0, np.where(tested, d, 1.0), np.where(tested, rate, 0.0))
    else:
        p = stats.poisson.sf(rr - 1.0, np.where(tested, expected, 0.0))
    out = {
        "expected": np.where(tested, expected, np.nan),
        "baseline_rate": np.where(tested, rate, np.nan),
        "baseline_periods": np.where(valid, n_base, np.nan),
        "p_value": np.where(tested, p, np.nan),
    }
    out["p_adjusted"] = adjust_pvalues(out["p_value"], method=adjust)
    if one_d:
        out = {key: v[0] for key, v in out.items()}
    return out
