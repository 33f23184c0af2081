"""Keyness measures against scipy, hand-worked 2×2 tables and quanteda's published definitions."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mediamon.stats import assoc
from mediamon.errors import InputError, MediamonError
from mediamon.stats import adjust, bursts, intervals, keyness, trends
from mediamon.stats import keyness as K


@st.composite
def keyness_tables(draw, *, max_total: int = 10**7, proper: bool = True):
    """(a, b, c, d): a word's counts in target and reference and the two token totals."""
    c = draw(st.integers(1, max_total))
    d = draw(st.integers(1, max_total))
    a = draw(st.integers(0, c))
    b = draw(st.integers(0, d))
    if proper and (a + b == 0 or a + b == c + d):  # scipy rejects a table with an empty margin
        a = 1 if c > 1 or b < d else a
        if a + b == c + d:
            a, b = 0, 1 if d > 1 else 0
    return a, b, c, d


def scipy_table(a, b, c, d):
    # rows: word / other tokens; columns: target / reference
    return np.array([[a, b], [c - a, d - b]])


def degenerate(a, b, c, d):
    return a + b == 0 or a + b == c + d


# --- chi² and G² against scipy.stats.chi2_contingency ----------------------------------------------
@settings(max_examples=300)
@given(keyness_tables())
def test_chi2_equals_scipy_with_and_without_yates(t):
    if degenerate(*t):
        return
    a, b, c, d = t
    sign = 1.0 if a * d > b * c else -1.0
    for corr, ours in ((True, "yates"), (False, "none")):
        ref = stats.chi2_contingency(scipy_table(*t), correction=corr).statistic
        got = float(K.chi2(*t, correction=ours))
        assert abs(got) == pytest.approx(ref, rel=1e-8, abs=1e-9)
        if got != 0:
            assert math.copysign(1.0, got) == sign


@settings(max_examples=300)
@given(keyness_tables())
def test_g2_equals_scipy_log_likelihood_with_and_without_yates(t):
    if degenerate(*t):
        return
    for corr, ours in ((False, "none"), (True, "yates")):
        ref = stats.chi2_contingency(scipy_table(*t), correction=corr, lambda_="log-likelihood").statistic
        assert abs(float(K.g2(*t, correction=ours))) == pytest.approx(ref, rel=1e-7, abs=1e-7)


@settings(max_examples=200)
@given(keyness_tables())
def test_g2_equals_assoc_llr_on_the_same_table(t):
    # assoc's table: n_ab = a (word in target), n_a = c (target), n_b = a + b (word), n = c + d
    a, b, c, d = t
    assert abs(float(K.g2(*t))) == pytest.approx(float(assoc.llr(a, c, a + b, c + d)), rel=1e-7, abs=1e-7)


def test_chi2_hand_worked_table():
    # a=30 of c=1000 target tokens, b=10 of d=3000: N=4000, R1=40, R2=3960, |ad - bc| = 80000
    # X² = N (ad - bc)² / (R1 R2 c d) = 4000 · 80000² / (40 · 3960 · 1000 · 3000) = 53.872053...
    assert float(K.chi2(30, 10, 1000, 3000, correction="none")) == pytest.approx(
        4000 * 80000**2 / (40 * 3960 * 1000 * 3000), rel=1e-12
    )
    # Yates: (|ad - bc| - N/2)² = (80000 - 2000)²
    assert float(K.chi2(30, 10, 1000, 3000)) == pytest.approx(
        4000 * 78000**2 / (40 * 3960 * 1000 * 3000), rel=1e-12
    )
    # under-represented: the same table with target and reference swapped is negative
    assert float(K.chi2(10, 30, 3000, 1000)) == pytest.approx(-float(K.chi2(30, 10, 1000, 3000)))


