"""Corpus: immutability, derived corpora, fingerprint, escaped display."""

from __future__ import annotations

import dataclasses
import gc
import sys

import numpy as np
import pandas as pd
import pytest

import mediamon
from mediamon.errors import ColumnError, InputError


def make() -> mediamon.Corpus:
    return mediamon.Corpus(
        pd.DataFrame(
            {
                "doc_id": ["a", "b", "c", "d"],
                "text": ["Putin <script>alert(1)</script>", "Raisi", "Kazan \u202eevil", "undated"],
                "date": ["2021-01-01", "2021-06-30T23:59:00+00:00", "2022-01-01", None],
                "source": ["X", "Y", "X", "Y"],
                "title": ['<img src=x onerror="alert(1)">', "t", "t", "t"],
            }
        ),
        name="<b>demo</b>",
    )


def test_corpus_is_immutable_and_derived_corpora_are_new() -> None:
    c = make()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.docs = c.docs  # type: ignore[misc]
    x = c.filter(source="X")
    assert x is not c and list(x.docs.doc_id) == ["a", "c"] and len(c) == 4
    assert list(c.filter(lambda d: d.text.str.len() > 6).docs.doc_id) == ["a", "c", "d"]
    assert list(c.filter(source=["X", "Y"]).docs.doc_id) == ["a", "b", "c", "d"]
    with pytest.raises(ColumnError, match="column 'outlet' not found"):
        c.filter(outlet="X")
    with pytest.raises(InputError, match="mask has shape"):
        c.filter(np.array([True]))


def test_between_is_inclusive_of_whole_end_day_and_drops_undated() -> None:
    c = make()
    assert list(c.between("2021-01-01", "2021-06-30").docs.doc_id) == ["a", "b"]
    assert list(c.between("2021-01-02").docs.doc_id) == ["b", "c"]
    assert list(c.between(end="2021-06-30T12:00").docs.doc_id) == ["a"]
    assert c.docs.date.dt.tz is not None and str(c.docs.date.dt.tz) == "UTC"


def test_sample_and_head_are_reproducible() -> None:
    c = make()
    assert list(c.sample(2, seed=3).docs.doc_id) == list(c.sample(2, seed=3).docs.doc_id)
    assert len(c.sample(10).docs) == 4
    assert list(c.head(2).docs.doc_id) == ["a", "b"]


def test_fingerprint_follows_content() -> None:
    a, b = make(), make()
    assert a.fingerprint == b.fingerprint
    assert a.head(3).fingerprint != a.fingerprint
    changed = mediamon.Corpus(a.docs.assign(text=a.docs.text.str.replace("Putin", "Путин")))
    assert changed.fingerprint != a.fingerprint


def test_ids_must_be_unique() -> None:
    with pytest.raises(InputError, match="doc_id must be unique"):
        mediamon.Corpus(pd.DataFrame({"doc_id": ["a", "a"], "text": ["x", "y"]}))


def test_repr_html_shows_counts_dates_sources_and_escapes_everything() -> None:
    html = make()._repr_html_()
    assert "4" in html and "2021-01-01 to 2022-01-01" in html and "1 undated" in html
    assert "X (2)" in html
    assert "<script" not in html and "<img" not in html and "<b>demo" not in html and "\u202e" not in html
    assert "&lt;script&gt;" in html


def test_seed_summary_shows_load_counts(seed_corpus) -> None:
    s = seed_corpus.summary()
    assert s["documents"] == 1 and s["undated"] == 1 and s["first_date"] is None
    counts = seed_corpus.manifest_counts()
    assert counts["discovered"] == counts["loaded"] + counts["rejected"] + counts["skipped"]
    assert "discovered" in seed_corpus._repr_html_()


def test_a_corpus_does_not_keep_the_texts_it_was_given_as_python_strings() -> None:
    # the corpus holds its texts as Arrow strings; the given objects must not stay alive with it
    # (a column view into the frame's old block would keep them: ~2 bytes per character per text)
    text = "Putin met Raisi in Kazan. " * 100 + "unique-" + str(id(object()))
    alone = sys.getrefcount(text)
    docs = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in
                         [("doc_id", ["a", "b"]), ("text", [text, "Other text."]), ("title", ["T", "U"])]})  # fmt: skip
    corpus = mediamon.Corpus(docs)
    del docs
    gc.collect()
    assert sys.getrefcount(text) == alone
    assert corpus.docs["text"].iloc[0] == text
