"""The widgets' Python side: traits in, page out; the reader; the fallback where no front end exists.

The front end itself is driven in a real JupyterLab by tests/test_explore_jupyterlab.py; here the
traits are set from Python (as the front end sets them) and the results compared with KwicView and
the document module, which tests/test_explore_view.py and tests/test_explore_document.py check
against plain Python.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from explore_payloads import write_hostile
from nbclient import NotebookClient
from nbconvert import HTMLExporter

import mediamon as mm
from mediamon.display import esc
from mediamon.explore import ConcordanceBrowser, DocumentReader
from mediamon.explore.document import read_document
from mediamon.explore.view import KwicView, Selection

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def corpus() -> mm.Corpus:
    return mm.read_corpus(ROOT / "corpora" / "mm-sample")


@pytest.fixture(scope="module")
def actors() -> mm.ActorSet:
    return mm.read_actors(ROOT / "corpora" / "actors.yaml")


@pytest.fixture(scope="module")
def kw(corpus: mm.Corpus, actors: mm.ActorSet) -> mm.Kwic:
    return mm.kwic(corpus, "putin", actors=actors)


def test_lazy_exports() -> None:
    assert mm.browse.__module__ == "mediamon.explore.browser"
    assert mm.show_document.__module__ == "mediamon.explore.reader"


def test_traits_drive_the_page(kw: mm.Kwic, corpus: mm.Corpus, actors: mm.ActorSet) -> None:
    b = mm.browse(kw, corpus, actors, page_size=10)
    assert isinstance(b, ConcordanceBrowser)
    assert b.total == len(kw) and b.matched == len(kw) and len(b.rows) == 10
    assert b.sources == [[s, n] for s, n in KwicView(kw).source_counts()]
    b.sort = ["1R"]
    b.selected_sources = ["Tehran Times"]
    b.page = 2
    expected = KwicView(kw).page(Selection(sort=("1R",), sources=("Tehran Times",), page=2, page_size=10))
    assert b.rows == expected.rows and b.matched == expected.matched and b.page == 2
    assert b.code == "mm.browse(kw, corpus=corpus, actors=actors, sort=['1R'], sources=['Tehran Times'], page=2, page_size=10)"
    b.search = "visit"  # a new filter goes back to the first page
    assert b.page == 0 and all("visit" in f"{r['left']} {r['match']} {r['right']}".lower() for r in b.rows)
    selected = b.selection()
    assert len(selected) == b.matched


def test_bad_input_from_the_page_is_shown_not_raised(kw: mm.Kwic) -> None:
    b = mm.browse(kw)
    rows = b.rows
    b.date_from = "not a date"
    assert "is not a date" in b.error and b.rows == rows
    b.date_from = "2017-01-01"
    assert b.error == "" and b.hidden_undated > 0


def test_bad_python_options_raise(kw: mm.Kwic) -> None:
    with pytest.raises(mm.MediamonError, match=r"put metadata keys"):
        mm.browse(kw, sort=["1R", "date"])
    with pytest.raises(mm.MediamonError, match=r"take lists"):
        mm.browse(kw, sort="1R")  # type: ignore[arg-type]


def test_opening_a_hit_fills_the_reader(kw: mm.Kwic, corpus: mm.Corpus, actors: mm.ActorSet) -> None:
    b = mm.browse(kw, corpus, actors, names={"corpus": "news"})
    row = b.rows[3]["row"]
    payload = b.open_hit(row)
    hit = kw.df.iloc[row]
    direct = read_document(corpus, hit["doc_id"], actors, highlight=(hit["char_start"], hit["char_end"]),
                           names={"corpus": "news"}).payload()  # fmt: skip
    assert b.document == payload == direct
    assert payload["code"].startswith(f"mm.show_document(news, {hit['doc_id']!r}, actors=actors, highlight=")
    hit_text = "".join(seg[0] for seg in payload["segments"] if seg[3])
    assert hit_text == hit["match"]
    # the message the front end sends on a click does the same
    b.document = {}
    b._on_message(b, {"type": "open", "row": row}, [])
    assert b.document == payload


def test_without_a_corpus_the_browser_says_what_to_pass(kw: mm.Kwic) -> None:
    b = mm.browse(kw)
    assert b.open_hit(0) == {} and "Pass corpus=" in b.error


def test_mime_bundle_carries_the_static_table(kw: mm.Kwic, corpus: mm.Corpus, actors: mm.ActorSet) -> None:
    b = mm.browse(kw, corpus, actors, sort=["1R"])
    data, _meta = b._repr_mimebundle_()
    assert WIDGET_VIEW in data and "text/plain" in data
    assert 'class="mm-table mm-kwic"' in data["text/html"]
    assert data["text/html"].count("<tr>") == 51  # header + the first 50 hits, in the sorted order
    first = kw.df.iloc[b.rows[0]["row"]]
    assert display_escape(first["match"]) in data["text/html"]
    reader = mm.show_document(corpus, first["doc_id"], actors)
    assert isinstance(reader, DocumentReader)
    rdata, _ = reader._repr_mimebundle_()
    assert WIDGET_VIEW in rdata and 'class="mm-x mm-x-reader"' in rdata["text/html"]


def display_escape(text: str) -> str:
    return esc(text)


def test_hostile_corpus_in_traits_and_fallback(tmp_path: Path) -> None:
    corpus_path, actors_path = write_hostile(tmp_path)
    corpus = mm.read_corpus(corpus_path)
    actors = mm.read_actors(actors_path)
    kw = mm.kwic(corpus, "raisi", actors=actors)
    b = mm.browse(kw, corpus, actors)
    data, _ = b._repr_mimebundle_()
    html = data["text/html"].lower()
    for bad in ("<script", "<img", "<svg", "<iframe", 'href="javascript', "<b style"):
        assert bad not in html, bad
    assert re.findall(r"<[a-z][^<>]*\s(?:onerror|onload|style)\s*=", html) == []  # no live attribute
    assert "&lt;script&gt;" in html
    b.open_hit(0)
    text = "".join(seg[0] for seg in b.document["segments"])
    assert "<script>document.title='pwned'</script>" in text  # the payload as text, for textContent
    assert b.document["url"] == ""


NOTEBOOK_CELLS = [
    "import mediamon as mm\n"
    f"news = mm.read_corpus({str(ROOT / 'corpora' / 'mm-sample')!r})\n"
    f"actors = mm.read_actors({str(ROOT / 'corpora' / 'actors.yaml')!r})\n"
    "kw = mm.kwic(news, 'putin', actors=actors)",
    "mm.browse(kw, news, actors, sort=['1R'])",
    "mm.show_document(news, kw.df.doc_id[0], actors, highlight=(int(kw.df.char_start[0]), int(kw.df.char_end[0])))",
]


def test_report_export_shows_the_static_fallback(tmp_path: Path) -> None:
    """Executed by papermill without a widget front end, with ``store_widget_state=False`` (the
    setting a report run needs: a stored widget state would make nbconvert emit a widget manager
    loaded from a CDN instead of the fallback): the HTML export shows the escaped KWIC table and
    the static reader, and the outputs stay one page small."""
    import papermill

    source = tmp_path / "explore.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS]), source)
    papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
                               store_widget_state=False)  # fmt: skip
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert "widgets" not in nb.metadata
    browse_out = nb.cells[1].outputs[0]["data"]
    assert WIDGET_VIEW in browse_out and "mm-kwic" in browse_out["text/html"]
    assert len(json.dumps(nb.cells[1].outputs)) < 120_000  # one static page, not 2,110 hits
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert 'class="mm-table mm-kwic"' in html
    assert 'class="mm-x mm-x-reader"' in html
    assert "widget-state+json" not in html and "@jupyter-widgets/html-manager" not in html


def test_a_stored_widget_state_is_what_the_export_must_avoid(tmp_path: Path) -> None:
    """nbclient's default stores the widget state (one page and one document, not the table)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS[:2]])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    browser = [m for m in state.values() if m["state"].get("mode") == "browser"]
    assert len(browser) == 1 and len(browser[0]["state"]["rows"]) == 25
    assert len(json.dumps(state)) < 200_000


def test_a_store_browses_like_a_corpus(tmp_path: Path, kw: mm.Kwic, actors: mm.ActorSet) -> None:
    """KWIC of a sharded store: the same pages in the same 1R order, and its documents open."""
    store = mm.ingest(ROOT / "corpora" / "mm-sample", tmp_path / "store", progress=False, shard_size="1MB")
    assert store.n_shards > 1
    b = mm.browse(mm.kwic(store, "putin", actors=actors), store, actors, sort=["1R"])
    assert b.rows == KwicView(kw).page(Selection(sort=("1R",))).rows
    payload = b.open_hit(b.rows[0]["row"])
    assert "".join(seg[0] for seg in payload["segments"] if seg[3]) == b.rows[0]["match"]
