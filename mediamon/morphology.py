"""Russian inflection for Cyrillic aliases: which vocabulary forms are forms of an alias token.

Russian names decline: Путин, Путина, Путину, Путиным, Путине; Казань, Казани, Казанью. A registry
of base forms misses most Russian mentions, and a glob (``Путин*``) catches other words (Путинцев,
путинский). :func:`inflected_forms` answers, for one alias token and a corpus vocabulary, the
vocabulary forms that are inflections of that token.

Methods
    ``"pymorphy3"`` (default): the alias is analysed by pymorphy3 (Korobov 2015, *Morphological
    Analyzer and Generator for Russian and Ukrainian Languages*, AIST, CCIS 542) with the OpenCorpora
    dictionaries that pymorphy3-dicts-ru ships (offline). Of its analyses, those whose lemma is the
    alias itself are kept (the alias is a base form), proper-noun ones (Surn, Name, Patr, Geox, Orgn,
    Trad) only when there are any; the alias's forms are the union of their lexemes -- every case and
    number the dictionary, or for an unknown surname such as Минниханов its suffix model, generates.
    An alias that is no lemma of itself (the indeclinable Раиси, which pymorphy3 reads as a form of
    the female name Раися) is not inflected: only the alias matches. The vocabulary side is a set
    lookup, so no vocabulary form is analysed.
    ``"snowball"``: Porter's Snowball Russian stemmer (snowballstemmer, optional): a form matches when
    its stem equals the alias's stem. Measured worse (``bench/RESULTS-morphology.md``): the stemmer
    cuts nominative and oblique forms of names differently (минниханов -> миннихан, but минниханова ->
    минниханов; татарстан -> татарста, татарстане -> татарстан), so most oblique forms are missed.

Initials
    mediamon's tokenizer joins a period between letters, so "В.Путин" and "В.В.Путин" are single
    tokens ("в.путин"). With ``initials=True`` a form made of one or two one-letter initials and an
    inflected form ("в.путин", "р.минниханову") matches too.

False friends (see the evaluation)
    * путина (fishing season): its forms путина, путину, путине, путин (genitive plural) coincide
      with forms of Путин. A vocabulary of case-folded forms cannot tell them apart; a matcher that
      sees the surface can require a capital letter for Cyrillic names (:func:`is_capitalised`).
    * Минниханова is both the genitive of Минниханов and the female surname (his wife, Гульсина
      Минниханова): the same form, only context tells.
    * Путинцев, Путинов (other surnames), путинский (an adjective), Казанский, Казаньоргсинтез
      (adjective, company) are not forms of the alias and do not match, unlike the globs Путин*,
      Казан*.

Forms are compared in mediamon's matching form (:func:`mediamon.text.normalize`: case-folded, ё as
е); :func:`fold` does the same for Cyrillic words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pymorphy3

from .errors import InputError, NotFoundError, one_of

__all__ = ["Candidates", "candidates", "inflected_forms", "lexeme", "fold", "is_cyrillic_word", "is_capitalised", "METHODS"]

Method = Literal["pymorphy3", "snowball"]
METHODS: tuple[str, ...] = ("pymorphy3", "snowball")

#: pymorphy3 grammemes of proper nouns: surname, first name, patronymic, place, organisation, trade mark.
PROPER_NOUN_TAGS = frozenset({"Surn", "Name", "Patr", "Geox", "Orgn", "Trad"})

_CYRILLIC_WORD = re.compile(r"^[а-яё]+$")
_WITH_INITIALS = r"^(?:[а-яё]\.){1,2}(?P<word>[а-яё]+)$"


def fold(word: str) -> str:
    """Matching form of a Cyrillic word: NFKC, case-folded, ё as е (as :func:`mediamon.text.normalize`)."""
    return unicodedata.normalize("NFKC", word).casefold().replace("ё", "е")


def is_cyrillic_word(form: str) -> bool:
    """True when *form* (folded) is made of Cyrillic letters only: the aliases this module inflects."""
    return bool(_CYRILLIC_WORD.match(fold(form)))


def is_capitalised(surface: str) -> bool:
    """True when the surface of a name starts with a capital after its initials ("В.Путин", "Путина")."""
    last = surface.rsplit(".", 1)[-1]
    return bool(last) and last[0].isupper()


@cache
def _analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")  # dictionaries from pymorphy3-dicts-ru, read once


@cache
def lexeme(alias_form: str) -> frozenset[str]:
    """Folded forms of an alias base form by pymorphy3 (module docstring); just the alias when it is no lemma."""
    alias = fold(alias_form)
    if not _CYRILLIC_WORD.match(alias):
        return frozenset({alias})
    own = [p for p in _analyzer().parse(alias) if fold(p.normal_form) == alias]
    proper = [p for p in own if PROPER_NOUN_TAGS & set(p.tag.grammemes)]
    forms = {fold(f.word) for p in (proper or own) for f in p.lexeme}
    return frozenset(forms | {alias})


@cache
def _snowball() -> Any:  # a snowballstemmer stemmer; the package ships no type hints
    try:
        import snowballstemmer  # optional: only method="snowball" needs it
    except ImportError as exc:
        raise NotFoundError(
            "inflected_forms(method='snowball'): the optional package snowballstemmer is not installed; "
            "`pip install snowballstemmer` or use method='pymorphy3'."
        ) from exc
    return snowballstemmer.stemmer("russian")


_STEMS: dict[str, str] = {}  # form -> Snowball stem, shared by calls (each distinct form stemmed once)


def _stems(forms: Sequence[str]) -> list[str]:
    todo = [f for f in dict.fromkeys(forms) if f not in _STEMS]
    if todo:
        _STEMS.update(zip(todo, _snowball().stemWords(todo)))
    return [_STEMS[f] for f in forms]


def _as_array(vocabulary: Sequence[str] | np.ndarray | pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(vocabulary, pa.ChunkedArray):
        vocabulary = vocabulary.combine_chunks()
    if isinstance(vocabulary, pa.Array):
        array = vocabulary
    else:
        try:
            array = pa.array(vocabulary if isinstance(vocabulary, (np.ndarray, pd.Series)) else list(vocabulary),
                             type=pa.string())  # fmt: skip
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputError(
                f"inflected_forms(): vocabulary must hold strings (normalised forms); got {type(vocabulary).__name__} "
                f"with a non-string value ({exc})."
            ) from exc
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        raise InputError(f"inflected_forms(): vocabulary must be strings; got Arrow type {array.type}.")
    return array


@dataclass(frozen=True, eq=False)
class Candidates:
    """The forms of one vocabulary that can inflect a Cyrillic alias token, prepared once for any
    number of aliases (:func:`candidates`: a store query matches every Cyrillic alias token of an
    actor list in each shard).

    An inflection of a Cyrillic word is never ASCII, and most of a mixed vocabulary is: only the
    other forms are kept, in vocabulary order.
    """

    forms: pa.Array  # the vocabulary's forms that are not ASCII, in vocabulary order
    word: pa.Array  # the word part of each: itself, or what follows its initials ("в.путин" -> "путин")
    initials: bool  # whether forms with initials were read for their word part
    any_word: bool  # whether any word part is a Cyrillic word (none: nothing can match)


def candidates(
    vocabulary: Sequence[str] | np.ndarray | pd.Series | pa.Array | pa.ChunkedArray, *, initials: bool = True
) -> Candidates:
    """The :class:`Candidates` of *vocabulary* (as :func:`inflected_forms` takes it)."""
    forms = _as_array(vocabulary)
    forms = forms.filter(pc.invert(pc.string_is_ascii(forms)))
    word = forms
    if initials and len(forms):
        found = pc.extract_regex(forms, _WITH_INITIALS)  # null where a form has no initials
        word = pc.if_else(pc.is_valid(found), found.field("word"), forms)
    any_word = bool(len(word)) and bool(pc.any(pc.match_substring_regex(word, _CYRILLIC_WORD.pattern)).as_py())
    return Candidates(forms, word, initials, any_word)


def inflected_forms(
    alias_form: str,
    vocabulary: Sequence[str] | np.ndarray | pd.Series | pa.Array | pa.ChunkedArray | Candidates,
    *,
    method: Method = "pymorphy3",
    initials: bool = True,
) -> list[str]:
    """The forms of *vocabulary* that are inflections of the alias token *alias_form*.

    Parameters
    ----------
    alias_form
        One alias token in its base form ("Путин", "Казань"); case and ё do not matter. A token that
        is not all Cyrillic letters is not inflected (only itself matches).
    vocabulary
        Distinct matching forms of a corpus (case-folded, ё as е, as :func:`mediamon.text.normalize`),
        or their :func:`candidates` (for a Cyrillic *alias_form*, with the same *initials*).
    method
        ``"pymorphy3"`` (lexeme of the alias) or ``"snowball"`` (equal Snowball stems).
    initials
        Also return forms of one or two initials joined to an inflection ("в.путин", "в.в.путина").

    Returns
    -------
    list of str
        The matching vocabulary forms, each once, in vocabulary order.
    """
    if method not in METHODS:
        raise one_of("inflected_forms()", "method", method, METHODS)
    if not isinstance(alias_form, str) or not alias_form.strip():
        raise InputError(f"inflected_forms(): alias_form={alias_form!r} must be a non-empty string (one alias token).")
    alias = fold(alias_form.strip())
    if not _CYRILLIC_WORD.match(alias):
        if isinstance(vocabulary, Candidates):
            raise InputError(f"inflected_forms(): candidates serve Cyrillic alias tokens; pass the vocabulary for "
                             f"{alias_form!r}.")  # fmt: skip
        forms = _as_array(vocabulary)
        return list(dict.fromkeys(forms.filter(pc.fill_null(pc.equal(forms, alias), False)).to_pylist()))
    if isinstance(vocabulary, Candidates):
        if vocabulary.initials != initials:
            raise InputError(f"inflected_forms(): the candidates were prepared with initials={vocabulary.initials}; "
                             f"got initials={initials}.")  # fmt: skip
        prepared = vocabulary
    else:
        prepared = candidates(vocabulary, initials=initials)
    if not prepared.any_word:
        # no form is a Cyrillic word, so none inflects the alias: the dictionaries (20 MB, 0.1 s to
        # load) are not needed, as on an English corpus
        return []
    forms, word = prepared.forms, prepared.word
    if method == "pymorphy3":
        hit = pc.is_in(word, value_set=pa.array(sorted(lexeme(alias)), type=pa.string()))
    else:
        # only words sharing the alias's first letters can share its stem: stem those alone
        head = alias[: max(2, len(alias) - 3)]
        candidate = pc.and_(pc.starts_with(word, head), pc.match_substring_regex(word, r"^[а-яё]+$"))
        idx = np.flatnonzero(pc.fill_null(candidate, False).to_numpy(zero_copy_only=False))
        cand_words = word.take(pa.array(idx)).to_pylist()
        target = _stems([alias])[0]
        keep = np.zeros(len(forms), dtype=bool)
        keep[idx[np.asarray([s == target for s in _stems(cand_words)], dtype=bool)]] = True
        hit = pa.array(keep)
    mask = pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
    return list(dict.fromkeys(forms.filter(pa.array(mask)).to_pylist()))
