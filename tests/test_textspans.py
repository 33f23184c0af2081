"""TextSpans (mediamon.textspans): spans cut from UTF-8 buffers equal Python's own string slices.

The expected values are Python ``str`` slices of the same texts (code point offsets), computed
without the module; the texts mix ASCII, two- and three-byte characters, astral characters (four
bytes, one code point), empty documents and nulls, in both forms of the character map (sparse for
mostly-ASCII text, dense for mostly-Cyrillic text), over several Arrow chunks and sliced arrays.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mediamon import textspans as textspans_module
from mediamon.textspans import TextSpans

MIXED = [
    "Putin met Raisi in Kazan.",
    "",
    "Путин встретился с Раиси в Казани 😀 вчера.",
    "naïve café — “quoted” ✓",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 astral 🇷🇺 flags and 𠜎 ideographs",
    "ascii only " * 400,
    "ё",
    "😀",
]
CYRILLIC = ["Президент России Владимир Путин " * 30, "", "Москва — столица 𝔄 " * 5, "Казань"]


def _spans_of_every_cut(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    docs, start, end = [], [], []
    for d, t in enumerate(texts):
        cuts = sorted({0, len(t), *range(0, len(t) + 1, 7), *range(3, len(t) + 1, 11)})
        for a in cuts:
            for b in cuts:
                if a <= b and b - a <= 60:
                    docs.append(d)
                    start.append(a)
                    end.append(b)
    return np.asarray(docs), np.asarray(start), np.asarray(end)


@pytest.mark.parametrize("texts", [MIXED, CYRILLIC], ids=["sparse", "dense"])
def test_slices_equal_python_string_slices(texts: list[str]) -> None:
    spans = TextSpans.from_arrow(pa.array(texts))
    assert spans.char_map.form == ("dense" if texts is CYRILLIC else "sparse")
    docs, start, end = _spans_of_every_cut(texts)
    rng = np.random.default_rng(0)
    order = rng.permutation(docs.size)  # any order of documents, not only corpus order
    docs, start, end = docs[order], start[order], end[order]
    got = spans.slices(docs, start, end)
    assert got.type == pa.string()
    assert got.to_pylist() == [texts[d][a:b] for d, a, b in zip(docs, start, end)]
    assert spans.texts(range(len(texts))) == texts


def test_chunks_slices_nulls_and_large_strings_read_as_the_python_texts() -> None:
    whole = pa.array(MIXED[:4] + [None] + MIXED[4:])  # a null text reads as ""
    texts = [t or "" for t in whole.to_pylist()]
    docs, start, end = _spans_of_every_cut(texts)
    want = [texts[d][a:b] for d, a, b in zip(docs, start, end)]
    for column in (whole.slice(0, 3), whole.slice(3, 3), whole.slice(6)), (whole.cast(pa.large_string()),):
        spans = TextSpans.from_arrow(pa.chunked_array(list(column)))
        assert spans.slices(docs, start, end).to_pylist() == want
        assert spans.slices(docs, start, end, large=True).type == pa.large_string()
        assert spans.texts(range(len(texts))) == texts


def test_saved_arrays_read_back_as_the_same_spans() -> None:
    for texts in (MIXED, CYRILLIC):
        spans = TextSpans.from_arrow(pa.chunked_array([pa.array(texts[:2]), pa.array(texts[2:])]))
        data = spans.concatenated()
        assert data.tobytes() == "".join(texts).encode("utf-8")  # one UTF-8 buffer, documents in order
        back = TextSpans.from_arrays(data, spans.arrays())
        docs, start, end = _spans_of_every_cut(texts)
        assert back.slices(docs, start, end).to_pylist() == [texts[d][a:b] for d, a, b in zip(docs, start, end)]


def test_empty_requests_and_bad_spans() -> None:
    spans = TextSpans.from_arrow(pa.array(MIXED))
    none = np.zeros(0, np.int64)
    assert spans.slices(none, none, none).to_pylist() == []
    assert TextSpans.from_arrow(pa.array([], pa.string())).n_docs == 0
    tiny = ["ё", "😀", ""]  # all the texts in fewer bytes than an inline string view holds
    docs, start, end = _spans_of_every_cut(tiny)
    assert TextSpans.from_arrow(pa.array(tiny)).slices(docs, start, end).to_pylist() == [
        tiny[d][a:b] for d, a, b in zip(docs, start, end)
    ]
    with pytest.raises(ValueError, match="negative"):
        spans.slices(np.array([0]), np.array([5]), np.array([2]))


def test_buffers_beyond_one_and_two_gib(tmp_path) -> None:
    # A sparse file of 2.3 GiB of NUL characters (ASCII) with words written around the 1 GiB and
    # 2 GiB marks, and a last document of multi-byte characters: pieces longer than 12 bytes are
    # views into 2 GiB segments of the buffer (32-bit offsets); only the pages touched are read.
    gib = 1 << 30
    first = int(2.3 * gib)
    tail = "Путин 😀 Raisi".encode()
    words = b"Putin met Raisi in Kazan"
    path = tmp_path / "text.bin"
    with open(path, "wb") as f:
        f.truncate(first + len(tail))
        for at in (gib - 2, 2 * gib - 3, first - 24):
            f.seek(at)
            f.write(words)
        f.seek(first)
        f.write(tail)
    data = np.memmap(path, dtype=np.uint8, mode="r")
    g = first  # global position of the last document's first character (all bytes before are ASCII)
    arrays = {
        "doc_bytes": np.array([0, first, first + len(tail)]),
        "doc_chars": np.array([0, g, g + 13]),
        "wide": np.array([g, g + 1, g + 2, g + 3, g + 4, g + 6]),  # П у т и н (2 bytes), 😀 (4 bytes)
        "wide_extra": np.array([0, 1, 2, 3, 4, 5, 8]),
    }
    spans = TextSpans.from_arrays(data, arrays)
    docs = np.array([0, 0, 0, 0, 1, 1, 1])
    start = np.array([gib - 2, 2 * gib - 3, first - 24, 5, 0, 6, 0])
    end = np.array([gib + 22, 2 * gib + 21, first, 9, 5, 7, 13])
    text = words.decode()
    assert spans.slices(docs, start, end).to_pylist() == [text, text, text, "\0" * 4, "Путин", "😀", "Путин 😀 Raisi"]


@pytest.mark.parametrize("texts", [MIXED, CYRILLIC], ids=["sparse", "dense"])
def test_several_pieces_per_row_equal_python_string_slices(texts: list[str]) -> None:
    # Rows of four non-decreasing cuts (what a concordance cuts: left, match, right): the offsets in
    # one pass and the three pieces in one call equal the slices of each pair of cuts.
    spans = TextSpans.from_arrow(pa.array(texts))
    rng = np.random.default_rng(1)
    docs = rng.integers(0, len(texts), 400)
    lengths = np.array([len(texts[d]) for d in docs])
    cuts = np.sort(rng.integers(0, lengths[:, None] + 1, (docs.size, 4)), axis=1)
    offsets = spans.byte_offsets(docs[:, None], cuts)
    assert offsets.tolist() == [[spans.byte_offsets(np.array([d]), np.array([c]))[0] for c in row]
                                for d, row in zip(docs, cuts)]  # fmt: skip
    pieces = spans.byte_slices(docs, offsets[:, :-1], offsets[:, 1:])
    assert len(pieces) == 3 and all(p.type == pa.string() for p in pieces)
    for j, piece in enumerate(pieces):
        assert piece.to_pylist() == [texts[d][row[j] : row[j + 1]] for d, row in zip(docs, cuts)]
    assert all(p.type == pa.large_string() for p in spans.byte_slices(docs, offsets[:, :-1], offsets[:, 1:], large=True))
    none = np.zeros((0, 3), np.int64)
    assert [p.to_pylist() for p in spans.byte_slices(np.zeros(0, np.int64), none, none)] == [[], [], []]


@pytest.mark.parametrize("texts", [MIXED, CYRILLIC], ids=["sparse", "dense"])
def test_the_map_scanned_in_slices_that_cut_characters_is_the_same(texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    whole = TextSpans.from_arrow(pa.array(texts)).arrays()
    monkeypatch.setattr(textspans_module, "_SCAN_BYTES", 5)  # slices end inside two- to four-byte characters
    spans = TextSpans.from_arrow(pa.array(texts))
    assert spans.arrays().keys() == whole.keys()
    for name, values in spans.arrays().items():
        np.testing.assert_array_equal(values, whole[name], err_msg=name)
    docs, start, end = _spans_of_every_cut(texts)
    assert spans.slices(docs, start, end).to_pylist() == [texts[d][a:b] for d, a, b in zip(docs, start, end)]
