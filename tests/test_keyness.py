"""Keyness: golden values from plain-Python counting and scipy on a tiny corpus, a hand-worked table,
the contexts of an actor counted by hand, the evidence behind every count, and the CLI.

The tiny corpus is lowercase words separated by spaces, with paragraphs separated by blank lines
(no punctuation, so every paragraph is one sentence): ``str.split`` is its tokenizer, independent
of mediamon's.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mediamon as mm
from mediamon.analysis.keyness import (
    KEYNESS_COLUMNS,
    doc_frequencies,
    keyness,
    merge_ranges,
    range_positions,
)
from mediamon.cli import main
from mediamon.errors import InputError, NotFoundError
from mediamon.ingestion import ingest

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "corpora" / "actors.yaml"
SAMPLE_V1 = ROOT / "corpora" / "mm-sample" / "mm_sample_v1.jsonl"

DOCS = [
    ("a1", "A", "putin met raisi in kazan\n\nthe talks were about oil and gas"),
    ("a2", "A", "oil prices rose as putin spoke\n\nkazan hosted the summit on oil"),
    ("a3", "A", "the summit in kazan ended"),
    ("b1", "B", "raisi visited tehran\n\nthe parliament met in tehran"),
    ("b2", "B", "tehran and moscow signed a deal on gas\n\nraisi said the deal was good"),
    ("b3", "B", "the weather in tehran was hot and the markets were calm"),
    ("b4", "B", "markets in moscow were calm the rouble rose"),
]
TINY_ACTORS = mm.read_actors([{"id": "putin", "name": "Vladimir Putin", "aliases": ["putin"]},
                              {"id": "raisi", "name": "Ebrahim Raisi", "aliases": ["raisi"]}])  # fmt: skip


@pytest.fixture(scope="module")
def tiny() -> mm.Corpus:
    return mm.Corpus(pd.DataFrame({"doc_id": [d[0] for d in DOCS], "source": [d[1] for d in DOCS],
                                   "text": [d[2] for d in DOCS]}), name="tiny")  # fmt: skip


@pytest.fixture(scope="module")
def sample() -> mm.Corpus:
    return mm.read_corpus(SAMPLE_V1)


def plain_counts(sources: set[str]) -> tuple[Counter, Counter, Counter, int, int]:
    """Word counts of the documents of *sources* and of the others, document frequencies in the
    former, and both token totals: plain Python."""
    target, reference, target_docs = Counter(), Counter(), Counter()
    for _, source, text in DOCS:
        words = text.split()
        (target if source in sources else reference).update(words)
        if source in sources:
            target_docs.update(set(words))
    return target, reference, target_docs, sum(target.values()), sum(reference.values())


def bh(p: np.ndarray) -> np.ndarray:
    return stats.false_discovery_control(p, method="bh")


# ---------------------------------------------------------------------------------------------
# golden values
# ---------------------------------------------------------------------------------------------
def test_a_view_against_the_rest_equals_plain_python_and_scipy(tiny):
    k = keyness(tiny, tiny.filter(source="A"), min_count=1, fisher=True)
    target, reference, target_docs, c, d = plain_counts({"A"})
    assert (k.params["tokens_target"], k.params["tokens_reference"]) == (c, d) == (29, 41)
    assert (k.params["documents_target"], k.params["documents_reference"]) == (3, 4)
    vocab = sorted(set(target) | set(reference))
    assert sorted(k.df["word"]) == vocab
    assert list(k.df.columns) == list(KEYNESS_COLUMNS)
    rows = k.df.set_index("word")
    chi2_p, g2_p, fisher = [], [], []
    for w in vocab:
        a, b = target[w], reference[w]
        row = rows.loc[w]
        assert (row["target"], row["reference"], row["target_docs"]) == (a, b, target_docs[w])
        assert (row["target_rest"], row["reference_rest"]) == (c - a, d - b)
        table = np.array([[a, b], [c - a, d - b]])
        sign = np.sign(a * d - b * c)
        yates = stats.chi2_contingency(table, correction=True)
        g2 = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        assert row["chi2"] == pytest.approx(sign * yates.statistic, rel=1e-9, abs=1e-12)
        assert row["g2"] == pytest.approx(sign * g2.statistic, rel=1e-9, abs=1e-12)
        assert row["chi2_p"] == pytest.approx(yates.pvalue, rel=1e-9)
        assert row["g2_p"] == pytest.approx(g2.pvalue, rel=1e-9)
        assert row["fisher_p"] == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)
        assert row["rate_target"] == pytest.approx(1e6 * a / c)
        assert row["rate_reference"] == pytest.approx(1e6 * b / d)
        assert row["log_ratio"] == pytest.approx(math.log2(((a or 0.5) / c) / ((b or 0.5) / d)))
        assert row["pct_diff"] == (math.inf if b == 0 else pytest.approx(100 * (a / c - b / d) / (b / d)))
        assert row["simple_maths"] == pytest.approx((1e6 * a / c + 1) / (1e6 * b / d + 1))
        chi2_p.append(yates.pvalue)
        g2_p.append(g2.pvalue)
        fisher.append(row["fisher_p"])
    np.testing.assert_allclose(rows.loc[vocab, "chi2_p_adj"], bh(np.array(chi2_p)), rtol=1e-9)
    np.testing.assert_allclose(rows.loc[vocab, "g2_p_adj"], bh(np.array(g2_p)), rtol=1e-9)
    np.testing.assert_allclose(rows.loc[vocab, "fisher_p_adj"], bh(np.array(fisher)), rtol=1e-9)
    # sorted by signed G², strongest keyword of the target first; ties by word
    want = sorted(vocab, key=lambda w: (-rows.loc[w, "g2"], w))
    assert k.df["word"].tolist() == want


def test_hand_worked_table():
    """'oil' (counted by hand): a1 has 1, a2 has 2, the B documents none; A has 12 + 12 + 5 = 29
    tokens, B 41 (70 in all). Expected counts E = row total x column total / N."""
    corpus = mm.Corpus(pd.DataFrame({"doc_id": [d[0] for d in DOCS], "source": [d[1] for d in DOCS],
                                     "text": [d[2] for d in DOCS]}))  # fmt: skip
    k = keyness(corpus, corpus.filter(source="A"), min_count=1, correction="none")
    oil = k.df.set_index("word").loc["oil"]
    a, b, c, d, n = 3, 0, 29, 41, 70
    observed = [a, b, c - a, d - b]
    expected = [c * 3 / n, d * 3 / n, c * 67 / n, d * 67 / n]  # word row total 3, other row total 67
    g2 = 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected) if o)
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected))
    assert (oil["target"], oil["reference"]) == (a, b)
    assert oil["g2"] == pytest.approx(g2, rel=1e-12)
    assert oil["chi2"] == pytest.approx(chi2, rel=1e-12)
    # on paper: G2 = 2 [3 ln(3 / 1.242857) + 26 ln(26 / 27.757143) + 41 ln(41 / 39.242857)]
    #              = 2 [2.643600 - 1.700351 + 1.795919] = 5.4783;
    # chi2 = N (O11 O22 - O12 O21)^2 / (R1 R2 C1 C2) = 70 * 123^2 / (3 * 67 * 29 * 41) = 1059030 / 238989 = 4.4313
    assert round(oil["g2"], 3) == 5.478 and round(oil["chi2"], 4) == 4.4313
    assert oil["log_ratio"] == pytest.approx(math.log2((3 / 29) / (0.5 / 41)))


def test_min_count_stopwords_and_totals(tiny):
    k = keyness(tiny, tiny.filter(source="A"), min_count=3, stopwords=["the", "in"])
    target, reference, _, c, d = plain_counts({"A"})
    want = {w for w in set(target) | set(reference) if target[w] + reference[w] >= 3} - {"the", "in"}
    assert set(k.df["word"]) == want
    # stopwords are not tested but still count: the totals are all the words
    assert (k.params["tokens_target"], k.params["tokens_reference"]) == (c, d)
    assert k.params["words_tested"] == len(want)


def test_explicit_reference_another_corpus_and_the_rest_agree(tiny):
    """Three paths to the same table: the rest, the other view, and two separate corpora."""
    rest = keyness(tiny, tiny.filter(source="A"), min_count=1)
    other_view = keyness(tiny, tiny.filter(source="A"), tiny.filter(source="B"), min_count=1)
    a_alone = mm.Corpus(tiny.docs[tiny.docs["source"] == "A"].copy(), name="A")
    b_alone = mm.Corpus(tiny.docs[tiny.docs["source"] == "B"].copy(), name="B")
    two_corpora = keyness(a_alone, a_alone, b_alone, min_count=1)
    pd.testing.assert_frame_equal(rest.df, other_view.df)
    pd.testing.assert_frame_equal(rest.df, two_corpora.df)
    assert other_view.params["reference"] == "tiny|filter(source='B')" and rest.params["reference"] == "rest of tiny"


def test_overlapping_reference_counts_both_sides(tiny):
    """A reference view that holds the target counts the target's documents on both sides."""
    k = keyness(tiny, tiny.filter(source="A"), tiny, min_count=1)
    target, reference, _, c, d = plain_counts({"A"})
    assert k.params["tokens_reference"] == c + d and k.params["overlap_documents"] == 3
    assert k.df.set_index("word").loc["oil", "reference"] == target["oil"] + reference["oil"]


