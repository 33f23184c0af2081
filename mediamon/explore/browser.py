"""The concordance browser: :func:`browse` and its widget :class:`ConcordanceBrowser`.

An aligned KWIC view (left context right-aligned, the match highlighted) that sorts by AntConc's
word positions and by metadata, filters by source, date range and a search in the contexts, pages
through any number of hits, and opens the document behind a hit in the reader. The Python side
keeps the concordance (:class:`~mediamon.explore.view.KwicView`); only the visible page travels to
the page, so 150,000 hits stay responsive and the notebook file holds one page at most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

import mediamon as mm

from .. import display
from ..errors import InputError, MediamonError
from .assets import CSS, ESM, with_html
from .document import read_document
from .view import KwicView, Selection, check_kwic, parse_sort, selection_call

if TYPE_CHECKING:
    import mediamon

__all__ = ["ConcordanceBrowser", "browse"]

_NO_FRONT_END = (
    '<div class="mm-more">Static view: the interactive browser '
    "needs a Jupyter front end with widgets (JupyterLab 4).</div>"
)


class ConcordanceBrowser(anywidget.AnyWidget):
    """An aligned KWIC view that sorts (AntConc keys and metadata), filters (sources, dates, a
    search in the contexts), pages, and opens the document behind a hit.

    Make it with :func:`mediamon.browse`. The state is in traits you may also set from Python
    (``b.sort = ["1R", "2R"]``, ``b.selected_sources = ["Tehran Times"]``, ``b.page = 3``);
    :meth:`selection` returns the selected hits as a Kwic, :meth:`open_hit` opens a hit's document.
    """

    _esm = ESM
    _css = CSS
    mode = traitlets.Unicode("browser").tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    sources = traitlets.List().tag(sync=True)  # [[source, hits], ...]
    date_span = traitlets.List().tag(sync=True)  # [first, last] as YYYY-MM-DD
    sort = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selected_sources = traitlets.List(traitlets.Unicode()).tag(sync=True)
    date_from = traitlets.Unicode("").tag(sync=True)
    date_to = traitlets.Unicode("").tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    page = traitlets.Int(0).tag(sync=True)
    page_size = traitlets.Int(25).tag(sync=True)
    rows = traitlets.List().tag(sync=True)
    matched = traitlets.Int(0).tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    n_pages = traitlets.Int(1).tag(sync=True)
    hidden_undated = traitlets.Int(0).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)
    document = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        kw: mediamon.Kwic,
        corpus: Any = None,
        actors: Any = None,
        *,
        selection: Selection = Selection(),
        width: int = 70,
        names: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.view = KwicView(kw, width=width)
        self.corpus = corpus
        self.actors = actors if actors is None or isinstance(actors, mm.ActorSet) else mm.read_actors(actors)
        self.names = {"kw": "kw", "corpus": "corpus", "actors": "actors", **(names or {})}
        self._refreshing = False
        first = self.view.page(selection)  # invalid options fail here, with the call's message
        super().__init__(**kwargs)
        pattern = kw.params.get("pattern", "")
        docs = kw.df["doc_id"].nunique()
        self._refreshing = True  # the first page is computed already: no refresh per trait
        try:
            with self.hold_trait_notifications():
                self.caption = f"KWIC {pattern}: {self.view.total:,} hits in {docs:,} documents"
                self.sources = [list(pair) for pair in self.view.source_counts()]
                self.date_span = list(self.view.date_span())
                self.total = self.view.total
                self.sort = list(selection.sort)
                self.selected_sources = list(selection.sources)
                self.date_from, self.date_to, self.search = selection.date_from, selection.date_to, selection.search
                self.page_size, self.page = selection.page_size, first.page
        finally:
            self._refreshing = False
        self._show(first, selection)
        self.on_msg(self._on_message)

    # -- state -----------------------------------------------------------------------------------
    @property
    def current(self) -> Selection:
        """The selection the browser shows now."""
        return Selection(
            sort=tuple(self.sort), sources=tuple(self.selected_sources), date_from=self.date_from,
            date_to=self.date_to, search=self.search, page=self.page, page_size=self.page_size,
        )  # fmt: skip

    def selection(self) -> mediamon.Kwic:
        """The hits selected now (every page, in the shown order) as a Kwic."""
        return self.view.selection(self.current)

    @traitlets.observe("sort", "selected_sources", "date_from", "date_to", "search", "page_size", "page")
    def _changed(self, change: dict[str, Any]) -> None:
        if self._refreshing:
            return
        if change["name"] != "page" and self.page != 0:  # another sort or filter starts at page 1
            self._refreshing = True
            try:
                self.page = 0
            finally:
                self._refreshing = False
        self.refresh()

    def refresh(self) -> None:
        """Recompute the visible page for the current traits (errors are shown, not raised)."""
        sel = self.current
        try:
            if sel.sort:
                sel = sel.replace(sort=parse_sort(sel.sort, "browse()"))
            result = self.view.page(sel)
        except MediamonError as exc:
            self.error = str(exc)
            return
        self._show(result, sel)

    def _show(self, result: Any, sel: Selection) -> None:
        self._refreshing = True
        try:
            with self.hold_trait_notifications():
                self.error = ""
                self.rows = result.rows
                self.matched = result.matched
                self.n_pages = result.n_pages
                self.hidden_undated = result.hidden_undated
                self.page = result.page
                self.code = selection_call(
                    sel.replace(page=result.page), kw=self.names["kw"],
                    corpus=self.names["corpus"] if self.corpus is not None else None,
                    actors=self.names["actors"] if self.actors is not None else None,
                )  # fmt: skip
        finally:
            self._refreshing = False

    # -- the reader --------------------------------------------------------------------------------
    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "open":
            try:
                self.open_hit(int(content.get("row", -1)))
            except MediamonError as exc:
                self.error = str(exc)

    def open_hit(self, row: int) -> dict[str, Any]:
        """Open the document of hit *row* (a row number of ``kw.df``, as in ``rows[i]["row"]``) in
        the reader below the table, the hit outlined; returns the reader's payload."""
        if not 0 <= row < self.view.total:
            raise InputError(f"ConcordanceBrowser.open_hit(): row {row} is not a hit (0..{self.view.total - 1}).")
        hit = self.view.df.iloc[row]
        if self.corpus is None:
            self.error = "Pass corpus= to mm.browse(...) to open the documents behind the hits."
            return {}
        doc = read_document(
            self.corpus, str(hit["doc_id"]), self.actors,
            highlight=(int(hit["char_start"]), int(hit["char_end"])),
            names={"corpus": self.names["corpus"], "actors": self.names["actors"]},
        )  # fmt: skip
        self.error = ""
        self.document = doc.payload()
        return self.document

    # -- display -----------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        shown = self.view.selection(self.current)
        static = display.join([shown._repr_html_(), _NO_FRONT_END])
        return with_html(super()._repr_mimebundle_(**kwargs), static)

    def __repr__(self) -> str:
        return f"<ConcordanceBrowser: {self.matched:,} of {self.total:,} hits, page {self.page + 1} of {self.n_pages}>"



