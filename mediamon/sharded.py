"""The analyses over a sharded corpus: per-shard partial results and their exact combination.

The functions here take a :class:`~mediamon.store.ShardedCorpus` (or a store path) where the
single-corpus functions take a :class:`~mediamon.corpus.Corpus`, with the same options, and return
the same result types with the same tables (a plain Corpus is passed through to the engine). They
run shard after shard in this process, with memory bounded by one shard; :mod:`mediamon.distributed`
runs the very same per-shard tasks on a Dask cluster.

Each analysis is a *map* over shards (a task reads one shard and its memory-mapped token index and
returns a small partial result) followed by a *combine* in shard order:

Global numbering
    A token index numbers documents, sentences, paragraphs and tokens from 0 in each shard. Units
    never span documents, so the single-corpus number of anything is its shard-local number plus
    the count of those things in the shards before it: ``doc += doc_start``, ``sentence += sentences
    before``, ``paragraph += paragraphs before``, ``token_start/end += tokens before``. With these
    offsets every ``doc``, ``sentence``, ``paragraph`` and token column equals the single-corpus
    engine's on ``read_corpus(source)``.
KWIC and mentions
    Rows of each shard in corpus order, concatenated in shard order (the single-corpus order).
    A shard's text is read only for its documents with hits (the row groups holding them).
Co-occurrence
    Per shard, the units × actors incidence product ``X.T @ X`` (or, for ``window=N``, the pair
    counts of co-mention events), the number of units and the mentions per actor; the k × k count
    matrices and the unit counts are *summed*, and the association measures are computed once on
    the summed table (:mod:`mediamon.assoc`). ``dedupe=True`` first maps every document to a digest
    of its normalised token sequence (vocabulary-independent: the forms are hashed, not the ids) and
    keeps the first document of each digest in global order, exactly as the engine does.
Collocates
    Per shard, the window counts (left, right) of each candidate form and the node hits; summed by
    form; then the unigram counts ``n_b`` of the candidates are summed over all shards (a second,
    cheap map), and the measures are computed once on the summed counts.
Timeline
    Mentions (as above) and the documents' metadata (dates, outlet; no text) are gathered and the
    engine's :func:`mediamon.timelines.timeline` counts them once, so periods, shares and undated
    documents are the engine's by construction.

Views
    A view (``store.between(...)``, ``filter``, ``sample``, ``head``) selects rows per shard. Each
    task drops the results of the other documents and renumbers what is left as if the shard held
    only the selected documents (:class:`ShardView`: a document's tokens, sentences and paragraphs
    move down by the counts of the dropped documents before it); the shards' sizes are those of the
    selection, so the combination above gives the engine's numbers on the same selection in memory.
Sorting and evidence
    A KWIC or co-occurrence result keeps a :class:`ShardedTokens` in place of the corpus index: it
    maps a global token position back to its shard and shard-local position, so :meth:`Kwic.sort`
    reads the neighbouring forms from the shard indexes and :meth:`Cooc.evidence` reads the unit
    spans and the texts of the documents behind a count from the shards (only those documents).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from . import assoc
from .corpus import Corpus, empty_manifest
from .errors import InputError, one_of
from .store import ShardedCorpus, is_store, open_store

if TYPE_CHECKING:
    from .actors import ActorSet, Mentions
    from .cooc import Collocates, Cooc
    from .concordance import Kwic
    from .timelines import Timeline
    from .tokenindex import TokenIndex

log = logging.getLogger(__name__)

__all__ = ["collocates", "cooccurrence", "kwic", "mentions", "timeline", "LocalExecutor", "as_store"]

StoreLike = ShardedCorpus | str | os.PathLike


# ---------------------------------------------------------------------------------------------
# executors: how the per-shard tasks run
# ---------------------------------------------------------------------------------------------
class LocalExecutor:
    """Run the per-shard tasks one after the other in this process (bounded memory)."""

    def map(self, fn: Callable[..., Any], store: ShardedCorpus, args: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``[fn(store, i, *args[i]) for i in shards]``, in shard order."""
        return [fn(store, i, *a) for i, a in enumerate(args)]


def _same(n: int, *args: Any) -> list[tuple[Any, ...]]:
    return [tuple(args)] * n


def as_store(data: Any, call: str) -> ShardedCorpus:
    """A ShardedCorpus from a ShardedCorpus or the path of a store."""
    if isinstance(data, ShardedCorpus):
        return data
    if isinstance(data, (str, os.PathLike)) and is_store(data):
        return open_store(data)
    raise InputError(
        f"{call}: expected a ShardedCorpus (mediamon.open_store(path)) or a store folder; got "
        f"{type(data).__name__} {str(data)[:80]!r}. Create a store with mediamon.ingest(source, dest)."
    )


