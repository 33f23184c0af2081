"""Confidence intervals for a binomial proportion and for the ratio of two Poisson rates.

Both are vectorised over any broadcastable arrays of counts and return float64 arrays.

A proportion ``k / n`` (``k`` successes in ``n`` trials) gets a Wilson score interval or the exact
Clopper–Pearson interval. The ratio of two rates, counts ``k1`` over exposure ``e1`` against ``k2``
over exposure ``e2``, is handled *conditionally*: given ``K = k1 + k2``, ``k1`` is binomial::

    k1 | K  ~  Binomial(K, π),      π = e1 ρ1 / (e1 ρ1 + e2 ρ2)

so the rate ratio ``ρ1 / ρ2 = π / (1 - π) · e2 / e1`` is a monotone function of ``π`` and an interval
for ``π`` is an interval for the ratio; under ``ρ1 = ρ2`` the null proportion is
``π0 = e1 / (e1 + e2)``, which gives the exact conditional test (Przyborowski & Wilenski 1940; the
"C-test" of Krishnamoorthy & Thomson 2004). Keyness uses it for the log ratio (counts of a word over
the token totals of target and reference), the trends module for a rise in association (observed
over expected co-occurrences in a period against its baseline).

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22(158), 209–212.

Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated in the
case of the binomial. *Biometrika* 26(4), 404–413.

Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial proportion.
*Statistical Science* 16(2), 101–133 (recommends Wilson over the Wald interval).

Przyborowski, J. & Wilenski, H. (1940). Homogeneity of results in testing samples from Poisson
series. *Biometrika* 31(3/4), 313–323.

Krishnamoorthy, K. & Thomson, J. (2004). A more powerful test for comparing two Poisson means.
*Journal of Statistical Planning and Inference* 119(1), 23–35.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import special, stats

from ..errors import one_of
from ._checks import check_confidence, floats, reject_if

__all__ = ["CI_METHODS", "CIMethod", "proportion_ci", "rate_ratio", "rate_ratio_ci", "rate_ratio_test"]

CIMethod = Literal["wilson", "exact"]
CI_METHODS: tuple[str, ...] = ("wilson", "exact")
Alternative = Literal["greater", "less", "two-sided"]
ALTERNATIVES: tuple[str, ...] = ("greater", "less", "two-sided")


def proportion_ci(
    k: object, n: object, *, confidence: float = 0.95, method: CIMethod = "wilson"
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence interval ``(low, high)`` for a binomial proportion ``k / n``.

    Wilson score interval (``method="wilson"``), with ``z`` the ``1 - α/2`` normal quantile:

    .. math:: \\frac{k + z^2/2}{n + z^2} \\pm
              \\frac{z}{n + z^2}\\sqrt{\\frac{k (n - k)}{n} + \\frac{z^2}{4}}

    Clopper–Pearson (``method="exact"``): ``low = B(α/2; k, n - k + 1)``,
    ``high = B(1 - α/2; k + 1, n - k)`` with ``B`` the beta quantile, ``low = 0`` at ``k = 0`` and
    ``high = 1`` at ``k = n``; it covers at least ``confidence`` (conservative).

    Both stay inside ``[0, 1]`` and handle ``k = 0`` and ``k = n``. ``n = 0`` gives ``(nan, nan)``.
    Counts must satisfy ``0 <= k <= n``.

    References
    ----------
    Wilson (1927); Clopper & Pearson (1934); Brown, Cai & DasGupta (2001).

    >>> lo, hi = proportion_ci(0, 10, method="exact")
    >>> float(lo), round(float(hi), 4)
    (0.0, 0.3085)
    """
    call = "proportion_ci()"
    check_confidence(call, confidence)
    if method not in CI_METHODS:
        raise one_of(call, "method", method, CI_METHODS)
    k_, n_ = floats(k, n)
    reject_if(
        ~np.isfinite(k_) | ~np.isfinite(n_) | (k_ < 0) | (k_ > n_),
        call, ("k", "n"), (k_, n_), "finite counts with 0 <= k <= n",
    )
    alpha = 1.0 - float(confidence)
    empty = n_ == 0
    nn = np.where(empty, 1.0, n_)
    if method == "wilson":
        z = float(stats.norm.isf(alpha / 2.0))
        z2 = z * z
        centre = (k_ + z2 / 2.0) / (nn + z2)
        half = z / (nn + z2) * np.sqrt(np.maximum(k_ * (nn - k_) / nn, 0.0) + z2 / 4.0)
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
        # exact at the edges, where rounding would leave 1e-17 instead of 0
        low = np.where(k_ == 0, 0.0, low)
        high = np.where(k_ == nn, 1.0, high)
    else:
        with np.errstate(invalid="ignore"):
            low = np.where(k_ > 0, special.betaincinv(np.maximum(k_, 1e-300), nn - k_ + 1.0, alpha / 2.0), 0.0)
            high = np.where(
                k_ < nn, special.betaincinv(k_ + 1.0, np.maximum(nn - k_, 1e-300), 1.0 - alpha / 2.0), 1.0
            )
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def _rates(call: str, k1: object, e1: object, k2: object, e2: object) -> list[np.ndarray]:
    out = floats(k1, e1, k2, e2)
    a, x, b, y = out
    bad = (a < 0) | (b < 0) | (x < 0) | (y < 0) | ~np.isfinite(a + b + x + y)
    reject_if(bad, call, ("k1", "e1", "k2", "e2"), (a, x, b, y), "finite, non-negative counts and exposures")
    return out


