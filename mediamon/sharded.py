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

Not (yet) on sharded results: :meth:`Kwic.sort` (no corpus-wide index to read neighbours from) and
:meth:`Cooc.evidence` (needs the corpus text); run them on one shard (``store.shard(i)``) or on the
in-memory corpus.
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
    from .concordance import kwic as kwic_one

    ix = _shard_index(store, i)
    actors = options.get("actors")
    if isinstance(pattern, Actor):
        queries = _alias_queries([pattern])
    elif actors is not None and isinstance(pattern, str) and pattern in resolve_actors(actors):
        queries = _alias_queries([resolve_actors(actors)[pattern]])
    else:
        pats = [pattern] if isinstance(pattern, str) else list(pattern)
        queries = [(p, options.get("match", "fixed")) for p in pats]
    corpus = _partial_corpus(store, i, ix, _hit_docs(ix, queries))
    result = kwic_one(corpus, pattern, **options)
    return {"df": result.df, "params": result.params, "sizes": _sizes(ix)}


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
    return Kwic(df=df, params=params, _index=None)


# ---------------------------------------------------------------------------------------------
# mentions
# ---------------------------------------------------------------------------------------------
def task_mentions(store: ShardedCorpus, i: int, actor_set: ActorSet) -> dict[str, Any]:
    """Mentions of shard *i* with shard-local numbers, and the shard's sizes."""
    from .actors import mentions as mentions_one

    ix = _shard_index(store, i)
    corpus = _partial_corpus(store, i, ix, _hit_docs(ix, _alias_queries(actor_set)))
    return {"df": mentions_one(corpus, actor_set).df, "sizes": _sizes(ix), "doc_start": store.shards[i].doc_start}


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
    return [hashlib.blake2b(seq[off[d] : off[d + 1]].tobytes(), digest_size=16).digest() for d in range(ix.n_docs)]


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
    corpus = _partial_corpus(store, i, ix, _hit_docs(ix, _alias_queries(actor_set)))
    m = mentions_one(corpus, actor_set).df
    ids = actor_set.ids
    k = len(ids)
    keep_doc = np.ones(ix.n_docs, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    if keep is not None:
        m = m[keep_doc[m["doc"].to_numpy(dtype=np.int64)]].reset_index(drop=True)
    codes = m["actor"].astype(str).map({a: j for j, a in enumerate(ids)}).to_numpy(dtype=np.int64)
    m, counts, n, events = count_pairs(m, codes, ids, ix, keep_doc, unit=unit, window=window)
    return {
        "counts": counts, "n": n, "mention_counts": np.bincount(codes, minlength=k).astype(np.int64),
        "df": m, "events": events, "sizes": _sizes(ix), "doc_start": store.shards[i].doc_start,
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
    equal the engine's on the whole corpus. ``Cooc.evidence`` is not available on it (it needs the
    text of every unit): call the engine on ``store.shard(i)`` or on an in-memory corpus for that.
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
                mentions=m, events=events, corpus=None)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# collocates
# ---------------------------------------------------------------------------------------------
class _Spans:
    """A stand-in for a Mentions result: just ``.df`` with shard-local token spans."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df


def task_sizes(store: ShardedCorpus, i: int) -> dict[str, int]:
    """Tokens, sentences, paragraphs and documents of shard *i*."""
    return _sizes(_shard_index(store, i))


def task_window_counts(
    store: ShardedCorpus, i: int, node: Any, window: tuple[int, int], match: str
) -> dict[str, Any]:
    """Shard *i*'s collocate window counts (every form with a window hit), hits and tokens."""
    from .cooc import collocates as colloc_one

    ix = _shard_index(store, i)
    corpus = _partial_corpus(store, i, ix, np.zeros(0, np.int64))
    r = colloc_one(corpus, node, window=window, measure="n_ab", min_count=0, stopwords=None,
                   punctuation=True, match=match)  # fmt: skip
    return {"df": r.df[["collocate", "left", "right"]], "hits": int(r.params["hits"]), "tokens": ix.n_tokens}


def task_form_counts(store: ShardedCorpus, i: int, forms: Sequence[str]) -> np.ndarray:
    """Frequency in shard *i* of each matching form in *forms* (0 when absent)."""
    ix = _shard_index(store, i)
    vid = np.fromiter((ix.vocab_id(f) for f in forms), dtype=np.int64, count=len(forms))
    out = np.zeros(len(forms), dtype=np.int64)
    ok = vid >= 0
    out[ok] = ix.counts[vid[ok]]
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
