"""Keyness: pure, vectorised measures of how much more (or less) often a word occurs in a target
than in a reference.

Every measure is a function ``f(a, b, c, d)`` of four counts, in the notation of Rayson & Garside
(2000) and of UCREL's log-likelihood calculator:

- ``a``: occurrences of the word in the target;
- ``b``: occurrences of the word in the reference;
- ``c``: tokens in the target (all words);
- ``d``: tokens in the reference.

They describe the 2×2 table (rows: this word / every other token; columns: target / reference)::

                   target        reference
               +-------------+---------------+
        word   | O11 = a     | O12 = b       |  R1 = a + b
               +-------------+---------------+
       other   | O21 = c - a | O22 = d - b   |  R2 = N - a - b
               +-------------+---------------+
                 C1 = c        C2 = d           N = c + d

with expected counts under "the word is equally frequent in both" ``E_ij = R_i C_j / N``; in
particular ``E11 = c (a + b) / N`` (expected in the target) and ``E12 = d (a + b) / N``. Note that
quanteda's C++ code names the *cells* ``a, b, c, d`` (its ``c`` is our ``c - a``).

Arguments are scalars or arrays that broadcast (typically ``a`` and ``b`` per word, ``c`` and ``d``
scalars); results are float64 arrays. **Sign convention**: every signed statistic is positive when
the word is over-represented in the target (``a / c > b / d``, i.e. ``a > E11``) and negative when it
is under-represented. ``log_ratio`` and ``pct_diff`` have that sign by construction; ``simple_maths``
is a ratio centred on 1 (``> 1`` over-represented), as Kilgarriff defines it.

Valid input: ``0 <= a <= c``, ``0 <= b <= d``, ``c > 0``, ``d > 0``, all finite; anything else raises
:class:`mediamon.errors.InputError` unless ``check=False``. A word absent from both (``a = b = 0``) is
scored 0 by chi² and G², ``p = 1``, and ``nan`` by the ratio measures.

References
----------
Rayson, P. & Garside, R. (2000). Comparing corpora using frequency profiling. *Proceedings of the
Workshop on Comparing Corpora*, ACL 2000, 1–6.

Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
*Computational Linguistics* 19(1), 61–74.

Yates, F. (1934). Contingency tables involving small numbers and the χ² test. *Supplement to the
JRSS* 1(2), 217–235.

Williams, D. A. (1976). Improved likelihood ratio tests for complete contingency tables.
*Biometrika* 63(1), 33–37.

Hardie, A. (2014). Log Ratio: an informal introduction. ESRC Centre for Corpus Approaches to Social
Science (CASS), Lancaster University.

Gabrielatos, C. & Marchi, A. (2012). Keyness: appropriate metrics and practical issues. CADS
International Conference, University of Bologna; Gabrielatos, C. (2018). Keyness analysis: nature,
metrics and techniques. In C. Taylor & A. Marchi (eds), *Corpus Approaches to Discourse*, Routledge.

Kilgarriff, A. (2009). Simple maths for keywords. *Proceedings of Corpus Linguistics 2009*,
Liverpool.

Fisher, R. A. (1935). *The Design of Experiments*; Agresti, A. (2013). *Categorical Data Analysis*,
3rd ed., §3.5 (Fisher's exact test, the two-sided p-value by minimum likelihood).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from ..errors import one_of
from ._checks import check_confidence, floats, reject_if
from .adjust import AdjustMethod, adjust_pvalues
from .intervals import ALTERNATIVES, Alternative, CIMethod, rate_ratio_ci

__all__ = [
    "CHI2_CORRECTIONS",
    "G2_CORRECTIONS",
    "chi2",
    "chi2_pvalue",
    "expected",
    "fisher_p",
    "g2",
    "keyness_table",
    "log_ratio",
    "log_ratio_ci",
    "pct_diff",
    "rate_per_million",
    "simple_maths",
]

Chi2Correction = Literal["yates", "williams", "none"]
G2Correction = Literal["none", "williams", "yates"]
CHI2_CORRECTIONS: tuple[str, ...] = ("yates", "williams", "none")
G2_CORRECTIONS: tuple[str, ...] = ("none", "williams", "yates")

#: Relative tolerance for "as likely as the observed table" in the two-sided Fisher test, as R's
#: ``fisher.test`` (``relErr = 1 + 10^-7``); scipy uses ``1e-14``. Only exact ties differ in practice.
FISHER_TIE_TOLERANCE = 1e-7


def _counts(
    a: object, b: object, c: object, d: object, *, call: str, check: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Broadcast ``a, b, c, d`` to float64 and check that they form a valid keyness table."""
    a_, b_, c_, d_ = floats(a, b, c, d)
    if check:
        bad = (
            ~np.isfinite(a_ + b_ + c_ + d_)
            | (a_ < 0)
            | (b_ < 0)
            | (a_ > c_)
            | (b_ > d_)
            | (c_ <= 0)
            | (d_ <= 0)
        )
        reject_if(
            bad, call, ("a", "b", "c", "d"), (a_, b_, c_, d_),
            "finite counts with 0 <= a <= c, 0 <= b <= d and totals c, d > 0 "
            "(a, b: the word in target and reference; c, d: all tokens of each)",
        )
    return a_, b_, c_, d_


