"""Association measures: pure, vectorised functions of one 2×2 contingency table.

Every measure here is a function ``f(n_ab, n_a, n_b, n)`` of four counts:

- ``n_ab``: units that contain both *a* and *b* (for collocates: co-occurrences of node and
  collocate inside the window);
- ``n_a``:  units that contain *a* (its marginal frequency);
- ``n_b``:  units that contain *b*;
- ``n``:    all units (sentences, paragraphs, documents, or tokens for collocates).

They describe the table (rows: *a* present / absent; columns: *b* present / absent)::

                 b                 ¬b
            +------------+-----------------------+
        a   | O11 = n_ab | O12 = n_a - n_ab      |  = n_a
            +------------+-----------------------+
       ¬a   | O21 =      | O22 =                 |
            | n_b - n_ab | n - n_a - n_b + n_ab  |  = n - n_a
            +------------+-----------------------+
              = n_b        = n - n_b                 n

with expected counts under independence ``E_ij = row_i · col_j / n``, in particular
``E11 = n_a · n_b / n``.

Arguments may be Python scalars or numpy arrays (broadcast against each other); the result is always
``float64`` (a 0-d array for scalar input, use ``float()`` to unwrap). Every measure grows with the
strength of attraction, so "sort descending" ranks the strongest pairs first.

Edge cases are part of the contract and identical across calls:

- ``n_ab = 0`` (the pair never co-occurs, both members do): the log-based measures ``pmi``,
  ``log_dice``, ``mi3`` and ``t_score`` are ``-inf`` (their limit), ``npmi`` is ``-1`` (Bouma's
  limit), ``dice`` and ``jaccard`` are ``0``, ``llr`` and ``chi2`` are finite.
- a degenerate table, where ``n_a`` or ``n_b`` is ``0`` or ``n`` (a member never occurs, or occurs in
  every unit), carries no evidence of association: observed equals expected in every cell, so ``llr``
  and ``chi2`` are ``0``; measures that divide by a zero marginal are ``nan``.
- a table that cannot exist (negative cells, ``n_ab > min(n_a, n_b)``, ``n_a + n_b - n_ab > n``,
  ``n <= 0``) raises :class:`mediamon.errors.InputError`, unless ``check=False``. Window counts
  (collocates, NLTK's ``BigramCollocationFinder`` with ``window_size > 2``) can give such tables, e.g.
  ``n_ab > n_a`` when a collocate repeats inside one window; they are scored as given with
  ``check=False``, the formulas applied literally (a negative cell contributes nothing to ``llr``,
  where NLTK raises a math domain error).

The definitions agree with NLTK's :class:`nltk.metrics.association.BigramAssocMeasures` given the same
counts (``n_ii = n_ab``, ``(n_ix, n_xi) = (n_a, n_b)``, ``n_xx = n``): ``pmi``, ``llr``
(``likelihood_ratio``), ``chi2`` (``chi_sq``), ``dice``, ``jaccard`` and ``t_score`` (``student_t``)
are equal wherever NLTK's value is defined; ``mi3`` is the logarithmic form of NLTK's
``mi_like(power=3)``: ``mi3 = log2(n · mi_like)``.

References
----------
Church, K. W. & Hanks, P. (1990). Word association norms, mutual information, and lexicography.
*Computational Linguistics* 16(1), 22–29.

Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
*Computational Linguistics* 19(1), 61–74.

Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction.
*Proceedings of GSCL*, 31–40.

Rychlý, P. (2008). A lexicographer-friendly association score. *Proceedings of RASLAN 2008*, 6–9.

Evert, S. (2005). *The Statistics of Word Cooccurrences: Word Pairs and Collocations.* PhD thesis,
University of Stuttgart. (Also http://www.collocations.de for the formulas.)

Daille, B. (1994). *Approche mixte pour l'extraction automatique de terminologie.* PhD thesis,
Université Paris 7 (origin of the cubic MI, "IM³").

Manning, C. D. & Schütze, H. (1999). *Foundations of Statistical Natural Language Processing*,
ch. 5 (t-test, Pearson's chi-square, likelihood ratios).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from ..errors import InputError, one_of

__all__ = [
    "MEASURES",
    "Measure",
    "chi2",
    "dice",
    "expected",
    "jaccard",
    "llr",
    "log_dice",
    "mi3",
    "npmi",
    "pmi",
    "score",
    "t_score",
    "table",
]

Measure = Literal[
    "expected", "pmi", "npmi", "llr", "chi2", "dice", "log_dice", "jaccard", "t_score", "mi3"
]


def _arrays(
    n_ab: object, n_a: object, n_b: object, n: object, *, call: str = "assoc", check: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Broadcast the four counts to float64 arrays and check that they form a valid table."""
    a, ma, mb, tot = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (n_ab, n_a, n_b, n))
    )
    if not check:
        return a, ma, mb, tot
    bad = (
        (a < 0)
        | (a > ma)
        | (a > mb)
        | (ma + mb - a > tot)
        | (tot <= 0)
        | ~np.isfinite(a)
        | ~np.isfinite(ma)
        | ~np.isfinite(mb)
        | ~np.isfinite(tot)
    )
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        got = (a.ravel()[i], ma.ravel()[i], mb.ravel()[i], tot.ravel()[i])
        raise InputError(
            f"{call}(): (n_ab, n_a, n_b, n)={tuple(float(g) for g in got)} is not a valid 2×2 "
            "table; need 0 <= n_ab <= min(n_a, n_b), n_a + n_b - n_ab <= n and n > 0 "
            f"({int(bad.sum())} invalid table(s))."
        )
    return a, ma, mb, tot


