"""Faults and hostile input, round two (issue 15; ``../shared/RELIABILITY.md`` items 29, 31, 32, 34).

Each class below failed before its fix (a hang, a raw traceback, silently wrong rows, a deleted
folder) and is checked here on real files, real processes and real kernels:

29. Queries: a nested quantifier against a crafted token returns (RE2, linear time), in the index and
    in the case-sensitive check of each hit; RE2 answers as Python's ``re``/``fnmatch`` on ordinary
    patterns; patterns longer than 1,000 characters, windows of 10**9 or 10**20 tokens and
    timelines of more than MAX_GRID rows are refused with a clear error.
31. Reports: one run per run id at a time (a second run is refused or suffixed, never deletes the
    first's folder); a ``\\xff`` value, a 5,000-digit int and ``--timeout inf`` are clean errors;
    Ctrl-C marks the run interrupted; a killed run's partial folder is kept as failed by the next run.
32. Stores: ``--overwrite`` lists foreign files instead of deleting them; digests catch same-size
    edits of shards and index arrays and byte damage (StoreError naming the shard), a copied store
    is hashed once; shard paths stay inside the store; killed ingests' folders are swept.
34. Terminal: control characters replaced, ``| head`` exits quietly, ``--help`` shows the description.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import mediamon as mm
from mediamon.cli import DESCRIPTION
from mediamon.cli import main as cli_main
from mediamon.errors import InputError, ParameterError, PatternError, ReportError
from mediamon.ingestion import ingest
from mediamon.options import MAX_WINDOW
from mediamon.report import run_batch, run_report
from mediamon.markers import OWNER_FILE, claim_folder, write_owner
from mediamon.store import ROW_GROUP, StoreError, open_store
from mediamon.tokenindex import MAX_PATTERN_CHARS, TokenIndex

from conftest import ACTORS_FILE, SAMPLE_DIR, SAMPLE_V1, fresh_index

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
CRAFTED = "a" * 34  # with one more letter, 2**34 ways for (a+)+ to fail in a backtracking engine


def jsonl(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


def dead_pid() -> int:
    """The pid of a process that has ended (started, waited for)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(child.stdout)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def allow_ctrl_c() -> None:
    # a child of a background job starts with SIGINT ignored; a terminal's Ctrl-C would reach it
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# ---------------------------------------------------------------------------------------------
# 29. ReDoS and oversized queries
# ---------------------------------------------------------------------------------------------
REDOS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import mediamon as mm
    corpus = mm.read_corpus(sys.argv[1])
    plain = mm.kwic(corpus, "(a+)+", match="regex")
    cased = mm.kwic(corpus, "(a+)+b", match="regex", ignore_case=False)
    print(json.dumps({"plain": plain.df["match"].astype(str).tolist(),
                      "cased": cased.df["match"].astype(str).tolist()}))
    """
)


def test_nested_quantifier_against_a_crafted_token_returns(tmp_path: Path) -> None:
    # "aaa…ab" defeats (a+)+ in a backtracking engine; "aaa…aB" defeats (a+)+b in the per-hit
    # case-sensitive check (its form "aaa…ab" matches, its surface does not).
    text = f"Word {CRAFTED}b and aaa and {CRAFTED}B and aab here."
    source = jsonl(tmp_path / "redos.jsonl", [{"id": "r1", "text": text}])
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", REDOS_SCRIPT, str(source)], capture_output=True, text=True,
                              timeout=90, env=child_env())  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("kwic(match='regex') with (a+)+ did not return within 90 s (exponential backtracking)")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # by hand: only "aaa" is all a's; case-sensitively (a+)+b meets the two tokens ending in "b", not "…B"
    assert found == {"plain": ["aaa"], "cased": [f"{CRAFTED}b", "aab"]}
    assert time.monotonic() - started < 90


REGEXES = [r"kaz.n", r"\w+stan", r"tatar\w*", r"\d{4}", r"[a-z]+-[a-z]+", r"(?:pu|ra)\w+", r"[^a-z]+",
           r"\D+ing", r"i.*n", r"[[]", r"\w\W\w", "(ab|a)+", r"[\w-]+\d"]  # fmt: skip
GLOBS = ["tatar*", "*stan", "[kp]*n", "[!a-z]*", "??", "a[[]*", "*-*", "[0-9][0-9]*", "ra?si", "[]]*"]


@pytest.fixture(scope="module")
def sample_index(sample_corpus: mm.Corpus) -> TokenIndex:
    return fresh_index(sample_corpus)


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # Python's re on "[[]"
@pytest.mark.parametrize("pattern", REGEXES)
def test_regex_over_the_vocabulary_answers_as_python_re(sample_index: TokenIndex, pattern: str) -> None:
    reference = re.compile(pattern, re.IGNORECASE)
    expected = [i for i, form in enumerate(sample_index.vocab) if reference.fullmatch(form)]
    assert sample_index.expand(pattern, match="regex").tolist() == expected


@pytest.mark.parametrize("pattern", GLOBS)
def test_glob_over_the_vocabulary_answers_as_fnmatch(sample_index: TokenIndex, pattern: str) -> None:
    reference = re.compile(fnmatch.translate(pattern), re.IGNORECASE)
    expected = [i for i, form in enumerate(sample_index.vocab) if reference.fullmatch(form)]
    assert sample_index.expand(pattern, match="glob").tolist() == expected


def test_unicode_classes_keep_pythons_meaning(tmp_path: Path) -> None:
    text = "Тоҷикистан and Pakistan and Kazán, ٣٤ times."
    corpus = mm.read_corpus(jsonl(tmp_path / "u.jsonl", [{"id": "u", "text": text}]))
    ix = fresh_index(corpus)
    forms = lambda p: sorted(ix.vocab[i] for i in ix.expand(p, match="regex"))  # noqa: E731
    assert forms(r"\w+stan") == ["pakistan"]
    assert forms(r"\w+истан") == ["тоҷикистан"]  # RE2's own \w is ASCII: it would miss this one
    assert forms(r"kaz\wn") == ["kazán"]
    assert forms(r"\d+") == ["٣٤"]


@pytest.mark.parametrize("pattern", ["(?=a)a", r"(a)\1", "tatar(", "a)|(b", r"[\W]"])
def test_patterns_re2_cannot_run_are_clear_errors(sample_corpus: mm.Corpus, pattern: str) -> None:
    with pytest.raises(PatternError, match="bad regex pattern"):
        mm.kwic(sample_corpus, pattern, match="regex")


def test_overlong_patterns_are_refused_before_any_work(sample_corpus: mm.Corpus) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(PatternError, match=r"100,000 characters; at most 1,000"):
            mm.kwic(sample_corpus, "*" * 100_000, match="glob")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
    for match in ("regex", "fixed"):
        with pytest.raises(PatternError, match="at most 1,000"):
            mm.kwic(sample_corpus, "a" * (MAX_PATTERN_CHARS + 1), match=match)
    assert len(mm.kwic(sample_corpus, "x" * MAX_PATTERN_CHARS, match="glob")) == 0  # the bound itself is fine
    assert len(mm.kwic(sample_corpus, "*" * 996 + "stan", match="glob")) == len(
        mm.kwic(sample_corpus, "*stan", match="glob")
    )


@pytest.mark.parametrize("window", [10**9, 10**20, (0, 10**20), (10**9, 1)])
def test_huge_windows_are_input_errors(sample_corpus: mm.Corpus, window: Any) -> None:
    with pytest.raises(InputError, match="window"):
        mm.kwic(sample_corpus, "putin", window=window)
    with pytest.raises(InputError, match="window"):
        mm.collocates(sample_corpus, "putin", window=window)


@pytest.mark.parametrize("window", [10**9, 10**20, MAX_WINDOW + 1])
def test_huge_cooccurrence_distances_are_input_errors(sample_corpus: mm.Corpus, window: int) -> None:
    with pytest.raises(InputError, match=f"from 1 to {MAX_WINDOW:,}"):
        mm.cooccurrence(sample_corpus, ACTORS_FILE, window=window)


def test_timeline_refuses_grids_of_minutes_over_decades(tmp_path: Path) -> None:
    docs = [{"id": "old", "date": "2000-01-01", "text": "Putin spoke."},
            {"id": "new", "date": "2020-01-01", "text": "Putin spoke again."}]  # fmt: skip
    corpus = mm.read_corpus(jsonl(tmp_path / "span.jsonl", docs))
    with pytest.raises(InputError, match=r"freq='min' would build [\d,]+ rows \(more than 5,000,000\)"):
        mm.timeline(corpus, freq="min")
    assert len(mm.timeline(corpus, freq="Y").df) == 21  # 2000..2020: the same corpus by year is fine


def test_timeline_refuses_a_group_per_document(tmp_path: Path) -> None:
    # 3,000 distinct titles x 1,827 days (2020-01-01 .. 2025-01-01) > 5,000,000 rows
    docs = [{"id": f"d{i}", "title": f"title {i}", "date": f"{2020 + i % 5}-01-01", "text": f"text {i}"}
            for i in range(3000)]  # fmt: skip
    docs.append({"id": "end", "title": "end", "date": "2025-01-01", "text": "the end"})
    corpus = mm.read_corpus(jsonl(tmp_path / "titles.jsonl", docs))
    with pytest.raises(InputError, match="by='title' would build"):
        mm.timeline(corpus, freq="D", by="title")


# ---------------------------------------------------------------------------------------------
# 31. Reports: exclusive run folders, clean errors, interrupted and killed runs
# ---------------------------------------------------------------------------------------------
def nb(name: str) -> Path:
    return NOTEBOOKS / f"{name}.ipynb"


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_a_run_id_held_by_a_running_process_is_refused(tmp_path: Path) -> None:
    partial = tmp_path / "no_parameters" / ".busy.partial"
    partial.parent.mkdir(parents=True)
    owner = claim_folder(partial)  # held by this (running) process, as a run in another thread would
    (partial / "kernel.log").write_text("the first run's log\n", encoding="utf-8")
    with pytest.raises(ReportError, match=rf"run id 'busy' is in use: process {os.getpid()} on .* Choose another"):
        run_report(nb("no_parameters"), out=tmp_path, run_id="busy")
    assert entries(tmp_path / "no_parameters") == [".busy.partial"]
    assert (partial / "kernel.log").read_text(encoding="utf-8") == "the first run's log\n"
    assert json.loads((partial / OWNER_FILE).read_text())["token"] == owner["token"]


def test_a_batch_id_held_by_a_running_batch_is_refused(tmp_path: Path) -> None:
    (tmp_path / "conditional").mkdir()
    claim_folder(tmp_path / "conditional" / ".batch-b1.running")
    with pytest.raises(ReportError, match="batch id 'b1' is in use"):
        run_batch(nb("conditional"), {"fail": [False]}, out=tmp_path, batch_id="b1", progress=False)
    assert entries(tmp_path / "conditional") == [".batch-b1.running"]


@pytest.mark.slow
def test_concurrent_runs_with_one_run_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = ("import sys; from mediamon.report import run_batch, run_report; "
              "run_report(sys.argv[1], {'seconds': 6}, out=sys.argv[2], run_id='same', html=False)")  # fmt: skip
    first = subprocess.Popen([sys.executable, "-c", script, str(nb("sleeps")), str(tmp_path)], env=child_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    partial = tmp_path / "sleeps" / ".same.partial"
    try:
        deadline = time.monotonic() + 60
        while not (partial / "sleeps.ipynb").exists():
            assert first.poll() is None and time.monotonic() < deadline, "the first run did not start"
            time.sleep(0.2)
        # asked for by name: refused, and the first run's folder is left alone
        with pytest.raises(ReportError, match="run id 'same' is in use"):
            run_report(nb("sleeps"), {"seconds": 0}, out=tmp_path, run_id="same", html=False)
        assert partial.is_dir()
        # a default id that collides gets a suffix and runs beside it
        monkeypatch.setattr("mediamon.report.run.default_run_id", lambda values: "same")
        second = run_report(nb("sleeps"), {"seconds": 0}, out=tmp_path, html=False)
        assert second.ok and second.run_id == "same-2"  # "same" was held when it was claimed
        _, err = first.communicate(timeout=90)
    finally:
        first.kill()
    assert first.returncode == 0, err
    assert entries(tmp_path / "sleeps") == ["same", "same-2"]
    assert manifest(tmp_path / "sleeps" / "same")["status"] == "ok"
    assert manifest(tmp_path / "sleeps" / "same")["params"] == {"seconds": 6}
    assert manifest(tmp_path / "sleeps" / "same-2")["params"] == {"seconds": 0}
    for run in ("same", "same-2"):
        assert not (tmp_path / "sleeps" / run / OWNER_FILE).exists()


def test_a_killed_runs_partial_folder_is_kept_as_failed(tmp_path: Path) -> None:
    parent = tmp_path / "no_parameters"
    killed = parent / ".gone.partial"
    killed.mkdir(parents=True)
    write_owner(killed, {"pid": dead_pid(), "host": socket.gethostname(), "started": None, "since": "then",
                         "token": "0" * 32})  # fmt: skip
    (killed / "no_parameters.ipynb").write_text("{}", encoding="utf-8")
    live = parent / ".alive.partial"
    claim_folder(live)
    run = run_report(nb("no_parameters"), out=tmp_path, run_id="next", html=False)
    assert run.ok
    assert entries(parent) == [".alive.partial", "gone.failed", "next"]
    kept = manifest(parent / "gone.failed")
    assert kept["status"] == "killed" and kept["error"]["kind"] == "killed"
    assert "ended before the run finished" in kept["error"]["evalue"]
    assert (parent / "gone.failed" / "no_parameters.ipynb").is_file()
    assert not (parent / "gone.failed" / OWNER_FILE).exists()


def sleeping_cell_started(executed: Path) -> bool:
    """Whether papermill has recorded that the last cell (``time.sleep``) started."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError):  # not there yet, or being written
        return False
    return bool(cells[-1].get("metadata", {}).get("papermill", {}).get("start_time"))


