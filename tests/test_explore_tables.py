"""Interactive report tables (mediamon.explore.tables) in a real headless Chromium, from file://.

A page is built from real result tables (KWIC, co-occurrence, evidence, mentions) exactly as mediamon
displays them, plus the block, as a report exporter would (enhance_report_html). Checked: every
request stays in the page (file: and the blob: the block makes, nothing else), sorting and search
work, the static table is all there with JavaScript off, and the hostile corpus executes nothing
while it is searched and sorted. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import browser, chromium  # noqa: F401 - fixtures: Chromium via Playwright

import mediamon as mm
from explore_payloads import LIVE_MARKUP_JS, NO_LIVE_MARKUP, PWNED, write_hostile
from mediamon.explore.tables import (
    BLOCK_MARKER,
    INTERACTIVE_CLASS,
    enhance_report_html,
    interactive_tables_block,
    mark_interactive,
)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def report_page(parts: list[str], title: str = "report") -> str:
    body = "".join(parts)
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    corpus = mm.read_corpus(ROOT / "corpora" / "mm-sample")
    actors = mm.read_actors(ROOT / "corpora" / "actors.yaml")
    kw = mm.kwic(corpus, "raisi", actors=actors).sort("1R")
    co = mm.cooccurrence(corpus, actors)
    ev = co.evidence("raisi", "putin")
    html = enhance_report_html(report_page([kw._repr_html_(), co._repr_html_(), ev._repr_html_(), corpus._repr_html_()]))
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path, {"kw": kw, "co": co, "ev": ev}


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    corpus_path, actors_path = write_hostile(folder)
    corpus = mm.read_corpus(corpus_path)
    actors = mm.read_actors(actors_path)
    kw = mm.kwic(corpus, "raisi", actors=actors)
    co = mm.cooccurrence(corpus, actors, min_count=1)
    ev = co.evidence("raisi", "putin<script>")
    found = mm.mentions(corpus, actors)
    html = enhance_report_html(report_page([kw._repr_html_(), co._repr_html_(), ev._repr_html_(), found._repr_html_()],
                                           title="clean"))  # fmt: skip
    path = folder / "hostile.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811
    """A page that records every request, page error and dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.requests, page.errors, page.dialogs = [], [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def schemes(urls: list[str]) -> set[str]:
    return {u.split(":", 1)[0] for u in urls}


def enhanced(page: Any) -> int:
    """Wait until the block enhanced every marked table with two rows or more; return how many."""
    page.wait_for_function("document.documentElement.hasAttribute('data-mm-tables')", timeout=15000)
    expected = page.evaluate(
        f"[...document.querySelectorAll('table.{INTERACTIVE_CLASS}')].filter(t => t.tBodies[0].rows.length >= 2).length"
    )
    done = int(page.evaluate("document.documentElement.getAttribute('data-mm-tables')"))
    assert done == expected == page.locator("div.dt-container").count()
    return done


def test_the_block_loads_nothing_from_outside() -> None:
    block = interactive_tables_block()
    assert block.count(f"<script {BLOCK_MARKER}>") == 1 and block.count("</script>") == 1
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", block)
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", block)
    page = report_page(["<p>x</p>"])
    assert enhance_report_html(enhance_report_html(page)).count(f"<script {BLOCK_MARKER}>") == 1  # once


def test_only_data_tables_are_marked() -> None:
    html = '<table class="mm-table"><thead><tr><th>a</th></tr></thead></table><table class="mm-table"><tr><th>k</th>'
    marked = mark_interactive(html)
    assert marked.count(INTERACTIVE_CLASS) == 1  # the key/value table (no <thead>) stays static
    assert mark_interactive(marked) == marked


@pytest.mark.browser
def test_sort_and_search_from_the_file_alone(tab: Any, sample_page: tuple[Path, dict[str, Any]]) -> None:
    path, results = sample_page
    tab.goto(path.as_uri(), wait_until="load")
    assert enhanced(tab) == 4  # KWIC, co-occurrence, evidence, corpus preview (its key/value table stays static)
    assert tab.errors == []
    co = tab.locator("div.dt-container").nth(1)
    header = co.locator("thead th", has_text=re.compile(r"^npmi$"))
    header.click()
    tab.wait_for_timeout(200)
    assert header.get_attribute("aria-sort") == "ascending"
    column = list(results["co"].df.columns).index("npmi")

    def shown_npmi() -> list[float]:
        return [float(t.replace(",", "")) for t in co.locator(f"tbody tr td:nth-child({column + 1})").all_inner_texts()]

    ascending = shown_npmi()
    assert ascending == sorted(ascending) and len(ascending) == min(20, len(results["co"].df))
    tab.wait_for_timeout(400)  # two quick clicks would read as a double click
    header.click()
    tab.wait_for_timeout(200)
    assert header.get_attribute("aria-sort") == "descending"
    assert shown_npmi() == sorted(ascending, reverse=True)

    kwic = tab.locator("div.dt-container").first
    kwic.locator("div.dt-search input").fill("moscow")
    rows = kwic.locator("tbody tr")
    tab.wait_for_timeout(300)
    expected = [r for r in results["kw"].df.head(50).itertuples() if "moscow" in f"{r.title} {r.left} {r.match} {r.right}".lower()]
    assert rows.count() == len(expected) > 0
    assert all("moscow" in t.lower() for t in rows.all_inner_texts())
    kwic.locator("thead th.mm-left").click()  # AntConc: the left context sorts by 1L, then 2L, ...
    tab.wait_for_timeout(300)
    assert kwic.locator("thead th.mm-left").get_attribute("aria-sort") == "ascending"
    keys = [c.get_attribute("data-order") for c in kwic.locator("tbody td.mm-left").all()]
    lefts = kwic.locator("tbody td.mm-left").all_inner_texts()
    assert keys == [" ".join(reversed(t.split())).lower() for t in lefts]  # the key is 1L first
    words = [re.sub(r"[^\w ]", "", k).split() for k in keys]  # DataTables compares letters, not punctuation
    assert words == sorted(words) and len(set(map(tuple, words))) > 3
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "report_tables.png"), full_page=False)
    assert schemes(tab.requests) <= {"file", "blob"}, tab.requests