def table(
    n_ab: object, n_a: object, n_b: object, n: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four observed cells ``(O11, O12, O21, O22)`` of the 2×2 table, as float64 arrays.

    ::

                 b            ¬b
        a   |  O11 = n_ab   | O12 = n_a - n_ab          |
       ¬a   |  O21 = n_b - n_ab | O22 = n - n_a - n_b + n_ab |

    >>> [float(x) for x in table(2, 3, 4, 10)]
    [2.0, 1.0, 2.0, 5.0]
    """
    a, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="table")
    return a, ma - a, mb - a, tot - ma - mb + a


def expected(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Expected co-occurrence count under independence.

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: E_{11} = \\frac{n_a \\, n_b}{n}

    ``n_ab`` is accepted (and validated) only so that every measure has the same signature.

    >>> float(expected(2, 3, 4, 12))
    1.0
    """
    _, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="expected", check=check)
    return ma * mb / tot


def pmi(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Pointwise mutual information in bits (Church & Hanks 1990).

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: \\mathrm{PMI} = \\log_2 \\frac{p(a,b)}{p(a)\\,p(b)}
              = \\log_2 \\frac{n_{ab}\\, n}{n_a\\, n_b} = \\log_2 \\frac{O_{11}}{E_{11}}

    ``-inf`` at ``n_ab = 0``; ``nan`` when ``n_a`` or ``n_b`` is 0. Equals NLTK's
    ``BigramAssocMeasures.pmi`` (which raises at ``n_ab = 0``). PMI favours rare pairs: one joint
    occurrence of two hapaxes scores ``log2(n)``; use ``min_count`` or ``npmi``/``log_dice``.

    References
    ----------
    Church & Hanks (1990); Manning & Schütze (1999), §5.4.

    >>> float(pmi(2, 4, 4, 16))
    1.0
    """
    a, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="pmi", check=check)
    with np.errstate(divide="ignore", invalid="ignore"):
        # NLTK's order of operations, so that equal ratios give bit-identical scores (ties)
        return np.log2(a * tot) - np.log2(ma * mb)


def npmi(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Normalised PMI in [-1, 1] (Bouma 2009).

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: \\mathrm{NPMI} = \\frac{\\mathrm{PMI}}{-\\log_2 p(a,b)}
              = \\frac{\\log_2 (n_{ab} n / (n_a n_b))}{\\log_2 (n / n_{ab})}

    ``-1`` for pairs that never co-occur (``n_ab = 0``, Bouma's limit), ``0`` for independence,
    ``+1`` for pairs that only ever occur together. When ``n_ab = n`` (both in every unit) the ratio is
    0/0; it is defined as ``+1`` (complete co-occurrence). ``nan`` when ``n_a`` or ``n_b`` is 0.

    References
    ----------
    Bouma, G. (2009). Normalized (pointwise) mutual information in collocation extraction.

    >>> float(npmi(4, 4, 4, 16))
    1.0
    """
    a, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="npmi", check=check)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.log2(a * tot) - np.log2(ma * mb)
        h = np.log2(tot) - np.log2(a)
        out = p / h
    out = np.where((a == 0) & (ma > 0) & (mb > 0), -1.0, out)
    out = np.where((a == tot) & (a > 0), 1.0, out)
    return np.asarray(out, dtype=np.float64)