def test_g2_hand_worked_table():
    # E = (10, 30, 990, 2970); G² = 2 Σ O ln(O/E)
    obs, exp = (30, 10, 970, 2990), (10, 30, 990, 2970)
    hand = 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp))
    assert float(K.g2(30, 10, 1000, 3000)) == pytest.approx(hand, rel=1e-12)
    # Williams (1976): q = 1 + (N/R1 + N/R2 - 1)(N/C1 + N/C2 - 1) / (6N)
    n = 4000
    q = 1 + (n / 40 + n / 3960 - 1) * (n / 1000 + n / 3000 - 1) / (6 * n)
    assert float(K.g2(30, 10, 1000, 3000, correction="williams")) == pytest.approx(hand / q, rel=1e-12)
    assert float(K.chi2(30, 10, 1000, 3000, correction="williams")) == pytest.approx(
        float(K.chi2(30, 10, 1000, 3000, correction="none")) / q, rel=1e-12
    )


def test_yates_clamps_at_zero_like_scipy():
    # |O - E| = 0.25 < 0.5: scipy moves each cell only to its expectation, the statistic is 0
    a, b, c, d = 1, 3, 8, 24  # E11 = 8 · 4 / 32 = 1 exactly -> deviation 0
    assert float(K.chi2(a, b, c, d)) == 0.0
    t = (2, 5, 10, 30)  # E11 = 1.75, |O - E| = 0.25
    assert float(K.chi2(*t)) == 0.0 == stats.chi2_contingency(scipy_table(*t)).statistic


def test_g2_accurate_on_corpora_of_billions_of_tokens():
    # naive Σ O ln(O/E) over cells of 1e9 loses digits; compare with exact rational arithmetic
    from fractions import Fraction

    a, b, c, d = 1200, 1000, 10**9, 10**9
    n = c + d
    cells = [(a, Fraction(c * (a + b), n)), (b, Fraction(d * (a + b), n)),
             (c - a, Fraction(c * (n - a - b), n)), (d - b, Fraction(d * (n - a - b), n))]
    # 2 Σ [O ln(O/E) - (O - E)], each term evaluated with log1p of an exact rational deviation
    hand = 2 * sum(o * math.log1p(float((o - e) / e)) - float(o - e) for o, e in cells)
    assert float(K.g2(a, b, c, d)) == pytest.approx(hand, rel=1e-9)
    assert float(K.g2(a, b, c, d)) == pytest.approx(
        stats.chi2_contingency(scipy_table(a, b, c, d), correction=False, lambda_="log-likelihood").statistic,
        rel=1e-6,
    )


def test_degenerate_tables_score_zero():
    assert float(K.chi2(0, 0, 100, 200)) == 0.0
    assert float(K.g2(0, 0, 100, 200)) == 0.0
    assert float(K.g2(100, 200, 100, 200, correction="williams")) == 0.0
    assert float(K.fisher_p(0, 0, 100, 200)) == 1.0
    assert np.isnan(K.log_ratio(0, 0, 100, 200))
    assert np.isnan(K.pct_diff(0, 0, 100, 200))


# --- quanteda's published definitions ------------------------------------------------------------
# The two functions below restate quanteda.textstats' src/keyness.cpp (chisq_lambda, lr_lambda,
# yates_correction, williams_correction; read through the search tool, quanteda/quanteda.textstats)
# in plain Python. quanteda names the CELLS a, b, c, d: a = word in target, b = word in reference,
# c = other tokens of the target, d = other tokens of the reference. Its "default" correction is a
# conditional Yates: 0.5 only when |ad - bc| >= N/2 and some expected cell is < 5. (Its roxygen
# documentation says the default for "lr" is Williams; the C++ applies this Yates rule for "lr" too.)
QUANTEDA_EPSILON = 1e-9


def quanteda_yates(a, b, c, d):
    n = a + b + c + d
    small = min((a + b) * (a + c), (a + b) * (b + d), (a + c) * (c + d), (c + d) * (b + d)) / n < 5
    return 0.5 if abs(a * d - b * c) >= n / 2 and small else 0.0


def quanteda_williams(a, b, c, d):
    if a * b * c * d == 0:
        return 1.0
    n = a + b + c + d
    return 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)


def quanteda_chi2(a, b, target_total, reference_total, correction="default"):
    c, d = target_total - a, reference_total - b
    n = a + b + c + d
    e = (a + b) * (a + c) / n
    delta = quanteda_yates(a, b, c, d) if correction in ("default", "yates") else 0.0
    q = quanteda_williams(a, b, c, d) if correction == "williams" else 1.0
    num = n * (abs(a * d - b * c) - n * delta) ** 2
    den = (a + b) * (c + d) * (a + c) * (b + d) * (1 if a > e else -1) / q
    return num / den


