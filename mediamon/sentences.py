"""Sentence boundaries: NLTK's Punkt decision rules, applied vectorised over token arrays.

Punkt (Kiss & Strunk 2006, *Unsupervised Multilingual Sentence Boundary Detection*, Computational
Linguistics 32(4)) decides at every period, question mark and exclamation mark whether a sentence
ends, using four learnt tables: abbreviation types, collocations, frequent sentence starters and the
orthographic context of each word type. NLTK's :class:`~nltk.tokenize.punkt.PunktSentenceTokenizer`
applies those rules with Python objects per token (about 2 MB/s). Here the same rules run on the
token arrays of :mod:`mediamon.text` with numpy masks, so only the *candidates* (tokens that may end a
sentence) are examined and no Python loop runs per token.

Parameters
    mediamon ships parameters trained by ``tools/train_punkt.py`` (NLTK's ``PunktTrainer`` on the
    bundled news text), stored as plain text in NLTK's ``punkt_tab`` format under
    ``mediamon/data/punkt/news-en`` and read without pickle. ``PunktModel.from_nltk("english")``
    opts into an installed NLTK ``punkt_tab`` model instead (never downloaded).

Differences from NLTK, by design
    * a blank line (paragraph break) always ends a sentence;
    * candidates are judged on mediamon's tokens ("Mr" + "." rather than "Mr."), which can differ
      from Punkt's own word splitting in rare contexts. Agreement with NLTK is measured in the tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa

from .errors import NotFoundError
from .text import SPACE, char_tables

# Punkt's orthographic-context bits (nltk.tokenize.punkt).
_ORTHO_BEG_UC, _ORTHO_MID_UC, _ORTHO_UNK_UC = 1 << 1, 1 << 2, 1 << 3
_ORTHO_BEG_LC, _ORTHO_MID_LC, _ORTHO_UNK_LC = 1 << 4, 1 << 5, 1 << 6
_ORTHO_UC = _ORTHO_BEG_UC | _ORTHO_MID_UC | _ORTHO_UNK_UC
_ORTHO_LC = _ORTHO_BEG_LC | _ORTHO_MID_LC | _ORTHO_UNK_LC

_RE_NUMERIC = re.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
_RE_INITIAL = re.compile(r"[^\W\d]$")  # a one-letter word before a period
NUMBER_TYPE = "##number##"

#: Characters that may follow a sentence-ending mark directly (Punkt's "non-word" characters).
_AFTER_PUNCT = frozenset(")\";}]*:@'({[\u2018\u2019\u201c\u201d\xab\xbb?!")
#: Tokens that never start a sentence (Punkt's PUNCTUATION).
_NOT_STARTERS = frozenset(";:,.!?")
_SENT_END = frozenset("?!\uff1f\uff01\u3002")


@dataclass(frozen=True)
class PunktModel:
    """Learnt Punkt parameters: abbreviation types, collocations, sentence starters, ortho context."""

    name: str
    abbrev_types: frozenset[str]
    collocations: frozenset[tuple[str, str]]
    sent_starters: frozenset[str]
    ortho_context: dict[str, int]

    @classmethod
    def from_dir(cls, path: Path | resources.abc.Traversable, *, name: str | None = None) -> PunktModel:
        """Read a model stored in NLTK's ``punkt_tab`` text format (four files in one folder)."""

        def lines(file: str) -> list[str]:
            return [ln for ln in (path / file).read_text(encoding="utf-8").splitlines() if ln]

        collocations = frozenset(tuple(ln.split("\t")[:2]) for ln in lines("collocations.tab"))
        ortho: dict[str, int] = {}
        for ln in lines("ortho_context.tab"):
            key, _, value = ln.rpartition("\t")
            ortho[key] = int(value)
        return cls(
            name=name or str(path),
            abbrev_types=frozenset(lines("abbrev_types.txt")),
            collocations=collocations,  # type: ignore[arg-type]
            sent_starters=frozenset(lines("sent_starters.txt")),
            ortho_context=ortho,
        )

    @classmethod
    def from_nltk(cls, language: str = "english") -> PunktModel:
        """Use an NLTK ``punkt_tab`` model the user has installed (never downloaded)."""
        import nltk.data  # NLTK is slow to import and needed only for sentences="nltk"

        try:
            found = nltk.data.find(f"tokenizers/punkt_tab/{language}/")
        except LookupError as exc:
            raise NotFoundError(
                f"PunktModel.from_nltk(): NLTK's punkt_tab/{language} is not installed; install it "
                "yourself (mediamon never downloads) or use the bundled model (sentences='news-en')."
            ) from exc
        return cls.from_dir(Path(str(found)), name=f"nltk:{language}")


@cache
def bundled_model(name: str = "news-en") -> PunktModel:
    """The Punkt parameters shipped inside the package."""
    folder = resources.files("mediamon") / "data" / "punkt" / name
    if not folder.is_dir():
        raise NotFoundError(f"bundled_model(): no bundled Punkt model {name!r}.")
    return PunktModel.from_dir(folder, name=name)


