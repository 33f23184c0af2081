"""Every corpus is a source of shards: the few places where memory and disk differ.

An in-memory :class:`~mediamon.corpus.Corpus` is one shard; a sharded store
(:class:`~mediamon.store.ShardedCorpus`), or a view of one, is N shards. The engine asks a source
only what the ``singledispatch`` primitives below answer, as great_tables confines its backends to
``_tbl_data.py``; everything else is written once, against :class:`Shard`:

:func:`shard_count`
    How many shards the source has.
:func:`shard_index`
    The token index holding shard *i*'s documents, which of its documents the source selects
    (``None``: all), and where their metadata and text are read from. A corpus derived with
    ``filter``/``between``/``sample``/``head`` uses its base corpus's index with a selection when
    that index is already built (no second index), else its own; a store view uses each shard's
    memory-mapped index with the view's rows.
:func:`shard_table`, :func:`shard_texts`
    Metadata columns (Arrow) and texts of the index's documents (texts only of the rows asked for:
    a store reads only their bytes).
:func:`shard_spans`
    The texts as UTF-8 buffers (:class:`~mediamon.textspans.TextSpans`), so that spans of text are
    cut in Arrow without a Python string per document (:meth:`Shard.pieces`).
:func:`shard_cached`
    A table derived from the whole shard (e.g. actor mentions), kept per index: in memory for a
    Corpus, on disk beside the shard for a store.
:func:`doc_columns`
    The document columns a source has (to check ``by=`` and similar options).

:class:`Shard` turns those answers into what an analysis needs: the selected documents, the sizes
of the selection, and the *renumbering* of documents, tokens, sentences and paragraphs to the
numbers an index of the selection alone would give (units never span documents, so a number moves
down by the counts of the unselected documents before it). Per-shard results are then combined
exactly (:mod:`mediamon.partials`), and :class:`Layout` maps a global token position of a combined
result back to its shard (for sorting a concordance or reading the evidence behind a count).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, singledispatch
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import executors
from .corpus import Corpus
from .errors import InputError
from .partials import Part, Sizes
from .store import META_COLUMNS, ShardedCorpus, is_store, open_store
from .sentences import BY_LANGUAGE
from .textspans import TextSpans
from .tokenindex import TokenIndex

Source = Corpus | ShardedCorpus

__all__ = [
    "Layout", "Shard", "Source", "as_source", "doc_columns", "index", "map_shards", "open_shard",
    "shard_cached", "shard_count", "shard_index", "shard_spans", "shard_table", "shard_texts",
]  # fmt: skip


def _unsupported(call: str, data: object) -> InputError:
    return InputError(
        f"{call}: unsupported data type {type(data).__name__}; pass a Corpus (mediamon.read_corpus(...)) "
        "or a sharded store (mediamon.read_corpus('<store folder>'))."
    )


def as_source(data: object, call: str) -> Source:
    """*data* as a shard source: a Corpus, a store or view, or the path of a store folder."""
    if isinstance(data, (Corpus, ShardedCorpus)):
        return data
    if isinstance(data, (str, os.PathLike)) and is_store(data):
        return open_store(data)
    raise _unsupported(call, data)


# ---------------------------------------------------------------------------------------------
# the primitives
# ---------------------------------------------------------------------------------------------
@singledispatch
def shard_count(source: object) -> int:
    """The number of shards of *source*."""
    raise _unsupported("shard_count()", source)


@shard_count.register
def _(source: Corpus) -> int:
    return 1


@shard_count.register
def _(source: ShardedCorpus) -> int:
    return source.n_shards


@singledispatch
def shard_index(source: object, i: int, sentences: str) -> tuple[TokenIndex, np.ndarray | None, Any]:
    """``(index, rows, data)``: the index holding shard *i*, the selected document rows of that index
    (sorted; ``None`` for all), and the object :func:`shard_table`/:func:`shard_texts` read from."""
    raise _unsupported("shard_index()", source)


@shard_index.register
def _(source: Corpus, i: int, sentences: str) -> tuple[TokenIndex, np.ndarray | None, Any]:
    base = source.base
    if base is not source and not source.has_index(sentences) and base.has_index(sentences):
        return base.token_index(sentences), source.base_rows, base
    return source.token_index(sentences), None, source


@shard_index.register
def _(source: ShardedCorpus, i: int, sentences: str) -> tuple[TokenIndex, np.ndarray | None, Any]:
    return source.shard_index(i, sentences=sentences, workers=_index_workers()), source.shard_rows(i), source


def _index_workers() -> int | None:
    # A Dask worker process is daemonic and cannot start the index builder's process pool.
    return 1 if mp.current_process().daemon else None


@singledispatch
def shard_table(data: object, i: int, columns: Sequence[str]) -> pa.Table:
    """*columns* of every document of the index of shard *i* (index row order), as Arrow."""
    raise _unsupported("shard_table()", data)


@shard_table.register
def _(data: Corpus, i: int, columns: Sequence[str]) -> pa.Table:
    table = data.meta_table
    if all(c in table.column_names for c in columns):
        # the same table object for the same columns, so that what is derived from it (Shard.table's
        # cast columns) is kept rather than redone per query
        kept = data.__dict__.setdefault("_meta_selections", {})
        hit = kept.get(tuple(columns))
        if hit is None or hit[0] is not table:
            hit = kept[tuple(columns)] = (table, table.select(list(columns)))
        return hit[1]
    for column in columns:
        if column not in table.column_names:
            table = table.append_column(column, data.column_arrow(column))
    return table.select(list(columns))


@shard_table.register
def _(data: ShardedCorpus, i: int, columns: Sequence[str]) -> pa.Table:
    return data.shard_table(i, tuple(columns))


@singledispatch
def shard_texts(data: object, i: int, rows: np.ndarray | None) -> np.ndarray:
    """Texts of the index's documents as an object array over all of them; at least *rows* are
    filled (``None``: all)."""
    raise _unsupported("shard_texts()", data)


@shard_texts.register
def _(data: Corpus, i: int, rows: np.ndarray | None) -> np.ndarray:
    return data.column_values("text")


@shard_texts.register
def _(data: ShardedCorpus, i: int, rows: np.ndarray | None) -> np.ndarray:
    return data.shard_texts(i, rows)


@singledispatch
def shard_spans(data: object, i: int) -> TextSpans | None:
    """The texts of the index's documents as :class:`~mediamon.textspans.TextSpans`, or ``None``
    when they have none (texts Arrow cannot hold; a store that cannot save them)."""
    raise _unsupported("shard_spans()", data)


@shard_spans.register
def _(data: Corpus, i: int) -> TextSpans | None:
    if "_text_spans" not in data.__dict__:
        try:
            spans = TextSpans.from_arrow(data.column_arrow("text"))
        except (pa.ArrowException, UnicodeEncodeError):  # lone surrogates: Python strings it is
            spans = None
        data.__dict__["_text_spans"] = spans
    return data.__dict__["_text_spans"]


@shard_spans.register
def _(data: ShardedCorpus, i: int) -> TextSpans | None:
    return data.shard_spans(i)


#: Tables derived from in-memory indexes: ``(id(index), key) -> (weakref to the index, table)``.
_DERIVED: dict[tuple[int, str], tuple[weakref.ref[TokenIndex], pa.Table]] = {}
DERIVED_CACHE_SIZE = 64


@singledispatch
def shard_cached(data: object, i: int, index: TokenIndex, key: str, compute: Callable[[], pa.Table]) -> pa.Table:
    """The table *key* derived from the whole of shard *i* (index *index*): *compute()* once per
    index, then kept (in memory for a Corpus, beside the shard for a store)."""
    raise _unsupported("shard_cached()", data)


@shard_cached.register
def _(data: Corpus, i: int, index: TokenIndex, key: str, compute: Callable[[], pa.Table]) -> pa.Table:
    where = (id(index), key)
    hit = _DERIVED.get(where)
    if hit is not None and hit[0]() is index:
        return hit[1]
    table = compute()
    _DERIVED[where] = (weakref.ref(index, lambda _r, k=where: _DERIVED.pop(k, None)), table)
    while len(_DERIVED) > DERIVED_CACHE_SIZE:
        _DERIVED.pop(next(iter(_DERIVED)))
    return table


@shard_cached.register
def _(data: ShardedCorpus, i: int, index: TokenIndex, key: str, compute: Callable[[], pa.Table]) -> pa.Table:
    return data.cached_table(i, index, key, compute, index.sentence_model)


@singledispatch
def doc_columns(source: object) -> list[str]:
    """The document columns of *source* (``text`` included)."""
    raise _unsupported("doc_columns()", source)


@doc_columns.register
def _(source: Corpus) -> list[str]:
    return list(source.docs.columns)


@doc_columns.register
def _(source: ShardedCorpus) -> list[str]:
    return list(dict.fromkeys(c for s in source.shards for c in s.dtypes))


# ---------------------------------------------------------------------------------------------
# one shard, as the analyses see it
# ---------------------------------------------------------------------------------------------
def _exclusive_cumsum(x: np.ndarray) -> np.ndarray:
    out = np.zeros(x.size, dtype=np.int64)
    if x.size > 1:
        np.cumsum(x[:-1], out=out[1:])
    return out


class Shard:
    """Shard *number* of a source: its index, the documents that count, and their renumbering.

    For a selected index document ``d``, a token position ``t`` becomes ``t - tok_shift[d]``, a
    sentence ``s - sent_shift[d]``, a paragraph ``p - para_shift[d]`` and the document
    ``doc_new[d]``: the numbers of an index of the selected documents alone. Without a selection
    every shift is 0 and nothing is computed.
    """

    def __init__(self, source: Source, number: int, index: TokenIndex, rows: np.ndarray | None, data: Any) -> None:
        self.source = source
        self.number = number
        self.index = index
        self.rows = None if rows is None else np.asarray(rows, dtype=np.int64)
        self.data = data

    @property
    def all(self) -> bool:
        """Whether every document of the index counts."""
        return self.rows is None

    @cached_property
    def keep(self) -> np.ndarray:
        """Which documents of the index count (bool over the index's documents)."""
        keep = np.ones(self.index.n_docs, dtype=bool)
        if self.rows is not None:
            keep[:] = False
            keep[self.rows] = True
        return keep

    @cached_property
    def selected(self) -> np.ndarray:
        """The rows of the index's documents that count, in order."""
        return np.arange(self.index.n_docs, dtype=np.int64) if self.rows is None else self.rows

    @cached_property
    def _counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ix, n = self.index, self.index.n_docs
        ntok = np.diff(np.asarray(ix.doc_offsets, dtype=np.int64))
        nsent = np.bincount(np.asarray(ix.sent_doc, dtype=np.int64), minlength=n).astype(np.int64)
        npara = np.bincount(np.asarray(ix.para_doc, dtype=np.int64), minlength=n).astype(np.int64)
        return ntok, nsent, npara

    @cached_property
    def sizes(self) -> Sizes:
        """Documents, tokens, sentences and paragraphs of the selection."""
        ix = self.index
        if self.rows is None:
            return Sizes(ix.n_docs, ix.n_tokens, ix.n_sents, ix.n_paras)
        ntok, nsent, npara = self._counts
        r = self.rows
        return Sizes(int(r.size), int(ntok[r].sum()), int(nsent[r].sum()), int(npara[r].sum()))

    @cached_property
    def counts(self) -> np.ndarray:
        """Frequency of each vocabulary id in the selected documents (the index's counts when all
        documents count)."""
        ix = self.index
        if self.rows is None:
            return ix.counts
        tokens_kept = np.repeat(self.keep, np.diff(np.asarray(ix.doc_offsets, dtype=np.int64)))  # a byte per token
        ids = np.asarray(ix.ids)[tokens_kept]
        return np.bincount(ids, minlength=len(ix.vocab)).astype(np.int64)

    @cached_property
    def _shifts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        ntok, nsent, npara = self._counts
        k = self.keep.astype(np.int64)
        doc_new = np.cumsum(k) - 1
        tok = np.asarray(self.index.doc_offsets[:-1], dtype=np.int64) - _exclusive_cumsum(ntok * k)
        sent = _exclusive_cumsum(nsent) - _exclusive_cumsum(nsent * k)
        para = _exclusive_cumsum(npara) - _exclusive_cumsum(npara * k)
        return doc_new, tok, sent, para

    # -- renumbering (index numbers -> numbers of the selection) ----------------------------
    def local_docs(self, docs: np.ndarray) -> np.ndarray:
        """Selection-local numbers of (selected) index documents."""
        docs = np.asarray(docs, dtype=np.int64)
        return docs if self.rows is None else self._shifts[0][docs]

    def local_tokens(self, pos: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """Selection-local token positions of index positions *pos* in documents *docs*."""
        pos = np.asarray(pos, dtype=np.int64)
        return pos if self.rows is None else pos - self._shifts[1][np.asarray(docs, dtype=np.int64)]

    def local_sentences(self, sent: np.ndarray, docs: np.ndarray) -> np.ndarray:
        sent = np.asarray(sent, dtype=np.int64)
        return sent if self.rows is None else sent - self._shifts[2][np.asarray(docs, dtype=np.int64)]

    def local_paragraphs(self, para: np.ndarray, docs: np.ndarray) -> np.ndarray:
        para = np.asarray(para, dtype=np.int64)
        return para if self.rows is None else para - self._shifts[3][np.asarray(docs, dtype=np.int64)]

    def index_tokens(self, pos: np.ndarray) -> np.ndarray:
        """Index positions of selection-local token positions (the inverse of :meth:`local_tokens`)."""
        pos = np.asarray(pos, dtype=np.int64)
        if self.rows is None or not pos.size:
            return pos
        shift = self._shifts[1][self.rows]
        first = np.asarray(self.index.doc_offsets[:-1], dtype=np.int64)[self.rows] - shift
        j = np.searchsorted(first, pos, side="right") - 1
        return pos + shift[j]

    # -- data ----------------------------------------------------------------------------
    def table(
        self, docs: np.ndarray, columns: Sequence[str] = META_COLUMNS, *, types: Mapping[str, pa.DataType] | None = None
    ) -> pa.Table:
        """*columns* of index documents *docs* (in that order); with *types*, the columns it names
        are cast to those Arrow types (all of the shard's rows once, kept while the source hands out
        the same table, rather than the rows of every query)."""
        whole = shard_table(self.data, self.number, tuple(columns))
        if types:
            whole = self._typed(whole, types)
        return whole.take(pa.array(np.asarray(docs, dtype=np.int64)))

    def _typed(self, whole: pa.Table, types: Mapping[str, pa.DataType]) -> pa.Table:
        """*whole* with the columns *types* names cast to them (cached per source table object)."""
        key = (tuple(whole.column_names), tuple(types.items()))
        hit = self._typed_tables.get(key)
        if hit is not None and hit[0] is whole:
            return hit[1]
        typed = whole
        for k, name in enumerate(whole.column_names):
            want = types.get(name)
            if want is not None and whole.schema.field(k).type != want:
                typed = typed.set_column(k, name, whole.column(k).cast(want))
        self._typed_tables[key] = (whole, typed)
        return typed

    @cached_property
    def _typed_tables(self) -> dict[tuple[object, ...], tuple[pa.Table, pa.Table]]:
        return {}

    def texts(self, docs: np.ndarray | None) -> np.ndarray:
        """Texts over the index's documents (object array); at least *docs* filled (``None``: all)."""
        return shard_texts(self.data, self.number, None if docs is None else np.asarray(docs, np.int64))

    def pieces(self, docs: np.ndarray, *cuts: np.ndarray) -> list[pa.Array]:
        """The text between consecutive character offsets *cuts* of index documents *docs*:
        ``len(cuts) - 1`` Arrow string arrays, piece *k* of row *j* being
        ``text[cuts[k][j]:cuts[k + 1][j]]`` (cuts must not decrease along a row).

        All pieces are ``large_string`` when together they hold 2 GiB or more, else ``string``. No
        Python string is made when the source keeps its texts as UTF-8 (:func:`shard_spans`).
        """
        docs = np.asarray(docs, dtype=np.int64)
        # (a store checks its shard file against its record before handing out the saved texts)
        spans = shard_spans(self.data, self.number) if docs.size else None
        if spans is not None:
            # row by row (the cuts of one hit side by side), so that each pass over the text reads
            # the cuts of a row together: one pass for all cuts, one for all pieces
            chars = np.stack([np.asarray(c, dtype=np.int64) for c in cuts], axis=1)
            offsets = spans.byte_offsets(docs[:, None], chars)
            large = bool(docs.size) and int((offsets[:, -1] - offsets[:, 0]).sum()) >= 2**31
            return spans.byte_slices(docs, offsets[:, :-1], offsets[:, 1:], large=large)
        texts = self.texts(docs) if docs.size else np.zeros(0, dtype=object)
        rows = texts[docs].tolist()
        bounds = [np.asarray(c, dtype=np.int64).tolist() for c in cuts]
        out = [_python_strings([t[a:b] for t, a, b in zip(rows, lo, hi)]) for lo, hi in zip(bounds, bounds[1:])]
        large = sum(int(pc.sum(pc.binary_length(p)).as_py() or 0) for p in out) >= 2**31
        return [p.cast(pa.large_string() if large else pa.string()) for p in out]

    def slices(self, docs: np.ndarray, start: np.ndarray, end: np.ndarray) -> pa.Array:
        """``text[start:end]`` of index documents *docs* (character offsets) as Arrow strings."""
        return self.pieces(docs, start, end)[0]

    @property
    def whole(self) -> Shard:
        """This shard with every document of its index (no selection)."""
        return self if self.rows is None else Shard(self.source, self.number, self.index, None, self.data)

    def cached(self, key: str, compute: Callable[[], pa.Table]) -> pa.Table:
        """The table *key* derived from the whole shard (index numbers; see :func:`shard_cached`):
        *compute()* once per index. *key* must name everything besides the index the table depends on."""
        return shard_cached(self.data, self.number, self.index, key, compute)


def _python_strings(values: list[str]) -> pa.Array:
    try:
        return pa.array(values, type=pa.large_string())
    except UnicodeEncodeError:  # a lone surrogate in the text: it reads as U+FFFD
        return pa.array([v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for v in values],
                        type=pa.large_string())  # fmt: skip


def open_shard(source: Source, i: int, sentences: str = BY_LANGUAGE) -> Shard:
    """Shard *i* of *source*, with its index memory-mapped or built (cached per source object)."""
    ix, rows, data = shard_index(source, i, sentences)
    cache = source.__dict__.setdefault("_shards", {})
    hit = cache.get((i, sentences))
    if hit is not None and hit.index is ix and hit.data is data:
        return hit
    shard = Shard(source, i, ix, rows, data)
    cache[(i, sentences)] = shard
    return shard


def map_shards(
    source: Source,
    task: Callable[..., Part],
    args: Sequence[tuple[Any, ...]] | tuple[Any, ...] = (),
    *,
    executor: object = None,
) -> list[Part]:
    """Run ``task(source, i, *args)`` for every shard *i* on the chosen executor, in shard order.

    *args* is one tuple for every shard, or a list with one tuple per shard. *executor* ``None``
    takes the source's own choice (``source.using(...)``), else runs in this process.
    """
    n = shard_count(source)
    per_shard = list(args) if isinstance(args, list) else [tuple(args)] * n
    if len(per_shard) != n:
        raise InputError(f"map_shards(): {len(per_shard)} argument tuples for {n} shards.")
    chosen = executors.resolve(executor if executor is not None else source.executor)
    return chosen.map(task, source, per_shard)


# ---------------------------------------------------------------------------------------------
# global numbers of a combined result, back to shards
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Layout:
    """Where the shards of a combined result start: global token positions back to shards."""

    source: Source
    shards: tuple[Sizes, ...]
    sentences: str = BY_LANGUAGE

    @classmethod
    def of(cls, source: Source, part: Part, sentences: str = BY_LANGUAGE) -> Layout:
        """The layout of a combined result of *source*."""
        return cls(source, part.shards, sentences)

    @classmethod
    def measure(cls, source: Source, sentences: str = BY_LANGUAGE) -> Layout:
        """The layout of *source* itself (each shard's sizes; indexes are opened, nothing counted)."""
        return cls(source, tuple(open_shard(source, i, sentences).sizes for i in range(shard_count(source))), sentences)

    def starts(self, what: str) -> np.ndarray:
        """Where each shard starts in global numbers of *what* (a :class:`Sizes` field), plus the total."""
        return np.concatenate(([0], np.cumsum([getattr(s, what) for s in self.shards]))).astype(np.int64)

    @cached_property
    def token_starts(self) -> np.ndarray:
        return self.starts("tokens")

    @cached_property
    def doc_starts(self) -> np.ndarray:
        return self.starts("documents")

    def by_tokens(self, pos: np.ndarray) -> Iterator[tuple[Shard, np.ndarray, np.ndarray]]:
        """For each shard holding some of the global token positions *pos*: the shard, which
        entries of *pos* it holds, and their positions in its index."""
        pos = np.asarray(pos, dtype=np.int64)
        which = np.searchsorted(self.token_starts, pos, side="right") - 1
        for k in np.unique(which).tolist():
            sel = np.flatnonzero(which == k)
            shard = open_shard(self.source, k, self.sentences)
            yield shard, sel, shard.index_tokens(pos[sel] - self.token_starts[k])

    def by_docs(self, docs: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """For each shard holding some of the global document numbers *docs*: the shard number,
        which entries it holds, and their shard-local (selection-local) numbers."""
        docs = np.asarray(docs, dtype=np.int64)
        which = np.searchsorted(self.doc_starts, docs, side="right") - 1
        for k in np.unique(which).tolist():
            sel = np.flatnonzero(which == k)
            yield k, sel, docs[sel] - self.doc_starts[k]


def index(
    corpus: Source,
    *,
    sentences: str = BY_LANGUAGE,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    workers: int | None = None,
    executor: object = None,
) -> TokenIndex | ShardedCorpus:
    """Build (or load) the token index of every shard of *corpus*, once.

    Parameters
    ----------
    corpus
        A Corpus, or a sharded store or view.
    sentences
        Sentence model: ``"news"`` (bundled Punkt parameters per document language), ``"news-en"`` or ``"nltk"`` / ``"nltk:<lang>"``
        (an NLTK ``punkt_tab`` the user has installed).
    cache_dir
        For a Corpus: a folder for an on-disk copy keyed by the fingerprint (default: the
        ``MEDIAMON_CACHE`` environment variable, else memory only). A stale copy is never used.
    progress
        Show a progress bar; ``None`` shows it only in interactive sessions.
    workers
        Processes that index batches of one shard (``1`` never forks, e.g. in a kernel with threads).
    executor
        For a store: where the shard indexes are built (e.g. ``"dask"`` or a scheduler address:
        on the workers, beside the shards). See :mod:`mediamon.executors`.

    Returns
    -------
    TokenIndex or ShardedCorpus
        The corpus's index; for a store, the store itself, after every shard's index has been
        built (or checked) on disk, so that later analyses memory-map them.
    """
    source = as_source(corpus, "index()")
    if isinstance(source, Corpus):
        return source.token_index(sentences, cache_dir=cache_dir, progress=progress, workers=workers)
    chosen = executors.resolve(executor if executor is not None else source.executor)
    if isinstance(chosen, executors.SerialExecutor):
        return source.build_indexes(sentences=sentences, progress=progress, workers=workers)
    if isinstance(chosen, executors.DaskExecutor):
        chosen = chosen.on_workers()  # the indexes are built where the workers are, never here
    chosen.map(_task_index, source, [(sentences,)] * source.n_shards)
    return source


def _task_index(source: ShardedCorpus, i: int, sentences: str) -> Sizes:
    return open_shard(source, i, sentences).sizes
