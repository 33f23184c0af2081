"""Where the per-shard step of an analysis runs: in this process, or on a Dask cluster.

An executor has one method, ``map(task, source, args)``, that calls ``task(source, i, *args[i])`` for
every shard *i* and returns the results in shard order. The analyses never depend on which one ran:
the per-shard tasks and the combination are the same code, so the tables are identical.

:class:`SerialExecutor`
    The default: shard after shard in this process, memory bounded by one shard.
:class:`DaskExecutor`
    The same tasks as Dask tasks (optional extra: ``pip install "mediamon[dask]"``). The source
    travels as its description (a store's path, view rows and ``store.json``), never its data;
    every worker must see the store under the same path. Lean by design, so that a cluster on the
    machine of the client is never slower than running in the client:

    * *few tasks*: the shards go in at most ``batches`` tasks per worker, each shard always to
      the same worker (its caches stay warm, and no two workers hold the same shard);
    * *no copies of big tables*: a worker on this machine hands an Arrow table of at least
      :data:`SHARED_MIN_BYTES` over as an Arrow IPC file in a private shared-memory folder of the
      client (mode 0700, removed by :func:`close`), which the client memory-maps instead of
      receiving, decoding and copying it; elsewhere data travels by Dask's protocol. mediamon
      writes no pickle file;
    * *no cluster for small work* (the documented rule): on a cluster whose workers all run on
      this machine, shard 0 runs in this process first; when the others would take less than
      :data:`INLINE_SECONDS` here at its pace, they run here too, since one call to the cluster
      costs more (35-110 ms on 2 cores); else they go to the cluster. Work sent at the same time
      as shard 0 runs here would compete with it for the two cores. A shard not yet opened here
      costs more the first time: about 25 ms at 16x to map its index, metadata table and texts,
      and its cached mention tables where a call reads them; the call after a first one on the
      cluster pays that once (0.6 s for the 22 shards of 16x), and the next small calls run as
      fast as in a serial session. The tasks are the same, so are the tables.
      ``DaskExecutor(client, inline=False)`` always runs every shard on the cluster.

:func:`resolve` turns the ``executor=`` argument (or a corpus's ``using(...)`` choice) into one:
``None``/``"serial"``, ``"dask"`` (a local cluster of two worker processes, started once per
process, with TLS and per-cluster certificates and no dashboard), a scheduler address
(``"tcp://host:8786"`` or ``"tls://..."``), a ``dask.distributed.Client``, or an executor object.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from .errors import InputError, MediamonError

log = logging.getLogger(__name__)

__all__ = [
    "INLINE_SECONDS", "SHARED_MIN_BYTES", "DaskExecutor", "DistributedError", "Executor", "SerialExecutor", "close",
    "get_client", "resolve",
]  # fmt: skip

_LOCK = threading.Lock()
_CLIENTS: dict[str, dict[str, Any]] = {}

#: The rule of :class:`DaskExecutor`: the remaining shards of a call run in this process when, at
#: the pace of shard 0 here, they would take less than this (seconds; a single shard always runs
#: here). Measured at 16x on 2 cores (22 shards, 2 workers): a call to the cluster costs 35-110 ms
#: before any work, and the results then cross to this process. A monthly timeline of 20 actors
#: (about 0.3 s of shard work here; its results hold every document's date and source) took 1.15 s
#: there against 0.74 s here; a 20-actor co-occurrence (0.3 s) 0.3 s there against 0.4 s here; KWIC
#: of "iran" (2.5 s of work, 2.4 M rows) 1.8 s there against 2.2 s here.
INLINE_SECONDS = 0.5
#: An Arrow table of at least this many bytes goes from a worker on this machine to the client
#: through shared memory (smaller ones are cheaper in Dask's own messages).
SHARED_MIN_BYTES = 1 << 20


class DistributedError(MediamonError, RuntimeError):
    """Dask is missing, or the scheduler cannot be reached."""


class Executor(Protocol):
    """Runs one task per shard and returns the results in shard order."""

    def map(self, task: Callable[..., Any], source: Any, args: Sequence[tuple[Any, ...]]) -> list[Any]: ...


class SerialExecutor:
    """Shard after shard, in this process."""

    def map(self, task: Callable[..., Any], source: Any, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        return [task(source, i, *a) for i, a in enumerate(args)]

    def __repr__(self) -> str:
        return "SerialExecutor()"


class DaskExecutor:
    """The per-shard tasks as Dask tasks on *client*'s cluster, in shard order (see the module docstring).

    Parameters
    ----------
    client
        A ``dask.distributed.Client``.
    inline
        Apply the rule: run small work in this process, when the workers are on this machine
        (``False``: every shard on the cluster, e.g. to build indexes where the workers are).
    batches
        Tasks per worker in one call (each a contiguous run of that worker's shards): with 2, a
        22-shard store is 4 tasks instead of 22 (each costs 2-3 ms of scheduling on 2 cores).
    """

    def __init__(self, client: Any, *, inline: bool = True, batches: int = 2) -> None:
        self.client = client
        self.inline = inline
        self.batches = max(1, int(batches))

    def on_workers(self) -> DaskExecutor:
        """This executor without the rule: every shard runs on the cluster."""
        return DaskExecutor(self.client, inline=False, batches=self.batches)

    def map(self, task: Callable[..., Any], source: Any, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        n = len(args)
        if n == 0:
            return []
        workers = _workers(self.client)
        local = bool(workers) and all(_is_local(w) for w in workers)
        if not (self.inline and local):
            return self._gather(self._submit(task, source, args, list(range(n)), workers, local), {}, n)
        # the rule: shard 0 here first; the others here too when they would take less than
        # INLINE_SECONDS at its pace, else on the cluster
        t0 = time.perf_counter()
        first = task(source, 0, *args[0])
        took = time.perf_counter() - t0
        here = took * (n - 1) < INLINE_SECONDS
        log.debug("executors: %s: shard 0 took %.1f ms here; %d more run %s", task.__name__, took * 1e3, n - 1,
                  "here" if here else "on the cluster")  # fmt: skip
        if here:
            return [first, *(task(source, i, *args[i]) for i in range(1, n))]
        return self._gather(self._submit(task, source, args, list(range(1, n)), workers, local), {0: first}, n)

    def _submit(self, task: Callable[..., Any], source: Any, args: Sequence[tuple[Any, ...]], todo: list[int],
                workers: list[str], local: bool) -> list[Any]:  # fmt: skip
        """The batches of shards *todo*, submitted (each shard to its worker, see :func:`_batches`)."""
        if not todo:
            return []
        shared = _shared_folder() if local else None
        futures = []
        for worker, batch in _batches(todo, len(args), workers, self.batches):
            key = f"mediamon-{task.__name__}-{batch[0]}-{batch[-1]}-{os.urandom(4).hex()}"
            futures.append(self.client.submit(
                _run_batch, task, source, batch, [args[i] for i in batch], shared, key=key, pure=False,
                workers=None if worker is None else [worker], allow_other_workers=True,
            ))  # fmt: skip
        return futures

    def _gather(self, futures: list[Any], results: dict[int, Any], n: int) -> list[Any]:
        """The results of shards 0..n-1: *results* and those of the batches *futures*."""
        try:
            gathered = self.client.gather(futures)
        except BaseException:
            # a task failed: the files of the others are never received; remove them
            with contextlib.suppress(Exception):
                for batch_results in self.client.gather(futures, errors="skip"):
                    _remove(batch_results)
            raise
        for batch_results in gathered:
            for i, value in batch_results:
                results[i] = _receive(value)
        return [results[i] for i in range(n)]

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client!r}, inline={self.inline})"


def _batches(todo: list[int], n: int, workers: list[str], per_worker: int) -> list[tuple[str | None, list[int]]]:
    """The shards *todo* (of *n*) as ``(worker, shards)`` tasks: shard *i* always goes to the same
    worker of *workers* (contiguous runs: ``i * W // n``), in at most *per_worker* runs each."""
    if not workers:
        return [(None, todo[k::per_worker]) for k in range(per_worker) if todo[k::per_worker]]
    homes: dict[int, list[int]] = {}
    for i in todo:
        homes.setdefault(i * len(workers) // n, []).append(i)
    out = []
    for w, mine in sorted(homes.items()):
        step = -(-len(mine) // per_worker)
        out += [(workers[w], mine[k : k + step]) for k in range(0, len(mine), step)]
    return out


#: The workers of a client, as last asked (``id(client) -> (time, addresses)``): asking the
#: scheduler takes a round trip, as long as a small query.
_WORKERS: dict[int, tuple[float, list[str]]] = {}
WORKERS_SECONDS = 5.0


def _workers(client: Any) -> list[str]:
    """The addresses of *client*'s workers, sorted (asked again after :data:`WORKERS_SECONDS`; a
    worker gone meanwhile only loses its tasks' placement, see ``allow_other_workers``)."""
    now = time.monotonic()
    hit = _WORKERS.get(id(client))
    if hit is not None and now - hit[0] < WORKERS_SECONDS:
        return hit[1]
    workers = sorted(client.scheduler_info().get("workers", {}))
    _WORKERS[id(client)] = (now, workers)
    return workers


@lru_cache(maxsize=1)
def _local_hosts() -> frozenset[str]:
    hosts = {"127.0.0.1", "localhost", "::1", socket.gethostname()}
    try:
        hosts |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return frozenset(hosts)


def _is_local(address: str) -> bool:
    """Whether a worker address (``tls://127.0.0.1:40000``) is on this machine."""
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host in _local_hosts()


# ---------------------------------------------------------------------------------------------
# big tables through shared memory (workers on the client's machine)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Folder:
    """A private folder of the client (``path``) and the token a worker finds in it when it sees it."""

    path: str
    token: str

    def seen(self) -> bool:
        try:
            return (Path(self.path) / "token").read_text() == self.token
        except OSError:
            return False


@dataclass(frozen=True)
class _SharedTable:
    """An Arrow table a worker wrote to the client's folder (the client maps it, then removes it)."""

    path: str


_SHARED: dict[int, _Folder] = {}


def _shared_folder() -> _Folder | None:
    """This process's private folder in shared memory (``/dev/shm``), made on first use; ``None``
    where there is none (the tables then travel by Dask's protocol)."""
    with _LOCK:
        found = _SHARED.get(os.getpid())
        if found is not None and os.path.isdir(found.path):
            return found
        base = "/dev/shm"
        if not (os.path.isdir(base) and os.access(base, os.W_OK)):
            return None
        _remove_orphans(base)
        path = tempfile.mkdtemp(prefix="mediamon-", dir=base)  # mode 0700: this user's processes only
        token = os.urandom(16).hex()
        (Path(path) / "pid").write_text(str(os.getpid()))
        (Path(path) / "token").write_text(token)
        _SHARED[os.getpid()] = found = _Folder(path, token)
        return found


def _remove_orphans(base: str) -> None:
    """Remove the shared folders of this user's processes that ended without :func:`close` (killed):
    shared memory is RAM."""
    for folder in Path(base).glob("mediamon-*"):
        with contextlib.suppress(OSError, ValueError):
            if folder.stat().st_uid != os.getuid():
                continue
            pid = int((folder / "pid").read_text())
            try:
                os.kill(pid, 0)  # signal 0: only asks whether the process exists
            except ProcessLookupError:
                shutil.rmtree(folder, ignore_errors=True)


def _run_batch(task: Callable[..., Any], source: Any, shards: list[int], args: list[tuple[Any, ...]],
               shared: _Folder | None) -> list[tuple[int, Any]]:  # fmt: skip
    """On a worker: the task for each of *shards*, its big tables written to *shared* when this
    worker sees that folder (it is on the client's machine)."""
    visible = shared is not None and shared.seen()
    return [(i, _send(task(source, i, *a), shared) if visible else task(source, i, *a)) for i, a in zip(shards, args)]


def _send(value: Any, shared: _Folder) -> Any:
    """*value* with each big Arrow table (the value itself, or in a mapping field of a dataclass,
    as :class:`~mediamon.partials.Part` holds them) replaced by a :class:`_SharedTable`."""
    if isinstance(value, pa.Table):
        if value.nbytes < SHARED_MIN_BYTES:
            return value
        path = os.path.join(shared.path, f"{os.getpid()}-{os.urandom(8).hex()}.arrow")
        try:
            with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, value.schema) as writer:
                writer.write_table(value)
        except (OSError, pa.ArrowException) as exc:  # shared memory full: Dask's protocol then
            log.info("executors: cannot write a table to %s (%s); sending it", shared.path, exc)
            with contextlib.suppress(OSError):
                os.unlink(path)
            return value
        return _SharedTable(path)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            field_value = getattr(value, f.name)
            if isinstance(field_value, Mapping) and any(isinstance(t, pa.Table) for t in field_value.values()):
                changes[f.name] = {k: _send(t, shared) for k, t in field_value.items()}
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _receive(value: Any) -> Any:
    """The inverse of :func:`_send`, in the client: each :class:`_SharedTable` memory-mapped (no
    copy; the file is removed at once, its pages live while the table does)."""
    if isinstance(value, _SharedTable):
        # only a file directly in this process's private folder is opened (and removed): a result
        # naming any other path, from a worker that is not ours, is refused
        folder = _SHARED.get(os.getpid())
        if folder is None or os.path.dirname(os.path.realpath(value.path)) != os.path.realpath(folder.path):
            raise DistributedError(f"executors: a worker's result names {value.path!r}, outside this client's "
                                   "shared folder; refused")  # fmt: skip
        # our own worker's file in our private folder, just written: Arrow's full validation
        # (which the store's cached tables get) would read every byte for nothing
        table = pa.ipc.open_file(pa.memory_map(value.path)).read_all()
        os.unlink(value.path)
        return table
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            field_value = getattr(value, f.name)
            if isinstance(field_value, Mapping) and any(isinstance(t, _SharedTable) for t in field_value.values()):
                changes[f.name] = {k: _receive(t) for k, t in field_value.items()}
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _shared_in(value: Any) -> list[_SharedTable]:
    """The :class:`_SharedTable` handles in a value made by :func:`_send`."""
    if isinstance(value, _SharedTable):
        return [value]
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return []
    fields = [getattr(value, f.name) for f in dataclasses.fields(value)]
    return [t for v in fields if isinstance(v, Mapping) for t in v.values() if isinstance(t, _SharedTable)]


def _remove(batch_results: list[tuple[int, Any]]) -> None:
    """Remove the shared files of results that will not be received."""
    for _, value in batch_results:
        for table in _shared_in(value):
            with contextlib.suppress(OSError):
                os.unlink(table.path)


def _distributed() -> Any:
    try:
        # optional dependency: imported only when a Dask executor is asked for
        import dask.config
        import distributed
    except ImportError:
        raise DistributedError(
            "executor='dask' needs dask.distributed; install it with `pip install \"mediamon[dask]\"`."
        ) from None
    return dask, distributed


def get_client(scheduler: str | None = None) -> Any:
    """A Dask client: of the cluster at *scheduler*, or of the local cluster this module starts.

    The local cluster has two worker processes with one thread each (``processes=True``), talks TLS
    with certificates made for it alone (``Security.temporary()``), so no other local process can
    join it or run code on its workers, and serves no dashboard. It is started on first use and
    reused until :func:`close` (or the end of the process). A ``tls://`` scheduler needs the
    certificates of its cluster in Dask's configuration (``distributed.comm.tls.*``).
    """
    dask, distributed = _distributed()
    key = scheduler or "local"
    with _LOCK:
        found = _CLIENTS.get(key)
        if found is not None and found["client"].status == "running":
            return found["client"]
        local = _CLIENTS.get("local")
        if scheduler is not None and local is not None and local["client"].scheduler.address == scheduler:
            return local["client"]  # the address of the cluster this module started: its certificates
        if scheduler is not None:
            try:
                client = distributed.Client(scheduler, timeout="20s")
            except TypeError as exc:  # a tls:// address without certificates in the configuration
                raise DistributedError(
                    f"executor: cannot connect to {scheduler!r}: {exc}. Put the cluster's certificates in "
                    "Dask's configuration (distributed.comm.tls.ca-file, .client.cert, .client.key) or pass "
                    "a dask.distributed.Client made with security=..."
                ) from None
            except (OSError, TimeoutError) as exc:
                raise DistributedError(
                    f"executor: cannot reach the Dask scheduler at {scheduler!r}: {exc}. Start one with "
                    "`dask scheduler` and workers with `dask worker <address>`, or pass executor='dask' "
                    "for a local cluster."
                ) from None
            _CLIENTS[key] = {"client": client, "cluster": None}
            return client
        try:
            security = distributed.Security.temporary()
        except ImportError:
            raise DistributedError(
                "executor='dask': the local cluster uses TLS with temporary certificates, which needs the "
                "`cryptography` package; install it with `pip install \"mediamon[dask]\"`."
            ) from None
        # No dashboard and no HTTP routes: the scheduler always opens an HTTP server (on 8787 unless
        # told otherwise); with no routes on a random loopback port it answers nothing.
        quiet_http = {"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}
        with dask.config.set(quiet_http):
            cluster = distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, protocol="tls", security=security,
                dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
            )  # fmt: skip
        client = distributed.Client(cluster, security=security)
        _CLIENTS[key] = {"client": client, "cluster": cluster}
        log.info("executors: started a local Dask cluster: %s", cluster)
        return client


def close() -> None:
    """Close the clients (and the local cluster) this module started."""
    with _LOCK:
        for entry in list(_CLIENTS.values()):
            try:
                entry["client"].close()
                if entry["cluster"] is not None:
                    entry["cluster"].close()
            except Exception as exc:  # noqa: BLE001 -- shutting down: report, go on
                log.warning("executors: error while closing a Dask cluster: %s", exc)
        _CLIENTS.clear()
        _WORKERS.clear()
        folder = _SHARED.pop(os.getpid(), None)
        if folder is not None:
            shutil.rmtree(folder.path, ignore_errors=True)


atexit.register(close)


def resolve(executor: object) -> Executor:
    """The executor named by *executor* (see the module docstring)."""
    if executor is None or executor == "serial":
        return SerialExecutor()
    if isinstance(executor, str):
        if executor == "dask":
            return DaskExecutor(get_client())
        if "://" in executor:
            return DaskExecutor(get_client(executor))
        raise InputError(
            f"executor={executor!r} is invalid; use 'serial', 'dask', a scheduler address such as "
            "'tcp://host:8786', a dask.distributed.Client or an executor object."
        )
    if hasattr(executor, "map") and hasattr(executor, "gather") and hasattr(executor, "scheduler_info"):
        return DaskExecutor(executor)  # a dask.distributed.Client
    if callable(getattr(executor, "map", None)):
        return executor  # type: ignore[return-value]
    raise InputError(f"executor={executor!r} is invalid; see mediamon.executors for the choices.")