#: The default sentence model: the bundled news parameters of each document's language
#: (``news-ru`` for Russian, ``news-en`` for English and every language without its own).
BY_LANGUAGE = "news"
#: The fallback of :data:`BY_LANGUAGE`.
DEFAULT_BUNDLED = "news-en"


@cache
def bundled_languages() -> frozenset[str]:
    """Languages with bundled news Punkt parameters (folders ``data/punkt/news-<lang>``)."""
    folder = resources.files("mediamon") / "data" / "punkt"
    return frozenset(p.name.removeprefix("news-") for p in folder.iterdir() if p.name.startswith("news-"))


def models_for(sentences: str | PunktModel, langs: Sequence[object] | None, n: int) -> list[str | PunktModel]:
    """The sentence model of each of *n* documents: the one named, or with :data:`BY_LANGUAGE` the
    bundled model of each document's language (*langs*, ISO 639-1 codes; others get English)."""
    if not (isinstance(sentences, str) and sentences == BY_LANGUAGE):
        return [sentences] * n
    have = bundled_languages()
    langs = list(langs) if langs is not None else [None] * n
    return [f"news-{lang}" if isinstance(lang, str) and lang in have else DEFAULT_BUNDLED for lang in langs]


def resolve_model(model: str | PunktModel) -> PunktModel:
    """``"news-en"`` (bundled), ``"nltk"``/``"nltk:<language>"`` (installed NLTK data) or a model."""
    if isinstance(model, PunktModel):
        return model
    if model == "nltk" or model.startswith("nltk:"):
        return PunktModel.from_nltk(model.partition(":")[2] or "english")
    return bundled_model(model)


_FEATURE_FIELDS = (
    "type_id",  # id of the Punkt type of the form (numbers -> "##number##")
    "type_no_period_id",  # id of the Punkt type without a final period ("u.s." -> "u.s")
    "abbrev",  # the form (minus a final period) is a known abbreviation type
    "initial",  # a single non-digit letter (an initial, when a period follows)
    "number",  # Punkt type is ##number##
    "is_word",  # has a letter or digit
    "not_starter",  # one of ;:,.!? (never starts a sentence)
    "ortho",  # ortho-context bits of the form's type
    "starter",  # type is a frequent sentence starter
)


