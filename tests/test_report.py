"""Tests of mediamon.report and `mediamon report`: real notebooks on a real kernel, no mocks.

Each notebook execution costs a kernel start (~2-4 s), so runs are module-scoped fixtures shared by
several assertions. Fixture notebooks live in tests/fixtures/notebooks/, one per behaviour.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from mediamon.cli import main
from mediamon.errors import NotFoundError, ParameterError, ReportError
from mediamon.report import (
    ENV_VAR,
    BatchResult,
    ReportExecutionError,
    ReportRun,
    convert_cli_params,
    expand_grid,
    load_params_file,
    notebook_parameters,
    record,
    run_batch,
    run_report,
    safe_name,
    save_figure,
    save_table,
    validate_params,
)

NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
CODE_MARKER = "code-cell-marker-7f3a"  # a string that appears only in a code cell of ok.ipynb
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def nb(name: str) -> Path:
    return NOTEBOOKS / f"{name}.ipynb"


def folders(parent: Path) -> list[str]:
    """Every entry under a notebook's report folder, hidden ones included."""
    return sorted(p.name for p in parent.iterdir()) if parent.exists() else []


def manifest(run_folder: Path) -> dict:
    return json.loads((run_folder / "manifest.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Shared runs
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def ok_run(out: Path) -> ReportRun:
    return run_report(nb("ok"), {"actor": "putin", "top": 4}, out=out / "api")


@pytest.fixture(scope="module")
def ok_cli(out: Path) -> tuple[int, str, Path]:
    """`mediamon report ok.ipynb -p year 1984 --show-code`: exit code, stdout, out folder."""
    target = out / "cli"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["report", str(nb("ok")), "-p", "year", "1984", "--show-code", "--out", str(target)])
    return code, buffer.getvalue(), target


@pytest.fixture(scope="module")
def broken_cli(out: Path) -> tuple[int, str, Path]:
    """`mediamon report broken.ipynb`: exit code, stderr, out folder."""
    target = out / "broken"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        code = main(["report", str(nb("broken")), "--out", str(target), "--run-id", "r1"])
    return code, buffer.getvalue(), target


@pytest.fixture(scope="module")
def batch(out: Path) -> BatchResult:
    return run_batch(nb("conditional"), {"fail": [False, True], "label": "x"}, out=out / "batch",
                     batch_id="b1", html=False, progress=False)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# A successful run
# ---------------------------------------------------------------------------------------------
def test_ok_run_writes_all_outputs(ok_run: ReportRun, out: Path) -> None:
    assert ok_run.ok and ok_run.status == "ok" and ok_run.error is None
    assert ok_run.folder == out / "api" / "ok" / ok_run.run_id
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", ok_run.run_id)
    assert ok_run.executed == ok_run.folder / "ok.ipynb" and ok_run.executed.is_file()
    assert ok_run.html == ok_run.folder / "ok.html" and ok_run.html.is_file()
    assert ok_run.tables == (ok_run.folder / "tables" / "counts.csv",)
    assert ok_run.figures == (ok_run.folder / "figures" / "bars.png",)
    table = pd.read_csv(ok_run.tables[0])
    assert table.to_dict("list") == {"actor": ["putin"] * 4, "year": [2024] * 4, "n": [0, 1, 2, 3]}
    assert ok_run.figures[0].read_bytes()[:8] == PNG_MAGIC
    # only the final folder remains: no partial, failed or replaced leftovers
    assert folders(out / "api" / "ok") == [ok_run.run_id]


def test_ok_manifest_records_provenance(ok_run: ReportRun) -> None:
    data = manifest(ok_run.folder)
    assert data["status"] == "ok" and data["error"] is None
    assert data["params"] == {"actor": "putin", "top": 4}
    assert data["notebook"] == str(nb("ok").resolve())
    assert len(data["notebook_sha256"]) == 64
    assert data["corpus_fingerprint"] == "fp-0123"
    assert data["records"]["types"] == {"actor": "str", "year": "str", "top": "int"}
    for name in ("mediamon", "pandas", "nltk", "papermill", "python"):
        assert data["versions"][name], name
    assert data["started"] <= data["finished"] and data["seconds"] > 0
    assert data["outputs"] == {"notebook": "ok.ipynb", "html": "ok.html",
                               "tables": ["tables/counts.csv"], "figures": ["figures/bars.png"]}  # fmt: skip
    assert data["kernel"].startswith("mediamon-")
    executed = json.loads(ok_run.executed.read_text(encoding="utf-8"))
    assert executed["metadata"]["papermill"]["output_path"] == str(ok_run.executed)  # not the partial
    assert executed["metadata"]["papermill"]["parameters"] == {"actor": "putin", "top": 4}


def test_html_hides_code_by_default(ok_run: ReportRun) -> None:
    page = ok_run.html.read_text(encoding="utf-8")
    assert "output-marker-for-putin" in page  # outputs stay
    assert CODE_MARKER not in page  # code cells do not


def test_cli_keeps_strings_and_shows_code(ok_cli: tuple[int, str, Path]) -> None:
    code, stdout, target = ok_cli
    assert code == 0
    html = Path(stdout.strip())
    assert html.is_file() and html.suffix == ".html" and html.parent.parent == target / "ok"
    assert CODE_MARKER in html.read_text(encoding="utf-8")
    data = manifest(html.parent)
    assert data["params"] == {"year": "1984"}  # -p year 1984 stays a str (default '2024')
    assert data["records"]["types"]["year"] == "str"  # ... inside the kernel too
    assert data["hide_code"] is False


def test_kernel_runs_this_interpreter(ok_run: ReportRun) -> None:
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(manifest(ok_run.folder)["kernel"])
    assert spec.argv[0] == sys.executable


# ---------------------------------------------------------------------------------------------
# A failing cell
# ---------------------------------------------------------------------------------------------
def test_failing_cell_exits_nonzero_naming_cell_and_error(broken_cli: tuple[int, str, Path]) -> None:
    code, stderr, _ = broken_cli
    assert code == 1
    assert "cell 3" in stderr
    assert "ValueError: boom in cell 3" in stderr


def test_failing_cell_keeps_partial_notebook_marked_failed(broken_cli: tuple[int, str, Path]) -> None:
    _, _, target = broken_cli
    parent = target / "broken"
    assert folders(parent) == ["r1.failed"]  # no final folder, no partial folder
    failed = parent / "r1.failed"
    assert (failed / "broken.ipynb").is_file()
    assert not (failed / "broken.html").exists()
    data = manifest(failed)
    assert data["status"] == "failed"
    assert data["error"]["kind"] == "cell_error"
    assert data["error"]["cell_index"] == 3
    assert data["error"]["ename"] == "ValueError"
    assert data["error"]["evalue"] == "boom in cell 3"
    assert any("boom in cell 3" in line for line in data["error"]["traceback"])


def test_failing_run_raises_report_error_with_run(out: Path) -> None:
    with pytest.raises(ReportExecutionError, match=r"cell 3: ValueError: boom in cell 3") as info:
        run_report(nb("broken"), {"label": "y"}, out=out / "raise", run_id="x")
    run = info.value.run
    assert isinstance(info.value, ReportError)
    assert run.status == "failed" and run.folder.name == "x.failed"
    assert run.error is not None and run.error.cell_index == 3  # the injected cell is not counted
    assert run.error.execution_count == 4  # In [4]: parameters, injected, cell 2, cell 3


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------
def test_batch_one_failure_does_not_stop_the_other(batch: BatchResult, out: Path) -> None:
    summary = batch.summary
    assert list(summary.columns) == ["run_id", "params", "status", "error", "cell_index", "html",
                                     "folder", "seconds"]  # fmt: skip
    assert summary["status"].tolist() == ["ok", "failed"]
    assert [json.loads(p) for p in summary["params"]] == [
        {"fail": False, "label": "x"},
        {"fail": True, "label": "x"},
    ]
    assert summary.loc[1, "error"] == "cell 2: RuntimeError: asked to fail: x"
    assert summary.loc[1, "cell_index"] == 2
    assert not batch.ok
    good, bad = batch.runs
    assert good is not None and good.ok and good.folder.is_dir()
    assert bad is not None and bad.folder.name.endswith(".failed")
    assert all(summary["run_id"].str.startswith("b1-"))
    written = pd.read_csv(batch.summary_csv, keep_default_na=False)
    assert written["status"].tolist() == ["ok", "failed"]
    assert batch.summary_csv == out / "batch" / "conditional" / "batch-b1" / "summary.csv"


def test_cli_batch_from_yaml_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text("- {label: only}\n", encoding="utf-8")
    code = main(["report", str(nb("conditional")), "--batch", str(grid), "--no-html",
                 "--out", str(tmp_path / "r"), "--run-id", "g"])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "g-000-" in printed and "ok" in printed
    assert (tmp_path / "r" / "conditional" / "batch-g" / "summary.csv").is_file()


def test_batch_validates_every_set_before_running(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"run_batch\(\) run 1: .*'fail' expects bool"):
        run_batch(nb("conditional"), [{"fail": False}, {"fail": "yes"}], out=tmp_path)
    assert not any(tmp_path.iterdir())


def test_expand_grid_forms(tmp_path: Path) -> None:
    assert expand_grid({"actor": ["raisi", "putin"], "year": ["2023", "2024"]}) == [
        {"actor": "raisi", "year": "2023"}, {"actor": "raisi", "year": "2024"},
        {"actor": "putin", "year": "2023"}, {"actor": "putin", "year": "2024"},
    ]  # fmt: skip
    assert expand_grid([{"a": 1}, {"a": 2, "b": 3}]) == [{"a": 1}, {"a": 2, "b": 3}]
    assert expand_grid({"actor": "raisi"}) == [{"actor": "raisi"}]
    path = tmp_path / "grid.yaml"
    path.write_text("actor: [raisi, putin]\ndate_from: [2024-01-01]\n", encoding="utf-8")
    assert expand_grid(path) == [  # dates stay strings
        {"actor": "raisi", "date_from": "2024-01-01"},
        {"actor": "putin", "date_from": "2024-01-01"},
    ]
    with pytest.raises(ParameterError, match="mapping of lists or a list of mappings"):
        expand_grid(["raisi"])  # type: ignore[list-item]


# ---------------------------------------------------------------------------------------------
# Parameters: validated before anything runs
# ---------------------------------------------------------------------------------------------
def test_wrong_type_is_rejected_before_any_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(ParameterError) as info:
        run_report(nb("ok"), {"top": "3"}, out=target)
    message = str(info.value)
    assert "'top' expects int" in message and "got str '3'" in message
    assert "actor: str = 'raisi'; year: str = '2024'; top: int = 3" in message  # accepted + types
    assert not target.exists()


def test_unknown_parameter_is_rejected_before_any_folder(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(ParameterError, match=r"unknown parameter 'actress'.*Accepted parameters: actor"):
        run_report(nb("ok"), {"actress": "x"}, out=target)
    with pytest.raises(ParameterError, match="declares no parameters"):
        run_report(nb("no_parameters"), {"x": 1}, out=target)
    with pytest.raises(ParameterError, match="not a Python identifier"):
        run_report(nb("ok"), {"actor; import os": "x"}, out=target)
    assert not target.exists()


def test_cli_parameter_error_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", str(nb("ok")), "-p", "top", "many", "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "-p top 'many': expected int" in err and "Accepted parameters" in err
    assert not (tmp_path / "o").exists()


def test_inferred_types() -> None:
    specs = notebook_parameters(nb("typed"))
    assert {n: s.type_label for n, s in specs.items()} == {
        "name": "str", "year": "str", "count": "int", "ratio": "float", "flag": "bool",
        "actors": "list", "options": "dict", "limit": "int | None", "when": "NoneType",
    }  # fmt: skip
    assert specs["year"].help == "a str that looks like an int"
    assert notebook_parameters(nb("no_parameters")) == {}
    # papermill's line parser cannot read these defaults (they contain '='); the cell's AST can
    assert list(notebook_parameters(nb("hostile"))) == ["title", "text", "url"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("name", "True", "True"),
        ("year", "1984", "1984"),
        ("year", "", ""),
        ("name", "null", "null"),
        ("count", "12", 12),
        ("count", "-3", -3),
        ("ratio", "2", 2.0),
        ("ratio", "1e-3", 0.001),
        ("flag", "true", True),
        ("flag", "FALSE", False),
        ("actors", '["raisi", "putin"]', ["raisi", "putin"]),
        ("actors", "[raisi, putin]", ["raisi", "putin"]),
        ("options", '{"a": 2}', {"a": 2}),
        ("limit", "5", 5),
        ("limit", "null", None),
        ("when", "2024", "2024"),
        ("when", "none", None),
    ],
)
def test_cli_values_convert_to_declared_type(name: str, text: str, expected: object) -> None:
    value = convert_cli_params(notebook_parameters(nb("typed")), [(name, text)])[name]
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("name", "text"),
    [("count", "1.5"), ("count", "1e3"), ("count", "true"), ("count", "0x10"), ("flag", "yes"),
     ("flag", "1"), ("ratio", "nan"), ("ratio", "abc"), ("actors", '{"a": 1}'), ("actors", "raisi"),
     ("options", "[1]"), ("limit", "five")],
)  # fmt: skip
def test_cli_values_parsed_strictly(name: str, text: str) -> None:
    with pytest.raises(ParameterError, match=rf"-p {name} .*expected"):
        convert_cli_params(notebook_parameters(nb("typed")), [(name, text)])


