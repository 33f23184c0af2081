"""Near-duplicate documents from token shingles: MinHash signatures, LSH candidates, exact Jaccard.

Pure numpy over arrays of 64-bit token hashes; nothing here knows about corpora, indexes or
shards. :mod:`mediamon.analysis.duplicates` feeds it the form hashes of a shard's token ids
(:func:`form_hashes` of the vocabulary, so the hashes do not depend on a shard's vocabulary ids) and
:mod:`mediamon.readers` the form hashes of freshly tokenised bodies (``dedupe="near"`` at load);
both therefore find the same clusters.

Shingles
    A document's *k*-shingles are its runs of *k* consecutive tokens (normalised forms, punctuation
    included; the set, so a repeated run counts once). A document with fewer than *k* tokens has one
    shingle, all its tokens; a document without tokens has none and is never a near-duplicate. Each
    shingle is a 64-bit key: a polynomial hash of its form hashes, finished by the MurmurHash3
    64-bit finaliser (:func:`shingle_keys`).

Similarity
    The Jaccard similarity of two shingle sets, :math:`J(A, B) = |A \\cap B| / |A \\cup B|`
    (Broder 1997). :func:`exact_jaccard` computes it exactly over the 64-bit keys; two distinct
    shingles share a key with probability :math:`2^{-64}`, so for two documents of 1,000 shingles a
    spurious match has probability about :math:`10^{-13}`.

MinHash
    The signature of a set is, for each of ``num_perm`` hash functions :math:`h_p`, the minimum of
    :math:`h_p` over the set; :math:`P[\\min h_p(A) = \\min h_p(B)] = J(A, B)` (Broder 1997).
    :func:`signatures` computes exactly what datasketch's ``MinHash(num_perm, seed=seed,
    hashfunc=lambda key: key >> 32)`` (scheme ``"affine32"``, datasketch >= 2.0) holds after
    ``update_batch`` of the shingle keys: the high 32 bits of each key, mixed by the MurmurHash3
    32-bit finaliser, then :math:`h_p(x) = a_p x + b_p \\bmod 2^{32}` with datasketch's :math:`a_p`
    (odd) and :math:`b_p` drawn from ``numpy.random.RandomState(seed)`` (:func:`permutations`). The
    tests check the equality. It is vectorised over all documents at once (one pass over the keys
    per hash function, in cache-sized chunks) because datasketch updates one ``MinHash`` object per
    document from a Python list of hash values.

LSH
    Signatures are cut into ``bands`` bands of ``rows`` values (the first ``bands * rows`` values,
    as datasketch's ``MinHashLSH(params=(bands, rows))``); two documents are candidates when their
    values agree on a whole band. Two documents of similarity *s* become candidates with
    probability :math:`1 - (1 - s^r)^b` (Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*,
    ch. 3.4). :func:`lsh_parameters` chooses, for a threshold *t*, the largest *r* (fewest chance
    candidates) with :math:`1 - (1 - t^r)^{\\lfloor n/r \\rfloor} \\ge 0.99`: recall matters more
    than the cost of verifying a few more pairs. A bucket of more than :data:`MAX_BUCKET` documents
    (a flood of near-identical pages) is checked as a star around its first document rather than
    as all its pairs.

Verification and clusters
    Every candidate pair's Jaccard similarity is computed exactly; pairs at or above the threshold
    link documents, and a cluster is a connected component of those links (so two members may be
    less similar to each other than the threshold when a third links them). Each cluster's
    representative is its earliest-dated document, then the smallest ``doc_id`` (code-point
    order); documents without a date come after dated ones. The other members are *folded* into it,
    each with its exact similarity to the representative.

References
----------
A. Z. Broder, "On the resemblance and containment of documents", *Compression and Complexity of
Sequences* (1997). J. Leskovec, A. Rajaraman, J. D. Ullman, *Mining of Massive Datasets*, 3rd ed.,
ch. 3 (2020).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .errors import InputError

__all__ = [
    "DEFAULTS", "EMPTY", "MAX_BUCKET", "Folding", "NearDuplicateGroups", "ShingleSets", "candidate_probability", "exact_jaccard",
    "find_near_duplicates", "fold_clusters", "form_hashes", "lsh_pairs", "lsh_parameters", "permutations",
    "preference_rank", "sets_of", "shingle_keys", "shingle_sets", "signatures",
]  # fmt: skip

#: The defaults of near-duplicate detection, shared by mediamon.near_duplicates() and
#: read_corpus(dedupe="near"), so that both find the same clusters.
DEFAULTS: dict[str, float | int | None] = {"threshold": 0.8, "shingle": 5, "num_perm": 128, "bands": None, "seed": 1}
#: The value of an empty signature (datasketch's empty ``MinHash``, scheme ``"affine32"``).
EMPTY = np.uint32(0xFFFFFFFF)
#: A bucket with more documents than this is verified as a star around its first document.
MAX_BUCKET = 200
#: The recall :func:`lsh_parameters` asks of a pair exactly at the threshold.
TARGET_RECALL = 0.99

_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the polynomial shingle hash
_LENGTH = np.uint64(0xD6E8FEB86659FD93)  # marks the length of a short document's only shingle
_CHUNK = 1 << 16  # keys per pass: a chunk of uint32 values stays in the CPU cache


def form_hashes(forms: Iterable[str], count: int = -1) -> np.ndarray:
    """A 64-bit hash of each normalised form (BLAKE2b, 8 bytes, little-endian): the same for a form
    in every shard and at load time, whatever its vocabulary id."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(f.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
         for f in forms),
        dtype=np.uint64, count=count,
    )  # fmt: skip


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection that spreads every input bit), in place."""
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


def _fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before its permutations, in place."""
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x85EBCA6B)
    x ^= x >> np.uint32(13)
    x *= np.uint32(0xC2B2AE35)
    x ^= x >> np.uint32(16)
    return x


