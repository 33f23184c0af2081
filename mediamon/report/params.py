"""Report parameters: read a notebook's ``parameters`` cell, type its values, validate what users pass.

The type of a parameter is its annotation if it has one, otherwise the type of its literal default.
Values given on the command line are converted to that type strictly (``bool`` accepts
``true``/``false`` only; a default of ``None`` without an annotation takes strings, or ``null``).
Unknown names and values of the wrong type are rejected before anything runs.
"""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import nbformat
import papermill

from ..errors import NotFoundError, ParameterError, ReportError, YamlError
from ..safeyaml import MAX_DEPTH, MAX_INT_DIGITS, safe_load


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

    path = Path(notebook)
    if not path.is_file():
        raise NotFoundError(f"notebook_parameters(): notebook '{path}' not found (cwd: {Path.cwd()}).")
    try:
        with papermill_quiet():
            inspected = papermill.inspect_notebook(format_safe(str(path)))
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
def papermill_quiet() -> Iterator[None]:
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
    return json_type(value), False


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


def json_type(value: object) -> TypeName:
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
            f"got {type(value).__name__} {shown_value(value)}.{hint} {_accepted(specs)}"
        )

    if value is None and (spec.optional or spec.type_name in ("NoneType", "any")):
        return None
    problem = _value_problem(value)
    if problem is not None:
        raise wrong(f" {problem}")
    kind = spec.type_name
    if kind in ("NoneType", "any"):
        return _plain(value)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind == "list" and isinstance(value, (list, tuple)):
        return _plain(value)
    if json_type(value) == kind:
        return _plain(value)
    hint = " Quote it in YAML (e.g. '1984') to pass a string." if kind == "str" else ""
    raise wrong(hint)


def shown_value(value: object, *, limit: int = 200) -> str:
    """``repr(value)`` cut to *limit* characters (an int too long to print is described instead)."""
    try:
        text = repr(value)
    except ValueError:  # an int beyond sys.get_int_max_str_digits()
        return f"<{type(value).__name__} too large to show>"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _value_problem(value: object, depth: int = 0) -> str | None:
    """Why *value* cannot be a notebook parameter (it is written into the notebook as Python and
    JSON), or ``None``: JSON-like values only, finite floats, ints of at most
    :data:`~mediamon.safeyaml.MAX_INT_DIGITS` digits, UTF-8 text, nesting of at most
    :data:`~mediamon.safeyaml.MAX_DEPTH` levels."""
    if depth > MAX_DEPTH:
        return f"It is nested more than {MAX_DEPTH} levels deep."
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) >= 10**MAX_INT_DIGITS:
            return f"Integers may have at most {MAX_INT_DIGITS} digits."
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "Floats must be finite (no inf or nan)."
    if isinstance(value, str):
        return None if _is_utf8(value) else (
            "It holds bytes that are not UTF-8 text (shown as \\udcXX): pass the value as UTF-8."
        )
    if isinstance(value, (list, tuple)):
        return next((p for p in (_value_problem(v, depth + 1) for v in value) if p), None)
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not _is_utf8(k):
                return "Mapping keys must be UTF-8 text."
            found = _value_problem(v, depth + 1)
            if found:
                return found
        return None
    return "Values must be JSON-like (str, int, float, bool, None, list, dict)."


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: bytes a command line could not decode
        return False
    return True


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
        digits = len(text.strip().lstrip("+-"))
        if digits > MAX_INT_DIGITS:
            raise ParameterError(
                f"{call}: -p {spec.name}: an integer of {digits:,} digits; at most {MAX_INT_DIGITS} are accepted. "
                f"{_accepted(specs)}"
            )
        value = int(text)
    elif kind == "float" and _FLOAT_RE.fullmatch(text.strip()):
        value = float(text)
    elif kind == "bool" and text.strip().lower() in ("true", "false"):
        value = text.strip().lower() == "true"
    elif kind in ("list", "dict"):
        parsed = _parse_structured(text)
        if json_type(parsed) == kind:
            value = parsed
    if value is _NO_VALUE:
        examples = {
            "int": "e.g. 20", "float": "e.g. 0.5", "bool": "true or false",
            "list": 'JSON, e.g. \'["a", "b"]\'', "dict": "JSON, e.g. '{\"a\": 1}'",
        }  # fmt: skip
        raise ParameterError(
            f"{call}: -p {spec.name} {shown_value(text)}: expected {spec.type_label} ({examples.get(kind, kind)}). "
            f"{_accepted(specs)}"
        )
    return _check_value(spec, value, specs, call=call)


_NO_VALUE = object()


def _parse_structured(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        return yaml_load(text, what="a -p value")
    except YamlError:
        return _NO_VALUE


def yaml_load(text: str, *, what: str = "YAML") -> Any:
    """YAML with the core schema of YAML 1.2 (``yes``/``on`` and dates stay strings), bounded: no
    alias bombs, no deep nesting, no duplicate keys (:mod:`mediamon.safeyaml`)."""
    return safe_load(text, schema="core", what=what)


def load_params_file(path: str | os.PathLike[str]) -> Any:
    """Read parameters (a mapping) or a batch grid (mapping of lists, or list of mappings) from YAML/JSON.

    Dates stay strings; everything else follows YAML 1.2's core types (quote ``'1984'`` for a string).
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"load_params_file(): cannot read '{source}': {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise ParameterError(f"load_params_file(): '{source}' is not UTF-8 text: {exc}.") from None
    try:
        return yaml_load(text, what=f"'{source}'")
    except YamlError as exc:
        raise ParameterError(f"load_params_file(): '{source}' is not valid YAML/JSON: {exc}") from exc


def format_safe(path: str) -> str:
    """Escape braces: papermill formats paths with the parameters (``{actor}``)."""
    return path.replace("{", "{{").replace("}", "}}")