def test_python_values_checked() -> None:
    specs = notebook_parameters(nb("typed"))
    assert validate_params(specs, {"ratio": 1, "actors": ("a",), "limit": None}) == {
        "ratio": 1.0, "actors": ["a"], "limit": None,
    }  # fmt: skip
    for bad in ({"count": True}, {"count": 1.0}, {"flag": 1}, {"year": 1984}, {"name": None},
                {"ratio": float("nan")}, {"options": {1: "a"}}, {"when": object()}):  # fmt: skip
        with pytest.raises(ParameterError):
            validate_params(specs, bad)


def test_params_file_dates_stay_strings_and_ints_need_quotes(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("year: 1984\nname: 2024-03-01\n", encoding="utf-8")
    loaded = load_params_file(path)
    assert loaded == {"year": 1984, "name": "2024-03-01"}
    with pytest.raises(ParameterError, match=r"'year' expects str .*Quote it in YAML"):
        validate_params(notebook_parameters(nb("typed")), loaded)


def test_typed_values_reach_the_kernel(tmp_path: Path) -> None:
    params = {"year": "1984", "count": 7, "ratio": 2, "flag": True, "actors": ["a", "b"],
              "options": {"k": [1, 2]}, "limit": 3, "when": "w", "name": "quote \" \\ '''\n"}  # fmt: skip
    run = run_report(nb("typed"), params, out=tmp_path, html=False)
    seen = manifest(run.folder)["records"]["values"]
    assert seen == {
        "name": ["str", "quote \" \\ '''\n"], "year": ["str", "1984"], "count": ["int", 7],
        "ratio": ["float", 2.0], "flag": ["bool", True], "actors": ["list", ["a", "b"]],
        "options": ["dict", {"k": [1, 2]}], "limit": ["int", 3], "when": ["str", "w"],
    }  # fmt: skip
    assert run.html is None


def test_relative_output_folder_is_taken_from_the_callers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Papermill runs the kernel in the notebook's folder: a relative out= must not move with it.
    monkeypatch.chdir(tmp_path)
    run = run_report(nb("typed"), {"year": "1"}, out="rel-out", html=False)
    assert run.status == "ok"
    assert run.folder.is_relative_to(tmp_path / "rel-out")
    assert (tmp_path / "rel-out" / "typed").is_dir()


# ---------------------------------------------------------------------------------------------
# Faults: dead kernel, timeout, missing kernel, unwritable output
# ---------------------------------------------------------------------------------------------
def test_kernel_death_is_a_clear_failure(tmp_path: Path) -> None:
    run = run_report(nb("kernel_dies"), out=tmp_path, run_id="k", raise_on_error=False)
    assert run.status == "failed" and run.error is not None
    assert run.error.kind == "kernel_died" and run.error.ename == "DeadKernelError"
    assert run.error.cell_index == 1
    assert folders(tmp_path / "kernel_dies") == ["k.failed"]
    assert (run.folder / "kernel_dies.ipynb").is_file() and (run.folder / "kernel.log").is_file()
    assert manifest(run.folder)["status"] == "failed"


def test_cell_timeout_is_a_clear_failure(tmp_path: Path) -> None:
    with pytest.raises(ReportExecutionError, match=r"\(timeout\) at cell 1: CellTimeoutError") as info:
        run_report(nb("sleeps"), {"seconds": 60}, out=tmp_path, run_id="t", timeout=1.5)
    run = info.value.run
    assert run.seconds < 30
    assert folders(tmp_path / "sleeps") == ["t.failed"]
    assert manifest(run.folder)["error"]["kind"] == "timeout"


def test_missing_kernel_fails_before_writing(tmp_path: Path) -> None:
    expected = r"kernel 'no-such-kernel-xyz' not found; installed kernels: .*mediamon-"
    with pytest.raises(ReportError, match=expected):
        run_report(nb("ok"), out=tmp_path / "o", kernel_name="no-such-kernel-xyz")
    assert not (tmp_path / "o").exists()


def test_output_parent_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ReportError, match=r"cannot write the run folder .*Pass out= a writable folder"):
        run_report(nb("no_parameters"), out=blocker / "reports")
    assert blocker.read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod does not stop root from writing")  # fmt: skip
