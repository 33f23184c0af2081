"""The MinHash/LSH leaf against datasketch (the kept library) and plain-Python set arithmetic.

Signatures must be exactly datasketch's ``MinHash(num_perm, seed, hashfunc=key >> 32)`` after
``update_batch`` of the same shingle keys, LSH candidates exactly the pairs that datasketch's
``MinHashLSH(params=(b, r))`` returns, and similarities the Jaccard index of Python sets.
"""

from __future__ import annotations

import itertools

import datasketch
import numpy as np
import pytest

from mediamon import minhash
from mediamon.analysis.duplicates import _form_hashes

from conftest import SAMPLE_DIR

import mediamon as mm

V1 = SAMPLE_DIR / "mm_sample_v1.jsonl"


@pytest.fixture(scope="module")
def sample_tokens():
    """Form hashes and token forms of the first 120 bodies of mm-sample v1, plus edited copies of
    the first 20 (a word changed every 40, a sentence dropped), so that there are near-duplicates."""
    corpus = mm.read_corpus(V1).head(120)
    ix = mm.index(corpus, progress=False)
    off = np.asarray(ix.doc_offsets, dtype=np.int64)
    forms = [[ix.vocab[k] for k in ix.ids[off[d] : off[d + 1]].tolist()] for d in range(ix.n_docs)]
    rng = np.random.default_rng(3)
    for d in range(20):
        copy = list(forms[d])
        for p in range(0, len(copy), 40):
            copy[p] = f"changed{rng.integers(1000)}"
        if len(copy) > 60:
            del copy[20:40]
        forms.append(copy)
    vocab = sorted({f for doc in forms for f in doc})
    hashes = dict(zip(vocab, minhash.form_hashes(vocab, len(vocab)).tolist()))
    tokens = np.asarray([hashes[f] for doc in forms for f in doc], dtype=np.uint64)
    offsets = np.concatenate(([0], np.cumsum([len(doc) for doc in forms]))).astype(np.int64)
    return tokens, offsets, forms, (ix, off)


def datasketch_minhash(keys: np.ndarray, num_perm: int, seed: int) -> datasketch.MinHash:
    m = datasketch.MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda key: int(key) >> 32)
    m.update_batch([int(k) for k in keys])
    return m


def test_form_hashes_are_those_the_exact_digests_use(sample_tokens):
    _, _, _, (ix, _) = sample_tokens
    assert np.array_equal(_form_hashes(ix), minhash.form_hashes(ix.vocab, len(ix.vocab)))
    assert minhash.form_hashes(["putin"]).tolist() == minhash.form_hashes(["x", "putin"]).tolist()[1:]


def test_shingle_counts_and_vocabulary_independence(sample_tokens):
    tokens, offsets, forms, _ = sample_tokens
    keys, key_offsets = minhash.shingle_keys(tokens, offsets, 5)
    lengths = np.diff(offsets)
    want = np.where(lengths >= 5, lengths - 4, (lengths > 0).astype(np.int64))
    assert np.array_equal(np.diff(key_offsets), want)
    # equal shingles (token tuples) have equal keys, whichever documents they come from
    by_tuple: dict[tuple[str, ...], set[int]] = {}
    for d, doc in enumerate(forms[:40]):
        for p in range(len(doc) - 4):
            by_tuple.setdefault(tuple(doc[p : p + 5]), set()).add(int(keys[key_offsets[d] + p]))
    assert all(len(v) == 1 for v in by_tuple.values())
    assert len({next(iter(v)) for v in by_tuple.values()}) == len(by_tuple)  # and distinct ones differ
    # a short document has one shingle; an empty one none
    k, o = minhash.shingle_keys(np.asarray([7, 8, 9], dtype=np.uint64), np.asarray([0, 0, 3]), 5)
    assert o.tolist() == [0, 0, 1] and k.size == 1


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7)])
def test_signatures_are_exactly_datasketchs(sample_tokens, num_perm, seed):
    tokens, offsets, _, _ = sample_tokens
    keys, key_offsets = minhash.shingle_keys(tokens, offsets, 5)
    sig = minhash.signatures(keys, key_offsets, num_perm=num_perm, seed=seed)
    a, b = minhash.permutations(num_perm, seed)
    reference = datasketch.MinHash(num_perm=num_perm, seed=seed)
    assert reference.scheme == "affine32"
    assert np.array_equal(a, reference.permutations[0]) and np.array_equal(b, reference.permutations[1])
    for d in range(len(key_offsets) - 1):
        want = datasketch_minhash(keys[key_offsets[d] : key_offsets[d + 1]], num_perm, seed).hashvalues
        assert np.array_equal(sig[d], want), d
    empty = minhash.signatures(np.zeros(0, np.uint64), np.asarray([0, 0]), num_perm=num_perm, seed=seed)
    assert np.array_equal(empty[0], datasketch.MinHash(num_perm=num_perm, seed=seed).hashvalues)


