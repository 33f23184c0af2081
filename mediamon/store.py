"""The sharded corpus store: a corpus too large for memory, kept as Parquet shards on disk.

:func:`ingest` reads any input :func:`~mediamon.read_corpus` reads (a folder, files, globs) a few
files at a time and writes a *store*::

    DEST/
      store.json                         what is in the store (format, shards, counts, options)
      manifest.parquet                   the load manifest: one row per discovered input item
      shards/shard-00000.parquet         documents, all columns of Corpus.docs, in reading order
      shards/shard-00000.index-news-en/  the shard's TokenIndex (.npy + vocab.txt + meta.json)
      ...

:func:`open_store` returns a :class:`ShardedCorpus` that hands out one shard at a time as an ordinary
:class:`~mediamon.corpus.Corpus`, with its token index memory-mapped from beside the shard, so memory
stays bounded by one shard whatever the size of the store. :mod:`mediamon.sharded` runs the
analyses over the shards (in this process) and :mod:`mediamon.distributed` runs them on Dask.

Bounded memory
    Ingest holds one batch of input files (about ``batch_bytes`` on disk) plus at most one shard of
    documents; the manifest is appended to ``manifest.parquet`` batch by batch; duplicate detection
    across batches keeps one 16-byte digest and the id per document. Queries hold one shard's
    metadata (and, for KWIC and mentions, only the texts of the documents with hits: shards are
    written in row groups of :data:`ROW_GROUP` documents and only the row groups with hits are read).

Same documents as ``read_corpus``
    The documents, their order, ids, texts and columns are those ``read_corpus(source)`` gives; the
    manifest has the same rows. Files are read in batches with ``read_corpus`` itself, so every rule
    of :mod:`mediamon.readers` applies; what spans batches -- exact-duplicate texts (``dedupe``) and
    ids used twice (renamed ``~2``, ``~3`` in reading order) -- is checked by ingest across the
    whole store. One difference: a column named in the call (``date="published"``) must exist in
    every batch of files, not only in one file of the corpus.

Nothing half-written
    A store is written into a temporary sibling folder and renamed to ``DEST`` when complete; a
    folder without ``store.json`` is never opened as a store. No pickle is used anywhere: documents
    and the manifest are Parquet, indexes are ``.npy`` (``allow_pickle=False``) and text, metadata
    JSON.
"""

from __future__ import annotations

import datetime as _dt
import glob as _glob
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import display
from .corpus import MANIFEST_COLUMNS, STATUSES, Corpus, between_mask, empty_manifest
from .errors import ColumnError, InputError, MediamonError

if TYPE_CHECKING:
    from .tokenindex import TokenIndex

log = logging.getLogger(__name__)

__all__ = ["ShardedCorpus", "StoreError", "ingest", "open_store", "is_store", "ROW_GROUP"]

STORE_FORMAT = "mediamon-store"
STORE_VERSION = 1
#: Documents per Parquet row group inside a shard (the unit read when only some texts are needed).
ROW_GROUP = 256
DEFAULT_SHARD_SIZE = "64MB"
DEFAULT_BATCH_BYTES = 64 * 1024 * 1024
_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}
_GLOB_CHARS = re.compile(r"[*?\[]")

