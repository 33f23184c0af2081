"""Run notebooks as parameterized reports with Papermill.

:func:`run_report` executes one notebook with validated parameters on a kernel of the current Python
environment and writes everything about that run into one folder; :func:`run_batch` runs a grid of
parameter sets and summarises the outcomes. ``mediamon report`` (see :mod:`mediamon.cli`) wraps both.

Layout of a run
---------------
``<out>/<notebook-stem>/<run-id>/``::

    <stem>.ipynb       the executed notebook (parameters injected by Papermill)
    <stem>.html        HTML export (code cells hidden unless ``hide_code=False``)
    tables/<name>.csv  tables the notebook saved with :func:`save_table`
    figures/<name>.png figures the notebook saved with :func:`save_figure`
    record.json        values the notebook recorded with :func:`record`
    kernel.log         the kernel process's own stdout/stderr (warnings, a dying kernel's last words)
    manifest.json      parameters, notebook path and hash, versions, times, status, error

The run id defaults to ``<UTC timestamp>-<hash of the parameters>`` (e.g. ``20250301T101500Z-3f2a9c1e``);
a run id you pass is reduced to a safe file name (letters, digits, ``.``, ``_``, ``-``). A run is written
under ``.<run-id>.partial/`` and renamed to ``<run-id>/`` only when it succeeded, so nothing half-written
ever carries the final name. A failed run is renamed to ``<run-id>.failed/`` and keeps the partial
executed notebook and a manifest with ``"status": "failed"``. Running the same id again removes stale
``.partial`` and ``.failed`` folders first and replaces an earlier successful run of that id.

Conventions for notebook authors
--------------------------------
* The first code cell is tagged ``parameters`` and assigns literal defaults, one per line::

      actor = "raisi"             # actor id from actors.yaml
      date_from = "2024-01-01"    # a str default stays a str: -p date_from 2024 gives "2024"
      top = 20                    # int: -p top 30
      min_count: float = 2        # an annotation wins over the default's type
      actors: list[str] | None = None   # list from JSON/YAML: -p actors '["raisi", "putin"]'

  The type of a parameter is its annotation if it has one, otherwise the type of its default. Values
  given on the command line are converted to that type strictly (``bool`` accepts ``true``/``false``
  only; a default of ``None`` without an annotation takes strings, or ``null``). Unknown names and values
  of the wrong type are rejected before anything runs.
* Write results through the helpers below; outside a report run they do nothing and return ``None``,
  so the same notebook works interactively in JupyterLab::

      from mediamon.report import save_table, save_figure, record
      save_table(kwic_result, "kwic")          # tables/kwic.csv (a DataFrame or a result with .df)
      save_figure(ax, "timeline")              # figures/timeline.png (a Figure or an Axes)
      record("corpus_fingerprint", corpus.fingerprint)   # copied into manifest.json

* Under a report the environment variable ``MEDIAMON_REPORT_DIR`` (:data:`ENV_VAR`) holds the run folder;
  code that writes its own files should write there. The kernel's working directory is the notebook's
  folder, as in JupyterLab, so relative paths to corpora behave the same in both.
* Display article text only through :mod:`mediamon.display` or result ``_repr_html_`` (escaped). The
  HTML export does not sanitise anything and hiding code is not sanitising.

Kernel
------
Reports run on the interpreter of the current environment: :func:`ensure_kernel` installs (once) a
kernelspec named ``mediamon-<hash of sys.executable>`` under ``sys.prefix/share/jupyter/kernels`` whose
``argv[0]`` is :data:`sys.executable`, so a fresh virtual environment needs no global Jupyter set-up and
the user's global kernels are never used unless ``kernel_name`` names one.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import itertools
import json
import logging
import math
import os
import platform
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import NotFoundError, ParameterError, ReportError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ENV_VAR",
    "BatchResult",
    "ParameterSpec",
    "ReportExecutionError",
    "ReportFailure",
    "ReportRun",
    "convert_cli_params",
    "default_run_id",
    "ensure_kernel",
    "expand_grid",
    "load_params_file",
    "notebook_parameters",
    "record",
    "report_dir",
    "run_batch",
    "run_report",
    "safe_name",
    "save_figure",
    "save_table",
    "validate_params",
]

log = logging.getLogger(__name__)

ENV_VAR = "MEDIAMON_REPORT_DIR"
"""Environment variable holding the run folder inside a report's kernel."""

