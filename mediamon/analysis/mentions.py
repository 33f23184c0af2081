"""Every mention of every actor: :func:`mentions`, and the matching the other analyses share.

Matching rules (the actor list's aliases, see :mod:`mediamon.actors`)
    * case-insensitive on the matching form (:func:`mediamon.text.normalize`) unless an alias opts
      into ``match_case``, in which case the original text must equal the alias exactly;
    * possessives count: "Putin’s" is tokenised ``Putin`` + ``’s``, so the alias "Putin" matches;
    * the longest match wins: "President Vladimir Putin" is one mention, not three;
    * an ambiguous alias yields one mention row for each actor that claims it.

Quoted or mentioned (``mentions(..., role=...)``)
    a mention is *quoted* when it names the speaker of a direct quotation in the speaker words of
    its attribution (:func:`quoted_mask`; quotations by :mod:`mediamon.quoting`), else *mentioned*.

Per shard, the aliases are looked up in the shard's token index (postings: a query costs its hits),
the spans are reduced to the longest matches and only the text at the mentions is read (for the
matched strings). The mentions of the whole shard are kept per index and actor list
(:meth:`~mediamon.shards.Shard.cached`: in memory for a Corpus, on disk beside the shard for a
store, under a key that hashes the actor list, the index and the matching code), so a second
analysis of the same actors matches no alias again; a view keeps the rows of its documents. The
rows of all shards are then combined with global numbers (:mod:`mediamon.partials`).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import display
from ..actors import Actor, ActorSet, Alias, resolve_actors
from ..errors import InputError, one_of
from ..morphology import Candidates, candidates, inflected_forms, is_capitalised, is_cyrillic_word
from ..options import check_dedupe, shared_docs
from ..partials import Part, combine
from ..quoting import Found, find_quotations
from ..results import Result
from ..shards import Layout, Shard, Source, as_source, map_shards, open_shard
from ..tokenindex import TokenIndex
from .duplicates import dedupe_params, duplicate_documents, keep_per_shard, no_duplicates

__all__ = [
    "MENTION_COLUMNS", "MENTION_ROLES", "Mentions", "actor_spans", "longest_matches", "mention_rows", "mentions",
    "quoted_mask", "shard_quotations",
]  # fmt: skip

MENTION_COLUMNS = (
    "doc_id", "doc", "actor", "alias", "matched", "sentence", "paragraph",
    "token_start", "token_end", "char_start", "char_end", "date", "source",
)  # fmt: skip

#: The ``role`` values of :func:`mentions` (see :func:`quoted_mask` for the rule).
MENTION_ROLES = ("quoted", "mentioned")

#: How the numbered columns of a mentions table count (see :mod:`mediamon.partials`).
NUMBERING = {"doc": "documents", "sentence": "sentences", "paragraph": "paragraphs",
             "token_start": "tokens", "token_end": "tokens"}  # fmt: skip

#: The Arrow types of the metadata columns every result carries.
META_TYPES = {"doc_id": pa.string(), "date": pa.timestamp("ns", tz="UTC"), "source": pa.string(),
              "title": pa.string(), "url": pa.string()}  # fmt: skip


def metadata(shard: Shard, docs: np.ndarray, columns: Iterable[str] = ("doc_id", "date", "source", "title", "url")) -> pa.Table:
    """Metadata *columns* of index documents *docs* with the same Arrow types whatever the source
    (only those columns are taken: a title or URL per row costs more than the rest together)."""
    return shard.table(docs, tuple(columns), types=META_TYPES)


# ---------------------------------------------------------------------------------------------
# matching on one index
# ---------------------------------------------------------------------------------------------
def longest_matches(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Indices of the spans kept by leftmost-longest selection (no two kept spans overlap).

    Spans are taken left to right; at one start the longest wins; a span overlapping a kept one is
    dropped. Containment (the common case) is resolved vectorised; chains of partial overlaps fall
    back to a loop over the conflicting spans only.
    """
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-ends, starts))
    s, e = starts[order], ends[order]
    first_at_start = np.ones(s.size, dtype=bool)
    first_at_start[1:] = s[1:] != s[:-1]
    order, s, e = order[first_at_start], s[first_at_start], e[first_at_start]
    reach = np.maximum.accumulate(e)
    prev_reach = np.concatenate(([np.iinfo(np.int64).min], reach[:-1]))
    dominated = s < prev_reach
    partial = dominated & (e > prev_reach)
    keep = ~dominated
    if partial.any():
        # A span that is not dominated starts a group: it is kept whatever came before, and what
        # the groups after it keep does not depend on it. Only the groups holding a partial
        # overlap need the left-to-right walk (a shard of the 16x store had none among 164,033 spans).
        group = np.cumsum(~dominated) - 1
        walk = np.flatnonzero(np.isin(group, group[partial]))
        last_end = np.iinfo(np.int64).min
        for i, a, b in zip(walk.tolist(), s[walk].tolist(), e[walk].tolist()):
            keep[i] = a >= last_end
            if keep[i]:
                last_end = b
    return np.sort(order[keep])