# ---------------------------------------------------------------------------------------------
# per-shard helpers (run where the shard is)
# ---------------------------------------------------------------------------------------------
def _index_workers() -> int | None:
    # A Dask worker process is daemonic and cannot start the index builder's process pool.
    return 1 if mp.current_process().daemon else None


def _shard_index(store: ShardedCorpus, i: int) -> TokenIndex:
    return store.index(i, workers=_index_workers())


def _sizes(ix: TokenIndex) -> dict[str, int]:
    return {"tokens": ix.n_tokens, "sents": ix.n_sents, "paras": ix.n_paras, "docs": ix.n_docs}


def _exclusive_cumsum(x: np.ndarray) -> np.ndarray:
    out = np.zeros(x.size, dtype=np.int64)
    if x.size > 1:
        np.cumsum(x[:-1], out=out[1:])
    return out


class ShardView:
    """Shard *i* of a store as the view selects it: which documents count, and their renumbering.

    For a shard document ``d`` of the view, a shard-local token position ``t`` becomes
    ``t - tok_shift[d]``, a sentence ``s - sent_shift[d]``, a paragraph ``p - para_shift[d]`` and
    the document ``doc_new[d]``: the numbers an index of the selected documents alone would give
    (units never span documents). Without a view every shift is 0.
    """

    def __init__(self, store: ShardedCorpus, i: int, ix: TokenIndex) -> None:
        n = ix.n_docs
        rows = store.shard_rows(i)
        self.all = rows is None
        self.keep = np.ones(n, dtype=bool)
        if rows is not None:
            self.keep[:] = False
            self.keep[np.asarray(rows, dtype=np.int64)] = True
        self.rows = np.flatnonzero(self.keep)
        self.doc_new = np.cumsum(self.keep, dtype=np.int64) - 1
        doc_first = np.asarray(ix.doc_offsets[:-1], dtype=np.int64)
        if self.all:
            zero = np.zeros(n, dtype=np.int64)
            self.tok_shift = self.sent_shift = self.para_shift = zero
            self.sizes = _sizes(ix)
        else:
            k = self.keep.astype(np.int64)
            ntok = np.diff(np.asarray(ix.doc_offsets, dtype=np.int64))
            nsent = np.bincount(np.asarray(ix.sent_doc, dtype=np.int64), minlength=n).astype(np.int64)
            npara = np.bincount(np.asarray(ix.para_doc, dtype=np.int64), minlength=n).astype(np.int64)
            self.tok_shift = doc_first - _exclusive_cumsum(ntok * k)
            self.sent_shift = _exclusive_cumsum(nsent) - _exclusive_cumsum(nsent * k)
            self.para_shift = _exclusive_cumsum(npara) - _exclusive_cumsum(npara * k)
            self.sizes = {"tokens": int((ntok * k).sum()), "sents": int((nsent * k).sum()),
                          "paras": int((npara * k).sum()), "docs": int(k.sum())}  # fmt: skip
        #: view-local first token of each selected document (for mapping positions back)
        self.view_doc_first = (doc_first - self.tok_shift)[self.rows]

    def hit_rows(self, rows: np.ndarray) -> np.ndarray:
        """*rows* (shard-local documents) that the view selects."""
        return rows if self.all else rows[self.keep[rows]]

    def mentions(self, df: pd.DataFrame) -> pd.DataFrame:
        """Mention rows of the selected documents, renumbered (``doc``, ``sentence``, ``paragraph``,
        ``token_start``/``token_end``)."""
        if self.all or not len(df):
            return df
        doc = df["doc"].to_numpy(dtype=np.int64)
        df = df[self.keep[doc]].reset_index(drop=True)
        return self.renumber(df)

    def renumber(self, df: pd.DataFrame) -> pd.DataFrame:
        """Renumber mention rows that all belong to selected documents."""
        if self.all or not len(df):
            return df
        doc = df["doc"].to_numpy(dtype=np.int64)
        return df.assign(
            doc=self.doc_new[doc],
            sentence=df["sentence"].to_numpy(dtype=np.int64) - self.sent_shift[doc],
            paragraph=df["paragraph"].to_numpy(dtype=np.int64) - self.para_shift[doc],
            token_start=df["token_start"].to_numpy(dtype=np.int64) - self.tok_shift[doc],
            token_end=df["token_end"].to_numpy(dtype=np.int64) - self.tok_shift[doc],
        )

    def to_shard(self, pos: np.ndarray) -> np.ndarray:
        """View-local token positions back to shard-local ones."""
        pos = np.asarray(pos, dtype=np.int64)
        if self.all or not pos.size:
            return pos
        j = np.searchsorted(self.view_doc_first, pos, side="right") - 1
        return pos + self.tok_shift[self.rows[j]]