def _margins(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, ...]:
    n = c + d
    r1 = a + b
    return n, r1, n - r1


def _sign(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """+1 where the word is over-represented in the target (``a/c > b/d``), -1 where under, 0 equal."""
    return np.sign(a * d - b * c)


def rate_per_million(count: object, total: object) -> np.ndarray:
    """Normalised frequency: occurrences per million tokens, ``10^6 · count / total``.

    >>> float(rate_per_million(5, 2_000_000))
    2.5
    """
    k, t = floats(count, total)
    reject_if(~np.isfinite(k + t) | (k < 0) | (t <= 0), "rate_per_million()", ("count", "total"), (k, t),
              "a finite count >= 0 and a total > 0")
    return 1e6 * k / t


def expected(
    a: object, b: object, c: object, d: object, *, check: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Expected occurrences of the word in target and reference if it were equally frequent in both.

    ::

                   target    reference
        word   |  a        |  b        |  a + b
        other  |           |           |
                  c           d           N = c + d

    .. math:: E_{11} = \\frac{c\\,(a + b)}{N}, \\qquad E_{12} = \\frac{d\\,(a + b)}{N}

    References
    ----------
    Rayson & Garside (2000).

    >>> [float(x) for x in expected(30, 10, 1000, 3000)]
    [10.0, 30.0]
    """
    a_, b_, c_, d_ = _counts(a, b, c, d, call="expected()", check=check)
    n, r1, _ = _margins(a_, b_, c_, d_)
    return c_ * r1 / n, d_ * r1 / n


def chi2(
    a: object, b: object, c: object, d: object, *, correction: Chi2Correction = "yates", check: bool = True
) -> np.ndarray:
    """Signed Pearson chi-square over the 2×2 table, with Yates' continuity correction by default.

    ::

                   target        reference
        word   |  O11 = a      | O12 = b      |  R1 = a + b
        other  |  O21 = c - a  | O22 = d - b  |  R2 = N - R1
                  C1 = c         C2 = d          N = c + d

    In a 2×2 table every cell deviates from its expectation by the same amount,
    ``|O_ij - E_ij| = |a d - b c| / N``, so

    .. math:: X^2 = \\big(|O_{11} - E_{11}| - \\delta\\big)_+^2 \\sum_{ij} \\frac{1}{E_{ij}}
              = \\frac{N\\,\\big(|a d - b c| - N\\delta\\big)_+^2}{R_1 R_2\\, c\\, d}

    with ``δ = 1/2`` for ``correction="yates"`` (clamped at 0 when the deviation is below 1/2, as
    ``scipy.stats.chi2_contingency(correction=True)`` and R's ``chisq.test(correct=TRUE)``) and
    ``δ = 0`` otherwise; ``correction="williams"`` divides the uncorrected statistic by Williams' ``q``
    (see :func:`g2`). The sign is that of ``a d - b c`` (positive: over-represented in the target).
    ``0`` for a word absent from both corpora or present in every token.

    quanteda's ``textstat_keyness(measure="chi2")`` default applies the Yates term only when some
    expected cell is below 5 (and ``|a d - b c| >= N/2``); elsewhere its value is ours with
    ``correction="none"``.

    References
    ----------
    Yates (1934); Rayson & Garside (2000); Agresti (2013), §3.2.

    >>> round(float(chi2(30, 10, 1000, 3000, correction="none")), 4)
    53.8721
    >>> float(chi2(0, 0, 10, 10))
    0.0
    """
    if correction not in CHI2_CORRECTIONS:
        raise one_of("chi2()", "correction", correction, CHI2_CORRECTIONS)
    a_, b_, c_, d_ = _counts(a, b, c, d, call="chi2()", check=check)
    n, r1, r2 = _margins(a_, b_, c_, d_)
    deviation = np.abs(a_ - c_ * r1 / n)
    if correction == "yates":
        deviation = np.maximum(deviation - 0.5, 0.0)
    degenerate = (r1 <= 0) | (r2 <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_expected = n * (1.0 / r1 + 1.0 / r2) * (1.0 / c_ + 1.0 / d_)  # Σ 1/E_ij
        stat = np.where(degenerate, 0.0, deviation**2 * inv_expected)
        if correction == "williams":
            stat = np.where(degenerate, 0.0, stat / _williams_q(n, r1, r2, c_, d_))
    return np.asarray(_sign(a_, b_, c_, d_) * stat, dtype=np.float64)


def _williams_q(n: np.ndarray, r1: np.ndarray, r2: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Williams' (1976) correction factor for a 2×2 table (> 1 wherever the table is not degenerate)."""
    return 1.0 + (n / r1 + n / r2 - 1.0) * (n / c + n / d - 1.0) / (6.0 * n)


def g2(
    a: object, b: object, c: object, d: object, *, correction: G2Correction = "none", check: bool = True
) -> np.ndarray:
    """Signed log-likelihood ratio G² over the four cells (Dunning 1993; Rayson & Garside 2000).

    ::

                   target        reference
        word   |  O11 = a      | O12 = b      |  R1 = a + b
        other  |  O21 = c - a  | O22 = d - b  |  R2 = N - R1
                  C1 = c         C2 = d          N = c + d

    .. math:: G^2 = 2 \\sum_{ij} O_{ij} \\ln \\frac{O_{ij}}{E_{ij}}, \\qquad
              E_{ij} = \\frac{R_i C_j}{N}, \\qquad 0 \\ln 0 = 0

    computed as ``2 Σ [O ln(O/E) - (O - E)]`` (the added terms sum to zero; each summand is then
    non-negative and free of cancellation, which keeps G² accurate for corpora of billions of
    tokens). ``correction``:

    - ``"none"`` (default): the statistic above, as UCREL's calculator and NLTK compute it over four
      cells (UCREL's web form sums only the two word cells, an approximation);
    - ``"williams"``: ``G² / q`` with Williams' (1976) factor
      ``q = 1 + (N/R1 + N/R2 - 1)(N/C1 + N/C2 - 1) / (6N)``, which brings the statistic closer to
      its chi-square(1) reference distribution for small samples;
    - ``"yates"``: each cell moved ``min(1/2, |O - E|)`` towards its expectation before the sum, as
      ``scipy.stats.chi2_contingency(lambda_="log-likelihood", correction=True)`` and quanteda's
      ``measure="lr"`` default (which applies it only when an expected cell is below 5).

    Sign: positive when the word is over-represented in the target. ``0`` for a degenerate table.

    References
    ----------
    Dunning (1993); Rayson & Garside (2000); Williams (1976).

    >>> round(float(g2(30, 10, 1000, 3000)), 4)
    44.4857
    """
    if correction not in G2_CORRECTIONS:
        raise one_of("g2()", "correction", correction, G2_CORRECTIONS)
    a_, b_, c_, d_ = _counts(a, b, c, d, call="g2()", check=check)
    n, r1, r2 = _margins(a_, b_, c_, d_)
    observed = (a_, b_, c_ - a_, d_ - b_)
    expect = (c_ * r1 / n, d_ * r1 / n, c_ * r2 / n, d_ * r2 / n)
    total = np.zeros_like(a_)
    with np.errstate(divide="ignore", invalid="ignore"):
        for o, e in zip(observed, expect):
            dev = o - e
            if correction == "yates":
                o = o - np.sign(dev) * np.minimum(0.5, np.abs(dev))
                dev = o - e
            # O ln(O/E) - (O - E) = O log1p(dev/E) - dev; at O = 0 it is E; at E = 0 (degenerate) 0
            term = np.where(o > 0, o * np.log1p(dev / e) - dev, e)
            total += np.where(e > 0, term, 0.0)
        stat = 2.0 * np.maximum(total, 0.0)
        degenerate = (r1 <= 0) | (r2 <= 0)
        if correction == "williams":
            stat = stat / np.where(degenerate, 1.0, _williams_q(n, r1, r2, c_, d_))
    stat = np.where(degenerate, 0.0, stat)
    return np.asarray(_sign(a_, b_, c_, d_) * stat, dtype=np.float64)


def chi2_pvalue(statistic: object) -> np.ndarray:
    """p-value of a (signed) chi² or G² statistic against chi-square with 1 degree of freedom.

    ``P(χ²₁ >= |statistic|)``: two-sided in the direction of the difference, as quanteda reports it.
    Computed as ``erfc(sqrt(|x| / 2))``, the same function (χ²₁ is the square of a standard normal)
    fifty times faster than the general ``scipy.stats.chi2.sf``.

    >>> round(float(chi2_pvalue(-3.841458820694124)), 6)
    0.05
    """
    x = np.abs(np.asarray(statistic, dtype=np.float64))
    return np.asarray(special.erfc(np.sqrt(x / 2.0)), dtype=np.float64)


def log_ratio(
    a: object, b: object, c: object, d: object, *, zero: float = 0.5, check: bool = True
) -> np.ndarray:
    """Log Ratio (Hardie 2014): the binary log of the ratio of the word's relative frequencies.

    ::

                   target    reference
        word   |  a        |  b        |
        other  |           |           |
                  c           d

    .. math:: \\mathrm{LR} = \\log_2 \\frac{a / c}{b / d}

    Each unit is a doubling: ``LR = 1`` means twice as frequent in the target, ``-1`` half as
    frequent, ``0`` equally frequent. A zero count is replaced by ``zero`` (default ``0.5``, the
    adjustment used with Hardie's measure in CQPweb and in UCREL's log-likelihood and effect-size
    calculator) so that a word absent from one side gets a finite score; ``nan`` when the word is
    absent from both. See :func:`log_ratio_ci` for its uncertainty.

    References
    ----------
    Hardie (2014).

    >>> round(float(log_ratio(30, 10, 1000, 3000)), 6)  # 3% against 1/3%: 9 times, log2 9
    3.169925
    >>> float(log_ratio(4, 0, 1000, 1000))  # 4 against the 0.5 that replaces 0
    3.0
    """
    if not zero > 0:
        raise one_of("log_ratio()", "zero", zero, ["a positive count such as 0.5"])
    a_, b_, c_, d_ = _counts(a, b, c, d, call="log_ratio()", check=check)
    ta = np.where(a_ == 0, zero, a_)
    rb = np.where(b_ == 0, zero, b_)
    out = np.log2(ta / c_) - np.log2(rb / d_)
    return np.where((a_ == 0) & (b_ == 0), np.nan, out)


def log_ratio_ci(
    a: object,
    b: object,
    c: object,
    d: object,
    *,
    confidence: float = 0.95,
    method: CIMethod = "wilson",
    check: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval ``(low, high)`` for the Log Ratio, from the counts without adjustment.

    Conditional on the word's total ``a + b``, ``a ~ Binomial(a + b, π)`` with
    ``π = c ρ_t / (c ρ_t + d ρ_r)`` (``ρ`` the word's rate in each corpus), and

    .. math:: \\log_2 \\frac{\\rho_t}{\\rho_r} = \\log_2 \\frac{\\pi}{1 - \\pi} + \\log_2 \\frac{d}{c}

    is monotone in ``π``: the Wilson (default) or Clopper–Pearson (``method="exact"``) interval on
    ``π`` gives the interval on the Log Ratio. ``low = -inf`` when ``a = 0``, ``high = +inf`` when
    ``b = 0``; ``nan`` when ``a + b = 0``. The interval is per word: for a set of words read together,
    widen it (e.g. ``confidence = 1 - 0.05 / n_words``, Bonferroni).

    References
    ----------
    Hardie (2014); Przyborowski & Wilenski (1940); Wilson (1927); Clopper & Pearson (1934).

    >>> lo, hi = log_ratio_ci(30, 10, 1000, 3000)
    >>> round(float(lo), 3), round(float(hi), 3)
    (2.158, 4.182)
    """
    check_confidence("log_ratio_ci()", confidence)
    a_, b_, c_, d_ = _counts(a, b, c, d, call="log_ratio_ci()", check=check)
    low, high = rate_ratio_ci(a_, c_, b_, d_, confidence=confidence, method=method)
    with np.errstate(divide="ignore"):
        return np.log2(low), np.log2(high)


def pct_diff(
    a: object, b: object, c: object, d: object, *, zero: float | None = None, check: bool = True
) -> np.ndarray:
    """%DIFF (Gabrielatos & Marchi 2012): the percentage difference of normalised frequencies.

    ::

                   target    reference
        word   |  a        |  b        |
        other  |           |           |
                  c           d

    .. math:: \\%\\mathrm{DIFF} = 100 \\cdot \\frac{NF_t - NF_r}{NF_r}, \\qquad
              NF_t = \\frac{a}{c}, \\; NF_r = \\frac{b}{d}

    (the per-million factor cancels). ``100`` means twice as frequent in the target, ``-50`` half
    as frequent; the range is ``[-100, +inf)``. A word absent from the reference (``b = 0``) scores
    ``+inf``; pass ``zero`` to replace that zero count instead (UCREL's calculator uses ``1e-18``,
    following Gabrielatos 2018). ``nan`` when the word is absent from both.

    References
    ----------
    Gabrielatos & Marchi (2012); Gabrielatos (2018).

    >>> round(float(pct_diff(30, 10, 1000, 3000)), 9)
    800.0
    """
    a_, b_, c_, d_ = _counts(a, b, c, d, call="pct_diff()", check=check)
    if zero is not None:
        if not zero > 0:
            raise one_of("pct_diff()", "zero", zero, ["None", "a positive number such as 1e-18"])
        b_ = np.where(b_ == 0, zero, b_)
    nf_t = a_ / c_
    nf_r = b_ / d_
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100.0 * (nf_t - nf_r) / nf_r


def simple_maths(
    a: object, b: object, c: object, d: object, *, n: float = 1.0, check: bool = True
) -> np.ndarray:
    """Simple maths keyness score (Kilgarriff 2009): smoothed ratio of frequencies per million.

    ::

                   target    reference
        word   |  a        |  b        |
        other  |           |           |
                  c           d

    .. math:: \\mathrm{SM} = \\frac{fpm_t + n}{fpm_r + n}, \\qquad
              fpm_t = 10^6 \\frac{a}{c}, \\; fpm_r = 10^6 \\frac{b}{d}

    ``> 1`` for words more frequent in the target. The smoothing parameter ``n`` (default 1, Sketch
    Engine's default) chooses the frequency band: small ``n`` favours rare words, large ``n``
    (100, 1000) common ones. Defined for zero counts.

    References
    ----------
    Kilgarriff (2009).

    >>> float(simple_maths(30, 10, 1_000_000, 1_000_000, n=10))
    2.0
    """
    if not n > 0:
        raise one_of("simple_maths()", "n", n, ["a positive smoothing constant such as 1, 10 or 100"])
    a_, b_, c_, d_ = _counts(a, b, c, d, call="simple_maths()", check=check)
    return (1e6 * a_ / c_ + n) / (1e6 * b_ / d_ + n)


def fisher_p(
    a: object,
    b: object,
    c: object,
    d: object,
    *,
    alternative: Alternative = "two-sided",
    check: bool = True,
) -> np.ndarray:
    """Fisher's exact p-value for the 2×2 table, vectorised over words.

    ::

                   target        reference
        word   |  a            | b            |  K = a + b
        other  |  c - a        | d - b        |
                  c              d               N = c + d

    Given the margins, the target count ``X`` of the word is hypergeometric: ``K`` draws from ``N``
    tokens of which ``c`` are the target's,
    ``P(X = x) = C(c, x) C(d, K - x) / C(N, K)``.

    - ``"greater"`` (over-represented in the target): ``P(X >= a)``;
    - ``"less"``: ``P(X <= a)``;
    - ``"two-sided"`` (default): the sum of ``P(X = x)`` over all ``x`` as likely as or less likely
      than the observed ``a`` (``P(X = x) <= P(X = a) (1 + 10^-7)``, R's ``fisher.test`` rule; scipy's
      ``fisher_exact`` is the same rule with ``1e-14``).

    The two-sided tail opposite the observation is found by a bisection over the (unimodal)
    distribution for all words at once: ``O(log K)`` vectorised passes, no loop over words.
    ``1.0`` for a degenerate table.

    References
    ----------
    Fisher (1935); Agresti (2013), §3.5.

    >>> round(float(fisher_p(8, 1, 10, 6)), 6)  # scipy.stats.fisher_exact([[8, 1], [2, 5]])
    0.034965
    """
    call = "fisher_p()"
    if alternative not in ALTERNATIVES:
        raise one_of(call, "alternative", alternative, ALTERNATIVES)
    a_, b_, c_, d_ = _counts(a, b, c, d, call=call, check=check)
    n, k, _ = _margins(a_, b_, c_, d_)
    hg = stats.hypergeom
    if alternative == "greater":
        p = hg.sf(a_ - 1.0, n, c_, k)
    elif alternative == "less":
        p = hg.cdf(a_, n, c_, k)
    else:
        p = _fisher_two_sided(a_, n, c_, k)
    degenerate = (k <= 0) | (k >= n)
    return np.asarray(np.where(degenerate, 1.0, np.minimum(p, 1.0)), dtype=np.float64)


def _fisher_two_sided(x: np.ndarray, n: np.ndarray, c: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Two-sided Fisher p by minimum likelihood: observed tail plus the opposite tail."""
    shape = np.broadcast_shapes(x.shape, n.shape, c.shape, k.shape)
    x, n, c, k = (np.ravel(v).astype(np.float64) for v in np.broadcast_arrays(x, n, c, k))
    shape_n = x.shape
    hg = stats.hypergeom
    lo = np.maximum(0.0, k - (n - c))  # support of X
    hi = np.minimum(k, c)
    mode = np.floor((k + 1.0) * (c + 1.0) / (n + 2.0))
    log_obs = hg.logpmf(x, n, c, k)
    threshold = log_obs + np.log1p(FISHER_TIE_TOLERANCE)
    log_mode = hg.logpmf(mode, n, c, k)
    p = np.ones(shape_n)
    at_mode = log_mode <= threshold  # the observed table is (within tolerance) the most likely one

    below = ~at_mode & (x < mode)  # observed in the lower tail: find where the upper tail starts
    above = ~at_mode & (x > mode)
    # upper tail: smallest y in (mode, hi] with logpmf(y) <= threshold, or none
    p_low_tail = hg.cdf(x[below], n[below], c[below], k[below])
    y = _bisect_boundary(mode[below], hi[below], threshold[below], n[below], c[below], k[below], upper=True)
    upper_part = np.where(np.isnan(y), 0.0, hg.sf(y - 1.0, n[below], c[below], k[below]))
    p[below] = p_low_tail + upper_part
    # lower tail: largest y in [lo, mode) with logpmf(y) <= threshold, or none
    p_high_tail = hg.sf(x[above] - 1.0, n[above], c[above], k[above])
    y = _bisect_boundary(lo[above], mode[above], threshold[above], n[above], c[above], k[above], upper=False)
    lower_part = np.where(np.isnan(y), 0.0, hg.cdf(y, n[above], c[above], k[above]))
    p[above] = p_high_tail + lower_part
    return p.reshape(shape)


def _bisect_boundary(
    left: np.ndarray,
    right: np.ndarray,
    threshold: np.ndarray,
    n: np.ndarray,
    c: np.ndarray,
    k: np.ndarray,
    *,
    upper: bool,
) -> np.ndarray:
    """First (``upper``) or last integer in a monotone stretch of the pmf whose logpmf <= threshold.

    ``upper=True``: the pmf decreases on ``[left, right]`` (``left`` = mode); returns the smallest
    ``y`` with ``logpmf(y) <= threshold``. ``upper=False``: the pmf increases on ``[left, right]``
    (``right`` = mode); returns the largest such ``y``. ``nan`` where there is none.
    """
    hg = stats.hypergeom
    end = right if upper else left  # the extreme of the support, least likely point of the stretch
    found = hg.logpmf(end, n, c, k) <= threshold
    # invariant: logpmf(good) <= threshold < logpmf(bad); the boundary lies between them
    good = (right if upper else left).copy()
    bad = (left if upper else right).copy()
    active = found & (np.abs(good - bad) > 1)
    while active.any():
        idx = np.flatnonzero(active)
        mid = np.floor((good[idx] + bad[idx]) / 2.0)
        ok = hg.logpmf(mid, n[idx], c[idx], k[idx]) <= threshold[idx]
        good[idx[ok]] = mid[ok]
        bad[idx[~ok]] = mid[~ok]
        active[idx] = np.abs(good[idx] - bad[idx]) > 1
    return np.where(found, good, np.nan)


def keyness_table(
    a: object,
    b: object,
    c: object,
    d: object,
    *,
    words: object = None,
    chi2_correction: Chi2Correction = "yates",
    g2_correction: G2Correction = "none",
    zero: float = 0.5,
    confidence: float = 0.95,
    ci_method: CIMethod = "wilson",
    smoothing: float = 1.0,
    fisher: bool = False,
    adjust: AdjustMethod = "bh",
    check: bool = True,
) -> pd.DataFrame:
    """Every keyness measure for a vocabulary, effect sizes and significance side by side.

    Parameters
    ----------
    a, b
        Counts of each word in the target and in the reference (arrays of the same length).
    c, d
        Token totals of target and reference (scalars, or arrays broadcasting against ``a``).
    words
        Optional index for the rows (the words).
    chi2_correction, g2_correction
        Passed to :func:`chi2` (default Yates) and :func:`g2` (default none).
    zero
        Replacement for a zero count in :func:`log_ratio`.
    confidence, ci_method
        Level and method of :func:`log_ratio_ci`.
    smoothing
        The constant ``n`` of :func:`simple_maths`.
    fisher
        Also compute Fisher's two-sided exact p (``fisher_p``, ``fisher_p_adj``). Off by default: it
        is the slowest column (about 0.4 s for 200,000 words, see ``bench/bench_stats.py``) and
        matters for small counts, where chi² and G² approximate poorly.
    adjust
        Multiple-testing adjustment over the rows for every p-value column (``"bh"``, ``"by"``,
        ``"bonferroni"`` or ``"none"``), see :func:`mediamon.stats.adjust.adjust_pvalues`.

    Returns
    -------
    pandas.DataFrame
        One row per word with the 2×2 table (``target``, ``reference``, ``target_rest`` = c - a,
        ``reference_rest`` = d - b), the rates per million (``rate_target``, ``rate_reference``), the
        expected counts (``expected_target``, ``expected_reference``), effect sizes (``log_ratio``,
        ``log_ratio_low``, ``log_ratio_high``, ``pct_diff``, ``simple_maths``), signed statistics
        (``chi2``, ``g2``) and p-values (``chi2_p``, ``g2_p``, and ``fisher_p`` if asked) each with
        its adjusted ``*_adj`` column. Rows keep the input order (sort as you need).
    """
    a_, b_, c_, d_ = _counts(a, b, c, d, call="keyness_table()", check=check)
    if a_.ndim != 1:
        a_, b_, c_, d_ = (np.ravel(v) for v in (a_, b_, c_, d_))
    e_t, e_r = expected(a_, b_, c_, d_, check=False)
    lr_lo, lr_hi = log_ratio_ci(a_, b_, c_, d_, confidence=confidence, method=ci_method, check=False)
    x2 = chi2(a_, b_, c_, d_, correction=chi2_correction, check=False)
    gg = g2(a_, b_, c_, d_, correction=g2_correction, check=False)
    cols: dict[str, np.ndarray] = {
        "target": a_,
        "reference": b_,
        "target_rest": c_ - a_,
        "reference_rest": d_ - b_,
        "rate_target": 1e6 * a_ / c_,
        "rate_reference": 1e6 * b_ / d_,
        "expected_target": e_t,
        "expected_reference": e_r,
        "log_ratio": log_ratio(a_, b_, c_, d_, zero=zero, check=False),
        "log_ratio_low": lr_lo,
        "log_ratio_high": lr_hi,
        "pct_diff": pct_diff(a_, b_, c_, d_, check=False),
        "simple_maths": simple_maths(a_, b_, c_, d_, n=smoothing, check=False),
        "chi2": x2,
        "chi2_p": chi2_pvalue(x2),
        "g2": gg,
        "g2_p": chi2_pvalue(gg),
    }
    if fisher:
        cols["fisher_p"] = fisher_p(a_, b_, c_, d_, check=False)
    for name in [k for k in cols if k.endswith("_p")]:
        cols[f"{name}_adj"] = adjust_pvalues(cols[name], method=adjust)
    index = None if words is None else pd.Index(np.asarray(words), name="word")
    return pd.DataFrame(cols, index=index)