RECORD_FILE = "record.json"
KERNEL_LOG = "kernel.log"
MANIFEST_FILE = "manifest.json"
TABLES_DIR = "tables"
FIGURES_DIR = "figures"
PARTIAL_SUFFIX = ".partial"
FAILED_SUFFIX = ".failed"
_MAX_NAME = 100
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


# =============================================================================================
# Safe names
# =============================================================================================
def safe_name(name: object, *, call: str = "safe_name()", what: str = "name") -> str:
    """Reduce *name* to a safe file name: ``[A-Za-z0-9._-]``, no leading dot or dash, at most 100 chars.

    >>> safe_name("../../etc")
    'etc'
    >>> safe_name("Raisi / 2024 (draft)")
    'Raisi_2024_draft'
    """
    text = _UNSAFE_CHARS.sub("_", str(name))
    text = re.sub(r"_+", "_", text).strip("._-")[:_MAX_NAME].rstrip("._-")
    if not text:
        raise ReportError(
            f"{call}: {what} {name!r} has no usable characters; use letters, digits, '.', '_' or '-'."
        )
    return text


def _inside(path: Path, root: Path) -> bool:
    """Whether *path* is *root* or below it (both resolved)."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


# =============================================================================================
# Helpers used inside notebooks
# =============================================================================================
def report_dir() -> Path | None:
    """The folder of the report run this kernel belongs to, or ``None`` outside a report run.

    Raises
    ------
    ReportError
        If :data:`ENV_VAR` is set but does not name an existing folder.
    """
    value = os.environ.get(ENV_VAR)
    if not value:
        return None
    folder = Path(value)
    if not folder.is_dir():
        raise ReportError(
            f"mediamon.report.report_dir(): {ENV_VAR}={value!r} is not an existing folder. "
            f"Unset {ENV_VAR} or run the notebook through run_report()."
        )
    return folder


def save_table(table: Any, name: str, *, index: bool = False) -> Path | None:
    """Write a table as ``tables/<name>.csv`` in the current report run; do nothing outside one.

    Parameters
    ----------
    table
        A :class:`pandas.DataFrame` or :class:`pandas.Series`, or a mediamon result holding one in ``.df``.
    name
        File name without extension; reduced to a safe file name.
    index
        Whether to write the index as a column.

    Returns
    -------
    pathlib.Path or None
        The CSV written, or ``None`` when not running under a report.
    """
    import pandas as pd

    folder = report_dir()
    frame = getattr(table, "df", table)
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ReportError(
            f"save_table(): expected a DataFrame, a Series or a result with .df, got "
            f"{type(table).__name__}. Pass result.df or a DataFrame."
        )
    if folder is None:
        return None
    target = _output_path(folder / TABLES_DIR, name, ".csv", call="save_table()")
    _write_atomic(target, lambda tmp: frame.to_csv(tmp, index=index))
    return target


def save_figure(figure: Any, name: str, *, dpi: int = 150) -> Path | None:
    """Write a matplotlib figure as ``figures/<name>.png`` in the current report run.

    Parameters
    ----------
    figure
        A :class:`matplotlib.figure.Figure`, or an :class:`~matplotlib.axes.Axes` (its figure is saved).
    name
        File name without extension; reduced to a safe file name.
    dpi
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path or None
        The PNG written, or ``None`` when not running under a report.
    """
    fig = getattr(figure, "figure", figure)
    if not hasattr(fig, "savefig"):
        raise ReportError(
            f"save_figure(): expected a matplotlib Figure or Axes, got {type(figure).__name__}."
        )
    folder = report_dir()
    if folder is None:
        return None
    target = _output_path(folder / FIGURES_DIR, name, ".png", call="save_figure()")
    _write_atomic(target, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight"))
    return target


def record(key: str, value: Any) -> Path | None:
    """Record a provenance value (e.g. ``"corpus_fingerprint"``) in the run's ``record.json``.

    Recorded values end up under ``"records"`` in ``manifest.json``; a ``corpus_fingerprint`` is also
    copied to the manifest's top level. Outside a report run this does nothing.

    Parameters
    ----------
    key
        Name of the value.
    value
        Any JSON-serialisable value (other objects are stored as their ``str``).

    Returns
    -------
    pathlib.Path or None
        The ``record.json`` written, or ``None`` when not running under a report.
    """
    if not isinstance(key, str) or not key:
        raise ReportError(f"record(): key must be a non-empty str, got {key!r}.")
    folder = report_dir()
    if folder is None:
        return None
    target = folder / RECORD_FILE
    records = _read_json(target) if target.exists() else {}
    records[key] = value
    text = json.dumps(records, indent=2, ensure_ascii=False, default=str)
    _write_atomic(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return target


def _output_path(folder: Path, name: str, suffix: str, *, call: str) -> Path:
    stem = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{safe_name(stem, call=call)}{suffix}"


def _write_atomic(target: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` and rename the temporary file onto *target*."""
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _read_json(path: Path) -> dict[str, Any]:
    value = json.loads(path.read_text(encoding="utf-8"))
    return value if isinstance(value, dict) else {}


