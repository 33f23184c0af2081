"""Progress bars only when a person is watching: a terminal, or an interactive Jupyter kernel.

A batch report's kernel (``MEDIAMON_REPORT_DIR`` set) and a pipe get no bar, so logs and report
HTML stay clean. Every long loop of mediamon (loading files, indexing, ingesting) asks
:func:`interactive` unless the caller passed ``progress=True`` or ``False``.
"""

from __future__ import annotations

import os
import sys


def in_kernel() -> bool:
    """Whether this process is a running Jupyter kernel (not merely one that imported ipykernel)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def interactive() -> bool:
    """A person is watching: a terminal, or a Jupyter kernel that is not running a batch report."""
    if getattr(sys.stderr, "isatty", lambda: False)():
        return True
    return in_kernel() and "MEDIAMON_REPORT_DIR" not in os.environ


def show_progress(progress: bool | None) -> bool:
    """Whether to show a bar: *progress* if given, else :func:`interactive`."""
    return interactive() if progress is None else bool(progress)
