"""Batches: one notebook run once per parameter set of a grid; one failing run does not stop the others."""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from .. import display
from ..errors import ParameterError, ReportError
from .params import load_params_file, notebook_parameters, validate_params
from .paths import safe_name, write_atomic
from .run import ReportRun, default_run_id, resolve_notebook, run_report

log = logging.getLogger(__name__)

Grid = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def expand_grid(grid: Grid | str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Expand a batch grid into a list of parameter sets.

    Parameters
    ----------
    grid
        A mapping ``{name: [values...]}`` (cartesian product, in key order; a non-list value is a
        single value), a list of mappings (taken as is), or a path to a YAML/JSON file with either.

    >>> expand_grid({"actor": ["raisi", "putin"], "top": 10})
    [{'actor': 'raisi', 'top': 10}, {'actor': 'putin', 'top': 10}]
    """
    if isinstance(grid, (str, os.PathLike)):
        grid = load_params_file(grid)
    if isinstance(grid, Mapping):
        names = list(grid)
        columns = [v if isinstance(v, (list, tuple)) else [v] for v in grid.values()]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*columns)]
    if isinstance(grid, Sequence) and all(isinstance(g, Mapping) for g in grid):
        return [dict(g) for g in grid]
    raise ParameterError(
        f"expand_grid(): a grid must be a mapping of lists or a list of mappings, got "
        f"{type(grid).__name__}. Example: {{'actor': ['raisi', 'putin']}}."
    )


@dataclass(frozen=True)
class BatchResult:
    """Outcomes of :func:`run_batch`.

    Attributes
    ----------
    batch_id
        Name of the batch folder.
    folder
        ``<out>/<stem>/batch-<batch-id>/`` holding ``summary.csv``.
    runs
        One :class:`ReportRun` per parameter set, in grid order (``None`` where the run could not even
        start; the summary says why).
    summary
        DataFrame: ``run_id, params, status, error, cell_index, html, folder, seconds``.
    """

    batch_id: str
    folder: Path
    runs: tuple[ReportRun | None, ...]
    summary: pd.DataFrame = field(repr=False)

    @property
    def ok(self) -> bool:
        """Whether every run succeeded."""
        return bool((self.summary["status"] == "ok").all())

    @property
    def summary_csv(self) -> Path:
        """Path of the summary CSV."""
        return self.folder / "summary.csv"

    def _repr_html_(self) -> str:

        return display.caption(f"Batch {self.batch_id}") + display.table(self.summary, max_rows=200)


def run_batch(
    notebook: str | os.PathLike[str],
    grid: Grid | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] = "reports",
    html: bool = True,
    hide_code: bool = True,
    timeout: float | None = 600,
    notebooks_dir: str | os.PathLike[str] | None = None,
    kernel_name: str | None = None,
    batch_id: str | None = None,
    progress: bool | None = None,
) -> BatchResult:
    """Run a notebook once per parameter set of *grid*; failures do not stop the batch.

    Every parameter set is validated before the first run starts. Run ids are
    ``<batch-id>-<nnn>-<params hash>``; runs land in ``<out>/<stem>/<run-id>/`` like single runs, and
    the summary in ``<out>/<stem>/batch-<batch-id>/summary.csv``.

    Parameters
    ----------
    notebook, out, html, hide_code, timeout, notebooks_dir, kernel_name
        As for :func:`run_report`.
    grid
        See :func:`expand_grid`.
    batch_id
        Name of the batch (safe file name); default: UTC timestamp.
    progress
        Show a tqdm progress bar; ``None`` shows it only on a terminal.

    Returns
    -------
    BatchResult

    Raises
    ------
    ParameterError
        If any parameter set is invalid (nothing runs).
    """

    source = resolve_notebook(notebook, notebooks_dir)
    specs = notebook_parameters(source)
    sets = expand_grid(grid)
    if not sets:
        raise ParameterError("run_batch(): the grid expands to no parameter sets; give at least one value.")
    checked = [validate_params(specs, s, call=f"run_batch() run {i}") for i, s in enumerate(sets)]
    if batch_id:
        bid = safe_name(batch_id, call="run_batch()", what="batch_id")
    else:
        bid = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = safe_name(source.stem, call="run_batch()", what="notebook name")
    rows: list[dict[str, Any]] = []
    runs: list[ReportRun | None] = []
    for i, values in enumerate(tqdm(checked, desc=f"{stem} batch", unit="run", disable=_quiet(progress))):
        rid = f"{bid}-{i:03d}-{default_run_id(values).rsplit('-', 1)[1]}"
        begun = time.monotonic()
        try:
            run: ReportRun | None = run_report(
                source, values, out=out, html=html, hide_code=hide_code, timeout=timeout,
                run_id=rid, notebooks_dir=source.parent, kernel_name=kernel_name, raise_on_error=False,
            )  # fmt: skip
            rows.append(_summary_row(run, values, rid, time.monotonic() - begun, None))
        except ReportError as exc:
            run = None
            rows.append(_summary_row(None, values, rid, time.monotonic() - begun, str(exc)))
            log.warning("run_batch(): run %s could not run: %s", rid, exc)
        runs.append(run)
    summary = pd.DataFrame(rows, columns=list(_SUMMARY_COLUMNS))
    folder = Path(out).resolve() / stem / f"batch-{bid}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
    except OSError as exc:
        raise ReportError(
            f"run_batch(): cannot write the batch summary in '{folder}': {exc.strerror or exc}. "
            f"Pass out= a writable folder."
        ) from exc
    return BatchResult(bid, folder, tuple(runs), summary)


_SUMMARY_COLUMNS = ("run_id", "params", "status", "error", "cell_index", "html", "folder", "seconds")


def _summary_row(
    run: ReportRun | None, params: dict[str, Any], run_id: str, seconds: float, error: str | None
) -> dict[str, Any]:
    failure = run.error if run is not None else None
    return {
        "run_id": run_id,
        "params": json.dumps(params, ensure_ascii=False, sort_keys=True),
        "status": run.status if run is not None else "failed",
        "error": failure.summary() if failure else (error or ""),
        "cell_index": failure.cell_index if failure else None,
        "html": str(run.html) if run is not None and run.html else "",
        "folder": str(run.folder) if run is not None else "",
        "seconds": round(seconds, 2),
    }


def _quiet(progress: bool | None) -> bool | None:
    """tqdm's ``disable``: ``None`` means off unless stderr is a terminal."""
    return None if progress is None else not progress
