"""Which documents repeat others: the ``dedupe`` option every analysis shares, and near-duplicates.

``dedupe="exact"`` (see :data:`mediamon.options.PARAMETER_DOCS`): two documents are exact duplicates
when their article bodies hold the same sequence of normalised tokens. Per shard, each vocabulary
form is hashed (:func:`mediamon.minhash.form_hashes`) and then each selected document's sequence of
form hashes, so the digest does not depend on a shard's vocabulary ids; the first document of each
digest in corpus order is kept.

``dedupe="near"``: reprints with small edits (a new headline, another dateline, a paragraph dropped
or added, a few words changed) are found by :func:`near_duplicates`: the same form hashes, cut into
token shingles, MinHash signatures and LSH candidates, then the exact Jaccard similarity of every
candidate pair (every rule and formula is in :mod:`mediamon.minhash`). Per shard, the signatures of
the selected documents (:func:`task_signatures`); once, on the combined signatures, the candidate
pairs; per shard again, the shingle sets of the candidates only (:func:`task_shingle_sets`); once,
the exact similarities and the clusters. Each cluster keeps its representative (earliest date, then
smallest ``doc_id``) and folds the others.

:func:`duplicate_documents` returns which documents an analysis counts and the table of the others
(``doc_id``, ``duplicate_of``, and ``similarity`` for near-duplicates); :func:`keep_per_shard` cuts
the mask into the shards' pieces, for the per-shard steps; :func:`kept_documents` and
:func:`kept_form_counts` and :func:`kept_token_count` apply a piece inside a shard; :func:`dedupe_params` says in a result's
``params`` what was folded.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import weakref
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import display, minhash
from ..errors import InputError, NotFoundError
from ..partials import Part, combine
from ..results import Result
from ..shards import Layout, Shard, Source, as_source, map_shards, open_shard, shard_count
from ..text import normalize, tokenize
from ..tokenindex import TokenIndex

__all__ = [
    "DUPLICATE_COLUMNS", "NEAR_COLUMNS", "Comparison", "NearDuplicates", "dedupe_params", "duplicate_documents",
    "keep_per_shard", "kept_documents", "kept_form_counts", "kept_token_count", "near_duplicates",
]  # fmt: skip

#: Columns of the table of folded documents.
DUPLICATE_COLUMNS = ("doc_id", "duplicate_of")

#: Columns of :attr:`NearDuplicates.df`.
NEAR_COLUMNS = ("cluster", "doc_id", "doc", "date", "source", "title", "representative", "similarity", "size")

#: Columns of :attr:`NearDuplicates.pairs`.
PAIR_COLUMNS = ("doc_a", "doc_b", "doc_id_a", "doc_id_b", "similarity", "linked")


#: Arrow types of the metadata columns of a near-duplicates table (as every result has them).
_META_TYPES = {"doc_id": pa.string(), "date": pa.timestamp("ns", tz="UTC"), "source": pa.string(), "title": pa.string()}


def _metadata(shard: Shard, rows: np.ndarray, columns: tuple[str, ...]) -> pa.Table:
    """Metadata columns of index documents *rows* with fixed Arrow types, whatever the source (the
    shard's columns are cast once, not at every call)."""
    return shard.table(rows, columns, types=_META_TYPES)


def no_duplicates(near: bool = False) -> pd.DataFrame:
    """An empty table of folded documents."""
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in DUPLICATE_COLUMNS})
    if near:
        out["similarity"] = pd.Series(dtype=np.float64)
    return out


_FORM_HASHES: dict[int, tuple[weakref.ref[TokenIndex], np.ndarray]] = {}


def _form_hashes(ix: TokenIndex) -> np.ndarray:
    """A 64-bit hash of every vocabulary form of *ix* (cached while the index lives)."""
    hit = _FORM_HASHES.get(id(ix))
    if hit is not None and hit[0]() is ix:
        return hit[1]
    hashes = minhash.form_hashes(ix.vocab, len(ix.vocab))
    key = id(ix)
    _FORM_HASHES[key] = (weakref.ref(ix, lambda _r, k=key: _FORM_HASHES.pop(k, None)), hashes)
    return hashes