# =============================================================================================
# Parameters
# =============================================================================================
TypeName = Literal["str", "int", "float", "bool", "list", "dict", "NoneType", "any"]
_SIMPLE_TYPES: dict[str, TypeName] = {
    "str": "str", "int": "int", "float": "float", "bool": "bool",
    "list": "list", "List": "list", "tuple": "list", "Sequence": "list",
    "dict": "dict", "Dict": "dict", "Mapping": "dict",
    "None": "NoneType", "NoneType": "NoneType", "Any": "any", "object": "any",
}  # fmt: skip


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter declared in a notebook's ``parameters`` cell.

    Attributes
    ----------
    name
        The variable name.
    type_name
        ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict``, ``NoneType`` (a default of ``None``
        without annotation: accepts any JSON value) or ``any`` (type not inferable).
    optional
        Whether ``None`` is accepted besides *type_name* (``X | None`` or ``Optional[X]``).
    default
        The default as written in the cell.
    help
        The trailing comment of the assignment, if any.
    """

    name: str
    type_name: TypeName
    optional: bool
    default: str
    help: str = ""

    @property
    def type_label(self) -> str:
        """The type as shown in messages, e.g. ``int | None``."""
        return f"{self.type_name} | None" if self.optional else self.type_name

    def describe(self) -> str:
        """``name: type = default`` for error messages and ``--help``."""
        return f"{self.name}: {self.type_label} = {self.default}"


def notebook_parameters(notebook: str | os.PathLike[str]) -> dict[str, ParameterSpec]:
    """The parameters a notebook declares in its cell tagged ``parameters``, with inferred types.

    Names and help come from :func:`papermill.inspect_notebook`; types come from the annotation
    if there is one, else from the literal default (read with :func:`ast.literal_eval`). Assignments
    papermill's line parser misses (e.g. ``x: int | None = None``) are added from the cell's syntax tree.

    Parameters
    ----------
    notebook
        Path to the ``.ipynb``.

    Returns
    -------
    dict
        ``{name: ParameterSpec}`` in cell order; empty when the notebook has no parameters cell.
    """
    import papermill

    path = Path(notebook)
    if not path.is_file():
        raise NotFoundError(f"notebook_parameters(): notebook '{path}' not found (cwd: {Path.cwd()}).")
    try:
        with _papermill_quiet_about_parameters():
            inspected = papermill.inspect_notebook(_format_safe(str(path)))
    except Exception as exc:  # papermill raises assorted errors for unreadable notebooks
        raise ReportError(f"notebook_parameters(): cannot read notebook '{path}': {exc}") from exc
    declared = _parse_parameters_cell(_parameters_source(path))
    names = list(dict.fromkeys([*declared, *inspected]))
    specs: dict[str, ParameterSpec] = {}
    for name in names:
        info = inspected.get(name, {})
        annotation, default = declared.get(name, (None, str(info.get("default", ""))))
        if annotation is None:
            papermill_type = str(info.get("inferred_type_name", "None"))
            annotation = None if papermill_type == "None" else papermill_type
        type_name, optional = _infer_type(annotation, default)
        specs[name] = ParameterSpec(name, type_name, optional, default, str(info.get("help", "")))
    return specs


class _ValidatedParametersFilter(logging.Filter):
    """Drop papermill's warnings about parameters that mediamon has already parsed and validated.

    Papermill's line parser warns "Unable to parse line" for defaults containing ``=`` and "Passed
    unknown parameter" for annotations like ``int | None``; mediamon reads the cell with :mod:`ast`
    and rejects unknown names itself, so these warnings would only mislead.
    """

    _NOISE = ("Unable to parse line", "Passed unknown parameter")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self._NOISE)


@contextlib.contextmanager
def _papermill_quiet_about_parameters() -> Iterator[None]:
    # a logger's filter does not see records propagated from its children: filter each one
    loggers = [logging.getLogger(name) for name in ("papermill", "papermill.translators")]
    noise = _ValidatedParametersFilter()
    for logger in loggers:
        logger.addFilter(noise)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(noise)


def _parameters_source(path: Path) -> str:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return str(cell.source)
    return ""


def _parse_parameters_cell(source: str) -> dict[str, tuple[str | None, str]]:
    """``{name: (annotation or None, default source)}`` for top-level assignments of one name."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found: dict[str, tuple[str | None, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found[node.target.id] = (ast.unparse(node.annotation), ast.unparse(node.value))
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            found[node.targets[0].id] = (None, ast.unparse(node.value))
    return found


