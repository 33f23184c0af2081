"""Plots of mediamon results (matplotlib).

Every function takes the result first, keyword-only options, and ``ax=None`` (a new figure is made
when none is given) and returns the :class:`matplotlib.axes.Axes`. Nothing is shown or saved here:
call ``ax.figure.savefig(...)`` yourself. Dates use matplotlib's concise date formatter.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .errors import InputError, one_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_collocates", "plot_cooc_heatmap", "plot_dispersion", "plot_network", "plot_timeline"]


def _axes(ax: Axes | None, size: tuple[float, float] = (8, 4.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # matplotlib is heavy: loaded when the first plot is drawn

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates  # loaded with the first date axis

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _naive(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates, utc=True)
    return d.dt.tz_convert("UTC").dt.tz_localize(None)


_FREQ_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year", "A": "year"}


def _freq_letter(freq: object) -> str:
    """The period letter of a pandas alias: "QE-DEC" -> "Q", "2W-MON" -> "W" ("" if unknown)."""
    text = str(freq or "").upper().lstrip("0123456789")
    return text[:1] if text[:1] in _FREQ_NAMES else ""


def _period_axis(ax: Axes, freq: object, first: pd.Timestamp | None, last: pd.Timestamp | None) -> None:
    """Date ticks that name the periods: every year, quarter ("Q1 2021") or month when they fit
    (at most about 12 labels, a minor tick at every period), matplotlib's concise dates otherwise."""
    import matplotlib.dates as mdates  # matplotlib: loaded with the first date axis
    from matplotlib.ticker import FuncFormatter

    letter = _freq_letter(freq)
    if first is None or last is None or letter in ("", "D", "W"):
        _date_axis(ax)
        return
    if letter in ("Y", "A"):
        years = last.year - first.year + 1
        step = max(1, -(-years // 12))
        ax.xaxis.set_major_locator(mdates.YearLocator(base=step))
        ax.xaxis.set_minor_locator(mdates.YearLocator(base=1))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        return
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if letter == "Q":
        quarters = max(1, months // 3 + 1)
        step = 3 * max(1, -(-quarters // 12))
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step) if 12 % step == 0 else [1]))
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))

        def quarter(x: float, _pos: int) -> str:
            d = mdates.num2date(x)
            return f"Q{(d.month - 1) // 3 + 1}\n{d.year}"

        ax.xaxis.set_major_formatter(FuncFormatter(quarter))
        return
    step = max(1, -(-months // 12))
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=step))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{mdates.num2date(x):%b}\n{mdates.num2date(x):%Y}"))