def task_digests(source: Source, i: int) -> Part:
    """Per shard: a digest of each selected document's normalised token sequence, and its id."""
    shard = open_shard(source, i)
    ix = shard.index
    seq = _form_hashes(ix)[np.asarray(ix.ids)] if ix.n_tokens else np.zeros(0, np.uint64)
    off = np.asarray(ix.doc_offsets, dtype=np.int64)
    digests = [hashlib.blake2b(seq[off[d] : off[d + 1]].tobytes(), digest_size=16).digest()
               for d in shard.selected.tolist()]  # fmt: skip
    table = pa.table({"digest": pa.array(digests, type=pa.binary(16)), "doc_id": shard.table(shard.selected)["doc_id"]})
    return Part(sizes=shard.sizes, tables={"digests": table}, shards=(shard.sizes,))


def _exact_duplicates(source: Source, executor: object) -> tuple[np.ndarray, pd.DataFrame]:
    table = combine(map_shards(source, task_digests, executor=executor)).tables.get("digests")
    if table is None or table.num_rows == 0:
        return np.ones(0, dtype=bool), no_duplicates()
    codes = table.column("digest").combine_chunks().dictionary_encode().indices.to_numpy(zero_copy_only=False)
    rows = np.arange(codes.size)
    first_of_code = np.full(int(codes.max()) + 1, codes.size, dtype=np.int64)
    np.minimum.at(first_of_code, codes, rows)
    first_row = first_of_code[codes]
    keep = first_row == rows
    ids = np.asarray(table.column("doc_id").to_pylist(), dtype=object)
    dropped = np.flatnonzero(~keep)
    dups = pd.DataFrame({"doc_id": ids[dropped], "duplicate_of": ids[first_row[dropped]]})
    return keep, dups


def duplicate_documents(
    source: Source, mode: Any = "exact", *, executor: object = None, **options: Any
) -> tuple[np.ndarray | None, pd.DataFrame]:
    """Which documents of *source* an analysis counts under *mode*, and the table of the others.

    Parameters
    ----------
    source
        A Corpus, a store or a view of either.
    mode
        ``None`` (every document counts: returns ``(None, empty table)``), ``"exact"``, ``"near"``
        (:func:`near_duplicates` with *options*: ``threshold``, ``shingle``, ``num_perm``,
        ``bands``, ``seed``) or a :class:`NearDuplicates` result of this corpus (used as it is).
    executor
        Where the per-shard hashing runs.

    Returns
    -------
    (keep, duplicates)
        A bool array over the documents (in order; ``None`` when all count) and a table with
        ``doc_id`` and ``duplicate_of`` (the id of the document kept for it); for near-duplicates
        also ``similarity`` (the exact Jaccard similarity of their shingle sets).
    """
    if mode is None:
        return None, no_duplicates()
    if isinstance(mode, NearDuplicates):
        if options:
            raise InputError(f"duplicate_documents(): options {sorted(options)} with a NearDuplicates result.")
        if mode.params.get("fingerprint") != source.fingerprint:
            raise InputError(
                "dedupe: this NearDuplicates result was computed on another corpus "
                f"({mode.params.get('corpus')!r}); pass mediamon.near_duplicates(corpus) of this corpus, "
                "or dedupe='near'."
            )
        return mode.keep, mode.folded
    if mode == "near":
        found = near_duplicates(source, executor=executor, **options)
        return found.keep, found.folded
    if mode != "exact" or options:
        raise InputError(f"duplicate_documents(): mode={mode!r} with options {sorted(options)} is not known.")
    return _exact_duplicates(source, executor)