@pytest.mark.slow
def test_ctrl_c_marks_the_run_interrupted_and_the_cli_exits_quietly(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "mediamon.cli", "report", str(nb("sleeps")), "-p", "seconds", "60",
           "--run-id", "r", "--no-html", "--out", str(tmp_path)]  # fmt: skip
    child = subprocess.Popen(cmd, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=allow_ctrl_c)  # fmt: skip
    executed = tmp_path / "sleeps" / ".r.partial" / "sleeps.ipynb"
    try:
        deadline = time.monotonic() + 60
        while not sleeping_cell_started(executed):
            assert child.poll() is None and time.monotonic() < deadline, "the run did not start"
            time.sleep(0.2)
        time.sleep(1.0)  # papermill has written the notebook; the cell sleeps
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err, err
    assert entries(tmp_path / "sleeps") == ["r.failed"]
    data = manifest(tmp_path / "sleeps" / "r.failed")
    assert data["status"] == "interrupted" and data["error"]["kind"] == "interrupted", data["error"]
    assert data["error"]["cell_index"] == 1, data["error"]  # the sleeping cell


def test_a_parameter_that_is_not_utf8_is_a_clean_cli_error(tmp_path: Path) -> None:
    cmd = [sys.executable.encode(), b"-m", b"mediamon.cli", b"report", os.fsencode(nb("ok")), b"-p", b"actor",
           b"\xff", b"--out", os.fsencode(tmp_path)]  # fmt: skip
    done = subprocess.run(cmd, env=child_env(), capture_output=True, timeout=120)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert "parameter 'actor'" in err and "not UTF-8" in err and "Traceback" not in err
    assert not (tmp_path / "ok").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["-p", "top", "9" * 5000], "an integer of 5,000 digits; at most 100"),
     (["-p", "top", "1" * 101], "an integer of 101 digits"),
     (["-p", "actor", "\udcff"], "not UTF-8"),
     (["--timeout", "inf"], "timeout=inf is invalid"),
     (["--timeout", "nan"], "timeout=nan is invalid"),
     (["--timeout", "1e300"], "at most 2,592,000"),
     (["-p", "actor", "[" * 100_000], None)],
)  # fmt: skip
def test_odd_values_are_clean_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                     message: str | None) -> None:  # fmt: skip
    code = cli_main(["report", str(nb("ok")), "--out", str(tmp_path), *argv])
    err = capsys.readouterr().err
    if message is None:  # a str parameter takes any text: 100,000 brackets are a string, not a crash
        assert code == 0, err
        return
    assert code == 2 and "mediamon report: error:" in err and message in err
    assert not (tmp_path / "ok").exists()


