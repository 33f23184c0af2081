"""TokenIndex: structure, agreement with the reference tokenizer, lookups, persistence."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mediamon
import mediamon.indexbuild as ib
import reference
from mediamon.errors import PatternError
from mediamon.text import normalize
from mediamon.tokenindex import TokenIndex
from conftest import fresh_index as build_index


@pytest.fixture(scope="module")
def ix(sample_corpus: mediamon.Corpus) -> TokenIndex:
    return mediamon.index(sample_corpus)


def test_tokens_equal_the_reference_tokenizer_document_by_document(sample_corpus, ix) -> None:
    docs = sample_corpus.docs
    for row, (text, a, b) in enumerate(zip(docs["text"], docs["body_start"], docs["body_end"])):
        lo, hi = ix.doc_offsets[row], ix.doc_offsets[row + 1]
        ref = reference.doc_tokens(text, int(a), int(b))
        assert list(zip(ix.start[lo:hi].tolist(), ix.end[lo:hi].tolist())) == [(s, e) for s, e, _ in ref]
        assert [ix.vocab[i] for i in ix.ids[lo:hi]] == [f for _, _, f in ref]


def test_array_layout_and_invariants(sample_corpus, ix) -> None:
    assert ix.ids.dtype == np.int32 and ix.start.dtype == np.int32 and ix.length.dtype == np.uint16
    assert ix.n_docs == len(sample_corpus)
    # per token: ids, start, length and postings only; boundaries per document/sentence/paragraph
    per_token = ix.ids.nbytes + ix.start.nbytes + ix.length.nbytes + ix.postings.nbytes
    assert per_token / ix.n_tokens == 14 and ix.nbytes / ix.n_tokens < 16
    doc, sent, para, end = (np.asarray(a) for a in (ix.doc, ix.sent, ix.para, ix.end))
    assert doc.size == sent.size == para.size == end.size == ix.n_tokens
    assert np.all(np.diff(doc) >= 0) and np.all(np.diff(sent) >= 0) and np.all(np.diff(para) >= 0)
    assert np.all(np.diff(sent) <= 1) and np.all(np.diff(para) <= 1)
    # a sentence and a paragraph never span two documents; a paragraph start is a sentence start
    assert np.all(ix.sent_doc[sent] == doc) and np.all(ix.para_doc[para] == doc)
    new_para = np.flatnonzero(np.diff(para)) + 1
    assert np.all(np.diff(sent)[new_para - 1] == 1)
    assert np.all(ix.start < end)
    assert ix.counts.sum() == ix.n_tokens
    # the views answer for the positions asked exactly as the materialised arrays
    pos = np.random.default_rng(0).integers(0, ix.n_tokens, 1000)
    assert np.array_equal(ix.doc[pos], doc[pos]) and np.array_equal(ix.sent[pos], sent[pos])
    assert np.array_equal(ix.para[pos], para[pos]) and np.array_equal(ix.end[pos], end[pos])
    assert ix.doc[int(pos[0])] == doc[pos[0]]


def test_postings_give_the_positions_of_each_form(ix) -> None:
    for form in ["putin", "raisi", "iran", ".", "minnikhanov"]:
        i = ix.vocab_id(form)
        assert i >= 0
        assert np.array_equal(ix.positions(i), np.flatnonzero(ix.ids == i))
    both = [ix.vocab_id("putin"), ix.vocab_id("raisi")]
    assert np.array_equal(ix.positions(both), np.flatnonzero(np.isin(ix.ids, both)))
    assert ix.vocab_id("no-such-form") == -1 and ix.positions(-1).size == 0


def test_find_phrase_glob_and_regex(ix) -> None:
    s, e = ix.find("Islamic Republic")
    assert s.size > 100 and np.all(e - s == 2)
    assert np.all(ix.ids[s] == ix.vocab_id("islamic")) and np.all(ix.ids[s + 1] == ix.vocab_id("republic"))
    g, _ = ix.find("tatar*", match="glob")
    assert set(ix.vocab[i] for i in ix.ids[g]) == {f for f in ix.vocab if f.startswith("tatar")}
    r, _ = ix.find(r"tatar\w*", match="regex")
    assert np.array_equal(g, r)
    with pytest.raises(PatternError, match="bad regex"):
        ix.find("tatar(", match="regex")


def test_metacharacters_are_literal_in_fixed_mode() -> None:
    c = mediamon.Corpus(pd.DataFrame({"doc_id": ["a"], "text": ["C++ and U.S. and (a|b) and U.S and C"]}))
    ix = mediamon.index(c)
    assert ix.find("C++")[0].size == 1
    assert ix.find("U.S.")[0].size == 1  # not "U.S" without the final period
    assert ix.find("(a|b)")[0].size == 1
    assert ix.find(".*", match="fixed")[0].size == 0


def test_batching_and_worker_processes_do_not_change_the_index(sample_corpus, ix, monkeypatch) -> None:
    monkeypatch.setattr(ib, "_BATCH_CHARS", 50_000)
    small = build_index(sample_corpus, progress=False, workers=1)
    forked = build_index(sample_corpus, progress=False, workers=2)
    for other in (small, forked):
        assert [other.vocab[i] for i in other.ids[:5000]] == [ix.vocab[i] for i in ix.ids[:5000]]
        assert sorted(other.vocab) == sorted(ix.vocab)
        remap = np.array([ix.vocab_id(f) for f in other.vocab])
        assert np.array_equal(remap[other.ids], ix.ids)
        for name in ("doc", "sent", "para", "start", "end", "doc_offsets", "sent_offsets", "para_offsets"):
            assert np.array_equal(np.asarray(getattr(other, name)), np.asarray(getattr(ix, name))), name


def _same_index(a: TokenIndex, b: TokenIndex) -> bool:
    return a.vocab == b.vocab and all(
        np.array_equal(np.asarray(getattr(a, name)), np.asarray(getattr(b, name)))
        for name in ("ids", "start", "length", "doc_offsets", "sent_offsets", "para_offsets", "postings", "postings_ptr")
    )


def test_builds_started_together_each_get_their_own_documents(sample_corpus, ix, monkeypatch) -> None:
    monkeypatch.setattr(ib, "_BATCH_CHARS", 50_000)  # several batches, so the workers are used
    half = sample_corpus.head(len(sample_corpus) // 2)
    first = sample_corpus.start_token_index(workers=2)
    second = half.start_token_index(workers=2)  # while the first one's workers run
    assert _same_index(second.result(), build_index(half, progress=False, workers=1))
    assert _same_index(first.result(), ix)
    assert first.result() is first.result()  # collected once


def test_a_cancelled_build_stops_its_workers_and_gives_no_index(sample_corpus, monkeypatch) -> None:
    monkeypatch.setattr(ib, "_BATCH_CHARS", 50_000)
    before = set(multiprocessing.active_children())
    build = sample_corpus.start_token_index(workers=2)
    assert len(set(multiprocessing.active_children()) - before) == 2  # forked at the start
    build.cancel()
    assert set(multiprocessing.active_children()) <= before
    with pytest.raises(RuntimeError, match="cancelled"):
        build.result()


def test_save_load_roundtrip_without_pickle_and_stale_index_rejected(sample_corpus, ix, tmp_path: Path) -> None:
    folder = ix.save(tmp_path / "idx")
    loaded = TokenIndex.load(folder, fingerprint=sample_corpus.fingerprint)
    assert loaded is not None and loaded.vocab == ix.vocab
    for name in ("ids", "start", "length", "doc_offsets", "sent_offsets", "para_offsets", "postings", "postings_ptr"):
        assert np.array_equal(getattr(loaded, name), getattr(ix, name))
        np.load(folder / f"{name}.npy", allow_pickle=False)  # plain arrays
    for view in ("doc", "sent", "para", "end"):
        assert np.array_equal(np.asarray(getattr(loaded, view)), np.asarray(getattr(ix, view)))
    assert TokenIndex.load(folder, fingerprint="0" * 32) is None
    meta = json.loads((folder / "meta.json").read_text())
    meta["format"] = -1
    (folder / "meta.json").write_text(json.dumps(meta))
    assert TokenIndex.load(folder, fingerprint=sample_corpus.fingerprint) is None


def test_disk_cache_is_keyed_by_fingerprint(tmp_path: Path) -> None:
    a = mediamon.Corpus(pd.DataFrame({"doc_id": ["x"], "text": ["Putin met Raisi."]}))
    b = mediamon.Corpus(pd.DataFrame({"doc_id": ["x"], "text": ["Putin met Minnikhanov."]}))
    ia = mediamon.index(a, cache_dir=tmp_path)
    ib = mediamon.index(b, cache_dir=tmp_path)  # same ids, other text: must not reuse a's index
    assert "minnikhanov" in ib.vocab and "minnikhanov" not in ia.vocab
    assert len(list(tmp_path.iterdir())) == 2
    a2 = mediamon.Corpus(pd.DataFrame({"doc_id": ["x"], "text": ["Putin met Raisi."]}))
    again = mediamon.index(a2, cache_dir=tmp_path)
    assert again.vocab == ia.vocab and isinstance(again.ids, np.memmap)


def test_index_is_cached_per_corpus_and_offsets_point_into_original_text(seed_corpus) -> None:
    ix = mediamon.index(seed_corpus)
    assert mediamon.index(seed_corpus) is ix
    text = seed_corpus.docs["text"].iloc[0]
    for i in range(ix.n_tokens):
        assert normalize(text[ix.start[i] : ix.end[i]]) == ix.vocab[ix.ids[i]]
    # the dateline and the trailer are outside the body and not indexed
    assert text[ix.start[0] : ix.end[0]] == "The"
    assert "pa" not in ix.vocab and "mehr" not in ix.vocab