def dedupe_params(mode: Any, duplicates: pd.DataFrame) -> dict[str, Any]:
    """What a result's ``params`` say about deduplication: ``dedupe`` (``None``, ``"exact"`` or
    ``"near"``), ``n_duplicates`` (documents folded) and, for near-duplicates, ``dedupe_threshold``
    and ``dedupe_shingle``."""
    label = "near" if isinstance(mode, NearDuplicates) else mode
    out: dict[str, Any] = {"dedupe": label, "n_duplicates": int(len(duplicates))}
    if label == "near":
        given = mode.params if isinstance(mode, NearDuplicates) else {}
        out["dedupe_threshold"] = given.get("threshold", NEAR_DEFAULTS["threshold"])
        out["dedupe_shingle"] = given.get("shingle", NEAR_DEFAULTS["shingle"])
    return out


def keep_per_shard(source: Source, keep: np.ndarray | None) -> list[np.ndarray | None]:
    """*keep* (over all documents of *source*) cut into one piece per shard (``None`` pieces when
    every document counts)."""
    n = shard_count(source)
    if keep is None:
        return [None] * n
    starts = Layout.measure(source).doc_starts
    return [keep[starts[j] : starts[j + 1]] for j in range(n)]


def kept_documents(shard: Shard, keep: np.ndarray | None) -> np.ndarray:
    """Which documents of the shard's *index* count: the source's selection, less the documents
    *keep* (a piece of :func:`keep_per_shard`, over the selection) folds."""
    if keep is None:
        return shard.keep
    out = np.zeros(shard.index.n_docs, dtype=bool)
    out[shard.selected[np.asarray(keep, dtype=bool)]] = True
    return out


def kept_token_count(shard: Shard, keep: np.ndarray | None) -> int:
    """Tokens of the shard's kept documents (``shard.sizes.tokens`` when nothing is folded)."""
    if keep is None:
        return shard.sizes.tokens
    off = np.asarray(shard.index.doc_offsets, dtype=np.int64)
    rows = shard.selected[np.asarray(keep, dtype=bool)]
    return int((off[rows + 1] - off[rows]).sum())


def kept_form_counts(shard: Shard, keep: np.ndarray | None) -> np.ndarray:
    """Frequency of each vocabulary id in the shard's kept documents (``shard.counts`` when
    nothing is folded)."""
    if keep is None or bool(np.all(keep)):
        return shard.counts
    ix = shard.index
    per_doc = np.diff(np.asarray(ix.doc_offsets, dtype=np.int64))
    ids = np.asarray(ix.ids)[np.repeat(kept_documents(shard, keep), per_doc)]
    return np.bincount(ids, minlength=len(ix.vocab)).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# near-duplicates: per shard
# ---------------------------------------------------------------------------------------------
def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions ``starts[m] .. starts[m] + lengths[m] - 1`` of every *m*, concatenated."""
    total = int(lengths.sum())
    first = np.zeros(lengths.size, dtype=np.int64)
    np.cumsum(lengths[:-1], out=first[1:])
    return np.repeat(starts, lengths) + (np.arange(total) - np.repeat(first, lengths))


def _document_tokens(shard: Shard, docs: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Form hashes of the tokens of selection-local documents *docs* (``None``: all selected), and
    their offsets."""
    ix = shard.index
    hashes = _form_hashes(ix)
    off = np.asarray(ix.doc_offsets, dtype=np.int64)
    if docs is None and shard.all:
        return hashes[np.asarray(ix.ids)] if ix.n_tokens else np.zeros(0, np.uint64), off
    rows = shard.selected if docs is None else shard.selected[np.asarray(docs, dtype=np.int64)]
    lengths = off[rows + 1] - off[rows]
    take = _ranges(off[rows], lengths)
    offsets = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return hashes[np.asarray(ix.ids)[take]], offsets


