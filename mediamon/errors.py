"""Exceptions raised by mediamon.

Every exception derives from :class:`MediamonError` *and* from the builtin it refines, so callers can
catch either ``mediamon.MediamonError`` or the familiar ``ValueError`` / ``LookupError`` / ``OSError``.
Messages name the call, what was received and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable


class MediamonError(Exception):
    """Base class of every error mediamon raises on purpose."""


class InputError(MediamonError, ValueError):
    """An argument or an input file has a value mediamon cannot use."""


class ColumnError(InputError, KeyError):
    """A required column is missing from a table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NotFoundError(MediamonError, LookupError):
    """A named thing (actor, file, parameter) does not exist."""


class PatternError(InputError):
    """A query pattern (glob, regex, phrase) is invalid."""


class ActorFileError(InputError):
    """An actor list is malformed (bad YAML, missing field, conflicting alias)."""


class IntegrityError(MediamonError, OSError):
    """A file mediamon wrote no longer holds what was written: its size or content digest differ from
    the record kept beside it, it is missing, or it cannot be decoded. ``path`` is the file."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class InUseError(MediamonError, OSError):
    """A folder is being written by another process that is still running. ``owner`` is what that
    process recorded (``pid``, ``host``, ``since``)."""

    def __init__(self, message: str, *, owner: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.owner = owner or {}


class ReportError(MediamonError, RuntimeError):
    """A report run failed (bad parameter, failing cell, unwritable output)."""


class ParameterError(ReportError, ValueError):
    """A report parameter is unknown or of the wrong type."""


def one_of(call: str, name: str, value: object, allowed: Iterable[object]) -> InputError:
    """Build the uniform "value is invalid; must be one of ..." error.

    >>> str(one_of("kwic()", "match", "fuzzy", ["fixed", "glob", "regex"]))
    "kwic(): match='fuzzy' is invalid; must be one of 'fixed', 'glob', 'regex'."
    """
    choices = ", ".join(repr(a) for a in allowed)
    return InputError(f"{call}: {name}={value!r} is invalid; must be one of {choices}.")


class YamlError(InputError):
    """YAML that mediamon will not read: bad syntax, or past a safety limit (aliases, nesting).

    ``problem`` is the reason alone and ``line``/``column`` (1-based, ``None`` when unknown) where it
    was found, so that a caller can word its own message ("front matter not read (...)").
    """

    def __init__(self, message: str, *, problem: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.problem = problem
        self.line = line
        self.column = column
