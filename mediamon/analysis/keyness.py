"""Keyness: the words that set a target apart from a reference (AntConc's Keyword tool, quanteda's
``textstat_keyness``, Sketch Engine's simple maths), with the evidence behind every count.

Target and reference
    ``target`` is a *view* of the corpus (``corpus.filter(source=...)``, ``corpus.between(...)``,
    ``sample``, ``head``; of a Corpus or of a store) or the *contexts of an actor*: the tokens within
    ``window=N`` tokens of its mentions, or in the units (``unit="sentence"``, ``"paragraph"``,
    ``"document"``) holding one, as quanteda's ``tokens_keep(window=)`` / ``tokens_remove(window=)``
    pair does. The mentions themselves belong to neither side (the name of the actor is not its own
    keyword). ``reference=None`` is the *rest of the corpus*: every token of the corpus outside the
    target, so target and reference partition the corpus. ``reference`` may also be another view of
    the same corpus (documents in both then count on both sides) or another corpus altogether.

Counting
    A view knows its root: an in-memory view is its base corpus's index with a selection of rows
    (:attr:`mediamon.corpus.Corpus.base_rows`), a store view is the store's shards with rows per
    shard. So the target and reference become two masks over the corpus's documents, decided from
    metadata alone, and one pass over each shard's index counts both: the target by gathering its
    token ranges (cost ∝ its tokens), the rest as the shard's frequencies minus the target's (no second
    index, no pass over the rest). Shards give :class:`~mediamon.partials.FormCounts` (their
    vocabularies differ), which add up exactly.

The 2×2 table of a word (:mod:`mediamon.stats.keyness`)::

                   target        reference
        word   |  a            | b            |
        other  |  c - a        | d - b        |
                  c              d

``a``, ``b``: occurrences of the word; ``c``, ``d``: word tokens of each side (punctuation tokens are
neither tested nor counted in the totals unless ``punctuation=True``; stopwords are not tested but
count in the totals, since they are words of the text). Every measure is computed on every tested
word, effect sizes (log ratio with its interval, %DIFF, simple maths) next to significance (signed
chi², signed G², optionally Fisher's exact p), with p-values adjusted for the number of words tested
(Benjamini–Hochberg by default).

References
----------
Rayson, P. & Garside, R. (2000). Comparing corpora using frequency profiling. *Workshop on
Comparing Corpora*, ACL 2000, 1–6.

Hardie, A. (2014). Log Ratio: an informal introduction. CASS, Lancaster University.

Gabrielatos, C. (2018). Keyness analysis: nature, metrics and techniques. In Taylor & Marchi (eds),
*Corpus Approaches to Discourse*, Routledge, 225–258.

Kilgarriff, A. (2009). Simple maths for keywords. *Corpus Linguistics 2009*, Liverpool.

Benoit, K. et al. (2018). quanteda: an R package for the quantitative analysis of textual data.
*JOSS* 3(30), 774 (``textstat_keyness``, ``tokens_keep(window=)``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from ..actors import Actor, ActorSet, resolve_actors
from ..corpus import Corpus
from ..errors import InputError, NotFoundError
from ..options import (
    Unit, check_choice, check_dedupe, check_min_count, check_unit, check_window_distance, check_window_sides,
    shared_docs,
)  # fmt: skip
from ..partials import FormCounts, Part, combine, combine_forms
from ..plot import plot_keyness
from ..results import Result
from ..shards import Layout, Shard, Source, as_source, map_shards, open_shard, shard_count
from ..stats import keyness as measures
from ..stats.adjust import ADJUST_METHODS
from ..stopwords import vocab_mask
from ..store import ShardedCorpus
from .cooc import unit_spans
from .duplicates import NearDuplicates, dedupe_params, duplicate_documents
from .kwic import Kwic, kwic_rows
from .mentions import actor_spans, split_mentions

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["KEYNESS_COLUMNS", "KEYNESS_MEASURES", "Keyness", "keyness"]

#: What a keyword list can be sorted by (descending: words over-represented in the target first).
KEYNESS_MEASURES: tuple[str, ...] = ("g2", "chi2", "log_ratio", "pct_diff", "simple_maths")
#: The corrections of the chi² and G² statistics (``None``: Yates for chi², none for G²).
CORRECTIONS: tuple[str, ...] = ("yates", "williams", "none")

#: Columns of :attr:`Keyness.df` (``fisher_p`` and ``fisher_p_adj`` only with ``fisher=True``).
KEYNESS_COLUMNS: tuple[str, ...] = (
    "word", "target", "reference", "target_docs", "target_rest", "reference_rest",
    "rate_target", "rate_reference", "expected_target", "expected_reference",
    "log_ratio", "log_ratio_low", "log_ratio_high", "pct_diff", "simple_maths",
    "chi2", "chi2_p", "chi2_p_adj", "g2", "g2_p", "g2_p_adj", "fisher_p", "fisher_p_adj",
)  # fmt: skip

_EMPTY = np.zeros(0, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    """Which tokens of one side count, shard by shard (what :meth:`Keyness.evidence` searches).

    ``source`` is the corpus the masks refer to; ``docs`` one bool array per shard over the
    source's documents of that shard (``None``: no document filter), ``keep`` the documents left
    by ``dedupe`` (``None``: all), ``spans`` and ``nodes`` per shard the context token ranges and the
    mentions inside them (selection-local positions, ``[start, end)``), ``inside`` whether the side
    is the inside of the spans (the target) or their outside (the rest).
    """

    source: Source
    docs: tuple[np.ndarray | None, ...]
    keep: tuple[np.ndarray | None, ...]
    spans: tuple[np.ndarray, ...] | None = None
    nodes: tuple[np.ndarray, ...] | None = None
    inside: bool = True


@dataclass(frozen=True, eq=False, repr=False)
class Keyness(Result):
    """Words of a target against a reference: counts, rates, the 2×2 table, effect sizes and tests.

    Attributes
    ----------
    df
        One row per tested word (:data:`KEYNESS_COLUMNS`): ``word`` (matching form), ``target`` and
        ``reference`` (occurrences, ``a`` and ``b``), ``target_docs`` (documents of the target where
        it occurs), ``target_rest`` = ``c - a`` and ``reference_rest`` = ``d - b`` (the other cells
        of the 2×2 table), ``rate_target``/``rate_reference`` (per million words), the expected
        counts, the effect sizes ``log_ratio`` (with ``log_ratio_low``/``log_ratio_high``, its
        interval at ``params['confidence']``, 95% by default), ``pct_diff``, ``simple_maths``, and the signed statistics ``chi2``, ``g2`` with
        their p-values and adjusted p-values (``*_p_adj``); definitions in
        :mod:`mediamon.stats.keyness`. Sorted by ``params['measure']`` descending (ties by word): the
        target's keywords first, the reference's (negative keywords) last.
    params
        The call: measure, corrections, min_count, stopwords, ``tokens_target`` (``c``),
        ``tokens_reference`` (``d``), ``documents_target``, ``documents_reference``,
        ``words_tested``, labels of both sides, dedupe and the corpus.
    """

    target_region: Region | None = field(default=None, repr=False)
    reference_region: Region | None = field(default=None, repr=False)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    columns = KEYNESS_COLUMNS

    def __repr__(self) -> str:
        p = self.params
        return f"<Keyness {p['target']!r} vs {p['reference']!r}: {len(self.df):,} words by {p['measure']}>"

    def caption(self) -> str:
        p = self.params
        n_pos, n_neg = len(self.significant()), len(self.significant(positive=False))
        return (
            f"Keyness of {p['target']} ({p['tokens_target']:,} words) against {p['reference']} "
            f"({p['tokens_reference']:,} words): {p['words_tested']:,} words tested; {n_pos:,} keywords of the target "
            f"and {n_neg:,} of the reference with adjusted p <= 0.05 ({p['test']}, {p['adjust']}); sorted by "
            f"{p['measure']}"
        )

    def top(self, k: int = 20) -> pd.DataFrame:
        """The *k* words most over-represented in the target (by the measure)."""
        return self.df.head(k)

    def bottom(self, k: int = 20) -> pd.DataFrame:
        """The *k* words most over-represented in the reference (negative keywords), strongest first."""
        return self.df.iloc[::-1].head(k).reset_index(drop=True)

    def significant(self, alpha: float = 0.05, *, test: str | None = None, positive: bool = True) -> pd.DataFrame:
        """Words whose adjusted p-value of *test* (``"g2"``, ``"chi2"`` or ``"fisher"``; default the
        call's) is at most *alpha*, over-represented in the target (``positive=False``: in the
        reference), in the order of ``df``."""
        test = test or self.params["test"]
        column = f"{test}_p_adj"
        if column not in self.df.columns:
            raise InputError(
                f"Keyness.significant(): test={test!r} has no column {column!r}; use 'g2', 'chi2', or "
                "'fisher' on a result computed with fisher=True."
            )
        side = self.df["g2"] > 0 if positive else self.df["g2"] < 0
        return self.df[(self.df[column] <= alpha) & side]

    def evidence(
        self, word: str, *, where: Literal["target", "reference"] = "target", window: int | tuple[int, int] = 5,
        limit: int | None = None,
    ) -> Kwic:  # fmt: skip
        """The concordance of *word* (a matching form of ``df['word']``) in the target (or in the
        reference): one row per counted occurrence, so ``len(k.evidence(w)) == target`` of ``w``.

        Only the texts of the documents with hits are read; positions are those of the corpus.
        """
        region = self.target_region if where == "target" else self.reference_region if where == "reference" else None
        if region is None:
            if where not in ("target", "reference"):
                raise InputError(f"Keyness.evidence(): where={where!r} is invalid; must be 'target' or 'reference'.")
            raise InputError("Keyness.evidence(): this result has no corpus attached (it was read from a file).")
        if not isinstance(word, str) or not word:
            raise InputError(f"Keyness.evidence(): word must be a non-empty str; got {word!r}.")
        sides = check_window_sides(window, "Keyness.evidence()", allow_empty=True)
        n = shard_count(region.source)
        args = [(word, region.docs[j], region.keep[j], None if region.spans is None else region.spans[j],
                 None if region.nodes is None else region.nodes[j], region.inside, sides) for j in range(n)]  # fmt: skip
        part = combine(map_shards(region.source, task_evidence, args))
        df = part.tables["kwic"].to_pandas(types_mapper=_text_types)
        if limit is not None:
            df = df.head(limit)
        params = {"call": "keyness.evidence", "pattern": word, "where": where, "window": sides,
                  "corpus": getattr(region.source, "fingerprint", None)}  # fmt: skip
        return Kwic(df=df, params=params, layout=Layout.of(region.source, part))

    def plot(self, *, top: int = 20, measure: str | None = None, reference: bool = True, ax: Axes | None = None) -> Axes:
        """Bars of the top words of the target and of the reference (:func:`mediamon.plot.plot_keyness`)."""
        return plot_keyness(self, top=top, measure=measure, reference=reference, ax=ax)


def _text_types(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    # the same pandas types as mediamon.kwic(): text columns stay Arrow strings
    text = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    return pd.ArrowDtype(arrow_type) if text else None


# ---------------------------------------------------------------------------------------------
# counting on one index
# ---------------------------------------------------------------------------------------------
def _exclusive_cumsum(x: np.ndarray) -> np.ndarray:
    out = np.zeros(x.size, dtype=np.int64)
    if x.size > 1:
        np.cumsum(x[:-1], out=out[1:])
    return out


def range_positions(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Every position of the ranges ``[starts, ends)``, concatenated in order (vectorised)."""
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.maximum(np.asarray(ends, dtype=np.int64) - starts, 0)
    total = int(lengths.sum())
    if total == 0:
        return _EMPTY
    return np.repeat(starts - _exclusive_cumsum(lengths), lengths) + np.arange(total, dtype=np.int64)


