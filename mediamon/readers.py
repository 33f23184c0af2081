"""Read news corpora from files into a :class:`~mediamon.corpus.Corpus`, accounting for every item.

:func:`read_corpus` takes a file, a folder (read recursively in sorted order), a glob, or a list of
them, and reads plain-text articles (``.txt``), tables (``.csv``, ``.tsv``), JSON Lines (``.jsonl``,
``.ndjson``, also gzip-compressed as ``.jsonl.gz``) and Parquet (``.parquet``). Every discovered item
-- a file, or a row/line of a table file -- ends as exactly one manifest row with status ``loaded``,
``rejected`` (with a reason code) or ``skipped`` (by a stated rule); ``loaded + rejected + skipped ==
discovered`` is asserted on every call. Bad input never stops the run; only a mistake in the call
itself (a path that does not exist, a column mapping that matches no file) raises.

Rules, in the order they are applied
------------------------------------
Discovery (folders only; a file named explicitly is always read):
  * hidden names (``.DS_Store``, ``._x``, ``.git/``) and ``Thumbs.db``/``desktop.ini`` -> skipped
    ``junk`` (a hidden folder is one item and is not entered);
  * files named README*, NOTICE*, LICENSE*/LICENCE*, COPYING*, CHANGELOG*, CITATION*, AUTHORS* ->
    skipped ``documentation``;
  * ``metadata.csv``/``metadata.tsv``/``metadata.jsonl`` in a folder that holds ``.txt`` files ->
    skipped ``sidecar`` (read as metadata for those files);
  * a symlink is followed only when it points to a regular file inside the folder being read:
    outside -> rejected ``symlink_outside``; to a folder -> skipped ``symlink_dir``; a loop ->
    rejected ``symlink_loop``; dangling -> rejected ``symlink_broken``;
  * other extensions -> skipped ``unsupported_format`` (``.zip`` archives are not opened at all).
Reading a file:
  * FIFOs, devices, sockets -> rejected ``not_regular_file`` (never opened, so never blocking);
  * larger than ``max_bytes`` on disk, or after gzip decompression -> rejected ``too_large`` (the
    file is never read beyond the cap); a gzip ratio above 100:1 past 10 MB -> ``too_large`` too;
  * gone or unreadable -> rejected ``vanished`` / ``permission_denied`` / ``io_error``;
  * bad gzip or Parquet -> rejected ``corrupt`` with the reader's message.
Decoding (per file; recorded per document in ``manifest.encoding``):
  * a BOM selects UTF-8/16/32 and is removed; no BOM but the NUL pattern of UTF-16 -> UTF-16;
  * else strict UTF-8; bytes that are not UTF-8 in a file that also holds valid multi-byte UTF-8
    (mixed encodings) -> U+FFFD, counted in ``replaced_chars``, status loaded, reason ``lossy``;
  * else cp1252 (so 0x92 is ’), or latin-1 when cp1252 cannot decode a byte;
  * NUL characters are removed and counted (``nul_stripped``); CRLF and CR become LF;
  * known binary signatures, or over 10 % control characters / 20 % replaced bytes in the first
    64K characters -> rejected
    ``binary``; nothing but whitespace -> rejected ``empty``.
Records:
  * CSV/TSV: parsed with the :mod:`csv` module on the cleaned text, every field a string ("NA",
    "null", "007" stay as written); a row with the wrong number of fields -> rejected
    ``malformed_row`` at its first physical line; an empty line -> skipped ``blank_line``; a file
    with a header and no rows -> one skipped ``header_only`` row for the file;
  * JSON Lines: one object per physical line; blank line -> skipped ``blank_line``; invalid JSON
    (a trailing comma, ``NaN``/``Infinity``, truncated) -> rejected ``malformed_json``; a value that
    is not an object -> rejected ``not_an_object``;
  * a row without text -> rejected ``missing_text``; text of only whitespace -> rejected ``empty``;
    text that is not a string -> rejected ``missing_text``;
  * a table file without the text column -> rejected ``missing_column`` (one row for the file); when
    no document at all could be loaded because of that, :class:`~mediamon.errors.ColumnError` is
    raised instead, naming the columns found and the argument to pass;
  * ``.txt``: one document per file; an optional YAML front matter block (``---`` ... ``---``) at
    the top gives metadata (read with PyYAML's ``BaseLoader``: every value stays a string) and is
    *not* part of ``text``; a sidecar ``metadata.csv``/``.jsonl``/``.tsv`` in the same folder with a
    ``file`` column (the file name) gives metadata too; front matter wins over the sidecar;
  * exact duplicate texts (``dedupe=True``) -> the first is kept, later ones skipped ``duplicate``
    with ``duplicate_of`` the kept ``doc_id``.
Identifiers: ``doc_id`` comes from the id column (``id=``, else ``doc_id``, else ``id``); otherwise it
is the path relative to the folder/glob base without ``.txt`` for text files, and ``<path>:<line>``
for table rows, so a rerun gives the same ids. An id used twice is made unique by ``~2``, ``~3`` in
reading order, and the manifest message says so.
Columns: list and dict values (JSON arrays/objects, YAML lists) become JSON strings.
"""

from __future__ import annotations

import codecs
import csv
import errno
import glob as _glob
import gzip
import io
import json
import logging
import os
import re
import stat
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from .corpus import MANIFEST_COLUMNS, Corpus
from .dates import parse_dates
from .errors import ColumnError, InputError, NotFoundError, one_of
from .newstext import find_bodies
from .store import is_store, open_store

log = logging.getLogger(__name__)

__all__ = ["read_corpus", "REASONS", "FORMATS", "DEFAULT_MAX_BYTES"]

Format = Literal["txt", "csv", "tsv", "jsonl", "parquet"]
FORMATS: tuple[str, ...] = ("txt", "csv", "tsv", "jsonl", "parquet")
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
MAX_GZIP_RATIO = 100
GZIP_RATIO_FLOOR = 10 * 1024 * 1024

