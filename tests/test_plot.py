"""Every plot renders to a non-blank PNG with the Agg backend and returns its Axes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import mediamon as mm  # noqa: E402
from mediamon import plot  # noqa: E402
from mediamon.analysis.collocates import collocates  # noqa: E402
from mediamon.analysis.cooc import cooccurrence  # noqa: E402
from mediamon.errors import InputError  # noqa: E402
from mediamon.analysis.timeline import timeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "corpora" / "actors.yaml"


@pytest.fixture(scope="module")
def sample():
    return mm.read_corpus(ROOT / "corpora" / "mm-sample").head(300)


@pytest.fixture(scope="module")
def ments(sample):
    return mm.mentions(sample, ACTORS)


def not_blank(ax) -> None:
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=60)
    plt.close(ax.figure)
    img = plt.imread(io.BytesIO(buf.getvalue()))
    assert img.ndim == 3 and img.shape[0] > 50
    rgb = img[..., :3]
    assert rgb.std() > 0.02  # more than a flat background
    assert (rgb < 0.5).mean() > 0.001  # some dark ink (text, ticks, marks)


def test_plot_timeline(sample, ments):
    ax = plot.plot_timeline(timeline(sample, ments, freq="Q"), actors=["putin", "iran"])
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.get_lines()) == 2
    not_blank(ax)
    not_blank(plot.plot_timeline(timeline(sample, freq="Y", by="source")))


def test_plot_cooc_heatmap_and_network(sample, ments):
    c = cooccurrence(sample, ments)
    ax = plot.plot_cooc_heatmap(c)
    assert [t.get_text() for t in ax.get_yticklabels()][:1]
    not_blank(ax)
    not_blank(plot.plot_cooc_heatmap(c, measure="npmi"))
    not_blank(plot.plot_network(c, measure="npmi", min_count=2))


def test_plot_collocates(sample):
    r = collocates(sample, "president")
    ax = plot.plot_collocates(r, top=10)
    assert len(ax.patches) == 10
    not_blank(ax)


def test_plot_dispersion_kwic_and_mentions(sample, ments):
    sub = ments.df[ments.df["actor"].isin(["putin", "kazan", "minnikhanov"])]
    not_blank(plot.plot_dispersion(sub, by="doc"))
    not_blank(plot.plot_dispersion(ments, by="date"))
    kw = mm.kwic(sample, "Kazan")
    not_blank(plot.plot_dispersion(kw))


def test_given_axes_are_used_and_bad_options_rejected(sample, ments):
    fig, ax = plt.subplots()
    assert plot.plot_dispersion(ments, ax=ax) is ax
    plt.close(fig)
    with pytest.raises(InputError, match=r"plot_dispersion\(\): by='year'"):
        plot.plot_dispersion(ments, by="year")
    with pytest.raises(InputError, match=r"plot_timeline\(\): value='ratio'"):
        plot.plot_timeline(timeline(sample, ments, freq="Y"), value="ratio")


# -- legibility (issue 10, item 7) -------------------------------------------------------------------
def _boxes(ax, artists):
    renderer = ax.figure.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


@pytest.fixture(scope="module")
def full_cooc():
    corpus = mm.read_corpus(ROOT / "corpora" / "mm-sample")
    return cooccurrence(corpus, mm.read_actors(ACTORS), unit="sentence")


def test_network_fills_the_canvas_keeps_labels_inside_and_apart(full_cooc):
    ax = plot.plot_network(full_cooc, min_count=2)
    ax.figure.canvas.draw()
    nodes = np.asarray(ax.collections[-1].get_offsets())
    spread = nodes.max(axis=0) - nodes.min(axis=0)
    assert (spread > 1.6).all()  # the layout spans most of [-1, 1] on both axes
    centre = np.median(nodes, axis=0)
    dist = np.hypot(*(nodes - centre).T)
    assert np.median(dist) > 0.35 * dist.max()  # no far outlier squashing the rest into a corner
    labels = [t for t in ax.texts if t.get_text()]
    assert len(labels) == len(nodes)
    inside = ax.get_window_extent(ax.figure.canvas.get_renderer())
    boxes = _boxes(ax, labels)
    for t, b in zip(labels, boxes):
        assert inside.x0 - 1 <= b.x0 and b.x1 <= inside.x1 + 1 and inside.y0 - 1 <= b.y0 and b.y1 <= inside.y1 + 1, t.get_text()
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
    assert any("\n" in t.get_text() for t in labels)  # "Organization of Islamic Cooperation" wraps
    legend_titles = {lg.get_title().get_text() for lg in [ax.get_legend(), *[a for a in ax.artists]] if lg}
    assert legend_titles == {"sentences naming the actor", "shared sentences"}
    assert any("npmi" in a.get_ylabel() for a in ax.figure.axes if a is not ax)  # colour bar
    again = np.asarray(plot.plot_network(full_cooc, min_count=2).collections[-1].get_offsets())
    assert np.array_equal(nodes, again)  # seeded: the same picture
    plt.close("all")


def test_timeline_ticks_name_the_periods(sample, ments):
    corpus = mm.read_corpus(ROOT / "corpora" / "mm-sample")
    found = mm.mentions(corpus, ACTORS)
    yearly = timeline(corpus, found, freq="Y")
    ax = plot.plot_timeline(yearly, value="mentions", actors=["putin"])
    ax.figure.canvas.draw()
    years = [int(t.get_text()) for t in ax.get_xticklabels() if t.get_text()]
    first, last = yearly.df["period"].min().year, yearly.df["period"].max().year
    assert years and len(years) <= 13 and len(set(np.diff(years))) == 1
    assert years[0] <= first + np.diff(years)[0] and years[-1] >= last - np.diff(years)[0]
    ticks = set(ax.xaxis.get_minorticklocs()) | set(ax.xaxis.get_majorticklocs())
    assert len(ticks) >= last - first + 1  # a tick at every year (minor where no label)
    plt.close("all")
    two_years = corpus.between("2017-01-01", "2018-12-31")
    quarterly = timeline(two_years, mm.mentions(two_years, ACTORS), freq="Q")
    ax = plot.plot_timeline(quarterly, value="documents", actors=["putin"])
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"Q[1-4]\n20(17|18)", s) for s in labels)
    assert "Q1\n2017" in labels and "Q4\n2018" in labels
    plt.close("all")
    one_year = corpus.between("2017-01-01", "2017-12-31")
    monthly = timeline(one_year, mm.mentions(one_year, ACTORS), freq="M")
    ax = plot.plot_timeline(monthly, value="documents", actors=["putin"])
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert 6 <= len(labels) <= 13 and all(re.fullmatch(r"[A-Z][a-z]{2}\n\d{4}", s) for s in labels)
    plt.close("all")


def test_share_and_counts_look_different(sample, ments):
    tl = timeline(sample, ments, freq="Y")
    share = plot.plot_timeline(tl, value="share", actors=["putin"])
    counts = plot.plot_timeline(tl, value="mentions", actors=["putin"])
    s_line, c_line = share.get_lines()[0], counts.get_lines()[0]
    assert (s_line.get_linestyle(), s_line.get_marker()) != (c_line.get_linestyle(), c_line.get_marker())
    assert "share" in share.get_title(loc="left") and "mentions" in counts.get_title(loc="left")
    assert share.yaxis.get_major_formatter().__class__.__name__ == "PercentFormatter"
    plt.close("all")


def test_dispersion_rows_and_document_bands(sample):
    found = mm.mentions(sample, ACTORS)
    sub = found.df[found.df["actor"].isin(["putin", "kazan", "tatarstan"])]
    ax = plot.plot_dispersion(sub)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(pd.unique(sub["actor"]))
    bands = [p for p in ax.patches]
    assert len(bands) == sub["doc_id"].nunique()  # one band per document with hits
    plt.close("all")
    kw = mm.kwic(sample, "Kazan")
    ax = plot.plot_dispersion(kw, corpus=sample)
    ix = mm.index(sample, progress=False)
    rows = pd.Index(sample.docs["doc_id"]).get_indexer(pd.unique(kw.df["doc_id"]))
    spans = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches)
    assert spans == sorted(zip(ix.doc_offsets[rows].astype(float), ix.doc_offsets[rows + 1].astype(float)))
    for x in kw.df["token_start"]:
        assert any(a <= x < b for a, b in spans)  # every hit inside its document's band
    plt.close("all")


def test_dollar_signs_in_names_stay_literal(sample):
    docs = sample.docs.copy()
    corpus = mm.Corpus(docs)
    actors = mm.read_actors([{"id": "a", "name": "$x^2$ Fund", "aliases": ["Putin"]},
                             {"id": "b", "name": "Kazan $", "aliases": ["Kazan"]}])  # fmt: skip
    c = cooccurrence(corpus, actors, unit="document")
    ax = plot.plot_network(c, min_count=1)
    assert any(t.get_text().startswith(r"\$x^2\$") for t in ax.texts)
    not_blank(ax)