def test_odd_values_through_the_api_are_parameter_errors(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="at most 100 digits"):
        run_report(nb("ok"), {"top": 10**5000}, out=tmp_path)
    with pytest.raises(ParameterError, match="not UTF-8"):
        run_report(nb("ok"), {"actor": "bad\udcff"}, out=tmp_path)
    with pytest.raises(ReportError, match="timeout=inf is invalid"):
        run_report(nb("ok"), out=tmp_path, timeout=float("inf"))
    with pytest.raises(ReportError, match="is invalid"):
        run_report(nb("ok"), out=tmp_path, timeout=10**5000)
    assert not (tmp_path / "ok").exists()


# ---------------------------------------------------------------------------------------------
# 32. Stores: overwrite, digests, confinement, killed ingests
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingest(SAMPLE_V1, tmp_path_factory.mktemp("pristine") / "s", shard_size=700, progress=False).path


@pytest.fixture
def store(pristine: Path, tmp_path: Path) -> mm.ShardedCorpus:
    """A copy of the pristine store with every file's time kept (as ingest wrote it)."""
    shutil.copytree(pristine, tmp_path / "s", copy_function=shutil.copy2)
    return open_store(tmp_path / "s")


def kwic_words(source: Any, pattern: str) -> list[str]:
    return mm.kwic(source, pattern).df["match"].astype(str).tolist()