def task_signatures(source: Source, i: int, shingle: int, num_perm: int, seed: int) -> Part:
    """Per shard: each selected document's number of shingles and MinHash signature, and its
    metadata."""
    shard = open_shard(source, i)
    tokens, offsets = _document_tokens(shard, None)
    keys, key_offsets = minhash.shingle_keys(tokens, offsets, shingle)
    sig = minhash.signatures(keys, key_offsets, num_perm=num_perm, seed=seed)
    meta = _metadata(shard, shard.selected, ("doc_id", "date", "source", "title"))
    n = shard.sizes.documents
    table = pa.table(
        {
            "doc": pa.array(np.arange(n, dtype=np.int64)),
            **{c: meta.column(c) for c in meta.column_names},
            "shingles": pa.array(np.diff(key_offsets), type=pa.int64()),
            "signature": pa.FixedSizeListArray.from_arrays(pa.array(sig.ravel(), type=pa.uint32()), num_perm),
        }
    )
    return Part(sizes=shard.sizes, tables={"signatures": table}, numbering={"signatures": {"doc": "documents"}},
                shards=(shard.sizes,))  # fmt: skip


def task_shingle_sets(source: Source, i: int, docs: np.ndarray, shingle: int) -> Part:
    """Per shard: the distinct shingle keys of selection-local documents *docs* (``doc``, ``key``)."""
    shard = open_shard(source, i)
    docs = np.asarray(docs, dtype=np.int64)
    tokens, offsets = _document_tokens(shard, docs)
    keys, key_offsets = minhash.shingle_keys(tokens, offsets, shingle)
    sets = minhash.shingle_sets(keys, key_offsets, np.arange(docs.size))
    owner = np.repeat(np.arange(docs.size), np.diff(sets.offsets))
    table = pa.table({"doc": pa.array(docs[owner], type=pa.int64()), "key": pa.array(sets.keys, type=pa.uint64())})
    return Part(sizes=shard.sizes, tables={"shingles": table}, numbering={"shingles": {"doc": "documents"}},
                shards=(shard.sizes,))  # fmt: skip


def _gather_sets(source: Source, layout: Layout, docs: np.ndarray, shingle: int, executor: object) -> minhash.ShingleSets:
    """The shingle sets of global documents *docs* (sorted), read from their shards only."""
    args = [(np.zeros(0, dtype=np.int64), shingle) for _ in range(shard_count(source))]
    for k, _sel, local in layout.by_docs(docs):
        args[k] = (local, shingle)
    table = combine(map_shards(source, task_shingle_sets, args, executor=executor)).tables["shingles"]
    doc = table.column("doc").to_numpy()
    keys = table.column("key").to_numpy().astype(np.uint64, copy=False)
    # each shard sends its documents in order, each one's keys sorted and distinct: no sort here
    offsets = np.searchsorted(doc, np.concatenate((docs, [np.iinfo(np.int64).max])), side="left").astype(np.int64)
    return minhash.ShingleSets(docs, keys, offsets)


# ---------------------------------------------------------------------------------------------
# near-duplicates: the result
# ---------------------------------------------------------------------------------------------
#: Defaults of :func:`near_duplicates` (also used by ``dedupe="near"``).
NEAR_DEFAULTS: dict[str, Any] = dict(minhash.DEFAULTS)


