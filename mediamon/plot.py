"""Plots of mediamon results (matplotlib).

Every function takes the result first, keyword-only options, and ``ax=None`` (a new figure is made
when none is given) and returns the :class:`matplotlib.axes.Axes`. Nothing is shown or saved here:
call ``ax.figure.savefig(...)`` yourself. Dates use matplotlib's concise date formatter.
"""

from __future__ import annotations

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


def plot_timeline(
    timeline: Any,
    *,
    value: Literal["share", "documents", "mentions"] = "share",
    actors: list[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Lines over time, one per actor (and per group with ``by=``).

    ``value="share"`` plots the share of the period's documents mentioning the actor (attention);
    ``"documents"`` or ``"mentions"`` plot counts. Without actors, document counts are plotted.
    """
    df = timeline.df
    ax = _axes(ax)
    by = timeline.params.get("by")
    if "actor" not in df.columns:
        groups = [(str(k), g) for k, g in df.groupby(by, sort=True)] if by else [("documents", df)]
        for label, g in groups:
            ax.plot(_naive(g["period"]), g["documents"], marker=".", label=label)
        ax.set_ylabel("documents")
    else:
        if value not in ("share", "documents", "mentions"):
            raise one_of("plot_timeline()", "value", value, ["share", "documents", "mentions"])
        wanted = actors or list(pd.unique(df["actor"]))
        sub = df[df["actor"].isin(wanted)]
        keys = ["actor", by] if by else ["actor"]
        for key, g in sub.groupby(keys, sort=False):
            label = " · ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))
            ax.plot(_naive(g["period"]), g[value], marker=".", label=label)
        ax.set_ylabel({"share": "share of documents", "documents": "documents", "mentions": "mentions"}[value])
        if value == "share":
            from matplotlib.ticker import PercentFormatter  # loaded with the first share axis

            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    _date_axis(ax)
    ax.set_title(f"per {timeline.params.get('freq')}")
    undated = timeline.params.get("undated_documents", 0)
    if undated:
        ax.annotate(f"{undated:,} undated documents not shown", xy=(0.99, 0.01), xycoords="axes fraction",
                    ha="right", va="bottom", fontsize=8, color="0.4")  # fmt: skip
    ax.legend(fontsize=8, loc="upper left", frameon=False)
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


def plot_network(
    cooc: Any,
    *,
    measure: str = "npmi",
    min_count: int | None = None,
    seed: int = 0,
    ax: Axes | None = None,
) -> Axes:
    """Co-occurrence network: node size ~ units with the actor, edge width ~ ``n_ab``, edge colour ~
    *measure*. The spring layout is seeded, so the same call draws the same picture."""
    import networkx as nx  # a heavy import, needed only for networks

    g = cooc.graph(measure, min_count=min_count)
    ax = _axes(ax, (7, 7))
    if g.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no co-occurrences", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    n_ab = np.array([d["n_ab"] for *_, d in g.edges(data=True)], dtype=float)
    for u, v, d in g.edges(data=True):
        d["layout_weight"] = float(d["n_ab"])
    pos = nx.spring_layout(g, weight="layout_weight", seed=seed)
    sizes = np.array([g.nodes[v]["n"] for v in g.nodes], dtype=float)
    sizes = 100 + 900 * sizes / sizes.max()
    colour = np.array([d["weight"] for *_, d in g.edges(data=True)], dtype=float)
    widths = 0.5 + 4 * n_ab / n_ab.max() if n_ab.size else []
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, edge_color=colour if n_ab.size else "0.5",
                           edge_cmap=__import__("matplotlib").colormaps["viridis"], alpha=0.8)  # fmt: skip
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=sizes, node_color="#f4a261", edgecolors="0.3")
    nx.draw_networkx_labels(g, pos, ax=ax, labels={v: g.nodes[v]["name"] for v in g.nodes}, font_size=8)
    ax.set_title(f"co-occurrence ({cooc.params.get('unit')}); edge colour: {measure}")
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
    kwic_or_mentions: Any, *, by: Literal["doc", "date"] = "doc", ax: Axes | None = None
) -> Axes:
    """Lexical dispersion plot: one row per pattern (KWIC) or actor (Mentions), one tick per hit.

    ``by="doc"`` places hits at their token offset in the corpus (documents in corpus order, as
    NLTK's ``dispersion_plot``); ``by="date"`` at their document's date (undated hits are counted
    in the title, not drawn).
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
    ax = _axes(ax, (8, max(2.5, 0.4 * len(rows) + 1)))
    lookup = {r: i for i, r in enumerate(rows)}
    y = df[key].astype(str).map(lookup).to_numpy()
    missing = 0
    if by == "date":
        x = _naive(df["date"])
        ok = x.notna().to_numpy()
        missing = int((~ok).sum())
        ax.plot(x[ok], y[ok], "|", markersize=12, color="#264653")
        _date_axis(ax)
        ax.set_xlabel("date")
    else:
        x = df["token_start"].to_numpy(dtype=float)
        ax.plot(x, y, "|", markersize=12, color="#264653")
        ax.set_xlabel("token offset in corpus")
    ax.set_yticks(range(len(rows)), rows, fontsize=9)
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.invert_yaxis()
    title = "dispersion"
    if missing:
        title += f" ({missing:,} undated hits not shown)"
    ax.set_title(title)
    return ax


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
