"""One report run: execute a notebook with Papermill into a run folder, export HTML, record everything.

A run is written under ``.<run-id>.partial/`` and renamed to ``<run-id>/`` only when it succeeded, so
nothing half-written ever carries the final name. A failed run is renamed to ``<run-id>.failed/`` and
keeps the partial executed notebook and a manifest with ``"status": "failed"``.

One run per run id at a time
    The partial folder is created exclusively, with an owner file naming its process
    (:func:`mediamon.markers.claim_folder`). A run id that a running process holds is refused when it
    was asked for (``run_id=``); a default id gets a suffix (``-2``). So a second run never deletes
    the first one's folder nor writes into its ``kernel.log``.

Nothing left unmarked
    Ctrl-C (``KeyboardInterrupt``) during a run finishes it as ``<run-id>.failed/`` with
    ``"status": "interrupted"`` before the interrupt goes on. A partial folder whose process was
    killed is found by the next run in that folder and kept as ``<run-id>.failed/`` with
    ``"status": "killed"``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import platform
import re
import shutil
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import nbformat
import papermill
from jupyter_client.kernelspec import NoSuchKernel
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError, strip_color

from .. import __version__, display
from ..errors import InUseError, NotFoundError, ReportError
from ..explore.tables import enhance_report_html
from ..markers import abandoned_folders, claim_folder, describe_owner, release_folder, take_over
from .kernel import check_kernel, ensure_kernel, kernel_manager_class
from .params import ParameterSpec, format_safe, notebook_parameters, papermill_quiet, shown_value, validate_params
from .paths import (
    ENV_VAR, FAILED_SUFFIX, FIGURES_DIR, KERNEL_LOG, MANIFEST_FILE, PARTIAL_SUFFIX, RECORD_FILE, TABLES_DIR,
    inside, read_json, safe_name, write_atomic,
)  # fmt: skip

log = logging.getLogger(__name__)

FailureKind = Literal[
    "cell_error", "timeout", "kernel_died", "kernel_error", "export_error", "io_error", "interrupted"
]
Status = Literal["ok", "failed", "interrupted"]
#: The longest time a cell may be given (seconds): 30 days; ``None`` means no limit.
MAX_TIMEOUT = 30 * 24 * 3600
#: A hidden partial run folder, or one being claimed or set aside: ``.<run-id>.partial[...]``.
_PARTIAL_RUN = re.compile(r"\.(?P<rid>.+)\.partial(?P<extra>\.(?:claim|swept)-[0-9a-f]{12})?")
#: Suffixes tried for a default run id that a running process holds.
_MAX_SUFFIX = 100


@dataclass(frozen=True)
class ReportFailure:
    """Why a report run failed.

    Attributes
    ----------
    kind
        ``cell_error`` (a cell raised), ``timeout`` (a cell ran past ``timeout``), ``kernel_died``,
        ``kernel_error`` (the kernel could not start), ``export_error`` (HTML export), ``io_error``
        or ``interrupted`` (Ctrl-C, in this process or in the kernel).
    cell_index
        0-based index of the failing cell in the *source* notebook (markdown cells count), or ``None``.
    execution_count
        The ``In [n]`` number shown in the executed notebook, or ``None``.
    ename, evalue
        Exception name and message.
    traceback
        Traceback lines without colour codes.
    """

    kind: FailureKind
    ename: str
    evalue: str
    cell_index: int | None = None
    execution_count: int | None = None
    traceback: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: ``cell 3: ValueError: boom`` (first line of the message)."""
        where = f"cell {self.cell_index}: " if self.cell_index is not None else ""
        first = self.evalue.strip().splitlines()[0] if self.evalue.strip() else ""
        return f"{where}{self.ename}: {first}" if first else f"{where}{self.ename}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``manifest.json``."""
        return {
            "kind": self.kind,
            "cell_index": self.cell_index,
            "execution_count": self.execution_count,
            "ename": self.ename,
            "evalue": self.evalue,
            "traceback": list(self.traceback),
        }