#: Every reason code a manifest row can carry, with its meaning.
REASONS: dict[str, str] = {
    "ok": "loaded as read",
    "lossy": "loaded, but some bytes could not be decoded and were replaced (see replaced_chars)",
    "binary": "the file is not text (binary signature or too many control/undecodable bytes)",
    "empty": "the file or the text is empty or whitespace only",
    "too_large": "over max_bytes on disk or after decompression, or a suspicious gzip ratio",
    "decode_error": "the encoding passed as encoding= cannot decode the file",
    "malformed_row": "a CSV/TSV row with the wrong number of fields or broken quoting",
    "malformed_json": "a JSON Lines line that is not valid JSON (trailing comma, NaN, truncated)",
    "not_an_object": "a JSON Lines line whose value is not an object",
    "missing_text": "a record without a text value (or a text that is not a string)",
    "missing_column": "a table file without the text column",
    "symlink_outside": "a symlink pointing outside the folder being read (not followed)",
    "symlink_loop": "a symlink loop (not followed)",
    "symlink_broken": "a symlink to nothing",
    "symlink_dir": "a symlink to a folder (not followed)",
    "not_regular_file": "a FIFO, device or socket (never opened)",
    "permission_denied": "the file cannot be read (permissions)",
    "vanished": "the file disappeared between discovery and reading",
    "io_error": "another operating-system error while reading",
    "corrupt": "a gzip or Parquet file the reader cannot read (its message is kept)",
    "duplicate": "the same text as an earlier document (see duplicate_of)",
    "repeated_path": "the same file was named twice in source",
    "junk": "an operating-system or hidden file",
    "documentation": "README/NOTICE/LICENSE-like file next to the data",
    "sidecar": "a metadata table for the .txt files of its folder",
    "unsupported_format": "an extension read_corpus() does not read (pass format= to force one)",
    "blank_line": "an empty line in a table file",
    "header_only": "a CSV/TSV file with a header and no rows",
}

_JUNK_NAMES = {"thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"}
_DOC_STEMS = ("readme", "notice", "license", "licence", "copying", "changelog", "citation", "authors")
_SIDECARS = {"metadata.csv": "csv", "metadata.tsv": "tsv", "metadata.jsonl": "jsonl"}
_EXTENSIONS = {
    ".txt": "txt", ".text": "txt", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
}
_MAGIC = (
    b"\x89PNG", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"\xff\xd8\xff", b"GIF8",
    b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"MZ", b"PAR1", b"SQLite format 3", b"\xca\xfe\xba\xbe",
)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_FIELDS = ("text", "date", "title", "source", "url", "id")
_TEXT_ALIASES = ("body", "content", "article", "full_text", "fulltext", "story", "text_body", "message")
_CHUNK = 1 << 20
_SAMPLE = 1 << 16


# ---------------------------------------------------------------------------------------------
# discovery
# ---------------------------------------------------------------------------------------------
@dataclass
class _Found:
    """One discovered file (or a pre-decided outcome for it)."""

    path: str
    rel: str
    seq: int = 0
    fmt: str | None = None
    status: str | None = None
    reason: str | None = None
    message: str = ""
    read_path: str | None = None  # resolved path to open (symlinks inside the root)
    sidecar: dict[str, dict[str, Any]] | None = None


def _is_junk(name: str) -> bool:
    return name.startswith(".") or name.lower() in _JUNK_NAMES


def _format_of(name: str, forced: str | None) -> tuple[str | None, bool]:
    lower = name.lower()
    gz = lower.endswith(".gz")
    base = lower[:-3] if gz else lower
    if forced is not None:
        return forced, gz
    return _EXTENSIONS.get(os.path.splitext(base)[1]), gz


def _is_documentation(name: str) -> bool:
    stem = name.lower().split(".", 1)[0]
    return any(stem == s or stem.startswith(s + "-") or stem.startswith(s + "_") for s in _DOC_STEMS)


def _walk(folder: str, root_real: str, prefix: str, out: list[_Found], fmt: str | None) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except PermissionError as exc:
        out.append(_Found(folder, prefix or ".", status="rejected", reason="permission_denied",
                          message=str(exc)))
        return
    except FileNotFoundError as exc:
        out.append(_Found(folder, prefix or ".", status="rejected", reason="vanished", message=str(exc)))
        return
    has_txt = any(
        (not _is_junk(e.name)) and _format_of(e.name, None)[0] == "txt" and not e.is_dir()
        for e in entries
    )
    for e in entries:
        rel = f"{prefix}{e.name}"
        if _is_junk(e.name):
            out.append(_Found(e.path, rel, status="skipped", reason="junk",
                              message="hidden or operating-system file"))
            continue
        if e.is_symlink():
            try:
                target = os.path.realpath(e.path, strict=True)
            except OSError as exc:
                loop = exc.errno == errno.ELOOP or "loop" in str(exc).lower()
                out.append(_Found(e.path, rel, status="rejected",
                                  reason="symlink_loop" if loop else "symlink_broken",
                                  message=f"symlink not followed: {exc}"))
                continue
            if os.path.commonpath([root_real, target]) != root_real:
                out.append(_Found(e.path, rel, status="rejected", reason="symlink_outside",
                                  message=f"symlink to {target}, outside {root_real}; not followed"))
                continue
            if os.path.isdir(target):
                out.append(_Found(e.path, rel, status="skipped", reason="symlink_dir",
                                  message=f"symlink to folder {target}; not followed"))
                continue
            out.append(_classify(_Found(e.path, rel, read_path=target), fmt, has_txt))
            continue
        if e.is_dir(follow_symlinks=False):
            _walk(e.path, root_real, rel + "/", out, fmt)
            continue
        out.append(_classify(_Found(e.path, rel), fmt, has_txt))


