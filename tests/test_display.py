"""Escaped HTML: whatever the text, only the tags mediamon emits appear (property tests)."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mediamon import display

ALLOWED = {"style", "div", "table", "thead", "tbody", "tr", "th", "td", "bdi", "a", "mark"}
PAYLOADS = st.sampled_from(
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</td></tr>", "javascript:alert(1)",
     "\u202e", "&amp;", '"', "'", "<", ">", "<!--", "]]>", "<svg/onload=alert(1)>"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(max_size=8), PAYLOADS), max_size=6).map("".join)


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.add(tag)
        self.attrs.extend(attrs)


def parse(html: str) -> TagCollector:
    parser = TagCollector()
    parser.feed(html)
    return parser


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, TEXT)
def test_table_cells_headers_and_links_never_become_markup(cell: str, header: str, url: str) -> None:
    df = pd.DataFrame({header or "h": [cell], "url": [url]})
    html = display.table(df, formatters={"url": lambda u: display.link("open", u)})
    found = parse(html)
    assert found.tags <= ALLOWED
    hrefs = [v for k, v in found.attrs if k == "href"]
    assert all(v.lower().startswith(("http://", "https://")) for v in hrefs)
    assert not any(k.startswith("on") for k, _ in found.attrs)
    assert "\u202e" not in html


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_escaping_round_trips_the_visible_text(text: str) -> None:
    import html as html_lib

    shown = html_lib.unescape(display.esc(text))
    assert shown == display._BIDI_CONTROLS.sub("", text)


def test_safe_url_only_keeps_http_and_https() -> None:
    assert display.safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert display.safe_url("HTTP://EXAMPLE.ORG") == "HTTP://EXAMPLE.ORG"
    for bad in ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "//evil", "ftp://x", "http:///x", None, 3]:
        assert display.safe_url(bad) is None