def _infer_type(annotation: str | None, default: str) -> tuple[TypeName, bool]:
    """Type name and optional flag from an annotation, else from the literal default."""
    if annotation:
        return _type_from_annotation(annotation)
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return "any", False
    return _json_type(value), False


def _type_from_annotation(annotation: str) -> tuple[TypeName, bool]:
    text = annotation.replace(" ", "").strip("'\"")
    optional = False
    match = re.fullmatch(r"(?:typing\.)?Optional\[(.+)\]", text)
    if match:
        text, optional = match.group(1), True
    parts = [p for p in text.split("|") if p]
    if len(parts) > 1 and "None" in parts:
        optional = True
        parts = [p for p in parts if p != "None"]
    if len(parts) != 1:
        return "any", optional
    base = re.sub(r"\[.*\]$", "", parts[0]).removeprefix("typing.")
    return _SIMPLE_TYPES.get(base, "any"), optional


def _json_type(value: object) -> TypeName:
    if value is None:
        return "NoneType"
    for python_type, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if isinstance(value, python_type):
            return name  # type: ignore[return-value]
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "any"


def _accepted(specs: Mapping[str, ParameterSpec]) -> str:
    if not specs:
        return "The notebook declares no parameters (no cell tagged 'parameters')."
    return "Accepted parameters: " + "; ".join(s.describe() for s in specs.values()) + "."


def validate_params(
    specs: Mapping[str, ParameterSpec],
    params: Mapping[str, Any] | None,
    *,
    call: str = "run_report()",
) -> dict[str, Any]:
    """Check typed parameter values against a notebook's declared parameters.

    Parameters
    ----------
    specs
        From :func:`notebook_parameters`.
    params
        ``{name: value}`` with Python values (from the API or a YAML file). An ``int`` is accepted
        for a ``float`` parameter and converted; a tuple for a ``list`` parameter.
    call
        Name of the calling function, for messages.

    Returns
    -------
    dict
        The values, converted where allowed.

    Raises
    ------
    ParameterError
        For a name that is not an identifier or not declared, or a value of the wrong type; the
        message lists the accepted parameters and their types.
    """
    checked: dict[str, Any] = {}
    for name, value in (params or {}).items():
        spec = _lookup(specs, name, call=call)
        checked[name] = _check_value(spec, value, specs, call=call)
    return checked


def _lookup(specs: Mapping[str, ParameterSpec], name: object, *, call: str) -> ParameterSpec:
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError(
            f"{call}: parameter name {name!r} is not a Python identifier. {_accepted(specs)}"
        )
    spec = specs.get(name)
    if spec is None:
        raise ParameterError(f"{call}: unknown parameter {name!r}. {_accepted(specs)}")
    return spec