@dataclass(frozen=True, eq=False, repr=False)
class Comparison:
    """Two documents side by side, with the spans that differ marked (a token diff).

    ``spans`` has one row per difflib opcode over the two texts' tokens (matching forms compared):
    ``op`` (``equal``, ``replace``, ``delete``, ``insert``) and the character spans
    ``a_start``/``a_end`` and ``b_start``/``b_end`` in the original texts. :attr:`html` shows both
    texts escaped, each in ``<bdi>``, text only in *a* as ``<del>`` and only in *b* as ``<ins>``.
    """

    doc_a: str
    doc_b: str
    title_a: str
    title_b: str
    text_a: str
    text_b: str
    similarity: float
    spans: pd.DataFrame

    def __repr__(self) -> str:
        changed = int((self.spans["op"] != "equal").sum())
        return f"<Comparison {self.doc_a!r} / {self.doc_b!r}: Jaccard {self.similarity:.3f}, {changed} differing spans>"

    @property
    def html(self) -> str:
        """The side-by-side view: a two-column table, every piece of text escaped."""
        sides = []
        for side, text, tag in (("a", self.text_a, "del"), ("b", self.text_b, "ins")):
            marks = self.spans[self.spans["op"] != "equal"]
            sides.append(_marked(text, marks[f"{side}_start"].to_numpy(), marks[f"{side}_end"].to_numpy(), tag))
        style = (
            "<style>.mm-diff td{vertical-align:top;white-space:pre-wrap;width:50%;font-size:12px}"
            ".mm-diff del{background:#fbb;text-decoration:line-through}.mm-diff ins{background:#bfb;text-decoration:none}"
            "</style>"
        )
        head = (f"<tr><th>{display.bdi(self.doc_a)}: {display.bdi(self.title_a)}</th>"
                f"<th>{display.bdi(self.doc_b)}: {display.bdi(self.title_b)}</th></tr>")  # fmt: skip
        body = f"<tr><td><bdi>{sides[0]}</bdi></td><td><bdi>{sides[1]}</bdi></td></tr>"
        caption = display.caption(f"Jaccard similarity {self.similarity:.3f} (token shingles)")
        return display.join([caption, f'{style}<table class="mm-table mm-diff">{head}{body}</table>'])

    def _repr_html_(self) -> str:
        return self.html


def _marked(text: str, starts: np.ndarray, ends: np.ndarray, tag: str) -> str:
    """*text* escaped, with the character spans ``[starts, ends)`` wrapped in ``<tag>``."""
    pieces, at = [], 0
    for s, e in sorted(zip(starts.tolist(), ends.tolist())):
        if e <= s:
            continue
        pieces.append(display.esc(text[at:s]))
        pieces.append(f"<{tag}>{display.esc(text[s:e])}</{tag}>")
        at = e
    pieces.append(display.esc(text[at:]))
    return "".join(pieces)


def _diff_spans(a: str, b: str) -> pd.DataFrame:
    """difflib's opcodes over the matching forms of the tokens of *a* and *b*, as character spans."""
    ta, tb = tokenize(a), tokenize(b)
    cache: dict[str, str] = {}
    fa = [cache.setdefault(t[2], normalize(t[2])) for t in ta]
    fb = [cache.setdefault(t[2], normalize(t[2])) for t in tb]

    def span(tokens: list[tuple[int, int, str]], lo: int, hi: int, length: int) -> tuple[int, int]:
        if hi > lo:
            return tokens[lo][0], tokens[hi - 1][1]
        at = tokens[lo][0] if lo < len(tokens) else length
        return at, at

    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, fa, fb, autojunk=False).get_opcodes():
        a0, a1 = span(ta, i1, i2, len(a))
        b0, b1 = span(tb, j1, j2, len(b))
        rows.append((op, a0, a1, b0, b1))
    return pd.DataFrame(rows, columns=["op", "a_start", "a_end", "b_start", "b_end"]).astype(
        {c: np.int64 for c in ("a_start", "a_end", "b_start", "b_end")}
    )


