"""One call for both kinds of corpus: a sharded store goes to the out-of-core engine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mediamon
from conftest import ACTORS_FILE, SAMPLE_DIR
from mediamon.store import ShardedCorpus


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("routing") / "store"
    mediamon.ingest(SAMPLE_DIR, dest, shard_size=400)
    return dest


def test_read_corpus_opens_a_store_and_every_analysis_accepts_it(store: Path, sample_corpus) -> None:
    data = mediamon.read_corpus(store)
    assert isinstance(data, ShardedCorpus) and len(data) == len(sample_corpus)
    actors = mediamon.read_actors(ACTORS_FILE)
    pd.testing.assert_frame_equal(
        mediamon.kwic(data, "minnikhanov").df.drop(columns=["token_start", "token_end"]),
        mediamon.kwic(sample_corpus, "minnikhanov").df.drop(columns=["token_start", "token_end"]),
        check_dtype=False,
    )
    a = mediamon.cooccurrence(data, actors).df
    b = mediamon.cooccurrence(sample_corpus, actors).df
    assert a[["a", "b", "n_ab", "n_a", "n_b", "n"]].values.tolist() == b[["a", "b", "n_ab", "n_a", "n_b", "n"]].values.tolist()
    assert len(mediamon.mentions(data, actors)) == len(mediamon.mentions(sample_corpus, actors))
    assert mediamon.collocates(data, "kazan").df["collocate"].head(10).tolist() == (
        mediamon.collocates(sample_corpus, "kazan").df["collocate"].head(10).tolist()
    )
    assert mediamon.timeline(data, actors, freq="Y").df.equals(mediamon.timeline(sample_corpus, actors, freq="Y").df)