def browse(
    kw: mediamon.Kwic,
    corpus: Any = None,
    actors: Any = None,
    *,
    sort: Sequence[str] = (),
    sources: Sequence[str] = (),
    date_from: str = "",
    date_to: str = "",
    search: str = "",
    page: int = 0,
    page_size: int = 25,
    width: int = 70,
    names: Mapping[str, str] | None = None,
) -> ConcordanceBrowser:
    """Browse a concordance: sort, filter, page, and open the document behind a hit.

    Parameters
    ----------
    kw
        A ``mm.kwic(...)`` result.
    corpus
        The corpus *kw* was made from; needed to open documents (a Corpus or a sharded store).
    actors
        An ActorSet or actor YAML path: the reader highlights their mentions.
    sort
        Sort keys: metadata keys first (``"date"``, ``"-date"`` newest first, ``"source"``,
        ``"title"``, ``"doc_id"``), then AntConc word keys (``"1L"``, ``"K"``, ``"1R"``, ``"2R"``,
        ...; see :meth:`Kwic.sort`). Empty: the order of *kw*.
    sources
        Keep only hits from these sources (empty: all).
    date_from, date_to
        Keep only hits dated in this inclusive range (``"YYYY-MM-DD"``, UTC); undated hits are then
        left out, and the browser says how many.
    search
        Keep only hits whose ``left match right`` contains this text (case-insensitive).
    page, page_size
        The page shown first (from 0) and the hits per page.
    width
        Characters of context shown on each side (the row's full context stays in ``kw.df``).
    names
        Variable names for the shown calls, e.g. ``{"kw": "hits", "corpus": "news"}``.

    Returns
    -------
    ConcordanceBrowser
        A widget; without a widget front end it shows the static, escaped KWIC table.
        ``browser.selection()`` gives the selected hits as a Kwic; ``browser.open_hit(row)`` opens one.

    Examples
    --------
    >>> kw = mm.kwic(news, "raisi", actors=actors)  # doctest: +SKIP
    >>> mm.browse(kw, news, actors, sort=["1R"], sources=["Tehran Times"])  # doctest: +SKIP
    """
    check_kwic(kw, "browse()")
    if isinstance(sort, str) or isinstance(sources, str):
        raise InputError("browse(): sort= and sources= take lists, e.g. sort=['1R'], sources=['Tehran Times'].")
    selection = Selection(
        sort=parse_sort(sort, "browse()"), sources=tuple(sources), date_from=date_from or "",
        date_to=date_to or "", search=search or "", page=int(page), page_size=int(page_size),
    )  # fmt: skip
    return ConcordanceBrowser(kw, corpus, actors, selection=selection, width=width, names=names)