def context_counts(window: int | None, unit: str | None, actor: str) -> tuple[Counter, Counter, Counter]:
    """Plain Python: the tokens within *window* of each mention of *actor* (or in its paragraphs
    or document), the mentions excluded; the other tokens; and the documents per context word."""
    inside, outside, docs = Counter(), Counter(), Counter()
    for _, _, text in DOCS:
        paragraphs = [p.split() for p in text.split("\n\n")]
        words = [w for p in paragraphs for w in p]
        para_of = [k for k, p in enumerate(paragraphs) for _ in p]
        mentions = {i for i, w in enumerate(words) if w == actor}
        chosen: set[int] = set()
        for i in mentions:
            if window is not None:
                chosen |= {j for j in range(i - window, i + window + 1) if 0 <= j < len(words)}
            elif unit == "document":
                chosen |= set(range(len(words)))
            else:
                chosen |= {j for j in range(len(words)) if para_of[j] == para_of[i]}
        context = chosen - mentions
        inside.update(words[j] for j in context)
        outside.update(words[j] for j in range(len(words)) if j not in chosen)
        docs.update({words[j] for j in context})
    return inside, outside, docs


@pytest.mark.parametrize("window, unit", [(2, None), (1, None), (None, "sentence"), (None, "paragraph"), (None, "document")])
@pytest.mark.parametrize("actor", ["putin", "raisi"])
def test_actor_contexts_equal_a_hand_count(tiny, window, unit, actor):
    k = keyness(tiny, actor, actors=TINY_ACTORS, window=window, unit=unit, min_count=1)
    inside, outside, docs = context_counts(window, unit, actor)
    assert k.params["tokens_target"] == sum(inside.values())
    assert k.params["tokens_reference"] == sum(outside.values())
    got = k.df.set_index("word")
    for w in set(inside) | set(outside):
        assert (got.loc[w, "target"], got.loc[w, "reference"], got.loc[w, "target_docs"]) == (inside[w], outside[w], docs[w]), w
    assert actor not in got.index  # the mentions count on neither side
    # and the statistics are those of the stats layer on these counts
    row = got.loc[next(iter(inside))]
    a, b, c, d = row["target"], row["reference"], k.params["tokens_target"], k.params["tokens_reference"]
    assert row["g2"] == pytest.approx(np.sign(a * d - b * c) * stats.chi2_contingency(
        [[a, b], [c - a, d - b]], correction=False, lambda_="log-likelihood").statistic)  # fmt: skip


