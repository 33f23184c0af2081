"""Association per period with confidence intervals, and a test for a rise above the baseline.

Each period gives a pair of actors (or words) *a*, *b* the 2×2 table of ``assoc.py``::

                 b                 ¬b
        a   | O11 = n_ab       | O12 = n_a - n_ab           | n_a
       ¬a   | O21 = n_b - n_ab | O22 = n - n_a - n_b + n_ab | n - n_a
              n_b                n - n_b                      n

over the period's units (sentences, paragraphs or documents), with ``E11 = n_a n_b / n``.
Arrays broadcast; for series, the last axis is the period. A period with ``n = 0`` has no data: its
results are ``nan`` and it never enters a baseline.

**Intervals** (:func:`association_ci`). Conditional on the margins ``n_a``, ``n_b``, ``n`` (as in
Fisher's exact test), the only random quantity is the joint count ``n_ab``, and npmi, log_dice and
the signed G² are all increasing functions of it. So one interval for ``n_ab`` gives an interval for
each measure: the Wilson (default) or Clopper–Pearson interval for the proportion ``n_ab / n`` of
units holding both, times ``n``, clipped to the counts the margins allow,
``[max(0, n_a + n_b - n), min(n_a, n_b)]``, and mapped through each measure with the margins held at
their observed values. The interval reflects the sampling error of the co-occurrence count, which
dominates for the rare pairs of news monitoring; it ignores that of the margins.

**Rise above a baseline** (:func:`association_rise`). The observed-to-expected ratio
``O11 / E11 = 2^PMI`` is treated as a Poisson rate per unit of expectation: in period ``t``,
``O_t ~ Poisson(ρ_t E_t)``; over the baseline (the ``window`` periods before, with data),
``O_base = Σ O`` and ``E_base = Σ E`` (each period's expectation from its own margins, i.e. indirect
standardisation, so that changes in how often *a* and *b* occur are not mistaken for a change in
their association). The ratio ``ρ_t / ρ_base`` (in bits, ``PMI_t - PMI_base``) gets the exact
conditional interval and test of :mod:`.intervals`: given ``O_t + O_base``, ``O_t`` is binomial
with ``π0 = E_t / (E_t + E_base)`` under "no change".

References
----------
Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction. *GSCL*.

Rychlý, P. (2008). A lexicographer-friendly association score. *RASLAN 2008*, 6–9.

Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
*Computational Linguistics* 19(1), 61–74.

Wilson (1927); Clopper & Pearson (1934); Przyborowski & Wilenski (1940): see :mod:`.intervals`.

Breslow, N. E. & Day, N. E. (1987). *Statistical Methods in Cancer Research II*, ch. 2–3 (observed
over expected ratios and their comparison by indirect standardisation).
"""

from __future__ import annotations

import numpy as np

from . import assoc
from ._checks import check_confidence, floats, reject_if
from ._window import check_window, trailing_sums
from .adjust import AdjustMethod, adjust_pvalues
from .intervals import CIMethod, proportion_ci, rate_ratio, rate_ratio_ci, rate_ratio_test
from .keyness import chi2_pvalue, g2

__all__ = ["association_ci", "association_rise"]


