"""Read news corpora from files into a :class:`~mediamon.corpus.Corpus`, accounting for every item.

:func:`read_corpus` takes a file, a folder (read recursively in sorted order), a glob, or a list of
them, and reads plain-text articles (``.txt``), tables (``.csv``, ``.tsv``), JSON Lines (``.jsonl``,
``.ndjson``, also gzip-compressed as ``.jsonl.gz``) and Parquet (``.parquet``). Every discovered item
-- a file, or a row/line of a table file -- ends as exactly one manifest row with status ``loaded``,
``rejected`` (with a reason code) or ``skipped`` (by a stated rule); ``loaded + rejected + skipped ==
discovered`` is asserted on every call. Bad input never stops the run; only a mistake in the call
itself (a path that does not exist, a column mapping that matches no file) raises.

Caps apply to what bytes *become*, not only to bytes on disk: decompressed gzip, decoded Parquet,
YAML aliases, manifest rows and the length of each document are all bounded (see below).

Rules, in the order they are applied
------------------------------------
Discovery (folders only; a file named explicitly is always read):
  * hidden names (``.DS_Store``, ``._x``, ``.git/``) and ``Thumbs.db``/``desktop.ini`` -> skipped
    ``junk`` (a hidden folder is one item and is not entered);
  * a folder holding a mediamon store (its ``store.json`` says ``"format": "mediamon-store"``) ->
    one item, skipped ``mediamon_store``; a folder holding a saved token index (``meta.json`` of an
    index with ``vocab.txt`` and ``doc_ids.txt``) -> one item, skipped ``mediamon_index``; neither is
    entered, so an index next to its source is never read back as documents. Another program's
    ``store.json`` is an ordinary file (skipped ``unsupported_format``);
  * files named README*, NOTICE*, LICENSE*/LICENCE*, COPYING*, CHANGELOG*, CITATION*, AUTHORS* ->
    skipped ``documentation``;
  * ``metadata.csv``/``metadata.tsv``/``metadata.jsonl`` in a folder that holds ``.txt`` files ->
    skipped ``sidecar`` (read as metadata for those files);
  * a symlink is followed only when it points to a regular file inside the folder being read:
    outside -> rejected ``symlink_outside``; to a folder -> skipped ``symlink_dir``; a loop ->
    rejected ``symlink_loop``; dangling -> rejected ``symlink_broken``;
  * other extensions -> skipped ``unsupported_format`` (``.zip`` archives are not opened at all);
  * folders are walked without recursion, so a tree thousands of levels deep is read (a folder
    whose path the system refuses is rejected ``io_error``); a file name that is not valid UTF-8
    is read, and shown in ``item``, ``path`` and ``doc_id`` with U+FFFD for the bad bytes (the
    message says so).
Reading a file:
  * FIFOs, devices, sockets -> rejected ``not_regular_file`` (never opened, so never blocking);
  * larger than ``max_bytes`` on disk, or after gzip decompression -> rejected ``too_large`` (the
    file is never read beyond the cap, and only what the file holds is allocated, whatever
    ``max_bytes`` is); a gzip ratio above 100:1 past 10 MB -> ``too_large`` too;
  * Parquet: the decoded size is checked before any text is decoded -- from the metadata (the
    uncompressed page sizes, and at least 8 bytes per value), then per row group, read with its
    dictionary-encoded text kept as a dictionary, by adding up the lengths of the values the
    indices point at. Over ``max_bytes`` -> rejected ``too_large``, so a 10 KB file whose
    dictionary decodes to gigabytes is refused without being decoded. Row groups are read one at a
    time; a schema nested deeper than 64 levels -> rejected ``too_deep``;
  * gone or unreadable -> rejected ``vanished`` / ``permission_denied`` / ``io_error``;
  * bad gzip or Parquet -> rejected ``corrupt`` with the reader's message;
  * an unexpected error while reading one file -> that file is rejected ``read_error`` with the
    error's type and message (and a logged traceback); the load goes on.
Decoding (per file; recorded per document in ``manifest.encoding``):
  * a BOM selects UTF-8/16/32 and is removed; no BOM but the NUL pattern of UTF-16 -> UTF-16;
  * else strict UTF-8; bytes that are not UTF-8 in a file that also holds valid multi-byte UTF-8
    (mixed encodings) -> U+FFFD, counted in ``replaced_chars``, status loaded, reason ``lossy``;
  * else cp1252 (so 0x92 is ’), or latin-1 when cp1252 cannot decode a byte;
  * NUL characters are removed and counted (``nul_stripped``); CRLF and CR become LF; lone
    surrogates written as JSON escapes (``"\\ud800"``) become U+FFFD and are counted too;
  * known binary signatures, or over 10 % control characters / 20 % replaced bytes in the first
    64K characters -> rejected
    ``binary``; nothing but whitespace -> rejected ``empty``.
Records:
  * CSV/TSV: parsed with the :mod:`csv` module on the cleaned text, every field a string ("NA",
    "null", "007" stay as written), quoting tracked record by record: a ``"`` inside an unquoted
    field is a literal character (``a 5" screen``); a record with broken quoting or the wrong
    number of fields -> rejected ``malformed_row`` at its first physical line, and when such a
    record spans several lines (a quote opened and never closed) the lines after its first are read
    again as records of their own, so no row is swallowed; an empty line -> skipped
    ``blank_line``; a file with a header and no rows -> one skipped ``header_only`` row for the file;
  * JSON Lines: one object per physical line; blank line -> skipped ``blank_line``; invalid JSON
    (a trailing comma, ``NaN``/``Infinity``, truncated) -> rejected ``malformed_json``; a value that
    is not an object -> rejected ``not_an_object``; nested deeper than 64 levels -> rejected
    ``too_deep``; an integer beyond +-2**53 (which a float64 column would round) stays the text
    written, so large numeric ids stay exact;
  * a row without text -> rejected ``missing_text``; text of only whitespace -> rejected ``empty``;
    text that is not a string -> rejected ``missing_text``; text longer than ``max_doc_chars``
    (default 10 million characters) -> rejected ``text_too_large``;
  * a table file without the text column -> rejected ``missing_column`` (one row for the file); when
    no document at all could be loaded because of that, :class:`~mediamon.errors.ColumnError` is
    raised instead, naming the columns found and the argument to pass;
  * ``.txt``: one document per file; an optional YAML front matter block (``---`` ... ``---``) at
    the top gives metadata (read with :func:`mediamon.safeyaml.safe_load`, ``"strings"`` schema:
    every value stays a string, aliases may add at most 10,000 nodes, nesting at most 64 levels)
    and is *not* part of ``text``; front matter that breaks a rule or is not valid YAML is not read,
    the manifest message says "front matter not read (...)" and the block stays in the text; a
    sidecar ``metadata.csv``/``.jsonl``/``.tsv`` in the same folder with a ``file`` column (the
    file name) gives metadata too; front matter wins over the sidecar;
  * exact duplicate texts (``dedupe=True``) -> the first is kept, later ones skipped ``duplicate``
    with ``duplicate_of`` the kept ``doc_id``;
  * near-duplicates (``dedupe="near"``, after the exact rule): reprints whose article bodies share
    token 5-shingles with a Jaccard similarity of at least 0.8, found and verified as
    :func:`mediamon.near_duplicates` finds them (same tokens, same clusters); each cluster keeps its
    earliest-dated document (then the smallest ``doc_id``), the others are skipped
    ``near_duplicate`` with ``duplicate_of`` the kept ``doc_id`` and the exact similarity in the
    message.
Floods of bad lines (memory stays proportional to the good data):
  * the first 1,000 rejected or skipped lines of a file get one manifest row each; after that, a
    run of consecutive records with the same status and reason is *one* manifest row -- one item
    -- named ``<file>:<first>-<last>`` with ``line`` its first line and the count in its message;
  * when a file has more than 10,000 such rows and more of them than good records, reading it stops:
    the rest is one item, rejected ``bad_line_flood``, named ``<file>:<first>-<last>``; the
    documents read before stay loaded.
  So ``discovered`` counts manifest rows, and a summary row counts as one item whatever the
  number of lines it stands for.
Identifiers: ``doc_id`` comes from the id column (``id=``, else ``doc_id``, else ``id``); otherwise it
is the path relative to the folder/glob base without ``.txt`` for text files, and ``<path>:<line>``
for table rows, so a rerun gives the same ids. An id used twice is made unique by ``~2``, ``~3`` in
reading order, and the manifest message says so.
Columns: list and dict values (JSON arrays/objects, YAML lists) become JSON strings.
Progress: a progress bar over the files is shown when a person is watching (a terminal, or a
Jupyter kernel that is not running a batch report), or as ``progress=`` says.

Where the rules live: :mod:`mediamon.discovery` (which items a source holds, and of which format),
:mod:`mediamon.decoding` (a file's bytes and their text), :mod:`mediamon.records` (the records of
each format), :mod:`mediamon.assembly` (documents and manifest from the files' frames); this module
runs them file by file.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import time
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from .assembly import assemble, manifest_frame
from .corpus import Corpus
from .dates import parse_dates
from .decoding import Rejected, decode_text, read_bytes
from .discovery import FORMATS, LOSSY_NAME, Format, Found, discover, shown_path
from .errors import ColumnError, InputError, one_of
from .freeing import return_freed_memory
from .progress import show_progress
from .records import Rows, frame_of, front_matter, parse_csv, parse_jsonl, parse_parquet, read_sidecar
from .store import is_store, open_store

log = logging.getLogger(__name__)

__all__ = ["read_corpus", "REASONS", "FORMATS", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_DOC_CHARS"]

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: Longest document text kept (characters). Its token index needs ~40 bytes per character, so one
#: 250 MB document would need ~10 GB; 10 million characters is ~1,500 pages of a book.
DEFAULT_MAX_DOC_CHARS = 10_000_000

#: Every reason code a manifest row can carry, with its meaning.
REASONS: dict[str, str] = {
    "ok": "loaded as read",
    "lossy": "loaded, but some bytes could not be decoded and were replaced (see replaced_chars)",
    "binary": "the file is not text (binary signature or too many control/undecodable bytes)",
    "empty": "the file or the text is empty or whitespace only",
    "too_large": "over max_bytes on disk, after decompression or once decoded (Parquet), or a "
                 "suspicious gzip ratio",
    "text_too_large": "a document whose text is longer than max_doc_chars (raise it to keep it)",
    "too_deep": "a JSON value or Parquet schema nested deeper than 64 levels",
    "decode_error": "the encoding passed as encoding= cannot decode the file",
    "malformed_row": "a CSV/TSV row with the wrong number of fields or broken quoting",
    "malformed_json": "a JSON Lines line that is not valid JSON (trailing comma, NaN, truncated)",
    "not_an_object": "a JSON Lines line whose value is not an object",
    "missing_text": "a record without a text value (or a text that is not a string)",
    "missing_column": "a table file without the text column",
    "bad_line_flood": "the rest of a file not read: far more bad or blank lines than good records",
    "symlink_outside": "a symlink pointing outside the folder being read (not followed)",
    "symlink_loop": "a symlink loop (not followed)",
    "symlink_broken": "a symlink to nothing",
    "symlink_dir": "a symlink to a folder (not followed)",
    "not_regular_file": "a FIFO, device or socket (never opened)",
    "permission_denied": "the file cannot be read (permissions)",
    "vanished": "the file disappeared between discovery and reading",
    "io_error": "another operating-system error while reading",
    "corrupt": "a gzip or Parquet file the reader cannot read (its message is kept)",
    "read_error": "an unexpected error while reading this file (its type and message are kept)",
    "duplicate": "the same text as an earlier document (see duplicate_of)",
    "near_duplicate": "a reprint with small edits of the document in duplicate_of (dedupe='near'; the "
                      "message gives the Jaccard similarity of their token shingles)",
    "repeated_path": "the same file was named twice in source",
    "junk": "an operating-system or hidden file",
    "documentation": "README/NOTICE/LICENSE-like file next to the data",
    "sidecar": "a metadata table for the .txt files of its folder",
    "mediamon_store": "a folder holding a mediamon store (not read as documents)",
    "mediamon_index": "a folder holding a saved mediamon token index (not read as documents)",
    "unsupported_format": "an extension read_corpus() does not read (pass format= to force one)",
    "blank_line": "an empty line in a table file",
    "header_only": "a CSV/TSV file with a header and no rows",
}

_FIELDS = ("text", "date", "title", "source", "url", "id")
_TEXT_ALIASES = ("body", "content", "article", "full_text", "fulltext", "story", "text_body", "message")


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
    max_doc_chars: int = DEFAULT_MAX_DOC_CHARS,
    dedupe: bool | Literal["near"] = True,
    name: str | None = None,
    progress: bool | None = None,
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
        Largest file read, in bytes, on disk and once decompressed (gzip) or decoded (Parquet);
        bigger ones are rejected ``too_large`` without being read. Default 256 MiB. Only what a file
        holds is allocated, so a large value costs nothing by itself.
    max_doc_chars
        Longest document text kept, in characters; longer ones are rejected ``text_too_large``.
        Default 10 million (a token index needs about 40 bytes per character).
    dedupe
        ``True`` (default): skip documents whose text equals an earlier document's (reason
        ``duplicate``). ``"near"``: also skip near-duplicates, reprints with small edits (reason
        ``near_duplicate``; Jaccard similarity >= 0.8 of 5-token shingles of the body, each cluster
        keeping its earliest-dated document, then the smallest ``doc_id``), exactly the documents
        that ``dedupe="near"`` folds in an analysis of the corpus read with ``dedupe=True``.
        ``False``: keep every document.
    name
        The corpus label; default: the name of the first source.
    progress
        Show a progress bar over the files: ``None`` (default) when a person is watching (a
        terminal, or a Jupyter kernel that is not running a batch report), ``True``/``False`` to
        force it.

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
    for arg, value in (("max_bytes", max_bytes), ("max_doc_chars", max_doc_chars)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
            raise InputError(f"read_corpus(): {arg} must be a positive int; got {value!r}.")
    if dayfirst not in (None, True, False):
        raise InputError(f"read_corpus(): dayfirst must be None, True or False; got {dayfirst!r}.")
    if progress not in (None, True, False):
        raise InputError(f"read_corpus(): progress must be None, True or False; got {progress!r}.")
    if not (dedupe is True or dedupe is False or dedupe == "near"):
        raise InputError(f"read_corpus(): dedupe={dedupe!r} is invalid; pass True (identical texts), 'near' "
                         "(also reprints with small edits) or False.")  # fmt: skip
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

    found = discover(source, format)
    manifest: list[dict[str, Any]] = []
    frames: list[pd.DataFrame] = []
    sidecars: dict[str, tuple[dict[str, dict], str]] = {}
    explicit_seen: dict[str, bool] = {k: False for k, v in mapping.items() if v is not None}
    missing_column_msgs: list[str] = []
    texts = _TextBatch()

    def file_row(f: Found, status: str, reason: str, message: str, enc: str | None = None) -> None:
        if f.lossy_name:
            message = f"{message}; {LOSSY_NAME}" if message else LOSSY_NAME
        manifest.append({"item": f.rel, "path": shown_path(os.path.abspath(f.path)), "line": None,
                         "status": status, "reason": reason, "doc_id": None, "duplicate_of": None,
                         "message": shown_path(message), "encoding": enc, "replaced_chars": 0,
                         "nul_stripped": 0, "_seq": f.seq})

    bar = tqdm(total=len(found), desc="read_corpus", unit="file", leave=False,
               disable=not show_progress(progress))
    for f in found:
        bar.update(1)
        if f.status is not None:
            if f.reason == "sidecar":
                folder = os.path.dirname(f.path)
                if folder not in sidecars:
                    sidecars[folder] = read_sidecar(folder, max_bytes, encoding)
                f.message = sidecars[folder][1] or f.message
            file_row(f, f.status, f.reason or "", f.message)
            continue
        try:
            if f.fmt == "txt":
                record, surrogates, enc, notes = _text_record(f, read_bytes(f, max_bytes), encoding, max_bytes,
                                                              sidecars)
                for k in explicit_seen:
                    explicit_seen[k] = explicit_seen[k] or mapping[k] in record
                texts.add(f, _mapped(record, mapping), surrogates, enc, notes)
                continue
            frame, problem, enc, problem_rows = _table_file(f, encoding, max_bytes, mapping, explicit_seen, dayfirst)
        except Rejected as exc:
            file_row(f, "rejected", exc.reason, exc.message)
            continue
        except MemoryError:
            file_row(f, "rejected", "too_large", "ran out of memory while reading this file; split "
                     "it, or read it on a machine with more memory")
            continue
        except _UNEXPECTED as exc:
            log.warning("read_corpus(): %s could not be read (%s: %s); rejected read_error",
                        shown_path(f.path), type(exc).__name__, exc, exc_info=True)
            file_row(f, "rejected", "read_error",
                     f"{type(exc).__name__}: {str(exc)[:300]} (unexpected; please report it with the file)")
            continue
        if problem == "header_only":
            file_row(f, "skipped", "header_only", "header only, no data rows", enc)
            continue
        if problem is not None:  # the file's rows are not items of their own: one row for the file
            file_row(f, "rejected", "missing_column", problem, enc)
            missing_column_msgs.append(problem)
            continue
        path = shown_path(os.path.abspath(f.path))
        for item, line, status, reason, msg in problem_rows:
            manifest.append({"item": item, "path": path, "line": line, "status": status,
                             "reason": reason, "doc_id": None, "duplicate_of": None, "message": msg,
                             "encoding": enc, "replaced_chars": 0, "nul_stripped": 0, "_seq": f.seq})
        if frame is not None:
            if texts:
                frames.append(texts.frame(dayfirst))
            frames.append(frame)
    bar.close()
    if texts:
        frames.append(texts.frame(dayfirst))

    for k, seen in explicit_seen.items():
        if not seen and (frames or missing_column_msgs):
            arg = "source_col" if k == "source" else k
            raise ColumnError(
                f"read_corpus(): column {mapping[k]!r} (passed as {arg}=) was found in no file. "
                f"Check the name, or leave {arg}= out."
            )

    docs, doc_manifest = assemble(frames, dedupe, max_doc_chars)
    if docs.empty and missing_column_msgs:
        raise ColumnError(missing_column_msgs[0])
    man = manifest_frame(manifest, doc_manifest)
    counts = man["status"].value_counts().to_dict()
    loaded, rejected, skipped = (int(counts.get(s, 0)) for s in ("loaded", "rejected", "skipped"))
    assert loaded + rejected + skipped == len(man), "manifest accounting is broken"
    assert loaded == len(docs), "every loaded item must be one document"
    reasons = man.loc[man["status"] != "loaded", "reason"].value_counts().to_dict()
    label = name if name is not None else _default_name(source)
    corpus = Corpus(docs, man, name=label)
    del docs  # Corpus keeps a copy of its own
    return_freed_memory()  # what the read freed would otherwise stay with the process (mediamon.freeing)
    log.info(
        "read_corpus(%s): %s documents in %.2fs; discovered %s = loaded %s + rejected %s + skipped %s%s",
        label, f"{loaded:,}", time.perf_counter() - t0, f"{len(man):,}", f"{loaded:,}",
        f"{rejected:,}", f"{skipped:,}",
        (" (" + ", ".join(f"{k} {v:,}" for k, v in reasons.items()) + ")") if reasons else "",
    )
    return corpus


# Errors a reader may raise on input it does not expect: the file is rejected, the load goes on.
_UNEXPECTED = (ArithmeticError, LookupError, RecursionError, TypeError, ValueError, OSError,
               UnicodeError, AttributeError, pa.ArrowException, csv.Error)


def _default_name(source: Any) -> str:
    first = source[0] if isinstance(source, (list, tuple)) and source else source
    try:
        base = os.path.basename(os.path.normpath(os.fspath(first)))
    except TypeError:
        return "corpus"
    return shown_path(base) or "corpus"


class _TextBatch:
    """The documents of consecutive ``.txt`` files, turned into one frame at a time.

    One frame per file (and one date parse per file) cost ~3 ms a file; a batch costs a few
    microseconds a file.
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.rows = Rows()
        self.seq: list[int] = []
        self.rel: list[str] = []
        self.path: list[str] = []
        self.enc: list[str] = []
        self.note: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.seq)

    def add(self, f: Found, record: dict[str, Any], surrogates: bool, enc: str, notes: list[str]) -> None:
        self.rows.add(1, record, surrogates)
        self.seq.append(f.seq)
        self.rel.append(f.rel)
        self.path.append(shown_path(os.path.abspath(f.path)))
        self.enc.append(enc)
        self.note.append("; ".join(notes + ([LOSSY_NAME] if f.lossy_name else [])))

    def frame(self, dayfirst: bool | None) -> pd.DataFrame:
        frame = frame_of(self.rows)
        n = len(frame)
        frame["_mm_line"] = pd.array([None] * n, dtype="Int64")
        frame["_mm_seq"] = np.asarray(self.seq, dtype=np.int64)
        frame["_mm_rel"] = pd.Series(self.rel, dtype=object)
        frame["_mm_path"] = pd.Series(self.path, dtype=object)
        frame["_mm_enc"] = pd.Series(self.enc, dtype=object)
        frame["_mm_nul"] = np.asarray(self.rows.nul, dtype=np.int64)
        frame["_mm_rep"] = np.asarray(self.rows.replaced, dtype=np.int64)
        frame["_mm_note"] = pd.Series(self.note, dtype=object)
        frame["_mm_item"] = frame["_mm_rel"]
        frame["_mm_auto_id"] = pd.Series([r[:-4] if r.lower().endswith(".txt") else r for r in self.rel],
                                         dtype=object)
        label = self.rel[0] if n == 1 else f"{n:,} .txt files ({self.rel[0]} ...)"
        frame = _compact_text(_dates_of(frame, dayfirst, label))
        self.clear()
        return frame