def test_a_mentions_result_gives_the_same_contexts(tiny):
    found = mm.mentions(tiny, TINY_ACTORS)
    by_id = keyness(tiny, "putin", actors=TINY_ACTORS, window=2, min_count=1)
    by_mentions = keyness(tiny, found.of("putin"), window=2, min_count=1)
    by_actor = keyness(tiny, TINY_ACTORS["putin"], window=2, min_count=1)
    pd.testing.assert_frame_equal(by_id.df, by_mentions.df)
    pd.testing.assert_frame_equal(by_id.df, by_actor.df)


# ---------------------------------------------------------------------------------------------
# evidence
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", ["view", "window", "sentence"])
def test_evidence_lists_every_counted_occurrence(sample, actors, make):
    if make == "view":
        k = keyness(sample, sample.filter(source="Tehran Times"))
    else:
        k = keyness(sample, "raisi", actors=actors, **({"window": 4} if make == "window" else {"unit": "sentence"}))
    for word in k.df["word"].head(4).tolist() + k.df["word"].tail(2).tolist():
        row = k.df.set_index("word").loc[word]
        ev = k.evidence(word, window=3)
        assert len(ev) == row["target"], word
        assert ev.df["doc_id"].nunique() == row["target_docs"]
        assert (ev.df["match"].astype(str).map(mm.normalize) == word).all()
        assert len(k.evidence(word, where="reference")) == row["reference"], word
    if make == "view":
        sources = set(k.evidence(k.df["word"].iloc[0]).df["source"].astype(str))
        assert sources == {"Tehran Times"}


