"""Batches: one notebook run once per parameter set of a grid; one failing run does not stop the others.

A batch id is held by one running batch at a time (a hidden ``.batch-<id>.running/`` folder with an
owner file, :func:`mediamon.markers.claim_folder`): a batch id asked for and in use is refused before
anything runs, a default one gets a suffix. Ctrl-C stops the batch: the run it interrupts is kept
as interrupted, the summary lists the runs that did not start, and the interrupt goes on.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from .. import display
from ..errors import InUseError, ParameterError, ReportError
from ..markers import abandoned_folders, claim_folder, describe_owner, take_over
from .params import load_params_file, notebook_parameters, validate_params
from .paths import safe_name, write_atomic
from .run import ReportRun, check_timeout, default_run_id, resolve_notebook, run_report

log = logging.getLogger(__name__)

Grid = Mapping[str, Any] | Sequence[Mapping[str, Any]]
#: The hidden folder that holds a batch id while the batch runs (or a claim of it set aside).
_RUNNING = re.compile(r"\.batch-.+\.running(?:\.(?:claim|swept)-[0-9a-f]{12})?")


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
    check_timeout(timeout)
    stem = safe_name(source.stem, call="run_batch()", what="notebook name")
    asked = safe_name(batch_id, call="run_batch()", what="batch_id") if batch_id else None
    bid, running = _claim_batch(Path(out).resolve() / stem, asked or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
                                exact=asked is not None)  # fmt: skip
    rows: list[dict[str, Any]] = []
    runs: list[ReportRun | None] = []
    try:
        stopped: BaseException | None = None
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
            except BaseException as exc:  # Ctrl-C: run_report kept the run as interrupted
                stopped = exc
                rows.append(_summary_row(None, values, rid, time.monotonic() - begun, "interrupted", "interrupted"))
                for j, rest in enumerate(checked[i + 1 :], start=i + 1):
                    later = f"{bid}-{j:03d}-{default_run_id(rest).rsplit('-', 1)[1]}"
                    rows.append(_summary_row(None, rest, later, 0.0, "not run: the batch was interrupted", "not run"))
                runs.append(None)
                break
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
        if stopped is not None:
            raise stopped
    finally:
        shutil.rmtree(running, ignore_errors=True)
    return BatchResult(bid, folder, tuple(runs), summary)


def _claim_batch(parent: Path, bid: str, *, exact: bool) -> tuple[str, Path]:
    """Hold batch id *bid* in *parent* for this process: ``(batch id, its hidden running folder)``.

    A batch id held by a running batch is refused when *exact*, else suffixed ``-2``, ``-3``...
    """
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"run_batch(): cannot write under '{parent}': {exc.strerror or exc}. Pass out= a writable folder."
        ) from exc
    for folder, _, owner in abandoned_folders(parent, _RUNNING):  # left by batches that were killed
        aside = take_over(folder, owner)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    for n in range(1, 101):
        candidate = bid if n == 1 else f"{bid}-{n}"
        running = parent / f".batch-{candidate}.running"
        try:
            claim_folder(running)
        except InUseError as exc:
            if exact:
                raise ReportError(
                    f"run_batch(): batch id {bid!r} is in use: {describe_owner(exc.owner)} is running that batch. "
                    "Choose another batch id, or wait until it ends."
                ) from None
            continue
        except OSError as exc:
            raise ReportError(
                f"run_batch(): cannot write under '{parent}': {exc.strerror or exc}. Pass out= a writable folder."
            ) from exc
        return candidate, running
    raise ReportError(f"run_batch(): batch ids {bid!r} to '{bid}-100' are all in use; pass batch_id= a new name.")


_SUMMARY_COLUMNS = ("run_id", "params", "status", "error", "cell_index", "html", "folder", "seconds")


def _summary_row(
    run: ReportRun | None,
    params: dict[str, Any],
    run_id: str,
    seconds: float,
    error: str | None,
    status: str = "failed",
) -> dict[str, Any]:
    failure = run.error if run is not None else None
    return {
        "run_id": run_id,
        "params": json.dumps(params, ensure_ascii=False, sort_keys=True),
        "status": run.status if run is not None else status,
        "error": failure.summary() if failure else (error or ""),
        "cell_index": failure.cell_index if failure else None,
        "html": str(run.html) if run is not None and run.html else "",
        "folder": str(run.folder) if run is not None else "",
        "seconds": round(seconds, 2),
    }


def _quiet(progress: bool | None) -> bool | None:
    """tqdm's ``disable``: ``None`` means off unless stderr is a terminal."""
    return None if progress is None else not progress