def _text_record(
    f: Found,
    data: bytes,
    forced: str | None,
    max_bytes: int,
    sidecars: dict[str, tuple[dict[str, dict], str]],
) -> tuple[dict[str, Any], bool, str, list[str]]:
    """The one record of a ``.txt`` file: front matter and sidecar metadata, and the body as text."""
    dec = decode_text(data, forced)
    meta, body, note = front_matter(dec.text, f"front matter of {f.rel}")
    notes = list(dec.notes) + ([note] if note else []) + (["front matter"] if meta else [])
    folder = os.path.dirname(f.path)
    if folder not in sidecars:
        sidecars[folder] = read_sidecar(folder, max_bytes, forced)
    side = sidecars[folder][0].get(os.path.basename(f.path), {})
    record: dict[str, Any] = {**side, **meta}
    if "text" in record:
        record["text_original"] = record.pop("text")
    record["text"] = body
    return record, dec.has_surrogates, dec.encoding, notes


def _table_file(
    f: Found,
    forced: str | None,
    max_bytes: int,
    mapping: dict[str, str | None],
    explicit_seen: dict[str, bool],
    dayfirst: bool | None,
) -> tuple[pd.DataFrame | None, str | None, str, list[tuple[str, int | None, str, str, str]]]:
    """One table file (CSV, TSV, JSON Lines, Parquet) read: its frame or why it has none (as
    :func:`_table_frame`), its encoding and its problem rows for the manifest.

    A function of its own so that the file's bytes and its records as Python objects are freed
    when it returns: held by the loop of :func:`read_corpus`, they lived on while the next file was
    parsed and while the documents were assembled (about 70 MB for a 12 MB JSON Lines file).
    """
    rows, enc, notes = _records_of(f, read_bytes(f, max_bytes), forced, max_bytes)
    frame, problem = _table_frame(f, rows, enc, notes, mapping, explicit_seen, dayfirst)
    return frame, problem, enc, list(rows.manifest_rows(f.rel))


