"""Input checks shared by the statistics modules: broadcast to float64 and reject invalid values."""

from __future__ import annotations

import numpy as np

from ..errors import InputError


def floats(*values: object) -> list[np.ndarray]:
    """Broadcast the arguments against each other as float64 arrays (copies, never views)."""
    return [np.array(x, dtype=np.float64) for x in np.broadcast_arrays(*(np.asarray(v) for v in values))]


def reject_if(
    bad: np.ndarray, call: str, names: tuple[str, ...], arrays: tuple[np.ndarray, ...], rule: str
) -> None:
    """Raise :class:`InputError` naming the first offending element when ``bad`` has any True."""
    if not bad.any():
        return
    i = int(np.flatnonzero(bad.ravel())[0])
    got = ", ".join(f"{n}={float(np.ravel(a)[i])!r}" for n, a in zip(names, arrays))
    raise InputError(f"{call}: invalid input at position {i} ({got}); need {rule} ({int(bad.sum())} invalid).")


def check_confidence(call: str, confidence: float) -> None:
    """``confidence`` must lie strictly between 0 and 1."""
    if not 0.0 < float(confidence) < 1.0:
        raise InputError(f"{call}: confidence={confidence!r} is invalid; pass a level in (0, 1), e.g. 0.95.")
