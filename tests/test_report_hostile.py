"""actor_report on a hostile corpus: every payload reaches the report as text, none as markup.

A small JSON Lines corpus is written in tmp_path whose article text, title, source and url carry
``<script>alert(1)</script>``, ``<img src=x onerror=alert(1)>``, ``</td>`` table break-outs,
``javascript:`` links and U+202E (right-to-left override), next to mentions of Raisi and Putin so that
the payloads land in KWIC contexts, titles (the KWIC link labels), co-occurrence evidence and the
by-source table. ``notebooks/actor_report.ipynb`` runs on it for real (Papermill, nbconvert) through
:func:`mediamon.run_report`. Checked: the HTML and the notebook's KWIC output hold no payload as markup
(and do hold it escaped), and the HTML opened in headless Chromium shows the KWIC table and runs no
injected script (no dialog, title unchanged, no break-out element). The browser part reuses the
Chromium/Playwright fixtures of tests/test_browser.py and skips cleanly without Chromium.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from test_browser import browser, chromium, page  # noqa: F401 - fixtures: Chromium via Playwright

from mediamon.report import ReportRun, run_report

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "actor_report.ipynb"
RLO = "\u202e"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
TITLE_SCRIPT = "<script>document.title='pwned'</script>"
TITLE_IMG = "<img src=x onerror=\"document.title='pwned'\">"
SVG = "<svg onload=alert(1)>"
BREAKOUT = "</td></tr></table><b id=mm-breakout>escaped the table</b>"
#: MathJax 2 (loaded by nbconvert's template from a CDN) turned this escaped text into a live link
MATHJAX = r"$\href{https://evil.example/phish}{read more}$"

DOCS = [
    {
        "id": "evil-1",
        "date": "2021-06-19",
        "source": f"Evil {SCRIPT} Times{RLO}",
        "url": "javascript:alert(1)",
        "title": f"{SCRIPT}{RLO}Raisi wins",
        "text": f"President Raisi {SCRIPT} met Putin in Tehran. {IMG} Raisi spoke {BREAKOUT} to Putin again.\n\n"
                f"{RLO}Raisi and Putin discussed {TITLE_SCRIPT} trade and {TITLE_IMG} energy.",
    },
    {
        "id": "evil-2",
        "date": "2021-07-02",
        "source": "Evil $x^2$ </td> Wire",
        "url": "JaVaScRiPt:document.title='pwned'//",
        "title": f"{IMG} Raisi {BREAKOUT}",
        "text": f"Ebrahim Raisi {SVG} said Iran welcomes Putin. Raisi {IMG} thanked Putin.\n\n"
                f"The Raisi government {SCRIPT} and the Kremlin of Putin signed {BREAKOUT} a deal.",
    },
    {
        "id": "evil-3",
        "date": None,
        "source": "Tehran Times",
        "url": "https://example.org/raisi",
        "title": f"Raisi{RLO} and the {TITLE_SCRIPT} visit",
        "text": f"Raisi visited Moscow. {RLO}Putin received Raisi {TITLE_IMG} in the Kremlin {MATHJAX}.\n\n"
                f"Iran and Russia: Raisi {SCRIPT} and Putin met {SVG} again.",
    },
]
PAYLOAD_MARKUP = [
    "<script>alert", "alert(1)</script>", "<script>document.title", "<img src=x", "<svg onload",
    "<b id=mm-breakout>",
]  # fmt: skip
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;/td&gt;"]


def _markup_problems(html: str) -> list[str]:
    """Every way a payload could be live markup in *html* (empty when all is escaped)."""
    found = [p for p in PAYLOAD_MARKUP if p.lower() in html.lower()]
    found += re.findall(r"<[a-zA-Z][^<>]*\s(?:onerror|onload)\s*=", html)
    found += re.findall(r"""href\s*=\s*["']?\s*javascript:""", html, flags=re.IGNORECASE)
    if RLO in html:
        found.append("U+202E")
    return found


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in DOCS) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory, hostile_corpus: Path) -> ReportRun:
    params = {"corpus": str(hostile_corpus), "actor": "raisi", "min_count": 1, "title": f"Report {SCRIPT}{RLO}"}
    run = run_report(NOTEBOOK, params, out=tmp_path_factory.mktemp("reports"), run_id="hostile")
    assert run.ok, run.error
    return run


