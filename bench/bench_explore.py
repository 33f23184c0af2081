"""Responsiveness of the concordance browser on a large concordance (mediamon.explore).

Builds ``mm.browse(kw, corpus, actors)`` for ``kwic("iran")`` on the Tehran Times corpus (about
150,000 hits) and times what a click costs on the Python side: turning a page, sorting (first time
and cached), filtering by source, by date and by a search, and opening the reader. It also measures
what travels to the page (one page of rows) and what a saved notebook holds: the cell output as
JupyterLab writes it (widget view + the static fallback) and the widget state, were "save widget
state" switched on. Writes bench/RESULTS-explore.md.

    .venv/bin/python bench/bench_explore.py --corpus ../shared/corpora/tehrantimes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import nbformat

import mediamon as mm

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def timed(action: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of *action* in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "tehrantimes"))
    parser.add_argument("--pattern", default="iran")
    parser.add_argument("--out", default=str(HERE / "RESULTS-explore.md"))
    parser.add_argument("--no-lab", action="store_true", help="skip the measurement in a real JupyterLab")
    args = parser.parse_args()
    if not Path(args.corpus).exists():
        print(f"{args.corpus} not found; nothing to measure.")
        return 0

    t0 = time.perf_counter()
    news = mm.read_corpus(args.corpus)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    mm.index(news, progress=False)
    t_index = time.perf_counter() - t0
    actors = mm.read_actors(ROOT / "corpora" / "actors.yaml")
    t0 = time.perf_counter()
    kw = mm.kwic(news, args.pattern, window=5)
    t_kwic = time.perf_counter() - t0

    t0 = time.perf_counter()
    b = mm.browse(kw, news, actors)
    t_build = (time.perf_counter() - t0) * 1000

    rows: list[tuple[str, float]] = [("build mm.browse(kw, news, actors) (first page included)", t_build)]
    pages = iter(range(1, 10_000))
    rows.append(("turn a page (b.page = next)", timed(lambda: setattr(b, "page", next(pages)))))
    t0 = time.perf_counter()
    b.sort = ["1R"]
    rows.append(("sort by 1R, first time (Kwic.sort on every hit)", (time.perf_counter() - t0) * 1000))
    rows.append(("turn a page, sorted by 1R", timed(lambda: setattr(b, "page", next(pages)))))
    flip = iter(range(10_000))
    rows.append(("switch between cached sorts (1R / corpus order)",
                 timed(lambda: setattr(b, "sort", ["1R"] if next(flip) % 2 else []))))  # fmt: skip
    t0 = time.perf_counter()
    b.sort = ["1L", "2L"]
    rows.append(("sort by 1L, 2L, first time", (time.perf_counter() - t0) * 1000))
    t0 = time.perf_counter()
    b.sort = ["-date", "1R"]
    rows.append(("sort by date (newest first), then 1R, first time", (time.perf_counter() - t0) * 1000))
    source = b.sources[0][0]
    sources = iter(range(10_000))
    rows.append((f"filter by a source ({source!r}) / all, alternately",
                 timed(lambda: setattr(b, "selected_sources", [source] if next(sources) % 2 == 0 else []))))  # fmt: skip
    b.selected_sources = []
    words = iter(["nuclear", "sanctions", "oil", "talks", "deal", "missile", "trade", "visit", "gas", "bank"])
    t0 = time.perf_counter()
    b.search = "nuclear"
    rows.append(("first search (builds the search column once)", (time.perf_counter() - t0) * 1000))
    rows.append(("search in the contexts (another word)", timed(lambda: setattr(b, "search", next(words)))))
    b.search = ""
    span = b.date_span
    if span[1]:
        rows.append(("date range filter", timed(lambda: setattr(b, "date_to", span[1] if b.date_to == "" else ""))))
        b.date_to = ""
    else:
        rows.append(("date range filter: not measured, no hit has a date", float("nan")))
    hits = iter(range(0, len(kw), max(1, len(kw) // 11)))
    rows.append(("open a hit in the reader (text, sentences, mentions of 16 actors)",
                 timed(lambda: b.open_hit(next(hits)))))  # fmt: skip

    page_json = len(json.dumps(b.rows, ensure_ascii=False).encode())
    data, _meta = b._repr_mimebundle_()
    cell = nbformat.v4.new_code_cell("mm.browse(kw, news, actors)")
    cell.outputs = [nbformat.v4.new_output("execute_result", data=data, execution_count=1)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    saved = len(nbformat.writes(nb).encode())
    state = {k: v for k, v in b.get_state().items() if k not in ("_esm", "_css")}
    state_bytes = len(json.dumps(state, ensure_ascii=False).encode())
    esm_css = len(b._esm.encode()) + len(b._css.encode())
    kwic_csv = len(kw.df.to_csv(index=False).encode())

    lab_lines = [] if args.no_lab else in_jupyterlab(Path(args.corpus).resolve(), args.pattern)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Concordance browser responsiveness (bench/bench_explore.py)",
        "",
        f"Command: `.venv/bin/python bench/bench_explore.py --corpus {args.corpus}`  ",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, mediamon {mm.__version__}; {now}",
        "",
        f"Corpus: {len(news):,} documents (read in {t_read:.1f} s, indexed in {t_index:.1f} s). "
        f"`mm.kwic(news, {args.pattern!r})`: **{len(kw):,} hits** in {kw.df['doc_id'].nunique():,} documents "
        f"({t_kwic:.2f} s).",
        "",
        "Python side of each action (the kernel's work; the page then redraws 25 rows). Medians of 5 "
        "unless it says first time.",
        "",
        "| action | ms |",
        "|---|---|",
        *[f"| {name} | {'n/a' if ms != ms else f'{ms:,.1f}'} |" for name, ms in rows],
        "",
        "What travels and what is stored:",
        "",
        "| what | bytes |",
        "|---|---|",
        f"| one page of rows sent to the page (25 hits, JSON) | {page_json:,} |",
        f"| the saved notebook with the browser's output (widget view + static fallback of 50 rows) | {saved:,} |",
        f"| the widget state, if JupyterLab's 'save widget state' is on (one page + one document) | {state_bytes:,} |",
        f"| the front-end module and stylesheet (sent once per widget) | {esm_css:,} |",
        f"| for comparison: the whole concordance as CSV | {kwic_csv:,} |",
        "",
        *lab_lines,
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


LAB_FLAGS = ["--no-browser", "--allow-root", "--ip=127.0.0.1", "--ServerApp.port_retries=0", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ROWS_JS = "JSON.stringify([...document.querySelectorAll('.mm-x-browser tbody tr')].map(r => r.dataset.row))"


def in_jupyterlab(corpus: Path, pattern: str) -> list[str]:
    """The same browser in a real JupyterLab + Chromium: click to change, wait for the new rows."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return ["JupyterLab measurement skipped: playwright is not installed.", ""]
    if not Path("/usr/bin/chromium").exists():
        return ["JupyterLab measurement skipped: /usr/bin/chromium is not installed.", ""]
    base = Path(tempfile.mkdtemp(prefix="mm-bench-lab-"))
    cells = [
        f"import mediamon as mm\nnews = mm.read_corpus({str(corpus)!r})\n"
        f"actors = mm.read_actors({str(ROOT / 'corpora' / 'actors.yaml')!r})\n"
        f"mm.index(news, progress=False)\nkw = mm.kwic(news, {pattern!r})",
        "mm.browse(kw, news, actors)",
    ]
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells],
                                            metadata={"kernelspec": spec}), base / "bench.ipynb")  # fmt: skip
    settings = base / "settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(base / "ws"), "JUPYTER_DATA_DIR": str(base / "data")}
    token = "bench"
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab", *LAB_FLAGS, f"--port={port}",
                               f"--ServerApp.token={token}", f"--ServerApp.root_dir={base}"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    out: list[tuple[str, float]] = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/bench.ipynb?reset&token={token}")
            page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=120_000)
            start = time.perf_counter()
            page.locator("li.lm-MenuBar-item", has_text="Run").click()
            page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
            (HERE / "out").mkdir(exist_ok=True)
            try:
                page.locator(".mm-x-browser tbody tr").first.wait_for(state="attached", timeout=180_000)
            except Exception:
                page.screenshot(path=str(HERE / "out" / "explore-lab-failed.png"))
                print("JupyterLab run failed; see bench/out/explore-lab-failed.png", file=sys.stderr)
                raise
            out.append(("run the notebook: read, index, kwic, browse, first page drawn", (time.perf_counter() - start) * 1000))

            def click(label: str, action: Callable[[], None], repeat: int = 5) -> None:
                times = []
                for _ in range(repeat):
                    before = page.evaluate(ROWS_JS)
                    start = time.perf_counter()
                    action()
                    page.wait_for_function(f"{ROWS_JS} !== {json.dumps(before)}", timeout=60_000)
                    times.append((time.perf_counter() - start) * 1000)
                out.append((label, statistics.median(times)))

            browser_box = page.locator(".mm-x-browser")
            click("next page (click to new rows drawn)", lambda: browser_box.locator('button[title="next page"]').click())
            keys = iter(["1R", "", "1R", "", "1R", "", "1R", ""] * 2)
            click("sort 1R / corpus order (click to new rows drawn; first time included once)",
                  lambda: browser_box.locator('select[data-level="1"]').select_option(next(keys)))  # fmt: skip
            page.keyboard.press("Control+s")
            page.wait_for_timeout(2000)
            browser.close()
        size = (base / "bench.ipynb").stat().st_size
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)
    return [
        "In a real JupyterLab 4 (Chromium, loopback; time from the click until the new rows are in the page):",
        "",
        "| action | ms |",
        "|---|---|",
        *[f"| {name} | {ms:,.0f} |" for name, ms in out],
        f"| saved notebook file (browse.ipynb after Ctrl+S), bytes | {size:,} |",
        "",
    ]


if __name__ == "__main__":
    sys.exit(main())
