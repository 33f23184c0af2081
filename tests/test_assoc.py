"""Association measures against NLTK's BigramAssocMeasures, hand-worked tables and the literature."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.metrics.association import BigramAssocMeasures as BAM

from mediamon.stats import assoc
from mediamon.errors import InputError, MediamonError


@st.composite
def tables(draw, *, max_n: int = 10**6, positive: bool = False):
    """A valid 2×2 table as (n_ab, n_a, n_b, n)."""
    n = draw(st.integers(1, max_n))
    n_a = draw(st.integers(1 if positive else 0, n))
    n_b = draw(st.integers(1 if positive else 0, n))
    lo = max(0, n_a + n_b - n)
    hi = min(n_a, n_b)
    if positive:
        lo = max(lo, 1)
        if hi < lo:
            n_b = n_a = max(n_a, 1)
            hi = n_a
    n_ab = draw(st.integers(lo, hi))
    return n_ab, n_a, n_b, n


def nltk_args(n_ab, n_a, n_b, n):
    return n_ab, (n_a, n_b), n


def close(ours, theirs, *, rel=1e-9, abs_=1e-9):
    assert float(ours) == pytest.approx(theirs, rel=rel, abs=abs_)


# --- NLTK agreement ------------------------------------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(tables(positive=True))
def test_pmi_equals_nltk(t):
    close(assoc.pmi(*t), BAM.pmi(*nltk_args(*t)))


@settings(max_examples=400, deadline=None)
@given(tables())
def test_llr_equals_nltk_likelihood_ratio(t):
    n = t[3]
    close(assoc.llr(*t), BAM.likelihood_ratio(*nltk_args(*t)), rel=1e-7, abs_=1e-9 * n)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_chi2_equals_nltk_chi_sq(t):
    n_ab, n_a, n_b, n = t
    if n_a in (0, n) or n_b in (0, n):
        # NLTK divides by zero here; ours documents 0 (observed == expected in every cell).
        assert float(assoc.chi2(*t)) == 0.0
        with pytest.raises(ZeroDivisionError):
            BAM.chi_sq(*nltk_args(*t))
        return
    close(assoc.chi2(*t), BAM.chi_sq(*nltk_args(*t)), rel=1e-9)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_dice_and_jaccard_equal_nltk(t):
    n_ab, n_a, n_b, n = t
    if n_a + n_b == 0:
        assert math.isnan(float(assoc.dice(*t))) and math.isnan(float(assoc.jaccard(*t)))
        return
    close(assoc.dice(*t), BAM.dice(*nltk_args(*t)))
    close(assoc.jaccard(*t), BAM.jaccard(*nltk_args(*t)))
    d = float(assoc.dice(*t))
    close(assoc.jaccard(*t), d / (2 - d))  # the documented relation


@settings(max_examples=400, deadline=None)
@given(tables(positive=True))
def test_t_score_equals_nltk_student_t(t):
    close(assoc.t_score(*t), BAM.student_t(*nltk_args(*t)), rel=1e-9, abs_=1e-9)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_mi3_is_log_of_nltk_mi_like_times_n(t):
    n_ab, n_a, n_b, n = t
    if n_a == 0 or n_b == 0:
        assert math.isnan(float(assoc.mi3(*t)))
        return
    like = BAM.mi_like(*nltk_args(*t), power=3)
    # documented relation: mi_like = 2**mi3 / n  (also at n_ab = 0: 2**-inf = 0)
    close(2.0 ** float(assoc.mi3(*t)) / n, like, rel=1e-9, abs_=0)
    if n_ab > 0:
        close(assoc.mi3(*t), math.log2(like * n))


@settings(max_examples=200, deadline=None)
@given(st.lists(tables(positive=True), min_size=1, max_size=30))
def test_vectorised_equals_elementwise(ts):
    arr = np.array(ts, dtype=np.int64).T
    for name in assoc.MEASURES:
        vec = assoc.score(name, *arr)
        assert vec.dtype == np.float64 and vec.shape == (len(ts),)
        one = np.array([float(assoc.score(name, *t)) for t in ts])
        np.testing.assert_allclose(vec, one, rtol=1e-13)  # numpy SIMD paths may differ by 1 ulp


@settings(max_examples=300, deadline=None)
@given(tables(positive=True))
def test_npmi_in_range_and_consistent_with_pmi(t):
    n_ab, n_a, n_b, n = t
    v = float(assoc.npmi(*t))
    assert -1 - 1e-12 <= v <= 1 + 1e-12
    if n_ab < n:
        close(v, float(assoc.pmi(*t)) / -math.log2(n_ab / n))


# --- hand-worked tables --------------------------------------------------------------------------
def test_hand_worked_table_2_4_4_16():
    # cells: O11=2, O12=2, O21=2, O22=10; expected: E11=1, E12=3, E21=3, E22=9
    t = (2, 4, 4, 16)
    assert [float(x) for x in assoc.table(*t)] == [2, 2, 2, 10]
    assert float(assoc.expected(*t)) == 1.0
    assert float(assoc.pmi(*t)) == 1.0  # log2(2/1)
    close(assoc.npmi(*t), 1 / 3)  # 1 / -log2(2/16)
    assert float(assoc.dice(*t)) == 0.5  # 2·2 / 8
    assert float(assoc.log_dice(*t)) == 13.0  # 14 + log2(0.5)
    close(assoc.jaccard(*t), 2 / 6)
    close(assoc.t_score(*t), (2 - 1) / math.sqrt(2))
    assert float(assoc.mi3(*t)) == 3.0  # log2(2**3 / 1)
    close(assoc.chi2(*t), (2 - 1) ** 2 / 1 + (2 - 3) ** 2 / 3 + (2 - 3) ** 2 / 3 + (10 - 9) ** 2 / 9)
    g2 = 2 * (2 * math.log(2 / 1) + 2 * math.log(2 / 3) + 2 * math.log(2 / 3) + 10 * math.log(10 / 9))
    close(assoc.llr(*t), g2)


def test_hand_worked_table_with_empty_cell():
    # n_ab=3, n_a=3, n_b=5, n=10: O=(3, 0, 2, 5), E=(1.5, 1.5, 3.5, 3.5)
    t = (3, 3, 5, 10)
    assert [float(x) for x in assoc.table(*t)] == [3, 0, 2, 5]
    g2 = 2 * (3 * math.log(3 / 1.5) + 0 + 2 * math.log(2 / 3.5) + 5 * math.log(5 / 3.5))
    close(assoc.llr(*t), g2)
    x2 = 1.5**2 / 1.5 + 1.5**2 / 1.5 + 1.5**2 / 3.5 + 1.5**2 / 3.5
    close(assoc.chi2(*t), x2)
    close(assoc.dice(*t), 6 / 8)
    close(assoc.jaccard(*t), 3 / 5)
    close(assoc.pmi(*t), math.log2(3 * 10 / 15))


def test_manning_schuetze_new_companies():
    # Manning & Schütze (1999), §5.3: "new companies" in the NYT corpus; t = 0.999932, X² = 1.55.
    t = (8, 15828, 4675, 14307668)
    assert round(float(assoc.t_score(*t)), 6) == 0.999932
    assert round(float(assoc.chi2(*t)), 2) == 1.55


def test_independence_gives_neutral_scores():
    t = (25, 50, 50, 100)  # E11 = 25
    assert float(assoc.pmi(*t)) == 0.0
    assert float(assoc.npmi(*t)) == 0.0
    assert float(assoc.chi2(*t)) == 0.0
    assert float(assoc.llr(*t)) == pytest.approx(0.0, abs=1e-12)
    assert float(assoc.t_score(*t)) == 0.0


# --- edge cases are documented and consistent ----------------------------------------------------
def test_zero_joint_count():
    t = (0, 5, 7, 100)
    for name in ("pmi", "log_dice", "mi3", "t_score"):
        assert float(assoc.score(name, *t)) == -math.inf, name
    assert float(assoc.npmi(*t)) == -1.0
    assert float(assoc.dice(*t)) == 0.0 and float(assoc.jaccard(*t)) == 0.0
    assert math.isfinite(float(assoc.llr(*t))) and float(assoc.llr(*t)) > 0
    assert math.isfinite(float(assoc.chi2(*t)))


def test_degenerate_tables():
    # a always present: no evidence of association
    assert float(assoc.llr(5, 10, 5, 10)) == 0.0
    assert float(assoc.chi2(5, 10, 5, 10)) == 0.0
    # both in every unit: complete co-occurrence
    assert float(assoc.npmi(10, 10, 10, 10)) == 1.0
    # a member that never occurs
    assert math.isnan(float(assoc.pmi(0, 0, 5, 10)))
    assert float(assoc.llr(0, 0, 5, 10)) == 0.0


def test_scalars_and_broadcasting():
    out = assoc.pmi(2, np.array([4, 8]), 4, 16)
    np.testing.assert_allclose(out, [1.0, 0.0])
    assert assoc.dice(1, 1, 1, 1).dtype == np.float64


@pytest.mark.parametrize(
    "bad", [(3, 2, 5, 10), (-1, 2, 2, 10), (1, 6, 6, 10), (0, 0, 0, 0), (1.0, 2.0, math.nan, 3.0)]
)
def test_invalid_tables_raise(bad):
    with pytest.raises(InputError, match=r"pmi\(\): .*not a valid 2×2 table"):
        assoc.pmi(*bad)


def test_unknown_measure_names_choices():
    with pytest.raises(MediamonError, match=r"score\(\): measure='lift' is invalid; must be one of"):
        assoc.score("lift", 1, 1, 1, 1)
    with pytest.raises(ValueError):
        assoc.score("lift", 1, 1, 1, 1)


def test_registry_is_complete():
    assert set(assoc.MEASURES) == {
        "expected", "pmi", "npmi", "llr", "chi2", "dice", "log_dice", "jaccard", "t_score", "mi3"
    }
    assert "expected" not in assoc.SCORES
    got = assoc.all_measures(2, 4, 4, 16)
    assert set(got) == set(assoc.MEASURES)


def test_unchecked_window_tables_score_like_nltk():
    # window counts can exceed a marginal (a collocate repeated inside one window); NLTK scores them
    t = (6, 4, 9, 100)
    with pytest.raises(InputError):
        assoc.pmi(*t)
    close(assoc.pmi(*t, check=False), BAM.pmi(*nltk_args(*t)))
    close(assoc.dice(*t, check=False), BAM.dice(*nltk_args(*t)))
    close(assoc.t_score(*t, check=False), BAM.student_t(*nltk_args(*t)))
    close(assoc.chi2(*t, check=False), BAM.chi_sq(*nltk_args(*t)))
    # fractional counts (Church & Hanks scaling by 1/(window-1)) are accepted too
    close(assoc.score("pmi", 1.5, 4, 9, 100), BAM.pmi(1.5, (4, 9), 100))