def _classify(found: _Found, fmt: str | None, has_txt: bool, *, explicit: bool = False) -> _Found:
    name = os.path.basename(found.path)
    if not explicit:
        if _is_documentation(name):
            found.status, found.reason = "skipped", "documentation"
            found.message = "documentation file beside the data"
            return found
        if has_txt and name.lower() in _SIDECARS:
            found.status, found.reason = "skipped", "sidecar"
            found.message = "metadata for the .txt files of this folder"
            return found
    kind, _gz = _format_of(name, fmt)
    if kind is None:
        found.status, found.reason = "skipped", "unsupported_format"
        found.message = (
            f"extension not read by read_corpus(); pass format= (one of {', '.join(FORMATS)}) to "
            "read it anyway"
        )
    found.fmt = kind
    return found


_GLOB_CHARS = re.compile(r"[*?\[]")


def _discover(source: Any, fmt: str | None) -> list[_Found]:
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    if not sources:
        raise InputError("read_corpus(): source is an empty list; pass a file, a folder or a glob.")
    found: list[_Found] = []
    for src in sources:
        if not isinstance(src, (str, os.PathLike)):
            raise InputError(
                f"read_corpus(): source must be a path, a glob or a list of them; got "
                f"{type(src).__name__} {src!r}."
            )
        raw = os.path.expanduser(os.fspath(src))
        if os.path.lexists(raw):
            if os.path.isdir(raw):
                real = os.path.realpath(raw)
                _walk(raw, real, "", found, fmt)
            else:
                found.append(_classify(_Found(raw, os.path.basename(raw)), fmt, False, explicit=True))
            continue
        if _GLOB_CHARS.search(raw):
            matches = sorted(_glob.glob(raw, recursive=True))
            if not matches:
                raise NotFoundError(f"read_corpus(): the glob {raw!r} matches no file.")
            parts = Path(raw).parts
            base_parts = []
            for p in parts:
                if _GLOB_CHARS.search(p):
                    break
                base_parts.append(p)
            base = str(Path(*base_parts)) if base_parts else "."
            base_real = os.path.realpath(base)
            for m in matches:
                rel = os.path.relpath(m, base).replace(os.sep, "/")
                if os.path.isdir(m) and not os.path.islink(m):
                    _walk(m, os.path.realpath(m), rel + "/", found, fmt)
                else:
                    has_txt = False
                    f = _Found(m, rel)
                    if os.path.islink(m):
                        target = os.path.realpath(m)
                        if os.path.commonpath([base_real, target]) != base_real:
                            f.status, f.reason = "rejected", "symlink_outside"
                            f.message = f"symlink to {target}, outside {base_real}; not followed"
                            found.append(f)
                            continue
                    found.append(_classify(f, fmt, has_txt, explicit=True))
            continue
        raise NotFoundError(
            f"read_corpus(): {os.fspath(src)!r} does not exist (resolved: {os.path.abspath(raw)}). "
            "Pass a file, a folder, a glob or a list of them."
        )
    seen: dict[str, str] = {}
    for i, f in enumerate(found):
        f.seq = i
        if f.status is None:
            key = os.path.realpath(f.read_path or f.path)
            if key in seen:
                f.status, f.reason = "skipped", "repeated_path"
                f.message = f"already read as {seen[key]}"
            else:
                seen[key] = f.rel
    return found


