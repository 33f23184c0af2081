"""Sortable, searchable tables in exported HTML reports, from the file alone (no network).

The static tables mediamon writes (``display.table``, the KWIC table, co-occurrence and evidence)
stay exactly as they are: escaped HTML that reads fine with JavaScript off. One block, injected once
into a report page, enhances the tables marked with :data:`INTERACTIVE_CLASS` with DataTables
(sorting by any column, a search box, paging above 25 rows). DataTables works on the table that is
already in the page (its cells are not re-rendered from strings), so escaped text stays text.

The library is the offline bundle that the ``itables`` package installs (jQuery and DataTables,
MIT licences, kept in the bundle's comments), embedded base64-encoded and loaded as a module from a
``blob:`` URL made in the page, as itables' own offline mode does: its text never passes through
the HTML parser, and nothing is fetched.

Wiring (for a report exporter): ``html = enhance_report_html(html)`` after nbconvert; or inject
:func:`interactive_tables_block` once and render tables with ``css_class="mm-table mm-interactive"``.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

from ..errors import InputError

__all__ = ["INTERACTIVE_CLASS", "BLOCK_MARKER", "interactive_tables_block", "mark_interactive", "enhance_report_html"]

INTERACTIVE_CLASS = "mm-interactive"
BLOCK_MARKER = "data-mm-interactive-tables"
# The opening tag of a mediamon data table (display.table, Kwic display): a class list that starts
# with mm-table, then <thead>. Key/value tables (definition_list) have no <thead> and stay static.
_DATA_TABLE = re.compile(r'<table class="(mm-table(?: [A-Za-z0-9_-]+)*)"><thead>')
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


@lru_cache(maxsize=1)
def _bundle() -> tuple[str, str, str]:
    """(javascript, css, itables version) of the installed itables offline bundle."""
    try:
        folder = resources.files("itables").joinpath("html")
        js = folder.joinpath("dt_bundle.js").read_text(encoding="utf-8")
        css = folder.joinpath("dt_bundle.css").read_text(encoding="utf-8")
        found = version("itables")
    except (ModuleNotFoundError, FileNotFoundError, PackageNotFoundError) as exc:
        raise InputError(
            f"interactive_tables_block(): the DataTables bundle of itables is not installed ({exc}); "
            "pip install 'itables>=2.4'."
        ) from None
    if "</style" in css.lower():
        raise InputError("interactive_tables_block(): the itables stylesheet contains '</style'; cannot embed it.")
    return js, css, found


@lru_cache(maxsize=1)
def _init_script() -> str:
    return resources.files(__package__).joinpath("static", "tables.js").read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def interactive_tables_block(*, selector: str = f"table.{INTERACTIVE_CLASS}") -> str:
    """The ``<style>`` and ``<script>`` block that makes the tables matching *selector* sortable and
    searchable. Inject it ONCE per page (``<head>`` or anywhere before ``</body>``).

    About 1 MB: the DataTables bundle, base64-encoded. With JavaScript off, or if the bundle fails
    to load, the tables stay as they are.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.,:#\- ]+", selector):
        raise InputError(f"interactive_tables_block(): selector={selector!r} must be a plain CSS selector.")
    js, css, found = _bundle()
    payload = base64.b64encode(js.encode("utf-8")).decode("ascii")
    init = _init_script().replace("__MM_SELECTOR__", selector).replace("__MM_BUNDLE_B64__", payload)
    return (
        f"<!-- mediamon interactive tables: DataTables bundle of itables {found} (jQuery, DataTables: MIT) -->\n"
        f"<style {BLOCK_MARKER}>{css}</style>\n"
        f"<style>{_EXTRA_CSS}</style>\n"
        f"<script {BLOCK_MARKER}>{init}</script>\n"
    )


_EXTRA_CSS = (
    "table.dataTable.mm-table{width:auto;margin:0 !important}"
    "div.dt-container div.dt-layout-table>div{justify-content:flex-start;display:block}"
    "div.dt-container{font-size:12px;margin:4px 0 12px}"
    "div.dt-container .dt-search input{font-size:12px}"
    "table.dataTable.mm-kwic td.mm-left{text-align:right}"
    "table.dataTable thead th{white-space:nowrap}"
)


def mark_interactive(html: str) -> str:
    """Add :data:`INTERACTIVE_CLASS` to every mediamon data table in *html* (tables with a header).

    Only the opening tags mediamon writes are touched; corpus text inside the tables is escaped, so
    it cannot contain a ``<table`` tag to match.
    """

    def add(match: re.Match[str]) -> str:
        classes = match.group(1).split()
        if INTERACTIVE_CLASS not in classes:
            classes.append(INTERACTIVE_CLASS)
        return f'<table class="{" ".join(classes)}"><thead>'

    return _DATA_TABLE.sub(add, html)


def enhance_report_html(html: str) -> str:
    """*html* (a whole exported page) with its data tables marked and the block injected once,
    before ``</head>`` (or at the start when the page has no head). Idempotent."""
    marked = mark_interactive(html)
    if f"<script {BLOCK_MARKER}>" in marked:  # corpus text is escaped: it cannot hold this tag
        return marked
    block = interactive_tables_block()
    found = _HEAD_END.search(marked)
    if found is None:
        return block + marked
    return marked[: found.start()] + block + marked[found.start() :]