def _check_value(
    spec: ParameterSpec, value: Any, specs: Mapping[str, ParameterSpec], *, call: str
) -> Any:
    def wrong(hint: str = "") -> ParameterError:
        return ParameterError(
            f"{call}: parameter {spec.name!r} expects {spec.type_label} (default {spec.default}), "
            f"got {type(value).__name__} {value!r}.{hint} {_accepted(specs)}"
        )

    if value is None and (spec.optional or spec.type_name in ("NoneType", "any")):
        return None
    if not _is_json_value(value):
        raise wrong(" Values must be JSON-like (str, int, float, bool, None, list, dict).")
    kind = spec.type_name
    if kind in ("NoneType", "any"):
        return _plain(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "list" and isinstance(value, (list, tuple)):
        return _plain(value)
    if _json_type(value) == kind:
        return _plain(value)
    hint = " Quote it in YAML (e.g. '1984') to pass a string." if kind == "str" else ""
    raise wrong(hint)


def _is_json_value(value: object) -> bool:
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_is_json_value(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_value(v) for k, v in value.items())
    return False


def _plain(value: Any) -> Any:
    """Tuples to lists, recursively (what Papermill can translate)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def convert_cli_params(
    specs: Mapping[str, ParameterSpec],
    pairs: Iterable[tuple[str, str]],
    *,
    call: str = "command line",
) -> dict[str, Any]:
    """Convert command-line ``-p NAME VALUE`` strings to each parameter's declared type.

    ``str`` stays ``str`` (``-p year 1984`` gives ``"1984"`` when the default is a string);
    ``int`` and ``float`` accept decimal numbers only; ``bool`` accepts ``true``/``false`` (any case);
    ``list``/``dict`` are parsed as JSON or YAML flow syntax; ``null``/``none`` gives ``None`` where the
    parameter accepts it; a parameter whose default is ``None`` without annotation takes the string.

    Raises
    ------
    ParameterError
        Unknown name, or a value that does not parse as the declared type.
    """
    converted: dict[str, Any] = {}
    for name, text in pairs:
        spec = _lookup(specs, name, call=call)
        converted[name] = _parse_text(spec, text, specs, call=call)
    return converted


def _parse_text(spec: ParameterSpec, text: str, specs: Mapping[str, ParameterSpec], *, call: str) -> Any:
    kind = spec.type_name
    is_null = text.strip().lower() in ("null", "none")
    if is_null and (spec.optional or kind == "NoneType"):
        return None
    value: Any = _NO_VALUE
    if kind in ("str", "NoneType", "any"):
        value = text
    elif kind == "int" and _INT_RE.fullmatch(text.strip()):
        value = int(text)
    elif kind == "float" and _FLOAT_RE.fullmatch(text.strip()):
        value = float(text)
    elif kind == "bool" and text.strip().lower() in ("true", "false"):
        value = text.strip().lower() == "true"
    elif kind in ("list", "dict"):
        parsed = _parse_structured(text)
        if _json_type(parsed) == kind:
            value = parsed
    if value is _NO_VALUE:
        examples = {
            "int": "e.g. 20", "float": "e.g. 0.5", "bool": "true or false",
            "list": 'JSON, e.g. \'["a", "b"]\'', "dict": "JSON, e.g. '{\"a\": 1}'",
        }  # fmt: skip
        raise ParameterError(
            f"{call}: -p {spec.name} {text!r}: expected {spec.type_label} ({examples.get(kind, kind)}). "
            f"{_accepted(specs)}"
        )
    return _check_value(spec, value, specs, call=call)


_NO_VALUE = object()


def _parse_structured(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    try:
        return _yaml_load(text)
    except yaml.YAMLError:
        return _NO_VALUE


@functools.cache
def _strict_loader() -> type:
    """A YAML SafeLoader that keeps dates as strings (``2024-01-01`` stays ``"2024-01-01"``)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        pass

    StrictLoader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return StrictLoader


def _yaml_load(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=_strict_loader())  # noqa: S506 - a SafeLoader subclass


def load_params_file(path: str | os.PathLike[str]) -> Any:
    """Read parameters (a mapping) or a batch grid (mapping of lists, or list of mappings) from YAML/JSON.

    Dates stay strings; everything else follows YAML's safe types (quote ``'1984'`` for a string).
    """
    import yaml

    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"load_params_file(): cannot read '{source}': {exc.strerror or exc}.") from exc
    try:
        return _yaml_load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"load_params_file(): '{source}' is not valid YAML/JSON: {exc}") from exc


