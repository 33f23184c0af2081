"""Who said what: every direct quotation, its speaker and the words that attribute it.

:func:`quotes` finds, per shard, the quotations in the texts of the selected documents and
attributes them with the shard's token index, its sentences and paragraphs, and the actor mentions
of :mod:`mediamon.analysis.mentions` (the same matching every analysis uses). Every rule (which
marks pair, what is not a quotation, the attribution patterns, how a role noun or a pronoun is
resolved) is documented in :mod:`mediamon.quoting`. Each row carries its evidence: the quotation's
character span in the original text, the attribution's span and text, the pattern that matched and
how the speaker was resolved; every quoted span that is *not* counted is in ``Quotes.rejected``
with its reason, so every miss is countable.

Per shard only the texts of documents holding quote marks are read; the rows of all shards are
combined with global document, sentence, paragraph and token numbers (:mod:`mediamon.partials`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import display
from ..actors import ActorSet, resolve_actors
from ..options import shared_docs
from ..partials import Part, combine
from ..quoting import PATTERNS, REJECT_REASONS
from ..results import Result
from ..shards import Layout, Shard, Source, as_source, map_shards, open_shard
from .mentions import metadata, shard_quotations

__all__ = ["QUOTE_COLUMNS", "REJECTED_COLUMNS", "Quotes", "quote_rows", "quotes"]

#: The columns of ``Quotes.df``.
QUOTE_COLUMNS = (
    "doc_id", "doc", "quote", "char_start", "char_end", "speaker", "speaker_text", "role", "resolved_by",
    "verb", "pattern", "attribution", "attr_char_start", "attr_char_end", "words", "paragraphs",
    "sentence", "paragraph", "token_start", "token_end", "date", "source", "title", "url",
)  # fmt: skip

#: The columns of ``Quotes.rejected``.
REJECTED_COLUMNS = ("doc_id", "doc", "char_start", "char_end", "text", "reason")

NUMBERING = {
    "quotes": {"doc": "documents", "sentence": "sentences", "paragraph": "paragraphs",
               "token_start": "tokens", "token_end": "tokens"},
    "rejected": {"doc": "documents"},
}  # fmt: skip


def _strings(values: Any) -> pa.Array:
    return pa.array([None if v is None else str(v) for v in np.asarray(values, dtype=object).tolist()],
                    type=pa.string())  # fmt: skip


def quote_rows(shard: Shard, actors: ActorSet | None) -> tuple[pa.Table, pa.Table]:
    """The quotations and the rejected quoted spans of one shard (selection-local numbers)."""
    found = shard_quotations(shard, actors)
    q, r = found.quotes, found.rejected
    ix = shard.index
    doc = np.asarray(q["doc"], dtype=np.int64)
    meta = metadata(shard, doc)
    opened = np.asarray(q["open"], dtype=np.int64)
    quotes_table = pa.table(
        {
            "doc_id": meta["doc_id"],
            "doc": shard.local_docs(doc),
            "quote": _strings(q["quote"]),
            "char_start": pa.array(q["char_start"], type=pa.int64()),
            "char_end": pa.array(q["char_end"], type=pa.int64()),
            "speaker": _strings(q["speaker"]),
            "speaker_text": _strings(q["speaker_text"]),
            "role": _strings(q["role"]),
            "resolved_by": _strings(q["resolved_by"]),
            "verb": _strings(q["verb"]),
            "pattern": _strings(q["pattern"]),
            "attribution": _strings(q["attribution"]),
            "attr_char_start": pa.array(q["attr_char_start"], type=pa.int64()),
            "attr_char_end": pa.array(q["attr_char_end"], type=pa.int64()),
            "words": pa.array(q["words"], type=pa.int64()),
            "paragraphs": pa.array(q["paragraphs"], type=pa.int64()),
            "sentence": shard.local_sentences(ix.sent[opened], doc),
            "paragraph": shard.local_paragraphs(ix.para[opened], doc),
            "token_start": shard.local_tokens(opened, doc),
            "token_end": shard.local_tokens(np.asarray(q["close"], dtype=np.int64) + 1, doc),
            "date": meta["date"],
            "source": meta["source"],
            "title": meta["title"],
            "url": meta["url"],
        }
    )
    rdoc = np.asarray(r["doc"], dtype=np.int64)
    rejected_table = pa.table(
        {
            "doc_id": metadata(shard, rdoc, ("doc_id",))["doc_id"],
            "doc": shard.local_docs(rdoc),
            "char_start": pa.array(r["char_start"], type=pa.int64()),
            "char_end": pa.array(r["char_end"], type=pa.int64()),
            "text": _strings(r["text"]),
            "reason": _strings(r["reason"]),
        }
    )
    return quotes_table, rejected_table


def task_quotes(source: Source, i: int, actors: ActorSet | None) -> Part:
    """Per-shard step of :func:`quotes`."""
    shard = open_shard(source, i)
    found, rejected = quote_rows(shard, actors)
    return Part(sizes=shard.sizes, tables={"quotes": found, "rejected": rejected}, numbering=NUMBERING,
                shards=(shard.sizes,))  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class Quotes(Result):
    """One row per direct quotation (:data:`QUOTE_COLUMNS`), and the quoted spans not counted.

    ``char_start``/``char_end`` cover the quotation with its outer marks, in the document's original
    text (``text[char_start:char_end]``); ``quote`` is the text between the marks (a quotation over
    several paragraphs keeps their breaks and repeated opening marks). ``speaker`` is an actor id or
    missing; ``speaker_text`` the words of the attribution that name the speaker (shown also when no
    actor is resolved); ``role`` the role noun used ("ambassador"); ``resolved_by`` how the actor was
    found (``name``, ``role``, ``pronoun``); ``pattern`` one of :data:`mediamon.quoting.PATTERNS`;
    ``attribution`` the text of the speaker words and the verb (``attr_char_start``/``attr_char_end``;
    for ``shared`` and ``continuation`` rows, those of the quotation they follow). ``rejected`` has
    ``doc_id``, ``doc``, ``char_start``, ``char_end``, ``text`` and ``reason`` (one of
    :data:`mediamon.quoting.REJECT_REASONS`).
    """

    columns = (
        "doc_id", "quote", "speaker", "speaker_text", "verb", "pattern", "resolved_by", "role", "attribution",
        "char_start", "char_end", "attr_char_start", "attr_char_end", "words", "paragraphs", "sentence",
        "date", "source", "title", "url",
    )  # fmt: skip
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    layout: Layout | None = field(default=None, repr=False)

    def caption(self) -> str:
        n = len(self.df)
        named = int(self.df["speaker"].notna().sum()) if n else 0
        docs = int(self.df["doc_id"].nunique()) if n else 0
        reasons = self.rejected["reason"].value_counts() if len(self.rejected) else pd.Series(dtype=int)
        skipped = ", ".join(f"{int(reasons[r]):,} {r}" for r in REJECT_REASONS if r in reasons)
        text = f"{n:,} quotations in {docs:,} documents, {named:,} attributed to an actor"
        if "speakers" in self.params:  # a subset: the spans not counted belong to no speaker
            return text + f" (quotations of {', '.join(self.params['speakers'])})"
        return text + f"; {len(self.rejected):,} quoted spans not counted" + (f" ({skipped})" if skipped else "")

    def counts(self) -> pd.DataFrame:
        """Per speaker actor: quotations and documents quoting it, most quoted first."""
        df = self.df[self.df["speaker"].notna()]
        g = df.groupby("speaker", sort=False)
        out = pd.DataFrame({"quotes": g.size(), "documents": g["doc_id"].nunique()})
        return out.sort_values(["quotes", "documents"], ascending=False).rename_axis("speaker")

    def speakers(self) -> pd.DataFrame:
        """Per speaker, also those without an actor id (by their words, case-folded): ``speaker``,
        ``speaker_text`` (the most frequent wording), ``quotes``, ``documents``."""
        df = self.df[self.df["speaker_text"].notna() | self.df["speaker"].notna()].copy()
        df["key"] = df["speaker"].where(df["speaker"].notna(), "text:" + df["speaker_text"].str.casefold())
        g = df.groupby("key", sort=False)
        out = pd.DataFrame({
            "speaker": g["speaker"].first(),
            "speaker_text": g["speaker_text"].agg(lambda s: s.value_counts().index[0] if s.notna().any() else None),
            "quotes": g.size(),
            "documents": g["doc_id"].nunique(),
        })  # fmt: skip
        return out.sort_values(["quotes", "documents"], ascending=False).reset_index(drop=True)

    def of(self, *actor_ids: str) -> Quotes:
        """The quotations spoken by these actors only."""
        keep = self.df["speaker"].isin(actor_ids).to_numpy()
        return Quotes(self.df[keep].reset_index(drop=True), {**self.params, "speakers": list(actor_ids)},
                      rejected=self.rejected, layout=self.layout)  # fmt: skip

    def _repr_html_(self, max_rows: int = 30) -> str:
        return render_html(self, max_rows=max_rows)


def render_html(result: Quotes, *, max_rows: int = 30) -> str:
    """Caption, speaker counts and the quotations; every piece of corpus text escaped on its own."""
    df = result.df.head(max_rows)
    rows = []
    for rec in df.itertuples(index=False):
        label = rec.title if isinstance(rec.title, str) and rec.title.strip() else rec.doc_id
        who = rec.speaker if isinstance(rec.speaker, str) else ""
        rows.append(
            "<tr>"
            f"<td>{display.link(display.truncate(label, 50), rec.url)}</td>"
            f"<td>{display.bdi(display.truncate(rec.quote, 200))}</td>"
            f"<td><b>{display.bdi(who)}</b></td>"
            f"<td>{display.bdi(rec.speaker_text)}</td>"
            f"<td>{display.bdi(rec.verb)}</td>"
            f"<td>{display.esc(rec.pattern)}</td>"
            "</tr>"
        )
    more = f'<div class="mm-more">… {len(result.df) - max_rows:,} more quotations</div>' if len(result.df) > max_rows else ""
    table = (
        f'{display.STYLE}<table class="mm-table"><thead><tr><th>document</th><th>quotation</th>'
        f"<th>speaker</th><th>speaker words</th><th>verb</th><th>pattern</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{more}"
    )
    counts = result.counts().reset_index()
    return display.join([display.caption(result.caption()), display.table(counts, max_rows=15), table])


@shared_docs
def quotes(
    corpus: Source | str | os.PathLike[str],
    actors: ActorSet | str | os.PathLike[str] | None = None,
    *,
    executor: object = None,
) -> Quotes:
    """Every direct quotation in *corpus*, with its speaker, speech verb and attribution pattern.

    Parameters
    ----------
    corpus
        A Corpus, a sharded store or a view of either; the token index is built on first use.
    actors
        An :class:`~mediamon.actors.ActorSet` or an actors YAML path: speakers named by an alias,
        or described by a role noun that last described them ("the ambassador"), get the actor's
        id. ``None``: speakers are given by their words only.
    {executor}

    Returns
    -------
    Quotes
        ``.df`` (:data:`QUOTE_COLUMNS`), ``.rejected`` (quoted spans that are not quotations, and
        lone quote marks, with the reason), ``.counts()`` per actor, ``.speakers()`` per speaker.

    Notes
    -----
    The rules (quote marks, pairing, what is not a quotation, the attribution patterns
    :data:`mediamon.quoting.PATTERNS`, roles and pronouns) are in :mod:`mediamon.quoting`. Measured
    on hand-annotated documents of both bundled outlets: ``bench/RESULTS-quotes.md``.

    Examples
    --------
    >>> import mediamon as mm
    >>> q = mm.quotes(mm.read_corpus("corpora/seed"), "corpora/actors.yaml")
    >>> q.df[["speaker", "verb", "pattern"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['minnikhanov', 'saying', 'SPEAKER VERB: QUOTE'], ['jalali', 'adding', 'SPEAKER VERB: QUOTE'],
     ['jalali', 'highlighted', 'QUOTE, SPEAKER VERB'], ['sazhin', 'noted', 'SPEAKER VERB: QUOTE']]
    >>> q.rejected[["text", "reason"]].values.tolist()
    [['Russia and the Islamic World', 'title']]
    """
    source = as_source(corpus, "quotes()")
    actor_set = resolve_actors(actors) if actors is not None else None
    part = combine(map_shards(source, task_quotes, (actor_set,), executor=executor))
    df = _frame(part, "quotes", QUOTE_COLUMNS)
    rejected = _frame(part, "rejected", REJECTED_COLUMNS)
    params = {
        "call": "quotes", "corpus": source.fingerprint, "actors": actor_set.ids if actor_set is not None else None,
        "patterns": list(PATTERNS),
    }  # fmt: skip
    return Quotes(df=df, params=params, rejected=rejected, layout=Layout.of(source, part))


def _frame(part: Part, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    table = part.tables.get(name)
    if table is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return table.to_pandas()