def quanteda_lr(a, b, target_total, reference_total, correction="default", epsilon=QUANTEDA_EPSILON):
    c, d = target_total - a, reference_total - b
    n = a + b + c + d
    e = (a + b) * (a + c) / n
    aa, bb, cc, dd = a, b, c, d
    if correction in ("default", "yates"):
        delta = quanteda_yates(a, b, c, d)
        up = a * d - b * c > 0
        aa, bb, cc, dd = (aa - delta, bb + delta, cc + delta, dd - delta) if up else (
            aa + delta, bb - delta, cc - delta, dd + delta)

    def term(o, e_):
        return o * math.log(o / e_ + epsilon) if o > 0 else 0.0

    g = 2 * (term(aa, (aa + bb) * (aa + cc) / n) + term(bb, (aa + bb) * (bb + dd) / n)
             + term(cc, (aa + cc) * (cc + dd) / n) + term(dd, (bb + dd) * (cc + dd) / n))
    g *= 1 if a > e else -1
    if correction == "williams":
        g /= quanteda_williams(a, b, c, d)
    return g


def test_quanteda_worked_example_small_counts():
    # quanteda.textstats' own test: d1 = "b b b b b b b a a a" (target), d2 = "a a a a a a a b b"
    target = {"a": 3, "b": 7}
    reference = {"a": 7, "b": 2}
    c, d = 10, 9
    for word in ("a", "b"):
        x, y = target[word], reference[word]
        # expected cells < 5: quanteda's default applies Yates, like ours (and R's chisq.test)
        assert float(K.chi2(x, y, c, d)) == pytest.approx(quanteda_chi2(x, y, c, d), rel=1e-12)
        assert float(K.chi2(x, y, c, d, correction="none")) == pytest.approx(
            quanteda_chi2(x, y, c, d, "none"), rel=1e-12)
        assert float(K.g2(x, y, c, d, correction="yates")) == pytest.approx(quanteda_lr(x, y, c, d), rel=1e-7)
        assert float(K.g2(x, y, c, d)) == pytest.approx(quanteda_lr(x, y, c, d, "none"), rel=1e-7)
        assert float(K.g2(x, y, c, d, correction="williams")) == pytest.approx(
            quanteda_lr(x, y, c, d, "williams"), rel=1e-7)
    # and quanteda's test compares with R's chisq.test(correct = TRUE), i.e. scipy's Yates statistic
    assert abs(float(K.chi2(3, 7, 10, 9))) == pytest.approx(
        stats.chi2_contingency([[3, 7], [7, 2]], correction=True).statistic)


def test_quanteda_worked_example_large_counts():
    # a newspaper-sized comparison: every expected cell >= 5, so quanteda's default uses no Yates
    # term and equals our correction="none" (our default "yates" is the textbook, always-on rule)
    rows = [(2886, 383), (1762, 261), (120, 95), (40, 400), (15, 9)]
    c, d = 1_500_000, 1_900_000
    for x, y in rows:
        assert quanteda_yates(x, y, c - x, d - y) == 0.0
        assert float(K.chi2(x, y, c, d, correction="none")) == pytest.approx(quanteda_chi2(x, y, c, d), rel=1e-10)
        # quanteda adds epsilon = 1e-9 inside each logarithm (to survive empty cells), which biases
        # G² by about 2·epsilon·N (0.007 here); without it the definitions agree to rounding
        assert float(K.g2(x, y, c, d)) == pytest.approx(quanteda_lr(x, y, c, d, epsilon=0.0), rel=1e-9)
        assert abs(float(K.g2(x, y, c, d)) - quanteda_lr(x, y, c, d)) <= 2.01 * QUANTEDA_EPSILON * (c + d)
        # quanteda's chi2 with correction="williams" computes num / (den / q), i.e. MULTIPLIES by
        # Williams' q (its lr divides, as Williams 1976 defines); ours divides: theirs = ours · q²
        q = quanteda_williams(x, y, c - x, d - y)
        assert float(K.chi2(x, y, c, d, correction="williams")) * q**2 == pytest.approx(
            quanteda_chi2(x, y, c, d, "williams"), rel=1e-10)
        assert float(K.g2(x, y, c, d, correction="williams")) == pytest.approx(
            quanteda_lr(x, y, c, d, "williams", epsilon=0.0), rel=1e-9)
    # signs: "trump" (2886 of 1.5M vs 383 of 1.9M) is key in the target, row 4 in the reference
    assert K.chi2(2886, 383, c, d) > 0 > K.chi2(40, 400, c, d)