@dataclass(frozen=True, eq=False, repr=False)
class NearDuplicates(Result):
    """Clusters of near-duplicate documents (see :mod:`mediamon.minhash` for every rule).

    Attributes
    ----------
    df
        One row per document in a cluster: ``cluster`` (numbered by the representative's position
        in the corpus), ``doc_id``, ``doc`` (its number in the corpus), ``date``, ``source``,
        ``title``, ``representative`` (the ``doc_id`` kept for the cluster), ``similarity`` (exact
        Jaccard similarity of its shingle set with the representative's; 1 for the representative)
        and ``size``; the representative first in each cluster.
    folded
        The documents folded into another: ``doc_id``, ``duplicate_of`` (the representative),
        ``similarity``, in corpus order (what ``dedupe="near"`` leaves out).
    pairs
        Every verified candidate pair: ``doc_a``, ``doc_b`` (corpus numbers), their ids, the exact
        ``similarity`` and ``linked`` (at or above the threshold).
    keep
        Bool per document of the corpus: ``False`` for the folded ones.
    params
        The call (``threshold``, ``shingle``, ``num_perm``, ``bands``, ``rows``, ``seed``) and
        counts (``n_docs``, ``n_candidates``, ``n_clusters``, ``n_folded``).
    """

    folded: pd.DataFrame = field(default_factory=lambda: no_duplicates(near=True))
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    keep: np.ndarray = field(default_factory=lambda: np.ones(0, dtype=bool), repr=False)
    doc_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object), repr=False)
    layout: Layout | None = field(default=None, repr=False)

    columns = NEAR_COLUMNS
    #: How ``dedupe=`` recognises a result it can use as it is.
    dedupe_mode: ClassVar[str] = "near"

    def __repr__(self) -> str:
        p = self.params
        return (f"<NearDuplicates threshold={p['threshold']}: {p['n_clusters']:,} clusters, "
                f"{p['n_folded']:,} of {p['n_docs']:,} documents folded>")  # fmt: skip

    def caption(self) -> str:
        p = self.params
        return (
            f"Near-duplicates (Jaccard >= {p['threshold']} over {p['shingle']}-token shingles): "
            f"{p['n_clusters']:,} clusters, {p['n_folded']:,} of {p['n_docs']:,} documents folded "
            "into their representative"
        )

    def clusters(self) -> pd.DataFrame:
        """One row per cluster: ``cluster``, ``representative``, ``size``, ``min_similarity``."""
        g = self.df.groupby("cluster", sort=True)
        return pd.DataFrame({"representative": g["representative"].first(), "size": g.size(),
                             "min_similarity": g["similarity"].min()}).reset_index()  # fmt: skip

    def compare(self, doc_a: str, doc_b: str) -> Comparison:
        """Two documents of the corpus side by side, with the differing spans marked.

        The texts are read from the corpus (only these two); the similarity is the exact Jaccard
        similarity of their shingle sets, as in :attr:`pairs`.
        """
        if self.layout is None:
            raise InputError("NearDuplicates.compare(): this result has no corpus attached.")
        ids = pd.Index(self.doc_ids)
        numbers = []
        for name, value in (("doc_a", doc_a), ("doc_b", doc_b)):
            at = ids.get_indexer([value])[0] if isinstance(value, str) else -1
            if at < 0:
                raise NotFoundError(
                    f"NearDuplicates.compare(): {name}={value!r} is not a doc_id of this corpus; "
                    f"cluster members are e.g. {self.df['doc_id'].head(4).tolist()}."
                )
            numbers.append(int(at))
        docs = np.asarray(numbers, dtype=np.int64)
        texts, titles = ["", ""], ["", ""]
        for k, sel, local in self.layout.by_docs(docs):
            shard = open_shard(self.layout.source, k)
            rows = shard.selected[local]
            all_texts = shard.texts(rows)
            meta = _metadata(shard, rows, ("title",)).column("title").to_pylist()
            for m, row, title in zip(sel.tolist(), rows.tolist(), meta):
                texts[m], titles[m] = all_texts[row], title or ""
        unique = np.unique(docs)
        sets = _gather_sets(self.layout.source, self.layout, unique, int(self.params["shingle"]), None)
        similarity = float(minhash.exact_jaccard(sets, docs[:1], docs[1:])[0]) if docs[0] != docs[1] else 1.0
        return Comparison(doc_a, doc_b, titles[0], titles[1], texts[0], texts[1], similarity,
                          _diff_spans(texts[0], texts[1]))  # fmt: skip