class PunktSplitter:
    """Applies a :class:`PunktModel` to token arrays; caches per-form features across batches.

    Features are computed with Python only once per distinct *form* that stands next to a
    candidate boundary, never per token.
    """

    def __init__(self, model: str | PunktModel = "news-en") -> None:
        self.model = resolve_model(model)
        self._type_ids: dict[str, int] = {}
        self._cache: dict[str, tuple[int, ...]] = {}
        self._collocation_keys = np.unique(
            np.asarray(
                [(self._tid(a) << 32) | self._tid(b) for a, b in self.model.collocations],
                dtype=np.int64,
            )
        )

    def _tid(self, typ: str) -> int:
        return self._type_ids.setdefault(typ, len(self._type_ids))

    def _features_of(self, form: str) -> tuple[int, ...]:
        hit = self._cache.get(form)
        if hit is not None:
            return hit
        m = self.model
        typ = NUMBER_TYPE if _RE_NUMERIC.match(form) else form
        bare = form[:-1] if len(form) > 1 and form.endswith(".") else form
        typ_np = NUMBER_TYPE if _RE_NUMERIC.match(bare) else bare
        value = (
            self._tid(typ),
            self._tid(typ_np),
            int(bare in m.abbrev_types or bare.split("-")[-1] in m.abbrev_types),
            int(len(form) == 1 and bool(_RE_INITIAL.match(form))),
            int(typ == NUMBER_TYPE),
            int(any(ch.isalnum() for ch in form)),
            int(form in _NOT_STARTERS),
            m.ortho_context.get(typ, 0),
            int(typ in m.sent_starters),
        )
        self._cache[form] = value
        return value

    def features(self, forms: Sequence[str] | pa.Array, which: np.ndarray) -> dict[str, np.ndarray]:
        """Feature arrays over all *forms* (strings, or Arrow strings), filled only at the indices in *which*."""
        table = np.zeros((len(forms), len(_FEATURE_FIELDS)), dtype=np.int64)
        if which.size:
            wanted = forms.take(pa.array(which)).to_pylist() if isinstance(forms, pa.Array) else [forms[i] for i in which]
            table[which] = np.array([self._features_of(form) for form in wanted], dtype=np.int64)
        return {name: table[:, k] for k, name in enumerate(_FEATURE_FIELDS)}

    def sentence_starts(
        self,
        ids: np.ndarray,
        forms: Sequence[str] | pa.Array,
        form_kind: dict[str, np.ndarray],
        starts: np.ndarray,
        ends: np.ndarray,
        after_ok: np.ndarray,
        upper: np.ndarray,
        lower: np.ndarray,
        segment_start: np.ndarray,
    ) -> np.ndarray:
        """Boolean mask over tokens: True where a new sentence starts by Punkt's rules.

        Parameters
        ----------
        ids
            Per token, the index of its form in *forms*.
        forms
            Normalised forms of the batch vocabulary (strings, or Arrow strings).
        form_kind
            Per form: ``is_period`` ("."), ``sent_end`` ("?", "!" ...) and ``dotted`` (a word ending
            in a period such as "u.s."), as bool arrays.
        starts, ends
            Token spans (code points of the batch text).
        after_ok
            Per token, True when the character right after it is whitespace or one of Punkt's
            non-word punctuation marks (a boundary may follow).
        upper, lower
            Per token, whether its first character is upper / lower case.
        segment_start
            Per token, True where a document or paragraph starts (a sentence starts there anyway,
            and Punkt context never crosses it).
        """
        n = ids.size
        out = segment_start.copy()
        if n < 2:
            return out
        is_period = form_kind["is_period"][ids]
        dotted_all = form_kind["dotted"][ids]
        mark = is_period | dotted_all | form_kind["sent_end"][ids]
        has_next = np.zeros(n, dtype=bool)
        has_next[:-1] = ~segment_start[1:]
        cand = np.flatnonzero(mark & has_next & after_ok)
        if cand.size == 0:
            return out
        nxt = cand + 1
        prev_ok = (cand > 0) & ~segment_start[cand]
        prev = np.where(prev_ok, cand - 1, cand)
        adjacent = prev_ok & (ends[prev] == starts[cand])

        relevant = np.unique(np.concatenate([ids[cand], ids[prev], ids[nxt]]))
        feat = self.features(forms, relevant)
        f, fp, f2 = ids[cand], ids[prev], ids[nxt]

        cand_period = is_period[cand]
        word_before = cand_period & adjacent & (feat["is_word"][fp] == 1)
        ellipsis = cand_period & adjacent & is_period[prev]
        dotted = dotted_all[cand]

        # First pass (Punkt _first_pass_annotation).
        abbr = (word_before & (feat["abbrev"][fp] == 1)) | (dotted & (feat["abbrev"][f] == 1))
        brk = ~(ellipsis | abbr)

        # Second pass (Punkt _second_pass_annotation) for period-final tokens.
        period_final = cand_period | dotted
        typ = np.where(word_before, feat["type_id"][fp], np.where(dotted, feat["type_no_period_id"][f], -1))
        initial = word_before & (feat["initial"][fp] == 1)
        number = (word_before & (feat["number"][fp] == 1)) | (dotted & (feat["number"][f] == 1))

        next_typ = feat["type_id"][f2]
        oc2 = feat["ortho"][f2]
        up2, low2 = upper[nxt], lower[nxt]
        not_starter = feat["not_starter"][f2] == 1
        ortho_true = ~not_starter & up2 & ((oc2 & _ORTHO_LC) != 0) & ((oc2 & _ORTHO_MID_UC) == 0)
        ortho_false = not_starter | (
            ~ortho_true & low2 & (((oc2 & _ORTHO_UC) != 0) | ((oc2 & _ORTHO_BEG_LC) == 0))
        )
        ortho_unknown = ~ortho_true & ~ortho_false

        keys = (typ << 32) | next_typ
        colloc = period_final & (typ >= 0) & np.isin(keys, self._collocation_keys)
        brk[colloc] = False
        rest = period_final & ~colloc
        abbr_block = rest & (abbr | ellipsis) & ~initial
        set_true = abbr_block & (ortho_true | (up2 & (feat["starter"][f2] == 1)))
        brk[set_true] = True
        rest2 = rest & ~set_true & (initial | number)
        set_false = rest2 & (
            ortho_false | (ortho_unknown & initial & up2 & ((oc2 & _ORTHO_LC) == 0))
        )
        brk[set_false] = False

        # The new sentence starts at the first token after the mark that follows whitespace, so
        # closing quotes and brackets stay with the sentence they close (Punkt's realignment).
        breaks = cand[brk]
        if breaks.size:
            spaced = np.flatnonzero(starts[1:] > ends[:-1]) + 1
            at = np.searchsorted(spaced, breaks + 1)
            valid = at < spaced.size
            first = spaced[at[valid]]
            segments = np.flatnonzero(segment_start)  # the segment of a token: the last start at or before it
            same = np.searchsorted(segments, first, side="right") == np.searchsorted(segments, breaks[valid], side="right")
            out[first[same]] = True
        return out


@cache
def after_ok_table() -> np.ndarray:
    """Per code point: may it directly follow a sentence-ending mark (whitespace or Punkt punctuation)?"""
    table = char_tables().cls == SPACE
    for ch in _AFTER_PUNCT:
        table[ord(ch)] = True
    return table
