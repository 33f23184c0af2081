"""Stopword lists that work offline.

A *stopword spec* names where the words come from:

``"english"``, ``"russian"``, ``"persian"`` (or any ISO 639-1 code such as ``"en"``, ``"ru"``,
``"fa"``, ``"de"``)
    The list of the maintained `stopwords-iso <https://github.com/stopwords-iso/stopwords-iso>`_
    collection, shipped inside the PyPI package ``stopwordsiso`` (a mediamon dependency). These lists
    are broad (English has ~1,300 entries including words like "able" and "act"); use ``"nltk:..."``
    or a custom list for a narrower one.
``"nltk:english"`` (``"nltk:russian"``, ...)
    NLTK's ``stopwords`` corpus, *if it is installed* where NLTK looks for data (``NLTK_DATA``,
    ``~/nltk_data``, ...). Found with :func:`nltk.data.find`; never downloaded. A missing corpus is an
    error that says how to install it.
``"iso:en"``
    The stopwords-iso list, spelled explicitly.
several specs joined with ``+``
    The union, e.g. ``"english+russian+persian"`` for a mixed corpus.
``"auto"``
    The lists of the languages of the documents analysed (their ``lang`` column), joined: an
    analysis resolves it with :func:`for_languages` (English alone when no language is known).
``None`` or ``""``
    No stopwords.
any other iterable of strings
    A custom list.

Every word is put in matching form with :func:`mediamon.text.normalize` (NFKC, case folding,
apostrophe and Arabic-script letter unification), exactly as the token index normalises the corpus,
so "Don’t" in a list removes "don't" in the text, and ``ي``/``ی`` spellings of a Persian stopword are
the same entry.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import stopwordsiso

from .errors import InputError, NotFoundError
from .text import normalize

log = logging.getLogger(__name__)

__all__ = ["LANGUAGES", "StopwordSpec", "stopwords", "vocab_mask"]

#: Language names accepted in a spec, mapped to ISO 639-1 codes.
LANGUAGES: dict[str, str] = {
    "english": "en",
    "russian": "ru",
    "persian": "fa",
    "farsi": "fa",
    "arabic": "ar",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "portuguese": "pt",
    "turkish": "tr",
    "ukrainian": "uk",
    "chinese": "zh",
    "azerbaijani": "az",
    "kazakh": "kk",
    "urdu": "ur",
    "hindi": "hi",
}

StopwordSpec = str | Iterable[str] | None


def _normalize(word: str) -> str:
    return normalize(word)


@lru_cache(maxsize=64)
def _iso(code: str) -> frozenset[str]:
    if not stopwordsiso.has_lang(code):
        raise InputError(
            f"stopwords(): no stopword list for language {code!r}; use a language name "
            f"({', '.join(sorted(LANGUAGES))}), an ISO 639-1 code known to stopwordsiso, "
            "'nltk:<language>' or a list of words."
        )
    return frozenset(_normalize(w) for w in stopwordsiso.stopwords(code))


def _read_nltk_folder(folder: str, language: str) -> str | None:
    """The list *language* from ``<folder>/corpora/stopwords/`` or ``<folder>/corpora/stopwords.zip``."""
    root = Path(folder) / "corpora"
    plain = root / "stopwords" / language
    if plain.is_file():
        return plain.read_text(encoding="utf-8")
    archive = root / "stopwords.zip"
    if archive.is_file():
        with zipfile.ZipFile(archive) as zf:  # one named member is read; nothing is extracted
            try:
                return zf.read(f"stopwords/{language}").decode("utf-8")
            except KeyError:
                return None
    return None


@lru_cache(maxsize=64)
def _nltk(language: str, paths: tuple[str, ...] | None = None) -> frozenset[str]:
    if not language or "/" in language or "\\" in language or language.startswith("."):
        raise InputError(
            f"stopwords(): {('nltk:' + language)!r} is not a language name; use e.g. 'nltk:english'."
        )
    resource = f"corpora/stopwords/{language}"
    text: str | None = None
    if paths:
        for folder in paths:
            text = _read_nltk_folder(folder, language)
            if text is not None:
                break
    else:
        import nltk.data  # NLTK is slow to import and needed only for "nltk:<language>" lists

        try:
            with nltk.data.find(resource).open() as fh:
                text = fh.read().decode("utf-8")
        except LookupError:
            text = None
    if text is None:
        where = f"in {list(paths)}" if paths else "in NLTK's data path (NLTK_DATA, ~/nltk_data, ...)"
        raise NotFoundError(
            f"stopwords(): NLTK's stopword list {language!r} is not installed (looked for "
            f"{resource!r} {where}). mediamon never downloads data at run time: install it once "
            "with `python -m nltk.downloader stopwords` or set NLTK_DATA to a folder that holds "
            "corpora/stopwords, or use stopwords='english' (stopwords-iso)."
        )
    return frozenset(_normalize(w) for w in text.split() if w)


def _one(spec: str, nltk_paths: tuple[str, ...] | None) -> frozenset[str]:
    s = spec.strip()
    low = s.lower()
    if low.startswith("nltk:"):
        return _nltk(low[5:].strip(), nltk_paths)
    if low.startswith("iso:"):
        return _iso(low[4:].strip())
    return _iso(LANGUAGES.get(low, low))


AUTO = "auto"


def for_languages(spec: StopwordSpec, languages: Iterable[str]) -> StopwordSpec:
    """*spec* with ``"auto"`` replaced by the stopword lists of *languages* (ISO 639-1 codes of the
    documents analysed; ``"und"`` and languages without a list are left out; English when none is
    left). Any other spec is returned as it is.

    >>> for_languages("auto", ["ru", "en", "und"]), for_languages("nltk:english", ["ru"])
    ('en+ru', 'nltk:english')
    """
    if not (isinstance(spec, str) and spec.strip().lower() == AUTO):
        return spec
    known = sorted({code for code in languages if isinstance(code, str) and stopwordsiso.has_lang(code)})
    return "+".join(known) or "english"


def stopwords(
    spec: StopwordSpec = "english", *, nltk_paths: Sequence[str] | None = None
) -> frozenset[str]:
    """The set of stopwords (matching forms) for a spec.

    Parameters
    ----------
    spec
        A language name or ISO code (stopwords-iso), ``"nltk:<language>"`` (NLTK's corpus, when
        installed), several joined with ``+``, ``None`` for none, or an iterable of custom words. See
        the module docstring.
    nltk_paths
        Folders to search for NLTK data instead of NLTK's default path (for tests and pinned setups).

    Returns
    -------
    frozenset of str
        Normalised words (see :func:`mediamon.text.normalize`).

    Raises
    ------
    InputError
        Unknown language.
    NotFoundError
        ``"nltk:..."`` when NLTK's stopwords corpus is not installed.

    Examples
    --------
    >>> "the" in stopwords("english") and "и" in stopwords("russian")
    True
    >>> sorted(stopwords(["The", "Don’t"]))
    ["don't", 'the']
    >>> stopwords(None)
    frozenset()
    """
    if spec is None:
        return frozenset()
    paths = tuple(nltk_paths) if nltk_paths else None
    if isinstance(spec, str):
        parts = [p for p in spec.split("+") if p.strip()]
        out: frozenset[str] = frozenset()
        for part in parts:
            out = out | _one(part, paths)
        return out
    if isinstance(spec, bytes):
        raise InputError("stopwords(): got bytes; pass a str spec or an iterable of str words.")
    words = list(spec)
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise InputError(
            f"stopwords(): a custom list must hold strings; got {bad[:3]!r}. "
            "Pass e.g. stopwords=['the', 'of']."
        )
    return frozenset(_normalize(w) for w in words)


def vocab_mask(vocab: Sequence[str], spec: StopwordSpec) -> np.ndarray:
    """Boolean array over a vocabulary of matching forms: True where the form is a stopword.

    >>> vocab_mask(["the", "putin", "of"], "english").tolist()
    [True, False, True]
    """
    words = stopwords(spec)
    if not words:
        return np.zeros(len(vocab), dtype=bool)
    return np.fromiter((v in words for v in vocab), dtype=bool, count=len(vocab))