#: Kinds whose names are capitalised: an inflected Cyrillic match must start with a capital.
PROPER_KINDS = frozenset({"person", "place", "organisation"})
_INFLECTED: dict[tuple[int, str], tuple[weakref.ref[TokenIndex], np.ndarray]] = {}
_CANDIDATES: dict[int, tuple[weakref.ref[TokenIndex], Candidates]] = {}
_Kept = TypeVar("_Kept")


def _per_index(cache: dict[Any, tuple[weakref.ref[TokenIndex], _Kept]], ix: TokenIndex, key: Any,
               compute: Callable[[], _Kept]) -> _Kept:  # fmt: skip
    """*compute()*, kept in *cache* under *key* while the index *ix* lives (a weak reference, so a
    later index that reuses the id never meets it)."""
    hit = cache.get(key)
    if hit is not None and hit[0]() is ix:
        return hit[1]
    value = compute()
    cache[key] = (weakref.ref(ix, lambda _r, k=key: cache.pop(k, None)), value)
    return value


def _candidates(ix: TokenIndex) -> Candidates:
    """The forms of *ix* that can inflect a Cyrillic alias: found once for all the alias tokens of
    an actor list, not once per token."""
    return _per_index(_CANDIDATES, ix, id(ix), lambda: candidates(ix._vocab_arrow))


def _inflected_ids(ix: TokenIndex, form: str) -> np.ndarray:
    """Vocabulary ids of the forms of *ix* that inflect the Cyrillic alias token *form* (cached
    while the index lives)."""

    def find() -> np.ndarray:
        found = inflected_forms(form, _candidates(ix))
        return np.asarray(sorted(ix.vocab_id(f) for f in found if ix.vocab_id(f) >= 0), dtype=np.int64)

    return _per_index(_INFLECTED, ix, (id(ix), form), find)


def _inflects(alias: Alias) -> bool:
    return not alias.is_pattern and not alias.match_case and any(is_cyrillic_word(f) for f in alias.forms)