def test_evidence_is_sortable_and_says_where(sample):
    k = keyness(sample, sample.filter(source="President of Russia (en.kremlin.ru)"))
    ev = k.evidence("tatarstan")
    assert ev.params["where"] == "target" and len(ev.sort("1R")) == len(ev)
    with pytest.raises(InputError, match="where="):
        k.evidence("tatarstan", where="both")  # type: ignore[arg-type]


def test_dedupe_counts_each_duplicate_once(tmp_path):
    texts = ["oil and gas in kazan", "OIL and  gas in Kazan", "tehran talks on gas", "oil oil"]
    docs = pd.DataFrame({"doc_id": ["d0", "d1", "d2", "d3"], "source": ["A", "A", "B", "B"], "text": texts})
    corpus = mm.Corpus(docs)
    k = keyness(corpus, corpus.filter(source="A"), min_count=1, dedupe=True)
    assert k.params["tokens_target"] == 5 and k.params["n_duplicates"] == 1
    assert k.df.set_index("word").loc["oil", ["target", "reference"]].tolist() == [1, 2]
    assert len(k.evidence("kazan")) == 1 and k.duplicates["doc_id"].tolist() == ["d1"]


# ---------------------------------------------------------------------------------------------
# shards, internals, errors
# ---------------------------------------------------------------------------------------------
def test_a_store_gives_the_same_table(tmp_path, sample, actors):
    store = ingest(SAMPLE_V1, tmp_path / "s", shard_size=300)
    assert store.n_shards > 2
    for make in (lambda c: c.filter(source="Tehran Times"), lambda c: c.between("2015-01-01", "2020-12-31")):
        pd.testing.assert_frame_equal(keyness(store, make(store)).df, keyness(sample, make(sample)).df)
    pd.testing.assert_frame_equal(keyness(store, "putin", actors=actors, window=5).df,
                                  keyness(sample, "putin", actors=actors, window=5).df)  # fmt: skip
    view = store.filter(source="President of Russia (en.kremlin.ru)")
    pd.testing.assert_frame_equal(keyness(view, view.between("2019-01-01")).df,
                                  keyness(sample.filter(source="President of Russia (en.kremlin.ru)"),
                                          sample.filter(source="President of Russia (en.kremlin.ru)").between("2019-01-01")).df)  # fmt: skip