def rewrite_same_size(path: Path, word: str, replacements: list[str]) -> str:
    """Replace *word* in every text of the shard at *path* by the first of *replacements* (each as
    long as *word*) whose shard, written as ingest writes shards, is not larger; pad it to the old
    size exactly with bytes before the Parquet footer (a reader follows the footer's offsets)."""
    size = path.stat().st_size
    table = pq.read_table(path)
    column = table.schema.get_field_index("text")
    trial = path.with_name("trial.parquet")
    for replacement in replacements:
        assert len(replacement) == len(word)
        edited = table.set_column(column, "text", pc.replace_substring(table.column("text"), word, replacement))
        pq.write_table(edited, trial, row_group_size=ROW_GROUP, compression="zstd")
        data = trial.read_bytes()
        if len(data) > size:
            continue
        footer = int.from_bytes(data[-8:-4], "little") + 8
        path.write_bytes(data[:-footer] + b"\0" * (size - len(data)) + data[-footer:])
        trial.unlink()
        assert pq.read_table(path).column("text") == edited.column("text")
        return replacement
    pytest.fail(f"no replacement of {word!r} gave a shard as small as the original")


def test_a_same_size_edit_of_a_shard_is_refused(store: mm.ShardedCorpus) -> None:
    before = kwic_words(store, "raisi")
    assert before and set(before) == {"Raisi"}
    path = store.path / store.shards[1].file  # the shard that holds Raisi's articles
    size = path.stat().st_size
    rewrite_same_size(path, "Raisi", ["Raysi", "Raisu", "Rxisi", "Raist", "Reisi", "Raiso"])
    assert path.stat().st_size == size  # what the size check alone let through: the index says "raisi" here
    with pytest.raises(StoreError, match=r"shard 1 .*holds other content than was written"):
        kwic_words(open_store(store.path), "raisi")


