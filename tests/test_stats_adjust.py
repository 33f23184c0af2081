"""p-value adjustment against scipy.stats.false_discovery_control and a hand computation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from mediamon.errors import InputError
from mediamon.stats.adjust import adjust_pvalues


def bh_by_hand(p):
    """Benjamini & Hochberg (1995) step-up, written out: for each i, min over j >= i of m p_(j) / j."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    for pos, i in enumerate(order):
        out[i] = min(1.0, min(m * p[order[j]] / (j + 1) for j in range(pos, m)))
    return out


def test_hand_worked_example():
    p = [0.01, 0.04, 0.03, 0.005, 0.5]
    # sorted: 0.005, 0.01, 0.03, 0.04, 0.5 -> m p / rank = 0.025, 0.025, 0.05, 0.05, 0.5
    assert adjust_pvalues(p).tolist() == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.5])
    assert adjust_pvalues(p).tolist() == pytest.approx(bh_by_hand(p))
    assert adjust_pvalues(p, method="bonferroni").tolist() == pytest.approx([0.05, 0.2, 0.15, 0.025, 1.0])
    # BY: BH times H_5 = 1 + 1/2 + 1/3 + 1/4 + 1/5
    h5 = 137 / 60
    assert adjust_pvalues(p, method="by").tolist() == pytest.approx([min(1, x * h5) for x in bh_by_hand(p)])
    assert adjust_pvalues(p, method="none").tolist() == p


@settings(max_examples=200)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=60))
def test_equals_scipy_false_discovery_control(p):
    for method in ("bh", "by"):
        np.testing.assert_allclose(adjust_pvalues(p, method=method), stats.false_discovery_control(p, method=method),
                                   rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(adjust_pvalues(p), bh_by_hand(p), rtol=1e-12, atol=1e-15)


@settings(max_examples=100)
@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1, max_size=40))
def test_missing_values_stay_missing_and_are_not_counted(p):
    x = np.array(p)
    got = adjust_pvalues(x)
    keep = ~np.isnan(x)
    assert np.isnan(got[~keep]).all()
    if keep.any():
        np.testing.assert_allclose(got[keep], stats.false_discovery_control(x[keep]), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(adjust_pvalues(x, method="bonferroni")[keep],
                                   np.minimum(1, x[keep] * keep.sum()), rtol=1e-12)


def test_ties_and_monotonicity():
    p = np.array([0.02, 0.02, 0.02, 0.9])
    got = adjust_pvalues(p)
    assert got[:3].tolist() == pytest.approx([0.02 * 4 / 3] * 3)
    rng = np.random.default_rng(0)
    q = rng.random(500) ** 4
    adj = adjust_pvalues(q)
    order = np.argsort(q)
    assert np.all(np.diff(adj[order]) >= -1e-15)  # adjusted p keeps the order of the raw p
    assert np.all(adj >= q)


def test_axis_adjusts_each_slice_as_a_family():
    rng = np.random.default_rng(1)
    p = rng.random((3, 7)) ** 2
    rows = adjust_pvalues(p, axis=1)
    for i in range(3):
        np.testing.assert_allclose(rows[i], stats.false_discovery_control(p[i]))
    cols = adjust_pvalues(p, axis=0)
    for j in range(7):
        np.testing.assert_allclose(cols[:, j], stats.false_discovery_control(p[:, j]))
    whole = adjust_pvalues(p)
    np.testing.assert_allclose(whole.ravel(), stats.false_discovery_control(p.ravel()))
    assert adjust_pvalues(np.array([])).shape == (0,)


def test_invalid_input():
    with pytest.raises(InputError, match=r"must lie in \[0, 1\]"):
        adjust_pvalues([0.1, 1.5])
    with pytest.raises(InputError, match="method='holm' is invalid"):
        adjust_pvalues([0.1], method="holm")
    with pytest.raises(InputError, match="axis=2"):
        adjust_pvalues(np.ones((2, 2)) / 2, axis=2)