class ShardedTokens:
    """Global token positions of a sharded result, mapped back to the shards of its store (view).

    Held by a sharded :class:`~mediamon.concordance.Kwic` (for :meth:`Kwic.sort`) and
    :class:`~mediamon.cooc.Cooc` (for :meth:`Cooc.evidence`) in place of the corpus index.
    """

    def __init__(self, store: ShardedCorpus, tokens_before: np.ndarray) -> None:
        self.store = store
        self.tokens_before = np.asarray(tokens_before, dtype=np.int64)
        self._views: dict[int, ShardView] = {}

    def _view(self, k: int) -> ShardView:
        if k not in self._views:
            self._views[k] = ShardView(self.store, k, _shard_index(self.store, k))
        return self._views[k]

    def locate(self, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(shard, shard-local position)`` of each global token position."""
        pos = np.asarray(pos, dtype=np.int64)
        shard = np.searchsorted(self.tokens_before, pos, side="right") - 1
        local = np.zeros(pos.size, dtype=np.int64)
        for k in np.unique(shard).tolist():
            sel = shard == k
            local[sel] = self._view(k).to_shard(pos[sel] - self.tokens_before[k])
        return shard, local

    def sort_columns(self, starts: np.ndarray, ends: np.ndarray, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The sort keys of :meth:`Kwic.sort` for hits at global ``[starts, ends)``, per shard."""
        from .concordance import sort_columns

        out = {key: np.full(len(starts), "", dtype=object) for key in keys}
        shard, local_start = self.locate(starts)
        local_end = local_start + (np.asarray(ends, dtype=np.int64) - np.asarray(starts, dtype=np.int64))
        for k in np.unique(shard).tolist():
            sel = np.flatnonzero(shard == k)
            cols = sort_columns(_shard_index(self.store, k), local_start[sel], local_end[sel], keys)
            for key in keys:
                out[key][sel] = cols[key]
        return out

    def unit_spans(self, unit: str, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Character span (in its document) of the *unit* holding each global token position."""
        from .cooc import _unit_spans

        start = np.zeros(len(pos), dtype=np.int64)
        end = np.zeros(len(pos), dtype=np.int64)
        shard, local = self.locate(pos)
        for k in np.unique(shard).tolist():
            sel = np.flatnonzero(shard == k)
            ix = _shard_index(self.store, k)
            at = local[sel]
            units = {"sentence": ix.sent, "paragraph": ix.para, "document": ix.doc}[unit][at].astype(np.int64)
            t0, t1 = _unit_spans(ix, unit, units)
            start[sel], end[sel] = ix.start[t0], ix.end[t1]
        return start, end

    def doc_texts(self, pos: np.ndarray) -> list[str]:
        """The text of the document holding each global token position (reads only those documents)."""
        out = [""] * len(pos)
        shard, local = self.locate(pos)
        for k in np.unique(shard).tolist():
            sel = np.flatnonzero(shard == k)
            doc = np.asarray(_shard_index(self.store, k).doc[local[sel]], dtype=np.int64)
            texts = self.store.shard(k, rows=doc, with_index=False).column_values("text")
            for j, d in zip(sel.tolist(), doc.tolist()):
                out[j] = texts[d]
        return out


def _hit_docs(ix: TokenIndex, queries: Sequence[tuple[str, str]]) -> np.ndarray:
    """Shard-local rows of documents holding any of the (pattern, match) queries (a superset of hits)."""
    rows = [ix.doc[ix.find(p, match=m)[0]] for p, m in queries]
    return np.unique(np.concatenate(rows)) if rows else np.zeros(0, np.int64)


def _alias_queries(actor_set: Any) -> list[tuple[str, str]]:
    return [(al.text, "glob" if al.is_pattern else "fixed") for a in actor_set for al in a.aliases]


def _partial_corpus(store: ShardedCorpus, i: int, ix: TokenIndex, rows: np.ndarray) -> Corpus:
    from .store import attach_index

    corpus = store.shard(i, rows=rows, with_index=False)
    return attach_index(corpus, ix)


def _offsets(parts: Sequence[dict[str, Any]], key: str) -> np.ndarray:
    return np.concatenate(([0], np.cumsum([p["sizes"][key] for p in parts]))).astype(np.int64)


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    nonempty = [f for f in frames if len(f)]
    if not nonempty:
        return frames[0].reset_index(drop=True) if frames else pd.DataFrame()
    return pd.concat(nonempty, ignore_index=True) if len(nonempty) > 1 else nonempty[0].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# kwic
# ---------------------------------------------------------------------------------------------
def task_kwic(store: ShardedCorpus, i: int, pattern: Any, options: dict[str, Any]) -> dict[str, Any]:
    """KWIC rows of shard *i* (shard-local token positions) and the shard's sizes."""
    from .actors import Actor, resolve_actors
    from .concordance import _kwic

    ix = _shard_index(store, i)
    actors = options.get("actors")
    if isinstance(pattern, Actor):
        queries = _alias_queries([pattern])
    elif actors is not None and isinstance(pattern, str) and pattern in resolve_actors(actors):
        queries = _alias_queries([resolve_actors(actors)[pattern]])
    else:
        pats = [pattern] if isinstance(pattern, str) else list(pattern)
        queries = [(p, options.get("match", "fixed")) for p in pats]
    view = ShardView(store, i, ix)
    corpus = _partial_corpus(store, i, ix, view.hit_rows(_hit_docs(ix, queries)))
    result = _kwic(corpus, pattern, **options, keep_doc=None if view.all else view.keep)
    df, params = result.df, result.params
    if not view.all and len(df):
        doc = np.asarray(ix.doc[df["token_start"].to_numpy(dtype=np.int64)], dtype=np.int64)
        shift = view.tok_shift[doc]
        df = df.assign(token_start=df["token_start"].to_numpy(np.int64) - shift,
                       token_end=df["token_end"].to_numpy(np.int64) - shift)  # fmt: skip
    return {"df": df, "params": params, "sizes": view.sizes}


def kwic(
    store: StoreLike | Corpus,
    pattern: str | Sequence[str] | Any,
    *,
    match: Literal["fixed", "glob", "regex"] = "fixed",
    window: int | tuple[int, int] = 5,
    ignore_case: bool = True,
    actors: ActorSet | str | os.PathLike[str] | None = None,
    clip: Literal["document", "sentence"] = "document",
    executor: Any = None,
) -> Kwic:
    """:func:`mediamon.kwic` over a sharded corpus: the same rows in the same (corpus) order.

    ``token_start``/``token_end`` are global token positions (see the module docstring); ``doc_id``
    and the character offsets are those of the single-corpus engine. *executor* runs the per-shard
    tasks (default: in this process; :mod:`mediamon.distributed` passes a Dask one).
    """
    from .actors import resolve_actors
    from .concordance import Kwic
    from .concordance import kwic as kwic_one

    if isinstance(store, Corpus):
        return kwic_one(store, pattern, match=match, window=window, ignore_case=ignore_case, actors=actors, clip=clip)
    store = as_store(store, "kwic()")
    if actors is not None:
        actors = resolve_actors(actors)
    options = {"match": match, "window": window, "ignore_case": ignore_case, "actors": actors, "clip": clip}
    parts = (executor or LocalExecutor()).map(task_kwic, store, _same(store.n_shards, pattern, options))
    tok = _offsets(parts, "tokens")
    frames = []
    for k, p in enumerate(parts):
        df = p["df"]
        if len(df):
            df = df.assign(token_start=df["token_start"] + tok[k], token_end=df["token_end"] + tok[k])
        frames.append(df)
    df = _concat(frames)
    params = dict(parts[0]["params"]) if parts else {"pattern": pattern}
    params.update(corpus=store.fingerprint, shards=store.n_shards)
    return Kwic(df=df, params=params, _index=ShardedTokens(store, tok))


# ---------------------------------------------------------------------------------------------
# mentions
# ---------------------------------------------------------------------------------------------
def task_mentions(store: ShardedCorpus, i: int, actor_set: ActorSet) -> dict[str, Any]:
    """Mentions of shard *i* with shard-local numbers, and the shard's sizes."""
    from .actors import mentions as mentions_one

    ix = _shard_index(store, i)
    view = ShardView(store, i, ix)
    corpus = _partial_corpus(store, i, ix, view.hit_rows(_hit_docs(ix, _alias_queries(actor_set))))
    df = view.mentions(mentions_one(corpus, actor_set).df)
    return {"df": df, "sizes": view.sizes, "doc_start": int(store.doc_starts[i])}


def _globalise_mentions(parts: Sequence[dict[str, Any]]) -> pd.DataFrame:
    tok, sen, par = _offsets(parts, "tokens"), _offsets(parts, "sents"), _offsets(parts, "paras")
    frames = []
    for k, p in enumerate(parts):
        df = p["df"]
        if len(df):
            df = df.assign(
                doc=df["doc"] + p["doc_start"],
                sentence=df["sentence"] + sen[k],
                paragraph=df["paragraph"] + par[k],
                token_start=df["token_start"] + tok[k],
                token_end=df["token_end"] + tok[k],
            )
            if "unit" in df.columns:
                df["unit"] = p["unit_offset"] + df["unit"] if p.get("unit_offset") is not None else df["unit"]
        frames.append(df)
    return _concat(frames)


def mentions(store: StoreLike | Corpus, actors: ActorSet | str | os.PathLike[str], *, executor: Any = None) -> Mentions:
    """:func:`mediamon.mentions` over a sharded corpus: the same rows, global ``doc``/``sentence``/
    ``paragraph``/token numbers (see the module docstring)."""
    from .actors import Mentions, resolve_actors
    from .actors import mentions as mentions_one

    if isinstance(store, Corpus):
        return mentions_one(store, actors)
    store = as_store(store, "mentions()")
    actor_set = resolve_actors(actors)
    parts = (executor or LocalExecutor()).map(task_mentions, store, _same(store.n_shards, actor_set))
    return Mentions(df=_globalise_mentions(parts), params={"corpus": store.fingerprint, "actors": actor_set.ids})


# ---------------------------------------------------------------------------------------------
# cooccurrence
# ---------------------------------------------------------------------------------------------
def task_doc_digests(store: ShardedCorpus, i: int) -> list[bytes]:
    """Per document of shard *i*: a digest of its normalised token sequence, independent of the
    shard's vocabulary ids (each form is hashed, then the sequence of form hashes)."""
    ix = _shard_index(store, i)
    form_hash = np.fromiter(
        (int.from_bytes(hashlib.blake2b(f.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
         for f in ix.vocab),
        dtype=np.uint64, count=len(ix.vocab),
    )  # fmt: skip
    seq = form_hash[np.asarray(ix.ids)] if ix.n_tokens else np.zeros(0, np.uint64)
    off = ix.doc_offsets
    rows = store.shard_rows(i)
    docs = range(ix.n_docs) if rows is None else np.asarray(rows, dtype=np.int64).tolist()
    return [hashlib.blake2b(seq[off[d] : off[d + 1]].tobytes(), digest_size=16).digest() for d in docs]


def _dedupe(store: ShardedCorpus, executor: Any) -> tuple[np.ndarray, pd.DataFrame]:
    parts = executor.map(task_doc_digests, store, _same(store.n_shards))
    digests = [d for p in parts for d in p]
    keys = pd.Series(digests, dtype=object)
    rows = np.arange(len(keys))
    first_row = keys.groupby(keys, sort=False).transform(lambda s: s.index[0]).to_numpy() if len(keys) else rows
    keep = first_row == rows
    dropped = np.flatnonzero(~keep)
    ids = np.concatenate([store.shard_metadata(i, ["doc_id"])["doc_id"].to_numpy(dtype=object)
                          for i in range(store.n_shards)]) if dropped.size else np.zeros(0, object)  # fmt: skip
    dups = pd.DataFrame({"doc_id": ids[dropped] if dropped.size else pd.Series(dtype=object),
                         "duplicate_of": ids[first_row[dropped]] if dropped.size else pd.Series(dtype=object)})  # fmt: skip
    return keep, dups


def task_cooc(
    store: ShardedCorpus, i: int, actor_set: ActorSet, unit: str, window: int | None, keep: np.ndarray | None
) -> dict[str, Any]:
    """Shard *i*'s co-occurrence counts: ``k × k`` matrix, units, mentions per actor, mention rows."""
    from .actors import mentions as mentions_one
    from .cooc import count_pairs

    ix = _shard_index(store, i)
    view = ShardView(store, i, ix)
    corpus = _partial_corpus(store, i, ix, view.hit_rows(_hit_docs(ix, _alias_queries(actor_set))))
    m = mentions_one(corpus, actor_set).df
    ids = actor_set.ids
    k = len(ids)
    keep_doc = view.keep.copy()
    if keep is not None:  # dedupe: over the view's documents of this shard
        keep_doc[view.rows] &= np.asarray(keep, dtype=bool)
    if keep is not None or not view.all:
        m = m[keep_doc[m["doc"].to_numpy(dtype=np.int64)]].reset_index(drop=True)
    codes = m["actor"].astype(str).map({a: j for j, a in enumerate(ids)}).to_numpy(dtype=np.int64)
    m, counts, n, events = count_pairs(m, codes, ids, ix, keep_doc, unit=unit, window=window)
    if not view.all and len(m):
        m = view.renumber(m)
        if window is None:
            m["unit"] = m[{"sentence": "sentence", "paragraph": "paragraph", "document": "doc"}[unit]]
    return {
        "counts": counts, "n": n, "mention_counts": np.bincount(codes, minlength=k).astype(np.int64),
        "df": m, "events": events, "sizes": view.sizes, "doc_start": int(store.doc_starts[i]),
    }  # fmt: skip


def cooccurrence(
    store: StoreLike | Corpus,
    actors: ActorSet | str | os.PathLike[str],
    *,
    unit: Literal["sentence", "paragraph", "document"] = "sentence",
    window: int | None = None,
    min_count: int = 1,
    dedupe: bool = False,
    executor: Any = None,
) -> Cooc:
    """:func:`mediamon.cooccurrence` over a sharded corpus: summed counts, measures computed once.

    The result's ``df``, ``counts``, ``n``, ``actors``, ``duplicates``, ``mentions`` and ``events``
    equal the engine's on the whole corpus (or view). ``Cooc.evidence`` reads the units behind a
    count from the shards (only the documents behind it).
    """
    from .actors import resolve_actors
    from .cooc import UNITS, Cooc, _pairs_table
    from .cooc import cooccurrence as cooc_one

    call = "cooccurrence()"
    if isinstance(store, Corpus):
        return cooc_one(store, actors, unit=unit, window=window, min_count=min_count, dedupe=dedupe)
    if window is None and unit not in UNITS:
        raise one_of(call, "unit", unit, UNITS)
    if window is not None:
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
            raise InputError(f"{call}: window={window!r} is invalid; pass a number of tokens >= 1.")
        window = int(window)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise InputError(f"{call}: min_count={min_count!r} is invalid; pass an integer >= 0.")
    if hasattr(actors, "df"):
        raise InputError(
            f"{call}: a Mentions result cannot be split back into shards; pass the ActorSet (or the "
            "actors YAML path) the mentions came from."
        )
    store = as_store(store, call)
    executor = executor or LocalExecutor()
    actor_set = resolve_actors(actors)
    ids = actor_set.ids
    k = len(ids)
    starts = store.doc_starts
    if dedupe:
        keep, dups = _dedupe(store, executor)
        keeps = [keep[starts[j] : starts[j + 1]] for j in range(store.n_shards)]
    else:
        keep = np.ones(len(store), dtype=bool)
        dups = pd.DataFrame({"doc_id": pd.Series(dtype=object), "duplicate_of": pd.Series(dtype=object)})
        keeps = [None] * store.n_shards
    args = [(actor_set, unit, window, keeps[j]) for j in range(store.n_shards)]
    parts = executor.map(task_cooc, store, args)
    counts = np.zeros((k, k), dtype=np.int64)
    n = 0
    mention_counts = np.zeros(k, dtype=np.int64)
    for p in parts:
        counts += p["counts"]
        n += p["n"]
        mention_counts += p["mention_counts"]
    if window is None:
        off_key = {"sentence": "sents", "paragraph": "paras", "document": None}[unit]
        unit_off = _offsets(parts, off_key) if off_key else starts
        for j, p in enumerate(parts):
            p["unit_offset"] = int(unit_off[j])
    m = _globalise_mentions(parts)
    events = None
    if window is not None:
        rows_before = np.concatenate(([0], np.cumsum([len(p["df"]) for p in parts])))
        ev = []
        for j, p in enumerate(parts):
            e = p["events"]
            if len(e):
                e = e.assign(i=e["i"] + rows_before[j], j=e["j"] + rows_before[j])
            ev.append(e)
        events = _concat(ev)
    tokens = _offsets(parts, "tokens")
    df = _pairs_table(counts, ids, n, min_count)
    actors_df = pd.DataFrame([{"id": a.id, "name": a.name, "kind": a.kind} for a in actor_set],
                             columns=["id", "name", "kind"])  # fmt: skip
    actors_df["n"] = np.diag(counts).astype(np.int64)
    actors_df["mentions"] = mention_counts
    params = {
        "call": "cooccurrence", "unit": "window" if window else unit, "window": window,
        "min_count": int(min_count), "dedupe": bool(dedupe), "n_docs": int(keep.sum()),
        "n_duplicates": int(len(dups)), "corpus": store.name, "fingerprint": store.fingerprint,
        "shards": store.n_shards,
    }  # fmt: skip
    return Cooc(df=df, params=params, actors=actors_df, counts=counts, n=n, duplicates=dups,
                mentions=m, events=events, corpus=ShardedTokens(store, tokens))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# collocates
# ---------------------------------------------------------------------------------------------
class _Spans:
    """A stand-in for a Mentions result: just ``.df`` with shard-local token spans."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df


def task_sizes(store: ShardedCorpus, i: int) -> dict[str, int]:
    """Tokens, sentences, paragraphs and documents of shard *i* (of the view)."""
    return ShardView(store, i, _shard_index(store, i)).sizes


def task_window_counts(
    store: ShardedCorpus, i: int, node: Any, window: tuple[int, int], match: str
) -> dict[str, Any]:
    """Shard *i*'s collocate window counts (every form with a window hit), hits and tokens."""
    from .cooc import collocates as colloc_one

    ix = _shard_index(store, i)
    view = ShardView(store, i, ix)
    corpus = _partial_corpus(store, i, ix, np.zeros(0, np.int64))
    if not view.all:
        if isinstance(node, _Spans):  # view-local positions back to the shard's
            ts = view.to_shard(node.df["token_start"].to_numpy(np.int64))
            te = ts + (node.df["token_end"].to_numpy(np.int64) - node.df["token_start"].to_numpy(np.int64))
        else:
            from .cooc import _node_spans

            ts, te, _ = _node_spans(ix, node, match, "collocates()")
            ok = view.keep[np.asarray(ix.doc[ts], dtype=np.int64)] if ts.size else np.zeros(0, bool)
            ts, te = ts[ok], te[ok]
        node = _Spans(pd.DataFrame({"token_start": np.asarray(ts, np.int64), "token_end": np.asarray(te, np.int64)}))
    r = colloc_one(corpus, node, window=window, measure="n_ab", min_count=0, stopwords=None,
                   punctuation=True, match=match)  # fmt: skip
    return {"df": r.df[["collocate", "left", "right"]], "hits": int(r.params["hits"]), "tokens": view.sizes["tokens"]}


def task_form_counts(store: ShardedCorpus, i: int, forms: Sequence[str]) -> np.ndarray:
    """Frequency in shard *i* of each matching form in *forms* (0 when absent)."""
    ix = _shard_index(store, i)
    view = ShardView(store, i, ix)
    vid = np.fromiter((ix.vocab_id(f) for f in forms), dtype=np.int64, count=len(forms))
    out = np.zeros(len(forms), dtype=np.int64)
    ok = vid >= 0
    if view.all:
        counts = ix.counts
    else:  # frequencies in the selected documents only
        ids = np.asarray(ix.ids)[view.keep[np.asarray(ix.doc, dtype=np.int64)]]
        counts = np.bincount(ids, minlength=len(ix.vocab)).astype(np.int64)
    out[ok] = counts[vid[ok]]
    return out


def collocates(
    store: StoreLike | Corpus,
    node: str | Sequence[str] | Any,
    *,
    window: int | tuple[int, int] = 5,
    measure: str = "log_dice",
    min_count: int = 3,
    stopwords: str | Sequence[str] | None = "english",
    punctuation: bool = False,
    match: Literal["fixed", "glob", "regex"] = "fixed",
    per_position: bool = False,
    executor: Any = None,
) -> Collocates:
    """:func:`mediamon.collocates` over a sharded corpus: window counts and unigram counts summed over
    shards, scored once. *node* may be a word, phrase, list, or a Mentions result of
    :func:`mentions` on the same store (global token positions)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .cooc import Collocates, COLLOCATE_COLUMNS, _window_pair
    from .cooc import collocates as colloc_one
    from .stopwords import vocab_mask

    call = "collocates()"
    if isinstance(store, Corpus):
        return colloc_one(store, node, window=window, measure=measure, min_count=min_count, stopwords=stopwords,
                          punctuation=punctuation, match=match, per_position=per_position)  # fmt: skip
    left, right = _window_pair(window, call)
    if measure != "n_ab" and measure not in assoc.MEASURES:
        raise one_of(call, "measure", measure, ["n_ab", *assoc.MEASURES])
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 0:
        raise InputError(f"{call}: min_count={min_count!r} is invalid; pass an integer >= 0.")
    store = as_store(store, call)
    executor = executor or LocalExecutor()
    if hasattr(node, "df") and {"token_start", "token_end"} <= set(node.df.columns):
        d = node.df
        label = ",".join(pd.unique(d["actor"].astype(str))) if "actor" in d.columns else "mentions"
        sizes = executor.map(task_sizes, store, _same(store.n_shards))
        tok = np.concatenate(([0], np.cumsum([s["tokens"] for s in sizes])))
        ts = d["token_start"].to_numpy(dtype=np.int64)
        shard_of = np.searchsorted(tok, ts, side="right") - 1
        nodes = []
        for j in range(store.n_shards):
            sel = d[shard_of == j]
            cols = {"token_start": sel["token_start"].to_numpy(np.int64) - tok[j],
                    "token_end": sel["token_end"].to_numpy(np.int64) - tok[j]}  # fmt: skip
            if "actor" in sel.columns:
                cols["actor"] = sel["actor"].to_numpy(dtype=object)
            nodes.append(_Spans(pd.DataFrame(cols)))
        args = [(nodes[j], (left, right), match) for j in range(store.n_shards)]
    else:
        label = node if isinstance(node, str) else " | ".join(node)
        args = _same(store.n_shards, node, (left, right), match)
    parts = executor.map(task_window_counts, store, args)
    hits = sum(p["hits"] for p in parts)
    n_tok = sum(p["tokens"] for p in parts)
    frames = [p["df"] for p in parts if len(p["df"])]
    if frames:
        summed = pd.concat(frames, ignore_index=True).groupby("collocate", sort=False)[["left", "right"]].sum()
    else:
        summed = pd.DataFrame({"left": pd.Series(dtype=np.int64), "right": pd.Series(dtype=np.int64)},
                              index=pd.Index([], dtype=object, name="collocate"))  # fmt: skip
    forms = summed.index.to_numpy(dtype=object)
    lc = summed["left"].to_numpy(dtype=np.int64)
    rc = summed["right"].to_numpy(dtype=np.int64)
    raw = lc + rc
    cand = raw >= max(min_count, 1)
    if not punctuation and forms.size:
        cand &= np.asarray(pc.match_substring_regex(pa.array(forms.tolist(), pa.string()), r"[\p{L}\p{N}]"), dtype=bool)
    if stopwords is not None and forms.size:
        cand &= ~vocab_mask(forms.tolist(), stopwords)
    cid = np.flatnonzero(cand)
    cforms = forms[cid]
    n_b_parts = executor.map(task_form_counts, store, _same(store.n_shards, cforms.tolist()))
    n_b = np.sum(n_b_parts, axis=0).astype(np.int64) if n_b_parts else np.zeros(cid.size, np.int64)
    raw_c = raw[cid]
    n_ab = raw_c.astype(np.float64)
    if per_position:
        n_ab = n_ab / float(left + right)
    df = pd.DataFrame(
        {
            "collocate": cforms.astype(str) if cid.size else np.zeros(0, dtype=str),
            "n_ab": n_ab if per_position else raw_c,
            "left": lc[cid],
            "right": rc[cid],
            "n_a": np.full(cid.size, hits, dtype=np.int64),
            "n_b": n_b,
            "n": np.full(cid.size, n_tok, dtype=np.int64),
        }
    )
    if cid.size:
        scores = assoc.all_measures(n_ab, np.full(cid.size, float(hits)), n_b.astype(np.float64),
                                    np.full(cid.size, float(n_tok)), check=False)  # fmt: skip
    else:
        scores = {name: np.zeros(0) for name in assoc.MEASURES}
    for name in assoc.MEASURES:
        df[name] = np.asarray(scores[name], dtype=np.float64)
    key = df[measure].to_numpy(dtype=np.float64)
    rank = np.empty(cid.size, dtype=np.int64)
    rank[np.argsort(np.asarray(cforms.tolist(), dtype=str), kind="stable")] = np.arange(cid.size)
    order = np.lexsort((rank, -np.nan_to_num(key, nan=-np.inf)))
    df = df.iloc[order].reset_index(drop=True)[list(COLLOCATE_COLUMNS)]
    params = {
        "call": "collocates", "node": label, "hits": int(hits), "window": (left, right), "measure": measure,
        "min_count": int(min_count),
        "stopwords": stopwords if stopwords is None or isinstance(stopwords, str) else "custom",
        "punctuation": bool(punctuation), "match": match, "per_position": bool(per_position),
        "corpus": store.name, "shards": store.n_shards,
    }  # fmt: skip
    return Collocates(df, params)


# ---------------------------------------------------------------------------------------------
# timeline
# ---------------------------------------------------------------------------------------------
_TIMELINE_COLUMNS = ("doc_id", "date", "source", "title")


def task_metadata(store: ShardedCorpus, i: int, columns: Sequence[str]) -> pd.DataFrame:
    """Shard *i*'s documents without text: just *columns*."""
    return store.shard_metadata(i, columns)


def metadata_corpus(store: ShardedCorpus, columns: Sequence[str], executor: Any = None) -> Corpus:
    """A :class:`Corpus` of every document's metadata with empty texts (for counting, not reading)."""
    parts = (executor or LocalExecutor()).map(task_metadata, store, _same(store.n_shards, list(columns)))
    docs = _concat(parts) if parts else pd.DataFrame({c: [] for c in columns})
    docs = docs.assign(text="", body_start=0, body_end=0)
    return Corpus(docs, empty_manifest(), name=store.name)


def timeline(
    store: StoreLike | Corpus,
    actors: Any = None,
    *,
    freq: str = "M",
    by: str | None = None,
    pairs: bool = False,
    executor: Any = None,
) -> Timeline:
    """:func:`mediamon.timeline` over a sharded corpus (mentions and document metadata gathered from
    the shards, counted once by the engine; module docstring)."""
    from .errors import ColumnError
    from .timelines import timeline as timeline_one

    if isinstance(store, Corpus):
        return timeline_one(store, actors, freq=freq, by=by, pairs=pairs)
    store = as_store(store, "timeline()")
    executor = executor or LocalExecutor()
    columns = list(_TIMELINE_COLUMNS)
    if by is not None and by not in columns:
        known = set()
        for s in store.shards:
            known |= set(s.dtypes)
        if by not in known:
            raise ColumnError(f"timeline(): by={by!r} is not a document column; columns are {sorted(known)}.")
        columns.append(by)
    meta = metadata_corpus(store, columns, executor)
    if actors is not None and not hasattr(actors, "df"):
        actors = mentions(store, actors, executor=executor)
    return timeline_one(meta, actors, freq=freq, by=by, pairs=pairs)
