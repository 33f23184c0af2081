"""The Dask executor on a real LocalCluster (2 worker processes, TLS): every shard on the workers
gives the tables of the in-memory engine; small work runs in the client by a rule that can be
turned off; big tables come back through shared memory, leaving nothing behind; shards keep their
worker and their order."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import mediamon as mm
from mediamon import executors
from mediamon.executors import DaskExecutor

from conftest import assert_same, view_of
from test_engine import CASES, resolve

pytestmark = pytest.mark.usefixtures("close_clusters")  # a Dask cluster per module, closed after it


@pytest.fixture(scope="module")
def on_workers() -> DaskExecutor:
    """The local cluster without the in-process rule: every shard runs on a worker."""
    return DaskExecutor(executors.get_client(), inline=False)


@pytest.mark.parametrize("kind", ["store", "store view"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_analysis_with_every_shard_on_the_workers(case, kind, engine_store, sample_corpus, actors, on_workers):
    name, fn, args, opts, attributes = case
    mm.index(sample_corpus)
    data, selection = (engine_store, sample_corpus) if kind == "store" else (view_of(engine_store), view_of(sample_corpus))
    reference = mm.Corpus(selection.docs.copy(), selection.manifest, name=selection.name)  # its own index
    opts = {k: (actors if v == "ACTORS" else v) for k, v in opts.items()}
    want = getattr(mm, fn)(reference, *resolve(args, actors, reference), **opts)
    got = getattr(mm, fn)(data.using(on_workers), *resolve(args, actors, data), **opts)
    assert_same(got, want, attributes, f"{name} on {kind}, every shard on the workers")


# ---------------------------------------------------------------------------------------------
# tasks (module level: the workers import them)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Piece:
    """A result shaped like mediamon.partials.Part: tables in a mapping field, and other values."""

    shard: int
    pid: int
    tables: dict[str, pa.Table] = field(default_factory=dict)


def where_task(source: object, i: int) -> Piece:
    return Piece(i, os.getpid())


def table_of(i: int, rows: int) -> pa.Table:
    values = np.arange(rows, dtype=np.int64) * (i + 1)
    return pa.table({"n": values, "s": pa.array([f"shard {i} row {r}" for r in range(rows)])})


def tables_task(source: object, i: int, rows: int) -> Piece:
    return Piece(i, os.getpid(), {"big": table_of(i, rows), "small": table_of(i, 3)})


def bare_table_task(source: object, i: int, rows: int) -> pa.Table:
    return table_of(i, rows)


def failing_task(source: object, i: int, rows: int) -> Piece:
    if i == 2:
        raise ValueError("shard 2 is broken")
    return tables_task(source, i, rows)


BIG = executors.SHARED_MIN_BYTES // 8 + 1000  # rows: the int64 column alone passes the threshold


def shared_files() -> list[str]:
    folder = executors._shared_folder()
    assert folder is not None, "this machine has /dev/shm"
    return sorted(set(os.listdir(folder.path)) - {"token", "pid"})


# ---------------------------------------------------------------------------------------------
# the rule: small work in this process
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Store:
    """A source as the executor sees it: shards live under a folder (``path``)."""

    path: str


def a_store() -> Store:
    return Store(f"/nowhere/{os.urandom(6).hex()}")


def test_small_work_runs_in_the_client_and_can_be_forced_onto_the_workers(monkeypatch):
    client = executors.get_client()
    workers = set(client.run(os.getpid).values())
    here = [os.getpid()] * 5
    args = [()] * 5
    store = a_store()
    monkeypatch.setattr(executors, "INLINE_SECONDS", 1e9)  # any work is small
    assert [p.pid for p in DaskExecutor(client).map(where_task, store, args)] == here
    monkeypatch.setattr(executors, "INLINE_SECONDS", 0.0)  # no work is small
    got = DaskExecutor(client).map(where_task, store, args)
    assert got[0].pid == os.getpid()  # shard 0 measured the pace here
    assert {p.pid for p in got[1:]} <= workers
    monkeypatch.setattr(executors, "INLINE_SECONDS", 1e9)
    assert [p.pid for p in DaskExecutor(client).map(where_task, store, args)] == here  # warm here: here again
    forced = DaskExecutor(client, inline=False).map(where_task, store, args)
    assert {p.pid for p in forced} <= workers and [p.shard for p in forced] == list(range(5))
    assert mm.executors.resolve("dask").inline and not DaskExecutor(client).on_workers().inline


def test_small_work_runs_here_after_the_cluster_ran_it_and_a_single_shard_always_does(monkeypatch):
    client = executors.get_client()
    workers = set(client.run(os.getpid).values())
    store = a_store()
    assert {p.pid for p in DaskExecutor(client, inline=False).map(where_task, store, [()] * 4)} <= workers
    monkeypatch.setattr(executors, "INLINE_SECONDS", 1e9)
    assert [p.pid for p in DaskExecutor(client).map(where_task, store, [()] * 4)] == [os.getpid()] * 4
    monkeypatch.setattr(executors, "INLINE_SECONDS", 0.0)
    assert DaskExecutor(client).map(where_task, a_store(), [()])[0].pid == os.getpid()


@pytest.mark.parametrize("n", [1, 2, 3, 7, 22])
@pytest.mark.parametrize("batches", [1, 2, 5])
def test_results_come_back_in_shard_order_each_shard_from_its_worker(n, batches, on_workers):
    client = executors.get_client()
    ex = DaskExecutor(client, inline=False, batches=batches)
    store = a_store()
    first, second = ex.map(where_task, store, [()] * n), ex.map(where_task, store, [()] * n)
    assert [p.shard for p in first] == [p.shard for p in second] == list(range(n))
    assert [p.pid for p in first] == [p.pid for p in second]  # a shard's caches stay on one worker
    workers = sorted(client.scheduler_info()["workers"])
    runs = executors._batches(list(range(n)), n, workers, batches)
    assert sorted(i for _, b in runs for i in b) == list(range(n))
    for w in workers:
        assert sum(1 for home, _ in runs if home == w) <= batches
    assert all(home == workers[i * len(workers) // n] for home, b in runs for i in b)


# ---------------------------------------------------------------------------------------------
# big tables through shared memory
# ---------------------------------------------------------------------------------------------
def test_big_tables_come_back_through_shared_memory_and_leave_nothing(on_workers):
    got = on_workers.map(tables_task, None, [(BIG,)] * 4)
    for i, piece in enumerate(got):
        assert piece.shard == i and piece.pid != os.getpid()
        assert piece.tables["big"].equals(table_of(i, BIG)) and piece.tables["small"].equals(table_of(i, 3))
    bare = on_workers.map(bare_table_task, None, [(BIG,)] * 3)
    assert all(t.equals(table_of(i, BIG)) for i, t in enumerate(bare))
    folder = executors._shared_folder()
    assert stat.S_IMODE(os.stat(folder.path).st_mode) == 0o700  # this user's processes only
    assert shared_files() == []  # each file is removed as soon as it is mapped
    del got, bare


def test_a_failing_shard_raises_and_leaves_no_shared_file(on_workers):
    with pytest.raises(ValueError, match="shard 2 is broken"):
        on_workers.map(failing_task, None, [(BIG,)] * 6)
    assert shared_files() == []


def test_close_removes_the_shared_folder(on_workers):
    on_workers.map(tables_task, None, [(BIG,)] * 2)
    folder = executors._shared_folder().path
    executors.close()
    assert not os.path.exists(folder)


def test_the_folder_of_a_killed_client_is_removed_by_the_next_one():
    executors.close()
    ended = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                               text=True, check=True).stdout)  # fmt: skip
    orphan = Path(tempfile.mkdtemp(prefix="mediamon-", dir="/dev/shm"))
    (orphan / "pid").write_text(str(ended))
    (orphan / "left.arrow").write_bytes(b"x" * 100)
    mine = Path(tempfile.mkdtemp(prefix="mediamon-", dir="/dev/shm"))
    (mine / "pid").write_text(str(os.getpid()))  # a live process: kept
    try:
        assert executors._shared_folder() is not None
        assert not orphan.exists() and mine.exists()
    finally:
        for folder in (orphan, mine):
            shutil.rmtree(folder, ignore_errors=True)


def test_a_result_naming_a_file_outside_the_shared_folder_is_refused(tmp_path):
    victim = tmp_path / "keep.arrow"
    with pa.OSFile(str(victim), "wb") as sink, pa.ipc.new_file(sink, table_of(0, 3).schema) as writer:
        writer.write_table(table_of(0, 3))
    assert executors._shared_folder() is not None
    with pytest.raises(executors.DistributedError, match="outside this client's shared folder"):
        executors._receive(executors._SharedTable(str(victim)))
    assert victim.exists()  # neither opened nor removed


def test_rows_of_a_count_on_the_cluster_are_read_here_even_after_it_closed(engine_store, sample_corpus, actors):
    co = mm.cooccurrence(engine_store, actors, executor=DaskExecutor(executors.get_client(), inline=False))
    executors.close()
    want = mm.cooccurrence(mm.Corpus(sample_corpus.docs.copy(), sample_corpus.manifest), actors)
    pd.testing.assert_frame_equal(co.mentions, want.mentions)
    assert not executors._CLIENTS  # no cluster was started again to read them
