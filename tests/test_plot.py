"""Every plot renders to a non-blank PNG with the Agg backend and returns its Axes."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
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
