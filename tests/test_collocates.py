"""Collocates and stopwords: NLTK's BigramCollocationFinder, plain-Python window counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from nltk.collocations import BigramCollocationFinder
from nltk.metrics.association import BigramAssocMeasures as BAM

import mediamon as mm
from mediamon.analysis.collocates import COLLOCATE_COLUMNS, collocates, word_pairs
from mediamon.errors import InputError, NotFoundError
from mediamon.stopwords import stopwords, vocab_mask

ROOT = Path(__file__).resolve().parents[1]
SHARED_NLTK = ROOT.parent / "shared" / "nltk_data"

NLTK_FN = {
    "pmi": BAM.pmi,
    "llr": BAM.likelihood_ratio,
    "chi2": BAM.chi_sq,
    "dice": BAM.dice,
    "jaccard": BAM.jaccard,
    "t_score": BAM.student_t,
}


@pytest.fixture(scope="module")
def small():
    """A small slice of mm-sample: 120 documents."""
    return mm.read_corpus(ROOT / "corpora" / "mm-sample").head(120)


@pytest.fixture(scope="module")
def doc_tokens(small):
    ix = mm.index(small)
    vocab = np.asarray(ix.vocab, dtype=object)
    return [list(vocab[ix.ids[ix.doc_offsets[d] : ix.doc_offsets[d + 1]]]) for d in range(ix.n_docs)]


def nltk_finder(doc_tokens, window):
    """NLTK over the same tokens, documents separated by padding so no window crosses them."""
    stream: list = []
    for toks in doc_tokens:
        stream.extend(toks)
        stream.extend([None] * (window - 1))
    return BigramCollocationFinder.from_words(stream, window_size=window)


# --- NLTK agreement --------------------------------------------------------------------------------
@pytest.mark.parametrize("measure", sorted(NLTK_FN))
@pytest.mark.parametrize("node,window", [("the", 5), ("president", 3), ("russia", 5)])
def test_node_top50_equals_nltk(small, doc_tokens, measure, node, window):
    finder = nltk_finder(doc_tokens, window)
    finder.apply_ngram_filter(lambda w1, w2: w1 != node or w2 == node)
    finder.apply_freq_filter(2)
    want = finder.score_ngrams(NLTK_FN[measure])[:50]
    got = collocates(
        small, node, window=(0, window - 1), measure=measure, min_count=2, stopwords=None,
        punctuation=True, per_position=True,
    ).df.head(50)  # fmt: skip
    assert len(want) >= 40
    assert len(got) == len(want)
    assert got["collocate"].tolist() == [w2 for (_, w2), _ in want]
    np.testing.assert_allclose(got[measure], [s for _, s in want], rtol=1e-7)


@pytest.mark.parametrize("measure", ["llr", "pmi", "t_score"])
def test_full_pair_table_top50_equals_nltk(small, doc_tokens, measure):
    finder = nltk_finder(doc_tokens, 5)
    finder.apply_freq_filter(3)
    want = finder.score_ngrams(NLTK_FN[measure])[:50]
    got = word_pairs(small, window=5, measure=measure, min_count=3).head(50)
    assert list(zip(got["w1"], got["w2"])) == [ng for ng, _ in want]
    np.testing.assert_allclose(got[measure], [s for _, s in want], rtol=1e-7)


# --- plain-Python reference for symmetric, asymmetric windows and filters ---------------------------
def reference_window_counts(doc_tokens, node, left, right):
    counts: Counter = Counter()
    hits = 0
    for toks in doc_tokens:
        for i, t in enumerate(toks):
            if t != node:
                continue
            hits += 1
            for j in list(range(max(0, i - left), i)) + list(range(i + 1, min(len(toks), i + 1 + right))):
                if toks[j] != node:  # node occurrences are never collocates
                    counts[toks[j]] += 1
    return hits, counts


@pytest.mark.parametrize("window", [5, (2, 7), (4, 0)])
def test_window_counts_equal_plain_python(small, doc_tokens, window):
    left, right = (window, window) if isinstance(window, int) else window
    hits, ref = reference_window_counts(doc_tokens, "russia", left, right)
    r = collocates(small, "russia", window=window, min_count=1, stopwords=None, punctuation=True)
    assert r.params["hits"] == hits
    assert dict(zip(r.df["collocate"], r.df["n_ab"])) == dict(ref)
    assert (r.df["left"] + r.df["right"] == r.df["n_ab"]).all()
    if right == 0:
        assert (r.df["right"] == 0).all()
    freq = Counter(t for toks in doc_tokens for t in toks)
    assert all(r.df["n_b"] == [freq[w] for w in r.df["collocate"]])
    assert set(r.df["n"]) == {sum(freq.values())}


def test_defaults_exclude_punctuation_and_stopwords(small):
    r = collocates(small, "russia")
    words = set(r.df["collocate"])
    assert not words & {",", ".", "the", "and", "of"}
    assert (r.df["n_ab"] >= 3).all()
    assert list(r.df.columns) == list(COLLOCATE_COLUMNS)
    scores = r.df["log_dice"].to_numpy()
    assert (np.diff(scores) <= 0).all()


def test_phrase_node_and_mentions_node(small):
    phrase = collocates(small, "vladimir putin", window=3, min_count=1)
    assert phrase.params["hits"] > 0
    assert "putin" not in set(phrase.df["collocate"])  # the node's own tokens are excluded
    m = mm.mentions(small, ROOT / "corpora" / "actors.yaml")
    one = type(m)(df=m.df[m.df["actor"] == "putin"], params=m.params)
    by_actor = collocates(small, one, window=3, min_count=1)
    assert by_actor.params["hits"] == len(one.df)
    assert by_actor.params["node"] == "putin"


def test_collocates_errors(small):
    with pytest.raises(InputError, match=r"collocates\(\): measure='lift'"):
        collocates(small, "iran", measure="lift")
    with pytest.raises(InputError, match=r"collocates\(\): window="):
        collocates(small, "iran", window=(0, 0))
    with pytest.raises(InputError, match="node="):
        collocates(small, 42)


# --- stopwords -------------------------------------------------------------------------------------
def test_stopwords_offline_languages():
    en, ru, fa = stopwords("english"), stopwords("russian"), stopwords("persian")
    assert {"the", "of", "and"} <= en
    assert {"и", "в", "не"} <= ru
    assert "از" in fa and "این" in fa
    assert stopwords("en") == en and stopwords("iso:ru") == ru
    assert stopwords("english+russian") == en | ru


def test_persian_variants_are_folded():
    # Arabic yeh/kaf in a custom list match the Persian forms used by the index
    assert stopwords(["\u064a\u0643"]) == stopwords(["\u06cc\u06a9"])


def test_custom_and_none():
    assert stopwords(["The", "Don’t"]) == frozenset({"the", "don't"})
    assert stopwords(None) == frozenset()
    assert vocab_mask(["the", "putin", ","], "english").tolist() == [True, False, False]
    with pytest.raises(InputError):
        stopwords([1, 2])
    with pytest.raises(InputError, match="klingon"):
        stopwords("klingon")


def test_nltk_stopwords_when_installed():
    if not (SHARED_NLTK / "corpora" / "stopwords.zip").exists():
        pytest.skip("NLTK stopwords not available in ../shared/nltk_data")
    words = stopwords("nltk:english", nltk_paths=[str(SHARED_NLTK)])
    assert len(words) == 179 and "the" in words and "don't" in words


def test_nltk_stopwords_missing_is_a_clear_error(tmp_path):
    with pytest.raises(NotFoundError, match="never downloads"):
        stopwords("nltk:english", nltk_paths=[str(tmp_path)])