# ---------------------------------------------------------------------------------------------
# bytes and decoding
# ---------------------------------------------------------------------------------------------
class _Reject(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _read_bytes(found: _Found, max_bytes: int) -> bytes:
    path = found.read_path or found.path
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise _Reject("vanished", f"file disappeared before reading: {exc}") from None
    except PermissionError as exc:
        raise _Reject("permission_denied", str(exc)) from None
    except OSError as exc:
        reason = "symlink_loop" if exc.errno == errno.ELOOP else "io_error"
        raise _Reject(reason, str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise _Reject("not_regular_file", "not a regular file (FIFO, device or socket); not opened")
    if st.st_size > max_bytes:
        raise _Reject("too_large", f"{st.st_size:,} bytes on disk; max_bytes is {max_bytes:,}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(os.path.realpath(path), flags)
    except FileNotFoundError as exc:
        raise _Reject("vanished", f"file disappeared before reading: {exc}") from None
    except PermissionError as exc:
        raise _Reject("permission_denied", str(exc)) from None
    except OSError as exc:
        raise _Reject("io_error", str(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _Reject("not_regular_file", "not a regular file once opened; not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _Reject("io_error", str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise _Reject("too_large", f"more than max_bytes={max_bytes:,} bytes")
    if found.rel.lower().endswith(".gz") or (found.path.lower().endswith(".gz")):
        data = _gunzip(data, max_bytes)
    return data


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        raise _Reject("corrupt", "named .gz but not gzip data")
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            while True:
                chunk = gz.read(_CHUNK)
                if not chunk:
                    break
                out += chunk
                if len(out) > max_bytes:
                    raise _Reject("too_large", f"more than max_bytes={max_bytes:,} bytes after "
                                  "gzip decompression")
                if len(out) > GZIP_RATIO_FLOOR and len(out) > MAX_GZIP_RATIO * len(data):
                    raise _Reject("too_large", f"gzip expands more than {MAX_GZIP_RATIO}:1 "
                                  "(possible decompression bomb)")
    except (OSError, EOFError, zlib.error) as exc:
        raise _Reject("corrupt", f"gzip: {exc}") from None
    return bytes(out)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


@dataclass
class _Decoded:
    text: str
    encoding: str
    has_surrogates: bool = False  # undecodable bytes kept as lone surrogates, replaced per record
    notes: list[str] = field(default_factory=list)


def _utf16_guess(data: bytes) -> str | None:
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _decode(data: bytes, forced: str | None) -> _Decoded:
    if not data.strip():
        raise _Reject("empty", "the file is empty or whitespace only")
    notes: list[str] = []
    if forced is not None:
        try:
            text = data.decode(forced)
        except (UnicodeDecodeError, LookupError) as exc:
            raise _Reject("decode_error", f"encoding={forced!r} cannot decode it: {exc}") from None
        if text.startswith("\ufeff"):
            text, notes = text[1:], ["bom"]
        return _finish_decode(_Decoded(text, forced, notes=notes), len(data))
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(codec, errors="replace")
            return _finish_decode(_Decoded(text, label, notes=["bom"]), len(data))
    if data.startswith(_MAGIC):
        raise _Reject("binary", "binary file signature")
    guess = _utf16_guess(data)
    if guess is not None:
        try:
            text = data[: len(data) - len(data) % 2].decode(guess)
            return _finish_decode(_Decoded(text, guess, notes=["utf-16 without bom"]), len(data))
        except UnicodeDecodeError:
            pass
    try:
        return _finish_decode(_Decoded(data.decode("utf-8"), "utf-8"), len(data))
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    if re.search(r"[^\x00-\x7f\udc80-\udcff]", text):  # valid multi-byte UTF-8 as well: mixed
        return _finish_decode(_Decoded(text, "utf-8", has_surrogates=True, notes=["mixed"]), len(data))
    try:
        return _finish_decode(_Decoded(data.decode("cp1252"), "cp1252"), len(data))
    except UnicodeDecodeError:
        return _finish_decode(_Decoded(data.decode("latin-1"), "latin-1"), len(data))


def _finish_decode(dec: _Decoded, nbytes: int) -> _Decoded:
    text = dec.text
    sample = text[:_SAMPLE]  # the binary test looks at the first characters only
    n = max(len(sample), 1)
    bad = len(_CONTROL.findall(sample)) + sample.count("\x00")
    replaced = len(_SURROGATE.findall(sample)) if dec.has_surrogates else sample.count("\ufffd")
    if bad > 0.1 * n or replaced > 0.2 * n:
        raise _Reject("binary", f"not text: {bad} control and {replaced} undecodable characters "
                      f"in the first {n:,}")
    if "\r" in text:
        dec.notes.append("crlf/cr")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.replace("\x00", "").strip():
        raise _Reject("empty", "the file is empty or whitespace only")
    dec.text = text
    return dec


def _clean(value: Any, surrogates: bool) -> tuple[Any, int, int]:
    """Strip NULs, replace undecodable bytes, normalise newlines in one string value."""
    if not isinstance(value, str):
        return value, 0, 0
    nul = rep = 0
    if "\x00" in value:
        nul = value.count("\x00")
        value = value.replace("\x00", "")
    if surrogates:
        value, rep = _SURROGATE.subn("\ufffd", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value, nul, rep


# ---------------------------------------------------------------------------------------------
# formats -> records
# ---------------------------------------------------------------------------------------------
@dataclass
class _Rows:
    """Records of one file plus the rejected/skipped lines."""

    records: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    nul: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    other: list[tuple[int | None, str, str, str]] = field(default_factory=list)  # line, status, reason, msg
    columns: list[str] = field(default_factory=list)

    def add(
        self, line: int, record: dict[str, Any], surrogates: bool, extra_nul: int = 0,
        clean: bool = True,
    ) -> None:
        nul, rep = extra_nul, 0
        if surrogates and any(isinstance(k, str) and _SURROGATE.search(k) for k in record):
            record = {_SURROGATE.sub("\ufffd", k): v for k, v in record.items()}
        for k, v in (record.items() if clean else ()):
            if isinstance(v, str):
                v2, a, b = _clean(v, surrogates)
                if a or b or v2 is not v:
                    record[k] = v2
                    nul += a
                    rep += b
        self.records.append(record)
        self.lines.append(line)
        self.nul.append(nul)
        self.replaced.append(rep)


def _frame_of(rows: _Rows) -> pd.DataFrame:
    """Records -> DataFrame without string inference: strings stay Python objects (one conversion
    to the final string dtype happens in :class:`Corpus`); all-numeric and all-bool columns are typed."""
    columns = list(dict.fromkeys(rows.columns or [k for r in rows.records for k in r]))
    data: dict[str, pd.Series] = {}
    for col in columns:
        values = [r.get(col) for r in rows.records]
        kinds = {type(v) for v in values if v is not None}
        if kinds and kinds <= {int, float}:
            try:
                data[col] = pd.Series(values, dtype="float64" if float in kinds or None in values
                                      else "int64")
            except (OverflowError, ValueError):
                data[col] = pd.Series(values, dtype=object)
        elif kinds == {bool} and None not in values:
            data[col] = pd.Series(values, dtype=bool)
        else:
            data[col] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows.records)))


def _unique_header(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names):
        name = raw.strip() or f"column_{i + 1}"
        base = name
        while name in seen:
            seen[base] += 1
            name = f"{base}.{seen[base]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


def _parse_csv(dec: _Decoded, delimiter: str, max_bytes: int) -> _Rows:
    rows = _Rows()
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, max_bytes))
    try:
        reader = csv.reader(io.StringIO(dec.text, newline=""), delimiter=delimiter)
        header: list[str] | None = None
        prev = start = 0
        try:
            for row in reader:
                start, prev = prev + 1, reader.line_num
                if header is None:
                    if not row:
                        continue
                    header = _unique_header([_clean(h, dec.has_surrogates)[0] for h in row])
                    rows.columns = header
                    continue
                if not row or (len(row) == 1 and not row[0].strip() and len(header) > 1):
                    rows.other.append((start, "skipped", "blank_line", "empty line"))
                    continue
                if len(row) != len(header):
                    rows.other.append((start, "rejected", "malformed_row",
                                       f"expected {len(header)} fields, found {len(row)} "
                                       f"(lines {start}-{prev})" if prev > start else
                                       f"expected {len(header)} fields, found {len(row)}"))
                    continue
                rows.add(start, dict(zip(header, row)), dec.has_surrogates)
        except csv.Error as exc:
            rows.other.append((prev + 1, "rejected", "malformed_row",
                               f"CSV parsing stopped here: {exc}"))
        else:
            # An odd number of quote characters means a quoted field ran to the end of the file
            # (the lenient reader would return it as one long field): reject that last record.
            if dec.text.count('"') % 2 == 1 and rows.records and rows.lines[-1] == start:
                rows.records.pop()
                rows.lines.pop()
                rows.nul.pop()
                rows.replaced.pop()
                rows.other.append((start, "rejected", "malformed_row",
                                   f"quoted field opened here is never closed (runs to line {prev})"))
    finally:
        csv.field_size_limit(old)
    return rows


def _bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_JSON = json.JSONDecoder(parse_constant=_bad_constant, strict=False)


def _parse_jsonl(dec: _Decoded) -> _Rows:
    rows = _Rows()
    lines = dec.text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    columns: dict[str, None] = {}
    decode = _JSON.decode
    # values need cleaning only if the file holds NULs, undecodable bytes or escaped CRs
    clean = dec.has_surrogates or "\x00" in dec.text or "\\r" in dec.text or "\\u000" in dec.text
    for i, line in enumerate(lines, start=1):
        if not line or line.isspace():
            rows.other.append((i, "skipped", "blank_line", "empty line"))
            continue
        nul = 0
        if "\x00" in line:
            nul = line.count("\x00")
            line = line.replace("\x00", "")
        try:
            value = decode(line)
        except json.JSONDecodeError as exc:
            rows.other.append((i, "rejected", "malformed_json", f"{exc.msg} at column {exc.colno}"))
            continue
        except (ValueError, RecursionError) as exc:
            rows.other.append((i, "rejected", "malformed_json", str(exc)[:200]))
            continue
        if not isinstance(value, dict):
            rows.other.append((i, "rejected", "not_an_object",
                               f"a JSON {type(value).__name__}, not an object"))
            continue
        rows.add(i, value, dec.has_surrogates, extra_nul=nul, clean=clean)
        columns.update(dict.fromkeys(rows.records[-1]))
    rows.columns = list(columns)
    return rows


def _parse_parquet(data: bytes) -> _Rows:
    try:
        table = pq.read_table(pa.BufferReader(data))
    except Exception as exc:  # noqa: BLE001 -- any reader failure is this file's outcome
        raise _Reject("corrupt", f"Parquet: {type(exc).__name__}: {exc}") from None
    rows = _Rows(columns=list(table.column_names))
    for i, rec in enumerate(table.to_pylist(), start=1):
        rows.add(i, rec, False)
    return rows


def _front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    if not text.startswith("---\n"):
        return {}, text, None
    end = text.find("\n---", 4, 65536)
    if end < 0:
        return {}, text, None
    after = end + 4
    if after < len(text) and text[after] != "\n":
        return {}, text, None
    block = text[4:end]
    try:
        meta = yaml.load(block, Loader=yaml.BaseLoader)  # noqa: S506 -- BaseLoader builds only str/list/dict
    except yaml.YAMLError as exc:
        return {}, text, f"front matter not read ({str(exc).splitlines()[0]}); kept in text"
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return {}, text, "front matter is not a mapping; kept in text"
    return {str(k): v for k, v in meta.items()}, text[after + 1 if after < len(text) else after:], None


def _read_sidecar(folder: str, max_bytes: int, forced: str | None) -> tuple[dict[str, dict], str]:
    for name, kind in _SIDECARS.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        try:
            dec = _decode(_read_bytes(_Found(path, name), max_bytes), forced)
        except _Reject as exc:
            return {}, f"{name} not read: {exc.message}"
        rows = _parse_jsonl(dec) if kind == "jsonl" else _parse_csv(dec, "\t" if kind == "tsv" else ",", max_bytes)
        key = next((k for k in ("file", "filename", "file_name", "path") if k in rows.columns), None)
        if key is None:
            return {}, f"{name} has no 'file' column (columns are {rows.columns}); not used"
        table = {}
        for rec in rows.records:
            fname = str(rec.pop(key, "") or "")
            if fname:
                table[os.path.basename(fname)] = rec
        return table, f"metadata for {len(table)} file(s)"
    return {}, ""


# ---------------------------------------------------------------------------------------------
# the call
# ---------------------------------------------------------------------------------------------
def read_corpus(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    format: Format | None = None,  # noqa: A002 -- the natural name for users
    text: str | None = None,
    date: str | None = None,
    title: str | None = None,
    source_col: str | None = None,
    url: str | None = None,
    id: str | None = None,  # noqa: A002
    encoding: str | None = None,
    dayfirst: bool | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    dedupe: bool = True,
    name: str | None = None,
) -> Corpus:
    """Read news articles from files into a :class:`~mediamon.corpus.Corpus`, accounting for every item.

    Parameters
    ----------
    source
        A file, a folder (read recursively, in sorted order), a glob (``"data/**/*.jsonl.gz"``) or a
        list mixing them.
    format
        Read every file as this format instead of going by extension: ``"txt"``, ``"csv"``,
        ``"tsv"``, ``"jsonl"`` or ``"parquet"``. Gzip (``.gz``) is recognised either way.
    text, date, title, source_col, url, id
        The column (table formats) or key (JSON Lines, front matter, sidecar) holding each standard
        field, e.g. ``text="body", date="published"``. Defaults: ``text``, ``date``, ``title``,
        ``source``, ``url`` and ``doc_id`` or ``id``. If the data also has a column with the
        standard name, it is kept as ``<name>_original``.
    encoding
        Decode every file with this codec instead of detecting (see the module notes); a file it
        cannot decode is rejected ``decode_error``.
    dayfirst
        How to read day/month-ambiguous dates such as "12/01/2024": ``None`` (default) leaves them
        missing with a warning; ``True`` reads day first; ``False`` month first. See
        :mod:`mediamon.dates` for every date rule.
    max_bytes
        Largest file (and largest decompressed gzip content) read, in bytes; bigger ones are
        rejected ``too_large`` without being read. Default 256 MiB.
    dedupe
        Skip documents whose text equals an earlier document's (reason ``duplicate``).
    name
        The corpus label; default: the name of the first source.

    Returns
    -------
    Corpus
        A folder written by :func:`mediamon.ingest` (a sharded store) is opened as a
        :class:`~mediamon.store.ShardedCorpus` instead, which every analysis function accepts.
        Otherwise ``docs`` with ``doc_id``, ``text`` (decoded, BOM and NULs removed, newlines as ``\\n``),
        ``title``, ``date`` (UTC or NaT), ``source``, ``url``, ``dateline``, ``license``,
        ``body_start``, ``body_end``, ``date_raw``, ``editor_code``, ``license_text`` and every other
        column of the data; ``manifest`` with one row per discovered item (see :data:`REASONS`).

    Raises
    ------
    NotFoundError
        A path does not exist, or a glob matches nothing.
    ColumnError
        No document could be loaded because the text column is missing, or a column named in the
        call (``date="published"``) exists in no file.
    InputError
        An argument has an invalid value.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("id,body,published\\n1,KAZAN — Putin met Raisi.,2021-07-29\\n")
    >>> c = read_corpus(folder, text="body", date="published")
    >>> c.docs.loc[0, ["doc_id", "dateline", "date"]].tolist()
    ['1', 'KAZAN', Timestamp('2021-07-29 00:00:00+0000', tz='UTC')]
    >>> c.manifest_counts()
    {'loaded': 1, 'rejected': 0, 'skipped': 0, 'discovered': 1}
    """
    if isinstance(source, (str, os.PathLike)):
        if is_store(source):  # the same notebook runs on a sample file or on a sharded store
            return open_store(source)  # type: ignore[return-value]
    t0 = time.perf_counter()
    if format is not None and format not in FORMATS:
        raise one_of("read_corpus()", "format", format, FORMATS)
    if not isinstance(max_bytes, (int, np.integer)) or isinstance(max_bytes, bool) or max_bytes <= 0:
        raise InputError(f"read_corpus(): max_bytes must be a positive int; got {max_bytes!r}.")
    if dayfirst not in (None, True, False):
        raise InputError(f"read_corpus(): dayfirst must be None, True or False; got {dayfirst!r}.")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(
                f"read_corpus(): encoding={encoding!r} is not a known codec; pass e.g. 'utf-8', "
                "'cp1252' or None to detect."
            ) from None
    mapping = {"text": text, "date": date, "title": title, "source": source_col, "url": url, "id": id}
    for key, col in mapping.items():
        if col is not None and not isinstance(col, str):
            arg = "source_col" if key == "source" else key
            raise InputError(f"read_corpus(): {arg}= must be a column name (str); got {col!r}.")

    found = _discover(source, format)
    manifest: list[dict[str, Any]] = []
    frames: list[pd.DataFrame] = []
    sidecars: dict[str, tuple[dict[str, dict], str]] = {}
    explicit_seen: dict[str, bool] = {k: False for k, v in mapping.items() if v is not None}
    missing_column_msgs: list[str] = []

    def file_row(f: _Found, status: str, reason: str, message: str, enc: str | None = None) -> None:
        manifest.append({"item": f.rel, "path": os.path.abspath(f.path), "line": None, "status": status,
                         "reason": reason, "doc_id": None, "duplicate_of": None, "message": message,
                         "encoding": enc, "replaced_chars": 0, "nul_stripped": 0, "_seq": f.seq})

    for f in found:
        if f.status is not None:
            if f.reason == "sidecar":
                table, note = sidecars.setdefault(
                    os.path.dirname(f.path), _read_sidecar(os.path.dirname(f.path), max_bytes, encoding)
                )
                f.message = note or f.message
            file_row(f, f.status, f.reason or "", f.message)
            continue
        try:
            data = _read_bytes(f, max_bytes)
            rows, enc, notes = _records_of(f, data, encoding, max_bytes, sidecars)
        except _Reject as exc:
            file_row(f, "rejected", exc.reason, exc.message)
            continue
        for line, status, reason, msg in rows.other:
            manifest.append({"item": f"{f.rel}:{line}", "path": os.path.abspath(f.path), "line": line,
                             "status": status, "reason": reason, "doc_id": None,
                             "duplicate_of": None, "message": msg, "encoding": enc,
                             "replaced_chars": 0, "nul_stripped": 0, "_seq": f.seq})
        if f.fmt in ("csv", "tsv") and not rows.records and not rows.other:
            file_row(f, "skipped", "header_only", "header only, no data rows", enc)
            continue
        if not rows.records:
            continue
        frame = _frame_of(rows)
        for k in explicit_seen:
            if mapping[k] in frame.columns:
                explicit_seen[k] = True
        frame, problem = _map_columns(frame, mapping, f.rel)
        if problem is not None:
            # the file's rows are not items of their own: the whole file is rejected (drop line rows)
            manifest[:] = [m for m in manifest if m["_seq"] != f.seq]
            file_row(f, "rejected", "missing_column", problem, enc)
            missing_column_msgs.append(problem)
            continue
        is_txt = f.fmt == "txt"
        frame["_mm_line"] = pd.array([None] * len(frame) if is_txt else rows.lines, dtype="Int64")
        frame["_mm_seq"] = f.seq
        frame["_mm_rel"] = f.rel
        frame["_mm_path"] = os.path.abspath(f.path)
        frame["_mm_enc"] = enc
        frame["_mm_nul"] = np.asarray(rows.nul, dtype=np.int64)
        frame["_mm_rep"] = np.asarray(rows.replaced, dtype=np.int64)
        frame["_mm_note"] = "; ".join(notes)
        frame["_mm_item"] = f.rel if is_txt else [f"{f.rel}:{n}" for n in rows.lines]
        if is_txt:
            stem = f.rel[:-4] if f.rel.lower().endswith(".txt") else f.rel
            frame["_mm_auto_id"] = stem
        else:
            frame["_mm_auto_id"] = [f"{f.rel}:{n}" for n in rows.lines]
        frame = _dates_of(frame, dayfirst, f.rel)
        frames.append(frame)

    for k, seen in explicit_seen.items():
        if not seen and (frames or missing_column_msgs):
            arg = "source_col" if k == "source" else k
            raise ColumnError(
                f"read_corpus(): column {mapping[k]!r} (passed as {arg}=) was found in no file. "
                f"Check the name, or leave {arg}= out."
            )

    docs, doc_manifest = _assemble(frames, dedupe)
    if docs.empty and missing_column_msgs:
        raise ColumnError(missing_column_msgs[0])
    man = _manifest_frame(manifest, doc_manifest)
    counts = man["status"].value_counts().to_dict()
    loaded, rejected, skipped = (int(counts.get(s, 0)) for s in ("loaded", "rejected", "skipped"))
    assert loaded + rejected + skipped == len(man), "manifest accounting is broken"
    assert loaded == len(docs), "every loaded item must be one document"
    reasons = man.loc[man["status"] != "loaded", "reason"].value_counts().to_dict()
    label = name if name is not None else _default_name(source)
    corpus = Corpus(docs, man, name=label)
    log.info(
        "read_corpus(%s): %s documents in %.2fs; discovered %s = loaded %s + rejected %s + skipped %s%s",
        label, f"{len(docs):,}", time.perf_counter() - t0, f"{len(man):,}", f"{loaded:,}",
        f"{rejected:,}", f"{skipped:,}",
        (" (" + ", ".join(f"{k} {v:,}" for k, v in reasons.items()) + ")") if reasons else "",
    )
    return corpus


def _default_name(source: Any) -> str:
    first = source[0] if isinstance(source, (list, tuple)) and source else source
    try:
        base = os.path.basename(os.path.normpath(os.fspath(first)))
    except TypeError:
        return "corpus"
    return base or "corpus"


def _records_of(
    f: _Found,
    data: bytes,
    forced: str | None,
    max_bytes: int,
    sidecars: dict[str, tuple[dict[str, dict], str]],
) -> tuple[_Rows, str, list[str]]:
    if f.fmt == "parquet":
        return _parse_parquet(data), "parquet", []
    dec = _decode(data, forced)
    if f.fmt in ("csv", "tsv"):
        return _parse_csv(dec, "\t" if f.fmt == "tsv" else ",", max_bytes), dec.encoding, dec.notes
    if f.fmt == "jsonl":
        return _parse_jsonl(dec), dec.encoding, dec.notes
    # txt: one document
    meta, body, note = _front_matter(dec.text)
    notes = list(dec.notes) + ([note] if note else []) + (["front matter"] if meta else [])
    folder = os.path.dirname(f.path)
    if folder not in sidecars:
        sidecars[folder] = _read_sidecar(folder, max_bytes, forced)
    side = sidecars[folder][0].get(os.path.basename(f.path), {})
    record: dict[str, Any] = {**side, **meta}
    if "text" in record:
        record["text_original"] = record.pop("text")
    record["text"] = body
    rows = _Rows(columns=list(record))
    rows.add(1, record, dec.has_surrogates)
    return rows, dec.encoding, notes


def _map_columns(frame: pd.DataFrame, mapping: dict[str, str | None], rel: str) -> tuple[pd.DataFrame, str | None]:
    columns = [c for c in frame.columns]
    rename: dict[str, str] = {}
    for key, col in mapping.items():
        target = "doc_id" if key == "id" else key
        if col is None or col == target:
            continue
        if col in frame.columns:
            if target in frame.columns:
                rename[target] = f"{target}_original"
            rename[col] = target
    if rename:
        frame = frame.rename(columns=rename)
    if mapping["id"] is None and "doc_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename(columns={"id": "doc_id"})
    if "text" not in frame.columns:
        want = mapping["text"] or "text"
        guess = next((c for c in _TEXT_ALIASES if c in columns), None)
        if guess is None:
            guess = next((c for c in columns if c.lower() in _TEXT_ALIASES or "text" in c.lower()),
                         None)
        fix = f"Pass text={guess!r}." if guess else "Pass text='<the column with the article text>'."
        return frame, (f"read_corpus(): column {want!r} not found in {rel}; columns are {columns}. {fix}")
    return frame, None


def _dates_of(frame: pd.DataFrame, dayfirst: bool | None, rel: str) -> pd.DataFrame:
    if "date" not in frame.columns:
        frame["date_raw"] = pd.Series([None] * len(frame), dtype=object, index=frame.index)
        frame["date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
        return frame
    raw = frame["date"]
    parsed, _report = parse_dates(raw, dayfirst=dayfirst, what=f"date in {rel}")
    frame["date_raw"] = pd.Series([_raw_string(v) for v in raw.tolist()], index=frame.index, dtype=object)
    frame["date"] = parsed.astype("datetime64[ns, UTC]").set_axis(frame.index)
    return frame


def _raw_string(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, str):
        return v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _jsonify(col: pd.Series) -> pd.Series:
    if col.dtype != object:
        return col
    values = col.tolist()
    if not any(isinstance(v, (list, dict)) for v in values):
        return col
    return pd.Series(
        [json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in values],
        index=col.index, dtype=object,
    )


def _assemble(frames: list[pd.DataFrame], dedupe: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if not frames:
        empty = pd.DataFrame({"doc_id": pd.Series([], dtype=object), "text": pd.Series([], dtype=object)})
        return empty, None
    all_docs = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
    all_docs = all_docs.reset_index(drop=True)
    n = len(all_docs)
    raw_text = all_docs["text"]
    raw_list = raw_text.tolist()
    is_str = np.fromiter((isinstance(v, str) for v in raw_list), dtype=bool, count=n)
    blank = np.fromiter((isinstance(v, str) and (not v or v.isspace()) for v in raw_list), dtype=bool,
                        count=n)
    text = pd.Series([v if isinstance(v, str) else "" for v in raw_list], dtype=object)
    missing = ~is_str
    status = np.full(n, "loaded", dtype=object)
    reason = np.where(all_docs["_mm_rep"].to_numpy() > 0, "lossy", "ok").astype(object)
    message = all_docs["_mm_note"].astype(object).to_numpy().copy()
    status[missing | blank] = "rejected"
    reason[missing] = "missing_text"
    reason[blank] = "empty"
    kinds = raw_text[missing].map(lambda v: "no text" if v is None or (isinstance(v, float) and np.isnan(v))
                                  else f"text is a {type(v).__name__}, not a string")
    message[missing] = kinds.to_numpy()
    message[blank] = "text is empty or whitespace only"

    # ids: from the data when present, else stable path-based ids
    if "doc_id" in all_docs.columns:
        auto = all_docs["_mm_auto_id"].tolist()
        ids = np.array(
            [g if g is not None else a for g, a in zip(map(_id_string, all_docs["doc_id"].tolist()), auto)],
            dtype=object,
        )
    else:
        ids = all_docs["_mm_auto_id"].astype(object).to_numpy().copy()
    ok = status == "loaded"
    dup_of = np.full(n, None, dtype=object)
    if dedupe:
        texts = pd.Series(text.to_numpy(), dtype=object)
        dup = texts.duplicated(keep="first").to_numpy() & ok
    else:
        dup = np.zeros(n, dtype=bool)
    keep = ok & ~dup
    # unique ids among kept documents, in reading order
    kept_idx = np.flatnonzero(keep)
    kept_ids = pd.Series(ids[kept_idx], dtype=object)
    if kept_ids.duplicated().any():
        used = set(kept_ids)
        counter = kept_ids.groupby(kept_ids, sort=False).cumcount().to_numpy()
        for pos in np.flatnonzero(counter > 0):
            base = kept_ids.iloc[pos]
            k = counter[pos] + 1
            new = f"{base}~{k}"
            while new in used:
                k += 1
                new = f"{base}~{k}"
            used.add(new)
            row = kept_idx[pos]
            ids[row] = new
            note = f"doc_id {base!r} already used; renamed {new!r}"
            message[row] = f"{message[row]}; {note}" if message[row] else note
    if dup.any():
        texts = pd.Series(text.to_numpy(), dtype=object)
        first_id = pd.Series(ids[keep], index=texts[keep].to_numpy())
        dup_of[dup] = texts[dup].map(first_id).to_numpy()
        status[dup] = "skipped"
        reason[dup] = "duplicate"
        message[dup] = "same text as an earlier document"

    rows = pd.DataFrame(
        {
            "item": all_docs["_mm_item"].astype(object),
            "path": all_docs["_mm_path"].astype(object),
            "line": all_docs["_mm_line"],
            "status": status,
            "reason": reason,
            "doc_id": ids,
            "duplicate_of": dup_of,
            "message": message,
            "encoding": all_docs["_mm_enc"].astype(object),
            "replaced_chars": all_docs["_mm_rep"].astype(np.int64),
            "nul_stripped": all_docs["_mm_nul"].astype(np.int64),
            "_seq": all_docs["_mm_seq"],
        }
    )
    docs = all_docs.loc[keep].copy()
    docs["doc_id"] = ids[keep]
    docs["text"] = docs["text"].astype(object)
    docs = docs.drop(columns=[c for c in docs.columns if c.startswith("_mm_")])
    for col in docs.columns:
        if col not in ("text", "date"):
            docs[col] = _jsonify(docs[col])
    docs = docs.reset_index(drop=True)
    parts = find_bodies(docs["text"].tolist())
    docs["body_start"] = parts["body_start"].to_numpy()
    docs["body_end"] = parts["body_end"].to_numpy()
    docs["editor_code"] = parts["editor_code"].to_numpy()
    docs["license_text"] = parts["license_text"].to_numpy()
    docs["dateline"] = _fill(docs, "dateline", parts["dateline"])
    docs["license"] = _fill(docs, "license", parts["license"])
    docs["source"] = _fill(docs, "source", parts["license_holder"])
    return docs, rows


def _fill(docs: pd.DataFrame, col: str, detected: pd.Series) -> np.ndarray:
    det = detected.to_numpy(dtype=object)
    if col not in docs.columns:
        return det
    have = docs[col].astype(object).tolist()
    return np.array(
        [d if (h is None or (isinstance(h, float) and np.isnan(h)) or (isinstance(h, str) and not h.strip()))
         else h for h, d in zip(have, det)],
        dtype=object,
    )


def _id_string(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def _manifest_frame(rows: list[dict[str, Any]], doc_rows: pd.DataFrame | None) -> pd.DataFrame:
    parts = [pd.DataFrame.from_records(rows)] if rows else []
    if doc_rows is not None:
        parts.append(doc_rows)
    if not parts:
        man = pd.DataFrame({c: pd.Series([], dtype=object) for c in MANIFEST_COLUMNS})
    else:
        man = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        line_key = man["line"].astype("Float64").fillna(0)
        man = (
            man.assign(_line=line_key)
            .sort_values(["_seq", "_line"], kind="stable")
            .drop(columns=["_seq", "_line"])
            .reset_index(drop=True)
        )
    man["line"] = man["line"].astype("Int64")
    man["replaced_chars"] = man["replaced_chars"].fillna(0).astype(np.int64)
    man["nul_stripped"] = man["nul_stripped"].fillna(0).astype(np.int64)
    for c in ("item", "path", "status", "reason", "doc_id", "duplicate_of", "message", "encoding"):
        man[c] = man[c].astype(object).where(man[c].notna(), None)
    return man[list(MANIFEST_COLUMNS)]
