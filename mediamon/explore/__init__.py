"""Interactive exploration: a concordance browser, a document reader, interactive report tables.

This package sits above the analyses and uses only their public results (``mm.kwic(...)``,
``mm.mentions(...)``, ``corpus.docs``, ``corpus.text_of``, ``mm.index``); no analysis imports it.

- :func:`browse` (``mm.browse``): sort, filter and page a concordance in JupyterLab, click a hit to
  read its document;
- :func:`show_document` (``mm.show_document``): one document with every actor mention highlighted;
- :mod:`mediamon.explore.tables`: the embedded DataTables block that makes the static tables of an
  exported HTML report sortable and searchable.

Names are resolved lazily, so importing :mod:`mediamon.explore.tables` does not load the widget
libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "browse": "browser",
    "ConcordanceBrowser": "browser",
    "show_document": "reader",
    "DocumentReader": "reader",
    "read_document": "document",
    "Document": "document",
    "KwicView": "view",
    "Selection": "view",
    "interactive_tables_block": "tables",
    "enhance_report_html": "tables",
    "INTERACTIVE_CLASS": "tables",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mediamon.explore' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
