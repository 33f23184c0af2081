"""Alias discovery: the names an actor goes by in a corpus, proposed for a human to accept.

:func:`suggest_aliases` starts from the *anchors*. A person (and a name passed as text) is anchored
on the last word of each literal alias, the surname in Western order ("Raisi" for "President Raisi"
and "Seyed Ebrahim Raisi"), and on the last token of each pattern; an organisation, a place or any
other actor on each of its names as a whole ("Organization of Islamic Cooperation", "OIC"), since
the last word alone ("Cooperation") names many things. Three kinds of suggestion follow.

``sequence``
    The capitalised word sequence that contains or adjoins each anchor occurrence (longer than
    the anchor), inside its sentence: words whose first letter is upper case, at most :data:`MAX_RUN` on each side; to the
    left also words joined by hyphens without spaces ("Hojjat-ul-Islam"). A sequence never starts
    with a hyphen, a lower-case word or a function word (:data:`FUNCTION_WORDS`: "The"), and a
    stopword that opens a sentence ("Meanwhile", "After") is dropped from it, since its capital
    comes from the sentence. ``count`` is the number of
    occurrences of exactly this sequence (a longer one containing it counts for the longer one).
    Scripts without letter case (Persian, Arabic) have no capitalised sequences.
``title``
    The words of a sequence before the name: walking left from the anchor, a word belongs to the
    name while most of its occurrences in the corpus are in such sequences before the anchor
    (share ``>=`` :data:`NAME_SHARE`) and it nearly always stands at the same distance from the
    anchor ("Ebrahim"); the first word that is not ("President", which precedes many names, or
    "Ayatollah", which stands before the surname and the first names alike) starts the title, which
    runs to the start of the sequence ("Iranian President").
``variant``
    Vocabulary forms similar to a name word (the one-word anchors, the name words found before
    them, the actor's other alias words unless the corpus shows them as titles):
    rapidfuzz's normalised Indel similarity ``fuzz.ratio`` ``>=`` *similarity* ("Raeisi", "Raissi"
    for "Raisi"), written with a capital in at least half of their occurrences (up to
    :data:`SAMPLE` occurrences per shard are read).

Every suggestion has its count and number of documents, a few KWIC lines (``examples``), whether it
is already an alias of this actor (``known``) or, for a sequence, already matched through one
(``covered``: it contains an alias), and which other actors of *actors* claim it (``claimed_by``:
an alias or pattern of theirs matches it exactly). :meth:`AliasSuggestions.to_yaml` writes the
actor's entry with the new names, ready to paste into ``actors.yaml``.

Per shard, the anchors' sequences (:func:`task_alias_runs`); once, the words before the anchors; per
shard again, the corpus frequency of those words and the spelling variants
(:func:`task_alias_variants`); once, the shares, titles and tables.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from rapidfuzz import fuzz, process

from .. import display
from ..actors import Actor, ActorSet, alias_forms, resolve_actors
from ..errors import InputError, NotFoundError
from ..options import check_min_count
from ..partials import Part, combine
from ..results import Result
from ..shards import Shard, Source, as_source, map_shards, open_shard
from ..stopwords import vocab_mask
from .collocates import task_form_counts
from .mentions import longest_matches
from ..text import char_tables, codepoints, normalize

__all__ = ["EXAMPLE_COLUMNS", "SUGGESTION_COLUMNS", "AliasSuggestions", "suggest_aliases"]

#: Columns of :attr:`AliasSuggestions.df`.
SUGGESTION_COLUMNS = (
    "suggestion", "kind", "count", "documents", "known", "covered", "claimed_by", "resembles", "similarity",
    "capitalised",
)  # fmt: skip
#: Columns of :attr:`AliasSuggestions.examples`.
EXAMPLE_COLUMNS = ("suggestion", "kind", "doc_id", "left", "match", "right", "char_start", "char_end")

#: Capitalised words taken on each side of an anchor.
MAX_RUN = 8
#: Smallest share of a word's occurrences, before the anchor in a sequence, that makes it a name word.
NAME_SHARE = 0.5
#: Occurrences of a spelling variant read per shard to tell a name from a common word.
SAMPLE = 200
#: Function words never kept at the start of a sequence, even in mid-sentence ("The Organization of
#: Islamic Cooperation" is "Organization of Islamic Cooperation").
FUNCTION_WORDS = frozenset(
    "the a an and or but nor of in on at to for from by with as after before when while if since during "
    "than that this these those".split()
)
#: Characters of context on each side of a KWIC line.
CONTEXT = 40
_KINDS = ("sequence", "variant", "title")


# ---------------------------------------------------------------------------------------------
# what to look for
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Anchor:
    """What to look for: *phrases* (literal texts, each found as a token sequence) and *globs*
    (token patterns); *words*, the forms of the one-word anchors (whose spelling variants are
    aliases too); *seeds*, the name words known beforehand (variant seeds); the actor, if any."""

    phrases: tuple[str, ...]
    globs: tuple[str, ...]
    words: tuple[str, ...]
    seeds: tuple[str, ...]
    label: str
    actor: Actor | None


def _anchor(actor_or_name: Any, actors: ActorSet | None, call: str) -> _Anchor:
    actor: Actor | None = None
    if isinstance(actor_or_name, Actor):
        actor = actor_or_name
    elif isinstance(actor_or_name, str) and actors is not None and actor_or_name in actors:
        actor = actors[actor_or_name]
    elif not isinstance(actor_or_name, str) or not actor_or_name.strip():
        raise InputError(
            f"{call}: actor_or_name={actor_or_name!r} is invalid; pass an actor id of actors=, an Actor, "
            "or a name such as 'Raisi'."
        )
    texts = [a.text for a in actor.aliases if not a.is_pattern] if actor is not None else [actor_or_name]
    patterns = [a.text for a in actor.aliases if a.is_pattern] if actor is not None else []
    words = [[f for f in forms if _is_word(f)] for forms in alias_forms(texts)]
    person = actor is None or actor.kind == "person"
    if person:  # a person by the surname: the last word of each name, the last token of each pattern
        phrases = tuple(dict.fromkeys(w[-1] for w in words if w))
        globs = tuple(dict.fromkeys(normalize(p.split()[-1]) for p in patterns))
    else:  # an organisation or place by its whole names ("Cooperation" alone is not the OIC)
        phrases = tuple(dict.fromkeys(" ".join(w) for w in words if w))
        globs = tuple(dict.fromkeys(normalize(p) for p in patterns))
    if not phrases and not globs:
        raise InputError(f"{call}: {actor_or_name!r} has no word to look for.")
    one_word = tuple(p for p in phrases if " " not in p)
    seeds = tuple(dict.fromkeys(f for w in words for f in w if len(f) >= 3))
    label = actor.id if actor is not None else str(actor_or_name)
    return _Anchor(phrases, globs, one_word, seeds, label, actor)


_WORD = re.compile(r"[^\W_]")


def _is_word(form: str) -> bool:
    return bool(_WORD.search(form))


# ---------------------------------------------------------------------------------------------
# per shard: the sequences around the anchors
# ---------------------------------------------------------------------------------------------
def _anchor_spans(shard: Shard, anchor: _Anchor) -> tuple[np.ndarray, np.ndarray]:
    """Token spans of the anchors in the shard's selected documents, the longest where two overlap."""
    ix = shard.index
    found = [ix.find(p, match="fixed") for p in anchor.phrases] + [ix.find(g, match="glob") for g in anchor.globs]
    starts = np.concatenate([f[0] for f in found]).astype(np.int64)
    ends = np.concatenate([f[1] for f in found]).astype(np.int64)
    if starts.size and not shard.all:
        ok = shard.keep[ix.doc[starts]]
        starts, ends = starts[ok], ends[ok]
    keep = longest_matches(starts, ends)
    order = np.argsort(starts[keep], kind="stable")  # text order, so that rows follow the corpus
    return starts[keep][order], ends[keep][order]


