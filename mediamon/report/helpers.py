"""Helpers used inside report notebooks: write tables, figures and provenance into the run folder,
and show text and tables escaped.

Outside a report run the writers do nothing and return ``None``, so the same notebook works
interactively in JupyterLab::

    from mediamon.report import save_table, save_figure, record, say, show_table
    save_table(kwic_result, "kwic")          # tables/kwic.csv (a DataFrame or a result with .df)
    save_figure(ax, "timeline")              # figures/timeline.png (a Figure or an Axes)
    record("corpus_fingerprint", corpus.fingerprint)   # copied into manifest.json
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, display

from .. import display as mmd
from ..errors import ReportError
from .paths import ENV_VAR, FIGURES_DIR, RECORD_FILE, TABLES_DIR, read_json, safe_name, write_atomic


def report_dir() -> Path | None:
    """The folder of the report run this kernel belongs to, or ``None`` outside a report run.

    Raises
    ------
    ReportError
        If :data:`ENV_VAR` is set but does not name an existing folder.
    """
    value = os.environ.get(ENV_VAR)
    if not value:
        return None
    folder = Path(value)
    if not folder.is_dir():
        raise ReportError(
            f"mediamon.report.report_dir(): {ENV_VAR}={value!r} is not an existing folder. "
            f"Unset {ENV_VAR} or run the notebook through run_report()."
        )
    return folder


#: Cell prefixes a spreadsheet reads as a formula (OWASP, "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with every text cell that a spreadsheet would run as a formula prefixed with ``'``.

    Article text can hold ``=WEBSERVICE(...)``; a colleague who opens the CSV in a spreadsheet would
    run it. Numbers are not text and stay as they are.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or isinstance(values.dtype, (pd.StringDtype, pd.ArrowDtype)):
            text = values.astype(object)
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES)).to_numpy(dtype=bool)
            if risky.any():
                out[column] = text.where(~risky, "'" + text.astype(str))
    return out


def save_table(table: Any, name: str, *, index: bool = False, raw: bool = False) -> Path | None:
    """Write a table as ``tables/<name>.csv`` in the current report run; do nothing outside one.

    Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
    carriage return) are prefixed with ``'`` (:func:`neutralise_formulas`) unless *raw*.

    Parameters
    ----------
    table
        A :class:`pandas.DataFrame` or :class:`pandas.Series`, or a mediamon result holding one in ``.df``.
    name
        File name without extension; reduced to a safe file name.
    index
        Whether to write the index as a column.
    raw
        Keep every cell verbatim (for a pipeline that reads the CSV, not a person with a spreadsheet).

    Returns
    -------
    pathlib.Path or None
        The CSV written, or ``None`` when not running under a report.
    """

    folder = report_dir()
    frame = getattr(table, "df", table)
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ReportError(
            f"save_table(): expected a DataFrame, a Series or a result with .df, got "
            f"{type(table).__name__}. Pass result.df or a DataFrame."
        )
    if folder is None:
        return None
    target = _output_path(folder / TABLES_DIR, name, ".csv", call="save_table()")
    safe = frame if raw else neutralise_formulas(frame)
    write_atomic(target, lambda tmp: safe.to_csv(tmp, index=index))
    return target


def save_figure(figure: Any, name: str, *, dpi: int = 150) -> Path | None:
    """Write a matplotlib figure as ``figures/<name>.png`` in the current report run.

    Parameters
    ----------
    figure
        A :class:`matplotlib.figure.Figure`, or an :class:`~matplotlib.axes.Axes` (its figure is saved).
    name
        File name without extension; reduced to a safe file name.
    dpi
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path or None
        The PNG written, or ``None`` when not running under a report.
    """
    fig = getattr(figure, "figure", figure)
    if not hasattr(fig, "savefig"):
        raise ReportError(
            f"save_figure(): expected a matplotlib Figure or Axes, got {type(figure).__name__}."
        )
    folder = report_dir()
    if folder is None:
        return None
    target = _output_path(folder / FIGURES_DIR, name, ".png", call="save_figure()")
    write_atomic(target, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight"))
    return target


def record(key: str, value: Any) -> Path | None:
    """Record a provenance value (e.g. ``"corpus_fingerprint"``) in the run's ``record.json``.

    Recorded values end up under ``"records"`` in ``manifest.json``; a ``corpus_fingerprint`` is also
    copied to the manifest's top level. Outside a report run this does nothing.

    Parameters
    ----------
    key
        Name of the value.
    value
        Any JSON-serialisable value (other objects are stored as their ``str``).

    Returns
    -------
    pathlib.Path or None
        The ``record.json`` written, or ``None`` when not running under a report.
    """
    if not isinstance(key, str) or not key:
        raise ReportError(f"record(): key must be a non-empty str, got {key!r}.")
    folder = report_dir()
    if folder is None:
        return None
    target = folder / RECORD_FILE
    records = read_json(target) if target.exists() else {}
    records[key] = value
    text = json.dumps(records, indent=2, ensure_ascii=False, default=str)
    write_atomic(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return target


def _output_path(folder: Path, name: str, suffix: str, *, call: str) -> Path:
    stem = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{safe_name(stem, call=call)}{suffix}"


# ---------------------------------------------------------------------------------------------
# showing text and tables in a notebook, escaped
# ---------------------------------------------------------------------------------------------
def say(text: str) -> None:
    """Show a line of text in the output, escaped (it may quote corpus data)."""
    display(HTML(f"<p>{mmd.esc(text)}</p>"))


def heading(text: str, level: int = 2) -> None:
    """Show an escaped heading (titles can come from parameters)."""
    level = min(max(int(level), 1), 6)
    display(HTML(f"<h{level}>{mmd.esc(text)}</h{level}>"))


def show_table(table: Any, caption: str, *, rows: int = 20) -> None:
    """Show a DataFrame (or a result's table) as a static, escaped table with a caption."""
    frame = table.table() if hasattr(table, "table") and callable(table.table) else getattr(table, "df", table)
    display(HTML(mmd.join([mmd.caption(caption), mmd.table(frame, max_rows=rows)])))


def show_facts(items: Any) -> None:
    """Show ``(name, value)`` pairs (or a two-column DataFrame) as an escaped key/value table."""
    pairs = items.itertuples(index=False) if isinstance(items, pd.DataFrame) else items
    display(HTML(mmd.definition_list(pairs)))


def plain_label(value: object) -> str:
    """A corpus string made safe for a matplotlib label (``$`` would start mathtext)."""
    return str(value).replace("$", r"\$")


# ---------------------------------------------------------------------------------------------
# the analysed period of a report
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """The documents a report analyses: ``news`` (the corpus, or its dated documents between the
    two days), a ``label`` for the text, and how many undated documents the date filter left out."""

    news: Any
    label: str
    undated_left_out: int


def period(corpus: Any, date_from: str | None = None, date_to: str | None = None) -> Period:
    """The documents of *corpus* from *date_from* to *date_to* (inclusive days; ``None``: open).

    With no date given, every document is analysed, dated or not; with a date, undated documents
    cannot be placed and are left out, and their number is kept to say so in the report.
    """
    if not (date_from or date_to):
        return Period(corpus, "all documents", 0)
    undated = int(corpus.docs["date"].isna().sum())
    label = f"{date_from or 'the first date'} to {date_to or 'the last date'}"
    return Period(corpus.between(date_from, date_to), label, undated)


# ---------------------------------------------------------------------------------------------
# alerts: which bursts and rises a report shows first
# ---------------------------------------------------------------------------------------------
def strongest_bursts(bursts: Any, n: int) -> pd.DataFrame:
    """The *n* strongest rows of a :class:`~mediamon.Bursts` table, keeping their row numbers (the
    index, for ``bursts.evidence(i)``): Kleinberg's largest weight first, or, for the baseline test,
    the smallest adjusted p-value, then the largest observed/expected ratio."""
    df = bursts.df
    if bursts.params.get("method") == "kleinberg":
        ranked = df.sort_values(["weight", "observed"], ascending=[False, False], kind="stable")
    else:
        ranked = df.sort_values(["p_adjusted", "ratio"], ascending=[True, False], kind="stable")
    return ranked.head(int(n))


def rise_candidates(trends: Any, n: int) -> pd.DataFrame:
    """The *n* pair periods of a :class:`~mediamon.PairTrends` most likely rising: the flagged ones
    (``rising``) first, then the tested periods with at least ``min_count`` shared units by p-value.
    A report shows the unflagged ones as candidates, not as alerts."""
    df = trends.df
    tested = df[df["p_value"].notna() & (df["n_ab"] >= trends.params.get("min_count", 1))]
    ranked = tested.sort_values(["rising", "p_adjusted", "p_value", "log2_ratio"], ascending=[False, True, True, False],
                                kind="stable")  # fmt: skip
    return ranked.head(int(n)).reset_index(drop=True)


def span_label(start: Any, end: Any, freq: str) -> str:
    """A period or a run of periods as text: ``2022-02`` or ``2022-02 to 2022-03`` for months,
    days for weeks and days, years for years."""
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    code = str(freq).upper()
    fmt = "%Y" if code.startswith(("Y", "A")) else "%Y-%m" if code.startswith(("M", "Q")) else "%Y-%m-%d"
    return f"{first:{fmt}}" if f"{first:{fmt}}" == f"{last:{fmt}}" else f"{first:{fmt}} to {last:{fmt}}"