@dataclass(frozen=True)
class ReportRun:
    """The outcome of one report run; every path points into :attr:`folder`.

    Attributes
    ----------
    notebook
        The source notebook (resolved).
    run_id
        The safe run id (the folder name, without ``.failed``).
    folder
        ``<out>/<stem>/<run-id>/`` on success, ``<out>/<stem>/<run-id>.failed/`` on failure.
    status
        ``"ok"``, ``"failed"`` or ``"interrupted"`` (a cell stopped by a ``KeyboardInterrupt``).
    params
        The parameter values passed to the notebook (after validation).
    executed, html, manifest
        Paths of the executed notebook, the HTML export (``None`` if not made) and ``manifest.json``.
    tables, figures
        CSV and PNG files the notebook saved.
    started, finished
        UTC times.
    error
        :class:`ReportFailure` for a failed run, else ``None``.
    """

    notebook: Path
    run_id: str
    folder: Path
    status: Status
    params: dict[str, Any]
    executed: Path | None
    html: Path | None
    manifest: Path
    started: datetime
    finished: datetime
    tables: tuple[Path, ...] = ()
    figures: tuple[Path, ...] = ()
    error: ReportFailure | None = None

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.status == "ok"

    @property
    def seconds(self) -> float:
        """Wall-clock duration of the run."""
        return (self.finished - self.started).total_seconds()

    def _repr_html_(self) -> str:

        items = [
            ("notebook", self.notebook.name),
            ("run id", self.run_id),
            ("status", self.status),
            ("params", json.dumps(self.params, ensure_ascii=False)),
            ("folder", str(self.folder)),
            ("seconds", f"{self.seconds:.1f}"),
        ]
        if self.error is not None:
            items.append(("error", self.error.summary()))
        return display.definition_list(items)


class ReportExecutionError(ReportError):
    """A report run failed while executing; :attr:`run` is the failed :class:`ReportRun`."""
    def __init__(self, message: str, run: ReportRun) -> None:
        super().__init__(message)
        self.run = run


@dataclass(frozen=True)
class _RunPaths:
    """The folder names of one run under ``<out>/<stem>/``: final, partial, failed and replaced."""
    parent: Path
    run_id: str

    @property
    def final(self) -> Path:
        return self.parent / self.run_id

    @property
    def partial(self) -> Path:
        return self.parent / f".{self.run_id}{PARTIAL_SUFFIX}"

    @property
    def failed(self) -> Path:
        return self.parent / f"{self.run_id}{FAILED_SUFFIX}"

    @property
    def replaced(self) -> Path:
        return self.parent / f".{self.run_id}.replaced"