def test_read_only_output_folder(tmp_path: Path) -> None:
    target = tmp_path / "ro"
    (target / "no_parameters").mkdir(parents=True)
    (target / "no_parameters").chmod(0o555)
    try:
        with pytest.raises(ReportError, match="cannot write the run folder"):
            run_report(nb("no_parameters"), out=target)
        assert folders(target / "no_parameters") == []
    finally:
        (target / "no_parameters").chmod(0o755)


# ---------------------------------------------------------------------------------------------
# Confinement and run ids
# ---------------------------------------------------------------------------------------------
def test_run_id_is_sanitised_and_rerun_starts_clean(tmp_path: Path) -> None:
    out = tmp_path / "out"
    parent = out / "no_parameters"
    (parent / ".etc.partial").mkdir(parents=True)
    (parent / ".etc.partial" / "stale.txt").write_text("half", encoding="utf-8")
    (parent / "etc.failed").mkdir()
    run = run_report(nb("no_parameters"), out=out, run_id="../../etc")
    assert run.run_id == "etc" and run.folder == parent / "etc"
    assert folders(parent) == ["etc"]  # stale partial and failed folders removed
    assert not (tmp_path / "etc").exists()
    assert manifest(run.folder)["records"] == {"ran": True}
    rerun = run_report(nb("no_parameters"), out=out, run_id="etc", html=False)  # replaces the old run
    assert folders(parent) == ["etc"] and rerun.html is None
    assert not (parent / "etc" / "no_parameters.html").exists()