def llr(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Log-likelihood ratio G² (Dunning 1993), over the four cells.

    ::

                 b                 ¬b
        a   |  O11 = n_ab       | O12 = n_a - n_ab           | n_a
       ¬a   |  O21 = n_b - n_ab | O22 = n - n_a - n_b + n_ab | n - n_a
              n_b                 n - n_b                      n

    .. math:: G^2 = 2 \\sum_{ij} O_{ij} \\ln \\frac{O_{ij}}{E_{ij}}, \\qquad
              E_{ij} = \\frac{R_i C_j}{n}, \\qquad 0 \\cdot \\ln 0 = 0

    Always ``>= 0`` (unsigned: repulsion also scores high; compare ``n_ab`` with ``expected`` for the
    direction). ``0`` for a degenerate table. Equals NLTK's ``likelihood_ratio`` (up to NLTK's
    ``1e-20`` smoothing inside the logarithm).

    References
    ----------
    Dunning (1993); Manning & Schütze (1999), §5.3.4.

    >>> round(float(llr(10, 10, 10, 20)), 6)  # 2 · 20 · ln 2
    27.725887
    """
    a, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="llr", check=check)
    cells = (a, ma - a, mb - a, tot - ma - mb + a)
    rows = (ma, ma, tot - ma, tot - ma)
    cols = (mb, tot - mb, mb, tot - mb)
    total = np.zeros_like(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        for obs, r, c in zip(cells, rows, cols):
            term = obs * np.log(obs * tot / (r * c))
            # nan only where obs == 0 (0·log 0, or an empty row/column) or obs < 0 (unchecked
            # window tables): those cells contribute 0
            total += np.where(np.isnan(term), 0.0, term)
    return np.maximum(2.0 * total, 0.0)


def chi2(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Pearson's chi-square over the 2×2 table, without continuity correction (as NLTK).

    ::

                 b                 ¬b
        a   |  O11 = n_ab       | O12 = n_a - n_ab           | n_a
       ¬a   |  O21 = n_b - n_ab | O22 = n - n_a - n_b + n_ab | n - n_a
              n_b                 n - n_b                      n

    .. math:: X^2 = \\sum_{ij} \\frac{(O_{ij} - E_{ij})^2}{E_{ij}}
              = \\frac{n\\,(O_{11} O_{22} - O_{12} O_{21})^2}{n_a\\,n_b\\,(n - n_a)(n - n_b)}
              = \\frac{n\\,(n\\,n_{ab} - n_a n_b)^2}{n_a\\,n_b\\,(n - n_a)(n - n_b)}

    Unsigned, like ``llr``. ``0`` for a degenerate table (a marginal of 0 or ``n``, where NLTK
    divides by zero). Equals NLTK's ``chi_sq`` (``n · phi_sq``).

    References
    ----------
    Manning & Schütze (1999), §5.3.3; Evert (2005), §3.1.

    >>> float(chi2(10, 10, 10, 20))
    20.0
    """
    a, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="chi2", check=check)
    num = tot * (tot * a - ma * mb) ** 2
    den = ma * mb * (tot - ma) * (tot - mb)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.asarray(out, dtype=np.float64)


