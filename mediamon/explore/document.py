"""One document cut into segments for reading: sentences, actor mentions and a highlighted hit.

:func:`read_document` takes the original text (``corpus.text_of``), its sentences from the token
index of that one document (``mm.index``) and its actor mentions (``mm.mentions``), and cuts the text
at every boundary, so that each :class:`Segment` lies in at most one sentence and is covered by a
fixed set of mentions. Joining the segments gives the original text back, character for character.
The result goes to a front end as plain values (:meth:`Document.payload`, shown as text) or as
static, escaped HTML (:meth:`Document.to_html`, which needs no JavaScript).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

import mediamon as mm

from .. import display
from ..errors import InputError, NotFoundError
from ..sentences import BY_LANGUAGE

__all__ = ["Document", "Segment", "read_document", "reader_css", "PALETTE_SIZE"]

PALETTE_SIZE = 12  # actor colours mm-x-a0 .. mm-x-a11 in explore.css, reused in order


@lru_cache(maxsize=1)
def reader_css() -> str:
    """The stylesheet shared by the widgets and the static HTML (package data)."""
    return resources.files(__package__).joinpath("static", "explore.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Segment:
    """``text[start:end]``, in sentence *sentence* (``-1`` between sentences or outside the body),
    covered by the mentions of *actors* (indices into :attr:`Document.actors`) and, when *hit*, by
    the highlighted span."""

    start: int
    end: int
    sentence: int
    actors: tuple[int, ...]
    hit: bool


@dataclass(frozen=True)
class Document:
    """A document ready to read: metadata, actors present, and its text in segments."""

    doc_id: str
    title: str
    date: str
    source: str
    url: str  # an http(s) URL or ""
    text: str
    segments: tuple[Segment, ...]
    actors: tuple[dict[str, Any], ...]  # id, name, colour, mentions
    n_sentences: int
    highlight: tuple[int, int] | None
    code: str

    def payload(self) -> dict[str, Any]:
        """JSON-able values for the widget: every string is shown as text, never parsed as HTML."""
        clean = display.strip_bidi
        return {
            "doc_id": clean(self.doc_id),
            "title": clean(self.title),
            "date": self.date,
            "source": clean(self.source),
            "url": self.url,
            "actors": [{**a, "id": clean(a["id"]), "name": clean(a["name"])} for a in self.actors],
            "segments": [
                [clean(self.text[s.start : s.end]), list(s.actors), s.sentence, int(s.hit)] for s in self.segments
            ],
            "n_sentences": self.n_sentences,
            "code": self.code,
        }

    def to_html(self) -> str:
        """Static, escaped HTML: mentions coloured by actor, sentences outlined on hover (or with the
        checkbox, through CSS only), the metadata and the call that shows it again."""
        esc = display.esc
        head = [f'<div class="mm-x-title">{display.bdi(self.title or self.doc_id)}</div>']
        facts = [f for f in (self.date, self.source) if f]
        meta = " · ".join(display.bdi(f) for f in facts)
        link = display.link("original", self.url) if self.url else ""
        head.append(
            f'<div class="mm-x-meta">{meta}{" · " if meta else ""}<code>{display.bdi(self.doc_id)}</code>'
            f'{" · " + link if link else ""}</div>'
        )
        legend = "".join(
            f'<span class="mm-x-key"><mark class="mm-x-mention mm-x-a{a["colour"]}">{display.bdi(a["name"])}</mark>'
            f" {a['mentions']:,}</span>"
            for a in self.actors
        )
        if not self.actors:
            legend = '<span class="mm-x-none">no actor mentions shown</span>'
        names = [a["name"] for a in self.actors]
        parts: list[str] = []
        open_sentence = -1
        for seg in self.segments:
            if seg.sentence != open_sentence:
                if open_sentence >= 0:
                    parts.append("</span>")
                if seg.sentence >= 0:
                    n = seg.sentence + 1
                    parts.append(f'<span class="mm-x-sent" data-n="{n}" title="sentence {n}">')
                open_sentence = seg.sentence
            piece = esc(self.text[seg.start : seg.end])
            if seg.actors or seg.hit:
                classes = ["mm-x-mention", f"mm-x-a{self.actors[seg.actors[0]]['colour']}"] if seg.actors else []
                if seg.hit:
                    classes.append("mm-x-hit")
                label = " · ".join(names[i] for i in seg.actors) + (" (the hit)" if seg.hit else "")
                piece = f'<mark class="{" ".join(classes)}" title="{esc(label)}">{piece}</mark>'
            parts.append(piece)
        if open_sentence >= 0:
            parts.append("</span>")
        return (
            f"<style>{reader_css()}</style>"
            f'<div class="mm-x mm-x-reader">'
            f'<div class="mm-x-head">{"".join(head)}</div>'
            f'<div class="mm-x-legend">{legend}'
            f'<label class="mm-x-toggle-label"><input type="checkbox" class="mm-x-toggle"> sentences '
            f"({self.n_sentences:,})</label></div>"
            f'<div class="mm-x-text" dir="auto">{"".join(parts)}</div>'
            f'<pre class="mm-x-code">{esc(self.code)}</pre></div>'
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _doc_row(corpus: Any, doc_id: str, call: str) -> pd.DataFrame:
    docs = corpus.docs
    ids = docs["doc_id"].astype(object).to_numpy()
    hit = np.flatnonzero(ids == doc_id)
    if hit.size == 0:
        raise NotFoundError(f"{call}: no document with doc_id={doc_id!r} in this corpus ({len(docs):,} documents).")
    return docs.iloc[hit[:1]].reset_index(drop=True)


def _actor_set(actors: Any) -> mm.ActorSet:
    return actors if isinstance(actors, mm.ActorSet) else mm.read_actors(actors)


def _mentions_of(doc: Any, text: str, actors: Any, mentions: Any, call: str) -> pd.DataFrame:
    """The mention rows of the one document: computed on it, or taken from *mentions* and checked."""
    if mentions is not None:
        df = getattr(mentions, "df", mentions)
        if not isinstance(df, pd.DataFrame) or not {"doc_id", "actor", "char_start", "char_end"} <= set(df.columns):
            raise InputError(f"{call}: mentions= must be the result of mm.mentions(...), got {type(mentions).__name__}.")
        rows = df[df["doc_id"].astype(object) == doc.docs.at[0, "doc_id"]]
        if "matched" in rows.columns:
            for cs, ce, matched in zip(rows["char_start"], rows["char_end"], rows["matched"]):
                if text[int(cs) : int(ce)] != matched:
                    raise InputError(
                        f"{call}: mentions= do not match this document's text (at {cs}:{ce} it reads "
                        f"{text[int(cs):int(ce)]!r}, not {matched!r}); compute them on this corpus."
                    )
        return rows[["actor", "char_start", "char_end"]]
    if actors is None:
        return pd.DataFrame({"actor": [], "char_start": [], "char_end": []})
    return mm.mentions(doc, actors).df[["actor", "char_start", "char_end"]]


def read_document(
    corpus: Any,
    doc_id: str,
    actors: Any = None,
    *,
    highlight: tuple[int, int] | None = None,
    mentions: Any = None,
    sentences: str = BY_LANGUAGE,
    names: Mapping[str, str] | None = None,
) -> Document:
    """Cut document *doc_id* of *corpus* into segments (see the module docstring).

    Parameters
    ----------
    corpus
        A Corpus or a sharded store (``corpus.docs`` and ``corpus.text_of`` are used).
    doc_id
        The document.
    actors
        An ActorSet or an actor YAML path: every mention of every actor is highlighted.
    highlight
        ``(char_start, char_end)`` of a span to mark, e.g. a KWIC hit's ``char_start, char_end``.
    mentions
        A precomputed ``mm.mentions(corpus, actors)`` result to take the mentions from (checked
        against the text) instead of matching the actors again.
    sentences
        The sentence model of ``mm.index`` (as used for the analysis).
    names
        Variable names for the shown call, e.g. ``{"corpus": "news"}``.
    """
    call = "show_document()"
    doc_id = str(doc_id)
    row = _doc_row(corpus, doc_id, call)
    text = corpus.text_of(doc_id)
    if not isinstance(text, str):
        raise InputError(f"{call}: document {doc_id!r} has no text.")
    one = mm.Corpus(row.assign(text=[text]), name=f"document {doc_id}")
    actor_set = _actor_set(actors) if actors is not None else None
    ix = mm.index(one, sentences=sentences, progress=False, workers=1)  # cached: mentions reuse it, quietly
    found = _mentions_of(one, text, actor_set, mentions, call)
    sent = np.asarray(ix.sent)
    if sent.size:
        first = np.flatnonzero(np.diff(sent, prepend=sent[0] - 1) != 0)
        last = np.append(first[1:] - 1, sent.size - 1)
        sent_start = np.asarray(ix.start, dtype=np.int64)[first]
        sent_end = np.asarray(ix.end, dtype=np.int64)[last]
    else:
        sent_start = sent_end = np.zeros(0, np.int64)

    if highlight is not None:
        try:
            hs, he = (int(v) for v in highlight)
        except (TypeError, ValueError):
            raise InputError(f"{call}: highlight={highlight!r} must be (char_start, char_end).") from None
        if not 0 <= hs < he <= len(text):
            raise InputError(f"{call}: highlight={highlight!r} is outside the text (0..{len(text)}) or empty.")
        highlight = (hs, he)

    # actors present, in the order of the actor list (so an actor keeps its colour across documents)
    order = actor_set.ids if actor_set is not None else list(dict.fromkeys(found["actor"].astype(str)))
    counts = found["actor"].astype(str).value_counts()
    present = [a for a in order if a in counts.index]
    code_of = {a: i for i, a in enumerate(present)}
    names_of = {a.id: a.name for a in actor_set} if actor_set is not None else {}
    colour = {a: (order.index(a) % PALETTE_SIZE) for a in present}
    actor_rows = tuple(
        {"id": a, "name": names_of.get(a, a), "colour": colour[a], "mentions": int(counts[a])} for a in present
    )

    cs = found["char_start"].to_numpy(dtype=np.int64)
    ce = found["char_end"].to_numpy(dtype=np.int64)
    cuts = [np.array([0, len(text)], np.int64), sent_start, sent_end, cs, ce]
    if highlight is not None:
        cuts.append(np.array(highlight, np.int64))
    bounds = np.unique(np.concatenate(cuts))
    bounds = bounds[(bounds >= 0) & (bounds <= len(text))]
    seg_start, seg_end = bounds[:-1], bounds[1:]
    k = np.searchsorted(sent_start, seg_start, side="right") - 1
    inside = (k >= 0) & (seg_start < sent_end[np.maximum(k, 0)]) if sent_start.size else np.zeros(seg_start.size, bool)
    seg_sentence = np.where(inside, k, -1)
    covered: list[list[int]] = [[] for _ in range(seg_start.size)]
    for actor, a, b in zip(found["actor"].astype(str).tolist(), cs.tolist(), ce.tolist()):  # mentions, not tokens
        for i in range(int(np.searchsorted(bounds, a)), int(np.searchsorted(bounds, b))):
            if code_of[actor] not in covered[i]:
                covered[i].append(code_of[actor])
    hit = np.zeros(seg_start.size, bool)
    if highlight is not None:
        hit = (seg_start >= highlight[0]) & (seg_end <= highlight[1])
    segments = tuple(
        Segment(int(s), int(e), int(n), tuple(sorted(c)), bool(h))
        for s, e, n, c, h in zip(seg_start, seg_end, seg_sentence, covered, hit)
    )

    meta = row.iloc[0]
    date = meta.get("date")
    names = {"corpus": "corpus", "actors": "actors", **(names or {})}
    args = [names["corpus"], repr(doc_id)]
    if actors is not None:
        args.append(f"actors={names['actors']}")
    if highlight is not None:
        args.append(f"highlight={highlight!r}")
    return Document(
        doc_id=doc_id,
        title=display.plain(meta.get("title")),
        date="" if date is None or pd.isna(date) else f"{pd.Timestamp(date):%Y-%m-%d}",
        source=display.plain(meta.get("source")),
        url=display.safe_url(meta.get("url")) or "",
        text=text,
        segments=segments,
        actors=actor_rows,
        n_sentences=int(sent_start.size),
        highlight=highlight,
        code=f"mm.show_document({', '.join(args)})",
    )
