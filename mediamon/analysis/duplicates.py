"""Which documents repeat others: the ``dedupe`` option every analysis shares.

``dedupe="exact"`` (see :data:`mediamon.options.PARAMETER_DOCS`): two documents are exact duplicates
when their article bodies hold the same sequence of normalised tokens. Per shard, each vocabulary
form is hashed and then each selected document's sequence of form hashes, so the digest does not
depend on a shard's vocabulary ids; the first document of each digest in corpus order is kept.

:func:`duplicate_documents` returns which documents an analysis counts and the table of the others
(``doc_id``, ``duplicate_of``); :func:`keep_per_shard` cuts the mask into the shards' pieces, for
the per-shard steps.
"""

from __future__ import annotations

import hashlib
import weakref
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import InputError
from ..partials import Part, combine
from ..shards import Layout, Source, map_shards, open_shard, shard_count
from ..tokenindex import TokenIndex

__all__ = ["DUPLICATE_COLUMNS", "duplicate_documents", "keep_per_shard"]

#: Columns of the table of folded documents.
DUPLICATE_COLUMNS = ("doc_id", "duplicate_of")


def no_duplicates() -> pd.DataFrame:
    """An empty table of folded documents."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in DUPLICATE_COLUMNS})


_FORM_HASHES: dict[int, tuple[weakref.ref[TokenIndex], np.ndarray]] = {}


def _form_hashes(ix: TokenIndex) -> np.ndarray:
    """A 64-bit hash of every vocabulary form of *ix* (cached while the index lives)."""
    hit = _FORM_HASHES.get(id(ix))
    if hit is not None and hit[0]() is ix:
        return hit[1]
    hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(f.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
         for f in ix.vocab),
        dtype=np.uint64, count=len(ix.vocab),
    )  # fmt: skip
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


def duplicate_documents(
    source: Source, mode: str | None = "exact", *, executor: object = None, **options: Any
) -> tuple[np.ndarray | None, pd.DataFrame]:
    """Which documents of *source* an analysis counts under *mode*, and the table of the others.

    Parameters
    ----------
    source
        A Corpus, a store or a view of either.
    mode
        ``None`` (every document counts: returns ``(None, empty table)``) or ``"exact"``.
    executor
        Where the per-shard hashing runs.

    Returns
    -------
    (keep, duplicates)
        A bool array over the documents (in order; ``None`` when all count) and a table with
        ``doc_id`` and ``duplicate_of`` (the id of the document kept for it).
    """
    if mode is None:
        return None, no_duplicates()
    if mode != "exact" or options:
        raise InputError(f"duplicate_documents(): mode={mode!r} with options {sorted(options)} is not known.")
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




def keep_per_shard(source: Source, keep: np.ndarray | None) -> list[np.ndarray | None]:
    """*keep* (over all documents of *source*) cut into one piece per shard (``None`` pieces when
    every document counts)."""
    n = shard_count(source)
    if keep is None:
        return [None] * n
    starts = Layout.measure(source).doc_starts
    return [keep[starts[j] : starts[j + 1]] for j in range(n)]
