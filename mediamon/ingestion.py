"""Writing a sharded store: any input :func:`~mediamon.readers.read_corpus` reads, into Parquet shards.

:func:`ingest` reads a source (a folder, files, globs) a batch of files at a time and writes a store
(layout in :mod:`mediamon.store`), which :func:`mediamon.store.open_store` (or ``read_corpus`` of
the folder) opens.

Bounded memory
    Ingest holds one batch of input files (about ``batch_bytes`` on disk) plus at most one shard of
    documents and the index of the shard before it; the manifest is appended to ``manifest.parquet``
    batch by batch; duplicate detection across batches keeps one 16-byte digest and the id per
    document.

Reading while indexing
    A shard's index is built by forked worker processes while this process saves the shard's texts
    and reads the next batch of files (reading is one core's work, indexing two), so batches are
    small: a quarter of a shard of text by default.

Same documents as ``read_corpus``
    The documents, their order, ids, texts and columns are those ``read_corpus(source)`` gives; the
    manifest has the same rows. Files are read in batches with ``read_corpus`` itself, so every rule
    of :mod:`mediamon.readers` applies; what spans batches -- exact-duplicate texts (``dedupe``) and
    ids used twice (renamed ``~2``, ``~3`` in reading order) -- is checked by ingest across the
    whole store. One difference: a column named in the call (``date="published"``) must exist in
    every batch of files, not only in one file of the corpus.

Nothing half-written
    A store is written into a temporary sibling folder and renamed to ``DEST`` when complete; a
    folder without ``store.json`` is never opened as a store. The temporary folder names its
    process (:func:`mediamon.markers.claim_folder`); one left by an ingest that was killed is removed
    by the next ingest beside it. ``overwrite=True`` replaces only a store, and only when the folder
    holds nothing but what ingest and the indexes wrote there: other files are listed, not deleted.
    Each shard's size, modification time and SHA-256 are recorded in ``store.json``.
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
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from . import readers
from .discovery import discover, shown_path
from .corpus import MANIFEST_COLUMNS, STATUSES, Corpus, empty_manifest
from .errors import InputError
from .sentences import BY_LANGUAGE
from .markers import abandoned_folders, describe_owner, read_marker, release_folder, take_over, write_owner
from .store import (
    ROW_GROUP, STORE_FORMAT, STORE_VERSION, ShardedCorpus, StoreError, is_store, metadata_table, open_store,
)  # fmt: skip
from .storecache import TABLE_FILE, TEXT_FILES, save_text, text_folder
from .textspans import TextSpans
from .indexbuild import IndexBuild
from .lang import model_kept
from .tokenindex import EARLIER_INDEX_FILES, INDEX_FILES, file_record

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_SHARD_SIZE", "ingest", "parse_shard_size"]

DEFAULT_SHARD_SIZE = "64MB"
DEFAULT_BATCH_BYTES = 16 * 1024 * 1024
_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}
_GLOB_CHARS = re.compile(r"[*?\[]")
#: The temporary folder of an ingest into DEST: ``.DEST.partial-<pid>-<hex>`` (or set aside to be removed).
_PARTIAL_NAME = re.compile(r"\.(?P<name>.+)\.partial-[0-9]+-[0-9a-f]{8}(?:\.swept-[0-9a-f]{12})?")
#: An index folder beside a shard (or one being written by ShardedCorpus.shard_index).
_INDEX_FOLDER = re.compile(r"(?P<stem>.+)\.index-[A-Za-z0-9_-]+(?:\.tmp-[0-9]+-[0-9a-f]{8})?")
#: The folders of a shard's saved texts and cached tables (mediamon.storecache), or one being written.
_TEXT_FOLDER = re.compile(r"(?P<stem>.+)\.text(?:\.tmp-[0-9]+-[0-9a-f]{8})?")
_TABLES_FOLDER = re.compile(r"(?P<stem>.+)\.tables")
#: A cached table's record being written (renamed to ``<key>.json`` when complete).
_TABLE_RECORD_TMP = re.compile(r"\.[0-9a-f]{32}\.json\.tmp-[0-9]+-[0-9a-f]{8}")
_SHOWN_FOREIGN = 20
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
# ingest
# ---------------------------------------------------------------------------------------------
def ingest(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    dest: str | os.PathLike[str],
    *,
    shard_size: int | str = DEFAULT_SHARD_SIZE,
    index: bool = True,
    sentences: str = BY_LANGUAGE,
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
        previous *store*; other folders are never deleted, nor a store holding files it did not
        write: they are listed in the error).
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
        Replace an existing store at *dest* (one that holds only what mediamon wrote).
    batch_bytes
        About how many bytes of input files (on disk; gzip counted four times) are read at once.
    progress
        Show a progress bar; ``None``: only in interactive sessions.
    name
        The store's label (default: the name of the first source).
    **read_options
        Passed to ``read_corpus``: ``format``, ``text``, ``date``, ``title``, ``source_col``, ``url``,
        ``id``, ``encoding``, ``dayfirst``, ``max_bytes``, ``max_doc_chars``.

    Returns
    -------
    ShardedCorpus
        The opened store.

    Examples
    --------
    >>> import mediamon as mm, tempfile, os
    >>> store = mm.ingest("corpora/seed", os.path.join(tempfile.mkdtemp(), "s"), shard_size=1)
    >>> len(store), store.n_shards, store.manifest_counts()["loaded"]
    (1, 1, 1)
    """
    call = "ingest()"
    unit, size = parse_shard_size(shard_size, call=call)
    allowed = {"format", "text", "date", "title", "source_col", "url", "id", "encoding", "dayfirst", "max_bytes",
               "max_doc_chars"}  # fmt: skip
    unknown = sorted(set(read_options) - allowed)
    if unknown:
        raise InputError(f"{call}: unknown option(s) {unknown}; read options are {sorted(allowed)}.")
    if dedupe == "near":
        # read_corpus's near rule sees one batch at a time here, so reprints across batches would slip through
        raise InputError(
            f"{call}: dedupe='near' is not applied while writing a store (it would compare articles within one "
            "batch only); ingest with dedupe=True, then pass dedupe='near' to the analyses, which fold "
            "reprints across the whole store."
        )
    if not isinstance(dedupe, bool):
        raise InputError(f"{call}: dedupe={dedupe!r} is invalid; pass True (identical texts) or False.")
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
        _refuse_foreign_files(dest_path, call)
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_abandoned(dest_path.parent)
    tmp = dest_path.with_name(f".{dest_path.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    (tmp / "shards").mkdir(parents=True)
    write_owner(tmp)
    t0 = time.perf_counter()
    fmt = read_options.get("format")
    writer: _StoreWriter | None = None
    try:
        found = discover(source, fmt)
        writer = _StoreWriter(tmp, unit=unit, size=size, index=index, sentences=sentences,
                              dedupe=dedupe, name=name or readers._default_name(source))  # fmt: skip
        bar = tqdm(total=len(found), desc="ingest", unit="file",
                   disable=None if progress is None else not progress, leave=False)  # fmt: skip
        batch: list[Any] = []
        pending_rows: list[dict[str, Any]] = []  # pre-decided items (junk, docs, ...) of the batch
        batch_size = 0
        with model_kept():  # one load of the language model for every batch (mediamon.lang)
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
        release_folder(tmp)
        if dest_path.exists():
            old = dest_path.with_name(f".{dest_path.name}.old-{uuid.uuid4().hex[:8]}")
            os.rename(dest_path, old)
            os.rename(tmp, dest_path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, dest_path)
    except BaseException:
        if writer is not None:
            writer.cancel()
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


def _sweep_abandoned(parent: Path) -> None:
    """Remove the temporary folders that ingests killed before they finished left in *parent*."""
    for folder, _, owner in abandoned_folders(parent, _PARTIAL_NAME):
        aside = take_over(folder, owner)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
            log.warning("ingest(): removed %s, left by %s, which ended before the ingest finished", folder,
                        describe_owner(owner))  # fmt: skip


def _foreign_files(dest: Path) -> list[str]:
    """What the store at *dest* did not write (paths relative to it; folders end with ``/``).

    A store writes ``store.json``, its manifest, the shard files it lists, and beside each shard its
    index folders (index files only), its saved texts and its cached tables (their files only).
    Links are never written by mediamon, so they are listed too.
    """
    meta = read_marker(dest / "store.json")
    meta = meta if isinstance(meta, dict) else {}
    files = {"store.json", str(meta.get("manifest") or "manifest.parquet")}
    shards = meta.get("shards") if isinstance(meta.get("shards"), list) else []
    files |= {PurePosixPath(s["file"]).as_posix() for s in shards
              if isinstance(s, dict) and isinstance(s.get("file"), str)}  # fmt: skip
    folders = {str(p) for f in files for p in PurePosixPath(f).parents if str(p) != "."}
    stems = {f.removesuffix(".parquet") for f in files if f.endswith(".parquet")}
    index_files = {*INDEX_FILES, *EARLIER_INDEX_FILES, "meta.json"}
    foreign: list[str] = []

    def walk(folder: str, rel: str) -> None:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            path = f"{rel}{entry.name}"
            if entry.is_symlink():
                foreign.append(path)
            elif not entry.is_dir():
                if path not in files:
                    foreign.append(path)
            elif path in folders:
                walk(entry.path, f"{path}/")
            elif (m := _INDEX_FOLDER.fullmatch(path)) is not None and m.group("stem") in stems:
                with os.scandir(entry.path) as it:
                    inside = sorted(it, key=lambda e: e.name)
                foreign.extend(f"{path}/{e.name}" for e in inside
                               if e.name not in index_files or not e.is_file(follow_symlinks=False))  # fmt: skip
            elif (m := _TEXT_FOLDER.fullmatch(path) or _TABLES_FOLDER.fullmatch(path)) is not None and m.group("stem") in stems:
                ours = _TEXT_FOLDER.fullmatch(path) is not None
                with os.scandir(entry.path) as it:
                    inside = sorted(it, key=lambda e: e.name)
                foreign.extend(f"{path}/{e.name}" for e in inside
                               if not e.is_file(follow_symlinks=False)
                               or not (e.name in TEXT_FILES if ours else
                                       TABLE_FILE.fullmatch(e.name) or _TABLE_RECORD_TMP.fullmatch(e.name)))  # fmt: skip
            else:
                foreign.append(f"{path}/")

    walk(os.fspath(dest), "")
    return foreign


def _refuse_foreign_files(dest: Path, call: str) -> None:
    """Refuse to replace a store that holds files it did not write: they are the user's."""
    try:
        foreign = _foreign_files(dest)
    except OSError as exc:
        raise StoreError(f"{call}: cannot list {dest} to check what it holds: {exc.strerror or exc}.") from None
    if foreign:
        more = f", ... ({len(foreign):,} in all)" if len(foreign) > _SHOWN_FOREIGN else ""
        shown = ", ".join(foreign[:_SHOWN_FOREIGN]) + more
        raise StoreError(
            f"{call}: {dest} holds {len(foreign):,} file(s) the store did not write: {shown}. overwrite=True "
            "deletes only what mediamon wrote; move these out of the folder first, or choose a new folder."
        )


def _file_row(f: Any) -> dict[str, Any]:
    return {"item": f.rel, "path": shown_path(os.path.abspath(f.path)), "line": None, "status": f.status,
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
        # the last shard's index while its workers build it, and where it goes
        self.building: tuple[IndexBuild, Path] | None = None

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
        pre = pd.DataFrame(pre_rows) if pre_rows else pd.DataFrame()
        if not batch:
            self.add_manifest(pre, [])
            return
        seq_of = {shown_path(os.path.abspath(f.path)): f.seq for f in batch}
        corpus = readers.read_corpus([_as_read_source(f) for f in batch], dedupe=dedupe, progress=False, **read_options)
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
            weights = pc.binary_length(pa.array(docs["text"]))  # the Arrow column itself: no Python strings
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
        record = file_record(path)
        info = {
            "file": rel, "n_docs": len(docs), "doc_start": self.n_docs, "fingerprint": corpus.fingerprint,
            "bytes": record["bytes"], "text_bytes": text_bytes, "dtypes": dtypes, "mtime_ns": record["mtime_ns"],
            "sha256": record["sha256"],
        }  # fmt: skip
        self.shards.append(info)
        self.n_docs += len(docs)
        if self.index:
            self.save_index()  # one build at a time: the previous shard's first
            # its workers index while this process writes the texts and reads the next files
            self.building = (corpus.start_token_index(self.sentences, progress=False), path)
            # the texts for partial reads (concordances), from the table just written
            save_text(TextSpans.from_arrow(table.column("text")), text_folder(path), fingerprint=corpus.fingerprint)
        # the columns every query reads, decoded once now rather than at the first query of each process
        metadata_table(path, fingerprint=corpus.fingerprint, shard=rel)
        log.info("ingest(): wrote %s (%s documents)", rel, f"{len(docs):,}")

    def save_index(self) -> None:
        """Wait for the index being built (if any) and save it beside its shard."""
        if self.building is None:
            return
        build, path = self.building
        self.building = None
        ix = build.result()
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", self.sentences)
        ix.save(path.with_suffix(f".index-{safe}"))

    def cancel(self) -> None:
        """Stop an index build that is still running (the ingest failed)."""
        if self.building is not None:
            self.building[0].cancel()
            self.building = None

    def finish(self, *, source: Any, shard_size: int | str, read_options: dict[str, Any]) -> dict[str, Any]:
        self._flush()
        self.save_index()
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
