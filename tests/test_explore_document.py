"""The document reader's content (mediamon.explore.document) against independent computations.

The mentions and sentences the reader shows are checked against the whole corpus's mm.mentions and
mm.index (the reader computes them on the one document), and the static HTML is parsed back with
html.parser to check that it holds the text as text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import mediamon as mm
from explore_payloads import DOCS, RLO, write_hostile
from mediamon.display import strip_bidi
from mediamon.errors import InputError, NotFoundError
from mediamon.explore.document import read_document

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus() -> mm.Corpus:
    return mm.read_corpus(ROOT / "corpora" / "mm-sample")


@pytest.fixture(scope="module")
def actors() -> mm.ActorSet:
    return mm.read_actors(ROOT / "corpora" / "actors.yaml")


@pytest.fixture(scope="module")
def found(corpus: mm.Corpus, actors: mm.ActorSet) -> mm.Mentions:
    return mm.mentions(corpus, actors)


@pytest.fixture(scope="module")
def busy_doc(found: mm.Mentions) -> str:
    """The document with the most distinct actors."""
    per_doc = found.df.groupby("doc_id")["actor"].nunique()
    return str(per_doc.sort_values(ascending=False, kind="stable").index[0])


def test_segments_give_back_the_original_text(corpus: mm.Corpus, actors: mm.ActorSet, busy_doc: str) -> None:
    doc = read_document(corpus, busy_doc, actors)
    text = corpus.text_of(busy_doc)
    assert "".join(text[s.start : s.end] for s in doc.segments) == text
    assert all(s.start < s.end for s in doc.segments)


def test_every_mention_is_highlighted_with_its_actor(
    corpus: mm.Corpus, actors: mm.ActorSet, found: mm.Mentions, busy_doc: str
) -> None:
    doc = read_document(corpus, busy_doc, actors)
    expected = found.df[found.df["doc_id"] == busy_doc]
    assert len(expected["actor"].unique()) >= 3
    ids = [a["id"] for a in doc.actors]
    assert sorted(ids) == sorted(expected["actor"].unique())
    assert {a["id"]: a["mentions"] for a in doc.actors} == expected["actor"].value_counts().to_dict()
    for actor, a, b in zip(expected["actor"], expected["char_start"], expected["char_end"]):
        covering = [s for s in doc.segments if s.start < b and s.end > a]
        assert covering and covering[0].start == a and covering[-1].end == b
        assert all(ids.index(actor) in s.actors for s in covering)
    marked = sum(s.end - s.start for s in doc.segments if s.actors)
    assert marked == int((expected["char_end"] - expected["char_start"]).sum())  # nothing else is marked


def test_colours_follow_the_actor_list(corpus: mm.Corpus, actors: mm.ActorSet, busy_doc: str) -> None:
    doc = read_document(corpus, busy_doc, actors)
    for a in doc.actors:
        assert a["colour"] == actors.ids.index(a["id"]) % 12


def test_sentences_are_those_of_the_corpus_index(corpus: mm.Corpus, actors: mm.ActorSet, busy_doc: str) -> None:
    doc = read_document(corpus, busy_doc, actors)
    ix = mm.index(corpus, progress=False)
    row = int(np.flatnonzero(corpus.docs["doc_id"].to_numpy() == busy_doc)[0])
    lo, hi = ix.doc_offsets[row], ix.doc_offsets[row + 1]
    sent, start, end = ix.sent[lo:hi], ix.start[lo:hi], ix.end[lo:hi]
    expected = [(int(start[sent == k].min()), int(end[sent == k].max())) for k in np.unique(sent)]
    shown: dict[int, list[int]] = {}
    for s in doc.segments:
        if s.sentence >= 0:
            shown.setdefault(s.sentence, [s.start, s.end])[1] = s.end
    assert [tuple(v) for _, v in sorted(shown.items())] == expected
    assert doc.n_sentences == len(expected) > 3


def test_the_highlight_covers_exactly_the_hit(corpus: mm.Corpus, actors: mm.ActorSet) -> None:
    kw = mm.kwic(corpus, "Kazan")
    hit = kw.df.iloc[0]
    doc = read_document(corpus, hit["doc_id"], actors, highlight=(hit["char_start"], hit["char_end"]))
    marked = [s for s in doc.segments if s.hit]
    assert (marked[0].start, marked[-1].end) == (hit["char_start"], hit["char_end"])
    assert "".join(doc.text[s.start : s.end] for s in marked) == hit["match"]
    assert doc.code == (
        f"mm.show_document(corpus, {hit['doc_id']!r}, actors=actors, "
        f"highlight=({hit['char_start']}, {hit['char_end']}))"
    )


def test_precomputed_mentions_are_used_and_checked(
    corpus: mm.Corpus, actors: mm.ActorSet, found: mm.Mentions, busy_doc: str
) -> None:
    direct = read_document(corpus, busy_doc, actors)
    given = read_document(corpus, busy_doc, actors, mentions=found)
    assert given.segments == direct.segments
    shifted = found.df.copy()
    shifted["char_start"] += 1
    with pytest.raises(InputError, match=r"mentions= do not match this document's text"):
        read_document(corpus, busy_doc, actors, mentions=shifted)


def test_bad_requests_are_explained(corpus: mm.Corpus) -> None:
    with pytest.raises(NotFoundError, match=r"no document with doc_id='nope'"):
        read_document(corpus, "nope")
    doc_id = corpus.docs["doc_id"].iloc[0]
    with pytest.raises(InputError, match=r"highlight=\(5, 2\) is outside the text"):
        read_document(corpus, doc_id, highlight=(5, 2))


def test_a_store_reads_like_a_corpus(tmp_path: Path, corpus: mm.Corpus, actors: mm.ActorSet, busy_doc: str) -> None:
    store = mm.ingest(ROOT / "corpora" / "mm-sample", tmp_path / "store", progress=False, index=False)
    from_store = read_document(store, busy_doc, actors)
    assert from_store.segments == read_document(corpus, busy_doc, actors).segments


class _Text(HTMLParser):
    """Collects text and the tags/attributes of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.in_style = False
        self.in_text = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.in_style = tag == "style"
        if tag == "div" and dict(attrs).get("class") == "mm-x-text":
            self.in_text = 1
        elif self.in_text and tag in ("span", "mark"):
            self.in_text += 1

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        if self.in_text and tag in ("div", "span", "mark"):
            self.in_text -= 1

    def handle_data(self, data: str) -> None:
        if self.in_text:
            self.text.append(data)