def test_same_size_corruption_of_an_index_array_is_refused(store: mm.ShardedCorpus) -> None:
    ids = store.index_folder(1) / "ids.npy"
    data = bytearray(ids.read_bytes())
    data[-8:] = bytes(8)
    ids.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"token index of shard 1 is damaged: .*ids.npy holds other content"):
        kwic_words(open_store(store.path), "putin")


def test_a_random_array_in_an_index_is_refused(store: mm.ShardedCorpus) -> None:
    postings = store.index_folder(0) / "postings.npy"
    shape, dtype = np.load(postings).shape, np.load(postings).dtype
    np.save(postings, np.random.default_rng(0).integers(0, 2**31 - 1, shape).astype(dtype))
    with pytest.raises(StoreError, match=r"shard 0 is damaged: .*postings.npy"):
        kwic_words(open_store(store.path), "putin")


@pytest.mark.parametrize("at", [0.5, -200])  # inside a zstd page (OSError); in the footer (ArrowInvalid)
def test_byte_damage_with_the_time_kept_is_caught_on_read_and_by_verify(store: mm.ShardedCorpus, at: float) -> None:
    path = store.path / store.shards[1].file
    st = path.stat()
    data = bytearray(path.read_bytes())
    start = int(len(data) * at) if at > 0 else len(data) + int(at)
    data[start : start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # a copy tool, or bit rot: the time says nothing
    reopened = open_store(store.path)
    with pytest.raises(StoreError, match=r"shard 1 .*cannot be decoded: .*verify=True"):
        reopened.shard_texts(1)
    with pytest.raises(StoreError, match=r"shard 1 .*holds other content than was written"):
        open_store(store.path, verify=True)


def test_verify_passes_a_pristine_store_and_catches_index_damage(store: mm.ShardedCorpus) -> None:
    assert open_store(store.path, verify=True).n_shards == store.n_shards
    vocab = store.index_folder(0) / "vocab.txt"
    st = vocab.stat()
    text = vocab.read_bytes()
    vocab.write_bytes(text.replace(b"putin", b"putyn", 1))
    os.utime(vocab, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert len(open_store(store.path).shard_index(0).vocab)  # time and size agree: only verify=True looks
    with pytest.raises(StoreError, match=r"token index of shard 0 is damaged: .*vocab.txt"):
        open_store(store.path, verify=True)


def test_a_copied_store_is_hashed_once_and_answers_the_same(pristine: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(pristine, copy, copy_function=shutil.copyfile)  # new modification times everywhere
    original = open_store(pristine)
    copied = open_store(copy)
    assert kwic_words(copied, "putin") == kwic_words(original, "putin")
    shard = copy / copied.shards[0].file
    assert shard.stat().st_mtime_ns == copied.shards[0].mtime_ns  # checked, then its time given back
    ids = copied.index_folder(0) / "ids.npy"
    recorded = json.loads((copied.index_folder(0) / "meta.json").read_text())["files"]["ids.npy"]["mtime_ns"]
    assert ids.stat().st_mtime_ns == recorded


def test_an_index_without_digests_is_rebuilt(store: mm.ShardedCorpus) -> None:
    meta_path = store.index_folder(0) / "meta.json"
    meta = json.loads(meta_path.read_text())
    del meta["files"]  # as an older mediamon wrote it
    meta_path.write_text(json.dumps(meta))
    words = kwic_words(open_store(store.path), "putin")
    assert "files" in json.loads(meta_path.read_text()) and words


def test_a_damaged_corpus_cache_is_rebuilt(sample_corpus: mm.Corpus, tmp_path: Path) -> None:
    corpus = mm.read_corpus(SAMPLE_DIR)
    corpus.token_index(cache_dir=tmp_path)
    folder = next(tmp_path.glob("index-*"))
    ids = folder / "ids.npy"
    data = bytearray(ids.read_bytes())
    data[-4:] = b"\xff\xff\xff\x7f"
    ids.write_bytes(bytes(data))
    again = mm.read_corpus(SAMPLE_DIR).token_index(cache_dir=tmp_path)
    np.testing.assert_array_equal(np.asarray(again.ids), fresh_index(sample_corpus).ids)


@pytest.mark.parametrize("where", ["../elsewhere/shard.parquet", "/etc/passwd", "shards/../../x.parquet", "",
                                   "C:\\shards\\x.parquet", "shards\\..\\..\\x"])  # fmt: skip
def test_shard_paths_must_stay_inside_the_store(store: mm.ShardedCorpus, where: str) -> None:
    meta_path = store.path / "store.json"
    meta = json.loads(meta_path.read_text())
    meta["shards"][0]["file"] = where
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="not a path inside the store"):
        open_store(store.path)
    with pytest.raises(StoreError, match="not a path inside the store"):
        mm.read_corpus(store.path)


def test_a_shard_folder_linked_out_of_the_store_is_refused(store: mm.ShardedCorpus, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.move(store.path / "shards", outside)
    (store.path / "shards").symlink_to(outside)
    with pytest.raises(StoreError, match="not a path inside the store"):
        open_store(store.path)
    meta = json.loads((store.path / "store.json").read_text())
    meta["manifest"] = "../manifest.parquet"
    (store.path / "shards").unlink()
    shutil.move(outside, store.path / "shards")
    (store.path / "store.json").write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="names the manifest"):
        open_store(store.path)


def test_a_malformed_shard_list_is_a_store_error(store: mm.ShardedCorpus) -> None:
    meta = json.loads((store.path / "store.json").read_text())
    meta["shards"][0]["surprise"] = 1
    (store.path / "store.json").write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="does not describe its shards"):
        open_store(store.path)


def test_overwrite_lists_files_the_store_did_not_write(store: mm.ShardedCorpus) -> None:
    (store.path / "notes.txt").write_text("my notes", encoding="utf-8")
    (store.path / "shards" / "mine.csv").write_text("a,b\n", encoding="utf-8")
    index_name = store.index_folder(0).name
    (store.path / "shards" / index_name / "extra.bin").write_bytes(b"x")
    (store.path / "drafts").mkdir()
    listed = f"4 file(s) the store did not write: drafts/, notes.txt, shards/mine.csv, shards/{index_name}/extra.bin."
    with pytest.raises(StoreError, match=re.escape(listed)):
        ingest(SAMPLE_V1, store.path, shard_size=700, overwrite=True, progress=False)
    assert (store.path / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (store.path / "shards" / "mine.csv").exists() and (store.path / "drafts").is_dir()
    for path in ("notes.txt", "shards/mine.csv", f"shards/{index_name}/extra.bin"):
        (store.path / path).unlink()
    (store.path / "drafts").rmdir()
    again = ingest(SAMPLE_V1, store.path, shard_size=1000, overwrite=True, index=False, progress=False)
    assert again.n_shards == 2


def test_overwrite_accepts_what_the_store_wrote_later(tmp_path: Path) -> None:
    made = ingest(SAMPLE_V1, tmp_path / "s", shard_size=700, index=False, progress=False)
    made.shard_index(1)  # an index built on first use, beside its shard
    again = ingest(SAMPLE_V1, tmp_path / "s", shard_size=1000, overwrite=True, index=False, progress=False)
    assert again.n_shards == 2 and not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_overwrite_accepts_the_index_files_of_an_earlier_format(tmp_path: Path) -> None:
    made = ingest(SAMPLE_V1, tmp_path / "s", shard_size=700, progress=False)
    for name in ("doc", "sent", "para", "end"):  # what format 2 wrote beside today's arrays
        np.save(made.index_folder(0) / f"{name}.npy", np.zeros(3, dtype=np.int32))
    again = ingest(SAMPLE_V1, tmp_path / "s", shard_size=1000, overwrite=True, index=False, progress=False)
    assert again.n_shards == 2 and not again.index_folder(0).exists()


def test_killed_ingests_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    host = socket.gethostname()
    killed = tmp_path / f".s.partial-{dead_pid()}-0123abcd"
    (killed / "shards").mkdir(parents=True)
    write_owner(killed, {"pid": int(killed.name.split("-")[1]), "host": host, "started": None, "token": "1" * 32})
    live = tmp_path / f".t.partial-{os.getpid()}-89abcdef"
    (live / "shards").mkdir(parents=True)
    write_owner(live)
    elsewhere = tmp_path / f".u.partial-{dead_pid()}-00000000"
    (elsewhere / "shards").mkdir(parents=True)
    write_owner(elsewhere, {"pid": 1, "host": "another-machine", "token": "2" * 32})
    ingest(SAMPLE_V1, tmp_path / "new", shard_size=1000, index=False, progress=False)
    assert entries(tmp_path) == [live.name, elsewhere.name, "new"]
    assert not (tmp_path / "new" / OWNER_FILE).exists()


# ---------------------------------------------------------------------------------------------
# 34. Terminal output
# ---------------------------------------------------------------------------------------------
def test_control_characters_in_article_text_are_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Putin \x1b[2J\x1b[1;1Hspoke \x1b]0;owned\x07 in \x9b31m Kazan\x08\x08 today."
    source = jsonl(tmp_path / "esc.jsonl", [{"id": "e1", "title": "T\x1b[8m", "text": text}])
    assert cli_main(["kwic", str(source), "putin", "--window", "8"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
    assert "\ufffd[2J" in out and "spoke" in out


def test_a_closed_pipe_exits_quietly() -> None:
    # `mediamon kwic ... | head -n 1`: the reader leaves after one line, the writer has 100s of KB left
    cmd = [sys.executable, "-m", "mediamon.cli", "kwic", str(SAMPLE_DIR), "the", "--max-rows", "20000"]
    child = subprocess.Popen(cmd, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = child.stdout.readline()  # type: ignore[union-attr]
    child.stdout.close()  # type: ignore[union-attr]
    err = child.stderr.read().decode("utf-8", "replace")  # type: ignore[union-attr]
    child.wait(timeout=120)
    assert first.strip()
    assert child.returncode == 0, err
    assert "BrokenPipe" not in err and "Traceback" not in err and "Exception ignored" not in err


def test_help_shows_the_description(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli_main(["--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert " ".join(DESCRIPTION.split()[:6]) in " ".join(out.split())
    assert "Only this module prints" not in out and "_add_" not in out
