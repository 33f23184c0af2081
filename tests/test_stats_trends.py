"""Association per period with intervals, and the rise-above-baseline test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mediamon.stats import assoc
from mediamon.errors import InputError
from mediamon.stats.intervals import proportion_ci, rate_ratio_ci, rate_ratio_test
from mediamon.stats.trends import association_ci, association_rise


@st.composite
def tables(draw, max_n: int = 5000):
    n = draw(st.integers(1, max_n))
    n_a = draw(st.integers(0, n))
    n_b = draw(st.integers(0, n))
    n_ab = draw(st.integers(max(0, n_a + n_b - n), min(n_a, n_b)))
    return n_ab, n_a, n_b, n


# --- intervals ------------------------------------------------------------------------------------
@settings(max_examples=200)
@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.95, 0.99]))
def test_proportion_ci_equals_scipy_binomtest(kn, level):
    k, n = kn
    if n == 0:
        lo, hi = proportion_ci(k, n)
        assert np.isnan(lo) and np.isnan(hi)
        return
    for method in ("wilson", "exact"):
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=level, method=method)
        lo, hi = proportion_ci(k, n, confidence=level, method=method)
        assert float(lo) == pytest.approx(ref.low, rel=1e-9, abs=1e-12)
        assert float(hi) == pytest.approx(ref.high, rel=1e-9, abs=1e-12)


def test_wilson_hand_worked():
    # k = 30, n = 40, z = 1.959964: centre (30 + z²/2)/(40 + z²), half z/(40 + z²) √(30·10/40 + z²/4)
    z = stats.norm.isf(0.025)
    centre = (30 + z * z / 2) / (40 + z * z)
    half = z / (40 + z * z) * math.sqrt(30 * 10 / 40 + z * z / 4)
    lo, hi = proportion_ci(30, 40)
    assert (float(lo), float(hi)) == (pytest.approx(centre - half), pytest.approx(centre + half))


def test_rate_ratio_test_is_the_conditional_binomial():
    # 12 events in exposure 2 against 10 in exposure 5: pi0 = 2/7, P(X >= 12 | Bin(22, 2/7))
    hand = sum(math.comb(22, k) * (2 / 7) ** k * (5 / 7) ** (22 - k) for k in range(12, 23))
    assert float(rate_ratio_test(12, 2, 10, 5)) == pytest.approx(hand, rel=1e-9)
    assert float(rate_ratio_test(12, 2, 10, 5, alternative="less")) == pytest.approx(
        stats.binom.cdf(12, 22, 2 / 7))
    two = float(rate_ratio_test(12, 2, 10, 5, alternative="two-sided"))
    assert two == pytest.approx(min(1, 2 * hand))
    assert float(rate_ratio_test(0, 1, 0, 1)) == 1.0
    lo, hi = rate_ratio_ci(12, 2, 10, 5)
    assert float(lo) < (12 / 2) / (10 / 5) < float(hi)


# --- association with intervals -------------------------------------------------------------------
@settings(max_examples=300)
@given(tables())
def test_point_values_equal_assoc(t):
    out = association_ci(*t)
    n_ab, n_a, n_b, n = t
    np.testing.assert_allclose(out["npmi"], assoc.npmi(*t), rtol=1e-9, atol=1e-10, equal_nan=True)
    np.testing.assert_allclose(out["log_dice"], assoc.log_dice(*t), rtol=1e-12, equal_nan=True)
    sign = np.sign(n_ab * n - n_a * n_b)
    np.testing.assert_allclose(out["g2"], sign * assoc.llr(*t), rtol=1e-7, atol=1e-7)
    assert float(out["g2_p"]) == pytest.approx(stats.chi2.sf(abs(float(out["g2"])), 1))


@settings(max_examples=300)
@given(tables())
def test_intervals_contain_the_estimate_and_respect_the_margins(t):
    n_ab, n_a, n_b, n = t
    out = association_ci(*t)
    lo, hi = float(out["n_ab_low"]), float(out["n_ab_high"])
    assert max(0, n_a + n_b - n) - 1e-9 <= lo <= n_ab + 1e-9 <= hi + 2e-9 <= min(n_a, n_b) + 3e-9
    for m in ("npmi", "log_dice", "g2"):
        point, low, high = (float(out[m + s]) for s in ("", "_low", "_high"))
        if np.isnan(point):
            continue
        assert low <= point + 1e-9 and point <= high + 1e-9, m


def test_count_interval_is_the_wilson_interval_times_n():
    out = association_ci(3, 40, 50, 2000, confidence=0.9)
    ref = stats.binomtest(3, 2000).proportion_ci(confidence_level=0.9, method="wilson")
    assert float(out["n_ab_low"]) == pytest.approx(2000 * ref.low)
    assert float(out["n_ab_high"]) == pytest.approx(2000 * ref.high)
    # and each measure's bounds are the measure at those counts, margins fixed
    assert float(out["npmi_low"]) == pytest.approx(float(assoc.npmi(2000 * ref.low, 40, 50, 2000, check=False)))
    assert float(out["log_dice_high"]) == pytest.approx(14 + math.log2(2 * 2000 * ref.high / 90))
    exact = association_ci(3, 40, 50, 2000, method="exact")
    ref = stats.binomtest(3, 2000).proportion_ci(method="exact")
    assert float(exact["n_ab_high"]) == pytest.approx(2000 * ref.high)


def test_interval_clipped_by_the_margins_and_missing_periods():
    # a and b always together (3 units of 1000): the count cannot exceed 3
    out = association_ci(3, 3, 3, 1000)
    assert float(out["n_ab_high"]) == 3.0 and float(out["npmi_high"]) == pytest.approx(1.0)
    assert float(out["log_dice"]) == 14.0 == float(out["log_dice_high"])
    # never together
    none = association_ci(0, 10, 10, 1000)
    assert float(none["npmi"]) == -1.0 and float(none["n_ab_low"]) == 0.0 and float(none["npmi_high"]) > -1
    # a period without units has no data
    empty = association_ci([2, 0], [5, 0], [6, 0], [100, 0])
    assert all(np.isnan(v[1]) for v in empty.values())
    assert all(not np.isnan(v[0]) for v in empty.values())


def test_wider_with_fewer_units():
    small = association_ci(2, 10, 10, 200)
    large = association_ci(20, 100, 100, 2000)  # the same proportions, ten times the data
    assert float(small["npmi_high"] - small["npmi_low"]) > float(large["npmi_high"] - large["npmi_low"])


# --- rise above the baseline ----------------------------------------------------------------------
def reference_rise(n_ab, n_a, n_b, n, window, min_periods):
    """Plain Python: O/E in the period against Σ O / Σ E over the previous periods with data."""
    p, ratio = [], []
    for t in range(len(n)):
        base = [u for u in range(max(0, t - window), t) if n[u] > 0]
        e_t = n_a[t] * n_b[t] / n[t] if n[t] > 0 else 0.0
        o_b = sum(n_ab[u] for u in base)
        e_b = sum(n_a[u] * n_b[u] / n[u] for u in base)
        if n[t] == 0 or len(base) < min_periods or e_t == 0 or e_b == 0:
            p.append(math.nan)
            ratio.append(math.nan)
            continue
        k = n_ab[t] + o_b
        p.append(stats.binom.sf(n_ab[t] - 1, k, e_t / (e_t + e_b)))
        ratio.append((n_ab[t] / e_t) / (o_b / e_b) if o_b > 0 else (math.inf if n_ab[t] > 0 else math.nan))
    return np.array(p), np.array(ratio)


def test_rise_hand_worked():
    # E = 20 · 20 / 200 = 2 in every period; baseline O = 6 over E = 6; period 3: 9 over 2 -> 4.5
    out = association_rise([2, 2, 2, 9], [20] * 4, [20] * 4, [200] * 4, window=3)
    assert float(out["ratio"][3]) == pytest.approx(4.5)
    assert float(out["log2_ratio"][3]) == pytest.approx(math.log2(4.5))
    # P(X >= 9), X ~ Bin(15, 2 / 8)
    hand = sum(math.comb(15, k) * 0.25**k * 0.75 ** (15 - k) for k in range(9, 16))
    assert float(out["p_value"][3]) == pytest.approx(hand, rel=1e-9)
    assert float(out["baseline_observed"][3]) == 6 and float(out["baseline_expected"][3]) == pytest.approx(6)
    assert np.isnan(out["p_value"][:3]).all()
    assert float(out["log2_ratio_low"][3]) < math.log2(4.5) < float(out["log2_ratio_high"][3])


def test_rise_is_not_fooled_by_more_frequent_members():
    # both actors become 3 times as frequent: co-occurrence triples too, association is unchanged
    out = association_rise([4, 4, 4, 36], [20, 20, 20, 60], [20, 20, 20, 60], [100] * 4, window=3)
    assert float(out["ratio"][3]) == pytest.approx(1.0)
    assert float(out["p_value"][3]) > 0.4


@settings(max_examples=80)
@given(st.lists(tables(max_n=300), min_size=1, max_size=20), st.integers(1, 5), st.data())
def test_rise_equals_plain_python_reference(rows, window, data):
    min_periods = data.draw(st.integers(1, window))
    drop = data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    rows = [(0, 0, 0, 0) if gone else r for r, gone in zip(rows, drop)]  # periods without data
    n_ab, n_a, n_b, n = (np.array(col, dtype=float) for col in zip(*rows))
    out = association_rise(n_ab, n_a, n_b, n, window=window, min_periods=min_periods, adjust="none")
    p, ratio = reference_rise(n_ab, n_a, n_b, n, window, min_periods)
    np.testing.assert_allclose(out["p_value"], p, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(out["ratio"], ratio, rtol=1e-9)
    assert np.isnan(out["observed"][n == 0]).all()


def test_rise_many_pairs_adjusted_together():
    rng = np.random.default_rng(3)
    n = np.full(24, 500.0)
    n_a = rng.integers(20, 40, (5, 24)).astype(float)
    n_b = rng.integers(20, 40, (5, 24)).astype(float)
    n_ab = rng.binomial(np.minimum(n_a, n_b).astype(int), 0.1).astype(float)
    n_ab[2, 18] = np.minimum(n_a, n_b)[2, 18]  # a pair suddenly always together
    out = association_rise(n_ab, n_a, n_b, n, window=6)
    assert out["p_value"].shape == (5, 24)
    tested = ~np.isnan(out["p_value"])
    np.testing.assert_allclose(out["p_adjusted"][tested], stats.false_discovery_control(out["p_value"][tested]))
    assert np.nanargmin(out["p_value"]) == np.ravel_multi_index((2, 18), (5, 24))
    assert out["p_adjusted"][2, 18] < 1e-6


def test_invalid_tables():
    with pytest.raises(InputError, match=r"association_ci\(\): invalid input"):
        association_ci(5, 3, 10, 100)
    with pytest.raises(InputError, match="valid 2×2 table"):
        association_rise([1, 2], [5, 5], [5, 5], [6, 6], window=1)
    with pytest.raises(InputError, match="window=0"):
        association_rise([1, 2], [5, 5], [5, 5], [60, 60], window=0)
    with pytest.raises(InputError, match="method='wald' is invalid"):
        association_ci(1, 5, 5, 60, method="wald")
