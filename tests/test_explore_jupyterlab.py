"""The concordance browser and the reader in a real JupyterLab 4, driven by Playwright + Chromium.

One JupyterLab server per module, on a free loopback port with token auth, in a temporary root
folder holding two notebooks written here: one on the bundled corpus, one on the hostile corpus of
tests/explore_payloads.py. The browser page may reach only that server (anything else is aborted
and recorded). Expected rows come from KwicView and read_document in this process, on the same
corpus. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

import mediamon as mm
from explore_payloads import LIVE_MARKUP_JS, NO_LIVE_MARKUP, PWNED, write_hostile
from mediamon.explore.document import read_document
from mediamon.explore.view import KwicView, Selection

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
SAMPLE = ROOT / "corpora" / "mm-sample"
ACTORS = ROOT / "corpora" / "actors.yaml"
SOURCE = "Tehran Times"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _notebook(path: Path, cells: list[str]) -> None:
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata={"kernelspec": spec})
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        pytest.skip("no Chromium binary found (install Debian's: apt-get install -y chromium)")
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    corpus_path, actors_path = write_hostile(root)
    _notebook(root / "browse.ipynb", [
        "import mediamon as mm\n"
        f"news = mm.read_corpus({str(SAMPLE)!r})\nactors = mm.read_actors({str(ACTORS)!r})\n"
        "mm.index(news, progress=False)\nkw = mm.kwic(news, 'putin', actors=actors)",
        "mm.browse(kw, news, actors)",
    ])  # fmt: skip
    _notebook(root / "hostile.ipynb", [
        "import mediamon as mm\n"
        f"news = mm.read_corpus({str(corpus_path)!r})\nactors = mm.read_actors({str(actors_path)!r})\n"
        "mm.index(news, progress=False)\nkw = mm.kwic(news, 'raisi', actors=actors)",
        "b = mm.browse(kw, news, actors)\nb.open_hit(0)\nb",
        "mm.show_document(news, 'evil-1', actors)",
    ])  # fmt: skip
    settings = base / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    notebook_settings = base / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    # every cell in the DOM (no windowing), so outputs below the fold can be found
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
           "JUPYTER_DATA_DIR": str(base / "data"), "IPYTHONDIR": str(base / "ipython"), "MPLBACKEND": "Agg"}  # fmt: skip
    port, token = _free_port(), "mediamon-test-token"
    log = (base / "lab.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(base / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield {"url": url, "token": token, "root": root, "corpus": corpus_path, "actors": actors_path, "port": port}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def chrome(lab: dict[str, Any]) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    try:
        manager = sync_api.sync_playwright().start()
    except Exception as exc:  # noqa: BLE001 - Playwright's node driver may not run here
        pytest.skip(f"Playwright's driver does not start ({exc})")
    try:
        instance = manager.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001
        manager.stop()
        pytest.skip(f"Playwright cannot launch /usr/bin/chromium: {exc}")
    yield instance
    instance.close()
    manager.stop()


@pytest.fixture
def tab(chrome: Any, lab: dict[str, Any]) -> Iterator[Any]:
    context = chrome.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.outside, page.dialogs, page.errors = [], [], []
    local = re.compile(rf"^http://127\.0\.0\.1:{lab['port']}/")
    page.route(re.compile(r".*"), lambda route: route.continue_() if local.match(route.request.url)
               else (page.outside.append(route.request.url), route.abort()))  # fmt: skip
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def open_and_run(page: Any, lab: dict[str, Any], name: str) -> None:
    workspace = name.replace(".", "-")  # one workspace per notebook: no tab of another test is restored
    page.goto(f"{lab['url']}/lab/workspaces/{workspace}/tree/{name}?reset&token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\bIdle\b")).wait_for(timeout=90_000)
    page.locator("li.lm-MenuBar-item", has_text="Run").click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()


def rows_of(page: Any) -> list[int]:
    return [int(r) for r in page.locator(".mm-x-browser tbody tr").evaluate_all("rs => rs.map(r => r.dataset.row)")]


def test_sort_filter_and_read_in_jupyterlab(tab: Any, lab: dict[str, Any]) -> None:
    corpus = mm.read_corpus(SAMPLE)
    actors = mm.read_actors(ACTORS)
    kw = mm.kwic(corpus, "putin", actors=actors)
    view = KwicView(kw)
    open_and_run(tab, lab, "browse.ipynb")
    browser = tab.locator(".mm-x-browser")
    browser.locator("tbody tr").first.wait_for(timeout=120_000)
    assert rows_of(tab) == [r["row"] for r in view.page(Selection()).rows]

    browser.locator('select[data-level="1"]').select_option("1R")
    by_1r = [r["row"] for r in view.page(Selection(sort=("1R",))).rows]
    tab.wait_for_function(f"JSON.stringify([...document.querySelectorAll('.mm-x-browser tbody tr')].map(r => +r.dataset.row)) === '{json.dumps(by_1r, separators=(',', ':'))}'", timeout=30_000)

    browser.locator("details.mm-x-sources > summary").click()
    browser.locator(f'input[data-source="{SOURCE}"]').check()
    expected = view.page(Selection(sort=("1R",), sources=(SOURCE,)))
    want = [r["row"] for r in expected.rows]
    tab.wait_for_function(f"JSON.stringify([...document.querySelectorAll('.mm-x-browser tbody tr')].map(r => +r.dataset.row)) === '{json.dumps(want, separators=(',', ':'))}'", timeout=30_000)
    browser.locator("details.mm-x-sources > summary").click()  # close the list
    assert set(browser.locator("tbody td.mm-x-source").all_inner_texts()) == {SOURCE}
    assert f"of {expected.matched:,} (filtered from {len(kw):,})" in browser.locator(".mm-x-count").inner_text()
    assert "sort=['1R'], sources=['Tehran Times']" in browser.locator(".mm-x-codebar .mm-x-code").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "jupyterlab_browser.png"))

    first = expected.rows[0]
    browser.locator("tbody tr").first.click()
    hit = browser.locator(".mm-x-reader mark.mm-x-hit")
    hit.first.wait_for(timeout=30_000)
    assert "".join(hit.all_inner_texts()) == kw.df["match"].iloc[first["row"]]
    assert "mm-x-mention" in hit.first.get_attribute("class")  # the hit is a Putin mention too
    assert hit.first.get_attribute("data-actor") == "putin"
    doc = read_document(corpus, first["doc_id"], actors, highlight=(first["char_start"], first["char_end"]))
    mentions = browser.locator(".mm-x-reader .mm-x-text mark.mm-x-mention")
    assert mentions.count() == sum(1 for s in doc.segments if s.actors)
    legend = browser.locator(".mm-x-reader .mm-x-legend").inner_text()
    assert all(a["name"] in legend for a in doc.actors)
    assert browser.locator(".mm-x-reader .mm-x-title").inner_text() == doc.title
    browser.locator(".mm-x-reader input.mm-x-toggle").check()
    assert browser.locator(".mm-x-reader.mm-x-show-sents .mm-x-sent").count() == doc.n_sentences
    browser.locator(".mm-x-reader .mm-x-sent").nth(1).hover()
    assert browser.locator(".mm-x-reader .mm-x-sent").nth(1).get_attribute("title") == "sentence 2"
    code = browser.locator(".mm-x-reader .mm-x-code").inner_text()
    assert code == doc.code
    browser.locator(".mm-x-reader").scroll_into_view_if_needed()
    tab.screenshot(path=str(ARTIFACTS / "jupyterlab_reader.png"))

    # saved, the notebook holds the widget view and one static page, not the 2,110 hits
    tab.keyboard.press("Control+s")
    tab.wait_for_timeout(1500)
    saved = lab["root"] / "browse.ipynb"
    size = saved.stat().st_size
    assert size < 150_000, size
    assert tab.outside == [] and tab.dialogs == []


def test_hostile_corpus_in_jupyterlab_executes_nothing(tab: Any, lab: dict[str, Any]) -> None:
    open_and_run(tab, lab, "hostile.ipynb")
    tab.locator(".mm-x-browser tbody tr").first.wait_for(state="attached", timeout=120_000)
    tab.locator(".mm-x-reader").nth(1).wait_for(state="attached", timeout=60_000)  # browser's reader, show_document
    title = tab.title()
    browser = tab.locator(".mm-x-browser")
    browser.scroll_into_view_if_needed()
    browser.locator("tbody tr").nth(2).click()
    browser.locator('input[type="search"]').fill("script")
    browser.locator('input[type="search"]').press("Enter")
    browser.locator('select[data-level="1"]').select_option("1L")
    tab.wait_for_timeout(1500)  # time for any injected handler to fire
    assert tab.dialogs == []
    assert tab.title() == title != PWNED
    assert tab.evaluate(LIVE_MARKUP_JS, ".jp-Notebook .jp-OutputArea") == NO_LIVE_MARKUP
    reader_text = tab.locator(".mm-x-reader .mm-x-text").last.inner_text()
    assert "<script>document.title='pwned'</script>" in reader_text
    assert "<img src=x onerror=" in reader_text and "\u202e" not in reader_text
    assert tab.locator(".jp-Notebook .jp-OutputArea a[href]").evaluate_all("as => as.map(a => a.href)") == []
    assert tab.outside == [], tab.outside  # the iframe/img payloads fetched nothing
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "jupyterlab_hostile.png"), full_page=True)