_MANIFEST_SCHEMA = pa.schema(
    [
        ("item", pa.string()),
        ("path", pa.string()),
        ("line", pa.int64()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("doc_id", pa.string()),
        ("duplicate_of", pa.string()),
        ("message", pa.string()),
        ("encoding", pa.string()),
        ("replaced_chars", pa.int64()),
        ("nul_stripped", pa.int64()),
    ]
)


class StoreError(MediamonError, OSError):
    """A store folder is missing, incomplete, of another format, or was changed after ingest."""


# ---------------------------------------------------------------------------------------------
# shard size
# ---------------------------------------------------------------------------------------------
def parse_shard_size(value: int | str, *, call: str = "ingest()") -> tuple[str, int]:
    """``("docs", n)`` for an int (documents per shard) or ``("bytes", n)`` for "64MB", "1GiB" ...

    >>> parse_shard_size(5000), parse_shard_size("64MB"), parse_shard_size("2000")
    (('docs', 5000), ('bytes', 64000000), ('docs', 2000))
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if value < 1:
            raise InputError(f"{call}: shard_size={value!r} must be >= 1 document.")
        return "docs", int(value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", value)
        if m and m.group(2).lower() in _UNITS:
            if not m.group(2):
                return parse_shard_size(int(float(m.group(1))), call=call)
            n = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
            if n >= 1:
                return "bytes", n
    raise InputError(
        f"{call}: shard_size={value!r} is invalid; pass documents per shard (10000) or a text size "
        "per shard such as '64MB' or '1GiB'."
    )


# ---------------------------------------------------------------------------------------------
# ShardedCorpus
# ---------------------------------------------------------------------------------------------
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


@dataclass(frozen=True, eq=False, repr=False)
class ShardedCorpus:
    """A corpus stored as Parquet shards (see the module docstring), opened with :func:`open_store`.

    It holds only the store's description; documents are read shard by shard. ``len(store)`` is the
    number of documents; ``store.shard(i)`` is shard *i* as a :class:`~mediamon.corpus.Corpus`
    (its index, built or memory-mapped from disk, attached); ``for corpus in store: ...`` walks the
    shards in order. The functions of :mod:`mediamon.sharded` and :mod:`mediamon.distributed` take
    it where the single-corpus functions take a Corpus.

    Document ``doc`` numbers in results are global rows: shard *i*'s first document is row
    ``store.shards[i].doc_start``, exactly its row in ``read_corpus(source)``.

    Views
        :meth:`between`, :meth:`filter`, :meth:`sample` and :meth:`head` return a *view*: the same
        shards on disk and a selection of rows per shard held in memory, decided from the
        documents' metadata only (no text is read). Every analysis of :mod:`mediamon.sharded` and
        :mod:`mediamon.distributed` honours it: documents outside the view do not count (units
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
        return ShardedCorpus(self.path, self.meta, rows=tuple(rows), label=f"{self.name}|{what}")

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
            raise InputError(f"ShardedCorpus.shard(): shard {i} does not exist; the store has {self.n_shards}.")
        return self.path / self.shards[i].file

    def _check_file(self, i: int) -> Path:
        path = self._shard_path(i)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise StoreError(f"ShardedCorpus: shard file {path} cannot be read: {exc.strerror or exc}.") from None
        if size != self.shards[i].bytes:
            raise StoreError(
                f"ShardedCorpus: {path} has {size:,} bytes but {self.shards[i].bytes:,} were written by "
                "ingest; the store was changed. Ingest the source again."
            )
        return path

    def shard(self, i: int, *, rows: np.ndarray | Sequence[int] | None = None, with_index: bool = True) -> Corpus:
        """Shard *i* as a :class:`Corpus` (rows in store order; ``doc`` numbers are shard-local).

        Parameters
        ----------
        rows
            Read the text of these shard-local rows only (their row groups); every other document
            keeps its metadata and an empty text. The result is for internal use by queries that
            need text only where they have hits (KWIC context, matched strings); its token index and
            fingerprint are those of the full shard.
        with_index
            Attach the shard's token index (memory-mapped; built and saved beside the shard on first
            use), so that :func:`mediamon.index` does not rebuild it.
        """
        path = self._check_file(i)
        info = self.shards[i]
        pf = pq.ParquetFile(path)
        if rows is None:
            table = pf.read()
        else:
            rows = np.unique(np.asarray(rows, dtype=np.int64))
            names = [n for n in pf.schema_arrow.names if n != "text"]
            table = pf.read(columns=names)
            # texts of the needed row groups, "" elsewhere, assembled in Arrow (no Python strings)
            src = np.zeros(info.n_docs, dtype=np.int64)
            part = pa.array([], type=pa.string())
            if rows.size:
                sizes = [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)]
                starts = np.concatenate(([0], np.cumsum(sizes)))
                groups = np.unique(np.searchsorted(starts, rows, side="right") - 1).tolist()
                part = pf.read_row_groups(groups, columns=["text"]).column("text").combine_chunks()
                at = np.concatenate([np.arange(starts[g], starts[g + 1]) for g in groups])
                src[at] = np.arange(1, at.size + 1)
            pool = pa.concat_arrays([pa.array([""], type=part.type), part])
            table = table.append_column("text", pool.take(pa.array(src)))
        docs = _restore_dtypes(table.to_pandas(), info.dtypes)
        if rows is not None:
            empty = np.ones(info.n_docs, dtype=bool)
            empty[rows] = False
            docs.loc[empty, ["body_start", "body_end"]] = 0
        corpus = Corpus(docs, empty_manifest(), name=f"{self.name}[{i}]")
        corpus.__dict__["fingerprint"] = info.fingerprint  # the cached_property: no rehash
        if with_index:
            attach_index(corpus, self.index(i, corpus=corpus if rows is None else None))
        return corpus

    def __iter__(self) -> Iterator[Corpus]:
        for i in range(self.n_shards):
            yield self.shard(i)

    def index_folder(self, i: int, sentences: str = "news-en") -> Path:
        """Where shard *i*'s token index is cached (beside the shard)."""
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", sentences)
        return self._shard_path(i).with_suffix(f".index-{safe}")

    def index(
        self,
        i: int,
        *,
        sentences: str = "news-en",
        corpus: Corpus | None = None,
        progress: bool | None = False,
        workers: int | None = None,
    ) -> TokenIndex:
        """Shard *i*'s :class:`~mediamon.tokenindex.TokenIndex`, memory-mapped from beside the shard.

        Built from the shard (and saved) when missing or stale (another fingerprint or format); a
        store on a read-only disk falls back to ``MEDIAMON_CACHE`` or an index held in memory.
        """
        from .tokenindex import TokenIndex, build_index

        info = self.shards[i]
        folder = self.index_folder(i, sentences)
        key = (str(folder), info.fingerprint)
        hit = _INDEX_CACHE.get(key)
        if hit is not None and hit[0] == _stamp(folder):
            return hit[1]
        found = TokenIndex.load(folder, fingerprint=info.fingerprint, mmap=True)
        if found is not None:
            return _remember(key, found)
        cache = os.environ.get("MEDIAMON_CACHE")
        alt = Path(cache) / f"index-{info.fingerprint}-{folder.name.rsplit('.index-', 1)[1]}" if cache else None
        if alt is not None:
            found = TokenIndex.load(alt, fingerprint=info.fingerprint, mmap=True)
            if found is not None:
                return found
        if corpus is None:
            corpus = self.shard(i, with_index=False)
        t0 = time.perf_counter()
        built = build_index(corpus, sentences=sentences, progress=progress, workers=workers)
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

    def build_indexes(
        self, *, sentences: str = "news-en", progress: bool | None = None, workers: int | None = None
    ) -> ShardedCorpus:
        """Build (or check) every shard's index on disk, one shard at a time; returns the store."""
        from tqdm.auto import tqdm

        for i in tqdm(range(self.n_shards), desc="indexing shards", unit="shard",
                      disable=None if progress is None else not progress, leave=False):  # fmt: skip
            self.index(i, sentences=sentences, workers=workers)
        return self

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
        pf = pq.ParquetFile(self._check_file(i))
        names = [n for n in pf.schema_arrow.names if n != "text"] if columns is None else list(columns)
        missing = [c for c in names if c not in pf.schema_arrow.names]
        table = pf.read(columns=[c for c in names if c not in missing])
        rows = self.shard_rows(i)
        if rows is not None:
            table = table.take(pa.array(rows, type=pa.int64()))
        df = _restore_dtypes(table.to_pandas(), self.shards[i].dtypes)
        for c in missing:
            df[c] = None
        return df[names]

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
                return self.shard(i, rows=[row], with_index=False).docs.at[row, "text"]
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
_INDEX_CACHE: dict[tuple[str, str], tuple[int, TokenIndex]] = {}
INDEX_CACHE_SIZE = 32


def _stamp(folder: Path) -> int:
    try:
        return (folder / "meta.json").stat().st_mtime_ns
    except OSError:
        return -1


def _remember(key: tuple[str, str], ix: TokenIndex) -> TokenIndex:
    _INDEX_CACHE.pop(key, None)
    _INDEX_CACHE[key] = (_stamp(Path(key[0])), ix)
    while len(_INDEX_CACHE) > INDEX_CACHE_SIZE:
        _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
    return ix


def attach_index(corpus: Corpus, ix: TokenIndex, sentences: str = "news-en") -> Corpus:
    """Make :func:`mediamon.index` return *ix* for *corpus* (its per-corpus cache slot)."""
    corpus.__dict__[f"_index_{sentences}"] = ix
    return corpus


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
    meta_path = Path(path) / "store.json"
    limit = 64 * 1024 * 1024  # a real store.json is a few KB to a few MB
    try:
        if not meta_path.is_file():
            return False
        with meta_path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        return False
    if len(data) > limit:
        return False
    try:
        meta = json.loads(data)
    except (ValueError, RecursionError):
        return False
    return isinstance(meta, dict) and meta.get("format") == STORE_FORMAT


def open_store(path: str | os.PathLike[str]) -> ShardedCorpus:
    """Open a store written by :func:`ingest` (reads only ``store.json``).

    Raises
    ------
    StoreError
        The folder does not exist, has no ``store.json`` (not a store, or an ingest that did not
        finish), or holds another format or version.
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
    except (OSError, ValueError) as exc:
        raise StoreError(f"open_store(): cannot read {meta_path}: {exc}.") from None
    if meta.get("format") != STORE_FORMAT or meta.get("version") != STORE_VERSION:
        raise StoreError(
            f"open_store(): {meta_path} has format {meta.get('format')!r} version {meta.get('version')!r}; "
            f"this mediamon reads {STORE_FORMAT!r} version {STORE_VERSION}. Ingest the source again."
        )
    return ShardedCorpus(p, meta)


# ---------------------------------------------------------------------------------------------
# ingest
# ---------------------------------------------------------------------------------------------
def ingest(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    dest: str | os.PathLike[str],
    *,
    shard_size: int | str = DEFAULT_SHARD_SIZE,
    index: bool = True,
    sentences: str = "news-en",
    dedupe: bool = True,
    overwrite: bool = False,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool | None = None,
    name: str | None = None,
    **read_options: Any,
) -> ShardedCorpus:
    """Convert any input :func:`~mediamon.read_corpus` reads into a sharded store, with bounded memory.

    Parameters
    ----------
    source
        A file, folder, glob or list of them (as for ``read_corpus``).
    dest
        The store folder to create. It must not exist (or pass ``overwrite=True`` to replace a
        previous *store*; other folders are never deleted).
    shard_size
        Documents per shard (``10000``) or text per shard (``"64MB"``, ``"1GiB"``; UTF-8 bytes). A
        document is never split; the last shard holds the rest.
    index
        Build each shard's token index while its documents are in memory and save it beside the
        shard (otherwise it is built on first use).
    sentences
        Sentence model of those indexes (see :func:`mediamon.index`).
    dedupe
        Skip documents whose text equals an earlier one, across the whole source (as
        ``read_corpus``). Pass ``False`` to keep repeated texts.
    overwrite
        Replace an existing store at *dest*.
    batch_bytes
        About how many bytes of input files (on disk; gzip counted four times) are read at once.
    progress
        Show a progress bar; ``None``: only in interactive sessions.
    name
        The store's label (default: the name of the first source).
    **read_options
        Passed to ``read_corpus``: ``format``, ``text``, ``date``, ``title``, ``source_col``, ``url``,
        ``id``, ``encoding``, ``dayfirst``, ``max_bytes``.

    Returns
    -------
    ShardedCorpus
        The opened store.

    Examples
    --------
    >>> import mediamon as mm, tempfile, os                                       # doctest: +SKIP
    >>> store = mm.ingest("corpora/mm-sample", os.path.join(tempfile.mkdtemp(), "s"), shard_size=400)  # doctest: +SKIP
    >>> len(store), store.n_shards                                               # doctest: +SKIP
    (1370, 4)
    """
    from tqdm.auto import tqdm

    from . import readers

    call = "ingest()"
    unit, size = parse_shard_size(shard_size, call=call)
    allowed = {"format", "text", "date", "title", "source_col", "url", "id", "encoding", "dayfirst", "max_bytes"}
    unknown = sorted(set(read_options) - allowed)
    if unknown:
        raise InputError(f"{call}: unknown option(s) {unknown}; read options are {sorted(allowed)}.")
    if not isinstance(batch_bytes, (int, np.integer)) or batch_bytes < 1:
        raise InputError(f"{call}: batch_bytes={batch_bytes!r} must be a positive int.")
    dest_path = Path(dest).expanduser().resolve()
    if dest_path.exists():
        if not overwrite:
            raise StoreError(f"{call}: {dest_path} exists; choose a new folder or pass overwrite=True.")
        if not is_store(dest_path):
            raise StoreError(
                f"{call}: {dest_path} exists and is not a mediamon store; overwrite=True only replaces "
                "a store. Choose a new folder."
            )
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest_path.with_name(f".{dest_path.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    (tmp / "shards").mkdir(parents=True)
    t0 = time.perf_counter()
    fmt = read_options.get("format")
    try:
        found = readers._discover(source, fmt)
        writer = _StoreWriter(tmp, unit=unit, size=size, index=index, sentences=sentences,
                              dedupe=dedupe, name=name or readers._default_name(source))  # fmt: skip
        bar = tqdm(total=len(found), desc="ingest", unit="file",
                   disable=None if progress is None else not progress, leave=False)  # fmt: skip
        batch: list[Any] = []
        pending_rows: list[dict[str, Any]] = []  # pre-decided items (junk, docs, ...) of the batch
        batch_size = 0
        for f in found:
            if f.status is not None:
                pending_rows.append(_file_row(f))
                if not batch:
                    writer.add_manifest(pd.DataFrame(pending_rows), [])
                    pending_rows = []
                bar.update(1)
                continue
            batch.append(f)
            batch_size += _input_size(f)
            if batch_size >= batch_bytes:
                writer.add_batch(batch, pending_rows, read_options, dedupe)
                bar.update(len(batch))
                batch, pending_rows, batch_size = [], [], 0
        if batch or pending_rows:
            writer.add_batch(batch, pending_rows, read_options, dedupe)
            bar.update(len(batch))
        bar.close()
        meta = writer.finish(source=source, shard_size=shard_size, read_options=read_options)
        meta["seconds"] = round(time.perf_counter() - t0, 3)
        (tmp / "store.json").write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")
        if dest_path.exists():
            old = dest_path.with_name(f".{dest_path.name}.old-{uuid.uuid4().hex[:8]}")
            os.rename(dest_path, old)
            os.rename(tmp, dest_path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, dest_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    store = open_store(dest_path)
    c = store.manifest_counts()
    log.info(
        "ingest(%s): %s documents in %d shards in %.1fs; discovered %s = loaded %s + rejected %s + skipped %s",
        store.name, f"{len(store):,}", store.n_shards, time.perf_counter() - t0, f"{c['discovered']:,}",
        f"{c['loaded']:,}", f"{c['rejected']:,}", f"{c['skipped']:,}",
    )  # fmt: skip
    return store


def _file_row(f: Any) -> dict[str, Any]:
    return {"item": f.rel, "path": os.path.abspath(f.path), "line": None, "status": f.status,
            "reason": f.reason or "", "doc_id": None, "duplicate_of": None, "message": f.message,
            "encoding": None, "replaced_chars": 0, "nul_stripped": 0, "_seq": f.seq}  # fmt: skip


def _input_size(f: Any) -> int:
    try:
        size = os.stat(f.read_path or f.path).st_size
    except OSError:
        return 0
    return size * 4 if f.path.lower().endswith(".gz") else size


def _as_read_source(f: Any) -> str:
    """A ``read_corpus`` source that reads exactly file *f* and names it ``f.rel`` as discovery did.

    ``read_corpus`` names a file given by path after its base name, and a glob match after its path
    below the glob's fixed part; so a file found below a folder is given as a glob whose first
    relative part is bracketed (``root/[s]ub/file.jsonl``): it matches only that file and keeps
    ``sub/file.jsonl`` as the item name and the base of automatic ids.
    """
    path, rel = os.fspath(f.path), f.rel
    if "/" not in rel:
        return path
    root = path[: len(path) - len(rel)] if path.endswith(rel) else None
    if root is None or _GLOB_CHARS.search(root):
        log.warning("ingest(): %s is read under its file name (its folder path holds glob characters)", path)
        return path
    first = "[[]" if rel[0] == "[" else f"[{rel[0]}]"
    return f"{root}{first}{_glob.escape(rel[1:])}"


class _StoreWriter:
    """Accumulates documents into shards and the manifest into one Parquet file."""

    def __init__(self, folder: Path, *, unit: str, size: int, index: bool, sentences: str, dedupe: bool, name: str):
        self.folder = folder
        self.unit, self.size = unit, size
        self.index, self.sentences = index, sentences
        self.dedupe = dedupe
        self.name = name
        self.pending: list[pd.DataFrame] = []
        self.pending_docs = 0
        self.pending_bytes = 0
        self.shards: list[dict[str, Any]] = []
        self.n_docs = 0
        self.seen_ids: set[str] = set()
        self.seen_text: dict[bytes, str] = {}
        self.counts = {s: 0 for s in STATUSES}
        self.manifest_writer = pq.ParquetWriter(folder / "manifest.parquet", _MANIFEST_SCHEMA)

    # -- manifest -----------------------------------------------------------------------------
    def add_manifest(self, rows: pd.DataFrame, extra: list[pd.DataFrame]) -> None:
        frames = [f for f in [rows, *extra] if len(f)]
        if not frames:
            return
        man = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if "_seq" in man.columns:
            line = pd.to_numeric(man["line"], errors="coerce").fillna(0)
            man = man.assign(_line=line).sort_values(["_seq", "_line"], kind="stable")
        man = man[list(MANIFEST_COLUMNS)].reset_index(drop=True)
        for s, n in man["status"].value_counts().items():
            self.counts[s] += int(n)
        arrays = []
        for fld in _MANIFEST_SCHEMA:
            col = man[fld.name]
            if pa.types.is_int64(fld.type):
                col = pd.to_numeric(col, errors="coerce")
                arrays.append(pa.array(col.astype("Int64"), type=pa.int64()))
            else:
                arrays.append(pa.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                                        for v in col.tolist()], type=pa.string()))  # fmt: skip
        self.manifest_writer.write_table(pa.Table.from_arrays(arrays, schema=_MANIFEST_SCHEMA))

    # -- documents ----------------------------------------------------------------------------
    def add_batch(self, batch: list[Any], pre_rows: list[dict[str, Any]], read_options: dict[str, Any], dedupe: bool) -> None:
        from .readers import read_corpus

        pre = pd.DataFrame(pre_rows) if pre_rows else pd.DataFrame()
        if not batch:
            self.add_manifest(pre, [])
            return
        seq_of = {os.path.abspath(f.path): f.seq for f in batch}
        corpus = read_corpus([_as_read_source(f) for f in batch], dedupe=dedupe, **read_options)
        docs = corpus.docs
        man = corpus.manifest.copy()
        man["_seq"] = man["path"].map(seq_of)
        loaded = np.flatnonzero((man["status"] == "loaded").to_numpy())
        if len(loaded) != len(docs) or not (man["doc_id"].to_numpy()[loaded] == docs["doc_id"].to_numpy()).all():
            raise AssertionError("ingest(): manifest rows and documents are out of step")  # pragma: no cover
        keep = np.ones(len(docs), dtype=bool)
        orig_ids = docs["doc_id"].to_numpy(dtype=object)
        ids = orig_ids.copy()
        if dedupe or self.seen_ids:
            batch_ids = set(ids.tolist())
            status = man["status"].to_numpy(dtype=object).copy()
            reason = man["reason"].to_numpy(dtype=object).copy()
            dup_of = man["duplicate_of"].to_numpy(dtype=object).copy()
            message = man["message"].to_numpy(dtype=object).copy()
            mid = man["doc_id"].to_numpy(dtype=object).copy()
            inner_dups = np.flatnonzero((reason == "duplicate") & (status == "skipped"))
            renamed: dict[str, str] = {}
            for r, text in enumerate(docs["text"].tolist()):
                row = loaded[r]
                digest = b""
                if dedupe:
                    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
                    first = self.seen_text.get(digest)
                    if first is not None:
                        keep[r] = False
                        status[row], reason[row], dup_of[row] = "skipped", "duplicate", first
                        message[row] = "same text as an earlier document"
                        continue
                if ids[r] in self.seen_ids:
                    base, k = ids[r], 2
                    while f"{base}~{k}" in self.seen_ids or f"{base}~{k}" in batch_ids:
                        k += 1
                    ids[r] = mid[row] = renamed[base] = f"{base}~{k}"
                    batch_ids.add(ids[r])
                    note = f"doc_id {base!r} already used; renamed {ids[r]!r}"
                    message[row] = f"{message[row]}; {note}" if message[row] else note
                if dedupe:
                    self.seen_text[digest] = ids[r]
            # duplicates found by read_corpus inside this batch point to ids of this batch
            for row in inner_dups:
                dup_of[row] = renamed.get(dup_of[row], dup_of[row])
            man["status"], man["reason"], man["duplicate_of"] = status, reason, dup_of
            man["message"], man["doc_id"] = message, mid
        self.seen_ids.update(ids[keep].tolist())
        self.add_manifest(man, [pre])
        docs = docs.loc[keep].copy() if not keep.all() else docs
        if (ids[keep] != docs["doc_id"].to_numpy(dtype=object)).any():
            docs["doc_id"] = ids[keep]
        self._push(docs.reset_index(drop=True))

    def _push(self, docs: pd.DataFrame) -> None:
        """Append documents to the open shard, writing a shard each time one is full."""
        if self.unit == "docs":
            weights = np.ones(len(docs), dtype=np.int64)
        else:
            weights = pc.binary_length(pa.array(docs["text"].tolist(), type=pa.string()))
            weights = weights.to_numpy(zero_copy_only=False).astype(np.int64)
        cum = np.cumsum(weights)
        i = 0
        while i < len(docs):
            filled = self.pending_docs if self.unit == "docs" else self.pending_bytes
            base = int(cum[i - 1]) if i else 0
            j = int(np.searchsorted(cum, base + self.size - filled, side="right"))
            if j == i:
                if filled == 0:
                    j = i + 1  # one document larger than a shard: a shard of its own
                else:
                    self._flush()
                    continue
            self.pending.append(docs.iloc[i:j])
            self.pending_docs += j - i
            self.pending_bytes += int(cum[j - 1]) - base
            if j < len(docs) or (self.pending_docs if self.unit == "docs" else self.pending_bytes) >= self.size:
                self._flush()
            i = j

    def _flush(self) -> None:
        if not self.pending:
            return
        docs = pd.concat(self.pending, ignore_index=True, sort=False) if len(self.pending) > 1 else self.pending[0].reset_index(drop=True)
        self.pending, self.pending_docs, self.pending_bytes = [], 0, 0
        number = len(self.shards)
        rel = f"shards/shard-{number:05d}.parquet"
        corpus = Corpus(docs, empty_manifest(), name=f"{self.name}[{number}]")
        docs = corpus.docs
        dtypes = {c: str(docs[c].dtype) for c in docs.columns}
        table = _to_arrow(docs)
        path = self.folder / rel
        pq.write_table(table, path, row_group_size=ROW_GROUP, compression="zstd")
        text_bytes = int(pc.sum(pc.binary_length(table.column("text"))).as_py() or 0)
        info = {
            "file": rel, "n_docs": len(docs), "doc_start": self.n_docs, "fingerprint": corpus.fingerprint,
            "bytes": path.stat().st_size, "text_bytes": text_bytes, "dtypes": dtypes,
        }  # fmt: skip
        self.shards.append(info)
        self.n_docs += len(docs)
        if self.index:
            from .tokenindex import build_index

            ix = build_index(corpus, sentences=self.sentences, progress=False)
            safe = re.sub(r"[^A-Za-z0-9_-]", "_", self.sentences)
            ix.save(path.with_suffix(f".index-{safe}"))
            del ix
        log.info("ingest(): wrote %s (%s documents)", rel, f"{len(docs):,}")

    def finish(self, *, source: Any, shard_size: int | str, read_options: dict[str, Any]) -> dict[str, Any]:
        self._flush()
        self.manifest_writer.close()
        counts = dict(self.counts)
        counts["discovered"] = sum(counts[s] for s in STATUSES)
        if counts["loaded"] != self.n_docs:
            raise AssertionError("ingest(): loaded manifest rows and stored documents differ")  # pragma: no cover
        sources = list(source) if isinstance(source, (list, tuple)) else [source]
        return {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "name": self.name,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "source": [os.path.abspath(os.fspath(s)) if os.path.exists(os.fspath(s)) else os.fspath(s) for s in sources],
            "shard_size": shard_size,
            "dedupe": self.dedupe,
            "read_options": {k: v for k, v in read_options.items()},
            "indexed": self.index,
            "sentences": self.sentences,
            "row_group": ROW_GROUP,
            "n_docs": self.n_docs,
            "counts": counts,
            "manifest": "manifest.parquet",
            "shards": self.shards,
        }


def _to_arrow(docs: pd.DataFrame) -> pa.Table:
    """The docs table as Arrow; object columns of mixed scalar types become strings (logged)."""
    try:
        return pa.Table.from_pandas(docs, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    fixed = docs.copy()
    for col in fixed.columns:
        if fixed[col].dtype == object:
            try:
                pa.array(fixed[col].tolist())
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                log.warning("ingest(): column %r mixes value types; stored as strings", col)
                fixed[col] = [None if v is None else str(v) for v in fixed[col].tolist()]
    return pa.Table.from_pandas(fixed, preserve_index=False)
