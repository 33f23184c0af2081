"""The texts of one shard as UTF-8 bytes, cut at character offsets without a Python string per document.

A :class:`~mediamon.tokenindex.TokenIndex` gives character offsets into each document's original
text; Python strings are indexed by code point, Arrow strings by UTF-8 byte. :class:`TextSpans` holds
the texts of a shard as UTF-8 bytes (the buffers of an Arrow string array, or one memory-mapped file
of a store), where each document starts, and a map from character to byte offsets.
:meth:`TextSpans.slices` then cuts any number of character spans into one Arrow string array: the
byte offsets come from numpy, and Arrow copies the bytes (a ``string_view`` array over the buffers,
cast to ``string``), so a concordance of millions of hits builds no Python string at all.

Character to byte
    Number the characters of all documents one after the other; character *g* starts at byte
    ``g + extra(g)``, where ``extra(g) = Σ (len_utf8(c) - 1)`` over the characters before *g*. The
    map is kept in the smaller of two forms:

    * *sparse*: the positions of the multi-byte characters and the running sum of their extra bytes,
      ``extra(g) = cum[searchsorted(wide, g)]`` (English news: a few per thousand characters);
    * *dense*: per block of 64 characters the extra bytes before it and two bit planes of
      ``len_utf8(c) - 1``, ``extra(g) = before[k] + popcount(p0[k] & m) + 2 popcount(p1[k] & m)``
      with ``k = g // 64`` and ``m = 2^(g mod 64) - 1`` (0.375 bytes per character, for scripts where
      most characters take two bytes or more).

A text that Arrow cannot hold (a lone surrogate in an in-memory corpus) has no TextSpans: callers
fall back to Python strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TextSpans"]

#: Characters per block of the dense map (one 64-bit word per bit plane).
BLOCK = 64
#: A ``string_view`` addresses its bytes with 32-bit offsets: buffers are cut into segments of at most
#: 2 GiB that start every 1 GiB, so that any piece shorter than 1 GiB lies inside one segment.
_STRIDE = 1 << 30
_SEGMENT = 1 << 31
#: Bytes of text compared at a time when the map is built.
_SCAN_BYTES = 1 << 22
#: Map arrays by form (what :meth:`TextSpans.arrays` returns and :meth:`TextSpans.from_arrays` takes).
SPARSE = ("wide", "wide_extra")
DENSE = ("block_extra", "plane0", "plane1")


@dataclass(frozen=True, eq=False)
class CharMap:
    """Character position -> extra UTF-8 bytes before it (see the module docstring)."""

    arrays: Mapping[str, np.ndarray]

    @property
    def form(self) -> str:
        return "sparse" if "wide" in self.arrays else "dense"

    def extra(self, g: np.ndarray) -> np.ndarray:
        """``extra(g)`` for global character positions *g* (int64, any shape).

        Neighbouring positions side by side (the cuts of one piece of text in a row of a 2-D *g*)
        make the sparse map's binary searches run along the same path, mostly in cache.
        """
        g = np.asarray(g, dtype=np.int64)
        a = self.arrays
        if "wide" in a:
            return np.asarray(a["wide_extra"], dtype=np.int64)[np.searchsorted(a["wide"], g, side="left")]
        k = g >> 6
        mask = (np.uint64(1) << (g & 63).astype(np.uint64)) - np.uint64(1)
        before = np.asarray(a["block_extra"], dtype=np.int64)[k]
        low = np.bitwise_count(np.asarray(a["plane0"])[k] & mask).astype(np.int64)
        high = np.bitwise_count(np.asarray(a["plane1"])[k] & mask).astype(np.int64)
        return before + low + 2 * high

    @property
    def nbytes(self) -> int:
        return int(sum(np.asarray(v).nbytes for v in self.arrays.values()))


def _char_map(chunks: Sequence[tuple[np.ndarray, int]], n_chars: int) -> CharMap:
    """The map of the texts whose bytes are *chunks*: ``(bytes, global position of their first
    character)``, each starting on a character boundary."""
    positions, extras = [], []
    for u, first_char in chunks:
        # lead bytes of multi-byte characters, found a slice at a time: a comparison of the whole
        # buffer at once was a temporary as large as the texts (85 MB for tehrantimes)
        lead = np.concatenate([np.flatnonzero(u[at : at + _SCAN_BYTES] >= 0xC0) + at
                               for at in range(0, u.size, _SCAN_BYTES)] or [np.zeros(0, np.int64)])
        width = (u[lead] >= 0xC0).astype(np.int64) + (u[lead] >= 0xE0) + (u[lead] >= 0xF0)
        # before a lead byte lie exactly the continuation bytes of the earlier multi-byte characters
        before = np.cumsum(width) - width
        positions.append(first_char + lead.astype(np.int64) - before)
        extras.append(width)
    wide = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    width = np.concatenate(extras) if extras else np.zeros(0, np.int64)
    n_blocks = n_chars // BLOCK + 1
    if wide.size * 16 <= n_blocks * 24:
        return CharMap({"wide": wide, "wide_extra": np.concatenate(([0], np.cumsum(width))).astype(np.int64)})
    block = wide >> 6
    bit = (wide & 63).astype(np.uint64)
    planes = []
    for plane in (1, 2):
        on = (width & plane) != 0
        words = np.zeros(n_blocks, dtype=np.uint64)
        # one bit per character: a block's bits are distinct, so OR is a sum of distinct powers of two
        np.bitwise_or.at(words, block[on], np.uint64(1) << bit[on])
        planes.append(words)
    per_block = np.bincount(block, weights=width, minlength=n_blocks).astype(np.int64)
    before = np.concatenate(([0], np.cumsum(per_block)[:-1])).astype(np.int64)
    return CharMap({"block_extra": before, "plane0": planes[0], "plane1": planes[1]})


#: ``_KEEP_WORDS[m]``: the three little-endian int32 words that keep the first *m* of 12 bytes.
_KEEP_WORDS = np.frombuffer(
    b"".join(bytes([0xFF] * m + [0] * (12 - m)) for m in range(13)), dtype="<i4"
).reshape(13, 3)


class TextSpans:
    """The texts of one shard's documents as UTF-8 buffers (see the module docstring).

    Parameters
    ----------
    buffers
        The bytes: Arrow buffers (or anything with the buffer protocol, e.g. a memory map).
    doc_buffer
        Which buffer holds each document (``None``: all in buffer 0).
    byte_start, byte_end
        Each document's bytes in its buffer.
    char_start
        Global character position of each document's first character, plus the total (``n + 1``).
    char_map
        The character-to-byte map of the global character positions.
    """

    def __init__(
        self,
        buffers: Sequence[object],
        doc_buffer: np.ndarray | None,
        byte_start: np.ndarray,
        byte_end: np.ndarray,
        char_start: np.ndarray,
        char_map: CharMap,
    ) -> None:
        self.buffers = [b if isinstance(b, pa.Buffer) else pa.py_buffer(b) for b in buffers]
        self.doc_buffer = doc_buffer
        self.byte_start = byte_start
        self.byte_end = byte_end
        self.char_start = char_start
        self.char_map = char_map
        self._doc_extra: np.ndarray | None = None
        # segments of at most 2 GiB (see _SEGMENT) and where each buffer's segments begin
        self._segments: list[pa.Buffer] = []
        self._first_segment = np.zeros(len(self.buffers), dtype=np.int64)
        for i, buf in enumerate(self.buffers):
            self._first_segment[i] = len(self._segments)
            size = buf.size
            # one segment per 1 GiB of the buffer, as byte_slices numbers them (b0 // _STRIDE)
            starts = range(0, max(size, 1), _STRIDE)
            self._segments.extend(buf.slice(s, min(_SEGMENT, size - s)) for s in starts)
        self._numpy = [np.frombuffer(b, dtype=np.uint8) for b in self.buffers]

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def from_arrow(cls, texts: pa.Array | pa.ChunkedArray) -> TextSpans:
        """The spans of Arrow strings (a column of texts, one per document; nulls read as ``""``).

        The buffers are used as they are (no copy of the text).
        """
        chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
        buffers: list[pa.Buffer] = []
        doc_buffer, byte_start, byte_end, n_chars = [], [], [], []
        pieces: list[tuple[np.ndarray, int]] = []
        total = 0
        for chunk in chunks:
            if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
                chunk = chunk.cast(pa.large_string())
            if chunk.null_count:
                chunk = chunk.fill_null("")
            if not len(chunk):
                continue
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            at = chunk.offset
            offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[at : at + len(chunk) + 1].astype(np.int64)
            data = chunk.buffers()[2]
            if data is None:
                data = pa.py_buffer(b"")
            chars = np.asarray(pc.utf8_length(chunk), dtype=np.int64)
            doc_buffer.append(np.full(len(chunk), len(buffers), dtype=np.int32))
            byte_start.append(offsets[:-1])
            byte_end.append(offsets[1:])
            n_chars.append(chars)
            pieces.append((np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]], total))
            total += int(chars.sum())
            buffers.append(data)
        lengths = np.concatenate(n_chars) if n_chars else np.zeros(0, np.int64)
        char_start = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        return cls(
            buffers,
            np.concatenate(doc_buffer) if len(buffers) > 1 else None,
            np.concatenate(byte_start) if byte_start else np.zeros(0, np.int64),
            np.concatenate(byte_end) if byte_end else np.zeros(0, np.int64),
            char_start,
            _char_map(pieces, total),
        )

    @classmethod
    def from_arrays(cls, data: object, arrays: Mapping[str, np.ndarray]) -> TextSpans:
        """The spans of one buffer *data* of concatenated texts and the :meth:`arrays` saved of it."""
        doc_bytes = np.asarray(arrays["doc_bytes"])
        names = SPARSE if "wide" in arrays else DENSE
        return cls([data], None, doc_bytes[:-1], doc_bytes[1:], np.asarray(arrays["doc_chars"]),
                   CharMap({k: arrays[k] for k in names}))  # fmt: skip

    def arrays(self) -> dict[str, np.ndarray]:
        """``doc_bytes`` (byte offsets of the documents in :meth:`concatenated`, plus the total),
        ``doc_chars`` and the map arrays: what :meth:`from_arrays` reads back."""
        lengths = (self.byte_end - self.byte_start).astype(np.int64)
        doc_bytes = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        return {"doc_bytes": doc_bytes, "doc_chars": np.asarray(self.char_start, dtype=np.int64),
                **{k: np.asarray(v) for k, v in self.char_map.arrays.items()}}  # fmt: skip

    def concatenated(self) -> np.ndarray:
        """All documents' bytes one after the other (uint8; no copy when they already are)."""
        parts = []
        owner = np.zeros(self.n_docs, np.int64) if self.doc_buffer is None else self.doc_buffer.astype(np.int64)
        for b in np.unique(owner).tolist():
            mine = np.flatnonzero(owner == b)
            s, e = self.byte_start[mine], self.byte_end[mine]
            if (mine[1:] == mine[:-1] + 1).all() and (s[1:] == e[:-1]).all():
                parts.append(self._numpy[b][int(s[0]) : int(e[-1])])
            else:
                parts.extend(self._numpy[b][int(x) : int(y)] for x, y in zip(s.tolist(), e.tolist()))
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.zeros(0, np.uint8)

    # -- sizes --------------------------------------------------------------------------------
    @property
    def n_docs(self) -> int:
        return int(self.byte_start.size)

    @property
    def nbytes(self) -> int:
        """Bytes held besides the text: the offsets and the map."""
        return int(self.byte_start.nbytes + self.byte_end.nbytes + self.char_start.nbytes + self.char_map.nbytes)

    # -- offsets ------------------------------------------------------------------------------
    def _buffer_of(self, d: int) -> int:
        return 0 if self.doc_buffer is None else int(self.doc_buffer[d])

    def _docs_extra(self) -> np.ndarray:
        if self._doc_extra is None:
            self._doc_extra = self.char_map.extra(self.char_start[:-1])
        return self._doc_extra

    def byte_offsets(self, docs: np.ndarray, chars: np.ndarray) -> np.ndarray:
        """Byte offsets, in the document's buffer, of character offsets *chars* of documents *docs*.

        *docs* and *chars* broadcast: ``docs[:, None]`` with *chars* of shape ``(n, k)`` gives the
        *k* cuts of each document's row in one pass (and in the order the map reads fastest).
        """
        docs = np.asarray(docs, dtype=np.int64)
        chars = np.asarray(chars, dtype=np.int64)
        g = np.asarray(self.char_start, dtype=np.int64)[docs] + chars
        base = np.asarray(self.byte_start, dtype=np.int64)[docs] - self._docs_extra()[docs]
        return base + chars + self.char_map.extra(g)

    # -- cutting ------------------------------------------------------------------------------
    def slices(self, docs: np.ndarray, start: np.ndarray, end: np.ndarray, *, large: bool | None = None) -> pa.Array:
        """``text[start:end]`` of each document in *docs* (character offsets) as Arrow strings.

        *large* asks for ``large_string`` (``None``: only when the pieces hold 2 GiB or more).
        """
        docs = np.asarray(docs, dtype=np.int64)
        b0 = self.byte_offsets(docs, start)
        b1 = self.byte_offsets(docs, end)
        return self.byte_slices(docs, b0, b1, large=large)

    def byte_slices(
        self, docs: np.ndarray, b0: np.ndarray, b1: np.ndarray, *, large: bool | None = None
    ) -> pa.Array | list[pa.Array]:
        """Arrow strings of the bytes ``[b0, b1)`` of the buffers holding documents *docs*.

        *b0*, *b1* hold one piece per document (shape ``(n,)``: one array back) or several
        (``(n, k)``: a list of *k* arrays, array *j* holding piece *j* of every document). Several
        pieces of one document lie near one another in its text, so they are read together (one
        pass over the text, not *k*). *large* asks for ``large_string`` for every array (``None``:
        only when all the pieces together hold 2 GiB or more).
        """
        b0 = np.asarray(b0, dtype=np.int64)
        b1 = np.asarray(b1, dtype=np.int64)
        many = b0.ndim == 2
        if not many:
            b0, b1 = b0[:, None], b1[:, None]
        n, k = b0.shape
        length = b1 - b0
        if large is None:
            large = int(length.sum()) >= 2**31
        out_type = pa.large_string() if large else pa.string()
        if n == 0:
            empty = [pa.array([], type=out_type) for _ in range(k)]
            return empty if many else empty[0]
        if (length < 0).any() or (length >= _STRIDE).any():
            raise ValueError("TextSpans.byte_slices(): a piece is negative or longer than 1 GiB")
        buf = np.zeros(n, dtype=np.int64) if self.doc_buffer is None else self.doc_buffer[np.asarray(docs)].astype(np.int64)
        # the first 12 bytes of each piece: its data when it has at most 12 bytes, else its prefix
        head = np.zeros((n, k, 12), dtype=np.uint8)
        for b in np.unique(buf).tolist() if self.doc_buffer is not None else [0]:
            sel = slice(None) if self.doc_buffer is None else np.flatnonzero(buf == b)
            data = self._numpy[b]
            at = b0[sel]
            if data.size >= 12:
                head[sel] = np.lib.stride_tricks.sliding_window_view(data, 12)[np.minimum(at, data.size - 12)]
            near_end = at > data.size - 12
            if data.size and near_end.any():  # the last few bytes of the buffer (or a tiny buffer): clipped
                rows, cols = np.nonzero(near_end)
                idx = np.minimum(at[rows, cols][:, None] + np.arange(12), data.size - 1)
                head[np.arange(n)[sel][rows], cols] = data[idx]
        words = head.view("<i4")  # (n, k, 3)
        words &= _KEEP_WORDS[np.minimum(length, 12)]  # zero the bytes past the piece
        inline = length <= 12
        segment = b0 // _STRIDE
        views = np.empty((n, k, 4), dtype="<i4")
        views[:, :, 0] = length
        views[:, :, 1] = words[:, :, 0]
        views[:, :, 2] = np.where(inline, words[:, :, 1], self._first_segment[buf][:, None] + segment)
        views[:, :, 3] = np.where(inline, words[:, :, 2], b0 - segment * _STRIDE)
        per_piece = views.view("V16")[:, :, 0]  # one 16-byte view per piece
        out = []
        for j in range(k):
            piece = np.ascontiguousarray(per_piece[:, j]) if k > 1 else per_piece[:, 0]
            array = pa.Array.from_buffers(pa.string_view(), n, [None, pa.py_buffer(piece), *self._segments])
            out.append(array.cast(out_type))
        return out if many else out[0]

    def texts(self, docs: np.ndarray | Sequence[int]) -> list[str]:
        """The whole text of each document in *docs*, as Python strings."""
        out = []
        for d in np.asarray(docs, dtype=np.int64).tolist():
            data = self.buffers[self._buffer_of(d)]
            out.append(data.slice(int(self.byte_start[d]), int(self.byte_end[d] - self.byte_start[d])).to_pybytes().decode("utf-8"))
        return out
