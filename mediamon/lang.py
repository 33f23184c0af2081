"""Language of each document: the data's own value when it has one, else detected offline.

Rule (:func:`detect_languages`), per document ``i``:

1. ``given[i]`` is a non-empty string -> that language, normalised: ``"EN"``, ``"en-GB"``,
   ``"ru_RU"`` -> ``"en"``, ``"ru"`` (lower case, primary subtag). A value that is not a language
   code (two or three letters, optionally ``-``/``_`` and a region) raises
   :class:`~mediamon.errors.InputError` naming it, so a wrong column is never taken for languages.
2. Otherwise the text is classified by py3langid (Lui & Baldwin 2012, *langid.py: an off-the-shelf
   language identification tool*, ACL System Demonstrations; the fork ships its model as numpy
   arrays, read without pickle, no network). Only the first ``prefix_chars`` characters are read:
   a news article's language is plain within a few hundred characters, and the cost stays bounded
   per document.
3. ``"und"`` (ISO 639-2 "undetermined") when the text is missing, has no letter in the prefix, or
   the classifier is not confident: the posterior of the best code is below ``min_confidence``.

Codes are ISO 639-1 (``en``, ``ru``, ``fa``, ``ar``) where the language has one. The model's ISO
639-3 varieties are folded into their 639-1 macrolanguage and their probabilities added
(:data:`TO_ISO639_1`: Egyptian and Moroccan Arabic -> ``ar``, Cantonese and Wu -> ``zh`` ...); a
language without a 639-1 code keeps the model's 639-3 code (``ace``, ``pcm``).

Classifier
    Multinomial naive Bayes over byte n-grams (1 to 4 bytes of the UTF-8 text). With feature counts
    :math:`c_{d,f}` of document :math:`d`, the score of class :math:`k` is

    .. math:: s_{d,k} = \\log P(k) + \\sum_f \\log(1 + c_{d,f}) \\, \\log P(f \\mid k)

    and the posterior is the softmax of :math:`s_{d,k} / \\sqrt{n_d}` (:math:`n_d` bytes), as in
    py3langid's ``norm_probs``. py3langid walks its n-gram automaton byte by byte in Python; here the
    walk advances all documents of a batch one byte per step with numpy, and the sparse counts are
    turned into scores with one sparse-times-dense product (scipy), so no Python loop runs per document
    or per byte of a document (the loop is over byte positions of the bounded prefix). The result
    equals ``py3langid.classify`` on the same prefix (tested).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from .errors import InputError

__all__ = ["detect_languages", "model_kept", "RELEASE_AFTER_TEXTS", "UNDETERMINED", "TO_ISO639_1", "DEFAULT_PREFIX_CHARS", "DEFAULT_MIN_CONFIDENCE"]

UNDETERMINED = "und"
#: Characters of each text that the classifier reads.
DEFAULT_PREFIX_CHARS = 300
#: Posterior below which a text is "und" (a featureless text scores 1/140 for every class).
DEFAULT_MIN_CONFIDENCE = 0.5

#: The model's ISO 639-3 varieties that belong to a macrolanguage with an ISO 639-1 code.
TO_ISO639_1 = {
    "ary": "ar",  # Moroccan Arabic
    "arz": "ar",  # Egyptian Arabic
    "uzs": "uz",  # Southern Uzbek
    "gug": "gn",  # Paraguayan Guarani
    "yue": "zh",  # Cantonese
    "wuu": "zh",  # Wu Chinese
    "kik": "ki",  # Kikuyu
    "fuv": "ff",  # Nigerian Fulfulde
    "sdh": "ku",  # Southern Kurdish
    "zxx": UNDETERMINED,  # "no linguistic content"
}

_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
_BATCH = 2048  # documents walked together: their feature hits (about 1,200 a document) are the
# transient memory of detection, 80 MB at this size against 220 MB at 8,192, at the same speed
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class _Model:
    nextmove: np.ndarray  # automaton: next state = nextmove[rowbase[state] + byte]
    rowbase: np.ndarray  # per state, offset of its 256-entry row
    feature: np.ndarray  # per state, the n-gram feature it completes, or -1
    log_p_feature: np.ndarray  # (features, classes) float32: log P(f | k)
    log_prior: np.ndarray  # (classes,) float32: log P(k)
    code_of_class: np.ndarray  # (classes, codes) float32 one-hot: class -> its output code
    codes: np.ndarray  # distinct output codes


#: A call that classifies at least this many texts releases the model when it ends (unless a
#: :func:`model_kept` block is open). Kept, the model is 100 MB for the life of the process, which
#: after a large read was an eighth of the peak of reading, indexing and analysing (issue 14);
#: loading it again takes 0.5 s, a small part of such a call and of the read around it. Smaller
#: calls (a notebook building small corpora, the tests) keep it.
RELEASE_AFTER_TEXTS = 10_000
_holds = 0  # open model_kept() blocks
_release_when_free = False  # a large call ran inside them: release when the last one closes


@contextmanager
def model_kept() -> Iterator[None]:
    """Keep the classifier's model loaded across the calls made inside the block.

    For a caller that detects many batches in turn (``ingest`` reads a store batch after batch),
    where releasing the model after each large batch would load it again for the next. When the
    last open block closes, the model is released if a large call ran inside.
    """
    global _holds, _release_when_free
    _holds += 1
    try:
        yield
    finally:
        _holds -= 1
        if not _holds and _release_when_free:
            _release_when_free = False
            _model.cache_clear()


@cache
def _model() -> _Model:
    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    classes = [TO_ISO639_1.get(c, c) for c in ident.nb_classes]
    codes = np.array(sorted(set(classes)), dtype=object)
    return _Model(
        nextmove=np.frombuffer(ident.tk_nextmove, dtype=np.uint32 if ident.tk_nextmove.itemsize == 4 else np.uint16),
        rowbase=np.frombuffer(ident.tk_row, dtype=np.uint16 if ident.tk_row.itemsize == 2 else np.uint32).astype(np.int64)
        << 8,
        feature=np.asarray(ident.tk_output, dtype=np.int32),
        log_p_feature=np.asarray(ident.nb_ptc, dtype=np.float32),  # 57 MB, once per process
        log_prior=np.asarray(ident.nb_pc, dtype=np.float32),
        code_of_class=np.eye(codes.size, dtype=np.float32)[np.searchsorted(codes, np.array(classes, dtype=object))],
        codes=codes,
    )


def _encode(text: str) -> bytes:
    # as py3langid: an all-capitals text is lower-cased, then NFC, then UTF-8
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf-8", errors="surrogatepass")


def _posteriors(encoded: Sequence[bytes]) -> np.ndarray:
    """Posterior per (document, class) for one batch of UTF-8 texts; uniform for a featureless text."""
    m = _model()
    n = len(encoded)
    n_classes = m.log_prior.size
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    order = np.argsort(-lengths, kind="stable")  # longest first: the live documents are a prefix
    lengths_sorted = lengths[order]
    width = int(lengths_sorted[0]) if n else 0
    # byte matrix, one row per byte position (so each step reads one contiguous row)
    flat = np.frombuffer(b"".join(encoded[i] for i in order), dtype=np.uint8)
    bytes_t = np.zeros((width, n), dtype=np.uint8)
    starts = np.concatenate(([0], np.cumsum(lengths_sorted)[:-1]))
    col = np.repeat(np.arange(n), lengths_sorted)
    bytes_t[np.arange(flat.size) - np.repeat(starts, lengths_sorted), col] = flat
    live = np.searchsorted(-lengths_sorted, -np.arange(width), side="right")  # docs longer than j

    state = np.zeros(n, dtype=np.int64)
    hit_doc: list[np.ndarray] = []
    hit_feature: list[np.ndarray] = []
    for j in range(width):  # over byte positions of the bounded prefix, vectorised over documents
        k = live[j]
        s = m.nextmove[m.rowbase[state[:k]] + bytes_t[j, :k]].astype(np.int64)
        state[:k] = s
        f = m.feature[s]
        found = np.flatnonzero(f >= 0)
        hit_doc.append(found.astype(np.int32))  # int32: half the bytes of the hits
        hit_feature.append(f[found])
    scores = np.tile(m.log_prior, (n, 1))
    has_features = np.zeros(n, dtype=bool)
    if hit_doc:
        docs = np.concatenate(hit_doc)
        feats = np.concatenate(hit_feature)
        if docs.size:
            # scipy.sparse takes 0.2 s to import: loaded by the first detection, not by every
            # process that opens a store
            from scipy.sparse import csr_matrix

            # duplicates are summed into counts per (document, feature), row by row
            counts = csr_matrix(
                (np.ones(docs.size, dtype=np.float32), (docs, feats)), shape=(n, m.log_p_feature.shape[0])
            )
            counts.sum_duplicates()
            np.log1p(counts.data, out=counts.data)
            scores += counts @ m.log_p_feature  # sparse x dense in C: no (pairs x classes) temporary
            has_features[docs] = True
    scores *= (1.0 / np.sqrt(np.maximum(lengths_sorted, 1)))[:, None].astype(np.float32)
    scores[~has_features] = 0.0  # as py3langid: no feature -> uniform
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    out = np.empty((n, n_classes), dtype=np.float32)
    out[order] = scores
    return out


def _prefixes(texts: Sequence[str | None] | pd.Series | np.ndarray, prefix_chars: int) -> list[str]:
    """The first *prefix_chars* characters of each text (``""`` for a missing one).

    A column of Arrow strings becomes Python strings :data:`_BATCH` texts at a time: only the
    prefixes are kept, never a Python copy of every whole text.
    """
    out: list[str] = []
    for at in range(0, len(texts), _BATCH):
        chunk = texts.iloc[at : at + _BATCH].tolist() if isinstance(texts, pd.Series) else list(texts[at : at + _BATCH])
        out.extend(t[:prefix_chars] if isinstance(t, str) else "" for t in chunk)
    return out


def _given_codes(given: Sequence[Any], n: int, strict: bool = True) -> np.ndarray:
    values = list(given)
    if len(values) != n:
        raise InputError(
            f"detect_languages(): given has {len(values)} values for {n} texts; pass one value per text "
            "(None where the language is unknown)."
        )
    out = np.full(n, None, dtype=object)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            continue
        if not isinstance(v, str) or (not strict and _CODE.match(v.strip()) is None):
            if not strict:
                continue  # unusable: detected like a missing value
            raise InputError(f"detect_languages(): given[{i}]={v!r} is not a string; pass language codes such as 'en'.")
        if not v.strip():
            continue
        match = _CODE.match(v.strip())
        if match is None:
            raise InputError(
                f"detect_languages(): given[{i}]={v!r} is not a language code; expected ISO 639 such as 'en', "
                "'ru' or 'en-GB'. Fix the lang column, or pass given=None to detect every language."
            )
        out[i] = TO_ISO639_1.get(match.group(1).lower(), match.group(1).lower())
    return out


def detect_languages(
    texts: Sequence[str | None] | pd.Series | np.ndarray,
    *,
    given: Sequence[Any] | pd.Series | np.ndarray | None = None,
    prefix_chars: int = DEFAULT_PREFIX_CHARS,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    strict: bool = True,
) -> np.ndarray:
    """Language code per text: the data's value where *given* has one, else detected (module docstring).

    Parameters
    ----------
    texts
        One text per document; ``None``/NaN counts as empty.
    given
        Optional language per document from the data (``None``/NaN/empty where unknown).
    prefix_chars
        How many leading characters of each text the classifier reads.
    min_confidence
        Posterior in ``[0, 1]`` below which the result is ``"und"``.
    strict
        Raise on a *given* value that is not a language code (default); ``False`` detects those
        documents as if no value were given (for untrusted data).

    Returns
    -------
    numpy.ndarray
        Object array of codes (``"en"``, ``"ru"``, ``"fa"``, ``"ar"`` ... or ``"und"``).
    """
    global _release_when_free
    if prefix_chars < 1:
        raise InputError(f"detect_languages(): prefix_chars={prefix_chars!r} must be at least 1.")
    if not 0.0 <= min_confidence <= 1.0:
        raise InputError(f"detect_languages(): min_confidence={min_confidence!r} must lie in [0, 1].")
    n = len(texts)
    out = np.full(n, UNDETERMINED, dtype=object)
    known = _given_codes(given, n, strict) if given is not None else np.full(n, None, dtype=object)
    has_given = np.fromiter((k is not None for k in known), dtype=bool, count=n)
    out[has_given] = known[has_given]
    prefixes = _prefixes(texts, prefix_chars)
    todo = [i for i in np.flatnonzero(~has_given).tolist() if _LETTER.search(prefixes[i])]
    if not todo:
        return out
    m = _model()
    for at in range(0, len(todo), _BATCH):
        batch = todo[at : at + _BATCH]
        post = _posteriors([_encode(prefixes[i]) for i in batch])
        per_code = post @ m.code_of_class  # varieties folded into their 639-1 code
        best = per_code.argmax(axis=1)
        confident = per_code[np.arange(len(batch)), best] >= min_confidence
        codes = np.where(confident, m.codes[best], UNDETERMINED)
        out[np.asarray(batch)] = codes
    if len(todo) >= RELEASE_AFTER_TEXTS:  # see RELEASE_AFTER_TEXTS
        if _holds:
            _release_when_free = True
        else:
            _model.cache_clear()
    return out
