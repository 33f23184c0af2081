"""The analyses over a sharded corpus on a Dask cluster (optional extra: ``pip install mediamon[dask]``).

Same calls, same results: :func:`kwic`, :func:`mentions`, :func:`cooccurrence`, :func:`collocates`
and :func:`timeline` take a :class:`~mediamon.store.ShardedCorpus` (or a store path) and the options
of the single-corpus functions, plus where to run:

``client=None, scheduler=None``
    A local cluster of two worker processes (``LocalCluster(n_workers=2, processes=True,
    threads_per_worker=1)``), started on first use and reused by later calls in this process
    (:func:`close` stops it; it also stops at exit).
``scheduler="tcp://host:8786"``
    Connect to a running cluster (started with ``dask scheduler`` and ``dask worker tcp://host:8786``).
``client=Client(...)``
    Use an existing ``dask.distributed.Client``.

Every worker must be able to read the store under the same path (a shared or network filesystem,
or the same local disk for a LocalCluster): tasks receive the store's description and a shard
number, read that shard where they run, and build or memory-map its index beside the shard. Tasks
are the per-shard functions of :mod:`mediamon.sharded`, and the partial results are combined by the
same code as the local out-of-core path, so both return identical tables (the tests check it
against the single-corpus engine). Data between processes travels by Dask's own protocol; mediamon
writes no pickle file.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from . import sharded
from .errors import InputError, MediamonError

if TYPE_CHECKING:
    from distributed import Client

    from .actors import ActorSet, Mentions
    from .cooc import Collocates, Cooc
    from .concordance import Kwic
    from .store import ShardedCorpus
    from .timelines import Timeline

log = logging.getLogger(__name__)

__all__ = ["DaskExecutor", "close", "collocates", "cooccurrence", "get_client", "kwic", "mentions", "timeline"]

_LOCK = threading.Lock()
_DEFAULT: dict[str, Any] = {}


class DistributedError(MediamonError, RuntimeError):
    """Dask is missing, or the scheduler cannot be reached."""


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise DistributedError(
            "mediamon.distributed needs dask.distributed; install it with `pip install mediamon[dask]` "
            "(or `pip install 'dask[distributed]'`)."
        ) from None
    return distributed


def get_client(client: Client | None = None, *, scheduler: str | None = None) -> Client:
    """The Dask client to run on: *client*, a new client of *scheduler*, or the default local cluster.

    The default is a ``LocalCluster`` of 2 worker processes with one thread each, dashboard off,
    created on first use and reused until :func:`close` (or the end of the process).
    """
    if client is not None:
        if scheduler is not None:
            raise InputError("distributed: pass client= or scheduler=, not both.")
        return client
    distributed = _import_distributed()
    key = scheduler or "local"
    with _LOCK:
        found = _DEFAULT.get(key)
        if found is not None and found["client"].status == "running":
            return found["client"]
        if scheduler is not None:
            try:
                c = distributed.Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise DistributedError(
                    f"distributed: cannot reach the Dask scheduler at {scheduler!r}: {exc}. Start one with "
                    "`dask scheduler` and workers with `dask worker <address>`, or leave scheduler out to "
                    "use a local cluster."
                ) from None
            _DEFAULT[key] = {"client": c, "cluster": None}
        else:
            cluster = distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            c = distributed.Client(cluster)
            _DEFAULT[key] = {"client": c, "cluster": cluster}
            log.info("distributed: started a local cluster: %s", cluster)
        return c


def close() -> None:
    """Close the clients (and the local cluster) this module started."""
    with _LOCK:
        for entry in list(_DEFAULT.values()):
            try:
                entry["client"].close()
                if entry["cluster"] is not None:
                    entry["cluster"].close()
            except Exception as exc:  # noqa: BLE001 -- shutting down: report, go on
                log.warning("distributed: error while closing: %s", exc)
        _DEFAULT.clear()


atexit.register(close)


class DaskExecutor:
    """Run the per-shard tasks of :mod:`mediamon.sharded` as Dask tasks, gathered in shard order."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def map(self, fn: Callable[..., Any], store: ShardedCorpus, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        n = len(args)
        if n == 0:
            return []
        columns = list(zip(*args)) if args and args[0] else []
        futures = self.client.map(fn, [store] * n, list(range(n)), *[list(c) for c in columns], pure=False,
                                  key=[f"mediamon-{fn.__name__}-{i}-{os.urandom(4).hex()}" for i in range(n)])  # fmt: skip
        return self.client.gather(futures)