@pytest.mark.parametrize(
    ("raw", "safe"),
    [("../../etc", "etc"), ("/etc/passwd", "etc_passwd"), ("a b/c", "a_b_c"), (".hidden", "hidden"),
     ("run\u202e1", "run_1"), ("ok-1.2_x", "ok-1.2_x"), ("x" * 300, "x" * 100)],
)  # fmt: skip
def test_safe_name(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


def test_run_id_cannot_pose_as_a_failed_folder(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="ends with a suffix"):
        run_report(nb("no_parameters"), out=tmp_path / "o", run_id="r1.failed")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("raw", ["..", "/", "", "\u202e", "---"])
def test_safe_name_rejects_empty(raw: str) -> None:
    with pytest.raises(ReportError, match="no usable characters"):
        safe_name(raw)


def test_only_notebooks_from_the_folder_run(tmp_path: Path) -> None:
    allowed = tmp_path / "notebooks"
    allowed.mkdir()
    with pytest.raises(ReportError, match="outside the notebooks folder"):
        run_report(nb("ok"), out=tmp_path / "o", notebooks_dir=allowed)
    link = allowed / "linked.ipynb"
    link.symlink_to(nb("ok"))  # a symlink leading out of the folder is not followed
    with pytest.raises(ReportError, match="outside the notebooks folder"):
        run_report(link, out=tmp_path / "o")
    with pytest.raises(NotFoundError, match="not found"):
        run_report(allowed / "missing.ipynb", out=tmp_path / "o")
    with pytest.raises(ReportError, match="not a .ipynb"):
        run_report(tmp_path, out=tmp_path / "o")
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------------------------------------
# Security: escaped payloads stay escaped in the HTML
# ---------------------------------------------------------------------------------------------
PAYLOADS = ("<script>document.title='pwned'</script>", "<img src=x onerror=", 'href="javascript:')


def test_hostile_text_stays_escaped_in_html(tmp_path: Path) -> None:
    # code shown: the parameters cell and the injected cell carry the payloads too
    run = run_report(nb("hostile"), out=tmp_path, hide_code=False)
    page = run.html.read_text(encoding="utf-8")
    assert "&lt;script&gt;document.title=" in page  # the text is there, escaped
    for payload in PAYLOADS:
        assert payload not in page, payload
    kwic = re.search(r'class="mm-table mm-kwic[^"]*"(.*?)</table>', page, re.S)  # interactive tables add a class
    assert kwic is not None and "\u202e" not in kwic.group(1)


# ---------------------------------------------------------------------------------------------
# Helpers used inside notebooks
# ---------------------------------------------------------------------------------------------
def test_helpers_do_nothing_outside_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.delenv(ENV_VAR, raising=False)
    fig, ax = plt.subplots()
    assert save_table(pd.DataFrame({"a": [1]}), "t") is None
    assert save_figure(ax, "f") is None
    assert record("k", 1) is None
    plt.close(fig)


def test_helpers_write_into_the_run_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv(ENV_VAR, str(tmp_path))

    class Result:  # a mediamon result holds its table in .df
        df = pd.DataFrame({"a": [1, 2]})

    assert save_table(Result(), "../evil name.csv") == tmp_path / "tables" / "evil_name.csv"
    fig, _ = plt.subplots()
    assert save_figure(fig, "fig") == tmp_path / "figures" / "fig.png"
    plt.close(fig)
    record("a", 1)
    record("b", [1, 2])
    assert json.loads((tmp_path / "record.json").read_text()) == {"a": 1, "b": [1, 2]}
    with pytest.raises(ReportError, match="expected a DataFrame"):
        save_table([1, 2], "x")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(ReportError, match="not an existing folder"):
        record("a", 1)
