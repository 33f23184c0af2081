"""Kleinberg burst detection and the rolling-baseline test against independent references."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mediamon.errors import InputError
from mediamon.stats.bursts import BURST_COLUMNS, baseline_test, kleinberg


# --- an independent reference: Kleinberg (2002) §4 by exhaustive search ----------------------------
def reference_cost(i, r, d, p):
    """sigma(i, r_t, d_t) = -ln[C(d, r) p^r (1 - p)^(d - r)], written from the paper."""
    log_comb = math.lgamma(d + 1) - math.lgamma(r + 1) - math.lgamma(d - r + 1)
    term_r = r * math.log(p[i]) if r > 0 else 0.0
    term_rest = (d - r) * math.log(1 - p[i]) if d > r else 0.0
    return -(log_comb + term_r + term_rest)


def reference_kleinberg(r, d, *, s=2.0, gamma=1.0, levels=1):
    """The optimal state sequence over ALL sequences (no dynamic programming) and its bursts."""
    n = len(r)
    p0 = sum(r) / sum(d)
    p = [p0 * s**i for i in range(levels + 1)]
    allowed = [0] + [i for i in range(1, levels + 1) if p[i] < 1]

    def total(seq):
        cost, prev = 0.0, 0  # the automaton starts in q0
        for t, q in enumerate(seq):
            cost += (q - prev) * gamma * math.log(n) if q > prev else 0.0
            cost += reference_cost(q, r[t], d[t], p)
            prev = q
        return cost

    best = min(itertools.product(allowed, repeat=n), key=total)
    bursts = []
    for level in range(1, levels + 1):
        t = 0
        while t < n:
            if best[t] >= level:
                start = t
                while t + 1 < n and best[t + 1] >= level:
                    t += 1
                weight = sum(reference_cost(level - 1, r[u], d[u], p) - reference_cost(level, r[u], d[u], p)
                             for u in range(start, t + 1))
                bursts.append((level, start, t, weight))
            t += 1
    return list(best), sorted(bursts), total


def as_tuples(table):
    return [(int(row.level), int(row.start), int(row.end), float(row.weight)) for row in table.itertuples()]


def test_hand_worked_example():
    # r = (0, 5, 0) of d = (10, 10, 10): p0 = 5/30 = 1/6, p1 = 1/3, tau = 1 · ln 3 = 1.0986.
    # At t = 1: sigma0 - sigma1 = 5 ln((1/3)/(1/6)) + 5 ln((2/3)/(5/6)) = 5 ln(8/5) = 2.3500 > ln 3,
    # so q1 there pays off; at t = 0 and 2 q1 costs 10 ln((5/6)/(2/3)) = 2.23 more: burst = [1, 1].
    res = kleinberg([0, 5, 0], [10, 10, 10])
    assert res.states.tolist() == [0, 1, 0]
    assert res.rates.tolist() == [pytest.approx([1 / 6, 1 / 3])]
    assert float(res.transition_cost[0]) == pytest.approx(math.log(3))
    assert list(res.bursts.columns) == list(BURST_COLUMNS)
    row = res.bursts.iloc[0]
    assert (row.series, row.level, row.start, row.end, row.periods) == (0, 1, 1, 1, 1)
    assert row.weight == pytest.approx(5 * math.log(8 / 5))
    assert (row.observed, row.total, row.expected) == (5.0, 10.0, pytest.approx(10 / 6))
    # a larger gamma makes the same jump too expensive: 2.35 < 3 · ln 3
    assert kleinberg([0, 5, 0], [10, 10, 10], gamma=3).bursts.empty


@settings(max_examples=60)
@given(
    st.integers(2, 10).flatmap(
        lambda n: st.tuples(st.lists(st.integers(1, 30), min_size=n, max_size=n), st.randoms(use_true_random=False))
    ),
    st.sampled_from([1.5, 2.0, 3.0]),
    st.sampled_from([0.5, 1.0, 2.0]),
)
def test_viterbi_equals_exhaustive_search(data, s, gamma):
    d, rnd = data
    r = [rnd.randint(0, x) for x in d]
    if sum(r) == 0:
        r[0] = 1
    states, bursts, total = reference_kleinberg(r, d, s=s, gamma=gamma)
    res = kleinberg(r, d, s=s, gamma=gamma)
    # always an optimal sequence; the same one unless another costs exactly as little (small counts
    # tie: r = (0, 0, 0, 0, 0, 2, 2) of d = (1, 1, 1, 2, 1, 2, 4) costs 5.4331 ending in 0 or in 1)
    assert total(res.states.tolist()) == pytest.approx(total(states), rel=1e-12, abs=1e-12)
    levels = (0, 1) if sum(r) / sum(d) * s < 1 else (0,)  # the burst state needs a rate below 1
    tied = [seq for seq in itertools.product(levels, repeat=len(r)) if abs(total(seq) - total(states)) <= 1e-12]
    if len(tied) > 1:
        return
    assert res.states.tolist() == states
    got = as_tuples(res.bursts)
    assert [g[:3] for g in got] == [b[:3] for b in bursts]
    assert [g[3] for g in got] == pytest.approx([b[3] for b in bursts], rel=1e-9, abs=1e-9)


@settings(max_examples=30)
@given(st.integers(2, 7), st.randoms(use_true_random=False))
def test_three_levels_equal_exhaustive_search(n, rnd):
    d = [rnd.randint(40, 120) for _ in range(n)]
    rates = [rnd.choice([0.02, 0.05, 0.12]) for _ in range(n)]
    r = [sum(rnd.random() < q for _ in range(x)) for x, q in zip(d, rates)]
    if sum(r) == 0:
        r[0] = 1
    states, bursts, _ = reference_kleinberg(r, d, levels=2)
    res = kleinberg(r, d, levels=2)
    assert res.states.tolist() == states
    got = as_tuples(res.bursts)
    assert [g[:3] for g in got] == [b[:3] for b in bursts]
    assert [g[3] for g in got] == pytest.approx([b[3] for b in bursts], rel=1e-9, abs=1e-9)
    # nesting: every level-2 burst lies inside a level-1 burst
    lvl1 = [(b[1], b[2]) for b in got if b[0] == 1]
    for b in got:
        if b[0] == 2:
            assert any(s0 <= b[1] and b[2] <= e0 for s0, e0 in lvl1)


def test_published_example_of_the_burst_detection_package():
    # The README example of the PyPI package burst_detection 0.1.3 (Marinsek), run offline from its
    # sdist (patched only for numpy 2: np.float -> float): it reported p0 = 0.33962264150943394, the
    # states [0 0 0 0 1 0 1 1 0 0] and the weighted bursts (6, 7, 5.342265) and (4, 4, 2.685626).
    r = [0, 2, 1, 6, 7, 2, 8, 7, 2, 1]
    d = [9, 11, 12, 10, 10, 8, 12, 10, 13, 11]
    res = kleinberg(r, d)
    assert res.rates[0, 0] == pytest.approx(0.33962264150943394, rel=1e-15)
    assert res.rates[0, 1] == pytest.approx(2 * 0.33962264150943394, rel=1e-15)
    got = {(b[1], b[2]): b[3] for b in as_tuples(res.bursts)}
    assert got[(6, 7)] == pytest.approx(5.342265, abs=1e-6)
    # That package decides each period greedily from the previous state, not by Viterbi: the optimum
    # (exhaustive search) starts the first burst one period earlier, at t = 3, and costs less.
    states, _, total = reference_kleinberg(r, d)
    assert res.states.tolist() == states == [0, 0, 0, 1, 1, 0, 1, 1, 0, 0]
    assert total(states) < total([0, 0, 0, 0, 1, 0, 1, 1, 0, 0])
    assert sorted(got) == [(3, 4), (6, 7)]


def test_series_are_processed_together_as_one_at_a_time():
    rng = np.random.default_rng(11)
    d = rng.integers(50, 200, 40).astype(float)
    share = np.where((np.arange(40) > 20) & (np.arange(40) < 26), 0.3, 0.1)
    r = np.stack([rng.binomial(d.astype(int), share * k) for k in (1.0, 0.5, 2.0, 0.0)]).astype(float)
    both = kleinberg(r, d)
    assert both.states.shape == (4, 40)
    for i in range(4):
        single = kleinberg(r[i], d)
        assert single.states.tolist() == both.states[i].tolist()
        sub = both.bursts[both.bursts.series == i].drop(columns="series").reset_index(drop=True)
        assert sub.equals(single.bursts.drop(columns="series"))
    # the real burst (periods 21-25) is found in the series that carry it
    for i in (0, 2):
        rows = both.bursts[both.bursts.series == i]
        assert ((rows.start <= 23) & (rows.end >= 23)).any()
    assert both.bursts[both.bursts.series == 3].empty  # never mentioned: p0 = 0, no bursts


def test_missing_periods_are_not_zeros():
    r = [2, 3, 2, 14, 15, 3, 2, 3]
    d = [50, 50, 50, 50, 50, 50, 50, 50]
    base = kleinberg(r, d)
    # insert periods without data (total 0 or nan) at the edges of and inside the burst
    r_gap = [2, 3, 0, 2, np.nan, 14, 0, 15, 3, 0, 2, 3]
    d_gap = [50, 50, 0, 50, np.nan, 50, 0, 50, 50, np.nan, 50, 50]
    gapped = kleinberg(r_gap, d_gap)
    observed = [i for i, x in enumerate(d_gap) if x and not np.isnan(x)]
    assert gapped.states[observed].tolist() == base.states.tolist()
    assert float(gapped.transition_cost[0]) == pytest.approx(math.log(8))  # n counts periods with data
    (b,) = gapped.bursts.itertuples()
    (b0,) = base.bursts.itertuples()
    assert (b.start, b.end) == (observed[b0.start], observed[b0.end]) == (5, 7)  # spans the gap at 6
    assert b.periods == 2 and b.weight == pytest.approx(b0.weight)
    # whereas a real zero count between the two high periods is evidence: it splits the burst
    zero = kleinberg([2, 3, 2, 14, 0, 15, 3, 2, 3], [50] * 9)
    assert zero.states.tolist() == [0, 0, 0, 1, 0, 1, 0, 0, 0]
    assert [(b.start, b.end) for b in zero.bursts.itertuples()] == [(3, 3), (5, 5)]


def test_edge_cases():
    assert kleinberg([0, 0, 0], [5, 5, 5]).bursts.empty
    res = kleinberg([0, 0], [0, np.nan])
    assert res.bursts.empty and res.states.tolist() == [0, 0]
    # an actor in 60% of documents cannot double its share: no burst state, no bursts
    high = kleinberg([6, 6, 10], [10, 10, 10])
    assert np.isnan(high.rates[0, 1]) and high.bursts.empty
    # every document mentions the actor: p0 = 1, only the base state exists
    full = kleinberg([5, 5], [5, 5])
    assert full.rates.tolist()[0][0] == 1.0 and np.isnan(full.rates[0, 1]) and full.bursts.empty
    # empty result keeps the documented columns and integer dtypes
    assert list(high.bursts.columns) == list(BURST_COLUMNS)
    assert high.bursts["start"].dtype == np.int64


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"counts": [1, 2], "totals": [1, 1]}, "0 <= count <= total"),
        ({"counts": [-1, 2], "totals": [5, 5]}, "0 <= count <= total"),
        ({"counts": [1, 2], "totals": [5, 5], "s": 1.0}, "s=1.0 is invalid"),
        ({"counts": [1, 2], "totals": [5, 5], "gamma": -1}, "gamma=-1 is invalid"),
        ({"counts": [1, 2], "totals": [5, 5], "levels": 0}, "levels=0 is invalid"),
        ({"counts": [1, 2], "totals": [5, 5, 5]}, "do not broadcast"),
        ({"counts": [[[1]]], "totals": [5]}, "1-D"),
        ({"counts": [3, 2], "totals": [0, 5]}, "count 0 where the total is 0"),
    ],
)
def test_kleinberg_invalid_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        kleinberg(**kwargs)


# --- the rolling-baseline test --------------------------------------------------------------------
def reference_baseline(r, d, window, min_periods, method):
    """Plain-Python reference: for each period, the previous `window` periods that have data."""
    def has(u):
        return not np.isnan(r[u]) and (d is None or (not np.isnan(d[u]) and d[u] > 0))

    out = []
    for t in range(len(r)):
        if not has(t):
            out.append(math.nan)
            continue
        base = [u for u in range(max(0, t - window), t) if has(u)]
        if len(base) < min_periods:
            out.append(math.nan)
            continue
        if method == "binomial":
            p = sum(r[u] for u in base) / sum(d[u] for u in base)
            out.append(stats.binom.sf(r[t] - 1, d[t], p))
        elif d is not None:
            lam = d[t] * sum(r[u] for u in base) / sum(d[u] for u in base)
            out.append(stats.poisson.sf(r[t] - 1, lam))
        else:
            lam = sum(r[u] for u in base) / len(base)
            out.append(stats.poisson.sf(r[t] - 1, lam))
    return np.array(out)


def test_baseline_binomial_hand_worked():
    # baseline of t = 3: 4 of 100, 6 of 100, 5 of 100 -> p = 15/300 = 0.05; then 12 of 100
    out = baseline_test([4, 6, 5, 12], [100, 100, 100, 100], window=3)
    assert np.isnan(out["p_value"][:3]).all()  # not enough baseline yet
    assert out["expected"][3] == pytest.approx(5.0)
    assert out["baseline_rate"][3] == pytest.approx(0.05)
    hand = sum(math.comb(100, k) * 0.05**k * 0.95 ** (100 - k) for k in range(12, 101))
    assert out["p_value"][3] == pytest.approx(hand, rel=1e-9)
    assert out["p_value"][3] == pytest.approx(stats.binom.sf(11, 100, 0.05))
    assert out["p_adjusted"][3] == out["p_value"][3]  # one test
    assert out["baseline_periods"].tolist() == [0, 1, 2, 3]


def test_baseline_poisson_hand_worked():
    # mean of 3, 5, 4 mentions = 4; P(X >= 11 | Poisson(4))
    out = baseline_test([3, 5, 4, 11], window=3, method="poisson")
    hand = 1 - sum(math.exp(-4) * 4**k / math.factorial(k) for k in range(11))
    assert out["p_value"][3] == pytest.approx(hand, rel=1e-9)
    assert out["expected"][3] == pytest.approx(4.0)
    # with exposure: rate 12 per 300 documents, period of 50 documents -> lambda = 2
    out = baseline_test([3, 5, 4, 6], [100, 100, 100, 50], window=3, method="poisson")
    assert out["expected"][3] == pytest.approx(2.0)
    assert out["p_value"][3] == pytest.approx(stats.poisson.sf(5, 2.0))


@settings(max_examples=80)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 60)), min_size=1, max_size=25),
    st.integers(1, 6),
    st.data(),
)
def test_baseline_equals_plain_python_reference(rows, window, data):
    min_periods = data.draw(st.integers(1, window))
    d = np.array([float(x + y) if x + y > 0 or y % 2 else np.nan for x, y in rows])  # some periods missing
    r = np.array([float(x) if not np.isnan(t) else np.nan for (x, _), t in zip(rows, d)])
    r = np.where(d == 0, 0.0, r)
    for method in ("binomial", "poisson"):
        got = baseline_test(r, d, window=window, min_periods=min_periods, method=method, adjust="none")
        ref = reference_baseline(r, d, window, min_periods, method)
        np.testing.assert_allclose(got["p_value"], ref, rtol=1e-9, atol=1e-300)
    got = baseline_test(r, window=window, min_periods=min_periods, method="poisson", adjust="none")
    np.testing.assert_allclose(got["p_value"], reference_baseline(r, None, window, min_periods, "poisson"),
                               rtol=1e-9, atol=1e-300)


def test_baseline_missing_periods_do_not_enter_the_baseline():
    # period 2 has no documents; treating it as a zero would lower the baseline share
    r = [5, 5, 0, 5, 9]
    d = [100, 100, 0, 100, 100]
    out = baseline_test(r, d, window=4, min_periods=3)
    assert out["baseline_rate"][4] == pytest.approx(0.05)  # 15 / 300, not 15 / 400 of 4 periods
    assert out["baseline_periods"][4] == 3
    assert np.isnan(out["p_value"][2])  # a period without data is not tested
    zeros = baseline_test([5, 5, 0, 5, 9], [100, 100, 100, 100, 100], window=4)
    assert zeros["baseline_rate"][4] == pytest.approx(15 / 400)
    assert zeros["p_value"][4] < out["p_value"][4]


def test_baseline_two_dimensional_and_adjusted():
    rng = np.random.default_rng(5)
    d = rng.integers(80, 120, 30).astype(float)
    r = rng.binomial(d.astype(int), 0.1, size=(3, 30)).astype(float)
    r[1, 20] = 60  # a spike
    both = baseline_test(r, d, window=5)
    for i in range(3):
        single = baseline_test(r[i], d, window=5, adjust="none")
        np.testing.assert_allclose(both["p_value"][i], single["p_value"])
    tested = ~np.isnan(both["p_value"])
    np.testing.assert_allclose(both["p_adjusted"][tested], stats.false_discovery_control(both["p_value"][tested]))
    assert np.nanargmin(both["p_adjusted"]) == np.ravel_multi_index((1, 20), (3, 30))
    assert both["p_adjusted"][1, 20] < 1e-10


def test_zero_baseline_and_zero_count():
    out = baseline_test([0, 0, 3, 0], [50, 50, 50, 50], window=2)
    assert out["p_value"][2] == 0.0  # first mentions against a zero baseline
    assert out["p_value"][3] == 1.0  # P(X >= 0) = 1


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([1, 2],), {}, "needs totals"),
        (([1, 2], [5, 5]), {"window": 0}, "window=0 is invalid"),
        (([1, 2], [5, 5]), {"window": 2, "min_periods": 3}, "min_periods=3 is invalid"),
        (([1.5, 2], [5, 5]), {}, "whole counts"),
        (([6, 2], [5, 5]), {}, "count <= total"),
        (([1, 2], [5, 5]), {"method": "gauss"}, "method='gauss' is invalid"),
    ],
)
def test_baseline_invalid_input(args, kwargs, match):
    with pytest.raises(InputError, match=match):
        baseline_test(*args, **kwargs)


def test_one_count_series_against_totals_per_series():
    # counts (periods,) with totals (series, periods): one result row per series, not a 1-D result
    res = kleinberg([0, 5, 0], [[10, 10, 10], [20, 20, 20]])
    assert res.states.shape == (2, 3)
    out = baseline_test([1, 2, 3], [[10, 10, 10], [20, 20, 20]], window=1)
    assert out["p_value"].shape == (2, 3)