# --- Fisher's exact test --------------------------------------------------------------------------
@settings(max_examples=300)
@given(keyness_tables(max_total=80, proper=False))
def test_fisher_equals_scipy_on_small_tables(t):
    a, b, c, d = t
    for alt in ("two-sided", "greater", "less"):
        ref = stats.fisher_exact(scipy_table(*t), alternative=alt).pvalue
        assert float(K.fisher_p(*t, alternative=alt)) == pytest.approx(ref, rel=1e-9, abs=1e-15)


def test_fisher_vectorised_equals_scipy_per_word_on_a_large_corpus():
    rng = np.random.default_rng(7)
    c, d = 2_000_000, 5_000_000
    a = np.concatenate([rng.integers(0, 40, 200), [0, 1, 5000, 12000, 3]])
    b = np.concatenate([rng.integers(0, 100, 200), [1, 0, 9000, 30000, 0]])
    got = K.fisher_p(a, b, c, d)
    ref = np.array([stats.fisher_exact(scipy_table(x, y, c, d)).pvalue for x, y in zip(a, b)])
    np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-300)
    for alt in ("greater", "less"):
        ref = np.array([stats.fisher_exact(scipy_table(x, y, c, d), alternative=alt).pvalue for x, y in zip(a, b)])
        np.testing.assert_allclose(K.fisher_p(a, b, c, d, alternative=alt), ref, rtol=1e-8, atol=1e-300)


def test_fisher_hand_worked():
    # [[3, 0], [0, 3]]: the observed table is the most extreme of C(6,3) = 20; two-sided adds its
    # mirror image: 2/20
    assert float(K.fisher_p(3, 0, 3, 3)) == pytest.approx(0.1)
    assert float(K.fisher_p(3, 0, 3, 3, alternative="greater")) == pytest.approx(0.05)
    # the most likely table has p = 1
    assert float(K.fisher_p(2, 2, 4, 4)) == pytest.approx(1.0)


# --- effect sizes ---------------------------------------------------------------------------------
def test_log_ratio_hand_worked_and_zero_adjustment():
    assert float(K.log_ratio(30, 10, 1000, 3000)) == pytest.approx(math.log2(0.03 / (10 / 3000)))
    assert float(K.log_ratio(8, 8, 1000, 1000)) == 0.0
    assert float(K.log_ratio(16, 8, 1000, 1000)) == pytest.approx(1.0)
    # zero frequency replaced by 0.5 (Hardie / UCREL), or by the value given
    assert float(K.log_ratio(4, 0, 1000, 1000)) == pytest.approx(math.log2(4 / 0.5))
    assert float(K.log_ratio(0, 4, 1000, 1000, zero=1.0)) == pytest.approx(-2.0)


def test_log_ratio_ci_maps_the_binomial_interval_of_scipy():
    # conditional on a + b, a ~ Bin(a + b, π): scipy's binomtest interval on π, mapped by hand
    for a, b, c, d in [(30, 10, 1000, 3000), (1, 0, 500, 800), (0, 7, 900, 100), (250, 260, 10**6, 2 * 10**6)]:
        for method in ("wilson", "exact"):
            ci = stats.binomtest(a, a + b).proportion_ci(confidence_level=0.9, method=method)
            with np.errstate(divide="ignore"):
                lo = math.log2(ci.low / (1 - ci.low) * d / c) if ci.low > 0 else -math.inf
                hi = math.log2(ci.high / (1 - ci.high) * d / c) if ci.high < 1 else math.inf
            got_lo, got_hi = K.log_ratio_ci(a, b, c, d, confidence=0.9, method=method)
            assert float(got_lo) == pytest.approx(lo, rel=1e-9)
            assert float(got_hi) == pytest.approx(hi, rel=1e-9)
            if a > 0 and b > 0:
                assert float(got_lo) < float(K.log_ratio(a, b, c, d)) < float(got_hi)


