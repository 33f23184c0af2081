"""The document reader: :func:`show_document` and its widget :class:`DocumentReader`.

The reader shows one document's full original text with every actor mention highlighted and
coloured by actor, sentence boundaries on hover (or all of them with the "sentences" toggle), the
metadata, and the call that shows the same view again. Without a widget front end it displays as
static, escaped HTML (the same view; the toggle works through CSS alone).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import anywidget
import traitlets

from ..sentences import BY_LANGUAGE
from .assets import CSS, ESM, with_html
from .document import Document, read_document

__all__ = ["DocumentReader", "show_document"]


class DocumentReader(anywidget.AnyWidget):
    """One document: its full text, every actor mention coloured by actor, sentences on hover or
    with the "sentences" toggle, the metadata and the call that shows it again.

    Make it with :func:`mediamon.show_document`.
    """

    _esm = ESM
    _css = CSS
    mode = traitlets.Unicode("reader").tag(sync=True)
    document = traitlets.Dict().tag(sync=True)

    def __init__(self, doc: Document, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.doc = doc
        self.document = doc.payload()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return with_html(super()._repr_mimebundle_(**kwargs), self.doc.to_html())

    def __repr__(self) -> str:
        return f"<DocumentReader {self.doc.doc_id!r}: {len(self.doc.text):,} characters, {len(self.doc.actors)} actors>"



def show_document(
    corpus: Any,
    doc_id: str,
    actors: Any = None,
    *,
    highlight: tuple[int, int] | None = None,
    mentions: Any = None,
    sentences: str = BY_LANGUAGE,
    names: Mapping[str, str] | None = None,
) -> DocumentReader:
    """Read one document with its actor mentions highlighted.

    Parameters
    ----------
    corpus
        A Corpus or a sharded store.
    doc_id
        The document (``kw.df["doc_id"]``, ``mentions.df["doc_id"]``, ``corpus.docs["doc_id"]``).
    actors
        An ActorSet or actor YAML path: every mention of every actor is highlighted, one colour per
        actor (the same colour in every document).
    highlight
        ``(char_start, char_end)`` of a span to outline, e.g. a KWIC hit.
    mentions
        Mentions computed before (``mm.mentions(corpus, actors)``) to show instead of matching the
        actors again; checked against the text.
    sentences
        The sentence model used for the index (``mm.index(corpus, sentences=...)``).
    names
        Variable names for the shown call, e.g. ``{"corpus": "news"}``.

    Returns
    -------
    DocumentReader
        A widget; ``reader.doc`` is the :class:`~mediamon.explore.document.Document` (segments,
        actors present, metadata), ``reader.doc.to_html()`` its static HTML.

    Examples
    --------
    >>> hit = kw.df.iloc[0]  # doctest: +SKIP
    >>> mm.show_document(news, hit.doc_id, actors, highlight=(hit.char_start, hit.char_end))  # doctest: +SKIP
    """
    doc = read_document(
        corpus, doc_id, actors, highlight=highlight, mentions=mentions, sentences=sentences, names=names
    )
    return DocumentReader(doc)
