"""Reading a sharded store: a corpus too large for memory, kept as Parquet shards on disk.

A store is written by :func:`mediamon.ingestion.ingest` (``mediamon ingest``)::

    DEST/
      store.json                         what is in the store (format, shards, counts, options)
      manifest.parquet                   the load manifest: one row per discovered input item
      shards/shard-00000.parquet         documents, all columns of Corpus.docs, in reading order
      shards/shard-00000.index-news-en/  the shard's TokenIndex (.npy + vocab.txt + meta.json)
      shards/shard-00000.text/           the shard's texts as memory-mapped UTF-8 (mediamon.storecache)
      shards/shard-00000.tables/         tables derived from the shard: its metadata columns, actor mentions (idem)
      ...

:func:`open_store` returns a :class:`ShardedCorpus`: the store's description, from which the engine
(:mod:`mediamon.shards`) reads one shard at a time: its token index memory-mapped from beside the
shard, its metadata columns (decoded from the shard once per store, kept as a memory-mapped
table beside it, and cached per process), and the texts of only the rows it
needs: the bytes at the spans asked for, from the saved texts (written by ingest, or by the first
query when missing), or, where those cannot be written (a read-only store), the row groups holding
those rows (shards are written in row groups of :data:`ROW_GROUP` documents). Memory stays bounded
by one shard, whatever the size of the store.

Views
    :meth:`ShardedCorpus.between`, :meth:`~ShardedCorpus.filter`, :meth:`~ShardedCorpus.sample` and
    :meth:`~ShardedCorpus.head` return a *view*: the same shards on disk and a selection of rows per
    shard, decided from the metadata alone. Every analysis honours it, with the numbers the in-memory
    engine gives on the same selection.

Nothing half-written
    A folder without a ``store.json`` that says ``"format": "mediamon-store"`` is never opened as a
    store. No pickle is used anywhere: documents and the manifest are Parquet, indexes are ``.npy``
    (``allow_pickle=False``) and text, metadata JSON. A folder being written (an ingest's, a report
    run's) holds an owner file naming its process (:func:`mediamon.markers.claim_folder`); one left by
    a process that is gone is swept by the next writer.

Nothing changed unseen
    ``store.json`` records each shard's size, modification time and SHA-256, and each index's
    ``meta.json`` those of its arrays. Using a shard costs a ``stat``: a size that differs is damage,
    and a modification time that differs makes the digest decide, once
    (:func:`~mediamon.tokenindex.check_file`); ``open_store(path, verify=True)`` checks every digest
    now. Damage (an edited or truncated shard, a changed index array, bytes Parquet cannot decode)
    raises :class:`StoreError` naming the shard; an index built for other documents is rebuilt.
    Shard paths must lie inside the store.
"""

from __future__ import annotations

import contextlib
import copy
import glob
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from . import display
from .corpus import MANIFEST_COLUMNS, Corpus, between_mask, empty_manifest
from .errors import ColumnError, InputError, IntegrityError, MediamonError
from .markers import read_marker
from .sentences import BY_LANGUAGE
from .storecache import TEXT_FILES, TableCache, load_text, remove_abandoned, save_text, text_folder
from .textspans import TextSpans
from .indexbuild import build_index
from .tokenindex import INDEX_FILES, TokenIndex, check_file

log = logging.getLogger(__name__)

__all__ = ["METADATA_TABLE", "ROW_GROUP", "ShardedCorpus", "StoreError", "is_store", "metadata_table", "open_store"]

STORE_FORMAT = "mediamon-store"
STORE_VERSION = 1
#: Documents per Parquet row group inside a shard (the unit read when only some texts are needed).
ROW_GROUP = 256
#: The columns every analysis reads of a shard's documents (besides the text).
META_COLUMNS = ("doc_id", "date", "source", "title", "url")
#: The ``table`` field of the record of a shard's metadata table in its table cache (the other
#: tables there are derived tables such as actor mentions).
METADATA_TABLE = "metadata"


class StoreError(MediamonError, OSError):
    """A store folder is missing, incomplete, of another format, or was changed after ingest."""


@dataclass(frozen=True)
class ShardInfo:
    """One shard as recorded in ``store.json``."""

    number: int
    file: str
    n_docs: int
    doc_start: int
    fingerprint: str
    bytes: int
    text_bytes: int
    dtypes: dict[str, str] = field(default_factory=dict)
    #: The file's modification time and SHA-256 when ingest wrote it (``None``: a store written
    #: before digests were kept; only its size is checked).
    mtime_ns: int | None = None
    sha256: str | None = None

    @property
    def record(self) -> dict[str, object]:
        """What :func:`~mediamon.tokenindex.check_file` checks."""
        return {"bytes": self.bytes, "mtime_ns": self.mtime_ns, "sha256": self.sha256}