def test_lsh_candidates_are_exactly_datasketchs(sample_tokens):
    tokens, offsets, _, _ = sample_tokens
    keys, key_offsets = minhash.shingle_keys(tokens, offsets, 5)
    sig = minhash.signatures(keys, key_offsets, num_perm=128, seed=1)
    for threshold in (0.5, 0.8):
        b, r = minhash.lsh_parameters(threshold, 128)
        i, j = minhash.lsh_pairs(sig, b, r)
        lsh = datasketch.MinHashLSH(num_perm=128, params=(b, r))
        sketches = []
        for d in range(len(key_offsets) - 1):
            m = datasketch.MinHash(num_perm=128, seed=1, hashvalues=sig[d], scheme="affine32")
            sketches.append(m)
            lsh.insert(d, m)
        want = {(min(d, e), max(d, e)) for d, m in enumerate(sketches) for e in lsh.query(m) if e != d}
        assert set(zip(i.tolist(), j.tolist())) == want
        assert len(want) >= (20 if threshold == 0.5 else 5)  # the edited copies are candidates of their originals


def test_band_choice_reaches_the_recall_target():
    for threshold in (0.6, 0.7, 0.8, 0.9):
        b, r = minhash.lsh_parameters(threshold, 128)
        assert b == 128 // r and b >= 2
        assert 1 - (1 - threshold**r) ** b >= 0.99
        r2 = r + 1  # one more row per band no longer reaches it
        assert 1 - (1 - threshold**r2) ** (128 // r2) < 0.99
    assert minhash.lsh_parameters(0.8, 128) == (21, 6)
    assert minhash.lsh_parameters(0.8, 128, bands=16) == (16, 8)


def test_exact_jaccard_is_the_jaccard_of_python_sets(sample_tokens):
    tokens, offsets, forms, _ = sample_tokens
    keys, key_offsets = minhash.shingle_keys(tokens, offsets, 5)
    n = len(forms)
    docs = np.arange(n)
    sets = minhash.shingle_sets(keys, key_offsets, docs)
    pairs = [(d, 120 + d) for d in range(20)] + list(itertools.combinations(range(12), 2))
    i = np.asarray([p[0] for p in pairs])
    j = np.asarray([p[1] for p in pairs])
    got = minhash.exact_jaccard(sets, i, j)

    def shingles(doc: list[str]) -> set[tuple[str, ...]]:
        return {tuple(doc[p : p + 5]) for p in range(len(doc) - 4)} if len(doc) >= 5 else {tuple(doc)}

    for (a, b), value in zip(pairs, got.tolist()):
        sa, sb = shingles(forms[a]), shingles(forms[b])
        assert value == pytest.approx(len(sa & sb) / len(sa | sb), abs=1e-12), (a, b)
    assert (got[:20] > 0.3).all()


def test_representative_is_the_earliest_date_then_the_smallest_id():
    nat = np.iinfo(np.int64).min
    dates = np.asarray([nat, 500, 100, 100, nat], dtype=np.int64)
    ids = np.asarray(["e", "d", "c", "b", "a"], dtype=object)
    rank = minhash.preference_rank(dates, ids)
    assert rank.tolist() == [4, 2, 1, 0, 3]  # b (100) < c (100) < d (500) < a (no date) < e (no date)
    # one cluster of all five, verified on made-up sets
    keys = np.arange(10, dtype=np.uint64)
    sets = minhash.sets_of(np.repeat(np.arange(5), 2), keys % np.uint64(2), np.arange(5))
    i, j = np.asarray([0, 1, 2, 3]), np.asarray([1, 2, 3, 4])
    folding = minhash.fold_clusters(5, i, j, np.ones(4), 0.8, rank, sets)
    assert folding.representative.tolist() == [3] * 5
    assert folding.folded.tolist() == [0, 1, 2, 4] and folding.keep.tolist() == [False, False, False, True, False]
    assert folding.similarity.tolist() == [1.0] * 5


def test_a_flood_of_identical_documents_is_checked_as_a_star():
    n = minhash.MAX_BUCKET + 50
    doc = np.arange(30, dtype=np.uint64) * np.uint64(1_000_003)
    tokens = np.tile(doc, n)
    offsets = np.arange(n + 1, dtype=np.int64) * doc.size
    rank = np.arange(n)
    found = minhash.find_near_duplicates(tokens, offsets, rank, threshold=0.8, shingle=5, num_perm=64, bands=None, seed=1)
    assert found.i.size == n - 1  # not n * (n - 1) / 2
    assert found.folding.folded.size == n - 1 and (found.folding.representative == 0).all()