# =============================================================================================
# Kernel
# =============================================================================================
def kernel_name_for_interpreter(executable: str | None = None) -> str:
    """The kernelspec name mediamon uses for an interpreter: ``mediamon-<10 hex of its path>``."""
    path = executable or sys.executable
    return "mediamon-" + hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def ensure_kernel() -> str:
    """Return the name of a kernelspec that runs :data:`sys.executable`, installing it if needed.

    The kernelspec is written to ``sys.prefix/share/jupyter/kernels/<name>/kernel.json`` (or the
    user's Jupyter data folder when ``sys.prefix`` is read-only). Its ``argv[0]`` is the absolute
    interpreter path, so the report's kernel sees exactly the packages of this environment.

    Raises
    ------
    ReportError
        When no kernelspec can be written or found.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    name = kernel_name_for_interpreter()
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
        if spec.argv[:1] == [sys.executable]:
            return name
    except NoSuchKernel:
        pass
    errors = []
    for folder in _kernel_dirs():
        try:
            _write_kernelspec(folder / name)
            break
        except OSError as exc:
            errors.append(f"{folder}: {exc.strerror or exc}")
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        spec = None
    if spec is None or spec.argv[:1] != [sys.executable]:
        raise ReportError(
            f"ensure_kernel(): could not install a Jupyter kernel for {sys.executable} "
            f"({'; '.join(errors) or 'not on the Jupyter path'}). Run "
            f"'{sys.executable} -m ipykernel install --user --name {name}' or pass kernel_name=."
        )
    return name


def _kernel_dirs() -> list[Path]:
    from jupyter_core.paths import jupyter_data_dir

    return [Path(sys.prefix) / "share" / "jupyter" / "kernels", Path(jupyter_data_dir()) / "kernels"]


def _write_kernelspec(folder: Path) -> None:
    try:  # ipykernel's own spec for this interpreter (argv[0] is sys.executable)
        from ipykernel.kernelspec import get_kernel_dict

        spec = dict(get_kernel_dict())
    except ImportError as exc:
        raise ReportError(
            f"ensure_kernel(): ipykernel is not installed in {sys.prefix}. "
            f"Run '{sys.executable} -m pip install ipykernel'."
        ) from exc
    spec["argv"] = [sys.executable, *spec["argv"][1:]]
    spec["display_name"] = f"Python ({Path(sys.prefix).name}, mediamon)"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(spec, indent=1)
    _write_atomic(folder / "kernel.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _check_kernel(name: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        manager.get_kernel_spec(name)
    except NoSuchKernel:
        known = ", ".join(sorted(manager.find_kernel_specs())) or "none"
        raise ReportError(
            f"run_report(): kernel {name!r} not found; installed kernels: {known}. "
            f"Pass kernel_name=None to use this environment's interpreter."
        ) from None


def _kernel_manager_class(env: Mapping[str, str], log_path: Path) -> type:
    """A kernel manager class that adds *env* to the kernel's environment at launch.

    The kernel process's own stdout/stderr (not the cells' output, which goes to the notebook) is
    appended to *log_path*, so a kernel that dies leaves its last words in the run folder.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    extra = dict(env)

    class ReportKernelManager(AsyncKernelManager):  # type: ignore[misc]
        @default("transport_encryption")
        def _default_transport_encryption(self) -> str:
            return "auto"  # CurveZMQ when the kernel and pyzmq support it

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            kw["env"] = {**kw.get("env", os.environ), **extra}
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            with open(log_path, "ab") as log_file:  # the child keeps its own copy of the handle
                kw["stdout"] = kw["stderr"] = log_file
                await super()._async_launch_kernel(kernel_cmd, **kw)

    return ReportKernelManager


# =============================================================================================
# Runs
# =============================================================================================
FailureKind = Literal["cell_error", "timeout", "kernel_died", "kernel_error", "export_error", "io_error"]


