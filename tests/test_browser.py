"""A hostile report opened in a real headless Chromium: the table shows, no injected script runs.

The report is made for real (papermill + nbconvert) from tests/fixtures/notebooks/hostile.ipynb, whose
article text, title and url carry ``<script>``, ``<img onerror>``, ``</td>``, ``javascript:`` links and
U+202E, in the defaults and in the parameters passed by the test. Every payload would set
``document.title = 'pwned'`` if it ran. Chromium is Debian's ``/usr/bin/chromium`` driven by Playwright's
Python package; when Playwright cannot start, ``chromium --headless --dump-dom`` checks the title.
Skipped with a reason when no Chromium is installed (``apt-get install chromium``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mediamon.report import ReportRun, run_report

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).parent / "fixtures" / "notebooks" / "hostile.ipynb"
PWNED = "pwned"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
HOSTILE_PARAMS = {
    "title": "</td></tr></table><script>document.title='pwned'</script>\u202eTitle",
    "text": "left <img src=x onerror=\"document.title='pwned'\"> <svg onload=\"document.title='pwned'\">",
    "url": "javascript:document.title='pwned'//",
}


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = _chromium()
    if binary is None:
        pytest.skip("no Chromium binary found (install Debian's: apt-get install -y chromium)")
    return binary


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    """The hostile notebook with payload parameters, code shown (the largest surface)."""
    return run_report(NOTEBOOK, HOSTILE_PARAMS, out=tmp_path_factory.mktemp("reports"), hide_code=False)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    try:
        manager = sync_api.sync_playwright().start()
    except Exception as exc:  # noqa: BLE001 - Playwright's node driver may not run here
        pytest.skip(f"Playwright's driver does not start ({exc}); test_dump_dom_fallback covers Chromium")
    try:
        instance = manager.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001
        manager.stop()
        pytest.skip(f"Playwright cannot launch {chromium}: {exc}")
    yield instance
    instance.close()
    manager.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page with no network (only file:// loads) that records dialogs and page errors."""
    context = browser.new_context(java_script_enabled=True)
    tab = context.new_page()
    tab.dialogs = []
    tab.requests = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())  # CDN scripts of the template
    yield tab
    context.close()


def test_positive_control_detects_a_running_payload(page: Any) -> None:
    """Unescaped payloads DO set the title in this Chromium, so a clean title below means something."""
    page.set_content(f"<title>clean</title><p>{HOSTILE_PARAMS['text']}</p>")
    page.wait_for_function("document.title === 'pwned'", timeout=5000)


def test_hostile_report_shows_table_and_runs_no_payload(page: Any, hostile_report: ReportRun) -> None:
    page.goto(hostile_report.html.as_uri(), wait_until="load")
    page.wait_for_timeout(300)  # give any injected onerror/onload handler time to fire
    assert page.title() != PWNED
    assert page.evaluate("document.title") != PWNED
    assert page.dialogs == []

    table = page.locator("table.mm-kwic")
    assert table.count() == 1 and table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    first_row = rows.nth(0).inner_text()
    assert "<img src=x onerror=" in first_row  # shown as text, not parsed as markup
    assert "\u202e" not in table.inner_text()  # bidi control dropped from display
    assert table.locator("a").count() == 1  # only the https url became a link
    assert table.locator("a").get_attribute("href") == "https://example.org/a"

    counts = page.evaluate(
        """() => ({
            onerror: document.querySelectorAll('[onerror], [onload]').length,
            jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
            payloadScripts: [...document.scripts].filter(s => s.text.includes('pwned')).length,
            svg: document.querySelectorAll('svg[onload]').length,
        })"""
    )
    assert counts == {"onerror": 0, "jsLinks": 0, "payloadScripts": 0, "svg": 0}


def test_dump_dom_fallback(chromium: str, hostile_report: ReportRun, tmp_path: Path) -> None:
    """Chromium's own --dump-dom (no Playwright): the DOM after scripts ran still has a clean title."""
    try:
        done = subprocess.run(
            [chromium, *CHROMIUM_ARGS, f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=2000", "--dump-dom", hostile_report.html.as_uri()],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip("chromium --dump-dom did not finish within 60 s")
    if done.returncode != 0 or "<html" not in done.stdout:
        pytest.skip(f"chromium --dump-dom failed (exit {done.returncode}): {done.stderr[-300:]}")
    title = re.search(r"<title>(.*?)</title>", done.stdout, re.S)
    assert title is not None and title.group(1).strip() != PWNED
    assert re.search(r'class="mm-table mm-kwic[ "]', done.stdout)  # DataTables may add its own classes
    assert "&lt;img src=x onerror=" in done.stdout