@dataclass(frozen=True, eq=False, repr=False)
class ShardedCorpus:
    """A corpus stored as Parquet shards (see the module docstring), opened with :func:`open_store`.

    It holds only the store's description; documents are read shard by shard. ``len(store)`` is the
    number of documents; ``store.shard(i)`` is shard *i* as a :class:`~mediamon.corpus.Corpus`
    (its index, built or memory-mapped from disk, attached); ``for corpus in store: ...`` walks the
    shards in order. Every analysis (``mediamon.kwic``, ``mediamon.cooccurrence``, ...) takes it
    where it takes a Corpus.

    Document ``doc`` numbers in results are global rows: shard *i*'s first document is row
    ``store.shards[i].doc_start``, exactly its row in ``read_corpus(source)``.

    Views
        :meth:`between`, :meth:`filter`, :meth:`sample` and :meth:`head` return a *view*: the same
        shards on disk and a selection of rows per shard held in memory, decided from the
        documents' metadata only (no text is read). Every analysis honours it, here or on Dask:
        documents outside the view do not count (units
        ``n``, mentions, KWIC rows, timelines), and ``doc``, ``sentence``, ``paragraph`` and token
        numbers are those the single-corpus engine gives on the same selection in memory
        (``corpus.between(...)``), as if the view had been indexed in one piece. ``len(view)``,
        :attr:`docs`, :meth:`metadata`, :meth:`summary`, :meth:`to_corpus` and :meth:`text_of`
        honour it too; :meth:`shard` and iteration always give whole shards.
    """

    path: Path
    meta: dict[str, Any]
    #: Per shard, the selected shard-local rows (sorted) of a view; ``None``: every document.
    rows: tuple[np.ndarray, ...] | None = None
    #: The view's label (``name|between(...)``); ``None``: the store's name.
    label: str | None = None

    # -- description --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.label or str(self.meta.get("name") or self.path.name)

    @property
    def is_view(self) -> bool:
        """True when only some documents of the store are selected (see *Views*)."""
        return self.rows is not None

    @cached_property
    def shards(self) -> tuple[ShardInfo, ...]:
        return tuple(ShardInfo(number=i, **s) for i, s in enumerate(self.meta["shards"]))

    @property
    def n_shards(self) -> int:
        return len(self.meta["shards"])

    def __len__(self) -> int:
        if self.rows is None:
            return int(self.meta["n_docs"])
        return int(sum(r.size for r in self.rows))

    @property
    def doc_starts(self) -> np.ndarray:
        """Global row of each shard's first (selected) document, plus the total (``n_shards + 1``)."""
        if self.rows is None:
            return np.asarray([s.doc_start for s in self.shards] + [len(self)], dtype=np.int64)
        return np.concatenate(([0], np.cumsum([r.size for r in self.rows]))).astype(np.int64)

    def shard_rows(self, i: int) -> np.ndarray | None:
        """The shard-local rows of shard *i* in this view (sorted), or ``None`` for all of them."""
        return None if self.rows is None else self.rows[i]

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the shard fingerprints (and of a view's rows): equal stores or views share it."""
        h = hashlib.blake2b(digest_size=16)
        for s in self.shards:
            h.update(f"{s.n_docs}:{s.fingerprint};".encode())
        if self.rows is not None:
            for r in self.rows:
                h.update(b"\x1e" + np.ascontiguousarray(r, dtype=np.int64).tobytes())
        return h.hexdigest()

    def __repr__(self) -> str:
        return f"<ShardedCorpus {self.name!r}: {len(self):,} documents in {self.n_shards} shards at {self.path}>"

    def __getstate__(self) -> dict[str, Any]:  # ship only the description (Dask), never cached data
        return {"path": self.path, "meta": self.meta, "rows": self.rows, "label": self.label}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "path", state["path"])
        object.__setattr__(self, "meta", state["meta"])
        object.__setattr__(self, "rows", state.get("rows"))
        object.__setattr__(self, "label", state.get("label"))

    # -- views (Corpus's structural methods) --------------------------------------------------
    def _view(self, keep: np.ndarray, what: str) -> ShardedCorpus:
        """The view keeping the documents of this one where *keep* (over ``len(self)``) is true."""
        keep = np.asarray(keep, dtype=bool)
        starts = self.doc_starts
        rows = []
        for i in range(self.n_shards):
            mine = self.shard_rows(i)
            if mine is None:
                mine = np.arange(self.shards[i].n_docs, dtype=np.int64)
            rows.append(np.asarray(mine, dtype=np.int64)[keep[starts[i] : starts[i + 1]]])
        view = ShardedCorpus(self.path, self.meta, rows=tuple(rows), label=f"{self.name}|{what}")
        if self.executor is not None:
            object.__setattr__(view, "_executor", self.executor)
        return view

    @cached_property
    def docs(self) -> pd.DataFrame:
        """The documents' metadata in order: every column of ``Corpus.docs`` but ``text``.

        Read once from the shards (memory grows with the number of documents, not with their
        text). The texts stay on disk: use :meth:`text_of` for one document, or the analyses.
        """
        return self.metadata()

    def filter(
        self,
        mask: pd.Series | np.ndarray | Callable[[pd.DataFrame], Any] | None = None,
        **equals: object,
    ) -> ShardedCorpus:
        """A view of the documents selected by a boolean mask or callable, and/or column equality.

        As :meth:`Corpus.filter`, except that a callable receives :attr:`docs` (the metadata,
        without ``text``): ``store.filter(source="Tehran Times")``, ``store.filter(lambda d:
        d.title.str.contains("Kazan"))``.
        """
        keep = np.ones(len(self), dtype=bool)
        if mask is not None:
            value = mask(self.docs) if callable(mask) else mask
            arr = np.asarray(value, dtype=bool)
            if arr.shape != (len(self),):
                raise InputError(f"ShardedCorpus.filter(): mask has shape {arr.shape}; expected ({len(self)},).")
            keep &= arr
        if equals:
            columns = {c for s in self.shards for c in s.dtypes}
            for column in equals:
                if column not in columns or column == "text":
                    raise ColumnError(
                        f"ShardedCorpus.filter(): column {column!r} not found; metadata columns are "
                        f"{sorted(columns - {'text'})}."
                    )
            meta = self.metadata(list(equals))
            for column, wanted in equals.items():
                values = wanted if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
                keep &= meta[column].isin(list(values)).to_numpy(dtype=bool)
        described = ",".join(f"{k}={v!r}" for k, v in equals.items()) or "mask"
        return self._view(keep, f"filter({described})")

    def between(self, start: object = None, end: object = None) -> ShardedCorpus:
        """A view of the documents dated in ``[start, end]`` (UTC), as :meth:`Corpus.between`.

        Undated documents are left out; a date without a time as *end* covers that whole day.
        """
        dates = self.metadata(["date"])["date"]
        keep = between_mask(dates, start, end, call="ShardedCorpus.between()")
        return self._view(keep, f"between({start},{end})")

    def sample(self, n: int, *, seed: int = 0) -> ShardedCorpus:
        """A view of *n* documents drawn as :meth:`Corpus.sample` draws them (same rows, same seed)."""
        if n < 0:
            raise InputError(f"ShardedCorpus.sample(): n must be >= 0, got {n}.")
        n = min(n, len(self))
        rng = np.random.default_rng(seed)
        keep = np.zeros(len(self), dtype=bool)
        keep[rng.choice(len(self), size=n, replace=False)] = True
        return self._view(keep, f"sample({n},seed={seed})")

    def head(self, n: int = 5) -> ShardedCorpus:
        """A view of the first *n* documents."""
        keep = np.zeros(len(self), dtype=bool)
        keep[: max(n, 0)] = True
        return self._view(keep, f"head({n})")

    # -- shards -------------------------------------------------------------------------------
    def _shard_path(self, i: int) -> Path:
        if not 0 <= i < self.n_shards:
            raise InputError(f"ShardedCorpus: shard {i} does not exist; the store has {self.n_shards}.")
        return self.path / self.shards[i].file

    def shard_file(self, i: int, *, verify: bool = False) -> Path:
        """The Parquet file of shard *i*, checked against what ingest wrote: its size, and its
        SHA-256 when the modification time moved (or with *verify*)."""
        path = self._shard_path(i)
        info = self.shards[i]
        if info.sha256 is None:
            if verify:
                raise StoreError(
                    f"ShardedCorpus: {self.path} was written without content digests (an older mediamon), so "
                    "its shards cannot be verified. Ingest the source again."
                )
            try:
                size = path.stat().st_size
            except OSError as exc:
                raise StoreError(f"ShardedCorpus: shard file {path} cannot be read: {exc.strerror or exc}.") from None
            problem = None if size == info.bytes else f"has {size:,} bytes, not the {info.bytes:,} written"
        else:
            problem = check_file(path, info.record, verify=verify)
        if problem is not None:
            raise StoreError(
                f"ShardedCorpus: shard {i} ({path}) {problem}; the store was changed after ingest. "
                "Ingest the source again."
            )
        return path

    @contextlib.contextmanager
    def _reading(self, i: int) -> Iterator[None]:
        """Turn what Parquet raises for a damaged shard file (zstd, Thrift, Arrow) into a StoreError."""
        try:
            yield
        except MediamonError:
            raise
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(
                f"ShardedCorpus: shard {i} ({self._shard_path(i)}) cannot be decoded: {exc}. The file is damaged; "
                f"check the store with open_store({str(self.path)!r}, verify=True), or ingest the source again."
            ) from None

    def shard_table(self, i: int, columns: Sequence[str] = META_COLUMNS) -> pa.Table:
        """Columns of every document of shard *i* (not only the view's) as an Arrow table, read once
        per process and cached; a column the shard lacks is all null.

        Columns other than ``text`` come from the shard's metadata table (:meth:`_metadata_table`),
        which is decoded from the Parquet file once per store, not once per process.
        """
        path = self.shard_file(i)
        key = (str(path), self.shards[i].fingerprint, tuple(columns))
        hit = _TABLE_CACHE.pop(key, None)
        if hit is None:
            if "text" in columns:
                with self._reading(i):
                    pf = pq.ParquetFile(path)
                    table = pf.read(columns=[c for c in columns if c in pf.schema_arrow.names])
            else:
                whole = self._metadata_table(i)
                table = whole.select([c for c in columns if c in whole.column_names])
            for c in columns:
                if c not in table.column_names:
                    table = table.append_column(c, pa.nulls(table.num_rows, pa.string()))
            hit = table.select(list(columns))
        _TABLE_CACHE[key] = hit
        while len(_TABLE_CACHE) > TABLE_CACHE_SIZE:
            _TABLE_CACHE.pop(next(iter(_TABLE_CACHE)))
        return hit

    def _metadata_table(self, i: int) -> pa.Table:
        """Every column of shard *i* but ``text`` (:func:`metadata_table`)."""
        try:
            with self._reading(i):
                return metadata_table(self.shard_file(i), fingerprint=self.shards[i].fingerprint, shard=self.shards[i].file)
        except IntegrityError as exc:
            raise StoreError(
                f"ShardedCorpus: the metadata table of shard {i} is damaged: {str(exc).rstrip('.')}. Remove "
                f"{self.table_cache(i).folder} to rebuild it, or ingest the source again."
            ) from None

    def shard_texts(self, i: int, rows: np.ndarray | Sequence[int] | None = None) -> np.ndarray:
        """Texts of shard *i* as an object array over all its documents: the given shard-local
        *rows* filled, ``""`` elsewhere; ``None`` reads them all (from the Parquet file).

        Given rows are read from the shard's saved texts (:meth:`shard_spans`: only their bytes), or,
        where those cannot be saved, from the Parquet row groups holding them."""
        path = self.shard_file(i)
        n = self.shards[i].n_docs
        out = np.full(n, "", dtype=object)
        if rows is not None:
            rows = np.unique(np.asarray(rows, dtype=np.int64))
            if not rows.size:
                return out
            spans = self.shard_spans(i)
            if spans is not None:
                try:
                    out[rows] = spans.texts(rows)
                except UnicodeDecodeError as exc:  # bytes changed with their size and time kept
                    raise StoreError(
                        f"ShardedCorpus: the saved texts of shard {i} are damaged: {exc}. Remove "
                        f"{self.text_folder(i)} to rebuild them from the shard (open_store(..., verify=True) "
                        "checks every saved file)."
                    ) from None
                return out
        with self._reading(i):
            pf = pq.ParquetFile(path)
            if rows is None:
                out[:] = pf.read(columns=["text"]).column("text").to_pylist()
                return out
            sizes = [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)]
            starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
            groups = np.unique(np.searchsorted(starts, rows, side="right") - 1)
            part = pf.read_row_groups(groups.tolist(), columns=["text"]).column("text")
        at = np.concatenate([np.arange(starts[g], starts[g + 1]) for g in groups.tolist()])
        # only the wanted rows become Python strings
        pos = np.searchsorted(at, rows)
        out[rows] = part.take(pa.array(pos)).to_pylist()
        return out

    def text_folder(self, i: int) -> Path:
        """Where shard *i*'s texts are kept for partial reads (beside the shard; see :mod:`mediamon.storecache`)."""
        return text_folder(self._shard_path(i))

    def shard_spans(self, i: int) -> TextSpans | None:
        """Shard *i*'s texts as :class:`~mediamon.textspans.TextSpans`, memory-mapped from beside the
        shard: built from the shard and saved when missing or stale; ``None`` when they cannot be
        saved (a read-only store), and texts are then read from the Parquet row groups.

        Raises
        ------
        StoreError
            The shard changed after ingest, or its saved texts differ from their record.
        """
        self.shard_file(i)  # a shard changed after ingest is refused, whatever was derived from it
        info = self.shards[i]
        folder = self.text_folder(i)
        key = (str(folder), info.fingerprint)
        hit = _SPANS_CACHE.get(key)
        if hit is not None and hit[0] == _files_stamp(folder, TEXT_FILES):
            return hit[1]
        if key in _UNWRITABLE:
            return None
        found = self._load_text(i, folder)
        if found is not None:  # opened once per process: the moment to clear what killed writers left
            remove_abandoned(folder)
        if found is None and not os.access(folder.parent, os.W_OK):  # a read-only store: do not read the texts in vain
            log.info("store: the texts of shard %d cannot be saved beside it (read-only); reading row groups", i)
            _UNWRITABLE.add(key)
            return None
        if found is None:
            with self._reading(i):
                column = pq.read_table(self._shard_path(i), columns=["text"]).column("text")
            built = TextSpans.from_arrow(column)
            try:
                save_text(built, folder, fingerprint=info.fingerprint)
            except OSError as exc:
                log.warning("store: cannot save the texts of shard %d to %s (%s); reading row groups", i, folder, exc)
                _UNWRITABLE.add(key)
                return None
            found = self._load_text(i, folder)
            if found is None:  # replaced meanwhile by another process's copy: use this one
                return built
        _SPANS_CACHE.pop(key, None)
        _SPANS_CACHE[key] = (_files_stamp(folder, TEXT_FILES), found)
        while len(_SPANS_CACHE) > INDEX_CACHE_SIZE:
            _SPANS_CACHE.pop(next(iter(_SPANS_CACHE)))
        return found

    def _load_text(self, i: int, folder: Path, *, verify: bool = False) -> TextSpans | None:
        try:
            return load_text(folder, fingerprint=self.shards[i].fingerprint, verify=verify)
        except IntegrityError as exc:
            raise StoreError(
                f"ShardedCorpus: the saved texts of shard {i} are damaged: {str(exc).rstrip('.')}. Remove {folder} "
                "to rebuild them from the shard, or ingest the source again."
            ) from None

    def table_cache(self, i: int) -> TableCache:
        """Shard *i*'s cached tables (its metadata, actor mentions), beside the shard (see :mod:`mediamon.storecache`)."""
        return TableCache(self._shard_path(i).with_suffix(".tables"), describe={"shard": self.shards[i].file})

    def index_digest(self, i: int, index: TokenIndex, sentences: str = BY_LANGUAGE) -> str | None:
        """A digest of the saved index *index* of shard *i* (of its files' SHA-256 records), or ``None``
        when *index* is not the one saved beside the shard (built in memory, or from ``MEDIAMON_CACHE``)."""
        folder = self.index_folder(i, sentences)
        hit = _INDEX_CACHE.get((str(folder), self.shards[i].fingerprint))
        if hit is None or hit[1] is not index:
            return None
        meta = folder / "meta.json"
        stamp = _files_stamp(folder, ("meta.json",))
        found = _DIGESTS.get(str(meta))
        if found is not None and found[0] == stamp:
            return found[1]
        try:
            digest = hashlib.blake2b(meta.read_bytes(), digest_size=16).hexdigest()
        except OSError:
            return None
        _DIGESTS[str(meta)] = (stamp, digest)
        return digest

    def cached_table(self, i: int, index: TokenIndex, key: str, compute: Callable[[], pa.Table],
                     sentences: str = BY_LANGUAGE) -> pa.Table:  # fmt: skip
        """The table *key* of shard *i* derived from its saved index *index*: from this process's
        memory, from the shard's table cache, or *compute()* (then saved).

        The key it is saved under also hashes the index's digest (:meth:`index_digest`): a rebuilt
        index never meets a table derived from the old one. An index that is not saved beside the
        shard gets no saved tables.
        """
        self.shard_file(i)
        digest = self.index_digest(i, index, sentences)
        if digest is None:
            return compute()
        full = hashlib.blake2b(f"{key}\x1f{digest}".encode(), digest_size=16).hexdigest()
        cache = self.table_cache(i)
        where = (str(cache.folder), full)
        stamp = cache.stamp(full)
        hit = _TABLES.get(where)
        if hit is not None and stamp is not None and hit[0] == stamp:
            _TABLES[where] = _TABLES.pop(where)
            return hit[1]
        try:
            table = cache.get_or_put(full, compute)
        except IntegrityError as exc:
            raise StoreError(
                f"ShardedCorpus: a cached table of shard {i} is damaged: {str(exc).rstrip('.')}. Remove {cache.folder} "
                "to rebuild it, or ingest the source again."
            ) from None
        stamp = cache.stamp(full)
        if stamp is not None:
            _TABLES.pop(where, None)
            _TABLES[where] = (stamp, table)
            total = sum(t.nbytes for _, t in _TABLES.values())
            while total > TABLES_CACHE_BYTES and len(_TABLES) > 1:
                total -= _TABLES.pop(next(iter(_TABLES)))[1].nbytes
        return table

    def shard(self, i: int, *, rows: np.ndarray | Sequence[int] | None = None, with_index: bool = True) -> Corpus:
        """Shard *i* (all its documents, whatever the view) as a :class:`Corpus`; ``doc`` numbers are
        shard-local.

        Parameters
        ----------
        rows
            Read the text of these shard-local rows only; every other document keeps its metadata,
            an empty text and an empty body. For reading a few documents (:meth:`text_of`,
            :meth:`to_corpus` of a view); its fingerprint is the full shard's.
        with_index
            Attach the shard's memory-mapped token index (only without *rows*).
        """
        path = self.shard_file(i)
        info = self.shards[i]
        with self._reading(i):
            pf = pq.ParquetFile(path)
            names = [c for c in pf.schema_arrow.names if c != "text"]
            table = pf.read(columns=names)
        docs = _restore_dtypes(table.to_pandas(), info.dtypes)
        docs.insert(1, "text", self.shard_texts(i, rows))
        if rows is not None:
            empty = np.ones(info.n_docs, dtype=bool)
            empty[np.asarray(rows, dtype=np.int64)] = False
            docs.loc[empty, ["body_start", "body_end"]] = 0
        corpus = Corpus(docs, empty_manifest(), name=f"{self.name}[{i}]")
        corpus.__dict__["fingerprint"] = info.fingerprint  # the cached_property: no rehash
        if with_index and rows is None:
            corpus.attach_index(self.shard_index(i))
        return corpus

    def __iter__(self) -> Iterator[Corpus]:
        for i in range(self.n_shards):
            yield self.shard(i)

    def index_folder(self, i: int, sentences: str = BY_LANGUAGE) -> Path:
        """Where shard *i*'s token index is kept (beside the shard)."""
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", sentences)
        return self._shard_path(i).with_suffix(f".index-{safe}")

    def shard_index(
        self,
        i: int,
        *,
        sentences: str = BY_LANGUAGE,
        progress: bool | None = False,
        workers: int | None = None,
    ) -> TokenIndex:
        """Shard *i*'s :class:`~mediamon.tokenindex.TokenIndex`, memory-mapped from beside the shard.

        Built from the shard (and saved) when missing or stale (another fingerprint or format); a
        store on a read-only disk falls back to ``MEDIAMON_CACHE`` or an index held in memory.
        Loaded indexes are kept per process, so a second query does not reread the vocabulary.
        """
        info = self.shards[i]
        folder = self.index_folder(i, sentences)
        key = (str(folder), info.fingerprint)
        hit = _INDEX_CACHE.get(key)
        if hit is not None and hit[0] == _stamp(folder):
            return hit[1]
        found = self._load_index(i, folder)
        if found is not None:
            return _remember(key, found)
        cache = os.environ.get("MEDIAMON_CACHE")
        alt = Path(cache) / f"index-{info.fingerprint}-{folder.name.rsplit('.index-', 1)[1]}" if cache else None
        if alt is not None:
            found = TokenIndex.load(alt, fingerprint=info.fingerprint, mmap=True)
            if found is not None:
                return found
        table = self.shard_table(i, ("doc_id", "body_start", "body_end", "lang"))
        t0 = time.perf_counter()
        built = build_index(
            self.shard_texts(i), table.column("body_start").to_numpy(), table.column("body_end").to_numpy(),
            fingerprint=info.fingerprint, doc_ids=table.column("doc_id").to_pylist(), sentences=sentences,
            langs=table.column("lang").to_pylist(), progress=progress, workers=workers,
        )  # fmt: skip
        log.info("store: indexed shard %d (%s tokens) in %.1fs", i, f"{built.n_tokens:,}", time.perf_counter() - t0)
        for target in (folder, alt):
            if target is None:
                continue
            try:
                _save_atomic(built, target)
            except OSError as exc:
                log.warning("store: cannot write the index of shard %d to %s: %s", i, target, exc)
                continue
            loaded = TokenIndex.load(target, fingerprint=info.fingerprint, mmap=True)
            if loaded is not None:
                return _remember(key, loaded) if target == folder else loaded
        return built

    def _load_index(self, i: int, folder: Path, *, verify: bool = False) -> TokenIndex | None:
        """Shard *i*'s saved index at *folder*; ``None`` when missing or stale (to be rebuilt)."""
        try:
            return TokenIndex.load(folder, fingerprint=self.shards[i].fingerprint, mmap=True, verify=verify,
                                   strict=True)  # fmt: skip
        except IntegrityError as exc:
            raise StoreError(
                f"ShardedCorpus: the token index of shard {i} is damaged: {str(exc).rstrip('.')}. Remove {folder} "
                "to rebuild it from the shard, or ingest the source again."
            ) from None

    def verify(self) -> ShardedCorpus:
        """Check the SHA-256 of every shard file and of every saved index beside it, now.

        Raises
        ------
        StoreError
            Naming the first shard (or index) whose content differs from what was written.
        """
        for i in range(self.n_shards):
            self.shard_file(i, verify=True)
            base = self._shard_path(i)
            for folder in sorted(base.parent.glob(f"{glob.escape(base.stem)}.index-*")):
                if folder.is_dir() and not _TEMPORARY.search(folder.name):
                    self._load_index(i, folder, verify=True)
            if self.text_folder(i).is_dir():
                self._load_text(i, self.text_folder(i), verify=True)
            cache = self.table_cache(i)
            for record in sorted(cache.folder.glob("*.json")) if cache.folder.is_dir() else []:
                try:
                    cache.get(record.stem, verify=True)
                except IntegrityError as exc:
                    raise StoreError(f"ShardedCorpus: a cached table of shard {i} is damaged: {exc}") from None
        return self

    def build_indexes(
        self, *, sentences: str = BY_LANGUAGE, progress: bool | None = None, workers: int | None = None
    ) -> ShardedCorpus:
        """Build (or check) every shard's index on disk, one shard at a time; returns the store."""
        for i in tqdm(range(self.n_shards), desc="indexing shards", unit="shard",
                      disable=None if progress is None else not progress, leave=False):  # fmt: skip
            self.shard_index(i, sentences=sentences, workers=workers)
        return self

    @property
    def index(self) -> tuple[TokenIndex, ...]:
        """Every shard's token index (memory-mapped; built and saved beside the shard when missing).

        A store has one index per shard; the analyses combine them (:mod:`mediamon.shards`).
        """
        return tuple(self.shard_index(i) for i in range(self.n_shards))

    # -- whole-store views --------------------------------------------------------------------
    def metadata(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every document's metadata (all columns but ``text`` unless *columns* are named), in order.

        Memory grows with the number of documents, not with their text.
        """
        parts = [self.shard_metadata(i, columns) for i in range(self.n_shards)]
        if not parts:
            return pd.DataFrame({"doc_id": pd.Series([], dtype=object)})
        return pd.concat(parts, ignore_index=True, sort=False)

    def shard_metadata(self, i: int, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Shard *i*'s documents (of this view) without their text (or just *columns*)."""
        names = [c for c in self.shards[i].dtypes if c != "text"] if columns is None else list(columns)
        table = self.shard_table(i, tuple(names))
        rows = self.shard_rows(i)
        if rows is not None:
            table = table.take(pa.array(rows, type=pa.int64()))
        df = _restore_dtypes(table.to_pandas(), self.shards[i].dtypes)
        for c in names:
            if c not in self.shards[i].dtypes:
                df[c] = None
        return df[names]

    # -- where the analyses run ----------------------------------------------------------------
    @property
    def executor(self) -> object:
        """The executor chosen with :meth:`using` (``None``: run in this process)."""
        return self.__dict__.get("_executor")

    def using(self, executor: object) -> ShardedCorpus:
        """The same store (or view), with its analyses run by *executor*: ``"serial"``, ``"dask"``
        (a local cluster), a scheduler address such as ``"tcp://host:8786"``, a Dask ``Client`` or an
        executor object (:mod:`mediamon.executors`)."""
        twin = copy.copy(self)
        object.__setattr__(twin, "_executor", executor)
        return twin

    @property
    def manifest(self) -> pd.DataFrame:
        """The load manifest (one row per discovered input item), read from ``manifest.parquet``."""
        path = self.path / self.meta.get("manifest", "manifest.parquet")
        try:
            table = pq.read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(f"ShardedCorpus.manifest: cannot read {path}: {exc}.") from None
        man = table.to_pandas()
        for c in ("item", "path", "status", "reason", "doc_id", "duplicate_of", "message", "encoding"):
            man[c] = man[c].astype(object).where(man[c].notna(), None)
        man["line"] = man["line"].astype("Int64")
        return man[list(MANIFEST_COLUMNS)]

    def manifest_counts(self) -> dict[str, int]:
        """``discovered``, ``loaded``, ``rejected`` and ``skipped`` counts of the ingest (a view keeps
        the counts of the load it comes from, as a derived Corpus does)."""
        return dict(self.meta["counts"])

    def to_corpus(self) -> Corpus:
        """All documents (of this view) as one in-memory :class:`Corpus` with the manifest: for stores
        that fit."""
        parts = []
        for i in range(self.n_shards):
            rows = self.shard_rows(i)
            docs = self.shard(i, rows=rows, with_index=False).docs
            parts.append(docs if rows is None else docs.iloc[rows])
        docs = pd.concat(parts, ignore_index=True, sort=False) if parts else pd.DataFrame({"doc_id": [], "text": []})
        return Corpus(docs, self.manifest, name=self.name)

    def text_of(self, doc_id: str) -> str:
        """The original text of one document (of this view; reads only the shard that holds it)."""
        for i in range(self.n_shards):
            ids = self.shard_metadata(i, ["doc_id"])["doc_id"].to_numpy(dtype=object)
            hit = np.flatnonzero(ids == doc_id)
            if hit.size:
                rows = self.shard_rows(i)
                row = int(hit[0]) if rows is None else int(rows[hit[0]])
                return str(self.shard_texts(i, [row])[row])
        raise InputError(f"ShardedCorpus.text_of(): no document with doc_id={doc_id!r}.")

    def summary(self) -> dict[str, object]:
        """The keys of :meth:`Corpus.summary` (documents, dated, undated, first and last date,
        sources, load counts) plus ``shards``, ``text_bytes`` (``None`` for a view) and ``path``.

        Read from the metadata (dates and sources); no text is read.
        """
        meta = self.metadata(["date", "source"])
        dates = meta["date"]
        counts = self.manifest_counts()
        return {
            "documents": len(self),
            "dated": int(dates.notna().sum()),
            "undated": int(dates.isna().sum()),
            "first_date": dates.min() if dates.notna().any() else None,
            "last_date": dates.max() if dates.notna().any() else None,
            "sources": meta["source"].value_counts(dropna=False).to_dict(),
            **{f"manifest_{k}": v for k, v in counts.items()},
            "shards": self.n_shards,
            "text_bytes": None if self.rows is not None else int(sum(s.text_bytes for s in self.shards)),
            "path": str(self.path),
        }

    def _repr_html_(self) -> str:
        s = self.summary()
        facts = [
            ("documents", f"{s['documents']:,} in {s['shards']} shards"),
            ("text", "(a view)" if s["text_bytes"] is None else f"{s['text_bytes'] / 1e6:,.1f} MB"),
            ("store", str(self.path)),
            ("load", f"{s['manifest_discovered']:,} discovered = {s['manifest_loaded']:,} loaded + "
                     f"{s['manifest_rejected']:,} rejected + {s['manifest_skipped']:,} skipped"),
        ]  # fmt: skip
        return display.join([display.caption(f"Sharded corpus {self.name}"), display.definition_list(facts)])


#: Memory-mapped shard indexes loaded by this process (most recent last), so that a second query
#: does not reread the vocabulary; the arrays stay on disk (page cache), only small lookups are held.
_INDEX_CACHE: dict[tuple[str, str], tuple[tuple[tuple[int, int], ...], TokenIndex]] = {}
INDEX_CACHE_SIZE = 32
#: Shards' saved texts loaded by this process (memory-mapped), with the stamp of their files.
_SPANS_CACHE: dict[tuple[str, str], tuple[tuple[tuple[int, int], ...], TextSpans]] = {}
#: Shards whose texts could not be saved (a read-only store): read from row groups in this process.
_UNWRITABLE: set[tuple[str, str]] = set()
#: Digests of saved indexes (of their meta.json), with its stamp.
_DIGESTS: dict[str, tuple[tuple[tuple[int, int], ...], str]] = {}
#: Cached tables read or computed by this process, most recent last, up to TABLES_CACHE_BYTES.
_TABLES: dict[tuple[str, str], tuple[tuple[int, ...], pa.Table]] = {}
TABLES_CACHE_BYTES = 256 * 1024 * 1024
#: Metadata columns of shards read by this process (no text), most recent last.
_TABLE_CACHE: dict[tuple[str, str, tuple[str, ...]], pa.Table] = {}
TABLE_CACHE_SIZE = 256


def metadata_table(shard_file: Path, *, fingerprint: str, shard: str) -> pa.Table:
    """Every column but ``text`` of the shard stored at *shard_file* (named *shard* in ``store.json``,
    with documents of *fingerprint*): from the shard's table cache, or decoded from the shard and saved
    there (one Arrow IPC file, memory-mapped when read, keyed by the fingerprint).

    A shard's row groups are small (:data:`ROW_GROUP` rows, so that a few texts are read without
    decoding many), and decoding a column costs about 0.2 ms per row group: 25-70 ms per shard at the
    first query of every process, where the mapped table costs about a millisecond.

    Raises
    ------
    IntegrityError
        The saved table differs from its record, or cannot be decoded.
    """
    key = hashlib.blake2b(f"{METADATA_TABLE}\x1f{fingerprint}".encode(), digest_size=16).hexdigest()

    def decode() -> pa.Table:
        pf = pq.ParquetFile(shard_file)
        table = pf.read(columns=[c for c in pf.schema_arrow.names if c != "text"])
        # one chunk per column instead of one per row group: queries take rows from it
        with contextlib.suppress(pa.ArrowInvalid):  # (a column of 2 GiB or more stays chunked)
            table = table.combine_chunks()
        return table

    cache = TableCache(shard_file.with_suffix(".tables"), describe={"shard": shard, "table": METADATA_TABLE})
    return cache.get_or_put(key, decode)


def _stamp(folder: Path) -> tuple[tuple[int, int], ...]:
    """Size and modification time of every file of a saved index: a file changed in place after
    the index was loaded makes the next query load (and check) it again (about 25 µs)."""
    try:
        return tuple((st.st_size, st.st_mtime_ns) for st in map(os.stat, _index_paths(str(folder))))
    except OSError:
        return ()


@lru_cache(maxsize=4096)
def _index_paths(folder: str) -> tuple[str, ...]:
    return tuple(os.path.join(folder, name) for name in ("meta.json", *INDEX_FILES))


def _files_stamp(folder: Path, names: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Size and modification time of the files *names* of *folder* (``(-1, -1)`` for a missing one)."""
    out = []
    for name in names:
        try:
            st = os.stat(os.path.join(folder, name))
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((-1, -1))
    return tuple(out)


#: The name of an index folder being written by :func:`_save_atomic`.
_TEMPORARY = re.compile(r"\.tmp-[0-9]+-[0-9a-f]{8}$")


def _remember(key: tuple[str, str], ix: TokenIndex) -> TokenIndex:
    _INDEX_CACHE.pop(key, None)
    _INDEX_CACHE[key] = (_stamp(Path(key[0])), ix)
    while len(_INDEX_CACHE) > INDEX_CACHE_SIZE:
        _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
    return ix


def _save_atomic(ix: TokenIndex, folder: Path) -> None:
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    ix.save(tmp)
    try:
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not folder.exists():
            raise


def _restore_dtypes(df: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """Give the columns read back from Parquet the pandas dtypes they were written with."""
    for col, dtype in dtypes.items():
        if col not in df.columns or str(df[col].dtype) == dtype:
            continue
        s = df[col]
        if dtype == "object":
            df[col] = s.astype(object).where(s.notna(), None)
        else:
            try:
                df[col] = s.astype(dtype)
            except (TypeError, ValueError):
                log.debug("store: column %r kept as %s (written as %s)", col, s.dtype, dtype)
    return df


def is_store(path: str | os.PathLike[str]) -> bool:
    """True when *path* is a folder whose ``store.json`` says it is mediamon's.

    Only ``"format": "mediamon-store"`` makes a folder a store (of any version: :func:`open_store`
    then names a version it cannot read). Another program's ``store.json``, or one that is not a
    JSON object, unreadable or larger than 64 MiB, does not: the folder is read as a source.
    """
    meta = read_marker(Path(path) / "store.json")
    return isinstance(meta, dict) and meta.get("format") == STORE_FORMAT


def open_store(path: str | os.PathLike[str], *, verify: bool = False) -> ShardedCorpus:
    """Open a store written by :func:`ingest` (reads only ``store.json``).

    Parameters
    ----------
    path
        The store folder.
    verify
        Also check now the SHA-256 of every shard file and of every saved index (reads the whole
        store once). Without it, each shard is checked when it is used: by size, and by digest
        when its modification time moved (see *Nothing changed unseen* in :mod:`mediamon.store`).

    Raises
    ------
    StoreError
        The folder does not exist, has no ``store.json`` (not a store, or an ingest that did not
        finish), holds another format or version, names shard files outside the store, or (with
        *verify*) a shard or index differs from what was written.
    """
    p = Path(path).expanduser().resolve()
    meta_path = p / "store.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(
            f"open_store(): {p} is not a mediamon store (no store.json). Create one with "
            f"mediamon.ingest(source, {str(path)!r}) or `mediamon ingest SOURCE DEST`."
        ) from None
    except (OSError, ValueError, RecursionError) as exc:
        raise StoreError(f"open_store(): cannot read {meta_path}: {exc}.") from None
    if not isinstance(meta, dict) or meta.get("format") != STORE_FORMAT or meta.get("version") != STORE_VERSION:
        got = (meta.get("format"), meta.get("version")) if isinstance(meta, dict) else (None, None)
        raise StoreError(
            f"open_store(): {meta_path} has format {got[0]!r} version {got[1]!r}; "
            f"this mediamon reads {STORE_FORMAT!r} version {STORE_VERSION}. Ingest the source again."
        )
    _check_description(p, meta, meta_path)
    store = ShardedCorpus(p, meta)
    return store.verify() if verify else store


_SHARD_FIELDS = {f.name for f in fields(ShardInfo)} - {"number"}
_REQUIRED_SHARD_KEYS = {"file", "n_docs", "doc_start", "fingerprint", "bytes", "text_bytes"}


def _check_description(root: Path, meta: dict[str, Any], meta_path: Path) -> None:
    """Refuse a ``store.json`` whose shard list is malformed or names files outside the store."""
    shards = meta.get("shards")
    if not isinstance(shards, list) or not all(isinstance(s, dict) and set(s) <= _SHARD_FIELDS and
                                               _REQUIRED_SHARD_KEYS <= set(s) for s in shards):  # fmt: skip
        raise StoreError(
            f"open_store(): {meta_path} does not describe its shards as ingest writes them "
            f"(a list of objects with {sorted(_REQUIRED_SHARD_KEYS)}). Ingest the source again."
        )
    resolved: dict[str, str] = {}
    for i, shard in enumerate(shards):
        _inside_store(root, shard["file"], f"shard {i}", meta_path, resolved)
    _inside_store(root, meta.get("manifest", "manifest.parquet"), "the manifest", meta_path, resolved)


def _inside_store(root: Path, rel: object, what: str, meta_path: Path, resolved: dict[str, str]) -> None:
    """Refuse a path in ``store.json`` that is not relative, climbs out (``..``) or resolves (through
    a link) outside the store: queries would read there, and indexes be written there."""
    text = rel if isinstance(rel, str) else ""
    parts = text.split("/")
    bad = not text or text.startswith("/") or "\\" in text or "\x00" in text or text[1:2] == ":" or ".." in parts
    if not bad:
        parent, _, name = text.rpartition("/")
        if parent not in resolved:  # shards share a folder: resolve it once
            resolved[parent] = os.path.realpath(os.path.join(root, parent))
        where = os.path.join(resolved[parent], name)
        if os.path.islink(where):
            where = os.path.realpath(where)
        bad = not where.startswith(os.path.join(root, ""))
    if bad:
        raise StoreError(
            f"open_store(): {meta_path} names {what} at {rel!r}, which is not a path inside the store {root}. "
            "A store only reads and writes inside its folder; ingest the source again."
        )
