"""Words that keep company: the collocates of a node (:func:`collocates`) and the full table of word
pairs (:func:`word_pairs`), scored by association measures (:mod:`mediamon.stats.assoc`).

Collocate table
    The quanteda/AntConc window table: ``n_ab`` = occurrences of the collocate inside the node's
    windows (a token inside the windows of two node hits counts twice), ``n_a`` = node frequency
    (hits), ``n_b`` = collocate frequency in the corpus, ``n`` = tokens in the corpus (punctuation
    included; punctuation and stopwords are only excluded as candidates). Such tables can have
    ``n_ab > n_a``; they are scored as given (``check=False``), exactly as NLTK's
    ``BigramCollocationFinder`` does.

Deduplication
    ``dedupe="exact"`` or ``"near"`` (:mod:`mediamon.analysis.duplicates`) counts each cluster of
    repeated articles once: node hits, windows, ``n_b`` and ``n`` are counted over the kept
    documents only.

Per shard, the window counts are ``bincount``\\ s of vocabulary ids; shards are combined by form
(:class:`~mediamon.partials.FormCounts`), and the corpus frequencies of the candidates are counted in a
second, cheap pass. The measures are computed once, on the sums.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..options import Match, check_choice, check_dedupe, check_match, check_min_count, check_window_sides, shared_docs
from ..partials import FormCounts, Part, combine
from ..results import Result
from ..shards import Shard, Source, as_source, map_shards, open_shard
from ..stats import assoc
from ..stopwords import for_languages, vocab_mask
from .duplicates import (
    dedupe_params, duplicate_documents, keep_per_shard, kept_documents, kept_form_counts, kept_token_count,
)  # fmt: skip
from .mentions import split_mentions

__all__ = ["COLLOCATE_COLUMNS", "Collocates", "collocates", "word_pairs"]

#: Columns of :attr:`Collocates.df`.
COLLOCATE_COLUMNS: tuple[str, ...] = (
    "collocate", "n_ab", "left", "right", "n_a", "n_b", "n", "expected", *assoc.SCORES
)  # fmt: skip

_WORD = r"[\p{L}\p{N}]"


@dataclass(frozen=True, eq=False, repr=False)
class Collocates(Result):
    """Words around a node, with window counts and association scores.

    ``df`` columns: ``collocate`` (matching form), ``n_ab`` (occurrences inside the node's windows,
    possibly divided by the window span with ``per_position=True``), ``left``/``right`` (raw counts
    on each side), ``n_a`` (node hits), ``n_b`` (collocate frequency in the corpus), ``n`` (tokens),
    ``expected`` and the measures of :mod:`mediamon.stats.assoc`; sorted by ``params['measure']``
    descending, ties by collocate.
    """

    #: Documents left out by ``dedupe``: ``doc_id``, ``duplicate_of`` (and ``similarity``).
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    columns = COLLOCATE_COLUMNS

    def __repr__(self) -> str:
        p = self.params
        return f"<Collocates of {p['node']!r}: {len(self.df):,} collocates, {p['hits']:,} hits, window={p['window']}>"

    def caption(self) -> str:
        p = self.params
        return (
            f"Collocates of {p['node']!r} (window {p['window'][0]} left, {p['window'][1]} right; "
            f"{p['hits']:,} hits; by {p['measure']})"
        )

    def top(self, k: int = 20) -> pd.DataFrame:
        """The first *k* rows of ``df``."""
        return self.df.head(k)


def _descending_order(vals: np.ndarray, tie_key: np.ndarray, tie_span: int) -> np.ndarray:
    """Order by *vals* descending (nan last), ties by *tie_key* ascending (``0 <= tie_key < tie_span``).

    Equivalent to ``np.lexsort((tie_key, -vals))`` but built from two quicksorts on int64/float64,
    several times faster on large tables.
    """
    key = -np.nan_to_num(np.asarray(vals, dtype=np.float64), nan=-np.inf)
    o = np.argsort(key)
    sk = key[o]
    group = np.zeros(sk.size, dtype=np.int64)
    if sk.size > 1:
        np.cumsum(sk[1:] != sk[:-1], out=group[1:])
    n_groups = int(group[-1]) + 1 if sk.size else 0
    if n_groups * float(tie_span) >= 2.0**62:
        return np.lexsort((tie_key, key))
    composite = group * np.int64(tie_span) + tie_key[o].astype(np.int64)
    return o[np.argsort(composite)]


def _code_point_rank(forms: Sequence[str] | np.ndarray) -> np.ndarray:
    """Rank of each form in code-point order (Python's string order), for tie-breaks."""
    arr = np.asarray(forms, dtype=str)
    rank = np.empty(arr.size, dtype=np.int64)
    rank[np.argsort(arr, kind="stable")] = np.arange(arr.size)
    return rank


# ---------------------------------------------------------------------------------------------
# collocates
# ---------------------------------------------------------------------------------------------
def _node_spans(shard: Shard, node: Any, match: str, keep: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Index spans of the node's hits in the shard's kept documents (sorted by start, then end)."""
    ix = shard.index
    if isinstance(node, pa.Table):  # mentions of this shard, selection-local numbers
        ts = shard.index_tokens(node.column("token_start").to_numpy())
        te = ts + (node.column("token_end").to_numpy() - node.column("token_start").to_numpy())
        order = np.lexsort((te, ts))
        s, e = ts[order], te[order]
    else:
        s, e = ix.find(node, match=match)  # type: ignore[arg-type]
    if s.size and (not shard.all or keep is not None):
        ok = kept_documents(shard, keep)[ix.doc[s]]
        s, e = s[ok], e[ok]
    return np.asarray(s, np.int64), np.asarray(e, np.int64)


def task_window_counts(
    source: Source, i: int, node: Any, window: tuple[int, int], match: str, keep: np.ndarray | None = None
) -> Part:
    """Per shard: the collocate window counts (left, right) of every form, the node hits and the
    tokens (of the documents *keep* keeps)."""
    shard = open_shard(source, i)
    ix = shard.index
    starts, ends = _node_spans(shard, node, match, keep)
    left, right = window
    v = len(ix.vocab)
    hit_doc = np.asarray(ix.doc[starts], dtype=np.int64) if starts.size else np.zeros(0, np.int64)
    d0 = ix.doc_offsets[hit_doc].astype(np.int64)
    d1 = ix.doc_offsets[hit_doc + 1].astype(np.int64)
    # positions covered by any node occurrence (running max of ends handles overlapping hits)
    cover_end = np.maximum.accumulate(ends) if ends.size else ends

    def side(pos: np.ndarray, valid: np.ndarray) -> np.ndarray:
        pos = pos[valid]
        if starts.size and pos.size:
            j = np.searchsorted(starts, pos, side="right") - 1
            inside = (j >= 0) & (pos < cover_end[np.maximum(j, 0)])
            pos = pos[~inside]
        return np.bincount(ix.ids[pos], minlength=v).astype(np.int64)

    if left:
        lp = starts[:, None] - np.arange(1, left + 1)[None, :]
        lc = side(lp.ravel(), (lp >= d0[:, None]).ravel())
    else:
        lc = np.zeros(v, np.int64)
    if right:
        rp = ends[:, None] + np.arange(right)[None, :]
        rc = side(rp.ravel(), (rp < d1[:, None]).ravel())
    else:
        rc = np.zeros(v, np.int64)
    seen = np.flatnonzero(lc + rc)
    # "here": the form's frequency in this shard's selection; with one shard that is n_b itself
    here = kept_form_counts(shard, keep)
    counts = FormCounts(ix._vocab_arrow, (seen,), {"left": lc[seen], "right": rc[seen], "here": here[seen]})
    kept = shard.selected if keep is None else shard.selected[np.asarray(keep, dtype=bool)]
    langs = Counter(shard.table(kept, ("lang",)).column("lang").to_pylist())  # for stopwords="auto"
    return Part(sizes=shard.sizes, counts={"windows": counts, "hits": int(starts.size), "languages": langs,
                                           "tokens": kept_token_count(shard, keep)},
                shards=(shard.sizes,))  # fmt: skip


def task_form_counts(source: Source, i: int, forms: pa.Array, keep: np.ndarray | None = None) -> Part:
    """Per shard: the frequency of each of *forms* in the selected (kept) documents (0 when absent)."""
    shard = open_shard(source, i)
    # where each vocabulary form stands in *forms* (a hash of the few forms, not of the vocabulary)
    at = pc.fill_null(pc.index_in(shard.index._vocab_arrow, value_set=forms), -1).to_numpy().astype(np.int64)
    found = np.flatnonzero(at >= 0)
    out = np.zeros(len(forms), dtype=np.int64)
    out[at[found]] = kept_form_counts(shard, keep)[found]
    return Part(sizes=shard.sizes, counts={"n_b": out}, shards=(shard.sizes,))


def _node(source: Source, node: Any, match: str, call: str) -> tuple[list[tuple[Any, ...]] | tuple[Any, ...], str, bool]:
    """Per-shard node arguments, the node's label, and whether they differ per shard."""
    if hasattr(node, "df") and {"token_start", "token_end"} <= set(node.df.columns):
        d = node.df
        label = ",".join(pd.unique(d["actor"].astype(str))) if "actor" in d.columns else "mentions"
        return [(t,) for t in split_mentions(node, source, call)], label, True
    if isinstance(node, str) or (isinstance(node, Sequence) and node and all(isinstance(x, str) for x in node)):
        check_match(match, call)
        label = node if isinstance(node, str) else " | ".join(node)
        return (node if isinstance(node, str) else list(node),), label, False
    raise InputError(
        f"{call}: node={node!r} is not supported; pass a word or phrase (str), a list of them, "
        "or a Mentions result (e.g. mediamon.mentions(corpus, actors).of('putin'))."
    )


@shared_docs
def collocates(
    corpus: Source | str | os.PathLike[str],
    node: str | Sequence[str] | Any,
    *,
    window: int | tuple[int, int] = 5,
    measure: str = "log_dice",
    min_count: int = 3,
    stopwords: str | Iterable[str] | None = "auto",
    punctuation: bool = False,
    match: Match = "fixed",
    per_position: bool = False,
    dedupe: bool | str | Any = False,
    executor: object = None,
) -> Collocates:
    """Words that occur near a word, phrase or actor, ranked by an association measure.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either.
    node
        A word or phrase (matched like :func:`mediamon.kwic`: normalised, phrase tokens in sequence),
        a list of them (their union), or a Mentions result (e.g. one actor's mentions).
    {window_sides}
        Tokens of the node occurrences themselves are never counted.
    measure
        Sort key: a name in :data:`mediamon.stats.assoc.MEASURES` or ``"n_ab"``.
    {min_count}
        Counted raw, before *per_position*.
    stopwords
        Excluded as candidates: ``"auto"`` (default: the lists of the languages of the documents
        analysed, e.g. English and Russian for the bundled sample), a spec for
        :func:`mediamon.stopwords.stopwords` (``"english"``, ``"russian"``, ``"persian"``,
        ``"nltk:english"``, ``"english+russian"``), a list, or ``None``.
    punctuation
        Keep punctuation tokens as candidates (excluded by default; they always count in ``n``).
    {match}
    per_position
        Divide ``n_ab`` by the number of window positions ``left + right`` before scoring, as
        Church & Hanks (1990) and NLTK's ``BigramCollocationFinder`` (``window_size - 1``) do.
    {dedupe}
    {executor}

    Returns
    -------
    Collocates
        See the module docstring for the 2×2 table: ``n_ab`` = occurrences in the windows, ``n_a`` =
        node hits, ``n_b`` = collocate frequency, ``n`` = corpus tokens.

    Notes
    -----
    ``collocates(c, w, window=(0, k - 1), per_position=True, stopwords=None, punctuation=True,
    min_count=f)`` reproduces NLTK's ``BigramCollocationFinder.from_words(tokens, window_size=k)``
    restricted to bigrams starting with ``w`` (frequency filter ``f``), for every measure.

    Examples
    --------
    >>> import mediamon as mm
    >>> col = mm.collocates(mm.read_corpus("corpora/seed"), "Minnikhanov", window=3, min_count=1)
    >>> col.df["collocate"].tolist()[:2]
    ['rustam', 'president']
    """
    call = "collocates()"
    source = as_source(corpus, call)
    left, right = check_window_sides(window, call)
    check_choice(measure, "measure", ["n_ab", *assoc.MEASURES], call)
    min_count = check_min_count(min_count, call)
    mode = check_dedupe(dedupe, call)
    args, label, per_shard = _node(source, node, match, call)
    keep, dups = duplicate_documents(source, mode, executor=executor)
    keeps = keep_per_shard(source, keep)
    shard_args = [(*(args[j] if per_shard else args), (left, right), match, keeps[j]) for j in range(len(keeps))]
    part = combine(map_shards(source, task_window_counts, shard_args, executor=executor))  # type: ignore[arg-type]
    windows: FormCounts = part.counts["windows"]
    hits, n_tok = int(part.counts["hits"]), int(part.counts["tokens"])
    lc, rc, here = windows.values["left"], windows.values["right"], windows.values["here"]
    raw = lc + rc
    forms_arrow = windows.vocab.take(pa.array(windows.keys[0]))
    cand = raw >= max(min_count, 1)
    if not punctuation and len(forms_arrow):
        cand &= np.asarray(pc.match_substring_regex(forms_arrow, _WORD), dtype=bool)
    forms = np.asarray(forms_arrow.filter(pa.array(cand)).to_pylist(), dtype=object)
    lc, rc, raw, here = lc[cand], rc[cand], raw[cand], here[cand]
    stopwords = for_languages(stopwords, part.counts.get("languages", {}))
    if stopwords is not None and forms.size:
        keep = ~vocab_mask(forms.tolist(), stopwords)
        forms, lc, rc, raw, here = forms[keep], lc[keep], rc[keep], raw[keep], here[keep]
    if len(part.shards) == 1 or not forms.size:
        n_b = here
    else:  # a form may occur in shards where it has no window hit: count it everywhere
        form_array = pa.array(forms.tolist(), type=pa.string())
        form_args = [(form_array, k) for k in keeps]
        n_b = combine(map_shards(source, task_form_counts, form_args, executor=executor)).counts["n_b"]
    n_ab = raw.astype(np.float64) / float(left + right) if per_position else raw
    df = pd.DataFrame(
        {
            "collocate": forms.astype(str) if forms.size else np.zeros(0, dtype=str),
            "n_ab": n_ab,
            "left": lc,
            "right": rc,
            "n_a": np.full(forms.size, hits, dtype=np.int64),
            "n_b": n_b,
            "n": np.full(forms.size, n_tok, dtype=np.int64),
        }
    )
    if forms.size:
        scores = assoc.all_measures(np.asarray(n_ab, np.float64), np.full(forms.size, float(hits)),
                                    n_b.astype(np.float64), np.full(forms.size, float(n_tok)), check=False)  # fmt: skip
    else:
        scores = {name: np.zeros(0) for name in assoc.MEASURES}
    for name in assoc.MEASURES:
        df[name] = np.asarray(scores[name], dtype=np.float64)
    order = _descending_order(df[measure].to_numpy(dtype=np.float64), _code_point_rank(forms), max(forms.size, 1))
    df = df.iloc[order].reset_index(drop=True)[list(COLLOCATE_COLUMNS)]
    params = {
        "call": "collocates", "node": label, "hits": hits, "window": (left, right), "measure": measure,
        "min_count": min_count,
        "stopwords": stopwords if stopwords is None or isinstance(stopwords, str) else "custom",
        "punctuation": bool(punctuation), "match": match, "per_position": bool(per_position),
        **dedupe_params(mode, dups), "corpus": source.name,
    }  # fmt: skip
    return Collocates(df, params, duplicates=dups)


# ---------------------------------------------------------------------------------------------
# word_pairs(): the full window association table (NLTK BigramCollocationFinder equivalent)
# ---------------------------------------------------------------------------------------------
def task_word_pairs(source: Source, i: int, window: int) -> Part:
    """Per shard: counts of ordered word pairs within *window* tokens, and word frequencies."""
    shard = open_shard(source, i)
    ix = shard.index
    ids = np.asarray(ix.ids, dtype=np.int64)
    doc = np.asarray(ix.doc, dtype=np.int64)
    v = np.int64(len(ix.vocab))
    codes = []
    for k in range(1, window):  # window - 1 vectorised passes, not a loop over tokens
        same = doc[:-k] == doc[k:]
        if not shard.all:
            same &= shard.keep[doc[:-k]]
        codes.append(ids[:-k][same] * v + ids[k:][same])
    allc = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    uniq, cnt = np.unique(allc, return_counts=True)
    unigram = shard.counts
    seen = np.flatnonzero(unigram)
    vocab = ix._vocab_arrow
    return Part(
        sizes=shard.sizes,
        counts={"pairs": FormCounts(vocab, (uniq // v, uniq % v), {"count": cnt.astype(np.int64)}),
                "words": FormCounts(vocab, (seen,), {"count": unigram[seen]})},  # fmt: skip
        shards=(shard.sizes,),
    )


def word_pairs(
    corpus: Source | str | os.PathLike[str],
    *,
    window: int = 5,
    measure: str = "llr",
    min_count: int = 1,
    per_position: bool = True,
    executor: object = None,
) -> pd.DataFrame:
    """Every ordered word pair ``(w1, w2)`` with ``w2`` among the ``window - 1`` tokens after ``w1``
    in one document, with counts and one measure, sorted by the measure (ties by ``w1, w2``).

    This is the table NLTK's ``BigramCollocationFinder.from_words(tokens, window_size=window)``
    builds (documents kept apart), computed with numpy: ``n_ab`` = pair count (divided by
    ``window - 1`` when *per_position*, as NLTK does), ``n_a`` and ``n_b`` the token frequencies,
    ``n`` the number of tokens. Columns: ``w1, w2`` (categoricals over the forms of the table, in
    code-point order), ``count, n_ab, n_a, n_b, n, <measure>``.

    Examples
    --------
    >>> import mediamon as mm
    >>> pairs = mm.word_pairs(mm.read_corpus("corpora/seed"), window=2, measure="pmi", min_count=2)
    >>> ("vladimir", "putin") in set(zip(pairs["w1"], pairs["w2"]))
    True
    """
    call = "word_pairs()"
    source = as_source(corpus, call)
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or not 2 <= window <= 1000:
        raise InputError(f"{call}: window={window!r} is invalid; pass an integer from 2 to 1000 (as NLTK's window_size).")
    check_choice(measure, "measure", list(assoc.MEASURES), call)
    min_count = check_min_count(min_count, call)
    part = combine(map_shards(source, task_word_pairs, (int(window),), executor=executor))
    pairs, words = part.counts["pairs"], part.counts["words"]
    vocab = pairs.vocab
    v = len(vocab)
    freq = np.zeros(v, dtype=np.int64)
    # both tables unify the same shard vocabularies in the same order, so their vocabularies agree
    word_ids = words.keys[0] if words.vocab.equals(vocab) else pc.index_in(pa.array(words.forms().tolist(), pa.string()), value_set=vocab).to_numpy()
    freq[word_ids] = words.values["count"]
    cnt = pairs.values["count"]
    keep = cnt >= max(min_count, 1)
    w1, w2, cnt = pairs.keys[0][keep], pairs.keys[1][keep], cnt[keep]
    n_tok = part.sizes.tokens
    n_ab = cnt / float(window - 1) if per_position else cnt.astype(np.float64)
    vals = assoc.score(measure, n_ab, freq[w1].astype(np.float64), freq[w2].astype(np.float64), float(n_tok), check=False)
    # ties by (w1, w2) in code-point order: rank the forms of the table only, not the vocabulary
    present = np.zeros(v, dtype=bool)
    present[w1] = present[w2] = True
    used = np.flatnonzero(present)
    used_forms = vocab.take(pa.array(used)).to_pylist()
    code = np.zeros(v, dtype=np.int64)
    code[used] = _code_point_rank(used_forms)
    order = _descending_order(vals, code[w1] * used.size + code[w2], max(used.size, 1) ** 2)
    w1, w2, cnt, n_ab, vals = w1[order], w2[order], cnt[order], n_ab[order], np.asarray(vals)[order]
    # categories: the forms in the table, in code-point order (the same however the corpus is sharded)
    categories = pd.Index(sorted(used_forms), dtype=object)
    return pd.DataFrame(
        {
            "w1": pd.Categorical.from_codes(code[w1], categories=categories, validate=False),
            "w2": pd.Categorical.from_codes(code[w2], categories=categories, validate=False),
            "count": cnt,
            "n_ab": n_ab,
            "n_a": freq[w1],
            "n_b": freq[w2],
            "n": np.full(w1.size, n_tok, dtype=np.int64),
            measure: vals,
        }
    )
