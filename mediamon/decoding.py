"""The bytes of one discovered file, and their text: capped reads, gunzip, encodings.

:func:`read_bytes` reads a file within ``max_bytes`` (decompressed gzip included, with a ratio
check against decompression bombs); :func:`decode_text` finds the encoding (a BOM, UTF-8,
UTF-16 without BOM, else cp1252/latin-1) and refuses binary content. Either raises
:class:`Rejected` with the manifest reason. The rules are listed in :mod:`mediamon.readers`.
"""

from __future__ import annotations

import codecs
import errno
import gzip
import io
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from typing import Any

from .discovery import ANY_SURROGATE, Found

__all__ = ["Decoded", "Rejected", "clean_value", "decode_text", "read_bytes"]

MAX_GZIP_RATIO = 100
GZIP_RATIO_FLOOR = 10 * 1024 * 1024
_MAGIC = (
    b"\x89PNG", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"\xff\xd8\xff", b"GIF8",
    b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"MZ", b"PAR1", b"SQLite format 3", b"\xca\xfe\xba\xbe",
)
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_CHUNK = 1 << 20
_SAMPLE = 1 << 16


class Rejected(Exception):
    """A file or record is not read: *reason* is its manifest reason code, *message* says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def read_bytes(found: Found, max_bytes: int) -> bytes:
    """The bytes of *found* (gunzipped when its name ends in ``.gz``), refused past *max_bytes* on
    disk or once decompressed; raises :class:`Rejected` with the reason (vanished, permission, too
    large, ...)."""
    path = found.read_path or found.path
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise Rejected("vanished", f"file disappeared before reading: {exc}") from None
    except PermissionError as exc:
        raise Rejected("permission_denied", str(exc)) from None
    except OSError as exc:
        reason = "symlink_loop" if exc.errno == errno.ELOOP else "io_error"
        raise Rejected(reason, str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise Rejected("not_regular_file", "not a regular file (FIFO, device or socket); not opened")
    if st.st_size > max_bytes:
        raise Rejected("too_large", f"{st.st_size:,} bytes on disk; max_bytes is {max_bytes:,}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            fd = os.open(os.path.realpath(path), flags)  # a file named through a symlink
    except FileNotFoundError as exc:
        raise Rejected("vanished", f"file disappeared before reading: {exc}") from None
    except PermissionError as exc:
        raise Rejected("permission_denied", str(exc)) from None
    except OSError as exc:
        raise Rejected("io_error", str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Rejected("not_regular_file", "not a regular file once opened; not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = _read_capped(fh, st.st_size, max_bytes)
    except OSError as exc:
        raise Rejected("io_error", str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise Rejected("too_large", f"more than max_bytes={max_bytes:,} bytes")
    if found.rel.lower().endswith(".gz") or (found.path.lower().endswith(".gz")):
        data = _gunzip(data, max_bytes)
    return data


def _read_capped(fh: io.BufferedReader, size: int, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of *fh*, allocating only what the file holds.

    ``read(n)`` allocates *n* bytes before reading, so the size on disk (plus one byte, which tells
    whether the file grew) is asked first; a file that grew, or reports size 0 (``/proc``), is read
    on in chunks up to the cap.
    """
    limit = max_bytes + 1
    first = min(limit, size + 1)
    data = fh.read(first)
    if len(data) < first or first == limit:
        return data
    buf = bytearray(data)
    while len(buf) < limit:
        chunk = fh.read(min(_CHUNK, limit - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        raise Rejected("corrupt", "named .gz but not gzip data")
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            while True:
                chunk = gz.read(_CHUNK)
                if not chunk:
                    break
                out += chunk
                if len(out) > max_bytes:
                    raise Rejected("too_large", f"more than max_bytes={max_bytes:,} bytes after "
                                  "gzip decompression")
                if len(out) > GZIP_RATIO_FLOOR and len(out) > MAX_GZIP_RATIO * len(data):
                    raise Rejected("too_large", f"gzip expands more than {MAX_GZIP_RATIO}:1 "
                                  "(possible decompression bomb)")
    except (OSError, EOFError, zlib.error) as exc:
        raise Rejected("corrupt", f"gzip: {exc}") from None
    return bytes(out)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


@dataclass
class Decoded:
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


def decode_text(data: bytes, forced: str | None) -> Decoded:
    """The text of *data* in the encoding *forced* or the one found (BOM, UTF-8, UTF-16, then
    cp1252 or latin-1); raises :class:`Rejected` for empty, binary or undecodable data."""
    if not data.strip():
        raise Rejected("empty", "the file is empty or whitespace only")
    notes: list[str] = []
    if forced is not None:
        try:
            text = data.decode(forced)
        except (UnicodeDecodeError, LookupError) as exc:
            raise Rejected("decode_error", f"encoding={forced!r} cannot decode it: {exc}") from None
        if text.startswith("\ufeff"):
            text, notes = text[1:], ["bom"]
        return _finish_decode(Decoded(text, forced, notes=notes), len(data))
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(codec, errors="replace")
            return _finish_decode(Decoded(text, label, notes=["bom"]), len(data))
    if data.startswith(_MAGIC):
        raise Rejected("binary", "binary file signature")
    guess = _utf16_guess(data)
    if guess is not None:
        try:
            text = data[: len(data) - len(data) % 2].decode(guess)
            return _finish_decode(Decoded(text, guess, notes=["utf-16 without bom"]), len(data))
        except UnicodeDecodeError:
            pass
    try:
        return _finish_decode(Decoded(data.decode("utf-8"), "utf-8"), len(data))
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    if re.search(r"[^\x00-\x7f\udc80-\udcff]", text):  # valid multi-byte UTF-8 as well: mixed
        return _finish_decode(Decoded(text, "utf-8", has_surrogates=True, notes=["mixed"]), len(data))
    try:
        return _finish_decode(Decoded(data.decode("cp1252"), "cp1252"), len(data))
    except UnicodeDecodeError:
        return _finish_decode(Decoded(data.decode("latin-1"), "latin-1"), len(data))


def _finish_decode(dec: Decoded, nbytes: int) -> Decoded:
    text = dec.text
    sample = text[:_SAMPLE]  # the binary test looks at the first characters only
    n = max(len(sample), 1)
    bad = len(_CONTROL.findall(sample)) + sample.count("\x00")
    replaced = len(_SURROGATE.findall(sample)) if dec.has_surrogates else sample.count("\ufffd")
    if bad > 0.1 * n or replaced > 0.2 * n:
        raise Rejected("binary", f"not text: {bad} control and {replaced} undecodable characters "
                      f"in the first {n:,}")
    if "\r" in text:
        dec.notes.append("crlf/cr")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.replace("\x00", "").strip():
        raise Rejected("empty", "the file is empty or whitespace only")
    dec.text = text
    return dec


def clean_value(value: Any, surrogates: bool) -> tuple[Any, int, int]:
    """Strip NULs, replace undecodable bytes, normalise newlines in one string value."""
    if not isinstance(value, str):
        return value, 0, 0
    nul = rep = 0
    if "\x00" in value:
        nul = value.count("\x00")
        value = value.replace("\x00", "")
    if surrogates:
        value, rep = ANY_SURROGATE.subn("\ufffd", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value, nul, rep
