"""The notebooks in notebooks/: the source (edited in JupyterLab), committed clean, and run for real.

Every notebook is executed with Papermill on a real kernel (through :func:`mediamon.run_report`, which
also exports the HTML) with its default parameters, on the bundled corpus; ``actor_report`` runs once
more for a dated actor and period. The numbers in the saved tables are checked against the library
called directly in this process, and the HTML against what a reader must see. One run per notebook
is shared by the module (a run takes 10-15 s).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import mediamon
from mediamon.report import ReportRun, notebook_parameters, run_report

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
NAMES = ("explore", "actor_report", "network_report")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _run(tmp_path_factory: pytest.TempPathFactory, name: str, params: dict | None = None) -> ReportRun:
    run = run_report(NOTEBOOKS / f"{name}.ipynb", params or {}, out=tmp_path_factory.mktemp(name), run_id="t")
    assert run.ok, run.error
    return run


def _table(run: ReportRun, name: str) -> pd.DataFrame:
    return pd.read_csv(run.folder / "tables" / f"{name}.csv", keep_default_na=False, na_values=[""])


def _names(paths: tuple[Path, ...]) -> set[str]:
    return {p.stem for p in paths}


@pytest.fixture(scope="module")
def explore_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    return _run(tmp_path_factory, "explore")


@pytest.fixture(scope="module")
def actor_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    return _run(tmp_path_factory, "actor_report")


@pytest.fixture(scope="module")
def raisi_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    return _run(tmp_path_factory, "actor_report", {"actor": "raisi"})


@pytest.fixture(scope="module")
def dated_actor_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    params = {"actor": "putin", "date_from": "2010-01-01", "date_to": "2020-12-31", "title": "Putin 2010s"}
    return _run(tmp_path_factory, "actor_report", params)


@pytest.fixture(scope="module")
def network_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    return _run(tmp_path_factory, "network_report")


# ---------------------------------------------------------------------------------------------
# The committed files
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.id
    assert "papermill" not in nb.metadata
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.parametrize("name", NAMES)
def test_first_code_cell_is_the_typed_parameters_cell(name: str) -> None:
    path = NOTEBOOKS / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata.get("tags") == ["parameters"]
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    specs = notebook_parameters(path)
    assert {"corpus", "actors_file"} <= set(specs)
    for spec in specs.values():
        assert spec.type_name not in ("any", "NoneType"), spec.describe()  # a type a CLI value converts to
        ast.literal_eval(spec.default)  # a literal, so the report can validate values against it
    # the defaults run on the bundled data, relative to the notebook folder (the kernel's cwd)
    for key in ("corpus", "actors_file"):
        assert (NOTEBOOKS / ast.literal_eval(specs[key].default)).resolve().exists()


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_read_as_analyses_not_programs(name: str) -> None:
    """Helpers live in the package: no function or class is defined in a notebook cell."""
    for cell in nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            defined = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
            assert not defined, f"{name}: cell {cell.id} defines {defined}; move it into mediamon"


@pytest.mark.parametrize("name", NAMES)
def test_article_text_is_shown_only_escaped(name: str) -> None:
    """No raw HTML built from data: every f-string placeholder inside HTML(...) is escaped first."""
    source = "\n".join(
        c.source for c in nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells if c.cell_type == "code"
    )
    for forbidden in (".style", "set_option", "escape=False", "Markdown(", "display.HTML("):
        assert forbidden not in source, forbidden
    html_calls = re.findall(r'HTML\(f"(.*?)"\)', source)
    for template in html_calls:
        for placeholder in re.findall(r"\{([^{}]*)\}", template):
            assert placeholder.startswith("mmd.esc(") or placeholder == "level", template  # level: an int


# ---------------------------------------------------------------------------------------------
# actor_report on the defaults (Raisi: rich KWIC and co-occurrence, no dated mention)
# ---------------------------------------------------------------------------------------------
# actor_report on the defaults (the main job: Putin, dated in 2000-2025, in both outlets and in
# Russian) and for Raisi (one -p away: undated Tehran Times mentions and dated 2021-22 Kremlin ones)
# ---------------------------------------------------------------------------------------------
SECTIONS = ("Summary", "Mentions over time", "Mentions by source", "In context: a sample of KWIC lines",
            "Collocates", "Co-occurring actors", "The network around the actor", "The evidence behind the top pair",
            "Provenance")  # fmt: skip


def _sections(html: str) -> dict[str, str]:
    """The HTML of each h2 section of an exported report, by heading text."""
    parts = re.split(r"<h2[^>]*>", html)[1:]
    out = {}
    for part in parts:
        title = re.sub(r"<[^>]+>|¶", "", part[: part.index("</h2>")]).strip()
        out[title] = part[part.index("</h2>") :]
    return out


def test_actor_report_outputs(actor_run: ReportRun) -> None:
    assert {"summary", "timeline", "timeline_undated", "by_source", "kwic", "collocates", "cooccurrence",
            "partners", "network_edges", "evidence"} <= _names(actor_run.tables)  # fmt: skip
    assert {"timeline", "by_source", "collocates", "network"} <= _names(actor_run.figures)
    for png in actor_run.figures:
        assert png.read_bytes()[:8] == PNG_MAGIC


def test_no_section_of_the_main_job_is_empty(actor_run: ReportRun) -> None:
    """Issue 13: the default report shows everything it can: a drawn timeline, sources, KWIC,
    collocates, co-occurring actors, network and evidence each have a table or a figure."""
    sections = _sections(actor_run.html.read_text(encoding="utf-8"))
    assert list(sections) == list(SECTIONS)
    for title, body in sections.items():
        content = body.count("<table") + body.count("<img")
        assert content >= 1, f"section {title!r} is empty"
        for empty in ("No dated document", "no timeline to draw", "No collocate reaches", "is never named together"):
            assert empty not in body, (title, empty)
    for title in ("Mentions over time", "Mentions by source", "Collocates", "The network around the actor"):
        assert "<img" in sections[title], title


@pytest.mark.parametrize("which", ["actor_run", "raisi_run"])
def test_actor_report_numbers_match_the_library(
    which: str, request: pytest.FixtureRequest, sample_corpus: mediamon.Corpus, actors: mediamon.ActorSet
) -> None:
    run = request.getfixturevalue(which)
    actor = "putin" if which == "actor_run" else "raisi"
    manifest = json.loads(run.manifest.read_text(encoding="utf-8"))
    assert manifest["corpus_fingerprint"] == sample_corpus.fingerprint
    assert manifest["records"]["actor"] == actor

    kw = mediamon.kwic(sample_corpus, actor, actors=actors, window=5)
    kwic_csv = _table(run, "kwic")
    assert len(kwic_csv) == len(kw) > 900
    assert sorted(zip(kwic_csv["doc_id"], kwic_csv["char_start"])) == sorted(zip(kw.df["doc_id"], kw.df["char_start"]))

    found = mediamon.mentions(sample_corpus, actors).df
    mine = found[found["actor"] == actor]
    summary = dict(zip(_table(run, "summary")["item"], _table(run, "summary")["value"]))
    assert int(summary["mentions"]) == len(mine)
    assert int(summary["documents"]) == mine["doc_id"].nunique()
    assert int(summary["mentions in undated documents"]) == mine["date"].isna().sum()
    assert int(summary["mentions in dated documents"]) == mine["date"].notna().sum() > 0
    assert summary["first dated mention"] == f"{mine['date'].min():%Y-%m-%d}"
    timeline = _table(run, "timeline")
    assert timeline["mentions"].sum() == mine["date"].notna().sum()

    co = mediamon.cooccurrence(sample_corpus, actors, unit="sentence").df
    pairs = co[(co["a"] == actor) | (co["b"] == actor)]
    expected = {(b if a == actor else a): n for a, b, n in zip(pairs["a"], pairs["b"], pairs["n_ab"])}
    partners = _table(run, "partners")
    assert dict(zip(partners["partner"], partners["n_ab"])) == expected
    top = partners.iloc[0]
    assert top["partner"] == max(expected, key=expected.get)
    assert len(_table(run, "evidence")) == top["n_ab"]  # the evidence of the top pair is complete


def test_actor_report_html(actor_run: ReportRun, raisi_run: ReportRun) -> None:
    html = actor_run.html.read_text(encoding="utf-8")
    assert "<h1>Actor report: Vladimir Putin</h1>" in html
    # the KWIC sample: an escaped, static table of 25 lines with the actor's hits highlighted
    kwic = html[html.index("KWIC putin") :]
    kwic = kwic[: kwic.index("</table>")]
    assert re.search(r'class="mm-table mm-kwic[ "]', kwic)
    hits = re.findall(r"<mark><bdi>([^<]*)</bdi></mark>", kwic)
    assert len(hits) == 25 and all(re.search(r"Putin|Путин", h) for h in hits)
    # co-occurring actors with their measures, naming the partners
    partners = html[html.index("actors co-occurring with Vladimir Putin") :]
    partners = partners[: partners.index("</table>")]
    for text in ("<th>npmi</th>", "<th>llr</th>", "Russia"):
        assert text in partners
    assert "Evidence for putin" in html
    # undated mentions are reported, not hidden
    assert "cannot be placed on the timeline" in html
    for noise in ("Traceback", "PosixPath(", "TqdmWarning", ".partial"):
        assert noise not in html
    raisi = raisi_run.html.read_text(encoding="utf-8")
    assert "<h1>Actor report: Ebrahim Raisi</h1>" in raisi and "Traceback" not in raisi


# ---------------------------------------------------------------------------------------------
# actor_report for a dated actor and period
# ---------------------------------------------------------------------------------------------
def test_dated_actor_report(
    dated_actor_run: ReportRun, sample_corpus: mediamon.Corpus, actors: mediamon.ActorSet
) -> None:
    assert "timeline" in _names(dated_actor_run.figures)
    html = dated_actor_run.html.read_text(encoding="utf-8")
    assert "<h1>Putin 2010s</h1>" in html
    undated = int(sample_corpus.docs["date"].isna().sum())
    assert f"{undated:,} undated documents left out by the date filter" in html

    period = sample_corpus.between("2010-01-01", "2020-12-31")
    timeline = _table(dated_actor_run, "timeline")
    years = pd.to_datetime(timeline["period"], utc=True).dt.year
    assert years.min() >= 2010 and years.max() <= 2020
    found = mediamon.mentions(period, actors).df
    putin = found[found["actor"] == "putin"]
    assert timeline["mentions"].sum() == len(putin)
    summary = dict(zip(_table(dated_actor_run, "summary")["item"], _table(dated_actor_run, "summary")["value"]))
    assert int(summary["mentions"]) == len(putin)
    assert int(summary["mentions in undated documents"]) == 0
    assert summary["first dated mention"] == f"{putin['date'].min():%Y-%m-%d}"


# ---------------------------------------------------------------------------------------------
# explore
# ---------------------------------------------------------------------------------------------
def test_explore_tour(explore_run: ReportRun, sample_corpus: mediamon.Corpus) -> None:
    assert {"kwic", "mention_counts", "cooccurrence", "evidence", "collocates", "timeline"} <= _names(
        explore_run.tables
    )
    assert {"dispersion", "cooc_heatmap", "network", "collocates", "timeline"} <= _names(explore_run.figures)
    html = explore_run.html.read_text(encoding="utf-8")
    counts = sample_corpus.manifest_counts()
    assert (
        f"{counts['discovered']:,} discovered = {counts['loaded']:,} loaded + {counts['rejected']:,} rejected"
        f" + {counts['skipped']:,} skipped"
    ) in html
    for text in ("KWIC raisi", "KWIC Tatar*", "Co-occurrence (sentences)", "Evidence for raisi",
                 "mentions in undated documents", "Your own corpus", "read_corpus"):  # fmt: skip
        assert text in html, text
    assert len(re.findall(r'class="mm-table mm-kwic[ "]', html)) >= 4  # raisi, sorted raisi, Tatar*, evidence
    for noise in ("Traceback", "PosixPath(", "TqdmWarning"):
        assert noise not in html
    evidence = _table(explore_run, "evidence")
    cooc = _table(explore_run, "cooccurrence")
    pair = cooc[((cooc["a"] == "putin") & (cooc["b"] == "raisi")) | ((cooc["a"] == "raisi") & (cooc["b"] == "putin"))]
    assert len(evidence) == int(pair["n_ab"].iloc[0])


# ---------------------------------------------------------------------------------------------
# network_report
# ---------------------------------------------------------------------------------------------
def test_network_report(network_run: ReportRun, sample_corpus: mediamon.Corpus, actors: mediamon.ActorSet) -> None:
    import networkx as nx

    assert {"nodes", "edges", "evidence"} <= _names(network_run.tables)
    assert {"network", "heatmap"} <= _names(network_run.figures)
    edges = _table(network_run, "edges")
    expected = mediamon.cooccurrence(sample_corpus, actors, unit="sentence", min_count=5).df
    assert list(zip(edges["a"], edges["b"], edges["n_ab"])) == list(zip(expected["a"], expected["b"], expected["n_ab"]))
    graph = nx.read_graphml(network_run.folder / "network.graphml")
    assert graph.number_of_edges() == len(edges)
    assert len(_table(network_run, "evidence")) == edges["n_ab"].iloc[0]
    html = network_run.html.read_text(encoding="utf-8")
    assert "Co-occurrence network of 16 actors" in html
    assert f"{len(edges)} pairs (sentence)" in html
    assert "Not drawn (no link with n_ab &gt;= 5)" in html