def rate_ratio(k1: object, e1: object, k2: object, e2: object) -> np.ndarray:
    """The ratio of two rates, ``(k1 / e1) / (k2 / e2)``.

    ``inf`` when only ``k2`` is 0, ``nan`` when both counts (or an exposure) are 0.

    >>> float(rate_ratio(10, 1000, 5, 2000))
    4.0
    """
    a, x, b, y = _rates("rate_ratio()", k1, e1, k2, e2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a * y) / (b * x)


def rate_ratio_ci(
    k1: object,
    e1: object,
    k2: object,
    e2: object,
    *,
    confidence: float = 0.95,
    method: CIMethod = "wilson",
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for the ratio of two Poisson rates ``(k1/e1) / (k2/e2)``.

    Conditional on ``K = k1 + k2``, ``k1 ~ Binomial(K, π)``; the interval ``(π_lo, π_hi)`` from
    :func:`proportion_ci` maps to the ratio through the monotone

    .. math:: \\frac{\\rho_1}{\\rho_2} = \\frac{\\pi}{1 - \\pi} \\cdot \\frac{e_2}{e_1}

    so ``low = 0`` when ``k1 = 0`` and ``high = inf`` when ``k2 = 0``; ``K = 0`` gives ``nan``.
    With ``method="exact"`` this is the exact conditional interval (Clopper–Pearson on ``π``).

    References
    ----------
    Przyborowski & Wilenski (1940); Clopper & Pearson (1934); Wilson (1927).

    >>> lo, hi = rate_ratio_ci(20, 1000, 20, 1000)
    >>> bool(lo < 1 < hi), round(float(lo * hi), 12)  # symmetric on the log scale
    (True, 1.0)
    """
    a, x, b, y = _rates("rate_ratio_ci()", k1, e1, k2, e2)
    p_lo, p_hi = proportion_ci(a, a + b, confidence=confidence, method=method)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = y / x
        low = p_lo / (1.0 - p_lo) * scale
        high = np.where(p_hi >= 1.0, np.inf, p_hi / (1.0 - p_hi) * scale)
    return low, high


def rate_ratio_test(
    k1: object, e1: object, k2: object, e2: object, *, alternative: Alternative = "greater"
) -> np.ndarray:
    """Exact conditional p-value for ``ρ1 = ρ2`` against ``ρ1 > ρ2`` (or ``<``, or ``≠``).

    Under the null, ``k1 | K ~ Binomial(K, π0)`` with ``π0 = e1 / (e1 + e2)``:

    - ``"greater"``: ``P(X >= k1)``;
    - ``"less"``: ``P(X <= k1)``;
    - ``"two-sided"``: ``min(1, 2 · min(P(X >= k1), P(X <= k1)))`` (the doubling rule).

    ``K = 0`` gives ``1.0`` (no evidence either way). ``e1 = 0`` with ``e2 > 0`` makes ``π0 = 0``:
    any ``k1 > 0`` then has ``p = 0`` for "greater" (a count where none is expected); ``e2 = 0``
    likewise for "less". Both exposures 0 gives ``nan``.

    References
    ----------
    Przyborowski & Wilenski (1940); Krishnamoorthy & Thomson (2004).

    >>> round(float(rate_ratio_test(8, 1, 2, 1)), 6)  # P(Bin(10, 0.5) >= 8)
    0.054688
    """
    call = "rate_ratio_test()"
    if alternative not in ALTERNATIVES:
        raise one_of(call, "alternative", alternative, ALTERNATIVES)
    a, x, b, y = _rates(call, k1, e1, k2, e2)
    total = a + b
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = x / (x + y)
    upper = stats.binom.sf(a - 1.0, total, p0)
    lower = stats.binom.cdf(a, total, p0)
    if alternative == "greater":
        p = upper
    elif alternative == "less":
        p = lower
    else:
        p = np.minimum(1.0, 2.0 * np.minimum(upper, lower))
    p = np.where(total == 0, 1.0, p)
    return np.asarray(np.where(np.isnan(p0), np.nan, p), dtype=np.float64)