def test_pct_diff_and_simple_maths_hand_worked():
    # NF_t = 3%, NF_r = 1/3%: (3 - 1/3) / (1/3) = 8 -> 800 %
    assert float(K.pct_diff(30, 10, 1000, 3000)) == pytest.approx(800.0)
    assert float(K.pct_diff(5, 10, 1000, 1000)) == pytest.approx(-50.0)
    assert float(K.pct_diff(5, 0, 1000, 1000)) == math.inf
    assert float(K.pct_diff(5, 0, 1000, 1000, zero=1e-18)) == pytest.approx(100 * (5 - 1e-18) / 1e-18)
    # Kilgarriff: (fpm_t + n) / (fpm_r + n); 30 and 10 per million with n = 10 -> 40 / 20
    assert float(K.simple_maths(30, 10, 10**6, 10**6, n=10)) == pytest.approx(2.0)
    assert float(K.simple_maths(0, 0, 10**6, 10**6)) == 1.0
    assert float(K.simple_maths(3, 0, 2 * 10**6, 10**6, n=1)) == pytest.approx(2.5)


def test_rates_and_expected():
    assert float(K.rate_per_million(3, 1_500_000)) == pytest.approx(2.0)
    e_t, e_r = K.expected(30, 10, 1000, 3000)
    assert (float(e_t), float(e_r)) == (10.0, 30.0)
    assert float(e_t + e_r) == 40.0


# --- properties -----------------------------------------------------------------------------------
@settings(max_examples=300)
@given(keyness_tables(max_total=10**6, proper=False))
def test_swapping_target_and_reference_flips_the_sign(t):
    a, b, c, d = t
    swapped = (b, a, d, c)
    for corr in ("yates", "none", "williams"):
        flipped = -float(K.chi2(*t, correction=corr))
        assert float(K.chi2(*swapped, correction=corr)) == pytest.approx(flipped, rel=1e-9, abs=1e-9)
    for corr in ("none", "yates", "williams"):
        flipped = -float(K.g2(*t, correction=corr))
        assert float(K.g2(*swapped, correction=corr)) == pytest.approx(flipped, rel=1e-9, abs=1e-7)
    if a + b > 0:
        assert float(K.log_ratio(*swapped)) == pytest.approx(-float(K.log_ratio(*t)), abs=1e-12)
        lo, hi = K.log_ratio_ci(*t)
        slo, shi = K.log_ratio_ci(*swapped)
        assert float(slo) == pytest.approx(-float(hi), abs=1e-9)
        assert float(shi) == pytest.approx(-float(lo), abs=1e-9)
    if a > 0 and b > 0:
        assert float(K.simple_maths(*swapped)) == pytest.approx(1 / float(K.simple_maths(*t)), rel=1e-12)


@settings(max_examples=100)
@given(keyness_tables(max_total=200, proper=False))
def test_fisher_symmetry_under_swap(t):
    a, b, c, d = t
    swapped = (b, a, d, c)
    assert float(K.fisher_p(*swapped)) == pytest.approx(float(K.fisher_p(*t)), rel=1e-9)
    assert float(K.fisher_p(*swapped, alternative="greater")) == pytest.approx(
        float(K.fisher_p(*t, alternative="less")), rel=1e-9)


@settings(max_examples=200)
@given(keyness_tables(max_total=10**6, proper=False))
def test_signs_agree_across_measures(t):
    a, b, c, d = t
    x2, gg, lr = float(K.chi2(*t, correction="none")), float(K.g2(*t)), float(K.log_ratio(*t))
    if a * d > b * c:
        assert x2 > 0 and gg >= 0 and float(K.pct_diff(*t)) > 0 and float(K.simple_maths(*t)) > 1
        if a > 0 and b > 0:
            assert lr > 0
    elif a * d < b * c:
        assert x2 < 0 and gg <= 0 and float(K.pct_diff(*t)) < 0 and float(K.simple_maths(*t)) < 1