@pytest.mark.browser
def test_javascript_off_keeps_the_static_tables(browser: Any, sample_page: tuple[Path, dict[str, Any]]) -> None:  # noqa: F811
    path, results = sample_page
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    kwic = page.locator("table.mm-kwic").first
    assert kwic.locator("tbody tr").count() == 50  # the whole static table (max_rows of the display)
    assert page.locator("div.dt-container").count() == 0
    context.close()


@pytest.mark.browser
def test_hostile_tables_execute_nothing(tab: Any, hostile_page: Path) -> None:
    tab.goto(hostile_page.as_uri(), wait_until="load")
    assert enhanced(tab) >= 3
    for box in tab.locator("div.dt-search input").all():
        for needle in ("img", "script", "javascript", "\u202e", ""):
            box.fill(needle)
    for th in tab.locator("div.dt-container thead th").all()[:8]:
        th.click()
    tab.wait_for_timeout(500)  # time for any handler to fire
    assert tab.dialogs == [] and tab.errors == []
    assert tab.evaluate("document.title") == "clean" != PWNED
    assert tab.evaluate(LIVE_MARKUP_JS, None) == NO_LIVE_MARKUP
    text = tab.locator("table.mm-kwic").first.inner_text()
    assert "<script>document.title='pwned'</script>" in text.replace("\n", " ") or "<script>" in text
    assert "\u202e" not in tab.locator("body").inner_text()
    assert schemes(tab.requests) <= {"file", "blob"}, tab.requests
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "report_tables_hostile.png"), full_page=True)
