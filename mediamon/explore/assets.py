"""The front-end module and stylesheet shared by the widgets (package data, read once on import)."""

from __future__ import annotations

from importlib import resources
from typing import Any

__all__ = ["ESM", "CSS", "with_html"]

_STATIC = resources.files(__package__).joinpath("static")
ESM = _STATIC.joinpath("explore.js").read_text(encoding="utf-8")
CSS = _STATIC.joinpath("explore.css").read_text(encoding="utf-8")


def with_html(bundle: Any, html: str) -> Any:
    """Add a ``text/html`` fallback to a widget's mime bundle (``data`` or ``(data, metadata)``), shown
    where no widget front end exists (nbconvert, a notebook reopened without its kernel)."""
    if isinstance(bundle, tuple):
        data, meta = bundle
        return {**data, "text/html": html}, meta
    if isinstance(bundle, dict):
        return {**bundle, "text/html": html}
    return {"text/html": html}