def test_doc_frequencies_paths_agree(sample):
    ix = sample.index
    rng = np.random.default_rng(0)
    for pos in (np.sort(rng.choice(ix.n_tokens, 5000, replace=False)), np.arange(0, ix.n_tokens, 2)):
        np.testing.assert_array_equal(doc_frequencies(ix, pos, method="pairs"), doc_frequencies(ix, pos, method="postings"))


def test_ranges():
    s, e = merge_ranges(np.array([5, 0, 2, 9, 12]), np.array([7, 3, 4, 9, 14]))
    assert s.tolist() == [0, 5, 12] and e.tolist() == [4, 7, 14]  # [9, 9) is empty
    assert range_positions(s, e).tolist() == [0, 1, 2, 3, 5, 6, 12, 13]


def test_errors(tiny, sample):
    with pytest.raises(InputError, match="not a view of the corpus"):
        keyness(tiny, sample)
    with pytest.raises(InputError, match="window=N"):
        keyness(tiny, "putin", actors=TINY_ACTORS)
    with pytest.raises(InputError, match="not both"):
        keyness(tiny, "putin", actors=TINY_ACTORS, window=2, unit="sentence")
    with pytest.raises(InputError, match="needs actors="):
        keyness(tiny, "putin", window=2)
    with pytest.raises(NotFoundError, match="no actor 'kazan'"):
        keyness(tiny, "kazan", actors=TINY_ACTORS, window=2)
    with pytest.raises(InputError, match="measure="):
        keyness(tiny, tiny.head(2), measure="tfidf")
    with pytest.raises(InputError, match="target has no words"):
        keyness(tiny, tiny.head(0))
    with pytest.raises(InputError, match="documents that are not in the corpus"):
        keyness(tiny.head(3), tiny.filter(source="B"))
    with pytest.raises(InputError, match="select the contexts"):
        keyness(tiny, tiny.head(2), window=3)


def test_methods_and_display(tiny):
    k = keyness(tiny, tiny.filter(source="A"), min_count=1)
    assert k.top(3)["word"].tolist() == k.df["word"].head(3).tolist()
    assert k.bottom(1)["word"].iloc[0] == k.df["word"].iloc[-1] and (k.bottom(3)["g2"] <= 0).all()
    assert "rest of tiny" in k.caption() and "<table" in k._repr_html_()
    assert set(k.significant(1.0)["word"]) == set(k.df.loc[k.df["g2"] > 0, "word"])
    ax = k.plot(top=5)
    labels = {t.get_text() for t in ax.texts}
    assert {"oil", "kazan"} <= labels and "tehran" in labels  # target words right, reference words left
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tiny|filter(source='A')", "rest of tiny"]


def test_cli_keyness(tmp_path, capsys, sample):
    out = tmp_path / "k.csv"
    code = main(["keyness", str(SAMPLE_V1), "--target-source", "Tehran Times", "--max-rows", "5", "--csv", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    want = keyness(sample, sample.filter(source="Tehran Times"))
    assert want.df["word"].iloc[0] in printed and f"{want.params['words_tested']:,} words tested" in printed
    pd.testing.assert_series_equal(pd.read_csv(out, keep_default_na=False)["word"].astype(str), want.df["word"].astype(str),
                                   check_names=False)  # fmt: skip
    code = main(["keyness", str(SAMPLE_V1), "--actor", "raisi", "--actors", str(ACTORS), "--unit", "sentence"])
    assert code == 0 and "contexts of raisi (sentences)" in capsys.readouterr().out
    assert main(["keyness", str(SAMPLE_V1)]) == 2
    assert "exactly one of --target-source" in capsys.readouterr().err
