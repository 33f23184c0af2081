"""Bounded YAML for untrusted input: front matter, actor files, report parameters.

PyYAML's ``safe_load`` builds no objects from tags, but it is not bounded. Aliases are shared, so a
few hundred bytes of "billion laughs" anchors make a value that expands to gigabytes as soon as
anything walks it (``json.dumps``, ``str``, a copy); nesting a few hundred levels deep raises
``RecursionError`` from the constructor; YAML 1.1 reads ``yes``/``no``/``on``/``off`` as booleans, so
an ``id: yes`` becomes ``True``; and the pure-Python parser is about ten times slower than libyaml.

:func:`safe_load` reads the parser's *events* (libyaml's C parser when PyYAML was built with it,
else the pure-Python one) and builds plain Python values itself, without recursion:

* **aliases** are expanded as copies, and the number of nodes they add is capped
  (``max_alias_nodes``, default 10,000): past it -> :class:`~mediamon.errors.YamlError`. A node
  counts 1 and a collection counts 1 plus its contents, so ``*a`` where ``&a`` holds 9 lists of 9
  values adds 91 nodes. A file that uses a few anchors for shared defaults is well under the cap; an
  alias bomb is refused after reading at most its own text plus the cap;
* **nesting** deeper than ``max_depth`` (default 64, aliases included) -> ``YamlError``;
* **one document** only; a key used twice in a mapping -> ``YamlError`` (PyYAML keeps the last one
  silently); keys must be scalars; the merge key ``<<`` works as in YAML 1.1;
* **tags**: only the standard ones (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
  ``!!seq``, ``!!map``); any other tag (``!!python/...``, ``!!binary``, ``!custom``) -> ``YamlError``.

Two schemas decide what a plain (unquoted) scalar becomes:

``"strings"``
    Every scalar is the ``str`` written (an empty value is ``""``), like PyYAML's ``BaseLoader``:
    ``id: 007`` stays ``"007"``, ``id: yes`` stays ``"yes"``. For data whose fields are text.
``"core"``
    The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution): ``null``/``~``/
    empty -> ``None``; ``true``/``false`` (three casings) -> ``bool``; ``[-+]?[0-9]+``, ``0o17``,
    ``0x1F`` -> ``int``; decimals, exponents, ``.inf``, ``.nan`` -> ``float``; everything else,
    including ``yes``/``no``/``on``/``off`` and dates, a ``str``. An integer longer than
    ``MAX_INT_DIGITS`` digits -> ``YamlError`` (quote it to keep it as text). For parameters.
    Unlike PyYAML (YAML 1.1), ``1e3`` is a float and ``0b101``, ``1_000`` and ``1:20`` are
    strings; JSON reads as JSON would (but YAML refuses raw control characters such as DEL).

Quoted scalars are always strings. Errors carry ``line`` and ``column`` (1-based) when known.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from .errors import InputError, YamlError

__all__ = ["safe_load", "safe_load_with_lines", "MAX_DEPTH", "MAX_ALIAS_NODES", "MAX_INT_DIGITS",
           "HAS_LIBYAML"]

Schema = Literal["strings", "core"]
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000
MAX_INT_DIGITS = 100

#: The C parser of libyaml when PyYAML was built against it (about 10x faster), else pure Python.
HAS_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
_PARSER: type = yaml.CSafeLoader if HAS_LIBYAML else yaml.SafeLoader  # only its parser is used

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null")} | {"!"}
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = frozenset({".nan", ".NaN", ".NAN"})


@dataclass
class _Frame:
    """A collection being built."""

    value: list[Any] | dict[Any, Any]
    anchor: str | None
    line: int
    nodes: int = 1
    height: int = 1
    key: Any = None
    has_key: bool = False
    key_line: int = 0
    merges: list[tuple[Any, int]] = field(default_factory=list)  # (value, line) of "<<" entries


def safe_load(
    text: str,
    *,
    schema: Schema = "strings",
    max_depth: int = MAX_DEPTH,
    max_alias_nodes: int = MAX_ALIAS_NODES,
    what: str = "YAML",
) -> Any:
    """Parse one YAML document from *text* into plain Python values, within safety limits.

    Parameters
    ----------
    text
        The YAML source.
    schema
        ``"strings"`` (every scalar a ``str``) or ``"core"`` (YAML 1.2 core types); see the module
        notes.
    max_depth
        Deepest nesting of collections allowed (aliases included).
    max_alias_nodes
        Most nodes that aliases may add by expansion, over the whole document; ``0`` refuses every
        alias.
    what
        What is being read, for messages (``"front matter of a.txt"``).

    Returns
    -------
    Any
        ``None`` for an empty document, else a ``str``/``int``/``float``/``bool``/``None``, or
        ``list``/``dict`` of them. Aliased values are independent copies.

    Raises
    ------
    YamlError
        Bad YAML, more than one document, a key used twice, a non-scalar key, a tag that is not a
        standard one, too deep, or too many nodes added by aliases.

    Examples
    --------
    >>> safe_load("id: yes\\nn: 007\\ntags: [a, b]")
    {'id': 'yes', 'n': '007', 'tags': ['a', 'b']}
    >>> safe_load("on: yes\\nn: 7\\nx: 1.5\\nok: true\\nnone: ~", schema="core")
    {'on': 'yes', 'n': 7, 'x': 1.5, 'ok': True, 'none': None}
    >>> safe_load("a: &a [x, y]\\nb: *a")
    {'a': ['x', 'y'], 'b': ['x', 'y']}
    """
    return safe_load_with_lines(text, schema=schema, max_depth=max_depth,
                                max_alias_nodes=max_alias_nodes, what=what)[0]


def safe_load_with_lines(
    text: str,
    *,
    schema: Schema = "strings",
    max_depth: int = MAX_DEPTH,
    max_alias_nodes: int = MAX_ALIAS_NODES,
    what: str = "YAML",
) -> tuple[Any, list[int]]:
    """Like :func:`safe_load`, and also the 1-based line of each item of the top-level collection.

    For a top-level sequence the lines are those of its items; for a mapping, those of its keys; for
    a scalar or an empty document, ``[]``. Used to name the line of a bad entry (an actor file).

    >>> safe_load_with_lines("- id: a\\n- id: b\\n")
    ([{'id': 'a'}, {'id': 'b'}], [1, 2])
    """
    if schema not in ("strings", "core"):
        raise InputError(f"safe_load(): schema={schema!r} is invalid; must be one of 'strings', 'core'.")
    if not isinstance(text, str):
        raise InputError(f"safe_load(): {what} must be a str; got {type(text).__name__}.")
    builder = _Builder(schema, max_depth, max_alias_nodes, what)
    try:
        for event in yaml.parse(text, Loader=_PARSER):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _error(what, exc.problem or exc.context or "invalid YAML", mark) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry a character offset
        position = getattr(exc, "position", None)
        problem = str(exc).split("\n")[0]
        if isinstance(position, int) and 0 <= position <= len(text):
            line = text.count("\n", 0, position) + 1
            raise _error(what, problem, _Line(line, position - (text.rfind("\n", 0, position) + 1))) from None
        raise YamlError(f"{what}: not read: {problem}", problem=problem) from None
    except UnicodeEncodeError as exc:  # lone surrogates cannot reach the C parser as UTF-8
        raise YamlError(f"{what}: not valid YAML: undecodable characters (lone surrogates) at "
                        f"character {exc.start}", problem="undecodable characters") from None
    return builder.result, builder.lines


def _error(what: str, problem: str, mark: Any) -> YamlError:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if getattr(mark, "column", None) is not None else None
    where = f" at line {line}" if line is not None else ""
    where += f", column {column}" if column is not None else ""
    return YamlError(f"{what}: not read: {problem}{where}", problem=problem, line=line, column=column)


class _Builder:
    """Turns parser events into values with an explicit stack (no recursion, so no depth crash)."""

    def __init__(self, schema: Schema, max_depth: int, max_alias_nodes: int, what: str) -> None:
        self.schema = schema
        self.max_depth = max_depth
        self.max_alias_nodes = max_alias_nodes
        self.what = what
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # name -> (value, nodes, height)
        self.alias_nodes = 0
        self.documents = 0
        self.result: Any = None
        self.lines: list[int] = []

    def fail(self, problem: str, mark: Any) -> YamlError:
        return _error(self.what, problem, mark)

    def feed(self, event: yaml.Event) -> None:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value = self.scalar(event)
            self.add(value, 1, 0, event, event.anchor, plain_key=_is_plain(event) and event.value == "<<")
        elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
            self.check_tag(event, "seq" if kind is yaml.SequenceStartEvent else "map")
            if len(self.stack) + 1 > self.max_depth:
                raise self.fail(f"nested deeper than {self.max_depth} levels", event.start_mark)
            container: list[Any] | dict[Any, Any] = [] if kind is yaml.SequenceStartEvent else {}
            self.stack.append(_Frame(container, event.anchor, event.start_mark.line + 1))
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            frame = self.stack.pop()
            if frame.merges:
                self.merge(frame, event)
            self.add(frame.value, frame.nodes, frame.height, event, frame.anchor, closing=frame)
        elif kind is yaml.AliasEvent:
            self.alias(event)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise self.fail("more than one YAML document (a second '---')", event.start_mark)

    # -- values ----------------------------------------------------------------------------------
    def add(self, value: Any, nodes: int, height: int, event: Any, anchor: str | None, *,
            plain_key: bool = False, closing: _Frame | None = None) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, nodes, height)
        line = (closing.line if closing is not None else event.start_mark.line + 1)
        if not self.stack:
            self.result = value
            return
        parent = self.stack[-1]
        parent.nodes += nodes
        parent.height = max(parent.height, height + 1)
        if len(self.stack) == 1 and (isinstance(parent.value, list) or not parent.has_key):
            self.lines.append(line)
        if isinstance(parent.value, list):
            parent.value.append(value)
            return
        if not parent.has_key:
            if isinstance(value, (list, dict)):
                raise self.fail("a mapping key must be a scalar, not a list or mapping", event.start_mark)
            parent.key = _MERGE if plain_key else value
            parent.has_key, parent.key_line = True, line
            return
        key, parent.key, parent.has_key = parent.key, None, False
        if key is _MERGE:
            parent.merges.append((value, parent.key_line))
            return
        if key in parent.value:
            raise _error(self.what, f"key {key!r} is used twice in one mapping", _Line(parent.key_line))
        parent.value[key] = value

    def merge(self, frame: _Frame, event: Any) -> None:
        target = frame.value
        assert isinstance(target, dict)
        for value, line in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise _error(self.what, "'<<' (merge) needs a mapping or a list of mappings",
                                 _Line(line))
                for k, v in source.items():
                    target.setdefault(k, v)

    def alias(self, event: yaml.AliasEvent) -> None:
        found = self.anchors.get(event.anchor)
        if found is None:
            raise self.fail(f"alias *{event.anchor} refers to no complete anchor (undefined, or "
                            "inside itself)", event.start_mark)
        value, nodes, height = found
        self.alias_nodes += nodes
        if self.alias_nodes > self.max_alias_nodes:
            raise self.fail(
                f"aliases expand to more than {self.max_alias_nodes:,} nodes (possible alias bomb, "
                "'billion laughs'); write the values out instead of using anchors", event.start_mark)
        if len(self.stack) + height > self.max_depth:
            raise self.fail(f"nested deeper than {self.max_depth} levels (through alias "
                            f"*{event.anchor})", event.start_mark)
        copied = copy.deepcopy(value) if isinstance(value, (list, dict)) else value
        self.add(copied, nodes, height, event, None)

    def check_tag(self, event: Any, kind: str) -> None:
        tag = event.tag
        if tag is None or tag == "!" or tag == f"{_TAG}{kind}":
            return
        raise self.fail(f"tag {tag!r} is not allowed (only standard YAML types are read)", event.start_mark)

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag, text = event.tag, event.value
        if tag is not None and tag not in _SCALAR_TAGS:
            raise self.fail(f"tag {tag!r} is not allowed (only standard YAML types are read)",
                            event.start_mark)
        if self.schema == "strings":
            return text
        if tag is None:
            if not _is_plain(event):
                return text
            return self.resolve(text, event)
        if tag in ("!", f"{_TAG}str"):
            return text
        value = self.resolve(text, event)
        want = {f"{_TAG}int": int, f"{_TAG}float": float, f"{_TAG}bool": bool, f"{_TAG}null": type(None)}[tag]
        if want is float and type(value) is int:
            return float(value)
        if type(value) is not want:
            raise self.fail(f"{text!r} is not a valid {tag.rsplit(':', 1)[1]}", event.start_mark)
        return value

    def resolve(self, text: str, event: Any) -> Any:
        if text in _NULL:
            return None
        flag = _BOOL.get(text)
        if flag is not None:
            return flag
        if _INT.fullmatch(text):
            if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                raise self.fail(f"an integer of {len(text):,} digits (more than {MAX_INT_DIGITS}); "
                                "quote it to keep it as text", event.start_mark)
            return int(text)
        if _OCT.fullmatch(text) and len(text) <= MAX_INT_DIGITS:
            return int(text[2:], 8)
        if _HEX.fullmatch(text) and len(text) <= MAX_INT_DIGITS:
            return int(text[2:], 16)
        if _FLOAT.fullmatch(text) and len(text) <= MAX_INT_DIGITS:
            return float(text)
        if _INF.fullmatch(text):
            return -math.inf if text.startswith("-") else math.inf
        if text in _NAN:
            return math.nan
        return text


class _MergeKey:
    """The YAML 1.1 merge key ``<<`` (plain, untagged), distinct from a quoted ``"<<"``."""

    def __repr__(self) -> str:
        return "'<<'"


_MERGE = _MergeKey()


class _Line:
    """A stand-in parser mark when only the (1-based) line is known."""

    def __init__(self, line: int, column: int | None = None) -> None:
        self.line = line - 1  # marks are 0-based, like the parser's
        self.column = column


def _is_plain(event: yaml.ScalarEvent) -> bool:
    return bool(event.implicit[0]) and not event.style  # libyaml gives '' for plain, PyYAML None
