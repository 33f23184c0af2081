"""notebooks/alerts_report.ipynb: committed clean, parameterised, and run for real with Papermill.

The default run (the bundled corpus) is checked table by table against the library called in this
process with the notebook's own default parameters; the same notebook runs unchanged on a store
(every table identical), and in a batch through ``mediamon report --batch`` (``run_batch``).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import SAMPLE_DIR

import mediamon as mm
from mediamon.cli import main
from mediamon.ingestion import ingest
from mediamon.report import ReportRun, notebook_parameters, run_report
from mediamon.report.helpers import rise_candidates, strongest_bursts

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "alerts_report.ipynb"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def defaults() -> dict[str, object]:
    return {name: ast.literal_eval(spec.default) for name, spec in notebook_parameters(NOTEBOOK).items()}


def table(run: ReportRun, name: str) -> pd.DataFrame:
    return pd.read_csv(run.folder / "tables" / f"{name}.csv", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> ReportRun:
    run = run_report(NOTEBOOK, {}, out=tmp_path_factory.mktemp("alerts"), run_id="t")
    assert run.ok, run.error
    return run


@pytest.fixture(scope="module")
def library(sample_corpus: mm.Corpus, actors: mm.ActorSet) -> dict[str, object]:
    """What the notebook computes, by the library in this process, with the notebook's defaults."""
    p = defaults()
    found = mm.mentions(sample_corpus, actors)
    bursts = mm.bursts(sample_corpus, found, freq=p["freq"], method=p["method"], share=p["share"], window=p["window"],
                       min_periods=p["min_periods"], alpha=p["alpha"], min_count=p["min_count"])  # fmt: skip
    trends = mm.pair_trends(sample_corpus, found, unit=p["unit"], freq=p["freq"], window=p["window"],
                            min_periods=p["min_periods"], alpha=p["alpha"], min_count=p["min_count"])  # fmt: skip
    return {"params": p, "bursts": bursts, "trends": trends}


# ---------------------------------------------------------------------------------------------
# the committed file
# ---------------------------------------------------------------------------------------------
def test_committed_clean_with_a_typed_parameters_cell() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "papermill" not in nb.metadata
    assert code[0].metadata.get("tags") == ["parameters"]
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    specs = notebook_parameters(NOTEBOOK)
    assert {"corpus", "actors_file", "actors", "date_from", "date_to", "freq", "method"} <= set(specs)
    for spec in specs.values():
        assert spec.type_name not in ("any", "NoneType"), spec.describe()
        ast.literal_eval(spec.default)
    for key in ("corpus", "actors_file"):
        assert (NOTEBOOK.parent / ast.literal_eval(specs[key].default)).resolve().exists()