@dataclass(frozen=True)
class ReportFailure:
    """Why a report run failed.

    Attributes
    ----------
    kind
        ``cell_error`` (a cell raised), ``timeout`` (a cell ran past ``timeout``), ``kernel_died``,
        ``kernel_error`` (the kernel could not start), ``export_error`` (HTML export) or ``io_error``.
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
        ``"ok"`` or ``"failed"``.
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
    status: Literal["ok", "failed"]
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
        from . import display

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
    >>> run = run_report("notebooks/actor_report.ipynb", {"actor": "raisi"})  # doctest: +SKIP
    >>> run.html  # doctest: +SKIP
    PosixPath('reports/actor_report/20250301T101500Z-3f2a9c1e/actor_report.html')
    """
    source = _resolve_notebook(notebook, notebooks_dir)
    specs = notebook_parameters(source)
    values = validate_params(specs, params)
    cell_timeout = _cell_timeout(timeout)
    if kernel_name is not None:
        _check_kernel(kernel_name)
    kernel = kernel_name or ensure_kernel()
    stem = safe_name(source.stem, call="run_report()", what="notebook name")
    rid = _user_run_id(run_id) if run_id else default_run_id(values)
    out = Path(out).resolve()  # the kernel runs in the notebook's folder: relative paths would move
    paths = _RunPaths(out / stem, rid)
    _prepare_folder(paths, out=out)
    started = datetime.now(UTC)
    executed = paths.partial / f"{stem}.ipynb"
    failure = _execute(source, executed, values, timeout=cell_timeout, kernel=kernel)
    if failure is None and html:
        failure = _export_html(executed, executed.with_suffix(".html"), hide_code=hide_code)
    _point_metadata_at(executed, (paths.final if failure is None else paths.failed) / executed.name)
    finished = datetime.now(UTC)
    manifest = _manifest(
        source, paths, values, specs, kernel=kernel, started=started, finished=finished,
        failure=failure, hide_code=hide_code, timeout=cell_timeout,
    )  # fmt: skip
    folder = _finalise(paths, manifest, ok=failure is None)
    run = _make_run(source, paths, folder, values, started, finished, failure)
    if failure is not None and raise_on_error:
        raise ReportExecutionError(
            f"run_report(): notebook '{source.name}' failed ({failure.kind}) at {failure.summary()}. "
            f"The partial notebook is in '{folder}'.",
            run,
        )
    return run


def _user_run_id(run_id: str) -> str:
    """A safe run id that cannot pose as another run's failed, partial or replaced folder."""
    rid = safe_name(run_id, call="run_report()", what="run_id")
    if rid.endswith((PARTIAL_SUFFIX, FAILED_SUFFIX, ".replaced")):
        raise ReportError(
            f"run_report(): run_id {run_id!r} ends with a suffix mediamon uses for run folders "
            f"('{PARTIAL_SUFFIX}', '{FAILED_SUFFIX}', '.replaced'); choose another run id."
        )
    return rid