def plot_timeline(
    timeline: Any,
    *,
    value: Literal["share", "documents", "mentions"] = "share",
    actors: list[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Lines over time, one per actor (and per group with ``by=``).

    ``value="share"`` plots the share of the period's documents mentioning the actor (attention),
    as dashed lines with square markers on a percent axis; ``"documents"`` or ``"mentions"`` plot
    counts as solid lines with round markers. The title says which. Ticks name the periods of the
    timeline's ``freq`` (years, quarters, months) when they fit. Without actors, document counts
    are plotted.
    """
    df = timeline.df
    ax = _axes(ax)
    by = timeline.params.get("by")
    freq = timeline.params.get("freq")
    unit = _FREQ_NAMES.get(_freq_letter(freq), str(freq))
    share_style = {"linestyle": "--", "marker": "s", "markersize": 4}
    count_style = {"linestyle": "-", "marker": "o", "markersize": 3}
    if "actor" not in df.columns:
        groups = [(str(k), g) for k, g in df.groupby(by, sort=True)] if by else [("documents", df)]
        for label, g in groups:
            ax.plot(_naive(g["period"]), g["documents"], label=_plain(label), **count_style)
        ax.set_ylabel("documents")
        title = f"documents per {unit}"
    else:
        if value not in ("share", "documents", "mentions"):
            raise one_of("plot_timeline()", "value", value, ["share", "documents", "mentions"])
        wanted = actors or list(pd.unique(df["actor"]))
        sub = df[df["actor"].isin(wanted)]
        keys = ["actor", by] if by else ["actor"]
        style = share_style if value == "share" else count_style
        for key, g in sub.groupby(keys, sort=False):
            label = " · ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
            ax.plot(_naive(g["period"]), g[value], label=_plain(label), **style)
        ax.set_ylabel({"share": "share of documents", "documents": "documents", "mentions": "mentions"}[value])
        if value == "share":
            from matplotlib.ticker import PercentFormatter  # loaded with the first share axis

            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_ylim(bottom=0)
        title = {
            "share": f"attention: share of documents per {unit}",
            "documents": f"documents mentioning the actor per {unit}",
            "mentions": f"mentions per {unit}",
        }[value]
    periods = _naive(df["period"]) if len(df) else pd.Series([], dtype="datetime64[ns]")
    first = periods.min() if len(periods) else None
    last = periods.max() if len(periods) else None
    _period_axis(ax, freq, first, last)
    ax.set_title(title, fontsize=10, loc="left")
    undated = timeline.params.get("undated_documents", 0)
    if undated:
        ax.annotate(f"{undated:,} undated documents not shown", xy=(1.0, 1.0), xycoords="axes fraction",
                    xytext=(0, 2), textcoords="offset points", ha="right", va="bottom", fontsize=7,
                    color="0.4")  # fmt: skip
    ax.legend(fontsize=8, loc="best", frameon=False)
    ax.grid(alpha=0.3)
    return ax


def plot_cooc_heatmap(
    cooc: Any, *, measure: str = "n_ab", annotate: bool | None = None, ax: Axes | None = None
) -> Axes:
    """Actor × actor heatmap of ``cooc.matrix(measure)`` with actor names as labels."""
    mat = cooc.matrix(measure)
    names = dict(zip(cooc.actors["id"], cooc.actors["name"]))
    labels = [str(names.get(i, i)) for i in mat.index]
    k = len(labels)
    ax = _axes(ax, (max(5, 0.45 * k + 2), max(4, 0.45 * k + 1.5)))
    vals = mat.to_numpy(dtype=float)
    shown = np.where(np.isfinite(vals), vals, np.nan)
    if measure == "n_ab":
        shown = shown.copy()
        np.fill_diagonal(shown, np.nan)  # n_a on the diagonal would drown the pairs
    im = ax.imshow(np.ma.masked_invalid(shown), cmap="viridis", aspect="auto")
    ax.figure.colorbar(im, ax=ax, label=measure)
    ax.set_xticks(range(k), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(k), labels, fontsize=8)
    if annotate or (annotate is None and k <= 15):
        for i in range(k):
            for j in range(k):
                if i != j and np.isfinite(vals[i, j]):
                    text = f"{int(vals[i, j])}" if measure == "n_ab" else f"{vals[i, j]:.2g}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=6, color="w")
    unit = cooc.params.get("unit")
    ax.set_title(f"{measure} ({unit})")
    return ax


def _plain(text: object) -> str:
    """A corpus string as a literal matplotlib label ('$' would start mathtext)."""
    return str(text).replace("$", r"\$")


def _spread(pos: dict[Any, np.ndarray]) -> dict[Any, np.ndarray]:
    """Positions rescaled to fill [-1, 1] on both axes, with distances from the centre replaced by
    their rank, so one far node cannot squash the others into a corner (angles are kept)."""
    keys = list(pos)
    xy = np.array([pos[k] for k in keys], dtype=float)
    if len(keys) == 1:
        return {keys[0]: np.zeros(2)}
    centred = xy - np.median(xy, axis=0)
    radius = np.hypot(centred[:, 0], centred[:, 1])
    angle = np.arctan2(centred[:, 1], centred[:, 0])
    rank = np.argsort(np.argsort(radius, kind="stable"), kind="stable")
    new_radius = 0.15 + 0.85 * (rank + 1) / len(keys)  # the centre node keeps a little room too
    out = np.column_stack([new_radius * np.cos(angle), new_radius * np.sin(angle)])
    span = out.max(axis=0) - out.min(axis=0)
    span[span == 0] = 1.0
    out = 2 * (out - out.min(axis=0)) / span - 1
    return {k: out[i] for i, k in enumerate(keys)}


def _fit_labels(ax: Axes, texts: list[Any], *, rounds: int = 60) -> None:
    """Move labels so they stay inside the axes and do not overlap (labels, not tokens: a few dozen)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    inv = ax.transData.inverted()
    box = ax.get_window_extent(renderer)
    for _ in range(rounds):
        moved = False
        extents = [t.get_window_extent(renderer).expanded(1.05, 1.15) for t in texts]
        for t, e in zip(texts, extents):  # inside the axes
            dx = max(0.0, box.x0 - e.x0) - max(0.0, e.x1 - box.x1)
            dy = max(0.0, box.y0 - e.y0) - max(0.0, e.y1 - box.y1)
            if dx or dy:
                x, y = ax.transData.transform(t.get_position())
                t.set_position(inv.transform((x + dx, y + dy)))
                moved = True
        extents = [t.get_window_extent(renderer).expanded(1.05, 1.15) for t in texts]
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                a, b = extents[i], extents[j]
                if a.overlaps(b):
                    push = (min(a.y1, b.y1) - max(a.y0, b.y0)) / 2 + 1
                    up, down = (i, j) if a.y0 + a.y1 >= b.y0 + b.y1 else (j, i)
                    for k, sign in ((up, 1), (down, -1)):
                        x, y = ax.transData.transform(texts[k].get_position())
                        texts[k].set_position(inv.transform((x, y + sign * push)))
                    extents = [t.get_window_extent(renderer).expanded(1.05, 1.15) for t in texts]
                    moved = True
        if not moved:
            return


def plot_network(
    cooc: Any,
    *,
    measure: str = "npmi",
    min_count: int | None = None,
    seed: int = 0,
    ax: Axes | None = None,
) -> Axes:
    """Co-occurrence network: node area ~ units with the actor, edge width ~ ``n_ab`` (both in the
    legend), edge colour ~ *measure* (colour bar).

    The spring layout is seeded, so the same call draws the same picture; distances from the centre
    are then replaced by their ranks and the picture stretched to the canvas, so an outlying node
    does not squash the rest. Labels (long names on two lines) are kept inside the axes and moved
    apart when they overlap.
    """
    import matplotlib as mpl  # heavy: imported when a figure is drawn, not with mediamon
    import networkx as nx  # heavy too, needed only for networks
    from matplotlib.lines import Line2D  # with matplotlib

    g = cooc.graph(measure, min_count=min_count)
    ax = _axes(ax, (8, 7))
    if g.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no co-occurrences", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    edges = list(g.edges(data=True))
    n_ab = np.array([d["n_ab"] for *_, d in edges], dtype=float)
    for _u, _v, d in edges:
        d["layout_weight"] = float(np.log1p(d["n_ab"]))  # log: one huge pair must not collapse the layout
    k = 2.0 / np.sqrt(max(g.number_of_nodes(), 1))
    pos = _spread(nx.spring_layout(g, weight="layout_weight", seed=seed, k=k, iterations=200))
    n_node = np.array([g.nodes[v]["n"] for v in g.nodes], dtype=float)
    area = lambda n: 60 + 1100 * np.sqrt(n / n_node.max())  # noqa: E731 - marker area ~ sqrt(units)
    colour = np.array([d["weight"] for *_, d in edges], dtype=float)
    finite = colour[np.isfinite(colour)]
    norm = mpl.colors.Normalize(vmin=float(finite.min()) if finite.size else 0.0,
                                vmax=float(finite.max()) if finite.size else 1.0)  # fmt: skip
    cmap = mpl.colormaps["viridis"]
    width = lambda n: 0.6 + 5.0 * n / n_ab.max()  # noqa: E731
    if edges:
        nx.draw_networkx_edges(g, pos, ax=ax, width=width(n_ab), edge_color=[cmap(norm(c)) for c in colour],
                               alpha=0.85)  # fmt: skip
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=area(n_node), node_color="#f4a261", edgecolors="0.3",
                           linewidths=0.8)  # fmt: skip
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    texts = []
    for v in g.nodes:
        name = textwrap.fill(str(g.nodes[v]["name"]), 18)
        x, y = pos[v]
        texts.append(ax.text(x, y - 0.07, _plain(name), ha="center", va="top", fontsize=8, zorder=5,
                             bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}))  # fmt: skip
    _fit_labels(ax, texts)
    # legends: node size and edge width with real values of this graph
    sizes = sorted({int(n_node.min()), int(np.median(n_node)), int(n_node.max())})
    node_handles = [Line2D([], [], linestyle="", marker="o", markersize=np.sqrt(area(s)), markerfacecolor="#f4a261",
                           markeredgecolor="0.3", label=f"{s:,}") for s in sizes]  # fmt: skip
    unit = cooc.params.get("unit")
    first = ax.legend(handles=node_handles, title=f"{unit}s naming the actor", loc="upper left",
                      bbox_to_anchor=(1.0, 1.0), fontsize=8, title_fontsize=8, frameon=False,
                      labelspacing=2.4, borderpad=1.2, handletextpad=1.6)  # fmt: skip
    ax.add_artist(first)
    if n_ab.size:
        widths = sorted({int(n_ab.min()), int(np.median(n_ab)), int(n_ab.max())})
        edge_handles = [Line2D([], [], color="0.35", linewidth=width(w), label=f"{w:,}") for w in widths]
        ax.legend(handles=edge_handles, title=f"shared {unit}s", loc="lower left", bbox_to_anchor=(1.0, 0.28),
                  fontsize=8, title_fontsize=8, frameon=False)  # fmt: skip
        bar = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.3, anchor=(0.0, 0.0),
                                 location="right", pad=0.02)  # fmt: skip
        bar.set_label(f"edge colour: {measure}", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    ax.set_title(f"co-occurrence ({unit}); edges with at least {int(cooc.params.get('min_count', 1)) if min_count is None else min_count} shared {unit}s", fontsize=10)
    ax.set_axis_off()
    return ax


def plot_collocates(
    collocates: Any, *, measure: str | None = None, top: int = 20, ax: Axes | None = None
) -> Axes:
    """Horizontal bars of the *top* collocates by *measure* (default: the one they were ranked by)."""
    measure = measure or collocates.params["measure"]
    df = collocates.df
    if measure not in df.columns:
        raise one_of("plot_collocates()", "measure", measure, [c for c in df.columns if c != "collocate"])
    sub = df.sort_values(measure, ascending=False, kind="stable").head(top)
    ax = _axes(ax, (6, max(3, 0.28 * len(sub) + 1)))
    y = np.arange(len(sub))[::-1]
    ax.barh(y, sub[measure].to_numpy(dtype=float), color="#2a9d8f")
    ax.set_yticks(y, sub["collocate"].tolist(), fontsize=8)
    ax.set_xlabel(measure)
    w = collocates.params.get("window")
    ax.set_title(f"collocates of {collocates.params.get('node')!r} (window {w})")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_dispersion(
    kwic_or_mentions: Any,
    *,
    by: Literal["doc", "date"] = "doc",
    corpus: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Lexical dispersion plot: one row per pattern (KWIC) or actor (Mentions), one tick per hit.

    ``by="doc"`` places hits at their token offset in the corpus (documents in corpus order, as
    NLTK's ``dispersion_plot``) over alternating bands, one band per document with hits, so that
    document boundaries show. With *corpus* (a Corpus, indexed) the bands are the documents' exact
    token ranges; without it a band spans the document's hits, from its first to its last (the
    result alone does not know where a document ends).
    ``by="date"`` places hits at their document's date (undated hits are counted in the title, not
    drawn).
    """
    if by not in ("doc", "date"):
        raise one_of("plot_dispersion()", "by", by, ["doc", "date"])
    df = getattr(kwic_or_mentions, "df", kwic_or_mentions)
    if not isinstance(df, pd.DataFrame):
        raise InputError("plot_dispersion(): pass a Kwic or Mentions result (or its .df).")
    key = "actor" if "actor" in df.columns else "pattern" if "pattern" in df.columns else None
    if key is None:
        raise InputError(f"plot_dispersion(): need an 'actor' or 'pattern' column; got {list(df.columns)}.")
    rows = list(pd.unique(df[key].astype(str)))
    ax = _axes(ax, (9, max(2.2, 0.45 * len(rows) + 1.3)))
    lookup = {r: i for i, r in enumerate(rows)}
    y = df[key].astype(str).map(lookup).to_numpy()
    missing = 0
    title = "dispersion"
    if by == "date":
        x = _naive(df["date"])
        ok = x.notna().to_numpy()
        missing = int((~ok).sum())
        ax.plot(x[ok], y[ok], "|", markersize=14, color="#264653")
        _date_axis(ax)
        ax.set_xlabel("date")
    else:
        x = df["token_start"].to_numpy(dtype=float)
        bands = _document_bands(df, corpus)
        for i, (lo, hi) in enumerate(bands):
            ax.axvspan(lo, hi, color="#d5e1ec" if i % 2 == 0 else "#fbfbfb", zorder=0, linewidth=0)
        ax.plot(x, y, "|", markersize=14, color="#264653", zorder=2)
        ax.set_xlabel("token offset in corpus")
        exact = " (their token ranges)" if corpus is not None else " (first to last hit)"
        title += f"; shaded bands: the {len(bands):,} document{'s' if len(bands) != 1 else ''} with hits{exact}"
    ax.set_yticks(range(len(rows)), [_plain(r) for r in rows], fontsize=9)
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.invert_yaxis()
    if missing:
        title += f" ({missing:,} undated hits not shown)"
    ax.set_title(title, fontsize=10)
    return ax


def _document_bands(df: pd.DataFrame, corpus: Any) -> list[tuple[float, float]]:
    """Token ranges of the documents with hits, in corpus order (one per document)."""
    if not len(df):
        return []
    first = df.groupby("doc_id", sort=False)["token_start"].min()
    last = df.groupby("doc_id", sort=False)["token_end"].max() if "token_end" in df else first + 1
    order = np.argsort(first.to_numpy(), kind="stable")
    ids = first.index.to_numpy()[order]
    lo = first.to_numpy(dtype=float)[order]
    hi = last.reindex(first.index).to_numpy(dtype=float)[order]
    if corpus is not None:
        offsets = np.asarray(corpus.index.doc_offsets, dtype=float)
        rows = pd.Index(corpus.docs["doc_id"].astype(str)).get_indexer(ids.astype(str))
        if (rows < 0).any():
            raise InputError("plot_dispersion(): corpus= does not hold every document of the result.")
        return list(zip(offsets[rows], offsets[rows + 1]))
    pad = max(1.0, 0.002 * (hi.max() - lo.min()))  # a document with one hit still shows a band
    return list(zip(lo - pad, hi + pad))


def _plain_text(value: object) -> str:
    # corpus words and actor names go into matplotlib labels, where "$" would start mathtext
    return str(value).replace("$", r"\$")


def plot_keyness(
    keyness: Any, *, top: int = 20, measure: str | None = None, reference: bool = True, ax: Axes | None = None
) -> Axes:
    """Keywords of a target and of its reference as opposed bars, like quanteda's ``textplot_keyness``.

    The *top* words most over-represented in the target (bars to the right, dark) and, with
    *reference*, the *top* most over-represented in the reference (negative keywords, bars to the
    left, grey), by *measure* (default: the one the table is sorted by). ``simple_maths``, a ratio
    centred on 1, is drawn from 1.
    """
    df = keyness.df
    measure = measure or keyness.params.get("measure", "g2")
    if measure not in df.columns or measure == "word":
        raise one_of("plot_keyness()", "measure", measure, ["g2", "chi2", "log_ratio", "pct_diff", "simple_maths"])
    centre = 1.0 if measure == "simple_maths" else 0.0
    values = df[measure].to_numpy(dtype=float)
    finite = np.isfinite(values)
    ranked = df[finite].assign(_v=values[finite]).sort_values(["_v", "word"], ascending=[False, True], kind="stable")
    upper = ranked[ranked["_v"] > centre].head(top)
    lower = ranked[ranked["_v"] < centre].iloc[::-1].head(top) if reference else ranked.head(0)
    rows = len(upper) + len(lower)
    ax = _axes(ax, (7, max(3, 0.24 * rows + 1.2)))
    y_upper = np.arange(rows, rows - len(upper), -1, dtype=float)
    y_lower = np.arange(len(lower), 0, -1, dtype=float) - 1.0 if len(lower) else np.zeros(0)
    target_label = _plain_text(keyness.params.get("target", "target"))
    reference_label = _plain_text(keyness.params.get("reference", "reference"))
    ax.barh(y_upper, upper["_v"].to_numpy() - centre, left=centre, color="#1d3557", label=target_label)
    if len(lower):
        ax.barh(y_lower, lower["_v"].to_numpy() - centre, left=centre, color="0.6", label=reference_label)
    span = max(float(np.abs(ranked["_v"].to_numpy() - centre).max()) if len(ranked) else 1.0, 1e-9)
    pad = 0.01 * span
    for y, v, w in zip(y_upper, upper["_v"], upper["word"]):
        ax.text(v + pad, y, _plain_text(w), va="center", ha="left", fontsize=7)
    for y, v, w in zip(y_lower, lower["_v"], lower["word"]):
        ax.text(v - pad, y, _plain_text(w), va="center", ha="right", fontsize=7, color="0.25")
    ax.axvline(centre, color="0.3", linewidth=0.8)
    ax.set_yticks([])
    ax.set_xlim(centre - (1.25 * span if len(lower) else 0.05 * span), centre + 1.25 * span)
    ax.set_xlabel(measure)
    ax.set_title(f"keyness ({measure})", fontsize=10)
    if rows:
        ax.legend(fontsize=8, loc="lower right", frameon=False)
    else:
        ax.text(0.5, 0.5, "no keywords", ha="center", va="center", transform=ax.transAxes)
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_bursts(
    bursts: Any, *, actors: list[str] | None = None, value: Literal["share", "count"] = "share", ax: Axes | None = None
) -> Axes:
    """The attention series of each actor (share of documents or of mentions per period) with its
    bursts shaded (darker for higher levels). Periods without data are gaps in the line.

    *actors*: the actors drawn (default: those with a burst, or every actor when none has one).
    """
    if value not in ("share", "count"):
        raise one_of("plot_bursts()", "value", value, ["share", "count"])
    import matplotlib as mpl  # loaded with the first plot

    series = bursts.series
    table = bursts.df
    wanted = actors or list(pd.unique(table["actor"])) or list(pd.unique(series["actor"]))
    by = bursts.params.get("by")
    keys = ["actor", by] if by else ["actor"]
    ax = _axes(ax)
    groups = list(series[series["actor"].isin(wanted)].groupby(keys, sort=False))
    palette = mpl.colormaps["tab10" if len(groups) <= 10 else "tab20"]
    colours: dict[str, Any] = {}
    for n, (key, g) in enumerate(groups):
        label = " · ".join(_plain_text(k) for k in (key if isinstance(key, tuple) else (key,)))
        (line,) = ax.plot(_naive(g["period"]), g[value].to_numpy(dtype=float), marker=".", markersize=3, label=label,
                          color=palette(n % palette.N))  # fmt: skip
        colours[label] = line.get_color()
    for row in table[table["actor"].isin(wanted)].itertuples(index=False):
        parts = [row.actor, getattr(row, by)] if by else [row.actor]
        colour = colours.get(" · ".join(_plain_text(k) for k in parts), "0.5")
        start, end = _naive(pd.Series([row.start, row.end]))
        ax.axvspan(start, end, color=colour, alpha=min(0.12 * row.level, 0.5), linewidth=0)
    _date_axis(ax)
    if value == "share":
        from matplotlib.ticker import PercentFormatter  # loaded with the first share axis

        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel(f"share of {bursts.params.get('share', 'documents')}")
    else:
        ax.set_ylabel(bursts.params.get("share", "documents"))
    ax.set_title(f"bursts per {bursts.params.get('freq')} ({bursts.params.get('method')})", fontsize=10)
    undated = bursts.params.get("undated_documents", 0)
    if undated:
        ax.annotate(f"{undated:,} undated documents not shown", xy=(0.99, 0.01), xycoords="axes fraction",
                    ha="right", va="bottom", fontsize=8, color="0.4")  # fmt: skip
    if len(groups) > 6:  # a long legend goes beside the plot, not over the lines
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    elif groups:
        ax.legend(fontsize=8, loc="upper left", frameon=False)
    else:
        ax.text(0.5, 0.5, "no dated documents", ha="center", va="center", transform=ax.transAxes)
    ax.grid(alpha=0.3)
    return ax


__all__ = [*__all__, "plot_bursts", "plot_keyness"]
