"""What the bench scripts share: the best time of repeated runs, and a results file written as it is printed."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The shortest wall-clock time of *repeat* calls of *fn* (the least disturbed by other load), and
    the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


class Report:
    """Lines of a results file: ``say(line)`` prints a line as it comes and keeps it; ``write(path)``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def write(self, path: str | Path) -> None:
        Path(path).write_text("\n".join(self.lines) + "\n", encoding="utf-8")
