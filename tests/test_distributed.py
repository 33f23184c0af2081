"""mediamon.distributed on a real Dask LocalCluster (2 worker processes): every result equals the
single-corpus engine's, table for table, on mm-sample split into 4 shards (the cases of
test_store.py), and the local out-of-core path gives the same tables."""

from __future__ import annotations

import pytest

distributed_mod = pytest.importorskip("distributed")

import mediamon as mm  # noqa: E402
from mediamon import distributed  # noqa: E402
from mediamon.store import ingest  # noqa: E402

from conftest import SAMPLE_DIR  # noqa: E402
from test_store import CASES, ENGINE, assert_same, resolve_args  # noqa: E402,F401


@pytest.fixture(scope="module")
def client():
    cluster = distributed_mod.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed_mod.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def dask_store(tmp_path_factory):
    # not indexed at ingest: the workers build the shard indexes where the shards are
    return ingest(SAMPLE_DIR, tmp_path_factory.mktemp("dask") / "mm-sample", shard_size=343, index=False)


@pytest.fixture(scope="module")
def engine(sample_corpus, actors):
    cache: dict[str, object] = {}

    def get(name):
        if name not in cache:
            _, fn, args, opts, _ = next(c for c in CASES if c[0] == name)
            opts = {k: (actors if v == "ACTORS" else v) for k, v in opts.items()}
            mentions_of = lambda: ENGINE["mentions"](sample_corpus, actors)  # noqa: E731
            cache[name] = ENGINE[fn](sample_corpus, *resolve_args(args, actors, mentions_of), **opts)
        return cache[name]

    return get


def test_workers_build_the_shard_indexes(client, dask_store):
    sizes = distributed.build_indexes(dask_store, client=client)
    assert len(sizes) == 4 and sum(s["docs"] for s in sizes) == 1370
    assert all(dask_store.index_folder(i).is_dir() for i in range(4))
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_dask_equals_engine(case, client, dask_store, actors, engine):
    name, fn, args, opts, tables = case
    mentions_of = lambda: distributed.mentions(dask_store, actors, client=client)  # noqa: E731
    opts = {k: (actors if v == "ACTORS" else v) for k, v in opts.items()}
    got = getattr(distributed, fn)(dask_store, *resolve_args(args, actors, mentions_of), client=client, **opts)
    assert_same(got, engine(name), tables, name)


def test_dask_takes_a_store_path(client, dask_store, sample_corpus):
    got = distributed.kwic(str(dask_store.path), "Tatarstan", window=3, client=client)
    want = ENGINE["kwic"](sample_corpus, "Tatarstan", window=3)
    assert_same(got, want, ["df"], "kwic by path")


def test_client_and_scheduler_are_exclusive(client, dask_store):
    with pytest.raises(mm.MediamonError, match="not both"):
        distributed.kwic(dask_store, "Kazan", client=client, scheduler="tcp://127.0.0.1:1")


def test_unreachable_scheduler_is_a_clear_error(dask_store):
    with pytest.raises(distributed.DistributedError, match="cannot reach"):
        distributed.get_client(scheduler="tcp://127.0.0.1:9")


def test_scheduler_address_connects_to_a_running_cluster(client, dask_store, sample_corpus):
    address = client.scheduler.address
    try:
        got = distributed.kwic(dask_store, "Minnikhanov", scheduler=address)
    finally:
        distributed.close()
    assert_same(got, ENGINE["kwic"](sample_corpus, "Minnikhanov"), ["df"], "kwic via scheduler address")


def test_dask_honours_a_view(client, dask_store, sample_corpus, actors):
    # the view's rows travel with the store's description; the workers renumber as the local path does
    view, period = dask_store.between("2015-01-01", "2020-12-31"), sample_corpus.between("2015-01-01", "2020-12-31")
    got = distributed.cooccurrence(view, actors, client=client)
    want = ENGINE["cooccurrence"](period, actors)
    assert_same(got, want, ["df", "actors", "mentions", "counts", "n"], "cooc of a view")
    assert_same(distributed.kwic(view, "Putin", client=client), ENGINE["kwic"](period, "Putin"), ["df"], "kwic of a view")