def _tables(
    call: str, n_ab: object, n_a: object, n_b: object, n: object, *, check: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ab, a, b, tot = floats(n_ab, n_a, n_b, n)
    if check:
        bad = (
            ~np.isfinite(ab + a + b + tot)
            | (ab < 0)
            | (ab > a)
            | (ab > b)
            | (a + b - ab > tot)
            | (tot < 0)
        )
        reject_if(
            bad, call, ("n_ab", "n_a", "n_b", "n"), (ab, a, b, tot),
            "a valid 2×2 table: 0 <= n_ab <= min(n_a, n_b), n_a + n_b - n_ab <= n (n = 0: no data)",
        )
    return ab, a, b, tot


def _signed_g2(x: np.ndarray, a: np.ndarray, b: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Signed G² of the table at joint count ``x``: positive for attraction (``x > E11``).

    The keyness table with columns "units with a" / "units without a" is the same 2×2 table, so
    :func:`.keyness.g2` computes it; degenerate margins score 0.
    """
    degenerate = (a <= 0) | (a >= n) | (b <= 0) | (b >= n)
    safe_a = np.where(degenerate, 1.0, a)
    safe_n = np.where(degenerate, 2.0, n)
    xx = np.where(degenerate, 0.0, x)
    bb = np.where(degenerate, 0.0, b - x)
    out = g2(xx, bb, safe_a, safe_n - safe_a, check=False)
    return np.where(degenerate, 0.0, out)


def association_ci(
    n_ab: object,
    n_a: object,
    n_b: object,
    n: object,
    *,
    confidence: float = 0.95,
    method: CIMethod = "wilson",
    check: bool = True,
) -> dict[str, np.ndarray]:
    """npmi, log_dice and signed G² of each table, each with a confidence interval.

    See the module docstring for the method: an interval on the joint count ``n_ab`` given the
    margins (Wilson, or Clopper–Pearson with ``method="exact"``), mapped through each measure.

    Returns
    -------
    dict of numpy.ndarray
        ``expected`` (``E11``); ``n_ab_low``, ``n_ab_high`` (the count interval); ``npmi``,
        ``npmi_low``, ``npmi_high``; ``log_dice``, ``log_dice_low``, ``log_dice_high``; ``g2``,
        ``g2_low``, ``g2_high`` (signed: positive for attraction) and ``g2_p`` (``P(χ²₁ >= |G²|)``).
        The point values equal ``assoc.npmi``, ``assoc.log_dice`` and ``±assoc.llr``. ``nan`` where
        ``n = 0`` (no data) or a measure is undefined (a member absent).

    >>> out = association_ci(3, 10, 12, 1000)
    >>> bool(out["npmi_low"] < out["npmi"] < out["npmi_high"])
    True
    """
    call = "association_ci()"
    check_confidence(call, confidence)
    ab, a, b, tot = _tables(call, n_ab, n_a, n_b, n, check=check)
    missing = tot <= 0
    safe_n = np.where(missing, 1.0, tot)
    safe_ab = np.where(missing, 0.0, np.minimum(ab, safe_n))
    p_lo, p_hi = proportion_ci(safe_ab, safe_n, confidence=confidence, method=method)
    floor = np.maximum(0.0, a + b - tot)
    ceiling = np.minimum(a, b)
    lo = np.clip(p_lo * safe_n, floor, np.maximum(floor, ceiling))
    hi = np.clip(p_hi * safe_n, floor, np.maximum(floor, ceiling))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {"expected": a * b / safe_n, "n_ab_low": lo, "n_ab_high": hi}
    for suffix, x in (("", ab), ("_low", lo), ("_high", hi)):
        out[f"npmi{suffix}"] = assoc.npmi(x, a, b, safe_n, check=False)
        out[f"log_dice{suffix}"] = assoc.log_dice(x, a, b, safe_n, check=False)
        out[f"g2{suffix}"] = _signed_g2(x, a, b, safe_n)
    out["g2_p"] = chi2_pvalue(out["g2"])
    return {k: np.where(missing, np.nan, v) for k, v in out.items()}


def association_rise(
    n_ab: object,
    n_a: object,
    n_b: object,
    n: object,
    *,
    window: int = 8,
    min_periods: int | None = None,
    confidence: float = 0.95,
    method: CIMethod = "wilson",
    adjust: AdjustMethod = "bh",
    check: bool = True,
) -> dict[str, np.ndarray]:
    """Per period, how far the pair's association rises above its rolling baseline, and whether
    significantly.

    The last axis of the (broadcast) counts is the period; e.g. ``(pairs, periods)`` arrays. See the
    module docstring for the model: observed over expected co-occurrences in the period against the
    pooled baseline ``Σ O / Σ E`` of the ``window`` preceding periods with data.

    .. math:: \\frac{\\rho_t}{\\rho_{base}} = \\frac{O_t / E_t}{O_{base} / E_{base}}, \\qquad
              p_t = P(X \\ge O_t), \\; X \\sim \\mathrm{Binomial}\\Big(O_t + O_{base},
              \\frac{E_t}{E_t + E_{base}}\\Big)

    A period is tested when it has data, ``E_t > 0`` (both members occur), its baseline has at
    least ``min_periods`` periods with data (default: all ``window``) and ``E_base > 0``; otherwise
    its results are ``nan``. ``adjust`` applies over all tested periods of all pairs in the call.

    Returns
    -------
    dict of numpy.ndarray
        ``observed`` (``O_t``), ``expected`` (``E_t``), ``baseline_observed``, ``baseline_expected``,
        ``baseline_periods``, ``ratio``, ``log2_ratio`` (``PMI_t - PMI_base`` in bits),
        ``log2_ratio_low``, ``log2_ratio_high`` (exact conditional interval via Wilson/Clopper–Pearson),
        ``p_value`` (one-sided, for a rise) and ``p_adjusted``.

    >>> out = association_rise([2, 2, 2, 9], [20, 20, 20, 20], [20, 20, 20, 20], [200] * 4, window=3)
    >>> round(float(out["ratio"][3]), 6), bool(out["p_value"][3] < 0.01)
    (4.5, True)
    """
    call = "association_rise()"
    check_confidence(call, confidence)
    mp = check_window(call, window, min_periods)
    ab, a, b, tot = _tables(call, n_ab, n_a, n_b, n, check=check)
    if ab.ndim == 0:
        ab, a, b, tot = (np.atleast_1d(v) for v in (ab, a, b, tot))
    valid = tot > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(valid, a * b / np.where(valid, tot, 1.0), 0.0)
    o = np.where(valid, ab, 0.0)
    o_base, n_base = trailing_sums(o, valid, window)
    e_base, _ = trailing_sums(e, valid, window)
    tested = valid & (n_base >= mp) & (e > 0) & (e_base > 0)
    # untested periods get harmless stand-ins, then nan
    k1, e1 = np.where(tested, o, 0.0), np.where(tested, e, 1.0)
    k2, e2 = np.where(tested, o_base, 0.0), np.where(tested, e_base, 1.0)
    lo, hi = rate_ratio_ci(k1, e1, k2, e2, confidence=confidence, method=method)
    ratio = rate_ratio(k1, e1, k2, e2)
    p = rate_ratio_test(k1, e1, k2, e2, alternative="greater")
    with np.errstate(divide="ignore"):
        logs = {"log2_ratio": np.log2(ratio), "log2_ratio_low": np.log2(lo), "log2_ratio_high": np.log2(hi)}
    out = {
        "observed": np.where(valid, ab, np.nan),
        "expected": np.where(valid, e, np.nan),
        "baseline_observed": np.where(valid, o_base, np.nan),
        "baseline_expected": np.where(valid, e_base, np.nan),
        "baseline_periods": np.where(valid, n_base, np.nan),
        "ratio": np.where(tested, ratio, np.nan),
        **{k: np.where(tested, v, np.nan) for k, v in logs.items()},
        "p_value": np.where(tested, p, np.nan),
    }
    out["p_adjusted"] = adjust_pvalues(out["p_value"], method=adjust)
    return out
