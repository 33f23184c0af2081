"""What a store keeps beside each shard besides its index: caches derived from the shard, checked like it.

Beside ``shards/shard-00000.parquet`` (see :mod:`mediamon.store`):

``shard-00000.text/``
    The shard's texts as one UTF-8 array (``text.npy``), where each document starts in bytes and in
    characters, and the character-to-byte map of :class:`~mediamon.textspans.TextSpans`: memory-mapped,
    so that a concordance reads only the bytes around its hits instead of decompressing whole row
    groups of the Parquet file (about as large again as the shard's text).
``shard-00000.tables/``
    Tables derived from the shard and its index: the shard's columns but the text (its metadata,
    which the Parquet file holds in many small row groups, slow to decode), and the actor mentions
    (:mod:`mediamon.analysis.mentions`, one table per actor list). Each is an Arrow IPC file
    (memory-mapped when read, so a warm query decodes nothing) and a JSON record of it, named by a
    key that hashes everything the table depends on (for the metadata: the shard's fingerprint; for
    mentions: the actor list, the shard's index and the matching code), so an edited actor file or
    a rebuilt index gets a new key and never an old table. At most :data:`MAX_TABLES` are kept per shard.

Nothing changed unseen
    Each folder records what it was derived from (the shard's fingerprint; for tables, their key)
    and, per file, its size, modification time and SHA-256 (:func:`~mediamon.tokenindex.check_file`,
    as the shard and its index). A cache derived from other documents, of another format or missing
    is rebuilt; one that differs from its record is damage (:class:`~mediamon.errors.IntegrityError`,
    which the store reports naming the shard); a table read is also validated in full by Arrow. Files
    are ``.npy`` (``allow_pickle=False``), Arrow IPC (``.arrow``) and ``.json``; nothing is pickled.
Nothing left half-written
    Folders and records are written under temporary names and renamed when complete; the
    temporaries of a writer killed meanwhile are removed once untouched for
    :data:`ABANDONED_SECONDS` (:func:`remove_abandoned`, when the shard's texts are next opened or
    saved, and when its tables are pruned).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .errors import IntegrityError
from .textspans import DENSE, SPARSE, TextSpans
from .tokenindex import check_file, file_record

log = logging.getLogger(__name__)

__all__ = [
    "ABANDONED_SECONDS", "MAX_TABLES", "TABLE_FILE", "TEXT_FILES", "TEXT_FORMAT", "TableCache", "load_text",
    "remove_abandoned", "save_text", "text_folder",
]  # fmt: skip

#: Version of the text folder's layout; another is rebuilt.
TEXT_FORMAT = 1
#: Every file a text folder may hold.
TEXT_FILES = ("meta.json", "text.npy", "doc_bytes.npy", "doc_chars.npy", *(f"{n}.npy" for n in (*SPARSE, *DENSE)))
#: Version of the cached tables' layout; another is rebuilt.
TABLE_FORMAT = 2
#: Tables kept per shard and kind (the oldest are removed beyond).
MAX_TABLES = 16
#: The files of a table folder: ``<key>.json`` and the ``<key>-<nonce>.arrow`` it names (``.parquet``:
#: the tables of format 1, recognised so that they are pruned, and known as the store's own).
TABLE_FILE = re.compile(r"(?P<key>[0-9a-f]{32})(?:\.json|-[0-9a-f]{12}\.(?:arrow|parquet))")
#: A folder being written (renamed to its name when complete).
TEMPORARY = re.compile(r"\.tmp-[0-9]+-[0-9a-f]{8}$")
#: A temporary text folder or table record untouched for this long was left by a writer that ended
#: before renaming it (one takes seconds to write): the next writer of the shard removes it.
ABANDONED_SECONDS = 3600


def text_folder(shard_file: Path) -> Path:
    """Where the texts of the shard stored at *shard_file* are kept."""
    return shard_file.with_suffix(".text")


def _damaged(path: Path, problem: str) -> IntegrityError:
    return IntegrityError(f"{path} {problem}", path=str(path))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None


def _load_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:  # an empty array cannot be memory-mapped
        return np.load(path, allow_pickle=False)


# ---------------------------------------------------------------------------------------------
# texts
# ---------------------------------------------------------------------------------------------
def remove_abandoned(folder: Path) -> None:
    """Remove the temporary siblings of *folder* (``<name>.tmp-<pid>-<nonce>``) that no writer has
    touched for :data:`ABANDONED_SECONDS`: what a process killed while saving left behind."""
    cutoff = time.time() - ABANDONED_SECONDS
    prefix = f"{folder.name}.tmp-"
    with contextlib.suppress(OSError), os.scandir(folder.parent) as entries:
        for entry in entries:
            if not (entry.name.startswith(prefix) and TEMPORARY.search(entry.name)):
                continue
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    log.info("store: removing %s, left by a writer that did not finish", entry.path)
                    shutil.rmtree(entry.path, ignore_errors=True)


def save_text(spans: TextSpans, folder: Path, *, fingerprint: str) -> None:
    """Write *spans* to *folder* (replacing what is there) atomically: a sibling folder, renamed.
    Temporary folders abandoned beside it are removed first (:func:`remove_abandoned`)."""
    remove_abandoned(folder)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        arrays = {"text": spans.concatenated(), **spans.arrays()}
        records = {}
        for name, values in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(values), allow_pickle=False)
            records[f"{name}.npy"] = file_record(tmp / f"{name}.npy")
        meta = {"format": TEXT_FORMAT, "fingerprint": fingerprint, "form": spans.char_map.form,
                "n_docs": spans.n_docs, "files": records}  # fmt: skip
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        _move_into_place(tmp, folder, fingerprint=fingerprint)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _move_into_place(tmp: Path, folder: Path, *, fingerprint: str) -> None:
    """Rename the complete folder *tmp* to *folder*, which readers may be reading meanwhile.

    A reader sees the old folder, none, or the new one, never a mix: a folder is only ever renamed.
    When another process put texts of the same documents there first (two queries of one new
    store), theirs stay and *tmp* is dropped, so files are never removed under a reader that found
    them valid; a stale folder (other documents or format) is renamed aside, then removed.
    """
    for _ in range(3):
        try:
            os.rename(tmp, folder)  # atomic; fails when folder exists (not empty)
            return
        except OSError:
            if not folder.is_dir():
                raise
        meta = _read_json(folder / "meta.json")
        if isinstance(meta, dict) and meta.get("format") == TEXT_FORMAT and meta.get("fingerprint") == fingerprint:
            return  # another process's copy of the same texts: keep it (tmp is removed by the caller)
        aside = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        with contextlib.suppress(FileNotFoundError):
            os.rename(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)
    raise OSError(f"cannot move {tmp} to {folder}: it keeps being replaced")


def load_text(folder: Path, *, fingerprint: str, verify: bool = False) -> TextSpans | None:
    """The texts saved in *folder* for the documents with *fingerprint*, memory-mapped; ``None`` when
    missing or stale (to be rebuilt).

    Raises
    ------
    IntegrityError
        A file differs from its record (size, or content when its modification time moved; every
        digest with *verify*), or cannot be read.
    """
    meta = _read_json(folder / "meta.json")
    if not isinstance(meta, dict) or meta.get("format") != TEXT_FORMAT or meta.get("fingerprint") != fingerprint:
        return None
    names = ["text", "doc_bytes", "doc_chars", *(SPARSE if meta.get("form") == "sparse" else DENSE)]
    records = meta.get("files")
    if not isinstance(records, dict) or not all(isinstance(records.get(f"{n}.npy"), dict) for n in names):
        return None
    arrays = {}
    for name in names:
        path = folder / f"{name}.npy"
        problem = check_file(path, records[f"{name}.npy"], verify=verify)
        if problem is not None:
            raise _damaged(path, problem)
        try:
            arrays[name] = _load_npy(path)
        except (OSError, ValueError) as exc:
            raise _damaged(path, f"cannot be read ({exc})") from None
    n = meta.get("n_docs")
    if not isinstance(n, int) or arrays["doc_bytes"].shape != (n + 1,) or arrays["doc_chars"].shape != (n + 1,):
        raise _damaged(folder / "meta.json", "does not describe the arrays beside it")
    if int(arrays["doc_bytes"][-1]) != arrays["text"].size:
        raise _damaged(folder / "text.npy", "does not hold the bytes its offsets describe")
    return TextSpans.from_arrays(arrays.pop("text"), arrays)


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------
class TableCache:
    """Arrow tables kept in *folder* by key (see the module docstring): :meth:`get`, :meth:`put`."""

    def __init__(self, folder: Path, *, describe: Mapping[str, Any] | None = None) -> None:
        self.folder = folder
        self.describe = dict(describe or {})

    def _record(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def stamp(self, key: str) -> tuple[int, ...] | None:
        """Size and modification time of the record of *key* and of the table file it names
        (``None``: no table), so that a table kept in memory is dropped when either file changes."""
        record = self._record(key)
        meta = _read_json(record)
        name = meta.get("file") if isinstance(meta, dict) else None
        if not isinstance(name, str) or TABLE_FILE.fullmatch(name) is None:
            return None
        try:
            st, table = os.stat(record), os.stat(self.folder / name)
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns, table.st_size, table.st_mtime_ns

    def get(self, key: str, *, verify: bool = False) -> pa.Table | None:
        """The table saved under *key*, or ``None``.

        Raises
        ------
        IntegrityError
            The table file differs from its record, or cannot be decoded.
        """
        meta = _read_json(self._record(key))
        if not isinstance(meta, dict) or meta.get("format") != TABLE_FORMAT or meta.get("key") != key:
            return None
        name, record = meta.get("file"), meta.get("record")
        if not isinstance(name, str) or not isinstance(record, dict) or TABLE_FILE.fullmatch(name) is None:
            return None
        path = self.folder / name
        problem = check_file(path, record, verify=verify)
        if problem is not None:
            if _read_json(self._record(key)) != meta:
                return None  # replaced or pruned by another process meanwhile: not damage, a miss
            raise _damaged(path, problem)
        try:
            table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
            table.validate(full=True)  # offsets and UTF-8 inside the mapped bytes, before anything reads them
        except (OSError, pa.ArrowException) as exc:
            raise _damaged(path, f"cannot be decoded ({exc})") from None
        return table

    def put(self, key: str, table: pa.Table) -> None:
        """Save *table* under *key* (a table file, then its record: the record appears last, atomically)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{key}-{uuid.uuid4().hex[:12]}.arrow"
        path = self.folder / name
        # Arrow IPC, uncompressed: written and memory-mapped back without encoding (Parquet took
        # about 70 ms per shard to write, and decoding on every first read)
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        meta = {"format": TABLE_FORMAT, "key": key, "file": name, "record": file_record(path), **self.describe}
        tmp = self.folder / f".{key}.json.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(tmp, self._record(key))
        self._prune()

    def get_or_put(self, key: str, compute: Callable[[], pa.Table]) -> pa.Table:
        """The table of *key*, computed and saved when missing (on a read-only disk: computed only)."""
        found = self.get(key)
        if found is not None:
            return found
        table = compute()
        if not os.access(self.folder if self.folder.is_dir() else self.folder.parent, os.W_OK):
            log.debug("store: %s is read-only; the table is not kept", self.folder)
            return table
        try:
            self.put(key, table)
        except OSError as exc:
            log.warning("store: cannot save a cached table in %s: %s", self.folder, exc)
        return table

    def _prune(self) -> None:
        """Keep the newest :data:`MAX_TABLES` records, and only the table files they name."""
        with contextlib.suppress(OSError):
            entries = list(os.scandir(self.folder))
            records = sorted((e for e in entries if e.name.endswith(".json") and TABLE_FILE.fullmatch(e.name)),
                             key=lambda e: e.stat().st_mtime_ns, reverse=True)  # fmt: skip
            for old in records[MAX_TABLES:]:
                with contextlib.suppress(OSError):
                    os.unlink(old.path)
            named = set()
            for rec in records[:MAX_TABLES]:
                meta = _read_json(Path(rec.path))
                if isinstance(meta, dict) and isinstance(meta.get("file"), str):
                    named.add(meta["file"])
            for e in entries:
                if e.name.endswith((".arrow", ".parquet")) and e.name not in named:
                    # a table being written has no record yet: only those older than a minute go
                    with contextlib.suppress(OSError):
                        if e.stat().st_mtime_ns < time.time_ns() - 60 * 10**9:
                            os.unlink(e.path)
                elif ".json.tmp-" in e.name:  # a record a killed writer never renamed
                    with contextlib.suppress(OSError):
                        if e.stat().st_mtime < time.time() - ABANDONED_SECONDS:
                            os.unlink(e.path)
