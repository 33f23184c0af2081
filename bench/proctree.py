"""Memory of a child process and all its descendants, sampled while it runs (for the bench scripts).

``run_sampled(cmd, env=..., interval=...)`` starts *cmd*, samples the whole process tree (the child,
its forked index builders, a Dask scheduler, nannies and workers) every *interval* seconds with
psutil, and returns the child's stdout, stderr, return code and the samples. Each sample is
``(time, rss, pss, anonymous)`` in bytes, summed over the tree:

``rss``
    resident set size (a page shared by n processes counts n times);
``pss``
    proportional set size (a shared page counts 1/n in each: what the tree really holds);
``anonymous``
    RSS without file-backed pages (memory-mapped indexes and texts, code): what cannot be dropped.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil  # a dev dependency (via dask[distributed]); the measured trees do not need it


@dataclass
class SampledRun:
    """What :func:`run_sampled` returns."""

    stdout: str
    stderr: str
    returncode: int
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)

    def peak(self, what: str = "rss", t0: float | None = None, t1: float | None = None) -> int:
        """The highest *what* (``rss``, ``pss`` or ``anonymous``) between *t0* and *t1* (wall clock),
        or over the whole run; the sample nearest *t1* when none falls inside."""
        k = {"rss": 1, "pss": 2, "anonymous": 3}[what]
        lo = -float("inf") if t0 is None else t0
        hi = float("inf") if t1 is None else t1
        inside = [s for s in self.samples if lo <= s[0] <= hi]
        if not inside and self.samples:
            inside = [min(self.samples, key=lambda s: abs(s[0] - (hi if t1 is not None else lo)))]
        return max((s[k] for s in inside), default=0)


def _tree_memory(root: psutil.Process, with_pss: bool) -> tuple[int, int, int] | None:
    try:
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return None
    rss = pss = anon = 0
    for q in procs:
        try:
            mi = q.memory_full_info() if with_pss else q.memory_info()
        except psutil.Error:
            continue
        rss += mi.rss
        pss += getattr(mi, "pss", 0)
        anon += mi.rss - mi.shared
    return rss, pss, anon


def run_sampled(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    interval: float = 0.1,
    with_pss: bool = False,
) -> SampledRun:
    """Run *cmd* to its end, sampling its process tree every *interval* seconds (PSS, which reads
    ``/proc/<pid>/smaps``, only *with_pss*: it costs more per sample)."""
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=None if env is None else dict(env), cwd=cwd)  # fmt: skip
    run = SampledRun("", "", 0)
    stop = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            found = _tree_memory(root, with_pss)
            if found is None:
                break
            run.samples.append((time.time(), *found))
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    run.stdout, run.stderr = proc.communicate()
    stop.set()
    thread.join()
    run.returncode = proc.returncode
    return run
