"""Trailing-window sums over the last axis, skipping periods without data (vectorised, no loops)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def check_window(call: str, window: int, min_periods: int | None) -> int:
    """Validate ``window`` and ``min_periods``; return the effective ``min_periods``."""
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise InputError(f"{call}: window={window!r} is invalid; pass the number of preceding periods, >= 1.")
    mp = int(window) if min_periods is None else min_periods
    if isinstance(mp, bool) or not isinstance(mp, (int, np.integer)) or not 1 <= mp <= window:
        raise InputError(
            f"{call}: min_periods={min_periods!r} is invalid; pass an integer in [1, window={window}] or None "
            "(= window)."
        )
    return int(mp)


def trailing_sums(values: np.ndarray, valid: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of ``values`` over the ``window`` periods *before* each period, and how many had data.

    Periods where ``valid`` is False contribute nothing (neither to the sum nor to the count); the
    window is counted in calendar periods, so a gap shortens it rather than reaching further back.
    """
    x = np.where(valid, values, 0.0)
    t = x.shape[-1]
    zeros = np.zeros(x.shape[:-1] + (1,))
    csum = np.concatenate([zeros, np.cumsum(x, axis=-1)], axis=-1)
    ccount = np.concatenate([zeros, np.cumsum(valid, axis=-1, dtype=np.float64)], axis=-1)
    end = np.arange(t)  # window is [t - window, t - 1] -> prefix indices [max(t - window, 0), t]
    start = np.maximum(end - window, 0)
    return csum[..., end] - csum[..., start], ccount[..., end] - ccount[..., start]
