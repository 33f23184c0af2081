"""Lazy exports: a package's public names, imported from their modules on first use.

``import mediamon`` (or ``import mediamon.report``) then does no work and loads no heavy dependency;
``mediamon.kwic`` imports :mod:`mediamon.analysis.kwic` the first time it is looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any], exports: Mapping[str, str]) -> tuple[
    Callable[[str], Any], Callable[[], list[str]]
]:  # fmt: skip
    """The module-level ``__getattr__`` and ``__dir__`` of *package* for ``{name: submodule}``.

    A name found once is stored in the package's *namespace*, so later lookups are plain attributes.
    """

    def getattr_(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return getattr_, dir_