def test_cells_define_nothing_and_show_text_escaped() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for cell in nb.cells:
        if cell.cell_type == "code":
            defined = [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
            assert not defined, cell.id
    for forbidden in (".style", "set_option", "escape=False", "Markdown(", "HTML("):
        assert forbidden not in source, forbidden


# ---------------------------------------------------------------------------------------------
# the default run
# ---------------------------------------------------------------------------------------------
def test_tables_match_the_library(default_run: ReportRun, library: dict, sample_corpus: mm.Corpus) -> None:
    bursts, trends = library["bursts"], library["trends"]
    manifest = json.loads(default_run.manifest.read_text(encoding="utf-8"))
    assert manifest["corpus_fingerprint"] == sample_corpus.fingerprint
    got = table(default_run, "bursts")
    assert len(got) == len(bursts) > 0
    assert got["actor"].tolist() == bursts.df["actor"].tolist()
    assert got["observed"].tolist() == bursts.df["observed"].tolist()
    assert got["weight"].tolist() == pytest.approx(bursts.df["weight"].tolist(), nan_ok=True)
    assert pd.to_datetime(got["first_period"], utc=True).tolist() == bursts.df["first_period"].tolist()
    assert len(table(default_run, "series")) == len(bursts.series)
    top = strongest_bursts(bursts, library["params"]["top_alerts"])
    for i in top.index:
        docs = table(default_run, f"burst_{i}_documents")
        assert docs["doc_id"].tolist() == bursts.evidence(i)["doc_id"].tolist()
        assert len(docs) == bursts.df.loc[i, "observed"]
        words = table(default_run, f"burst_{i}_keywords")["word"].astype(str).tolist()
        assert words == bursts.keywords(i, min_count=library["params"]["min_count"]).df["word"].tolist()
        kwic = table(default_run, f"burst_{i}_kwic")
        assert set(kwic["doc_id"]) <= set(docs["doc_id"]) and len(kwic) == min(library["params"]["kwic_rows"], len(bursts.kwic(i)))
    assert len(table(default_run, "pair_trends")) == len(trends.df)
    assert len(table(default_run, "rising_pairs")) == int(trends.df["rising"].sum())
    for n, row in rise_candidates(trends, library["params"]["top_alerts"]).iterrows():
        assert len(table(default_run, f"pair_{n}_evidence")) == row["n_ab"]


def test_html_reads_as_a_report(default_run: ReportRun, library: dict) -> None:
    html = default_run.html.read_text(encoding="utf-8")
    assert "<h1>Alerts: mm-sample</h1>" in html
    undated = library["bursts"].params["undated_documents"]
    assert f"{undated:,} documents without a date are not placed in a period" in html
    for text in ("bursts (kleinberg, share of documents per Y)", "keywords of the burst", "Rising pairs"):
        assert text in html, text
    assert re.search(r'class="mm-table mm-kwic[ "]', html)  # report tables may gain an interactive class
    top = strongest_bursts(library["bursts"], 1).iloc[0]
    assert f"<h3>{top['name']}: " in html
    assert re.search(r"<mark><bdi>[^<]+</bdi></mark>", html)  # the KWIC sample highlights the actor
    assert default_run.figures and default_run.figures[0].read_bytes()[:8] == PNG_MAGIC
    for noise in ("Traceback", "PosixPath(", "TqdmWarning"):
        assert noise not in html


# ---------------------------------------------------------------------------------------------
# on a store, and in a batch
# ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_runs_unchanged_on_a_store(tmp_path: Path, default_run: ReportRun) -> None:
    store = ingest(SAMPLE_DIR, tmp_path / "store", shard_size=400)
    run = run_report(NOTEBOOK, {"corpus": str(store.path)}, out=tmp_path / "out", run_id="store")
    assert run.ok, run.error
    names = sorted(p.name for p in default_run.tables)
    assert sorted(p.name for p in run.tables) == names
    for name in names:
        a = pd.read_csv(default_run.folder / "tables" / name, keep_default_na=False)
        b = pd.read_csv(run.folder / "tables" / name, keep_default_na=False)
        pd.testing.assert_frame_equal(a, b, obj=name)


@pytest.mark.slow
def test_batch_through_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "- {actors: [putin, kazan, tatarstan], freq: Y, title: Kazan watch}\n"
        "- {actors: [putin, iran, oic], method: baseline, freq: Q, date_from: '2015-01-01'}\n",
        encoding="utf-8",
    )
    code = main(["report", str(NOTEBOOK), "--batch", str(grid), "--out", str(tmp_path / "out"), "--run-id", "b"])
    out = capsys.readouterr().out
    assert code == 0, out
    summary = pd.read_csv(next((tmp_path / "out" / "alerts_report").glob("batch-b/summary.csv")))
    assert summary["status"].tolist() == ["ok", "ok"]
    first = Path(summary["html"].iloc[0]).read_text(encoding="utf-8")
    assert "<h1>Kazan watch</h1>" in first and "3 actors watched per period of Y" in first
    second = Path(summary["html"].iloc[1]).read_text(encoding="utf-8")
    assert "bursts (baseline, share of documents per Q)" in second or "No burst" in second
    bursts = pd.read_csv(Path(summary["html"].iloc[0]).parent / "tables" / "bursts.csv")
    assert set(bursts["actor"]) <= {"putin", "kazan", "tatarstan"}