def _check_near_options(call: str, threshold: object, shingle: object, num_perm: object, bands: object,
                        seed: object) -> tuple[float, int, int, int | None, int]:  # fmt: skip
    def is_int(v: object) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating, np.integer)) or not (
        0.0 < float(threshold) <= 1.0
    ):
        raise InputError(f"{call}: threshold={threshold!r} is invalid; pass a Jaccard similarity in (0, 1], e.g. 0.8.")
    if not is_int(shingle) or not 1 <= int(shingle) <= 50:  # type: ignore[arg-type]
        raise InputError(f"{call}: shingle={shingle!r} is invalid; pass a number of tokens from 1 to 50 (default 5).")
    if not is_int(num_perm) or not 2 <= int(num_perm) <= 1024:  # type: ignore[arg-type]
        raise InputError(f"{call}: num_perm={num_perm!r} is invalid; pass an integer from 2 to 1024 (default 128).")
    if bands is not None and (not is_int(bands) or not 2 <= int(bands) <= int(num_perm)):  # type: ignore[arg-type]
        raise InputError(f"{call}: bands={bands!r} is invalid; pass None (chosen for the threshold) or an "
                         f"integer from 2 to num_perm={num_perm}.")  # fmt: skip
    if not is_int(seed) or not 0 <= int(seed) < 2**32:  # type: ignore[arg-type]
        raise InputError(f"{call}: seed={seed!r} is invalid; pass an integer from 0 to 2**32 - 1.")
    return float(threshold), int(shingle), int(num_perm), None if bands is None else int(bands), int(seed)  # type: ignore[arg-type]


def near_duplicates(
    corpus: Source | str | os.PathLike[str],
    *,
    threshold: float = NEAR_DEFAULTS["threshold"],
    shingle: int = NEAR_DEFAULTS["shingle"],
    num_perm: int = NEAR_DEFAULTS["num_perm"],
    bands: int | None = NEAR_DEFAULTS["bands"],
    seed: int = NEAR_DEFAULTS["seed"],
    executor: object = None,
) -> NearDuplicates:
    """Clusters of documents whose token shingles have a Jaccard similarity of at least *threshold*.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either.
    threshold
        Smallest Jaccard similarity :math:`|A \\cap B| / |A \\cup B|` of the two shingle sets that
        links two documents (exact, verified on every candidate pair).
    shingle
        Tokens per shingle (normalised forms of the article body, punctuation included).
    num_perm
        Hash functions of the MinHash signatures.
    bands
        LSH bands (``rows = num_perm // bands``); ``None`` chooses them so that a pair exactly at
        the threshold becomes a candidate with probability >= 0.99.
    seed
        Seed of the hash functions (datasketch's default is 1).
    executor
        Where the per-shard steps run (see :mod:`mediamon.executors`).

    Returns
    -------
    NearDuplicates
        The clusters (``df``), the folded documents (``folded``), every verified candidate pair
        (``pairs``) and :meth:`NearDuplicates.compare` for a side-by-side diff. The same call on a
        Corpus, a store, a view or on Dask gives the same tables.

    Examples
    --------
    >>> import mediamon as mm
    >>> found = mm.near_duplicates(mm.read_corpus("corpora/mm-sample/mm_sample_v1.jsonl"))
    >>> found.params["bands"], found.params["rows"]
    (21, 6)
    """
    call = "near_duplicates()"
    source = as_source(corpus, call)
    threshold, shingle, num_perm, bands, seed = _check_near_options(call, threshold, shingle, num_perm, bands, seed)
    key = (source.fingerprint, threshold, shingle, num_perm, bands, seed)
    cache = source.__dict__.setdefault("_near_duplicates", {})
    if key in cache:
        return cache[key]
    part = combine(map_shards(source, task_signatures, (shingle, num_perm, seed), executor=executor))
    table = part.tables.get("signatures")
    n = table.num_rows if table is not None else 0
    b, r = minhash.lsh_parameters(threshold, num_perm, bands)
    layout = Layout.of(source, part)
    if n:
        sig = table.column("signature").combine_chunks().flatten().to_numpy().reshape(n, num_perm)
        usable = table.column("shingles").to_numpy() > 0
        i, j = minhash.lsh_pairs(sig, b, r, usable)
        doc_ids = np.asarray(table.column("doc_id").to_pylist(), dtype=object)
        dates = pc.fill_null(table.column("date").cast(pa.int64()), np.iinfo(np.int64).min).to_numpy()
    else:
        i = j = np.zeros(0, dtype=np.int64)
        doc_ids, dates = np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64)
    needed = np.unique(np.concatenate((i, j)))
    sets = _gather_sets(source, layout, needed, shingle, executor) if needed.size else minhash.sets_of(
        needed, np.zeros(0, np.uint64), needed)  # fmt: skip
    similarity = minhash.exact_jaccard(sets, i, j)
    folding = minhash.fold_clusters(n, i, j, similarity, threshold, minhash.preference_rank(dates, doc_ids), sets)
    result = _result(source, table, layout, folding, i, j, similarity, doc_ids,
                     {"threshold": threshold, "shingle": shingle, "num_perm": num_perm, "bands": b, "rows": r,
                      "seed": seed})  # fmt: skip
    if len(cache) >= 4:  # a few option sets per corpus, not an unbounded history
        cache.pop(next(iter(cache)))
    cache[key] = result
    return result