def _records_of(f: Found, data: bytes, forced: str | None, max_bytes: int) -> tuple[Rows, str, list[str]]:
    if f.fmt == "parquet":
        rows = parse_parquet(data, max_bytes)
        return rows, "parquet", rows.notes
    dec = decode_text(data, forced)
    if f.fmt in ("csv", "tsv"):
        return parse_csv(dec, "\t" if f.fmt == "tsv" else ","), dec.encoding, dec.notes
    return parse_jsonl(dec), dec.encoding, dec.notes


def _table_frame(
    f: Found,
    rows: Rows,
    enc: str,
    notes: list[str],
    mapping: dict[str, str | None],
    explicit_seen: dict[str, bool],
    dayfirst: bool | None,
) -> tuple[pd.DataFrame | None, str | None]:
    """The documents of one table file as a frame, or why the file is one item: ``"header_only"``
    or the missing-column message."""
    if f.fmt in ("csv", "tsv") and not rows.records and not rows.other:
        return None, "header_only"
    if not rows.records:
        return None, None
    frame = frame_of(rows)
    for k in explicit_seen:
        if mapping[k] in frame.columns:
            explicit_seen[k] = True
    frame, problem = _map_columns(frame, mapping, f.rel)
    if problem is not None:
        return None, problem
    frame["_mm_line"] = pd.array(rows.lines, dtype="Int64")
    frame["_mm_seq"] = f.seq
    frame["_mm_rel"] = f.rel
    frame["_mm_path"] = shown_path(os.path.abspath(f.path))
    frame["_mm_enc"] = enc
    frame["_mm_nul"] = np.asarray(rows.nul, dtype=np.int64)
    frame["_mm_rep"] = np.asarray(rows.replaced, dtype=np.int64)
    frame["_mm_note"] = "; ".join(notes + ([LOSSY_NAME] if f.lossy_name else []))
    items = [f"{f.rel}:{n}" for n in rows.lines]
    frame["_mm_item"] = items
    frame["_mm_auto_id"] = items
    return _compact_text(_dates_of(frame, dayfirst, f.rel)), None


