"""Adjusting p-values for the number of tests (many words, many periods), vectorised.

Given ``m`` p-values sorted ascending, ``p_(1) <= ... <= p_(m)``:

- **Benjamini–Hochberg** (``"bh"``, the default; controls the false discovery rate for independent
  or positively dependent tests):

  .. math:: \\tilde p_{(i)} = \\min_{j \\ge i} \\min\\Big(1, \\frac{m}{j}\\, p_{(j)}\\Big)

- **Benjamini–Yekutieli** (``"by"``; valid under any dependence): the same with ``m`` replaced by
  ``m · (1 + 1/2 + ... + 1/m)``;
- **Bonferroni** (``"bonferroni"``; controls the family-wise error rate):
  ``min(1, m · p)``;
- ``"none"``: the p-values unchanged.

A word (or period) is significant at level ``q`` when its adjusted p-value is ``<= q``: this is the
same decision as the step-up procedure of Benjamini & Hochberg (1995). The adjusted values equal
``scipy.stats.false_discovery_control(p, method="bh"|"by")`` and R's ``p.adjust``.

Missing p-values (``nan``: an untested word, a period without data or without a baseline) stay
``nan`` and are not counted in ``m``.

References
----------
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and powerful
approach to multiple testing. *JRSS B* 57(1), 289–300.

Benjamini, Y. & Yekutieli, D. (2001). The control of the false discovery rate in multiple testing
under dependency. *Annals of Statistics* 29(4), 1165–1188.

Dunn, O. J. (1961). Multiple comparisons among means. *JASA* 56(293), 52–64 (Bonferroni).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..errors import InputError, one_of

__all__ = ["ADJUST_METHODS", "AdjustMethod", "adjust_pvalues"]

AdjustMethod = Literal["bh", "by", "bonferroni", "none"]
ADJUST_METHODS: tuple[str, ...] = ("bh", "by", "bonferroni", "none")


def adjust_pvalues(p: object, *, method: AdjustMethod = "bh", axis: int | None = None) -> np.ndarray:
    """Adjust p-values for multiple testing; see the module docstring for the formulas.

    Parameters
    ----------
    p
        p-values in ``[0, 1]``, any shape; ``nan`` marks a missing test.
    method
        ``"bh"`` (Benjamini–Hochberg, default), ``"by"`` (Benjamini–Yekutieli), ``"bonferroni"``
        or ``"none"``.
    axis
        ``None`` (default): one family of all the values. An integer: one family per slice along
        that axis (e.g. ``axis=-1`` on an ``(actors, periods)`` array adjusts each actor's periods
        separately).

    Returns
    -------
    numpy.ndarray
        float64 array of the shape of ``p``.

    >>> adjust_pvalues([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    >>> adjust_pvalues([0.01, np.nan, 0.02], method="bonferroni").tolist()
    [0.02, nan, 0.04]
    """
    call = "adjust_pvalues()"
    if method not in ADJUST_METHODS:
        raise one_of(call, "method", method, ADJUST_METHODS)
    x = np.array(p, dtype=np.float64)
    bad = ~np.isnan(x) & ((x < 0) | (x > 1))
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise InputError(
            f"{call}: p-values must lie in [0, 1] (nan for a missing test); got {float(x.ravel()[i])!r} "
            f"at position {i} ({int(bad.sum())} invalid)."
        )
    if method == "none" or x.size == 0:
        return x
    if axis is None:
        rows = x.reshape(1, -1)
    else:
        if not -x.ndim <= axis < x.ndim:
            raise InputError(f"{call}: axis={axis!r} is out of range for an array of {x.ndim} dimension(s).")
        moved = np.moveaxis(x, axis, -1)
        rows = moved.reshape(-1, moved.shape[-1])
    out = _adjust_rows(rows, method)
    if axis is None:
        return out.reshape(x.shape)
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def _adjust_rows(rows: np.ndarray, method: str) -> np.ndarray:
    """Adjust each row of a 2-D array as its own family."""
    m = np.sum(~np.isnan(rows), axis=1, keepdims=True).astype(np.float64)
    if method == "bonferroni":
        return np.minimum(1.0, rows * m)
    order = np.argsort(rows, axis=1, kind="stable")  # nan sorts last
    ranked = np.take_along_axis(rows, order, axis=1)
    rank = np.arange(1, rows.shape[1] + 1, dtype=np.float64)
    factor = m
    if method == "by":
        # harmonic number H_m per row, from one cumulative sum
        harmonic = np.concatenate([[0.0], np.cumsum(1.0 / rank)])
        factor = m * harmonic[m[:, 0].astype(np.int64)][:, None]
    with np.errstate(invalid="ignore"):
        scaled = ranked * factor / rank
    # step-up: running minimum from the largest p downwards (fmin skips the trailing nans)
    stepped = np.fmin.accumulate(scaled[:, ::-1], axis=1)[:, ::-1]
    stepped = np.where(np.isnan(ranked), np.nan, np.minimum(stepped, 1.0))
    out = np.empty_like(rows)
    np.put_along_axis(out, order, stepped, axis=1)
    return out
