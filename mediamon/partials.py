"""Partial results of one shard, and their exact combination: a sum.

Every analysis counts shard by shard (:mod:`mediamon.shards`) and combines the per-shard
:class:`Part` values with ``+`` (or :func:`combine`, the same sum for many parts at once), as NLTK's
``FreqDist`` values add. A part holds

* ``sizes``: how many documents, tokens, sentences and paragraphs its shards hold (of the view);
* ``tables``: Arrow tables whose *numbered* columns count from 0 in each shard (a document number,
  a token position, a sentence number, or a row of another table of the part). Adding two parts
  concatenates each table, shifting the numbered columns of the right one by the left one's sizes,
  so every number becomes the one a single index of all the documents would give;
* ``counts``: values that add elementwise (ints, numpy arrays, :class:`FormCounts`).

With one shard there is nothing to combine and nothing is copied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import reduce
from operator import add
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Sizes:
    """Documents, tokens, sentences and paragraphs of a shard (of the view), or of several."""

    documents: int = 0
    tokens: int = 0
    sentences: int = 0
    paragraphs: int = 0

    def __add__(self, other: Sizes) -> Sizes:
        return Sizes(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


#: What a numbered column counts: one of the :class:`Sizes` fields, or ``"rows:<table>"`` for a row
#: number of another table of the same part.
Numbering = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class FormCounts:
    """Counts keyed by vocabulary forms, which differ between shards.

    ``vocab`` holds forms (Arrow strings); ``keys`` one or more arrays of ids into it (a word, or a
    pair of words), whose rows are distinct; ``values`` maps a name to an int64 array aligned with
    the keys. Adding two of them unifies the vocabularies (Arrow dictionary encoding), maps the ids
    and sums the values of equal keys; with one shard nothing is converted.
    """

    vocab: pa.Array
    keys: tuple[np.ndarray, ...]
    values: Mapping[str, np.ndarray]

    def __add__(self, other: FormCounts) -> FormCounts:
        return combine_forms([self, other])

    def __len__(self) -> int:
        return int(self.keys[0].size) if self.keys else 0

    def forms(self, column: int = 0) -> np.ndarray:
        """The forms of key column *column*, as an object array aligned with the keys."""
        return np.asarray(self.vocab.take(pa.array(self.keys[column])).to_pylist(), dtype=object)


def combine_forms(parts: Sequence[FormCounts]) -> FormCounts:
    """The sum of several :class:`FormCounts` (one vocabulary unification for all of them)."""
    if len(parts) == 1:
        return parts[0]
    encoded = pa.chunked_array([p.vocab for p in parts], type=pa.string()).combine_chunks().dictionary_encode()
    to_global = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum([len(p.vocab) for p in parts])))
    size = np.int64(len(encoded.dictionary))
    width = len(parts[0].keys)
    composite = np.zeros(sum(len(p) for p in parts), dtype=np.int64)
    at = 0
    for k, p in enumerate(parts):
        code = np.zeros(len(p), dtype=np.int64)
        for column in p.keys:
            code = code * size + to_global[starts[k] + np.asarray(column, dtype=np.int64)]
        composite[at : at + len(p)] = code
        at += len(p)
    unique, inverse = np.unique(composite, return_inverse=True)
    keys = []
    rest = unique
    for _ in range(width):
        keys.append(rest % size)
        rest = rest // size
    values = {}
    for name in parts[0].values:
        stacked = np.concatenate([np.asarray(p.values[name], dtype=np.int64) for p in parts])
        # float weights are exact for counts below 2**53
        values[name] = np.bincount(inverse.ravel(), weights=stacked, minlength=unique.size).astype(np.int64)
    return FormCounts(encoded.dictionary, tuple(reversed(keys)), values)


@dataclass(frozen=True)
class Part:
    """What one shard (or several, combined) contributes to a result; see the module docstring."""

    sizes: Sizes = field(default_factory=Sizes)
    tables: Mapping[str, pa.Table] = field(default_factory=dict)
    numbering: Numbering = field(default_factory=dict)
    counts: Mapping[str, Any] = field(default_factory=dict)
    #: The sizes of each shard in the part, in order (where global numbers map back to shards).
    shards: tuple[Sizes, ...] = ()

    def __add__(self, other: Part) -> Part:
        return combine([self, other])


def _shift(table: pa.Table, columns: Mapping[str, str], offsets: Mapping[str, int]) -> pa.Table:
    for column, what in columns.items():
        offset = offsets[what]
        if offset and column in table.column_names:
            i = table.column_names.index(column)
            table = table.set_column(i, column, pc.add(table.column(column), pa.scalar(offset, pa.int64())))
    return table


def _total(values: Sequence[Any]) -> Any:
    if isinstance(values[0], FormCounts):
        return combine_forms(values)  # one unification of all the vocabularies, not one per pair
    return reduce(add, values)


def combine(parts: Sequence[Part]) -> Part:
    """The sum of *parts* in shard order (equal to ``parts[0] + parts[1] + ...``, in one pass)."""
    if not parts:
        return Part()
    if len(parts) == 1:
        return parts[0]
    names = list(parts[0].tables)
    offsets = {f.name: 0 for f in fields(Sizes)} | {f"rows:{t}": 0 for t in names}
    pieces: dict[str, list[pa.Table]] = {t: [] for t in names}
    for part in parts:
        for t in names:
            pieces[t].append(_shift(part.tables[t], part.numbering.get(t, {}), offsets))
        for f in fields(Sizes):
            offsets[f.name] += getattr(part.sizes, f.name)
        for t in names:
            offsets[f"rows:{t}"] += part.tables[t].num_rows
    tables = {t: pa.concat_tables(pieces[t], promote_options="default") for t in names}
    counts = {k: _total([p.counts[k] for p in parts]) for k in parts[0].counts}
    return Part(
        sizes=reduce(add, [p.sizes for p in parts]),
        tables=tables,
        numbering=parts[0].numbering,
        counts=counts,
        shards=tuple(s for p in parts for s in p.shards),
    )