# --- the table ------------------------------------------------------------------------------------
def test_keyness_table_columns_and_values():
    words = ["iran", "oil", "the", "raisi"]
    a = np.array([30, 12, 500, 0])
    b = np.array([10, 40, 1500, 9])
    tab = K.keyness_table(a, b, 10_000, 30_000, words=words, fisher=True)
    assert isinstance(tab, pd.DataFrame)
    assert list(tab.index) == words and tab.index.name == "word"
    for col in ("target", "reference", "target_rest", "reference_rest", "rate_target", "rate_reference",
                "expected_target", "expected_reference", "log_ratio", "log_ratio_low", "log_ratio_high",
                "pct_diff", "simple_maths", "chi2", "chi2_p", "g2", "g2_p", "fisher_p",
                "chi2_p_adj", "g2_p_adj", "fisher_p_adj"):
        assert col in tab.columns
    row = tab.loc["iran"]
    assert row.target_rest == 9970 and row.reference_rest == 29990
    assert row.rate_target == pytest.approx(3000.0)
    assert row.chi2 == pytest.approx(float(K.chi2(30, 10, 10_000, 30_000)))
    assert row.chi2_p == pytest.approx(stats.chi2.sf(row.chi2, 1))
    assert row.fisher_p == pytest.approx(stats.fisher_exact([[30, 10], [9970, 29990]]).pvalue)
    np.testing.assert_allclose(tab.g2_p_adj, stats.false_discovery_control(tab.g2_p))
    # "the": 5% in both corpora, no evidence either way
    assert tab.loc["the", "chi2"] == 0.0 and tab.loc["the", "log_ratio"] == 0.0 and tab.loc["the", "fisher_p"] == 1.0
    assert tab.loc["raisi", "log_ratio"] < 0
    no_fisher = K.keyness_table(a, b, 10_000, 30_000, adjust="bonferroni")
    assert "fisher_p" not in no_fisher.columns
    np.testing.assert_allclose(no_fisher.chi2_p_adj, np.minimum(1, 4 * no_fisher.chi2_p))


@pytest.mark.parametrize(
    "args",
    [(-1, 0, 10, 10), (11, 0, 10, 10), (1, 0, 0, 10), (1, 2, 10, 1), (np.nan, 0, 10, 10), (1, 1, 10, np.inf)],
)
def test_invalid_tables_raise(args):
    with pytest.raises(InputError, match=r"chi2\(\): invalid input at position 0"):
        K.chi2(*args)


def test_invalid_options_raise():
    with pytest.raises(InputError, match="correction='williamz' is invalid"):
        K.chi2(1, 1, 10, 10, correction="williamz")
    with pytest.raises(InputError, match="correction="):
        K.g2(1, 1, 10, 10, correction="yates2")
    with pytest.raises(InputError, match="alternative="):
        K.fisher_p(1, 1, 10, 10, alternative="up")
    with pytest.raises(InputError, match="n=0"):
        K.simple_maths(1, 1, 10, 10, n=0)
    with pytest.raises(MediamonError, match="confidence"):
        K.log_ratio_ci(1, 1, 10, 10, confidence=95)
    with pytest.raises(ValueError):  # InputError is a ValueError too
        K.log_ratio(1, 1, 10, 10, zero=0)
    # unchecked tables are scored as given
    assert np.isfinite(K.chi2(11, 0, 10, 10, check=False))


@pytest.mark.parametrize("module", [keyness, adjust, intervals, bursts, trends])
def test_docstring_examples(module):
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_chi2_pvalue_equals_scipy_chi2_sf():
    fixed = [0.0, 1e-12, 3.841458820694124, 50.0, 700.0, 1500.0]
    x = np.concatenate([fixed, np.random.default_rng(2).exponential(5, 500)])
    np.testing.assert_allclose(K.chi2_pvalue(x), stats.chi2.sf(x, 1), rtol=1e-12, atol=0)
    np.testing.assert_allclose(K.chi2_pvalue(-x), stats.chi2.sf(x, 1), rtol=1e-12, atol=0)
