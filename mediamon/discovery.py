"""Which items a source of :func:`~mediamon.readers.read_corpus` holds, and of which format.

A file, a folder (walked in sorted order, without following symlinks out of it), a glob or a list of
them becomes a list of :class:`Found`: each file with its format, or with the outcome decided
before it is opened (junk, documentation, a sidecar, a mediamon store or index, an unsupported
extension, a symlink not followed, a path named twice). The rules are listed in
:mod:`mediamon.readers`.
"""

from __future__ import annotations

import errno
import glob as _glob
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .errors import InputError, NotFoundError
from .markers import read_marker
from .store import STORE_FORMAT

__all__ = ["ANY_SURROGATE", "FORMATS", "Format", "Found", "LOSSY_NAME", "SIDECARS", "discover", "shown_path"]

Format = Literal["txt", "csv", "tsv", "jsonl", "parquet"]
FORMATS: tuple[str, ...] = ("txt", "csv", "tsv", "jsonl", "parquet")
_JUNK_NAMES = {"thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"}
_DOC_STEMS = ("readme", "notice", "license", "licence", "copying", "changelog", "citation", "authors")
SIDECARS = {"metadata.csv": "csv", "metadata.tsv": "tsv", "metadata.jsonl": "jsonl"}
_EXTENSIONS = {
    ".txt": "txt", ".text": "txt", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet",
}
ANY_SURROGATE = re.compile(r"[\ud800-\udfff]")
_INDEX_FILES = ("meta.json", "vocab.txt", "doc_ids.txt")


def shown_path(path: str) -> str:
    """*path* as text any writer accepts: bytes of a file name that are not UTF-8 become U+FFFD.

    >>> shown_path("caf\\udce9.txt")
    'caf\ufffd.txt'
    """
    if not ANY_SURROGATE.search(path):
        return path
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


@dataclass
class Found:
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
    lossy_name: bool = False  # the name held bytes that are not UTF-8 (rel shows them as U+FFFD)

    def __post_init__(self) -> None:
        shown = shown_path(self.rel)
        if shown is not self.rel:
            self.rel, self.lossy_name = shown, True


LOSSY_NAME = "file name is not valid UTF-8 (shown with U+FFFD)"


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


def _mediamon_folder(folder: str, names: set[str]) -> tuple[str, str] | None:
    """(reason, message) when *folder* holds a mediamon store or token index, else None."""
    if "store.json" in names:
        meta = read_marker(os.path.join(folder, "store.json"))
        if isinstance(meta, dict) and meta.get("format") == STORE_FORMAT:
            return "mediamon_store", ("a mediamon store (store.json); not read as documents. Open it "
                                      "with mediamon.open_store(path), or read its source instead")
    if all(n in names for n in _INDEX_FILES):
        meta = read_marker(os.path.join(folder, "meta.json"))
        if isinstance(meta, dict) and {"fingerprint", "n_tokens", "n_vocab"} <= set(meta):
            return "mediamon_index", ("a saved mediamon token index (meta.json, vocab.txt, "
                                      "doc_ids.txt); not read as documents")
    return None


def _scan(folder: str, rel: str, out: list[Found]) -> list[os.DirEntry[str]] | None:
    """The sorted entries of *folder*, or None after recording why it cannot be read."""
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except PermissionError as exc:
        out.append(Found(folder, rel, status="rejected", reason="permission_denied", message=str(exc)))
    except FileNotFoundError as exc:
        out.append(Found(folder, rel, status="rejected", reason="vanished", message=str(exc)))
    except OSError as exc:  # a path too long, a folder that is not one any more, an I/O error
        out.append(Found(folder, rel, status="rejected", reason="io_error",
                          message=f"folder not read: {exc}"))
    return None