def test_the_payloads_reach_the_report(hostile_run: ReportRun) -> None:
    """The corpus was read and analysed: the KWIC table has every Raisi hit, with payloads in it."""
    kwic = pd.read_csv(hostile_run.folder / "tables" / "kwic.csv")
    assert kwic["doc_id"].value_counts().to_dict() == {"evil-1": 3, "evil-2": 3, "evil-3": 3}
    contexts = " ".join(kwic["left"].fillna("") + " " + kwic["right"].fillna(""))
    assert "<script>" in contexts and "<img src=x" in contexts  # raw in the CSV: the data, not a display
    assert SCRIPT in " ".join(kwic["title"])


def test_report_html_has_no_live_payload(hostile_run: ReportRun) -> None:
    html = hostile_run.html.read_text(encoding="utf-8")
    assert _markup_problems(html) == []
    for escaped in ESCAPED:
        assert escaped in html, escaped  # shown as text
    assert "<h1>Report &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html  # the title parameter too
    assert 'href="https://example.org/raisi"' in html  # the one http(s) url is a link


def test_notebook_kwic_display_is_escaped(hostile_run: ReportRun) -> None:
    nb = nbformat.read(hostile_run.executed, as_version=4)
    kwic_outputs = [
        out["data"]["text/html"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "text/html" in out.get("data", {}) and "mm-kwic" in out["data"]["text/html"]
    ]
    assert kwic_outputs, "no KWIC output in the executed notebook"
    kwic = next(o for o in kwic_outputs if "KWIC raisi" in o)
    assert _markup_problems(kwic) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in kwic  # the title payload, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in kwic
    for output in kwic_outputs:  # the evidence table too
        assert _markup_problems(output) == []


@pytest.mark.browser
def test_dialog_hook_sees_a_running_payload(page: Any) -> None:  # noqa: F811
    """Positive control: an unescaped payload does raise a dialog this test would catch."""
    page.set_content(f"<title>clean</title><p>{IMG}</p>")
    page.wait_for_timeout(300)
    assert page.dialogs == ["1"]


@pytest.mark.browser
def test_hostile_report_in_chromium(page: Any, hostile_run: ReportRun) -> None:  # noqa: F811
    page.goto(hostile_run.html.as_uri(), wait_until="load")
    title = page.title()
    page.wait_for_timeout(500)  # time for any injected onerror/onload handler to fire
    assert page.dialogs == []
    assert page.evaluate("document.title") == title != "pwned"

    kwic = page.locator("table.mm-kwic").first
    assert kwic.is_visible()
    hits = pd.read_csv(hostile_run.folder / "tables" / "kwic.csv")
    assert kwic.locator("tbody tr").count() == len(hits) == 9  # every Raisi in the three texts
    text = kwic.inner_text()
    assert "<script>alert(1)</script>" in text  # the title payload, shown as text
    assert "<img src=x onerror=alert(1)>" in text
    assert RLO not in text
    hrefs = kwic.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert set(hrefs) == {"https://example.org/raisi"}

    live = page.evaluate(
        """() => ({
            handlers: document.querySelectorAll('[onerror], [onload]').length,
            jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
            breakout: document.querySelectorAll('#mm-breakout').length,
            payloadScripts: [...document.scripts].filter(s => /alert\\(1\\)|pwned/.test(s.text)).length,
            svg: document.querySelectorAll('svg[onload]').length,
        })"""
    )
    assert live == {"handlers": 0, "jsLinks": 0, "breakout": 0, "payloadScripts": 0, "svg": 0}
    # self-contained: nothing was fetched from the network (no CDN, no MathJax), no math rendered
    assert [u for u in page.requests if not u.startswith(("file:", "blob:", "data:"))] == []
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert "\\href{https://evil.example/phish}" in page.locator("body").inner_text()