def dice(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Dice coefficient in [0, 1].

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: D = \\frac{2\\, n_{ab}}{n_a + n_b}

    Independent of ``n``. ``nan`` when ``n_a = n_b = 0``. Equals NLTK's ``dice``.

    References
    ----------
    Dice, L. R. (1945). Measures of the amount of ecologic association between species. *Ecology*
    26(3); Smadja, McKeown & Hatzivassiloglou (1996), *Computational Linguistics* 22(1).

    >>> float(dice(2, 3, 5, 100))
    0.5
    """
    a, ma, mb, _ = _arrays(n_ab, n_a, n_b, n, call="dice", check=check)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2.0 * a / (ma + mb)


def log_dice(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """logDice (Rychlý 2008): Dice on a readable scale with a theoretical maximum of 14.

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: \\mathrm{logDice} = 14 + \\log_2 \\frac{2\\, n_{ab}}{n_a + n_b}

    ``14`` when the pair always occurs together, each halving of the Dice coefficient subtracts 1;
    ``-inf`` at ``n_ab = 0``. Independent of ``n``, hence stable across corpus sizes (Sketch Engine's
    default).

    References
    ----------
    Rychlý, P. (2008). A lexicographer-friendly association score.

    >>> float(log_dice(2, 4, 4, 100))
    13.0
    """
    d = dice(n_ab, n_a, n_b, n, check=check)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 14.0 + np.log2(d)


def jaccard(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Jaccard index in [0, 1]: shared units over units with either member.

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: J = \\frac{n_{ab}}{n_a + n_b - n_{ab}} = \\frac{O_{11}}{O_{11} + O_{12} + O_{21}}

    Equals NLTK's ``jaccard``; ``J = D / (2 - D)`` with ``D`` the Dice coefficient.
    ``nan`` when ``n_a = n_b = 0``.

    References
    ----------
    Jaccard, P. (1912). The distribution of the flora in the alpine zone. *New Phytologist* 11(2).

    >>> float(jaccard(2, 3, 5, 100))
    0.3333333333333333
    """
    a, ma, mb, _ = _arrays(n_ab, n_a, n_b, n, call="jaccard", check=check)
    with np.errstate(divide="ignore", invalid="ignore"):
        return a / (a + (mb - a) + (ma - a))  # O11 / (O11 + O21 + O12), summed as NLTK does


def t_score(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """t-score of the co-occurrence count against independence (Church et al. 1991).

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: t = \\frac{O_{11} - E_{11}}{\\sqrt{O_{11}}}
              = \\frac{n_{ab} - n_a n_b / n}{\\sqrt{n_{ab}}}

    (the sample variance approximated by the observed count, as in Manning & Schütze §5.3.1 and
    Evert 2005). ``-inf`` at ``n_ab = 0`` when ``E11 > 0``; ``nan`` when ``E11 = 0`` too. Equals NLTK's
    ``student_t`` wherever ``n_ab > 0`` (NLTK adds ``1e-20`` to the denominator, giving a huge
    negative finite number at ``n_ab = 0``).

    References
    ----------
    Church, Gale, Hanks & Hindle (1991), Using statistics in lexical analysis; Manning & Schütze
    (1999), §5.3.1; Evert (2005).

    >>> float(t_score(4, 4, 4, 16))
    1.5
    """
    a, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="t_score", check=check)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a - ma * mb / tot) / np.sqrt(a)


def mi3(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Cubic mutual information MI³ (Daille 1994; Evert 2005), in bits.

    ::

                 b       ¬b
        a   |  n_ab  |         | n_a
       ¬a   |        |         |
              n_b                 n

    .. math:: \\mathrm{MI}^3 = \\log_2 \\frac{O_{11}^3}{E_{11}}
              = \\log_2 \\frac{n_{ab}^3\\, n}{n_a\\, n_b}

    PMI with the joint count cubed, which cancels PMI's bias towards rare pairs. ``-inf`` at
    ``n_ab = 0``; ``nan`` when ``n_a`` or ``n_b`` is 0. NLTK's ``mi_like(power=3)`` is the same
    quantity without the logarithm and without ``n``: ``mi_like = n_ab³ / (n_a n_b) = 2**mi3 / n``.

    References
    ----------
    Daille (1994); Evert (2005), §3.1.

    >>> float(mi3(2, 4, 4, 16))
    3.0
    """
    a, ma, mb, tot = _arrays(n_ab, n_a, n_b, n, call="mi3", check=check)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log2(a**3 * tot) - np.log2(ma * mb)


#: Every measure by name; each is ``f(n_ab, n_a, n_b, n) -> float64 array``, larger = stronger.
MEASURES: dict[str, Callable[..., np.ndarray]] = {
    "expected": expected,
    "pmi": pmi,
    "npmi": npmi,
    "llr": llr,
    "chi2": chi2,
    "dice": dice,
    "log_dice": log_dice,
    "jaccard": jaccard,
    "t_score": t_score,
    "mi3": mi3,
}

#: The association measures proper (``expected`` is a reference value, not a ranking).
SCORES: tuple[str, ...] = tuple(m for m in MEASURES if m != "expected")


def score(
    measure: str, n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> np.ndarray:
    """Compute the named measure from :data:`MEASURES`.

    >>> float(score("log_dice", 2, 4, 4, 100))
    13.0
    >>> score("lift", 1, 1, 1, 1)
    Traceback (most recent call last):
    ...
    mediamon.errors.InputError: score(): measure='lift' is invalid; must be one of 'expected', \
'pmi', 'npmi', 'llr', 'chi2', 'dice', 'log_dice', 'jaccard', 't_score', 'mi3'.
    """
    fn = MEASURES.get(measure)
    if fn is None:
        raise one_of("score()", "measure", measure, MEASURES)
    return fn(n_ab, n_a, n_b, n, check=check)


def all_measures(
    n_ab: object, n_a: object, n_b: object, n: object, *, check: bool = True
) -> dict[str, np.ndarray]:
    """Every measure in :data:`MEASURES` for the same tables, as ``{name: array}``."""
    _arrays(n_ab, n_a, n_b, n, call="all_measures", check=check)
    return {name: fn(n_ab, n_a, n_b, n, check=False) for name, fn in MEASURES.items()}