def _result(source: Source, table: pa.Table | None, layout: Layout, folding: minhash.Folding, i: np.ndarray,
            j: np.ndarray, similarity: np.ndarray, doc_ids: np.ndarray, options: dict[str, Any]) -> NearDuplicates:  # fmt: skip
    members = np.flatnonzero(folding.cluster >= 0)
    meta = table.take(pa.array(members)).to_pandas() if table is not None else pd.DataFrame()
    size = np.bincount(folding.cluster[members], minlength=int(folding.cluster.max()) + 1 if members.size else 0)
    df = pd.DataFrame(
        {
            "cluster": folding.cluster[members],
            "doc_id": doc_ids[members],
            "doc": members,
            "date": meta["date"].to_numpy() if len(meta) else pd.Series([], dtype="datetime64[ns, UTC]"),
            "source": meta["source"].to_numpy() if len(meta) else [],
            "title": meta["title"].to_numpy() if len(meta) else [],
            "representative": doc_ids[folding.representative[members]],
            "similarity": folding.similarity[members],
            "size": size[folding.cluster[members]] if members.size else np.zeros(0, np.int64),
        }
    )
    is_rep = (folding.representative[members] == members).astype(np.int64)
    df = df.iloc[np.lexsort((members, -folding.similarity[members], -is_rep, folding.cluster[members]))]
    df = df.reset_index(drop=True)[list(NEAR_COLUMNS)]
    out = folding.folded
    folded = pd.DataFrame({"doc_id": doc_ids[out], "duplicate_of": doc_ids[folding.representative[out]],
                           "similarity": folding.similarity[out]})  # fmt: skip
    pairs = pd.DataFrame({"doc_a": i, "doc_b": j, "doc_id_a": doc_ids[i], "doc_id_b": doc_ids[j],
                          "similarity": similarity, "linked": similarity >= options["threshold"]})  # fmt: skip
    params = {
        "call": "near_duplicates", **options, "n_docs": int(doc_ids.size), "n_candidates": int(i.size),
        "n_clusters": int(size.size), "n_folded": int(out.size), "corpus": source.name,
        "fingerprint": source.fingerprint,
    }  # fmt: skip
    return NearDuplicates(df=df, params=params, folded=folded, pairs=pairs[list(PAIR_COLUMNS)], keep=folding.keep,
                          doc_ids=doc_ids, layout=layout)  # fmt: skip