def _starts(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def shingle_keys(tokens: np.ndarray, offsets: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit keys of every document's *k*-token shingles, in text order (repeats kept).

    Parameters
    ----------
    tokens
        uint64 hashes of the tokens of all documents, document after document.
    offsets
        Where each document's tokens start, plus the end (``n_docs + 1`` values).
    k
        Tokens per shingle.

    Returns
    -------
    (keys, key_offsets)
        uint64 keys and where each document's keys start (``n_docs + 1`` values): ``n - k + 1``
        keys for a document of ``n >= k`` tokens, one for ``0 < n < k``, none for ``n == 0``.
    """
    tokens = np.asarray(tokens, dtype=np.uint64)
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    counts = np.where(lengths >= k, lengths - k + 1, (lengths > 0).astype(np.int64))
    key_offsets = _starts(counts)
    keys = np.zeros(int(key_offsets[-1]), dtype=np.uint64)
    full = lengths >= k
    n = tokens.size
    if full.any():
        span = n - k + 1
        poly = tokens[:span].copy()
        for j in range(1, k):  # k vectorised passes, not a loop over tokens
            poly *= _POLY
            poly ^= tokens[j : span + j]
        # a shingle starting at p crosses a document end e when e - k < p < e
        crossing = np.zeros(n, dtype=bool)
        ends = offsets[1:]
        for j in range(1, k):
            crossing[ends[ends >= j] - j] = True
        # the full documents' keys, in order, fill their slots (short documents have one each)
        keys[np.repeat(full, counts)] = poly[~crossing[:span]]
    short = np.flatnonzero((lengths > 0) & ~full)
    if short.size:
        first = offsets[short]
        poly = tokens[first].copy()
        for j in range(1, k):  # at most k - 1 passes over the short documents
            more = lengths[short] > j
            if not more.any():
                break
            poly[more] = (poly[more] * _POLY) ^ tokens[first[more] + j]
        keys[key_offsets[short]] = poly ^ (lengths[short].astype(np.uint64) * _LENGTH)
    return _fmix64(keys), key_offsets


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutation parameters ``(a, b)`` (uint32, ``a`` odd) for *seed*.

    The draws of ``datasketch.MinHash(num_perm, seed=seed, scheme="affine32").permutations``:
    ``a = 2 * randint(0, 2**31) + 1`` and ``b = randint(0, 2**32)``, both from one
    ``numpy.random.RandomState(seed)``.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signatures(keys: np.ndarray, key_offsets: np.ndarray, *, num_perm: int, seed: int) -> np.ndarray:
    """The MinHash signature of each document's shingle keys: uint32, ``(n_docs, num_perm)``.

    Equal to datasketch's ``MinHash(num_perm, seed=seed, hashfunc=lambda key: key >> 32)`` after
    ``update_batch(keys of the document)`` (see the module docstring). A document without keys
    keeps the empty value ``0xFFFFFFFF`` everywhere.
    """
    key_offsets = np.asarray(key_offsets, dtype=np.int64)
    n_docs = key_offsets.size - 1
    out = np.full((n_docs, num_perm), EMPTY, dtype=np.uint32)
    if not keys.size:
        return out
    values = _fmix32((np.asarray(keys, dtype=np.uint64) >> np.uint64(32)).astype(np.uint32))
    a, b = permutations(num_perm, seed)
    docs = np.flatnonzero(np.diff(key_offsets) > 0)
    starts = key_offsets[docs]
    ends = key_offsets[docs + 1]
    # chunks of whole documents of about _CHUNK keys each (a longer document is a chunk of its own)
    cuts = np.unique(np.searchsorted(ends, np.arange(_CHUNK, int(ends[-1]) + _CHUNK, _CHUNK), side="left"))
    cuts = np.concatenate(([0], np.minimum(cuts + 1, docs.size)))
    cuts = np.unique(cuts)
    for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        s0, s1 = int(starts[lo]), int(ends[hi - 1])
        chunk = values[s0:s1]
        at = starts[lo:hi] - s0
        work = np.empty_like(chunk)
        rows = docs[lo:hi]
        for p in range(num_perm):  # one vectorised pass per hash function
            np.multiply(chunk, a[p], out=work)
            work += b[p]
            out[rows, p] = np.minimum.reduceat(work, at)
    return out


def candidate_probability(s: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """:math:`1 - (1 - s^r)^b`: the chance that two sets of Jaccard similarity *s* share a band."""
    return 1.0 - (1.0 - np.asarray(s, dtype=np.float64) ** rows) ** bands


def lsh_parameters(threshold: float, num_perm: int, bands: int | None = None) -> tuple[int, int]:
    """``(bands, rows)``: *bands* as given (rows = ``num_perm // bands``), or the largest number of
    rows whose candidate probability at *threshold* is at least :data:`TARGET_RECALL` (datasketch
    requires at least 2 bands)."""
    if bands is not None:
        return int(bands), num_perm // int(bands)
    best = (num_perm, 1)  # no band size reaches the target: the most candidates datasketch allows
    for r in range(1, num_perm // 2 + 1):
        b = num_perm // r
        if b < 2:
            break
        if candidate_probability(threshold, b, r) >= TARGET_RECALL:
            best = (b, r)
    return best


def _void_rows(block: np.ndarray) -> np.ndarray:
    """Each row of a 2-D array as one opaque value, for exact grouping with ``np.unique``."""
    block = np.ascontiguousarray(block)
    return block.view(np.dtype((np.void, block.dtype.itemsize * block.shape[1]))).ravel()


def _group_pairs(members: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(lo, hi)`` of members sharing a group (members sorted by group), ``lo < hi``: all
    pairs in a group of up to :data:`MAX_BUCKET` members, else a star around its first member."""
    if not members.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    sizes = np.diff(np.concatenate((first, [group.size])))
    small = sizes <= MAX_BUCKET
    parts = []
    # all pairs of the small groups: element at position p pairs with the p+1 .. size-1 after it
    pos = np.arange(group.size) - np.repeat(first, sizes)
    size_of = np.repeat(sizes, sizes)
    in_small = np.repeat(small, sizes)
    after = np.where(in_small, size_of - pos - 1, 0)
    left = np.repeat(np.arange(group.size), after)
    step = np.arange(int(after.sum())) - np.repeat(_starts(after)[:-1], after)
    right = left + 1 + step
    parts.append((members[left], members[right]))
    if (~small).any():  # a star around the first member of each large group
        big_first = np.repeat(first[~small], sizes[~small] - 1)
        rest = np.concatenate([np.arange(f + 1, f + s) for f, s in zip(first[~small], sizes[~small])])
        parts.append((members[big_first], members[rest]))
    i = np.concatenate([c[0] for c in parts])
    j = np.concatenate([c[1] for c in parts])
    return np.minimum(i, j).astype(np.int64), np.maximum(i, j).astype(np.int64)


def lsh_pairs(sig: np.ndarray, bands: int, rows: int, usable: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs ``(i, j)``, ``i < j`` (rows of *sig*), sorted and distinct: documents whose
    signatures agree on at least one band. *usable* (bool per row) leaves out empty documents."""
    n = sig.shape[0]
    rows_used = np.flatnonzero(usable) if usable is not None else np.arange(n)
    codes = []
    for k in range(bands):
        band = _void_rows(sig[rows_used, k * rows : (k + 1) * rows])
        _, inverse, counts = np.unique(band, return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        shared = counts[inverse] > 1
        members, group = rows_used[shared], inverse[shared]
        order = np.argsort(group, kind="stable")
        lo, hi = _group_pairs(members[order], group[order])
        codes.append(lo * n + hi)
    code = np.unique(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)
    return code // max(n, 1), code % max(n, 1)


@dataclass(frozen=True)
class ShingleSets:
    """Sorted distinct shingle keys of some documents: document ``docs[m]`` holds
    ``keys[offsets[m]:offsets[m + 1]]``."""

    docs: np.ndarray
    keys: np.ndarray
    offsets: np.ndarray

    def row(self, docs: np.ndarray) -> np.ndarray:
        """Where each of *docs* is in :attr:`docs` (they must be there)."""
        docs = np.asarray(docs, dtype=np.int64)
        at = np.searchsorted(self.docs, docs)
        if docs.size and (at.max() >= self.docs.size or (self.docs[np.minimum(at, self.docs.size - 1)] != docs).any()):
            raise InputError("ShingleSets.row(): a document without shingle set was asked for.")
        return at

    def sizes(self, docs: np.ndarray) -> np.ndarray:
        at = self.row(docs)
        return self.offsets[at + 1] - self.offsets[at]


def shingle_sets(keys: np.ndarray, key_offsets: np.ndarray, docs: np.ndarray) -> ShingleSets:
    """The :class:`ShingleSets` of documents *docs* (numbers into *key_offsets*, sorted).

    One ``np.unique`` per document (a loop over documents, each sort small enough for the CPU
    cache), faster than one sort of all keys by document and key.
    """
    docs = np.asarray(docs, dtype=np.int64)
    key_offsets = np.asarray(key_offsets, dtype=np.int64)
    keys = np.asarray(keys, dtype=np.uint64)
    parts = [np.unique(keys[key_offsets[d] : key_offsets[d + 1]]) for d in docs.tolist()]
    offsets = _starts(np.fromiter((p.size for p in parts), dtype=np.int64, count=len(parts)))
    return ShingleSets(docs, np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64), offsets)


def sets_of(owner: np.ndarray, keys: np.ndarray, docs: np.ndarray) -> ShingleSets:
    """:class:`ShingleSets` from keys labelled by *owner* (row numbers into *docs*), in any order."""
    order = np.lexsort((keys, owner))
    owner, keys = owner[order], keys[order]
    distinct = np.ones(keys.size, dtype=bool)
    distinct[1:] = (keys[1:] != keys[:-1]) | (owner[1:] != owner[:-1])
    owner, keys = owner[distinct], keys[distinct]
    offsets = np.searchsorted(owner, np.arange(docs.size + 1), side="left").astype(np.int64)
    return ShingleSets(np.asarray(docs, dtype=np.int64), keys, offsets)


def exact_jaccard(sets: ShingleSets, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """:math:`|A \\cap B| / |A \\cup B|` for each pair of documents ``(i[m], j[m])``, exactly.

    One vectorised membership test per distinct left document (its sorted keys against all its
    partners' keys at once), not a loop over pairs or shingles.
    """
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    out = np.zeros(i.size, dtype=np.float64)
    if not i.size:
        return out
    ri, rj = sets.row(i), sets.row(j)
    size_i = sets.offsets[ri + 1] - sets.offsets[ri]
    size_j = sets.offsets[rj + 1] - sets.offsets[rj]
    inter = np.zeros(i.size, dtype=np.int64)
    order = np.argsort(ri, kind="stable")
    first = np.flatnonzero(np.concatenate(([True], ri[order][1:] != ri[order][:-1])))
    bounds = np.concatenate((first, [order.size]))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        pairs = order[lo:hi]
        a = sets.keys[sets.offsets[ri[pairs[0]]] : sets.offsets[ri[pairs[0]] + 1]]
        lengths = size_j[pairs]
        starts = sets.offsets[rj[pairs]]
        take = np.repeat(starts, lengths) + (np.arange(int(lengths.sum())) - np.repeat(_starts(lengths)[:-1], lengths))
        b = sets.keys[take]
        at = np.minimum(np.searchsorted(a, b), max(a.size - 1, 0))
        hit = a[at] == b if a.size else np.zeros(b.size, dtype=bool)
        inter[pairs] = np.bincount(np.repeat(np.arange(pairs.size), lengths)[hit], minlength=pairs.size)
    union = size_i + size_j - inter
    np.divide(inter, union, out=out, where=union > 0)
    return out


def preference_rank(dates: np.ndarray, doc_ids: np.ndarray) -> np.ndarray:
    """Rank of each document as a representative (0 first): earliest date, then smallest ``doc_id``.

    *dates* are int64 nanoseconds with ``numpy.datetime64('NaT')``'s value (the int64 minimum) for a
    missing date, which ranks after every date.
    """
    dates = np.asarray(dates, dtype=np.int64)
    key = np.where(dates == np.iinfo(np.int64).min, np.iinfo(np.int64).max, dates)
    _, id_rank = np.unique(np.asarray(doc_ids, dtype=object).astype(str), return_inverse=True)
    order = np.lexsort((id_rank.ravel(), key))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


@dataclass(frozen=True)
class Folding:
    """Clusters of near-duplicates over ``n`` documents.

    ``cluster`` (int64 per document: the cluster number, -1 outside any cluster; clusters are
    numbered by their representative's position), ``representative`` (per document: the
    representative's number, -1 outside), ``similarity`` (exact Jaccard similarity with the
    representative, 1 for itself, nan outside).
    """

    cluster: np.ndarray
    representative: np.ndarray
    similarity: np.ndarray

    @property
    def folded(self) -> np.ndarray:
        """Numbers of the documents folded into another (members that are not representatives)."""
        return np.flatnonzero((self.representative >= 0) & (self.representative != np.arange(self.cluster.size)))

    @property
    def keep(self) -> np.ndarray:
        """Bool per document: not folded."""
        keep = np.ones(self.cluster.size, dtype=bool)
        keep[self.folded] = False
        return keep


def fold_clusters(
    n: int, i: np.ndarray, j: np.ndarray, similarity: np.ndarray, threshold: float, rank: np.ndarray, sets: ShingleSets
) -> Folding:
    """Connected components of the pairs with ``similarity >= threshold``, their representatives
    (lowest *rank*) and each member's exact similarity with its representative."""
    link = np.asarray(similarity) >= threshold
    li, lj = np.asarray(i)[link], np.asarray(j)[link]
    cluster = np.full(n, -1, dtype=np.int64)
    rep = np.full(n, -1, dtype=np.int64)
    sim = np.full(n, np.nan, dtype=np.float64)
    if not li.size:
        return Folding(cluster, rep, sim)
    # scipy.sparse and its graph module take 0.3 s to import: loaded by the first clustering, not
    # by every process that queries (each report kernel, each first KWIC)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(li.size, dtype=np.int8), (li, lj)), shape=(n, n)).tocsr()
    _, label = connected_components(graph, directed=False)
    members = np.unique(np.concatenate((li, lj)))
    lab = label[members]
    # the representative of each component: its member of lowest rank
    order = np.lexsort((rank[members], lab))
    first = np.concatenate(([True], lab[order][1:] != lab[order][:-1]))
    leaders = members[order][first]
    leader_by_label = np.full(int(label.max()) + 1, -1, dtype=np.int64)
    leader_by_label[lab[order][first]] = leaders
    member_rep = leader_by_label[lab]
    # clusters numbered by their representative's position in the corpus
    cluster[members] = np.searchsorted(np.sort(leaders), member_rep)
    rep[members] = member_rep
    others = members != member_rep
    sim[members[~others]] = 1.0
    sim[members[others]] = exact_jaccard(sets, members[others], member_rep[others])
    return Folding(cluster, rep, sim)


@dataclass(frozen=True)
class NearDuplicateGroups:
    """What :func:`find_near_duplicates` found: the folding, every verified candidate pair and the
    LSH parameters used."""

    folding: Folding
    i: np.ndarray
    j: np.ndarray
    similarity: np.ndarray
    bands: int
    rows: int


def find_near_duplicates(
    tokens: np.ndarray,
    offsets: np.ndarray,
    rank: np.ndarray,
    *,
    threshold: float,
    shingle: int,
    num_perm: int,
    bands: int | None,
    seed: int,
) -> NearDuplicateGroups:
    """Everything in memory: shingles, signatures, LSH candidates, exact verification, clusters.

    *tokens*/*offsets* as :func:`shingle_keys` takes them, *rank* from :func:`preference_rank`.
    """
    keys, key_offsets = shingle_keys(tokens, offsets, shingle)
    sig = signatures(keys, key_offsets, num_perm=num_perm, seed=seed)
    b, r = lsh_parameters(threshold, num_perm, bands)
    i, j = lsh_pairs(sig, b, r, usable=np.diff(key_offsets) > 0)
    sets = shingle_sets(keys, key_offsets, np.unique(np.concatenate((i, j))))
    sim = exact_jaccard(sets, i, j)
    folding = fold_clusters(key_offsets.size - 1, i, j, sim, threshold, rank, sets)
    return NearDuplicateGroups(folding, i, j, sim, b, r)