def test_hostile_document_is_text_in_static_html_and_payload(tmp_path: Path) -> None:
    corpus_path, actors_path = write_hostile(tmp_path)
    corpus = mm.read_corpus(corpus_path)
    actors = mm.read_actors(actors_path)
    doc = read_document(corpus, "evil-1", actors)
    assert len(doc.actors) == 2  # both hostile-named actors were matched
    parser = _Text()
    parser.feed(doc.to_html())
    assert "".join(parser.text) == strip_bidi(DOCS[0]["text"])  # the article, as text, in full
    allowed = {"style", "div", "span", "mark", "bdi", "code", "label", "input", "pre", "a"}
    assert {t for t, _ in parser.tags} <= allowed
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs or tag not in ("b", "mark", "span")
        if tag == "a":
            raise AssertionError(f"a link was made from {attrs}")  # the url is javascript:
    payload = doc.payload()
    joined = "".join(seg[0] for seg in payload["segments"])
    assert joined == strip_bidi(DOCS[0]["text"]) and RLO not in joined
    assert payload["url"] == ""  # JaVaScRiPt: is not a link
    assert read_document(corpus, "evil-2<svg onload=alert(1)>", actors).url == ""  # jav&#x09;ascript:
    assert read_document(corpus, "evil-3", actors).url == "https://example.org/raisi"
