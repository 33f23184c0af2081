"""Timeline: plain-Python references for per-period counts, shares and undated documents."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mediamon as mm
from mediamon.analysis.timeline import timeline
from mediamon.cli import main
from mediamon.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "corpora" / "actors.yaml"


@pytest.fixture(scope="module")
def sample():
    return mm.read_corpus(ROOT / "corpora" / "mm-sample")


@pytest.fixture(scope="module")
def sample_mentions(sample):
    return mm.mentions(sample, ACTORS)


def test_yearly_counts_equal_plain_python(sample, sample_mentions):
    tl = timeline(sample, sample_mentions, freq="Y")
    docs = sample.docs
    year_of = {}
    total = Counter()
    for row, d in enumerate(docs["date"].tolist()):
        if pd.notna(d):
            year_of[row] = d.year
            total[d.year] += 1
    mentions = Counter()
    documents = defaultdict(set)
    for row, actor in zip(sample_mentions.df["doc"].tolist(), sample_mentions.df["actor"].tolist()):
        if row in year_of:
            mentions[(year_of[row], actor)] += 1
            documents[(year_of[row], actor)].add(row)
    df = tl.df
    years = range(min(total), max(total) + 1)
    assert sorted(df["period"].dt.year.unique()) == list(years)  # empty years are present
    for r in df.itertuples(index=False):
        y = r.period.year
        assert r.mentions == mentions[(y, r.actor)]
        assert r.documents == len(documents[(y, r.actor)])
        assert r.total_documents == total[y]
        if total[y]:
            assert r.share == pytest.approx(len(documents[(y, r.actor)]) / total[y])
        else:
            assert np.isnan(r.share)
    assert str(df["period"].dt.tz) == "UTC"


def test_undated_documents_are_reported(sample, sample_mentions):
    tl = timeline(sample, sample_mentions, freq="M")
    undated_rows = set(np.flatnonzero(sample.docs["date"].isna().to_numpy()).tolist())
    assert tl.params["undated_documents"] == len(undated_rows) > 0
    m = sample_mentions.df
    for r in tl.undated.itertuples(index=False):
        if r.actor is None:
            assert r.documents == len(undated_rows)
            assert r.mentions == int(m["doc"].isin(undated_rows).sum())
        else:
            sub = m[(m["actor"] == r.actor) & m["doc"].isin(undated_rows)]
            assert r.mentions == len(sub) and r.documents == sub["doc"].nunique()
    # dated + undated mentions add up to all mentions: nothing silently dropped
    assert tl.df["mentions"].sum() + tl.undated["mentions"].iloc[-1] == len(m)
    assert "without a date" in tl._repr_html_()


def test_by_source_and_documents_only():
    docs = pd.DataFrame(
        {
            "doc_id": ["1", "2", "3", "4", "5"],
            "text": ["Putin spoke.", "Raisi spoke.", "Putin met Raisi.", "Weather.", "Putin again."],
            "date": ["2024-01-05", "2024-01-20", "2024-03-02", "2024-03-09", None],
            "source": ["A", "B", "A", "A", "B"],
        }
    )
    corpus = mm.Corpus(docs)
    actors = mm.read_actors(
        [{"id": "putin", "name": "Putin", "aliases": ["Putin"]}, {"id": "raisi", "name": "Raisi", "aliases": ["Raisi"]}]
    )
    tl = timeline(corpus, actors, freq="M", by="source", pairs=True)
    df = tl.df.set_index(["period", "source", "actor"])
    jan, feb, mar = (pd.Timestamp(f"2024-0{m}-01", tz="UTC") for m in (1, 2, 3))
    assert df.loc[(jan, "A", "putin"), "documents"] == 1
    assert df.loc[(jan, "A", "putin"), "share"] == 1.0
    assert df.loc[(mar, "A", "putin"), "share"] == 0.5  # 1 of A's 2 March documents
    assert df.loc[(feb, "A", "putin"), "total_documents"] == 0 and np.isnan(df.loc[(feb, "A", "putin"), "share"])
    assert tl.params["undated_documents"] == 1
    assert tl.pairs[["a", "b", "n_ab"]].values.tolist() == [["putin", "raisi", 1]]
    only_docs = timeline(corpus, freq="M")
    assert only_docs.df["documents"].tolist() == [2, 0, 2]
    assert tl.documents_of("2024-03-01", "raisi")["doc_id"].tolist() == ["3"]


def test_bad_freq_and_by(sample):
    with pytest.raises(InputError, match=r"timeline\(\): freq='fortnight'"):
        timeline(sample, freq="fortnight")
    with pytest.raises(InputError, match=r"by='outlet'"):
        timeline(sample, by="outlet")


def test_cli_timeline_reports_undated(tmp_path, capsys):
    out = tmp_path / "t.csv"
    code = main(["timeline", str(ROOT / "corpora" / "mm-sample"), "--actors", str(ACTORS), "--freq", "Y",
                 "--csv", str(out)])  # fmt: skip
    assert code == 0
    assert "755 documents without a date" in capsys.readouterr().out
    assert {"period", "actor", "mentions", "documents", "share"} <= set(pd.read_csv(out).columns)