def _compact_text(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with its ``text`` column as Arrow strings, and beside it what :func:`~mediamon.assembly.assemble` needs
    to know of the values as read: ``_mm_text_ok`` (a string), ``_mm_blank`` (empty or whitespace
    only), ``_mm_hash`` (Python's hash of the text, for :func:`_first_occurrences`), ``_mm_length``
    (code points) and ``_mm_text_kind`` (why a value is no text).

    A value that is not a string becomes ``""`` in ``text``. Done per file, while the file's Python
    strings exist anyway: kept for every file until the end of the read, they were most of the
    peak memory of :func:`read_corpus` (the Arrow column holds the UTF-8 bytes once).
    """
    values = frame["text"].tolist()
    n = len(values)
    frame["_mm_text_ok"] = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=n)
    frame["_mm_blank"] = np.fromiter((isinstance(v, str) and (not v or v.isspace()) for v in values),
                                     dtype=bool, count=n)
    frame["_mm_hash"] = np.fromiter((hash(v) if isinstance(v, str) else hash("") for v in values),
                                    dtype=np.int64, count=n)
    frame["_mm_length"] = np.fromiter((len(v) if isinstance(v, str) else 0 for v in values), dtype=np.int64,
                                      count=n)
    frame["_mm_text_kind"] = pd.Series(
        [None if isinstance(v, str)
         else "no text" if v is None or (isinstance(v, float) and np.isnan(v))
         else f"text is a {type(v).__name__}, not a string" for v in values],
        index=frame.index, dtype=object,
    )  # fmt: skip
    text = pd.Series([v if isinstance(v, str) else "" for v in values], index=frame.index, dtype="str")
    # a new frame of new columns: the old one's object block (a 2-D array of references shared by
    # its columns) would otherwise keep every Python text alive
    return pd.DataFrame({c: text if c == "text" else frame[c].copy(deep=True) for c in frame.columns},
                        index=frame.index)


def _renames(columns: Sequence[str], mapping: dict[str, str | None]) -> dict[str, str]:
    """Old name -> new name for the column mapping of :func:`read_corpus` (applied all at once)."""
    present = set(columns)
    rename: dict[str, str] = {}
    for key, col in mapping.items():
        target = "doc_id" if key == "id" else key
        if col is None or col == target:
            continue
        if col in present:
            if target in present:
                rename[target] = f"{target}_original"
            rename[col] = target
    after = {rename.get(c, c) for c in columns}
    if mapping["id"] is None and "doc_id" not in after and "id" in after:
        source = next((c for c in columns if rename.get(c, c) == "id"), "id")
        rename[source] = "doc_id"
    return rename


def _mapped(record: dict[str, Any], mapping: dict[str, str | None]) -> dict[str, Any]:
    rename = _renames(list(record), mapping)
    return {rename.get(k, k): v for k, v in record.items()} if rename else record


def _map_columns(frame: pd.DataFrame, mapping: dict[str, str | None], rel: str) -> tuple[pd.DataFrame, str | None]:
    columns = [c for c in frame.columns]
    rename = _renames(columns, mapping)
    if rename:
        frame = frame.rename(columns=rename)
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