def _cell_timeout(timeout: float | None) -> int | None:
    """Seconds per cell as the whole number nbclient needs (rounded up), or ``None``."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ReportError(f"run_report(): timeout must be a number of seconds > 0 or None, got {timeout!r}.")
    return math.ceil(timeout)


def _resolve_notebook(
    notebook: str | os.PathLike[str], notebooks_dir: str | os.PathLike[str] | None
) -> Path:
    path = Path(notebook)
    if path.suffix != ".ipynb":
        raise ReportError(f"run_report(): {str(path)!r} is not a .ipynb notebook.")
    if not path.is_file():
        raise NotFoundError(f"run_report(): notebook '{path}' not found (cwd: {Path.cwd()}).")
    root = Path(notebooks_dir) if notebooks_dir is not None else path.parent
    if not _inside(path, root):
        raise ReportError(
            f"run_report(): notebook '{path}' resolves to '{path.resolve()}', outside the notebooks "
            f"folder '{root.resolve()}'. Only notebooks from that folder run; pass notebooks_dir= to "
            f"allow another folder."
        )
    return path.resolve()


def _prepare_folder(paths: _RunPaths, *, out: Path) -> None:
    """Create ``<out>/<stem>/`` and a clean partial folder; remove stale partial/failed folders."""
    for target in (paths.final, paths.partial, paths.failed):
        if not _inside(target, out) or target.resolve().parent != paths.parent.resolve():
            raise ReportError(f"run_report(): run folder '{target}' would leave '{out}'.")
    try:
        paths.parent.mkdir(parents=True, exist_ok=True)
        for stale in (paths.partial, paths.failed, paths.replaced):
            if stale.exists():
                shutil.rmtree(stale)
        paths.partial.mkdir()
        probe = paths.partial / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        shutil.rmtree(paths.partial, ignore_errors=True)
        raise ReportError(
            f"run_report(): cannot write the run folder under '{paths.parent}': "
            f"{exc.strerror or exc}. Pass out= a writable folder."
        ) from exc


def _execute(
    source: Path, output: Path, params: dict[str, Any], *, timeout: int | None, kernel: str
) -> ReportFailure | None:
    """Run *source* into *output* (in the partial run folder); return the failure or ``None``."""
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError, strip_color

    env = {ENV_VAR: str(output.parent.resolve())}
    try:
        with _papermill_quiet_about_parameters():
            papermill.execute_notebook(
                _format_safe(str(source)),
                _format_safe(str(output)),
                parameters=params,
                kernel_name=kernel,
                language="python",
                progress_bar=False,
                cwd=str(source.parent),
                execution_timeout=timeout,
                kernel_manager_class=_kernel_manager_class(env, output.parent / KERNEL_LOG),
            )
    except PapermillExecutionError as exc:
        return ReportFailure(
            "cell_error", str(exc.ename), strip_color(str(exc.evalue)),
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


def _format_safe(path: str) -> str:
    """Escape braces: papermill formats paths with the parameters (``{actor}``)."""
    return path.replace("{", "{{").replace("}", "}}")


def _source_index(executed: Path, executed_index: int) -> int:
    """Map an index in the executed notebook to the source notebook (skip the injected cell)."""
    import nbformat

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
    import nbformat

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


def _export_html(executed: Path, target: Path, *, hide_code: bool) -> ReportFailure | None:
    """Export HTML with nbconvert; no image embedding from paths, no sanitising turned off."""
    import nbformat
    from nbconvert import HTMLExporter

    try:
        nb = nbformat.read(str(executed), as_version=4)
        exporter = HTMLExporter(
            exclude_input=hide_code,
            exclude_input_prompt=hide_code,
            exclude_output_prompt=hide_code,
            embed_images=False,
        )
        body, _ = exporter.from_notebook_node(nb)
        _write_atomic(target, lambda tmp: Path(tmp).write_text(body, encoding="utf-8"))
    except OSError as exc:
        return ReportFailure("io_error", type(exc).__name__, str(exc))
    except Exception as exc:  # noqa: BLE001 - nbconvert raises many kinds
        return ReportFailure("export_error", type(exc).__name__, str(exc))
    return None


def _point_metadata_at(executed: Path, final: Path) -> None:
    """Papermill records the path it wrote to (the partial folder); record the final one instead."""
    import nbformat

    if not executed.is_file():
        return
    try:
        nb = nbformat.read(str(executed), as_version=4)
        if "papermill" not in nb.metadata:
            return
        nb.metadata.papermill["output_path"] = str(final)
        _write_atomic(executed, lambda tmp: nbformat.write(nb, tmp))
    except (OSError, ValueError) as exc:  # a half-written notebook of a dead kernel: keep it as is
        log.warning("run_report(): could not update the paths in '%s': %s", executed, exc)


def _versions() -> dict[str, str | None]:
    from . import __version__

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
    records = _read_json(folder / RECORD_FILE) if (folder / RECORD_FILE).is_file() else {}
    return {
        "mediamon_report": 1,
        "run_id": paths.run_id,
        "status": "ok" if failure is None else "failed",
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
        _write_atomic(paths.partial / MANIFEST_FILE, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        if not ok:
            os.replace(paths.partial, paths.failed)
            return paths.failed
        if paths.final.exists():
            os.replace(paths.final, paths.replaced)
        os.replace(paths.partial, paths.final)
        shutil.rmtree(paths.replaced, ignore_errors=True)
        return paths.final
    except OSError as exc:
        shutil.rmtree(paths.partial, ignore_errors=True)
        raise ReportError(
            f"run_report(): could not finish the run folder '{paths.final}': {exc.strerror or exc}. "
            f"Nothing was kept; check free space and permissions of '{paths.parent}'."
        ) from exc


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
        status="ok" if failure is None else "failed",
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


# =============================================================================================
# Batches
# =============================================================================================
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
        from . import display

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
    import pandas as pd
    from tqdm.auto import tqdm

    source = _resolve_notebook(notebook, notebooks_dir)
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
        _write_atomic(folder / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
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