def default_run_id(params: Mapping[str, Any], *, now: datetime | None = None) -> str:
    """``<UTC yyyymmddThhmmssZ>-<8 hex of the canonical JSON of params>``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    canonical = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
    return f"{stamp}-{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"


def run_report(
    notebook: str | os.PathLike[str],
    params: Mapping[str, Any] | None = None,
    *,
    out: str | os.PathLike[str] = "reports",
    html: bool = True,
    hide_code: bool = True,
    timeout: float | None = 600,
    run_id: str | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    kernel_name: str | None = None,
    raise_on_error: bool = True,
) -> ReportRun:
    """Execute a notebook with Papermill and write the run folder (see the module docstring).

    Parameters
    ----------
    notebook
        The ``.ipynb`` to run; must lie inside *notebooks_dir* (symlinks resolved).
    params
        Parameter values; validated against the notebook's ``parameters`` cell before anything runs.
    out
        Root output folder; the run goes to ``<out>/<notebook-stem>/<run-id>/``.
    html
        Whether to export HTML with nbconvert.
    hide_code
        Hide code cells (and prompts) in the HTML export; outputs stay.
    timeout
        Seconds any single cell may run (rounded up to whole seconds); ``None`` for no limit.
    run_id
        Name of the run folder (reduced to a safe file name); default: timestamp plus hash of *params*.
    notebooks_dir
        Folder notebooks may be run from; default: the notebook's own folder.
    kernel_name
        A Jupyter kernel to use instead of this environment's interpreter (see :func:`ensure_kernel`).
    raise_on_error
        Raise :class:`ReportExecutionError` when the run fails (default), or return the failed run.

    Returns
    -------
    ReportRun

    Raises
    ------
    ParameterError
        Unknown parameter or wrong type (nothing is written).
    NotFoundError
        The notebook does not exist.
    ReportError
        Notebook outside *notebooks_dir*, missing kernel, unusable output folder (nothing is written).
    ReportExecutionError
        A cell failed, timed out or killed the kernel; the partial run is in ``<run-id>.failed/``.

    Examples
    --------
    A run takes a kernel start and the whole notebook, so this is shown rather than run as a
    doctest (the test suite runs every bundled notebook this way)::

        run = run_report("notebooks/actor_report.ipynb", {"actor": "raisi"})
        run.html  # PosixPath('reports/actor_report/20250301T101500Z-3f2a9c1e/actor_report.html')
    """
    source = resolve_notebook(notebook, notebooks_dir)
    specs = notebook_parameters(source)
    values = validate_params(specs, params)
    cell_timeout = check_timeout(timeout)
    if kernel_name is not None:
        check_kernel(kernel_name)
    kernel = kernel_name or ensure_kernel()
    stem = safe_name(source.stem, call="run_report()", what="notebook name")
    asked = _user_run_id(run_id) if run_id else None
    out = Path(out).resolve()  # the kernel runs in the notebook's folder: relative paths would move
    paths = _claim_run(out, stem, asked or default_run_id(values), exact=asked is not None)
    started = datetime.now(UTC)
    executed = paths.partial / f"{stem}.ipynb"
    stopped: BaseException | None = None
    try:
        failure = _execute(source, executed, values, timeout=cell_timeout, kernel=kernel)
        if failure is None and html:
            failure = _export_html(executed, executed.with_suffix(".html"), hide_code=hide_code)
    except BaseException as exc:  # Ctrl-C, SystemExit: the run is marked before they go on
        stopped = exc
        failure = _failure_at_running_cell(
            executed, "interrupted", type(exc).__name__, "the run was stopped before it finished (Ctrl-C or exit)"
        )
    with _interrupts_deferred():
        _point_metadata_at(executed, (paths.final if failure is None else paths.failed) / executed.name)
        finished = datetime.now(UTC)
        manifest = _manifest(
            source, paths, values, specs, kernel=kernel, started=started, finished=finished,
            failure=failure, hide_code=hide_code, timeout=cell_timeout,
        )  # fmt: skip
        folder = _finalise(paths, manifest, ok=failure is None)
    if stopped is not None:
        raise stopped
    run = _make_run(source, paths, folder, values, started, finished, failure)
    if failure is not None and raise_on_error:
        raise ReportExecutionError(
            f"run_report(): notebook '{source.name}' failed ({failure.kind}) at {failure.summary()}. "
            f"The partial notebook is in '{folder}'.",
            run,
        )
    return run


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while a run folder is finished (it is raised after), so that no run is left
    half-renamed; only the main thread receives signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
    if caught:
        raise KeyboardInterrupt


def _user_run_id(run_id: str) -> str:
    """A safe run id that cannot pose as another run's failed, partial or replaced folder."""
    rid = safe_name(run_id, call="run_report()", what="run_id")
    if rid.endswith((PARTIAL_SUFFIX, FAILED_SUFFIX, ".replaced")):
        raise ReportError(
            f"run_report(): run_id {run_id!r} ends with a suffix mediamon uses for run folders "
            f"('{PARTIAL_SUFFIX}', '{FAILED_SUFFIX}', '.replaced'); choose another run id."
        )
    return rid