def _walk(folder: str, root_real: str, prefix: str, out: list[Found], fmt: str | None) -> None:
    """Discover the files below *folder* in sorted, depth-first order, without recursion."""
    stack: list[tuple[Iterator[os.DirEntry[str]], str, bool]] = []

    def enter(path: str, rel_prefix: str) -> None:
        entries = _scan(path, rel_prefix.rstrip("/") or ".", out)
        if entries is None:
            return
        names = {e.name for e in entries}
        marker = _mediamon_folder(path, names)
        if marker is not None:
            out.append(Found(path, rel_prefix.rstrip("/") or ".", status="skipped", reason=marker[0],
                              message=marker[1]))
            return
        has_txt = any(
            (not _is_junk(e.name)) and _format_of(e.name, None)[0] == "txt" and not _is_dir(e)
            for e in entries
        )
        stack.append((iter(entries), rel_prefix, has_txt))

    enter(folder, prefix)
    while stack:
        entries, rel_prefix, has_txt = stack[-1]
        e = next(entries, None)
        if e is None:
            stack.pop()
            continue
        rel = f"{rel_prefix}{e.name}"
        if _is_junk(e.name):
            out.append(Found(e.path, rel, status="skipped", reason="junk",
                              message="hidden or operating-system file"))
            continue
        if e.is_symlink():
            try:
                target = os.path.realpath(e.path, strict=True)
            except OSError as exc:
                loop = exc.errno == errno.ELOOP or "loop" in str(exc).lower()
                out.append(Found(e.path, rel, status="rejected",
                                  reason="symlink_loop" if loop else "symlink_broken",
                                  message=f"symlink not followed: {shown_path(str(exc))}"))
                continue
            if os.path.commonpath([root_real, target]) != root_real:
                out.append(Found(e.path, rel, status="rejected", reason="symlink_outside",
                                  message=f"symlink to {shown_path(target)}, outside {shown_path(root_real)}; not followed"))
                continue
            if os.path.isdir(target):
                out.append(Found(e.path, rel, status="skipped", reason="symlink_dir",
                                  message=f"symlink to folder {shown_path(target)}; not followed"))
                continue
            out.append(_classify(Found(e.path, rel, read_path=target), fmt, has_txt))
            continue
        if _is_dir(e):
            enter(e.path, rel + "/")
            continue
        out.append(_classify(Found(e.path, rel), fmt, has_txt))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False

def _classify(found: Found, fmt: str | None, has_txt: bool, *, explicit: bool = False) -> Found:
    name = os.path.basename(found.path)
    if not explicit:
        if _is_documentation(name):
            found.status, found.reason = "skipped", "documentation"
            found.message = "documentation file beside the data"
            return found
        if has_txt and name.lower() in SIDECARS:
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


def discover(source: Any, fmt: str | None) -> list[Found]:
    """Every item of *source* (a path, a glob or a list of them) in reading order, numbered, with
    its format (*fmt* forces one) or its outcome when it is decided before reading.

    Raises
    ------
    InputError, NotFoundError
        *source* is empty, not a path, or names nothing.
    """
    sources = list(source) if isinstance(source, (list, tuple)) else [source]
    if not sources:
        raise InputError("read_corpus(): source is an empty list; pass a file, a folder or a glob.")
    found: list[Found] = []
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
                found.append(_classify(Found(raw, os.path.basename(raw)), fmt, False, explicit=True))
            continue
        if _GLOB_CHARS.search(raw):
            try:
                matches = sorted(_glob.glob(raw, recursive=True))
            except RecursionError:  # glob's "**" recurses once per folder level
                raise InputError(
                    f"read_corpus(): the glob {raw!r} reaches folders nested too deep for Python's "
                    "glob; pass the folder itself, which is walked without that limit."
                ) from None
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
                    f = Found(m, rel)
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
    real_dirs: dict[str, str] = {}
    for i, f in enumerate(found):
        f.seq = i
        if f.status is None:
            key = f.read_path or _real_file_path(f.path, real_dirs)
            if key in seen:
                f.status, f.reason = "skipped", "repeated_path"
                f.message = f"already read as {seen[key]}"
            else:
                seen[key] = f.rel
    return found


def _real_file_path(path: str, real_dirs: dict[str, str]) -> str:
    """``os.path.realpath(path)``, resolving each folder once (realpath costs an lstat per part)."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, base = os.path.split(path)
    real = real_dirs.get(folder)
    if real is None:
        real = real_dirs[folder] = os.path.realpath(folder or ".")
    return os.path.join(real, base)