def alias_spans(shard: Shard, alias: Alias, *, inflect: bool = False, proper: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Token spans ``(starts, ends)`` of *alias* in the shard's selected documents.

    With *inflect*, each Cyrillic token of the alias stands for its inflected forms; with *proper*
    too, a match whose first token is inflected must start with a capital letter in the text.
    """
    ix = shard.index
    inflected = inflect and _inflects(alias)
    if inflected:
        sets = [_inflected_ids(ix, f) if is_cyrillic_word(f) else ix.expand(f) for f in alias.forms]
        starts, ends = ix.find_sequence(sets)
    else:
        starts, ends = ix.find(alias.text, match="glob" if alias.is_pattern else "fixed")
    if starts.size and not shard.all:
        ok = shard.keep[ix.doc[starts]]
        starts, ends = starts[ok], ends[ok]
    if inflected and proper and starts.size and is_cyrillic_word(alias.forms[0]):
        docs = np.asarray(ix.doc[starts], dtype=np.int64)
        # the first token's surface: "Путина" is the name, "путина" the fishing season
        surfaces = shard.slices(docs, ix.start[starts], ix.end[starts]).to_pylist()
        ok = np.fromiter((is_capitalised(w) for w in surfaces), dtype=bool, count=starts.size)
        starts, ends = starts[ok], ends[ok]
    if alias.match_case and starts.size:
        docs = np.asarray(ix.doc[starts], dtype=np.int64)
        # exact comparison of the original characters, per hit (hits, not tokens)
        surfaces = shard.slices(docs, ix.start[starts], ix.end[ends - 1])
        keep = np.asarray(pc.equal(surfaces, alias.text).fill_null(False), dtype=bool)
        starts, ends = starts[keep], ends[keep]
    return np.asarray(starts, np.int64), np.asarray(ends, np.int64)


def actor_spans(shard: Shard, actor: Actor) -> tuple[np.ndarray, np.ndarray]:
    """The longest-match spans of one actor's aliases (sorted by start)."""
    spans = [alias_spans(shard, alias, inflect=actor.inflect, proper=actor.kind in PROPER_KINDS) for alias in actor.aliases]
    starts = np.concatenate([s for s, _ in spans]) if spans else np.zeros(0, np.int64)
    ends = np.concatenate([e for _, e in spans]) if spans else np.zeros(0, np.int64)
    keep = longest_matches(starts, ends)
    return starts[keep], ends[keep]


def _match_spans(shard: Shard, actors: ActorSet) -> dict[str, np.ndarray]:
    """Mention spans of every actor in the shard's selected documents (index positions): arrays
    ``label`` (a row of ``actors``/``aliases``: the actor id and alias text of each alias with a
    match), ``token_start``, ``token_end``, sorted by start.

    Longest match across all actors; an ambiguous alias keeps one row per claiming actor (spans
    identical to a kept span are kept too); an actor matched twice at one span counts once. Spans
    never cross documents, so the spans of a selection are those of the whole shard in its
    documents (which is what lets a view reuse the whole shard's mentions).
    """
    ix = shard.index
    labels: list[tuple[str, str]] = []
    codes, starts, ends = [], [], []
    for actor in actors:
        for alias in actor.aliases:
            s, e = alias_spans(shard, alias, inflect=actor.inflect, proper=actor.kind in PROPER_KINDS)
            if s.size:
                codes.append(np.full(s.size, len(labels), dtype=np.int64))
                labels.append((actor.id, alias.text))
                starts.append(s)
                ends.append(e)
    if not starts:
        empty = np.zeros(0, np.int64)
        return {"label": empty, "actors": np.zeros(0, object), "aliases": np.zeros(0, object), "token_start": empty,
                "token_end": empty}  # fmt: skip
    code = np.concatenate(codes)
    s = np.concatenate(starts)
    e = np.concatenate(ends)
    kept = longest_matches(s, e)
    span_key = s * (ix.n_tokens + 1) + e
    kept_keys = np.sort(span_key[kept])
    at = np.minimum(np.searchsorted(kept_keys, span_key), kept_keys.size - 1)
    keep = kept_keys[at] == span_key
    code, s, e = code[keep], s[keep], e[keep]
    actor_of = np.array([a for a, _ in labels], dtype=object)
    alias_of = np.array([al for _, al in labels], dtype=object)
    actor_code = pd.factorize(actor_of)[0][code]
    order = np.lexsort((code, actor_code, s))
    code, s, e, actor_code = code[order], s[order], e[order], actor_code[order]
    first = np.ones(s.size, dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (e[1:] != e[:-1]) | (actor_code[1:] != actor_code[:-1])
    code, s, e = code[first], s[first], e[first]
    return {"label": code, "actors": actor_of, "aliases": alias_of, "token_start": s, "token_end": e}


#: Version of the mention tables kept per index (:func:`mention_table`); another is recomputed.
#: 2: the matched texts are kept apart (:func:`matched_texts`), cut only for the calls that show them.
MENTION_TABLE_VERSION = 2
#: The modules whose code decides which spans are mentions: a change to any of them (an upgrade)
#: changes the key of the kept mention tables.
_MATCHING_MODULES = ("mediamon.analysis.mentions", "mediamon.actors", "mediamon.morphology", "mediamon.text",
                     "mediamon.indexbuild", "mediamon.tokenindex", "mediamon.textspans", "mediamon.shards")  # fmt: skip


@lru_cache(maxsize=1)
def _matching_code() -> str:
    h = hashlib.blake2b(digest_size=16)
    for name in _MATCHING_MODULES:
        h.update(Path(importlib.import_module(name).__file__).read_bytes())  # type: ignore[arg-type]
    return h.hexdigest()


def actors_fingerprint(actors: ActorSet) -> str:
    """A hash of everything of *actors* that decides their mentions (ids and their order, kinds,
    ``inflect``, each alias's text, ``match_case`` and pattern flag)."""
    described = [[a.id, a.kind, a.inflect, [[al.text, al.match_case, al.is_pattern] for al in a.aliases]]
                 for a in actors]  # fmt: skip
    return hashlib.blake2b(json.dumps(described, ensure_ascii=False).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()  # fmt: skip


def _mentions_of_whole(shard: Shard, actors: ActorSet) -> pa.Table:
    """Every mention of the whole shard with index numbers: ``actor``, ``alias``, ``doc``,
    ``sentence``, ``paragraph``, ``token_start``, ``token_end``, ``char_start``, ``char_end``."""
    ix = shard.index
    raw = _match_spans(shard, actors)
    ts, te = raw["token_start"], raw["token_end"]
    doc = np.asarray(ix.doc[ts], dtype=np.int64)
    char_start = np.asarray(ix.start[ts], dtype=np.int64)
    char_end = np.asarray(ix.end[te - 1], dtype=np.int64) if ts.size else np.zeros(0, np.int64)
    label = pa.array(raw["label"])
    return pa.table(
        {
            # each label's text once, then taken per mention by Arrow (no Python string per row)
            "actor": pa.array(raw["actors"].tolist(), type=pa.string()).take(label),
            "alias": pa.array(raw["aliases"].tolist(), type=pa.string()).take(label),
            "doc": doc,
            "sentence": np.asarray(ix.sent[ts], dtype=np.int64),
            "paragraph": np.asarray(ix.para[ts], dtype=np.int64),
            "token_start": ts,
            "token_end": te,
            "char_start": char_start,
            "char_end": char_end,
        }
    )


def _mention_key(actors: ActorSet) -> str:
    return f"mentions:{MENTION_TABLE_VERSION}:{_matching_code()}:{actors_fingerprint(actors)}"


def _whole_mentions(shard: Shard, actors: ActorSet) -> pa.Table:
    whole = shard.whole
    return shard.cached(_mention_key(actors), lambda: _mentions_of_whole(whole, actors))


def _selected_rows(shard: Shard, whole: pa.Table, table: pa.Table) -> pa.Table:
    """The rows of *table* (row for row with the whole shard's mentions *whole*) in the selection."""
    if not shard.all and whole.num_rows:
        table = table.filter(pa.array(shard.keep[whole.column("doc").to_numpy()]))
    return table


def mention_table(shard: Shard, actors: ActorSet) -> pa.Table:
    """The mentions of *actors* in the shard's selected documents, with index numbers (the columns
    of :func:`_mentions_of_whole`), sorted by start: those of the whole shard, matched once per index
    and actor list and kept (:meth:`~mediamon.shards.Shard.cached`), with a view's documents kept."""
    whole = _whole_mentions(shard, actors)
    return _selected_rows(shard, whole, whole)


def matched_texts(shard: Shard, actors: ActorSet) -> pa.Array:
    """The text of each mention of :func:`mention_table`, row for row (``text[char_start:char_end]``).

    Cut from the texts at the first call that shows them and kept beside the mention table, under
    a key of its own: counting (co-occurrence, timelines, bursts) never reads the texts, which were
    a quarter of the first co-occurrence of a new actor list over a store.
    """
    whole = _whole_mentions(shard, actors)
    shard_whole = shard.whole

    def cut() -> pa.Table:
        doc = whole.column("doc").to_numpy().astype(np.int64, copy=False)
        start = whole.column("char_start").to_numpy().astype(np.int64, copy=False)
        end = whole.column("char_end").to_numpy().astype(np.int64, copy=False)
        return pa.table({"matched": shard_whole.slices(doc, start, end)})

    texts = shard.cached(f"{_mention_key(actors)}:matched", cut)
    return _selected_rows(shard, whole, texts).column("matched")


def match_actors(shard: Shard, actors: ActorSet) -> dict[str, np.ndarray]:
    """Mention spans of every actor in the shard's selected documents (index positions): arrays
    ``actor``, ``alias``, ``token_start``, ``token_end``, sorted by start (see :func:`mention_table`).

    Longest match across all actors; an ambiguous alias keeps one row per claiming actor (spans
    identical to a kept span are kept too); an actor matched twice at one span counts once.
    """
    return _spans_of(mention_table(shard, actors))


def _spans_of(m: pa.Table) -> dict[str, np.ndarray]:
    return {
        "actor": np.asarray(m.column("actor").to_pylist(), dtype=object),
        "alias": np.asarray(m.column("alias").to_pylist(), dtype=object),
        "token_start": m.column("token_start").to_numpy().astype(np.int64, copy=False),
        "token_end": m.column("token_end").to_numpy().astype(np.int64, copy=False),
    }


def shard_quotations(shard: Shard, actors: ActorSet | None, raw: dict[str, np.ndarray] | None = None) -> Found:
    """The quotations of one shard's selected documents (:func:`mediamon.quoting.find_quotations`),
    attributed with the actor mentions *raw* (matched here when not given)."""
    if actors is not None and raw is None:
        raw = match_actors(shard, actors)
    kinds = {a.id: a.kind for a in actors} if actors is not None else None
    return find_quotations(shard.index, shard.texts, keep=None if shard.all else shard.keep, mentions=raw, kinds=kinds)


def quoted_mask(token_start: np.ndarray, token_end: np.ndarray, actor: np.ndarray, found: Found) -> np.ndarray:
    """Which mentions are *quoted*: a mention of a quotation's speaker inside the speaker words of
    its attribution ("Kazem Jalali" in "Kazem Jalali said: “…”"; "Rustam Minnikhanov" in "the
    President of Tatarstan, Rustam Minnikhanov noted ..., saying, “…”"). Every other mention is
    *mentioned*: names inside the quoted words, other names in the attribution ("Tatarstan" there;
    "Putin" in "Putin’s spokesman Dmitry Peskov said"), everything else. A speaker found through a
    role noun or a pronoun ("the ambassador highlighted") is not named in its attribution, so it
    turns no mention quoted (:func:`mediamon.quotes` still gives it as the speaker)."""
    q = found.quotes
    a = np.asarray(q["speaker_start"], dtype=np.int64)
    ok = (a >= 0) & np.asarray([s is not None for s in q["speaker"]], dtype=bool)
    if not ok.any() or token_start.size == 0:
        return np.zeros(token_start.size, dtype=bool)
    spans = pd.DataFrame({"a": a[ok], "b": np.asarray(q["speaker_end"], dtype=np.int64)[ok],
                          "speaker": np.asarray(q["speaker"], dtype=object)[ok]})  # fmt: skip
    spans = spans.drop_duplicates().sort_values(["a", "b"], kind="stable")
    # speaker words of different quotations do not overlap: the last one starting at or before a
    # mention is the only one that can hold it
    starts = spans["a"].to_numpy()
    k = np.searchsorted(starts, token_start, side="right") - 1
    safe = np.maximum(k, 0)
    out = (k >= 0) & (token_end <= spans["b"].to_numpy()[safe])
    out &= spans["speaker"].to_numpy(dtype=object)[safe] == np.asarray(actor, dtype=object)
    return out


def mention_rows(shard: Shard, actors: ActorSet, *, roles: bool = False, matched: bool = True) -> pa.Table:
    """The mentions table of one shard (:data:`MENTION_COLUMNS`, selection-local numbers), with a
    ``role`` column (``"quoted"``/``"mentioned"``, :func:`quoted_mask`) when *roles*, and without
    ``matched`` unless *matched* (for the callers that only count mentions)."""
    m = mention_table(shard, actors)
    doc = m.column("doc").to_numpy().astype(np.int64, copy=False)
    ts = m.column("token_start").to_numpy().astype(np.int64, copy=False)
    te = m.column("token_end").to_numpy().astype(np.int64, copy=False)
    meta = metadata(shard, doc, ("doc_id", "date", "source"))
    extra = {}
    if roles:
        raw = _spans_of(m)
        quoted = quoted_mask(ts, te, raw["actor"], shard_quotations(shard, actors, raw))
        extra["role"] = pa.array(np.where(quoted, "quoted", "mentioned").tolist(), type=pa.string())
    return pa.table(
        {
            "doc_id": meta["doc_id"],
            "doc": shard.local_docs(doc),
            "actor": m.column("actor"),
            "alias": m.column("alias"),
            **({"matched": matched_texts(shard, actors)} if matched else {}),
            "sentence": shard.local_sentences(m.column("sentence").to_numpy(), doc),
            "paragraph": shard.local_paragraphs(m.column("paragraph").to_numpy(), doc),
            "token_start": shard.local_tokens(ts, doc),
            "token_end": shard.local_tokens(te, doc),
            "char_start": m.column("char_start").to_numpy().astype(np.int64, copy=False),
            "char_end": m.column("char_end").to_numpy().astype(np.int64, copy=False),
            "date": meta["date"],
            "source": meta["source"],
            **extra,
        }
    )


def drop_folded(m: pa.Table, keep: np.ndarray | None) -> pa.Table:
    """The mention rows of *m* (selection-local ``doc`` numbers) in documents that *keep* keeps."""
    if keep is None or not m.num_rows:
        return m
    return m.filter(pa.array(np.asarray(keep, dtype=bool)[m.column("doc").to_numpy()]))


def task_mentions(
    source: Source, i: int, actors: ActorSet, roles: bool = False, keep: np.ndarray | None = None
) -> Part:
    """Per-shard step of :func:`mentions` (*keep*: the shard's piece of the dedupe mask)."""
    shard = open_shard(source, i)
    return Part(sizes=shard.sizes, tables={"mentions": drop_folded(mention_rows(shard, actors, roles=roles), keep)},
                numbering={"mentions": NUMBERING}, shards=(shard.sizes,))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class Mentions(Result):
    """Every mention of every actor: one row per mention (see :data:`MENTION_COLUMNS`).

    ``doc``, ``sentence``, ``paragraph`` and the token positions are numbers of the whole corpus
    (as one index of all its documents would give them); ``char_start``/``char_end`` point into
    the document's original text, so ``text[char_start:char_end] == matched`` for every row.
    """

    actors: ActorSet | None = field(default=None, repr=False)
    layout: Layout | None = field(default=None, repr=False)
    #: Documents left out by ``dedupe``: ``doc_id``, ``duplicate_of`` (and ``similarity``).
    duplicates: pd.DataFrame = field(default_factory=no_duplicates, repr=False)

    def caption(self) -> str:
        text = f"{len(self.df):,} mentions of {self.df['actor'].nunique()} actors"
        if self.params.get("dedupe"):
            text += f"; {self.params.get('n_duplicates', 0):,} duplicate documents left out ({self.params['dedupe']})"
        return text

    def counts(self) -> pd.DataFrame:
        """Per actor: mentions and documents mentioning it, most mentioned first."""
        g = self.df.groupby("actor", sort=False)
        out = pd.DataFrame({"mentions": g.size(), "documents": g["doc_id"].nunique()})
        return out.sort_values(["mentions", "documents"], ascending=False)

    def of(self, *actor_ids: str) -> Mentions:
        """The mentions of these actors only (for collocates of one actor, for instance)."""
        keep = self.df["actor"].isin(actor_ids).to_numpy()
        subset = self.actors.subset(actor_ids) if self.actors is not None else None
        return Mentions(self.df[keep].reset_index(drop=True), {**self.params, "actors": list(actor_ids)},
                        actors=subset, layout=self.layout, duplicates=self.duplicates)  # fmt: skip

    def _repr_html_(self) -> str:
        counts = self.counts().reset_index()
        cols = ["doc_id", "actor", "matched", "sentence", "char_start", "char_end", "date", "source"]
        return display.join(
            [
                display.caption(self.caption()),
                display.table(counts, max_rows=30),
                display.table(self.df[cols], max_rows=10),
            ]
        )


@shared_docs
def mentions(
    corpus: Source | str | os.PathLike[str],
    actors: ActorSet | str | os.PathLike[str],
    *,
    role: str | None = None,
    dedupe: bool | str | Any = False,
    executor: object = None,
) -> Mentions:
    """Find every mention of every actor in *corpus*.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either.
    actors
        An :class:`~mediamon.actors.ActorSet` or a path to an actor YAML file.
    role
        ``None`` (every mention), ``"quoted"`` (only mentions inside the attribution of a direct
        quotation: the speaker's name in "“…,” Jalali said") or ``"mentioned"`` (all the others,
        including names inside the quoted words). With a role the table gains a ``role`` column.
        Quotations and attributions are found by :func:`mediamon.quotes` (rules in
        :mod:`mediamon.quoting`).
    {dedupe}
    {executor}

    Returns
    -------
    Mentions
        ``.df`` with columns doc_id, doc, actor, alias, matched, sentence, paragraph, token_start,
        token_end, char_start, char_end, date, source (and ``role`` when *role* is given).

    Examples
    --------
    >>> import mediamon as mm
    >>> corpus = mm.read_corpus("corpora/seed")
    >>> found = mm.mentions(corpus, mm.read_actors("corpora/actors.yaml"))
    >>> found.counts().loc[["putin", "minnikhanov"], "mentions"].tolist()
    [3, 2]
    >>> mm.mentions(corpus, "corpora/actors.yaml", role="quoted").df["matched"].tolist()
    ['Rustam Minnikhanov', 'Jalali', 'Vladimir Sazhin']
    """
    source = as_source(corpus, "mentions()")
    if role is not None and role not in MENTION_ROLES:
        raise one_of("mentions()", "role", role, [None, *MENTION_ROLES])
    mode = check_dedupe(dedupe, "mentions()")
    actor_set = resolve_actors(actors)
    keep, dups = duplicate_documents(source, mode, executor=executor)
    keeps = keep_per_shard(source, keep)
    args = [(actor_set, role is not None, k) for k in keeps]
    part = combine(map_shards(source, task_mentions, args, executor=executor))
    return from_part(source, part, actor_set, role=role, mode=mode, duplicates=dups)


def from_part(
    source: Source,
    part: Part,
    actor_set: ActorSet,
    *,
    role: str | None = None,
    mode: Any = None,
    duplicates: pd.DataFrame | None = None,
) -> Mentions:
    """The Mentions result of a combined part (its ``mentions`` table), only the rows of *role*;
    *mode* and *duplicates* say what ``dedupe`` left out."""
    table = part.tables.get("mentions")
    columns = list(MENTION_COLUMNS) + (["role"] if role is not None else [])
    df = table.to_pandas() if table is not None else pd.DataFrame(columns=columns)
    if role is not None:
        df = df[df["role"] == role].reset_index(drop=True)
    dups = duplicates if duplicates is not None else no_duplicates()
    params = {"call": "mentions", "corpus": source.fingerprint, "actors": actor_set.ids}
    if role is not None:
        params["role"] = role
    params.update(dedupe_params(mode, dups))
    return Mentions(df=df, params=params, actors=actor_set, layout=Layout.of(source, part), duplicates=dups)


def split_mentions(found: Any, source: Source, call: str) -> list[pa.Table]:
    """A Mentions result of *source* cut back into per-shard tables with shard-local numbers.

    Accepts anything with a ``.df`` holding the mention columns (e.g. a filtered Mentions).
    """
    df = found.df
    missing = {"doc", "sentence", "paragraph", "token_start", "token_end"} - set(df.columns)
    if missing:
        raise InputError(f"{call}: the mentions table lacks columns {sorted(missing)}; pass mediamon.mentions(...).")
    layout = getattr(found, "layout", None)
    if layout is not None and layout.source.fingerprint != source.fingerprint:
        raise InputError(
            f"{call}: these mentions were found in another corpus ({layout.source.name!r}); pass "
            "mediamon.mentions(corpus, actors) of this corpus, or the actor list itself."
        )
    if layout is None:  # a table with the mention columns: numbered over this corpus
        layout = Layout.measure(source)
    starts = {f: layout.starts(f) for f in ("documents", "tokens", "sentences", "paragraphs")}
    doc = df["doc"].to_numpy(dtype=np.int64)
    shard_of = np.searchsorted(starts["documents"], doc, side="right") - 1
    table = pa.Table.from_pandas(df, preserve_index=False)
    out = []
    for k in range(len(layout.shards)):
        sel = np.flatnonzero(shard_of == k)
        t = table.take(pa.array(sel))
        for column, what in NUMBERING.items():
            i = t.column_names.index(column)
            shifted = t.column(column).to_numpy() - starts[what][k]
            t = t.set_column(i, column, pa.array(shifted, type=pa.int64()))
        out.append(t)
    return out