def _executor(client: Client | None, scheduler: str | None) -> DaskExecutor:
    return DaskExecutor(get_client(client, scheduler=scheduler))


def kwic(
    store: ShardedCorpus | str | os.PathLike[str],
    pattern: str | Sequence[str] | Any,
    *,
    match: Literal["fixed", "glob", "regex"] = "fixed",
    window: int | tuple[int, int] = 5,
    ignore_case: bool = True,
    actors: ActorSet | str | os.PathLike[str] | None = None,
    clip: Literal["document", "sentence"] = "document",
    client: Client | None = None,
    scheduler: str | None = None,
) -> Kwic:
    """:func:`mediamon.kwic` on Dask (see :func:`mediamon.sharded.kwic` for the combination)."""
    return sharded.kwic(sharded.as_store(store, "distributed.kwic()"), pattern, match=match, window=window,
                        ignore_case=ignore_case, actors=actors, clip=clip,
                        executor=_executor(client, scheduler))  # fmt: skip


def mentions(
    store: ShardedCorpus | str | os.PathLike[str],
    actors: ActorSet | str | os.PathLike[str],
    *,
    client: Client | None = None,
    scheduler: str | None = None,
) -> Mentions:
    """:func:`mediamon.mentions` on Dask."""
    return sharded.mentions(sharded.as_store(store, "distributed.mentions()"), actors,
                            executor=_executor(client, scheduler))  # fmt: skip


def cooccurrence(
    store: ShardedCorpus | str | os.PathLike[str],
    actors: ActorSet | str | os.PathLike[str],
    *,
    unit: Literal["sentence", "paragraph", "document"] = "sentence",
    window: int | None = None,
    min_count: int = 1,
    dedupe: bool = False,
    client: Client | None = None,
    scheduler: str | None = None,
) -> Cooc:
    """:func:`mediamon.cooccurrence` on Dask: per-shard count matrices summed, measures once."""
    return sharded.cooccurrence(sharded.as_store(store, "distributed.cooccurrence()"), actors, unit=unit,
                                window=window, min_count=min_count, dedupe=dedupe,
                                executor=_executor(client, scheduler))  # fmt: skip


def collocates(
    store: ShardedCorpus | str | os.PathLike[str],
    node: str | Sequence[str] | Any,
    *,
    window: int | tuple[int, int] = 5,
    measure: str = "log_dice",
    min_count: int = 3,
    stopwords: str | Sequence[str] | None = "english",
    punctuation: bool = False,
    match: Literal["fixed", "glob", "regex"] = "fixed",
    per_position: bool = False,
    client: Client | None = None,
    scheduler: str | None = None,
) -> Collocates:
    """:func:`mediamon.collocates` on Dask: window and unigram counts summed, scored once."""
    return sharded.collocates(sharded.as_store(store, "distributed.collocates()"), node, window=window,
                              measure=measure, min_count=min_count, stopwords=stopwords,
                              punctuation=punctuation, match=match, per_position=per_position,
                              executor=_executor(client, scheduler))  # fmt: skip


def timeline(
    store: ShardedCorpus | str | os.PathLike[str],
    actors: Any = None,
    *,
    freq: str = "M",
    by: str | None = None,
    pairs: bool = False,
    client: Client | None = None,
    scheduler: str | None = None,
) -> Timeline:
    """:func:`mediamon.timeline` on Dask."""
    return sharded.timeline(sharded.as_store(store, "distributed.timeline()"), actors, freq=freq, by=by,
                            pairs=pairs, executor=_executor(client, scheduler))  # fmt: skip


def build_indexes(
    store: ShardedCorpus | str | os.PathLike[str],
    *,
    client: Client | None = None,
    scheduler: str | None = None,
) -> list[dict[str, int]]:
    """Build (or check) every shard's index on the workers; returns each shard's sizes."""
    store = sharded.as_store(store, "distributed.build_indexes()")
    return _executor(client, scheduler).map(sharded.task_sizes, store, [()] * store.n_shards)