def _first_letters(shard: Shard, docs: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The first code point of each token (documents *docs*, character offsets *starts*), read
    from one code-point array of the texts of the distinct documents."""
    hit_docs, row = np.unique(docs, return_inverse=True)
    texts = shard.texts(hit_docs)
    chosen = [texts[d] for d in hit_docs.tolist()]  # one string per document, not per token
    base = np.zeros(len(chosen) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in chosen], out=base[1:])
    cps = codepoints("".join(chosen))
    return cps[base[row.ravel()] + starts] if cps.size else np.zeros(starts.size, dtype=np.uint32)


def _runs_schema() -> pa.Schema:
    return pa.schema({"doc": pa.int64(), "doc_id": pa.string(), "char_start": pa.int64(), "char_end": pa.int64(),
            "anchor": pa.int64(), "anchor_len": pa.int64(), "text": pa.string(), "forms": pa.list_(pa.string()),
            "rel_start": pa.list_(pa.int64()), "rel_end": pa.list_(pa.int64()), "left": pa.string(),
            "right": pa.string()})  # fmt: skip


def task_alias_runs(source: Source, i: int, anchor: _Anchor) -> Part:
    """Per shard: one row per capitalised sequence around an anchor occurrence (see the module
    docstring): its document, text, token forms and offsets, the anchor's place in it, KWIC context."""
    shard = open_shard(source, i)
    ix = shard.index
    schema = _runs_schema()
    pos, pos_end = _anchor_spans(shard, anchor)
    if not pos.size:
        return Part(sizes=shard.sizes, tables={"runs": schema.empty_table()}, numbering={"runs": {"doc": "documents"}},
                    shards=(shard.sizes,))  # fmt: skip
    n_tok = ix.n_tokens
    last = pos_end - 1
    # the window: MAX_RUN + 1 tokens before the anchor, its first token, MAX_RUN + 1 after its last
    centre = MAX_RUN + 1
    window = np.concatenate((pos[:, None] + np.arange(-centre, 1)[None, :], last[:, None] + np.arange(1, centre + 1)[None, :]), axis=1)
    inside = (window >= 0) & (window < n_tok)
    w = np.clip(window, 0, n_tok - 1)
    before, after = np.clip(w - 1, 0, n_tok - 1), np.clip(w + 1, 0, n_tok - 1)
    # sentence numbers of the window positions only (the index keeps sentence boundaries)
    sent_w, sent_before, sent_after = ix.sent[w], ix.sent[before], ix.sent[after]
    same = inside & (sent_w == ix.sent[pos][:, None])
    ids = np.asarray(ix.ids)[w]
    starts = ix.start[w].astype(np.int64)
    ends = ix.end[w].astype(np.int64)
    doc = ix.doc[pos].astype(np.int64)
    # tokens of other documents (outside the sentence) are read at offset 0 of the hit's document
    first_cp = _first_letters(shard, np.repeat(doc, w.shape[1]), np.where(same, starts, 0).ravel())
    upper = char_tables().upper[first_cp].reshape(w.shape)
    word = ix.is_word[ids]
    dash = ix.vocab_id("-")
    hyphen = ids == dash
    cap = word & upper
    glued_prev = (w > 0) & (starts == ix.end[before]) & (sent_before == sent_w)
    glued_next = (w < n_tok - 1) & (ends == ix.start[after]) & (sent_after == sent_w)
    next_hyphen = np.asarray(ix.ids)[after] == dash
    left_ok = same & (cap | (hyphen & glued_prev & glued_next) | (word & glued_next & next_hyphen))
    right_ok = same & cap & ~glued_prev
    left = np.logical_and.accumulate(left_ok[:, centre - 1 :: -1], axis=1).sum(axis=1)
    right = np.logical_and.accumulate(right_ok[:, centre + 1 :], axis=1).sum(axis=1)
    left = np.minimum(left, MAX_RUN)
    right = np.minimum(right, MAX_RUN)
    first = centre - left  # window column of the run's first token
    rows = np.arange(pos.size)
    # never open with a hyphen or a lower-case word, nor with a stopword capitalised by the sentence
    forms_seen = np.unique(ids[same])
    seen_forms = [ix.vocab[k] for k in forms_seen.tolist()]
    stop_ids = forms_seen[vocab_mask(seen_forms, "english")]
    function_ids = forms_seen[np.fromiter((f in FUNCTION_WORDS for f in seen_forms), dtype=bool, count=len(seen_forms))]
    sent_start = (w == 0) | (sent_before != sent_w)
    for _ in range(MAX_RUN):  # at most MAX_RUN vectorised trims
        f = first
        opener = np.isin(ids[rows, f], function_ids) | (np.isin(ids[rows, f], stop_ids) & sent_start[rows, f])
        drop = (f < centre) & (~cap[rows, f] | opener)
        if not drop.any():
            break
        first = np.where(drop, f + 1, f)
    run_start = pos - (centre - first)
    run_end = pos_end + right
    key = run_start * (n_tok + 1) + run_end
    _, once = np.unique(key, return_index=True)  # a sequence with two anchors counts once
    once = np.sort(once)
    run_start, run_end, pos, pos_end, doc = run_start[once], run_end[once], pos[once], pos_end[once], doc[once]
    lengths = run_end - run_start
    flat = np.repeat(run_start, lengths) + (np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    cs = ix.start[run_start].astype(np.int64)
    ce = ix.end[run_end - 1].astype(np.int64)
    offsets = pa.array(np.concatenate(([0], np.cumsum(lengths))).astype(np.int32))
    rel_start = ix.start[flat].astype(np.int64) - np.repeat(cs, lengths)
    rel_end = ix.end[flat].astype(np.int64) - np.repeat(cs, lengths)
    texts = shard.texts(np.unique(doc))
    text = [texts[d][a:b] for d, a, b in zip(doc.tolist(), cs.tolist(), ce.tolist())]
    left_ctx = [texts[d][max(0, a - CONTEXT) : a] for d, a in zip(doc.tolist(), cs.tolist())]
    right_ctx = [texts[d][b : b + CONTEXT] for d, b in zip(doc.tolist(), ce.tolist())]
    table = pa.table(
        {
            "doc": pa.array(shard.local_docs(doc), type=pa.int64()),
            "doc_id": shard.table(doc).column("doc_id").cast(pa.string()),
            "char_start": pa.array(cs, type=pa.int64()),
            "char_end": pa.array(ce, type=pa.int64()),
            "anchor": pa.array(pos - run_start, type=pa.int64()),
            "anchor_len": pa.array(pos_end - pos, type=pa.int64()),
            "text": pa.array(text, type=pa.string()),
            "forms": pa.ListArray.from_arrays(offsets, ix._vocab_arrow.take(pa.array(np.asarray(ix.ids)[flat]))),
            "rel_start": pa.ListArray.from_arrays(offsets, pa.array(rel_start, type=pa.int64())),
            "rel_end": pa.ListArray.from_arrays(offsets, pa.array(rel_end, type=pa.int64())),
            "left": pa.array(left_ctx, type=pa.string()),
            "right": pa.array(right_ctx, type=pa.string()),
        },
        schema=schema,
    )
    return Part(sizes=shard.sizes, tables={"runs": table}, numbering={"runs": {"doc": "documents"}}, shards=(shard.sizes,))


# ---------------------------------------------------------------------------------------------
# per shard: frequencies of the words before the anchors, and spelling variants
# ---------------------------------------------------------------------------------------------
def task_alias_variants(source: Source, i: int, seeds: tuple[str, ...], similarity: float, examples: int) -> Part:
    """Per shard: every vocabulary form similar to a seed, with its frequency and documents (in
    the selected documents), how many of (up to :data:`SAMPLE`) occurrences read are capitalised,
    and its first *examples* occurrences."""
    shard = open_shard(source, i)
    ix = shard.index
    rows: list[tuple[str, str, float, int]] = []
    for seed in seeds:  # a few seeds, each matched against the whole vocabulary in rapidfuzz's C++
        for form, score, k in process.extract(seed, ix.vocab, scorer=fuzz.ratio, score_cutoff=similarity, limit=None):
            if form != seed and _is_word(form):
                rows.append((form, seed, float(score), int(k)))
    variant_ids = np.asarray([r[3] for r in rows], dtype=np.int64)
    counts = shard.counts[variant_ids] if variant_ids.size else np.zeros(0, np.int64)
    documents = np.zeros(variant_ids.size, dtype=np.int64)
    sampled = np.zeros(variant_ids.size, dtype=np.int64)
    capital = np.zeros(variant_ids.size, dtype=np.int64)
    ex_rows: list[dict[str, Any]] = []
    if variant_ids.size:
        lists = [ix.positions(k) for k in variant_ids.tolist()]  # one postings lookup per variant
        lists = [p[shard.keep[ix.doc[p]]] if not shard.all else p for p in lists]
        documents = np.asarray([np.unique(ix.doc[p]).size for p in lists], dtype=np.int64)
        lists = [p[:SAMPLE] for p in lists]
        owner = np.repeat(np.arange(variant_ids.size), [p.size for p in lists])
        pos = np.concatenate(lists) if lists else np.zeros(0, np.int64)
        if pos.size:
            docs = ix.doc[pos].astype(np.int64)
            starts = ix.start[pos].astype(np.int64)
            up = char_tables().upper[_first_letters(shard, docs, starts)]
            sampled = np.bincount(owner, minlength=variant_ids.size)
            capital = np.bincount(owner[up], minlength=variant_ids.size)
            texts = shard.texts(np.unique(docs))
            ids_of = shard.table(docs).column("doc_id").to_pylist()
            seen = np.zeros(variant_ids.size, dtype=np.int64)
            for m, (o, d, p) in enumerate(zip(owner.tolist(), docs.tolist(), pos.tolist())):
                if seen[o] >= examples:
                    continue
                seen[o] += 1
                a, b = int(ix.start[p]), int(ix.end[p])
                ex_rows.append({"suggestion": rows[o][0], "kind": "variant", "doc_id": ids_of[m],
                                "left": texts[d][max(0, a - CONTEXT) : a], "match": texts[d][a:b],
                                "right": texts[d][b : b + CONTEXT], "char_start": a, "char_end": b})  # fmt: skip
    variants = pa.table(
        {
            "form": pa.array([r[0] for r in rows], type=pa.string()),
            "resembles": pa.array([r[1] for r in rows], type=pa.string()),
            "similarity": pa.array([r[2] for r in rows], type=pa.float64()),
            "count": pa.array(counts, type=pa.int64()),
            "documents": pa.array(documents, type=pa.int64()),
            "sampled": pa.array(sampled, type=pa.int64()),
            "capitalised": pa.array(capital, type=pa.int64()),
        }
    )
    ex = pa.Table.from_pylist(ex_rows, schema=_EXAMPLE_SCHEMA) if ex_rows else _EXAMPLE_SCHEMA.empty_table()
    return Part(sizes=shard.sizes, tables={"variants": variants, "examples": ex}, shards=(shard.sizes,))


_EXAMPLE_SCHEMA = pa.schema({"suggestion": pa.string(), "kind": pa.string(), "doc_id": pa.string(), "left": pa.string(),
                             "match": pa.string(), "right": pa.string(), "char_start": pa.int64(), "char_end": pa.int64()})  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\"\\\\]")


def yaml_quote(text: str) -> str:
    """*text* as a YAML double-quoted scalar that reads back as exactly *text*: backslash, quote,
    control, line-separator and bidi characters are escaped (``\\uXXXX``), so nothing in it can end
    the scalar, start a new line or reorder what a reader sees.

    >>> yaml_quote('Say "hi"\\n- id: x')
    '"Say \\\\"hi\\\\"\\\\u000a- id: x"'
    """

    def escape(m: re.Match[str]) -> str:
        ch = m.group(0)
        return "\\" + ch if ch in '"\\' else f"\\u{ord(ch):04x}"

    return '"' + _UNSAFE.sub(escape, text) + '"'


@dataclass(frozen=True, eq=False, repr=False)
class AliasSuggestions(Result):
    """Names an actor goes by in a corpus, for a human to accept (see the module docstring).

    Attributes
    ----------
    df
        One row per suggestion: ``suggestion`` (the text as most often written), ``kind``
        (``sequence``, ``variant``, ``title``), ``count``, ``documents``, ``known`` (already an
        alias), ``covered`` (a sequence containing an alias: already matched), ``claimed_by``
        (ids of other actors whose alias or pattern matches it, joined by ", "), ``resembles`` (the
        name word a variant is close to, or the name a title precedes), ``similarity`` (variants:
        ``fuzz.ratio``), ``capitalised`` (variants: share of the occurrences read that start with a
        capital). Sorted by kind, then count.
    examples
        A few KWIC lines per suggestion: ``suggestion``, ``kind``, ``doc_id``, ``left``, ``match``,
        ``right``, ``char_start``, ``char_end`` (offsets into the original text).
    """

    examples: pd.DataFrame = field(default_factory=pd.DataFrame)
    actor: Actor | None = field(default=None, repr=False)

    columns = SUGGESTION_COLUMNS
    display_rows = 40

    def caption(self) -> str:
        p = self.params
        counts = self.df["kind"].value_counts().to_dict() if len(self.df) else {}
        what = ", ".join(f"{counts.get(k, 0)} {k}s" for k in _KINDS)
        return f"Alias suggestions for {p['actor']!r} ({p['anchors'] or 'no anchor'}; {p['occurrences']:,} occurrences): {what}"

    def kwic(self, suggestion: str, kind: str | None = None) -> pd.DataFrame:
        """The KWIC lines of one suggestion (of one *kind*, when a text is a title and a variant)."""
        rows = self.examples[self.examples["suggestion"] == suggestion]
        if kind is not None:
            rows = rows[rows["kind"] == kind]
        if not len(rows) and suggestion not in set(self.df["suggestion"]):
            raise NotFoundError(f"AliasSuggestions.kwic(): {suggestion!r} is not a suggestion of this result.")
        return rows.reset_index(drop=True)

    def _repr_html_(self) -> str:
        ex = self.examples.groupby("suggestion", sort=False).head(1)
        mark = lambda v: f"<mark>{display.bdi(v)}</mark>"  # noqa: E731
        return display.join([
            display.caption(self.caption()),
            display.table(self.table(), max_rows=self.display_rows),
            display.caption("One KWIC line per suggestion"),
            display.table(ex[["suggestion", "doc_id", "left", "match", "right"]], max_rows=self.display_rows,
                          css_class="mm-table mm-kwic", formatters={"match": mark}),
        ])  # fmt: skip

    def to_yaml(self) -> str:
        """The actor's entry for ``actors.yaml`` with the new names added, ready to paste.

        New sequences and new spelling variants of the anchor words become alias lines (their
        count in a comment); what is already known or covered, claimed by another actor, variants
        of other name words and titles are listed as comments to read. Every value is quoted
        (:func:`yaml_quote`), so a corpus string can neither break the file nor add an entry.
        """
        p = self.params
        actor = self.actor
        df = self.df
        lines = [f"# Alias suggestions for {yaml_quote(str(p['actor']))} from corpus {yaml_quote(str(p['corpus']))} "
                 f"(mediamon.suggest_aliases, min_count={p['min_count']}).",
                 "# Review every line: delete what is not this actor, then replace its entry with this one."]  # fmt: skip
        ident = actor.id if actor is not None else (re.sub(r"[^a-z0-9]+", "_", normalize(str(p["actor"]))).strip("_") or "actor")
        lines += [f"- id: {yaml_quote(ident)}",
                  f"  name: {yaml_quote(actor.name if actor is not None else str(p['actor']))}",
                  f"  kind: {yaml_quote(actor.kind if actor is not None else 'other')}",
                  "  aliases:"]  # fmt: skip
        patterns = []
        if actor is not None:
            for alias in actor.aliases:
                if alias.is_pattern:
                    patterns.append(alias.text)
                elif alias.match_case:
                    lines.append(f"    - {{alias: {yaml_quote(alias.text)}, match_case: true}}")
                else:
                    lines.append(f"    - {yaml_quote(alias.text)}")
        else:
            lines.append(f"    - {yaml_quote(str(p['actor']))}")
        comments = []
        anchors = set(p["anchor_forms"])
        for row in df.itertuples(index=False):
            note = f"{row.kind}, {row.count:,} times in {row.documents:,} documents"
            quoted = yaml_quote(row.suggestion)
            if row.known:
                continue
            if row.claimed_by:
                comments.append(f"    # - {quoted}   # {note}; claimed by {yaml_quote(row.claimed_by)}")
            elif row.kind == "title":
                comments.append(f"    # title {quoted}   # {note}; a title, not a name")
            elif row.kind == "sequence" and row.covered:
                comments.append(f"    # - {quoted}   # {note}; already matched through an alias it contains")
            elif row.kind == "variant" and row.resembles not in anchors:
                comments.append(f"    # - {quoted}   # {note}; variant of the name word {yaml_quote(row.resembles)}")
            else:
                lines.append(f"    - {quoted}   # new {note}")
        lines += comments
        if patterns:
            lines.append("  patterns: [" + ", ".join(yaml_quote(x) for x in patterns) + "]")
        if actor is not None and actor.ambiguous:
            lines.append("  ambiguous: true")
        return "\n".join(lines) + "\n"


def _claims(actors: ActorSet | None) -> tuple[dict[tuple[str, ...], list[str]], list[tuple[tuple[str, ...], str]]]:
    """Literal alias forms -> actor ids, and (pattern token globs, actor id) pairs."""
    literal: dict[tuple[str, ...], list[str]] = {}
    patterns: list[tuple[tuple[str, ...], str]] = []
    if actors is None:
        return literal, patterns
    for actor in actors:
        plain = [a for a in actor.aliases if not a.is_pattern]
        for forms in alias_forms([a.text for a in plain]):
            literal.setdefault(forms, [])
            if actor.id not in literal[forms]:
                literal[forms].append(actor.id)
        patterns += [(tuple(normalize(t) for t in a.text.split()), actor.id) for a in actor.aliases if a.is_pattern]
    return literal, patterns


def _claimed_by(forms: tuple[str, ...], literal: dict[tuple[str, ...], list[str]],
                patterns: list[tuple[tuple[str, ...], str]]) -> list[str]:  # fmt: skip
    ids = list(literal.get(forms, []))
    for globs, actor_id in patterns:
        if len(globs) == len(forms) and all(fnmatch.fnmatchcase(f, g) for f, g in zip(forms, globs)):
            if actor_id not in ids:
                ids.append(actor_id)
    return ids


def _contains(forms: tuple[str, ...], aliases: list[tuple[str, ...]]) -> bool:
    n = len(forms)
    return any(0 < len(a) <= n and any(forms[k : k + len(a)] == a for k in range(n - len(a) + 1)) for a in aliases)


def suggest_aliases(
    corpus: Source | str | os.PathLike[str],
    actor_or_name: str | Actor,
    *,
    actors: ActorSet | str | os.PathLike[str] | None = None,
    min_count: int = 2,
    similarity: float = 80.0,
    examples: int = 3,
    executor: object = None,
) -> AliasSuggestions:
    """Propose the names an actor goes by in *corpus*: capitalised sequences around its names,
    titles before them, and spelling variants (the rules are in the module docstring).

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either.
    actor_or_name
        An actor id of *actors*, an :class:`~mediamon.actors.Actor`, or a name ("Raisi",
        "Ebrahim Raisi"): its last word is the anchor.
    actors
        The actor list (an ActorSet or a YAML path): where an id is looked up, and which actors
        already claim a suggestion. ``None``: no claims are checked.
    min_count
        Smallest number of occurrences a suggestion needs.
    similarity
        Smallest ``rapidfuzz.fuzz.ratio`` (0-100) of a spelling variant to a name word.
    examples
        KWIC lines kept per suggestion.
    executor
        Where the per-shard steps run (see :mod:`mediamon.executors`).

    Returns
    -------
    AliasSuggestions
        ``df`` (one row per suggestion), ``examples`` (KWIC lines) and :meth:`~AliasSuggestions.to_yaml`.

    Examples
    --------
    >>> import mediamon as mm
    >>> found = mm.suggest_aliases(mm.read_corpus("corpora/mm-sample/mm_sample_v1.jsonl"), "Raisi")
    >>> found.df.set_index("suggestion").loc[["Ayatollah Raisi", "Raeisi"], "kind"].tolist()
    ['sequence', 'variant']
    """
    call = "suggest_aliases()"
    source = as_source(corpus, call)
    min_count = check_min_count(min_count, call)
    if isinstance(similarity, bool) or not isinstance(similarity, (int, float)) or not 0 < similarity <= 100:
        raise InputError(f"{call}: similarity={similarity!r} is invalid; pass a fuzz.ratio score in (0, 100], e.g. 80.")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise InputError(f"{call}: examples={examples!r} is invalid; pass a number of KWIC lines >= 0.")
    actor_set = resolve_actors(actors) if actors is not None else None
    anchor = _anchor(actor_or_name, actor_set, call)
    runs = combine(map_shards(source, task_alias_runs, (anchor,), executor=executor)).tables["runs"].to_pandas()
    names = _name_words(source, runs, max(min_count, 1), executor)
    # variants of the name words: the anchors, the name words seen before them, the actor's other
    # alias words unless the corpus shows them as titles
    seen = {w for forms, a in zip(runs["forms"], runs["anchor"]) for w in forms[:a]}
    seeds = tuple(dict.fromkeys([*anchor.words, *sorted(names), *(w for w in anchor.seeds if w in names or w not in seen)]))
    part = combine(map_shards(source, task_alias_variants, (seeds, float(similarity), examples), executor=executor))
    literal, patterns = _claims(actor_set)
    own = alias_forms([a.text for a in anchor.actor.aliases if not a.is_pattern]) if anchor.actor else []
    own_set = set(own)
    mine = anchor.actor.id if anchor.actor is not None else None
    rows, ex_rows = [], []
    if len(runs):
        rows_seq, ex_seq = _sequences(runs, min_count, examples)
        rows_title, ex_title = _titles(runs, names, min_count, examples)
        rows += rows_seq + rows_title
        ex_rows += ex_seq + ex_title
    rows_var, ex_var = _variants(part, min_count, examples)
    rows += rows_var
    ex_rows += ex_var
    for row in rows:
        forms = row.pop("_forms")
        claimed = _claimed_by(forms, literal, patterns)
        row["known"] = forms in own_set
        row["covered"] = bool(row["kind"] == "sequence" and not row["known"] and _contains(forms, own))
        row["claimed_by"] = ", ".join(c for c in claimed if c != mine)
    df = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
    if len(df):
        df["_kind"] = df["kind"].map({k: n for n, k in enumerate(_KINDS)})
        df = df.sort_values(["_kind", "count", "suggestion"], ascending=[True, False, True], kind="stable").drop(columns="_kind")
    ex = pd.DataFrame(ex_rows, columns=list(EXAMPLE_COLUMNS))
    shown = set(zip(df["suggestion"], df["kind"]))
    ex = ex[[pair in shown for pair in zip(ex["suggestion"], ex["kind"])]].reset_index(drop=True)
    params = {
        "call": "suggest_aliases", "actor": anchor.label, "anchors": ", ".join([*anchor.phrases, *anchor.globs]),
        "anchor_forms": list(anchor.words), "occurrences": int(len(runs)), "min_count": min_count,
        "similarity": float(similarity), "corpus": source.name,
    }  # fmt: skip
    return AliasSuggestions(df.reset_index(drop=True), params, examples=ex, actor=anchor.actor)


def _name_words(source: Source, runs: pd.DataFrame, min_count: int, executor: object) -> set[str]:
    """The words before the anchors that belong to the name: seen there at least *min_count*
    times, most of their occurrences in the corpus stand in such a sequence (share >=
    :data:`NAME_SHARE`), and nearly always at the same distance from the anchor (>= 90 %: "Ebrahim"
    right before "Raisi", while a title such as "Ayatollah" stands before the surname and before
    first names alike)."""
    if not len(runs):
        return set()
    words, distances = [], []
    for forms, a in zip(runs["forms"].tolist(), runs["anchor"].tolist()):
        words += list(forms[:a])
        distances += list(range(a, 0, -1))
    at = pd.DataFrame({"word": words, "distance": distances})
    if not len(at):
        return set()
    per = at.groupby("word", sort=True)["distance"]
    before = per.size()
    fixed = per.agg(lambda d: d.value_counts().iloc[0]) / before
    forms = pa.array(before.index.tolist(), type=pa.string())
    total = combine(map_shards(source, task_form_counts, (forms,), executor=executor)).counts["n_b"]
    share = before.to_numpy() / np.maximum(total, 1)
    name = (before.to_numpy() >= min_count) & (share >= NAME_SHARE) & (fixed.to_numpy() >= 0.9)
    return set(before.index[name].tolist())


def _grouped(frame: pd.DataFrame, kind: str, min_count: int, examples: int,
             extra: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    """Suggestions from occurrences: *frame* has ``key`` (forms joined by U+001F), ``shown`` (the
    text as written, whitespace collapsed), ``a``/``b`` (the suggestion's characters within the
    sequence ``text``) and the run columns; one row per key seen at least *min_count* times, with
    its most frequent written form and its first *examples* occurrences as KWIC lines."""
    if not len(frame):
        return [], []
    g = frame.groupby("key", sort=False)
    stats = pd.DataFrame({"count": g.size(), "documents": g["doc"].nunique()})
    stats = stats[stats["count"] >= max(min_count, 1)]
    written = frame[frame["key"].isin(stats.index)].groupby(["key", "shown"], sort=False).size().rename("n").reset_index()
    written = written.sort_values(["n", "shown"], ascending=[False, True], kind="stable").drop_duplicates("key")
    shown = dict(zip(written["key"], written["shown"]))
    rows = [{"suggestion": shown[k], "kind": kind, "count": int(c), "documents": int(d), "resembles": "",
             "similarity": np.nan, "capitalised": np.nan, "_forms": tuple(k.split("\x1f")), **(extra or {}).get(k, {})}
            for k, c, d in zip(stats.index.tolist(), stats["count"].tolist(), stats["documents"].tolist())]  # fmt: skip
    heads = frame[frame["key"].isin(stats.index)].groupby("key", sort=False).head(examples)
    ex = [{"suggestion": shown[k], "kind": kind, "doc_id": i, "left": (left + t[:a])[-CONTEXT:], "match": t[a:b],
           "right": (t[b:] + right)[:CONTEXT], "char_start": int(cs) + a, "char_end": int(cs) + b}
          for k, i, left, t, right, cs, a, b in zip(heads["key"], heads["doc_id"], heads["left"], heads["text"],
                                                   heads["right"], heads["char_start"], heads["a"], heads["b"])]  # fmt: skip
    return rows, ex


def _sequences(runs: pd.DataFrame, min_count: int, examples: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One suggestion per distinct capitalised sequence of more than the anchor."""
    longer = runs[runs["forms"].map(len) > runs["anchor_len"]]
    frame = longer.assign(key=["\x1f".join(f) for f in longer["forms"]], shown=[" ".join(t.split()) for t in longer["text"]],
                          a=0, b=longer["text"].map(len))  # fmt: skip
    return _grouped(frame, "sequence", min_count, examples)


def _titles(runs: pd.DataFrame, names: set[str], min_count: int, examples: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One suggestion per distinct title: the words of a sequence before its name words."""
    keys, stops, names_of = [], [], []
    for forms, anchor, size, rel_end in zip(runs["forms"].tolist(), runs["anchor"].tolist(), runs["anchor_len"].tolist(),
                                            runs["rel_end"].tolist()):  # fmt: skip
        k = anchor
        while k > 0 and forms[k - 1] in names:  # at most MAX_RUN words per sequence
            k -= 1
        keys.append("\x1f".join(forms[:k]))
        stops.append(int(rel_end[k - 1]) if k else 0)
        names_of.append(" ".join(forms[k : anchor + size]))
    frame = runs.assign(key=keys, a=0, b=stops, _name=names_of)
    frame = frame[frame["b"] > 0]
    frame = frame.assign(shown=[" ".join(t[:b].split()) for t, b in zip(frame["text"], frame["b"])])
    precedes = frame.groupby(["key", "_name"], sort=False).size().rename("n").reset_index()
    precedes = precedes.sort_values("n", ascending=False, kind="stable").drop_duplicates("key")
    extra = {k: {"resembles": n} for k, n in zip(precedes["key"], precedes["_name"])}
    return _grouped(frame, "title", min_count, examples, extra)


def _variants(part: Part, min_count: int, examples: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One suggestion per spelling variant written with a capital in most occurrences read."""
    v = part.tables["variants"].to_pandas()
    rows, ex = [], []
    if not len(v):
        return rows, ex
    best = v.sort_values("similarity", ascending=False, kind="stable").drop_duplicates(["form", "resembles"])
    # counts per shard add; one row per (form, seed) and shard
    total = v.groupby(["form", "resembles"], sort=False)[["count", "documents", "sampled", "capitalised"]].sum()
    best = best.drop(columns=["count", "documents", "sampled", "capitalised"]).join(total, on=["form", "resembles"])
    best = best.sort_values(["similarity", "form"], ascending=[False, True], kind="stable").drop_duplicates("form")
    examples_table = part.tables["examples"].to_pandas().drop_duplicates(["suggestion", "doc_id", "char_start"])
    for r in best.itertuples(index=False):
        share = r.capitalised / r.sampled if r.sampled else 0.0
        if r.count < max(min_count, 1) or share < 0.5:
            continue
        lines = examples_table[examples_table["suggestion"] == r.form]
        shown = lines["match"].value_counts().index[0] if len(lines) else r.form
        rows.append({"suggestion": shown, "kind": "variant", "count": int(r.count), "documents": int(r.documents),
                     "resembles": r.resembles, "similarity": float(r.similarity), "capitalised": float(share),
                     "_forms": (r.form,)})  # fmt: skip
        for line in lines.head(examples).to_dict("records"):
            ex.append({**line, "suggestion": shown})
    return rows, ex