def merge_ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The union of ranges ``[starts, ends)`` as sorted, disjoint, non-adjacent ranges."""
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if starts.size == 0:
        return _EMPTY, _EMPTY
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)
    first = np.ones(s.size, dtype=bool)
    first[1:] = s[1:] > reach[:-1]
    at = np.flatnonzero(first)
    return s[at], np.maximum.reduceat(e, at)


def in_ranges(pos: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which positions lie in one of the sorted, disjoint ranges ``[starts, ends)``."""
    if starts.size == 0 or pos.size == 0:
        return np.zeros(pos.size, dtype=bool)
    j = np.searchsorted(starts, pos, side="right") - 1
    return (j >= 0) & (pos < ends[np.maximum(j, 0)])


def _frequencies(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    return np.bincount(ids, minlength=vocab_size).astype(np.int64)


def doc_frequencies(ix: Any, pos: np.ndarray, *, method: Literal["auto", "pairs", "postings"] = "auto") -> np.ndarray:
    """Per vocabulary id of *ix*, the number of documents where it occurs among positions *pos*.

    ``"pairs"``: the distinct (document, id) pairs of the positions (a sort of ``len(pos)``
    values); ``"postings"``: along the postings (positions grouped by id, in corpus order within an
    id, so documents change at most once per new document) a pass over the whole index, cheaper
    when *pos* is a large part of it. ``"auto"`` picks by size; both give the same counts.
    """
    v = len(ix.vocab)
    if pos.size == 0:
        return np.zeros(v, dtype=np.int64)
    if method == "pairs" or (method == "auto" and 16 * pos.size < ix.n_tokens):
        code = np.asarray(ix.doc[pos], dtype=np.int64) * v + np.asarray(ix.ids[pos], dtype=np.int64)
        return _frequencies(np.unique(code) % v, v)
    member = np.zeros(ix.n_tokens, dtype=bool)
    member[pos] = True
    postings = np.asarray(ix.postings)
    kept = np.flatnonzero(member[postings])
    ids = np.repeat(np.arange(v, dtype=np.int32), np.diff(np.asarray(ix.postings_ptr)))[kept]
    docs = ix.doc[postings[kept]]
    new = np.ones(kept.size, dtype=bool)
    new[1:] = (ids[1:] != ids[:-1]) | (docs[1:] != docs[:-1])
    return _frequencies(ids[new], v)


def _doc_rows_positions(ix: Any, rows: np.ndarray) -> np.ndarray:
    off = np.asarray(ix.doc_offsets, dtype=np.int64)
    return range_positions(off[rows], off[rows + 1])


def _selection_counts(shard: Shard, keep: np.ndarray | None) -> np.ndarray:
    """Frequencies of the selected documents kept by dedupe (gathering the smaller side)."""
    if keep is None or keep.all():
        return shard.counts
    ix = shard.index
    v = len(ix.vocab)
    if 2 * int(keep.sum()) <= keep.size:
        return _frequencies(ix.ids[_doc_rows_positions(ix, shard.selected[keep])], v)
    return shard.counts - _frequencies(ix.ids[_doc_rows_positions(ix, shard.selected[~keep])], v)


@dataclass(frozen=True)
class Context:
    """The contexts of an actor: *window* tokens each side of its mentions, or the *unit* holding them."""

    actor: Actor | None
    window: int | None
    unit: str | None
    label: str


def context_ranges(
    shard: Shard, context: Context, given: pa.Table | None, kept_rows: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """``(span_starts, span_ends, node_starts, node_ends, mentions, documents)`` in index positions:
    the merged context ranges *including* the mentions, and the merged mentions."""
    ix = shard.index
    if given is not None:
        local = given.column("token_start").to_numpy().astype(np.int64)
        length = given.column("token_end").to_numpy().astype(np.int64) - local
        s = shard.index_tokens(local)
        e = s + length
    else:
        s, e = actor_spans(shard, context.actor)  # type: ignore[arg-type]
    if kept_rows is not None and s.size:
        kept = np.zeros(ix.n_docs, dtype=bool)
        kept[kept_rows] = True
        ok = kept[np.asarray(ix.doc[s], dtype=np.int64)]
        s, e = s[ok], e[ok]
    if s.size == 0:
        return _EMPTY, _EMPTY, _EMPTY, _EMPTY, 0, 0
    doc = np.asarray(ix.doc[s], dtype=np.int64)
    off = np.asarray(ix.doc_offsets, dtype=np.int64)
    if context.window is not None:
        lo = np.maximum(s - context.window, off[doc])
        hi = np.minimum(e + context.window, off[doc + 1])
    elif context.unit == "sentence":
        so = ix.sent_offsets
        lo, hi = so[np.asarray(ix.sent[s], dtype=np.int64)], so[np.asarray(ix.sent[e - 1], dtype=np.int64) + 1]
    else:
        units = ix.para if context.unit == "paragraph" else ix.doc
        lo, _ = unit_spans(ix, context.unit, np.asarray(units[s], dtype=np.int64))  # type: ignore[arg-type]
        _, last = unit_spans(ix, context.unit, np.asarray(units[e - 1], dtype=np.int64))  # type: ignore[arg-type]
        hi = last + 1
    us, ue = merge_ranges(np.minimum(lo, s), np.maximum(hi, e))
    ns, ne = merge_ranges(s, e)
    return us, ue, ns, ne, int(s.size), int(np.unique(doc).size)


def task_keyness(
    source: Source,
    i: int,
    context: Context | None,
    given: pa.Table | None,
    target_docs: np.ndarray | None,
    reference: str,
    reference_docs: np.ndarray | None,
    keep: np.ndarray | None,
    punctuation: bool,
) -> Part:
    """Per shard: each form's frequency in the target and in the reference, and the target's
    document frequency.

    *target_docs* / *reference_docs*: bool over the shard's selected documents (views); *context*:
    the actor's contexts instead (with *given* mention rows of this shard, or its aliases).
    *reference* is ``"rest"`` (the selection's other tokens), ``"docs"`` or ``"none"``. *keep*:
    the documents left by dedupe.
    """
    shard = open_shard(source, i)
    ix = shard.index
    v = len(ix.vocab)
    kept = np.ones(shard.selected.size, dtype=bool) if keep is None else keep
    spans = nodes = (_EMPTY, _EMPTY)
    mentions = 0
    if context is None:
        t_rows = shard.selected[target_docs & kept]  # type: ignore[operator]
        t_pos = _doc_rows_positions(ix, t_rows)
        t = _frequencies(ix.ids[t_pos], v)
        inside = t  # the target's tokens, all of them inside the documents
        docs_t = int(t_rows.size)
    else:
        us, ue, ns, ne, mentions, docs_t = context_ranges(shard, context, given, None if keep is None else shard.selected[kept])
        u_pos, n_pos = range_positions(us, ue), range_positions(ns, ne)
        inside = _frequencies(ix.ids[u_pos], v)
        t_pos = u_pos[~in_ranges(u_pos, ns, ne)]
        t = inside - _frequencies(ix.ids[n_pos], v)
        spans, nodes = (us, ue), (ns, ne)
    if reference == "rest":
        r = _selection_counts(shard, keep) - inside
        docs_r = int(kept.sum()) - (docs_t if context is None else 0)
    elif reference == "docs":
        r_rows = shard.selected[reference_docs & kept]  # type: ignore[operator]
        r = _frequencies(ix.ids[_doc_rows_positions(ix, r_rows)], v)
        docs_r = int(r_rows.size)
    else:
        r, docs_r = np.zeros(v, dtype=np.int64), 0
    td = doc_frequencies(ix, t_pos)
    counted = (t + r) > 0
    if not punctuation:
        counted &= ix.is_word
    seen = np.flatnonzero(counted)
    forms = FormCounts(ix._vocab_arrow, (seen,), {"target": t[seen], "reference": r[seen], "target_docs": td[seen]})

    def local(ranges: tuple[np.ndarray, np.ndarray]) -> pa.Table:
        starts, ends = ranges
        doc = np.asarray(ix.doc[starts], dtype=np.int64) if starts.size else _EMPTY
        return pa.table({"start": pa.array(shard.local_tokens(starts, doc), pa.int64()),
                         "end": pa.array(shard.local_tokens(starts, doc) + (ends - starts), pa.int64())})  # fmt: skip

    return Part(
        sizes=shard.sizes,
        tables={"spans": local(spans), "nodes": local(nodes)},
        numbering={"spans": {"start": "tokens", "end": "tokens"}, "nodes": {"start": "tokens", "end": "tokens"}},
        counts={"forms": forms, "documents_target": docs_t, "documents_reference": docs_r, "mentions": mentions},
        shards=(shard.sizes,),
    )


def task_evidence(
    source: Source,
    i: int,
    form: str,
    docs: np.ndarray | None,
    keep: np.ndarray | None,
    spans: np.ndarray | None,
    nodes: np.ndarray | None,
    inside: bool,
    window: tuple[int, int],
) -> Part:
    """Per shard: the concordance rows of the counted occurrences of *form* (see :class:`Region`)."""
    shard = open_shard(source, i)
    ix = shard.index
    vid = ix.vocab_id(form)
    pos = ix.positions(vid) if vid >= 0 else _EMPTY
    if pos.size:
        doc = np.asarray(ix.doc[pos], dtype=np.int64)
        wanted = np.ones(shard.selected.size, dtype=bool) if docs is None else docs.copy()
        if keep is not None:
            wanted &= keep
        by_row = np.zeros(ix.n_docs, dtype=bool)
        by_row[shard.selected[wanted]] = True
        ok = by_row[doc]
        if spans is not None and nodes is not None:
            local = shard.local_tokens(pos, doc)
            in_span = in_ranges(local, spans[:, 0], spans[:, 1])
            ok &= (in_span & ~in_ranges(local, nodes[:, 0], nodes[:, 1])) if inside else ~in_span
        pos = pos[ok]
    rows = kwic_rows(shard, pos, pos + 1, window, "document", form)
    return Part(sizes=shard.sizes, tables={"kwic": rows},
                numbering={"kwic": {"token_start": "tokens", "token_end": "tokens"}}, shards=(shard.sizes,))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# target and reference as masks over the corpus
# ---------------------------------------------------------------------------------------------
def _root(source: Source) -> tuple[object, np.ndarray]:
    """What a source is a selection of (a key) and its documents' rows in that root."""
    if isinstance(source, Corpus):
        rows = source.base_rows
        return source.base, np.arange(len(source), dtype=np.int64) if rows is None else np.asarray(rows, np.int64)
    starts = [s.doc_start for s in source.shards]
    rows = [np.arange(s.n_docs, dtype=np.int64) if source.shard_rows(k) is None else source.shard_rows(k)
            for k, s in enumerate(source.shards)]  # fmt: skip
    key = (str(Path(source.path).resolve()), tuple(s.fingerprint for s in source.shards))
    return key, np.concatenate([starts[k] + r for k, r in enumerate(rows)]) if rows else _EMPTY


def _same_root(a: object, b: object) -> bool:
    if isinstance(a, Corpus) and isinstance(b, Corpus):
        return a is b or a.fingerprint == b.fingerprint
    return isinstance(a, tuple) and a == b


def _doc_starts(source: Source) -> np.ndarray:
    """Where each shard's documents start among the source's documents (plus the total)."""
    if isinstance(source, ShardedCorpus):
        return source.doc_starts
    return np.asarray([0, len(source)], dtype=np.int64)


def _per_shard(source: Source, mask: np.ndarray | None) -> tuple[np.ndarray | None, ...]:
    starts = _doc_starts(source)
    n = len(starts) - 1
    return tuple(None if mask is None else mask[starts[j] : starts[j + 1]] for j in range(n))


def _mask_of(corpus: Source, view: Source, what: str, call: str) -> np.ndarray | None:
    """*view*'s documents as a mask over *corpus*'s, or ``None`` when *view* is not part of it."""
    root_c, rows_c = _root(corpus)
    root_v, rows_v = _root(view)
    if not _same_root(root_c, root_v):
        return None
    inside = np.isin(rows_v, rows_c)
    if not inside.all():
        if what == "target":
            raise InputError(
                f"{call}: the target holds {int((~inside).sum()):,} documents that are not in the corpus; pass a "
                "view of the corpus (corpus.filter(...), corpus.between(...)) or the larger corpus as the first "
                "argument."
            )
        return None
    return np.isin(rows_c, rows_v)


def _label(source: Source) -> str:
    return str(source.name)


def _target(
    corpus: Source, target: Any, *, actors: Any, window: int | None, unit: str | None, call: str
) -> tuple[Context | None, list[pa.Table] | None, np.ndarray | None, str]:
    """``(context, given mentions per shard, target mask, label)`` of the *target* argument."""
    if isinstance(target, (Corpus, ShardedCorpus)):
        if window is not None or unit is not None:
            raise InputError(
                f"{call}: window= and unit= select the contexts of an actor; the target is a view of the corpus "
                "(pass an actor id with actors=, an Actor or a Mentions result to compare an actor's contexts)."
            )
        mask = _mask_of(corpus, target, "target", call)
        if mask is None:
            raise InputError(
                f"{call}: the target {target.name!r} is not a view of the corpus {corpus.name!r}; pass "
                "corpus.filter(...)/corpus.between(...)/corpus.sample(...), or compare two corpora with "
                "keyness(corpus, corpus, reference=other_corpus)."
            )
        return None, None, mask, _label(target)
    if window is None and unit is None:
        raise InputError(
            f"{call}: the target {target!r} names an actor's contexts; choose them with window=N (tokens each "
            "side of the mentions) or unit='sentence' (or 'paragraph', 'document')."
        )
    if window is not None and unit is not None:
        raise InputError(f"{call}: pass window=N or unit=..., not both (got window={window!r}, unit={unit!r}).")
    where = f"window {window}" if window is not None else f"{unit}s"
    if hasattr(target, "df") and {"token_start", "token_end", "doc"} <= set(target.df.columns):
        who = ",".join(pd.unique(target.df["actor"].astype(str))) if "actor" in target.df.columns else "mentions"
        return Context(None, window, unit, who), split_mentions(target, corpus, call), None, f"contexts of {who} ({where})"
    actor = target if isinstance(target, Actor) else None
    if actor is None and isinstance(target, str):
        if actors is None:
            raise InputError(
                f"{call}: target={target!r} is a str; an actor id needs actors= (an ActorSet or an actors YAML "
                "file), or pass a view of the corpus."
            )
        actor_set = resolve_actors(actors)
        if target not in actor_set:
            raise NotFoundError(f"{call}: no actor {target!r} in the actor list; ids are {actor_set.ids}.")
        actor = actor_set[target]
    if actor is None:
        raise InputError(
            f"{call}: target={target!r} is not supported; pass a view of the corpus (corpus.filter(...)), an "
            "actor id with actors=, an Actor, or a Mentions result."
        )
    return Context(actor, window, unit, actor.id), None, None, f"contexts of {actor.id} ({where})"


def _check_stopwords(stopwords: object, call: str) -> str | list[str] | None:
    if stopwords is None or isinstance(stopwords, str):
        return stopwords  # type: ignore[return-value]
    if isinstance(stopwords, Iterable) and all(isinstance(w, str) for w in stopwords):  # type: ignore[union-attr]
        return list(stopwords)  # type: ignore[arg-type]
    raise InputError(f"{call}: stopwords={stopwords!r} is invalid; pass None, a spec such as 'english', or a list of words.")


# ---------------------------------------------------------------------------------------------
# the call
# ---------------------------------------------------------------------------------------------
@shared_docs
def keyness(
    corpus: Source | str | os.PathLike[str],
    target: Any,
    reference: Source | str | os.PathLike[str] | None = None,
    *,
    measure: str = "g2",
    min_count: int = 3,
    correction: str | None = None,
    stopwords: str | Sequence[str] | None = None,
    punctuation: bool = False,
    window: int | None = None,
    unit: Unit | None = None,
    actors: ActorSet | str | os.PathLike[str] | None = None,
    dedupe: bool | str = False,
    fisher: bool = False,
    adjust: str = "bh",
    smoothing: float = 1.0,
    zero: float = 0.5,
    confidence: float = 0.95,
    target_label: str | None = None,
    reference_label: str | None = None,
    executor: object = None,
) -> Keyness:
    """The keywords of a target against a reference: which words it uses more (or less) than expected.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either: where the target lives, and what "the rest"
        is when no *reference* is given.
    target
        A view of *corpus* (``corpus.filter(source="Tehran Times")``, ``corpus.between(...)``), or the
        contexts of an actor: an actor id (with *actors*), an :class:`~mediamon.actors.Actor` or a
        Mentions result of *corpus* (e.g. ``mediamon.mentions(corpus, actors).of("putin")``), with
        *window* or *unit*. The mentions themselves count on neither side.
    reference
        ``None`` (default): the rest of *corpus* (every token outside the target). A view of *corpus*
        (its documents count in full, also where they overlap the target), or another corpus or
        store (compared as a whole).
    measure
        The sort key, descending: ``"g2"`` (signed log-likelihood, default), ``"chi2"`` (signed
        chi²), ``"log_ratio"`` (Hardie 2014), ``"pct_diff"`` (%DIFF) or ``"simple_maths"``
        (Kilgarriff 2009). Every measure is in the table whichever is chosen.
    min_count
        Test only words occurring at least this often in target and reference together (so a
        word absent from the target but frequent in the reference, a negative keyword, is kept).
    correction
        ``None`` (default: Yates' continuity correction for chi², none for G²), ``"yates"``,
        ``"williams"`` or ``"none"``, applied to both statistics.
    stopwords
        Words not tested (they still count in the totals): a spec for
        :func:`mediamon.stopwords.stopwords` (``"english"``, ``"english+russian"``), a list, or
        ``None`` (default: every word is tested).
    punctuation
        Test punctuation tokens too and count them in the totals (default: words only).
    window
        With an actor target: the context is the tokens at most *window* tokens before or after a
        mention, in its document.
    unit
        With an actor target: the context is the ``"sentence"``, ``"paragraph"`` or ``"document"``
        holding a mention.
    actors
        The actor list an actor id *target* is looked up in.
    {dedupe}
    fisher
        Also compute Fisher's exact two-sided p (``fisher_p``, ``fisher_p_adj``): exact for the
        small counts where chi² and G² approximate poorly; slower on large vocabularies.
    adjust
        Adjustment of every p-value column for the number of words tested: ``"bh"``
        (Benjamini–Hochberg, default), ``"by"``, ``"bonferroni"`` or ``"none"``.
    smoothing
        The constant ``n`` of simple maths (``(fpm_t + n) / (fpm_r + n)``; Sketch Engine's default 1).
    zero
        The count that replaces a zero in the log ratio (default 0.5).
    confidence
        Level of the log-ratio interval.
    target_label, reference_label
        Names of the two sides in captions and plots (default: the views' names, "contexts of
        <actor>", "rest of <corpus>").
    {executor}

    Returns
    -------
    Keyness
        See :data:`KEYNESS_COLUMNS`; :meth:`Keyness.evidence` gives the concordance behind a count.

    Examples
    --------
    >>> import mediamon as mm
    >>> corpus = mm.read_corpus("corpora/mm-sample/mm_sample_v1.jsonl")
    >>> kremlin = corpus.filter(source="President of Russia (en.kremlin.ru)")
    >>> k = mm.keyness(corpus, kremlin)
    >>> k.top(3)["word"].tolist(), k.df.set_index("word").loc["raisi", ["target", "reference"]].tolist()
    (['we', 'our', 'i'], [0, 896])
    >>> len(k.evidence("raisi", where="reference"))
    896
    """
    call = "keyness()"
    source = as_source(corpus, call)
    check_choice(measure, "measure", KEYNESS_MEASURES, call)
    min_count = check_min_count(min_count, call)
    if correction is not None:
        check_choice(correction, "correction", CORRECTIONS, call)
    check_choice(adjust, "adjust", ADJUST_METHODS, call)
    window = check_window_distance(window, call)
    if unit is not None:
        check_unit(unit, call)
    stop = _check_stopwords(stopwords, call)
    mode = check_dedupe(dedupe, call)
    context, given, target_mask, target_label_default = _target(source, target, actors=actors, window=window, unit=unit, call=call)

    ref_source = None if reference is None else as_source(reference, call)
    ref_mask = None if ref_source is None else _mask_of(source, ref_source, "reference", call)
    keep, dups = duplicate_documents(source, mode, executor=executor)
    keeps = _per_shard(source, keep)
    targets = _per_shard(source, target_mask)
    n = shard_count(source)
    if ref_source is None:
        ref_kind, ref_label = "rest", f"rest of {source.name}"
    elif ref_mask is not None:
        ref_kind, ref_label = "docs", _label(ref_source)
    else:
        ref_kind, ref_label = "none", _label(ref_source)
    refs = _per_shard(source, ref_mask)
    args = [(context, None if given is None else given[j], targets[j], ref_kind, refs[j], keeps[j], bool(punctuation))
            for j in range(n)]  # fmt: skip
    parts = map_shards(source, task_keyness, args, executor=executor)
    part = combine(parts)
    forms: FormCounts = part.counts["forms"]
    docs_target, docs_reference = int(part.counts["documents_target"]), int(part.counts["documents_reference"])
    foreign_region = None
    n_dups = int(len(dups))
    if ref_kind == "none":  # another corpus: counted on its own, aligned by form
        assert ref_source is not None
        # a NearDuplicates result belongs to the target's corpus: the other corpus gets its own, with the same options
        ref_mode = mode
        ref_options: dict[str, Any] = {}
        if isinstance(mode, NearDuplicates):
            ref_mode = "near"
            ref_options = {k: mode.params[k] for k in ("threshold", "shingle", "num_perm", "bands", "seed") if k in mode.params}
        keep_r, dups_r = duplicate_documents(ref_source, ref_mode, executor=executor, **ref_options)
        keeps_r = _per_shard(ref_source, keep_r)
        everything = _per_shard(ref_source, np.ones(len(ref_source), dtype=bool))
        args_r = [(None, None, everything[j], "none", None, keeps_r[j], bool(punctuation))
                  for j in range(shard_count(ref_source))]  # fmt: skip
        other = combine(map_shards(ref_source, task_keyness, args_r, executor=executor))
        theirs: FormCounts = other.counts["forms"]
        zeros = np.zeros(len(theirs), dtype=np.int64)
        moved = FormCounts(theirs.vocab, theirs.keys, {"target": zeros, "reference": theirs.values["target"], "target_docs": zeros})
        forms = combine_forms([forms, moved])
        docs_reference = int(other.counts["documents_target"])
        n_dups += int(len(dups_r))
        foreign_region = Region(ref_source, everything, keeps_r)

    target_label = target_label or target_label_default
    ref_label = reference_label or ref_label
    a_all, b_all = forms.values["target"], forms.values["reference"]
    c, d = int(a_all.sum()), int(b_all.sum())
    if c == 0 or d == 0:
        empty = "target" if c == 0 else "reference"
        raise InputError(
            f"{call}: the {empty} has no {'tokens' if punctuation else 'words'} "
            f"({target_label if empty == 'target' else ref_label}); choose a larger view, another actor or a "
            "wider window."
        )
    tested = (a_all + b_all) >= max(min_count, 1)
    words = forms.vocab.take(pa.array(forms.keys[0][tested]))
    word_list = np.asarray(words.to_pylist(), dtype=object)
    a, b, td = a_all[tested], b_all[tested], forms.values["target_docs"][tested]
    if stop is not None and word_list.size:
        keep_words = ~vocab_mask(word_list.tolist(), stop)
        word_list, a, b, td = word_list[keep_words], a[keep_words], b[keep_words], td[keep_words]
    chi2_corr = correction or "yates"
    g2_corr = correction or "none"
    table = measures.keyness_table(
        a, b, float(c), float(d), chi2_correction=chi2_corr, g2_correction=g2_corr,  # type: ignore[arg-type]
        zero=zero, confidence=confidence, smoothing=smoothing, fisher=bool(fisher), adjust=adjust,  # type: ignore[arg-type]
    )  # fmt: skip
    table.insert(0, "word", word_list.astype(str) if word_list.size else np.zeros(0, dtype=str))
    table.insert(3, "target_docs", td.astype(np.int64))
    for column in ("target", "reference", "target_rest", "reference_rest"):
        table[column] = table[column].astype(np.int64)
    order = _descending(table[measure].to_numpy(dtype=np.float64), word_list)
    df = table.iloc[order].reset_index(drop=True)
    df = df[[col for col in KEYNESS_COLUMNS if col in df.columns]]

    spans = nodes = None
    if context is not None:
        spans = tuple(np.column_stack([p.tables["spans"]["start"].to_numpy(), p.tables["spans"]["end"].to_numpy()])
                      for p in parts)  # fmt: skip
        nodes = tuple(np.column_stack([p.tables["nodes"]["start"].to_numpy(), p.tables["nodes"]["end"].to_numpy()])
                      for p in parts)  # fmt: skip
    no_filter = tuple(None for _ in targets)
    target_region = Region(source, targets if context is None else no_filter, keeps, spans, nodes)
    if ref_kind == "rest":
        rest_docs = tuple(~t for t in targets) if context is None else no_filter  # type: ignore[operator]
        reference_region = Region(source, rest_docs, keeps, spans, nodes, inside=False)
    elif ref_kind == "docs":
        reference_region = Region(source, refs, keeps)
    else:
        reference_region = foreign_region
    overlap = int((target_mask & ref_mask).sum()) if target_mask is not None and ref_mask is not None else 0
    params = {
        "call": "keyness", "target": target_label, "reference": ref_label, "measure": measure,
        "test": "chi2" if measure == "chi2" else "g2", "chi2_correction": chi2_corr, "g2_correction": g2_corr,
        "min_count": min_count, "stopwords": stop if stop is None or isinstance(stop, str) else "custom",
        "punctuation": bool(punctuation), "window": window, "unit": unit, "fisher": bool(fisher), "adjust": adjust,
        "smoothing": smoothing, "zero": zero, "confidence": confidence,
        "tokens_target": c, "tokens_reference": d, "documents_target": docs_target,
        "documents_reference": docs_reference, "mentions": int(part.counts["mentions"]),
        "overlap_documents": overlap, "words_tested": int(len(df)),
        **dedupe_params(mode, dups), "n_duplicates": n_dups, "corpus": source.name, "fingerprint": source.fingerprint,
    }  # fmt: skip
    return Keyness(df=df, params=params, target_region=target_region, reference_region=reference_region,
                   duplicates=dups)  # fmt: skip


def _descending(values: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Order by *values* descending (nan last), ties by word in code-point order."""
    key = -np.nan_to_num(values, nan=-np.inf, posinf=np.inf, neginf=-np.inf)
    rank = np.empty(words.size, dtype=np.int64)
    rank[np.argsort(words.astype(str), kind="stable")] = np.arange(words.size)
    return np.lexsort((rank, key))
