"""Shared fixtures: the bundled corpora, the bundled actors, and the optional ../shared data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

import mediamon
from mediamon import executors
from mediamon.ingestion import ingest
from mediamon.store import ShardedCorpus
from mediamon.indexbuild import build_index

# A busy CI machine must not turn slow example generation into a failure; properties still run in full.
settings.register_profile("mediamon", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("mediamon")

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO / "corpora"
SEED_DIR = CORPORA / "seed"
SAMPLE_DIR = CORPORA / "mm-sample"
#: Version 1 of the bundled sample alone (the folder is v2: v1 + Kremlin 2021-22 + Russian 2025 items)
SAMPLE_V1 = SAMPLE_DIR / "mm_sample_v1.jsonl"
ACTORS_FILE = CORPORA / "actors.yaml"
SHARED = Path(os.environ.get("MEDIAMON_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a clean skip when that folder is not on this machine."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available on this machine (reference data from ../shared)")
    return path


@pytest.fixture(scope="session")
def seed_corpus() -> mediamon.Corpus:
    return mediamon.read_corpus(SEED_DIR)


@pytest.fixture(scope="session")
def sample_corpus() -> mediamon.Corpus:
    return mediamon.read_corpus(SAMPLE_DIR)


@pytest.fixture(scope="session")
def sample_v1() -> mediamon.Corpus:
    return mediamon.read_corpus(SAMPLE_V1)


@pytest.fixture(scope="session")
def actors() -> mediamon.ActorSet:
    return mediamon.read_actors(ACTORS_FILE)


def fresh_index(corpus: mediamon.Corpus, **options: object) -> mediamon.TokenIndex:
    """A newly built token index of *corpus* (not the corpus's cached one)."""
    docs = corpus.docs
    return build_index(
        docs["text"].tolist(), docs["body_start"].to_numpy(), docs["body_end"].to_numpy(),
        fingerprint=corpus.fingerprint, doc_ids=docs["doc_id"].tolist(), langs=docs["lang"].tolist(), **options,
    )


# ---------------------------------------------------------------------------------------------
# every kind of corpus (tests/test_engine*.py): the same answers from memory, views, stores and Dask
# ---------------------------------------------------------------------------------------------
def view_of(corpus):
    """The view the view kinds use: documents of both outlets, dated and undated, across every shard."""
    return corpus.sample(900, seed=5)


def fresh(corpus: mediamon.Corpus) -> mediamon.Corpus:
    """The same documents as a new Corpus: no base, its own index built from scratch."""
    return mediamon.Corpus(corpus.docs.copy(), corpus.manifest, name=corpus.name)


def assert_same(got: object, want: object, attributes: list[str], name: str) -> None:
    """The *attributes* of two results are equal (tables row for row, arrays element for element;
    ``"self"``: the results themselves, e.g. two tables)."""
    for attribute in attributes:
        a, b = (got, want) if attribute == "self" else (getattr(got, attribute), getattr(want, attribute))
        if isinstance(b, pd.DataFrame):
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), obj=f"{name}: {attribute}")
        elif isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f"{name}: {attribute}")
        else:
            assert a == b, f"{name}: {attribute}: {a!r} != {b!r}"


@pytest.fixture(scope="module")
def close_clusters():
    """Close, after a module's tests, the Dask cluster they started (``pytestmark = usefixtures``)."""
    yield
    executors.close()


@pytest.fixture(scope="session")
def engine_store(tmp_path_factory: pytest.TempPathFactory) -> ShardedCorpus:
    """The bundled sample in four shards, indexed at ingest."""
    return ingest(SAMPLE_DIR, tmp_path_factory.mktemp("stores") / "mm-sample", shard_size=343)


@pytest.fixture(scope="module")
def dask_store(tmp_path_factory: pytest.TempPathFactory) -> ShardedCorpus:
    # not indexed at ingest: the workers build the shard indexes where the shards are
    store = ingest(SAMPLE_DIR, tmp_path_factory.mktemp("dask") / "mm-sample", shard_size=343, index=False)
    return store.using("dask")


@pytest.fixture(scope="module")
def kinds(sample_corpus: mediamon.Corpus, engine_store: ShardedCorpus, dask_store: ShardedCorpus) -> dict:
    """Each kind of corpus, with the in-memory selection its reference is computed on."""
    mediamon.index(sample_corpus)  # so that the in-memory view below reuses it with a selection
    view = view_of(sample_corpus)
    assert not view.has_index() and view.base is sample_corpus
    return {
        "memory": (sample_corpus, sample_corpus),
        "memory view": (view, view),
        "store": (engine_store, sample_corpus),
        "store view": (view_of(engine_store), view),
        "dask": (dask_store, sample_corpus),
        "dask view": (view_of(dask_store), view),
    }
