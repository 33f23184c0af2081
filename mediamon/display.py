"""Static, escaped HTML for notebook display and reports.

Every piece of text that comes from a corpus (article text, titles, sources, URLs, column names) is
untrusted. The helpers here escape it with :func:`html.escape` *after* any normalisation, wrap snippets
in ``<bdi>`` so right-to-left text or a stray U+202E cannot reorder a table, and turn a URL into a link
only when its scheme is http or https. Nothing here needs JavaScript.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import pandas as pd

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

STYLE = (
    "<style>"
    ".mm-table{border-collapse:collapse;font-size:12px}"
    ".mm-table th,.mm-table td{padding:2px 6px;border-bottom:1px solid #ddd;vertical-align:top}"
    ".mm-table th{text-align:left;background:#f4f4f4}"
    ".mm-kwic td.mm-left{text-align:right;white-space:nowrap;overflow:hidden;max-width:28em}"
    ".mm-kwic td.mm-right{text-align:left;white-space:nowrap;overflow:hidden;max-width:28em}"
    ".mm-kwic td.mm-match{text-align:center;white-space:nowrap}"
    ".mm-kwic mark{background:#ffe58a;font-weight:bold}"
    ".mm-caption{font-weight:bold;margin:4px 0}"
    "</style>"
)


def plain(value: object) -> str:
    """*value* as text; ``None`` and missing values (NaN, NaT, NA) as an empty string."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def esc(value: object) -> str:
    """Escape any value for HTML text or attribute context; missing values become an empty string.

    Bidi control characters are dropped from the *display* (they carry no meaning in a table and can
    spoof its order); the surrounding ``<bdi>`` isolates genuine right-to-left script.

    >>> esc('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape(_BIDI_CONTROLS.sub("", plain(value)), quote=True)


def strip_bidi(text: str) -> str:
    """*text* without bidi control characters, for text a front end shows as text (not HTML).

    >>> strip_bidi("abc\u202edef")
    'abcdef'
    """
    return _BIDI_CONTROLS.sub("", text)


def bdi(value: object) -> str:
    """Escaped text isolated in ``<bdi>`` so its direction cannot leak into the table."""
    return f"<bdi>{esc(value)}</bdi>"


def truncate(text: object, limit: int = 160) -> str:
    """Shorten *text* to at most *limit* characters, adding an ellipsis (before escaping)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: object) -> str | None:
    """Return *url* if its scheme is http or https, otherwise ``None`` (no ``javascript:`` links)."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return candidate
    return None


def link(label: object, url: object) -> str:
    """``<a>`` for http(s) URLs, plain escaped text otherwise."""
    target = safe_url(url)
    if target is None:
        return bdi(label)
    return f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer">{bdi(label)}</a>'


def caption(text: str) -> str:
    """An escaped caption line above a table."""
    return f'<div class="mm-caption">{esc(text)}</div>'


def table(
    df: pd.DataFrame,
    *,
    max_rows: int = 20,
    css_class: str = "mm-table",
    formatters: dict[str, object] | None = None,
) -> str:
    """Render *df* as a static HTML table with every header and cell escaped.

    Parameters
    ----------
    df
        The table; its index is not shown.
    max_rows
        Rows shown; a note says how many were left out.
    formatters
        Optional ``{column: callable(value) -> str}`` returning *already escaped* HTML for that column
        (used for links and highlighted matches).
    """
    formatters = formatters or {}
    shown = df.head(max_rows)
    head = "".join(f"<th>{esc(c)}</th>" for c in shown.columns)
    rows: list[str] = []
    for record in shown.itertuples(index=False, name=None):
        cells = []
        for col, value in zip(shown.columns, record):
            fmt = formatters.get(col)
            cells.append(f"<td>{fmt(value) if fmt else bdi(_format_value(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(df) > max_rows:
        more = f'<div class="mm-more">… {len(df) - max_rows:,} more rows</div>'
    return (
        f'{STYLE}<table class="{esc(css_class)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )


def _format_value(value: object) -> object:
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return ""
        # news dates are mostly days: show the time only when there is one
        return f"{value:%Y-%m-%d}" if value == value.normalize() else f"{value:%Y-%m-%d %H:%M %Z}".strip()
    return value


def definition_list(items: Iterable[tuple[str, object]]) -> str:
    """A two-column key/value table, escaped."""
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{bdi(v)}</td></tr>" for k, v in items)
    return f'{STYLE}<table class="mm-table">{rows}</table>'


def join(parts: Sequence[str]) -> str:
    """Concatenate already-rendered HTML fragments inside one container."""
    return '<div class="mm-result">' + "".join(parts) + "</div>"