def check_timeout(timeout: float | None) -> int | None:
    """Seconds per cell as the whole number nbclient needs (rounded up), or ``None``."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise ReportError(
            f"run_report(): timeout={shown_value(timeout)} is invalid; pass seconds per cell, more than 0 and at "
            f"most {MAX_TIMEOUT:,} (30 days), or None for no limit (--timeout 0 on the command line)."
        )
    return math.ceil(timeout)


def resolve_notebook(
    notebook: str | os.PathLike[str], notebooks_dir: str | os.PathLike[str] | None
) -> Path:
    path = Path(notebook)
    if path.suffix != ".ipynb":
        raise ReportError(f"run_report(): {str(path)!r} is not a .ipynb notebook.")
    if not path.is_file():
        raise NotFoundError(f"run_report(): notebook '{path}' not found (cwd: {Path.cwd()}).")
    root = Path(notebooks_dir) if notebooks_dir is not None else path.parent
    if not inside(path, root):
        raise ReportError(
            f"run_report(): notebook '{path}' resolves to '{path.resolve()}', outside the notebooks "
            f"folder '{root.resolve()}'. Only notebooks from that folder run; pass notebooks_dir= to "
            f"allow another folder."
        )
    return path.resolve()


def _claim_run(out: Path, stem: str, rid: str, *, exact: bool) -> _RunPaths:
    """Create ``<out>/<stem>/`` and claim the partial folder of run *rid* for this process.

    Partial folders there whose process is gone are kept as failed runs first. A run id held by a
    running process is refused when *exact* (asked for by the caller), else suffixed ``-2``, ``-3``...
    Stale failed and replaced folders of the claimed id are removed.
    """
    parent = out / stem
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(parent, exc) from exc
    _sweep_abandoned(parent)
    for n in range(1, _MAX_SUFFIX + 1):
        paths = _RunPaths(parent, rid if n == 1 else f"{rid}-{n}")
        for target in (paths.final, paths.partial, paths.failed):
            if not inside(target, out) or target.resolve().parent != parent.resolve():
                raise ReportError(f"run_report(): run folder '{target}' would leave '{out}'.")
        try:
            claim_folder(paths.partial)
        except InUseError as exc:
            if exact:
                raise ReportError(
                    f"run_report(): run id {rid!r} is in use: {describe_owner(exc.owner)} is running it in "
                    f"'{paths.partial}'. Choose another run id, or wait until that run ends."
                ) from None
            continue
        except OSError as exc:
            raise _unwritable(parent, exc) from exc
        try:
            for stale in (paths.failed, paths.replaced):
                if stale.exists():
                    shutil.rmtree(stale)
            probe = paths.partial / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            shutil.rmtree(paths.partial, ignore_errors=True)
            raise _unwritable(parent, exc) from exc
        return paths
    raise ReportError(
        f"run_report(): run ids {rid!r} to '{rid}-{_MAX_SUFFIX}' are all in use by running processes in "
        f"'{parent}'; pass run_id= a new name."
    )


def _unwritable(parent: Path, exc: OSError) -> ReportError:
    return ReportError(
        f"run_report(): cannot write the run folder under '{parent}': "
        f"{exc.strerror or exc}. Pass out= a writable folder."
    )


def _sweep_abandoned(parent: Path) -> None:
    """Keep each partial run folder of *parent* whose process is gone (killed, or its machine
    stopped) as ``<run-id>.failed/`` with ``"status": "killed"``; remove claims set aside."""
    for folder, found, owner in abandoned_folders(parent, _PARTIAL_RUN):
        aside = take_over(folder, owner)
        if aside is None:
            continue
        failed = parent / f"{found.group('rid')}{FAILED_SUFFIX}"
        if found.group("extra") is None:
            try:
                _mark_killed(aside, found.group("rid"), owner)
                if failed.exists():
                    shutil.rmtree(failed)
                os.rename(aside, failed)
                log.warning("run_report(): %s was left by %s, which ended before the run finished; kept as %s",
                            folder.name, describe_owner(owner), failed.name)  # fmt: skip
                continue
            except OSError as exc:
                log.warning("run_report(): could not keep %s as a failed run: %s", folder, exc)
        shutil.rmtree(aside, ignore_errors=True)


def _mark_killed(folder: Path, rid: str, owner: Mapping[str, Any]) -> None:
    """Give a partial run folder whose process is gone a manifest that says so."""
    release_folder(folder)
    path = folder / MANIFEST_FILE
    try:
        data = read_json(path) if path.is_file() else {}
    except ValueError:
        data = {}
    data.update(
        mediamon_report=data.get("mediamon_report", 1),
        run_id=data.get("run_id", rid),
        status="killed",
        error={"kind": "killed", "ename": "ProcessEnded", "cell_index": None, "execution_count": None,
               "evalue": f"{describe_owner(owner)} ended before the run finished (killed, or its machine "
                         "stopped)", "traceback": []},
        swept=datetime.now(UTC).isoformat(),
    )  # fmt: skip
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _execute(
    source: Path, output: Path, params: dict[str, Any], *, timeout: int | None, kernel: str
) -> ReportFailure | None:
    """Run *source* into *output* (in the partial run folder); return the failure or ``None``."""
    env = {ENV_VAR: str(output.parent.resolve())}
    try:
        with papermill_quiet():
            papermill.execute_notebook(
                format_safe(str(source)),
                format_safe(str(output)),
                parameters=params,
                kernel_name=kernel,
                language="python",
                progress_bar=False,
                cwd=str(source.parent),
                execution_timeout=timeout,
                kernel_manager_class=kernel_manager_class(env, output.parent / KERNEL_LOG),
                store_widget_state=False,  # the HTML shows each widget's escaped static fallback
            )
    except PapermillExecutionError as exc:
        # Ctrl-C in a terminal reaches the kernel too: its cell stops with KeyboardInterrupt
        kind: FailureKind = "interrupted" if str(exc.ename) == "KeyboardInterrupt" else "cell_error"
        return ReportFailure(
            kind, str(exc.ename), strip_color(str(exc.evalue)),
            cell_index=_source_index(output, exc.cell_index), execution_count=exc.exec_count,
            traceback=tuple(strip_color(line) for line in exc.traceback),
        )  # fmt: skip
    except CellTimeoutError as exc:
        return _failure_at_running_cell(output, "timeout", "CellTimeoutError", str(exc))
    except DeadKernelError as exc:
        message = f"{exc}; see {KERNEL_LOG} in the run folder for the kernel's own output"
        return _failure_at_running_cell(output, "kernel_died", "DeadKernelError", message)
    except NoSuchKernel as exc:
        return ReportFailure("kernel_error", "NoSuchKernel", f"kernel {exc} not found")
    except OSError as exc:
        return ReportFailure("io_error", type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - nbclient/jupyter_client raise plain RuntimeError etc.
        return _failure_at_running_cell(output, "kernel_error", type(exc).__name__, str(exc))
    return None


def _source_index(executed: Path, executed_index: int) -> int:
    """Map an index in the executed notebook to the source notebook (skip the injected cell)."""
    try:
        nb = nbformat.read(str(executed), as_version=4)
    except (OSError, ValueError):
        return executed_index
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    injected = sum(
        1
        for c in cells[:executed_index]
        if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    )
    return executed_index - injected


def _failure_at_running_cell(executed: Path, kind: FailureKind, ename: str, evalue: str) -> ReportFailure:
    """A failure located at the last cell that started executing (timeout, dead kernel)."""
    index: int | None = None
    count: int | None = None
    try:
        nb = nbformat.read(str(executed), as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
                index, count = i, cell.get("execution_count")
    except (OSError, ValueError):
        pass
    source_index = _source_index(executed, index) if index is not None else None
    return ReportFailure(kind, ename, evalue.strip(), cell_index=source_index, execution_count=count)


#: nbconvert templates of mediamon (the self-contained report page).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _export_html(executed: Path, target: Path, *, hide_code: bool) -> ReportFailure | None:
    """Export a self-contained HTML page with nbconvert: no script, style or font from the network
    (JupyterLab's template without require.js, MathJax, mermaid and the widget manager), the result
    tables made sortable and searchable by a DataTables block embedded once
    (:func:`mediamon.explore.tables.enhance_report_html`; without JavaScript the static escaped
    tables remain). No image embedding from paths, no sanitising turned off."""
    try:
        nb = nbformat.read(str(executed), as_version=4)
        exporter = HTMLExporter(
            template_name="mediamon_report",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=hide_code,
            exclude_input_prompt=hide_code,
            exclude_output_prompt=hide_code,
            embed_images=False,
        )
        body, _ = exporter.from_notebook_node(nb)
        body = enhance_report_html(body)
        write_atomic(target, lambda tmp: Path(tmp).write_text(body, encoding="utf-8"))
    except OSError as exc:
        return ReportFailure("io_error", type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - nbconvert raises many kinds
        return ReportFailure("export_error", type(exc).__name__, str(exc))
    return None


def _point_metadata_at(executed: Path, final: Path) -> None:
    """Papermill records the path it wrote to (the partial folder); record the final one instead."""
    if not executed.is_file():
        return
    try:
        nb = nbformat.read(str(executed), as_version=4)
        if "papermill" not in nb.metadata:
            return
        nb.metadata.papermill["output_path"] = str(final)
        write_atomic(executed, lambda tmp: nbformat.write(nb, tmp))
    except (OSError, ValueError) as exc:  # a half-written notebook of a dead kernel: keep it as is
        log.warning("run_report(): could not update the paths in '%s': %s", executed, exc)


def _versions() -> dict[str, str | None]:

    found: dict[str, str | None] = {"python": platform.python_version(), "mediamon": __version__}
    for dist in ("pandas", "numpy", "nltk", "papermill", "nbconvert", "nbclient", "ipykernel"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def _manifest(
    source: Path,
    paths: _RunPaths,
    params: dict[str, Any],
    specs: Mapping[str, ParameterSpec],
    *,
    kernel: str,
    started: datetime,
    finished: datetime,
    failure: ReportFailure | None,
    hide_code: bool,
    timeout: int | None,
) -> dict[str, Any]:
    folder = paths.partial
    records = read_json(folder / RECORD_FILE) if (folder / RECORD_FILE).is_file() else {}
    return {
        "mediamon_report": 1,
        "run_id": paths.run_id,
        "status": _status(failure),
        "notebook": str(source),
        "notebook_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "params": params,
        "declared_parameters": {n: {"type": s.type_label, "default": s.default} for n, s in specs.items()},
        "corpus_fingerprint": records.get("corpus_fingerprint"),
        "records": records,
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "seconds": round((finished - started).total_seconds(), 3),
        "kernel": kernel,
        "timeout": timeout,
        "hide_code": hide_code,
        "versions": _versions(),
        "python_executable": sys.executable,
        "outputs": _outputs(folder),
        "error": failure.to_dict() if failure else None,
    }


def _outputs(folder: Path) -> dict[str, Any]:
    def listed(sub: str, suffix: str) -> list[str]:
        if not (folder / sub).is_dir():
            return []
        return sorted(f"{sub}/{p.name}" for p in (folder / sub).glob(f"*{suffix}"))

    names = {p.name for p in folder.iterdir()}
    return {
        "notebook": next((n for n in sorted(names) if n.endswith(".ipynb")), None),
        "html": next((n for n in sorted(names) if n.endswith(".html")), None),
        "tables": listed(TABLES_DIR, ".csv"),
        "figures": listed(FIGURES_DIR, ".png"),
    }


def _finalise(paths: _RunPaths, manifest: dict[str, Any], *, ok: bool) -> Path:
    """Write the manifest and rename the partial folder to its final or failed name."""
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
    try:
        write_atomic(paths.partial / MANIFEST_FILE, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        # the owner file goes only after the rename: a partial folder without one would pass for stale
        if not ok:
            os.replace(paths.partial, paths.failed)
            release_folder(paths.failed)
            return paths.failed
        if paths.final.exists():
            os.replace(paths.final, paths.replaced)
        os.replace(paths.partial, paths.final)
        release_folder(paths.final)
        shutil.rmtree(paths.replaced, ignore_errors=True)
        return paths.final
    except OSError as exc:
        shutil.rmtree(paths.partial, ignore_errors=True)
        raise ReportError(
            f"run_report(): could not finish the run folder '{paths.final}': {exc.strerror or exc}. "
            f"Nothing was kept; check free space and permissions of '{paths.parent}'."
        ) from exc


def _status(failure: ReportFailure | None) -> Status:
    if failure is None:
        return "ok"
    return "interrupted" if failure.kind == "interrupted" else "failed"


def _make_run(
    source: Path,
    paths: _RunPaths,
    folder: Path,
    params: dict[str, Any],
    started: datetime,
    finished: datetime,
    failure: ReportFailure | None,
) -> ReportRun:
    outputs = _outputs(folder)
    return ReportRun(
        notebook=source,
        run_id=paths.run_id,
        folder=folder,
        status=_status(failure),
        params=params,
        executed=folder / outputs["notebook"] if outputs["notebook"] else None,
        html=folder / outputs["html"] if outputs["html"] else None,
        manifest=folder / MANIFEST_FILE,
        started=started,
        finished=finished,
        tables=tuple(folder / t for t in outputs["tables"]),
        figures=tuple(folder / f for f in outputs["figures"]),
        error=failure,
    )
