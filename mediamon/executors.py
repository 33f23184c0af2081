"""Where the per-shard step of an analysis runs: in this process, or on a Dask cluster.

An executor has one method, ``map(task, source, args)``, that calls ``task(source, i, *args[i])`` for
every shard *i* and returns the results in shard order. The analyses never depend on which one ran:
the per-shard tasks and the combination are the same code, so the tables are identical.

:class:`SerialExecutor`
    The default: shard after shard in this process, memory bounded by one shard.
:class:`DaskExecutor`
    The same tasks as Dask tasks (optional extra: ``pip install "mediamon[dask]"``). The source
    travels as its description (a store's path, view rows and ``store.json``), never its data;
    every worker must see the store under the same path. Data between processes travels by
    Dask's own protocol; mediamon writes no pickle file.

:func:`resolve` turns the ``executor=`` argument (or a corpus's ``using(...)`` choice) into one:
``None``/``"serial"``, ``"dask"`` (a local cluster of two worker processes, started once per
process, with TLS and per-cluster certificates and no dashboard), a scheduler address
(``"tcp://host:8786"`` or ``"tls://..."``), a ``dask.distributed.Client``, or an executor object.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .errors import InputError, MediamonError

log = logging.getLogger(__name__)

__all__ = ["DaskExecutor", "DistributedError", "Executor", "SerialExecutor", "close", "get_client", "resolve"]

_LOCK = threading.Lock()
_CLIENTS: dict[str, dict[str, Any]] = {}


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
    """The per-shard tasks as Dask tasks on *client*'s cluster, gathered in shard order."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def map(self, task: Callable[..., Any], source: Any, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        n = len(args)
        if n == 0:
            return []
        columns = [list(c) for c in zip(*args)] if args[0] else []
        keys = [f"mediamon-{task.__name__}-{i}-{os.urandom(4).hex()}" for i in range(n)]
        futures = self.client.map(task, [source] * n, list(range(n)), *columns, pure=False, key=keys)
        return self.client.gather(futures)

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client!r})"


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
