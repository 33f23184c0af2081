"""Explicit, documented date parsing into tz-aware UTC.

News data carries dates in many shapes. Guessing (``dateutil``'s fuzzy parser, pandas' inference) can
turn "12/01/2024" into either December or January without telling anyone, or make a date out of
"May". Here every accepted shape is a named rule, tried in a fixed order; anything else becomes
missing (``NaT``), is counted, and is reported with a :class:`DateParseWarning`. A date is never
invented: the original string is kept by the caller (``date_raw`` in :func:`mediamon.read_corpus`).

Rules, in order (each value is matched by at most one rule; surrounding whitespace is ignored):

``iso``
    ISO 8601 date or date-time: ``2021-07-29``, ``2021-07-29T10:00``, ``2021-07-29 10:00:00.5``,
    with an optional offset ``Z`` / ``+03:00`` / ``+0300``. An offset is respected; a value without
    one is taken as UTC. A date alone is midnight UTC.
``month_name``
    ``July 29, 2021`` / ``Jul 29, 2021`` / ``July 29 2021`` (month first) and ``29 July 2021`` /
    ``29 Jul 2021`` / ``29 July, 2021`` (day first). English month names only.
``rfc2822``
    ``Thu, 29 Jul 2021 10:00:00 +0300`` (the weekday is optional; a missing zone is UTC). A zone
    *abbreviation* (``MSK``, ``IRST``, ``EST``) is read only through the explicit table
    :data:`ZONE_ABBREVIATIONS` (RFC 2822's ``UT``/``GMT``/``Z`` and US zones, plus the common
    European, Middle Eastern, Asian and Pacific ones, as their current standard or daylight
    offsets; ``MSK`` is +04:00 from 2011-03-27 to 2014-10-26, when Moscow kept summer time). An
    abbreviation that means several zones (:data:`AMBIGUOUS_ZONES`: ``IST``, ``BST``,
    ``AST``, ...) or is not in the table leaves the value missing, counted in
    ``DateReport.unknown_zone`` and named in the warning: it is never read as UTC, which would
    shift it silently.
``numeric``
    ``12/01/2024``, ``12.01.2024``, ``12-01-2024`` (four-digit year last). The order of day and month
    is *ambiguous* when both are <= 12 and differ; such values follow ``dayfirst``:
    ``None`` (default) leaves them missing and counts them as ``ambiguous``; ``True`` reads
    day/month/year; ``False`` reads month/day/year. Unambiguous values ("29/07/2021",
    "07/29/2021") are read whatever ``dayfirst`` is.
``epoch``
    Unix epoch *seconds*, only when the whole column is numeric (ints or floats); 0 and negative
    values are placeholders (missing). A string of digits in a text column is not a date.
``datetime``
    Values that are already datetimes (a Parquet timestamp column, ``datetime``/``date`` objects):
    an aware value is converted to UTC, a naive one is taken as UTC.

Values that parse to a year outside 1800..2200 are treated as unparseable (placeholders such as
``0000-00-00`` or ``1900-01-01``-style epochs of garbage). Empty strings and ``None`` are missing
without a warning; everything else that no rule accepts ("yesterday", "N/A", "0000-00-00") is
missing with a warning.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import logging
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

log = logging.getLogger(__name__)

__all__ = ["DateParseWarning", "DateReport", "parse_dates", "parse_date", "ZONE_ABBREVIATIONS",
           "AMBIGUOUS_ZONES"]

UTC_DTYPE = "datetime64[ns, UTC]"
MIN_YEAR = 1800
MAX_YEAR = 2200


#: Time-zone abbreviations read in RFC 2822 dates, with their UTC offset (+HHMM). Sources: RFC 2822
#: section 4.3 (UT, GMT, Z and the US zones) and the IANA tz database's current abbreviations.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000", "WET": "+0000", "WEST": "+0100",
    "EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",  # RFC 2822: US Central, not China
    "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700", "AKST": "-0900", "AKDT": "-0800",
    "HST": "-1000", "NST": "-0330", "NDT": "-0230", "BRT": "-0300", "ART": "-0300",
    "CET": "+0100", "CEST": "+0200", "MET": "+0100", "MEST": "+0200", "WAT": "+0100",
    "EET": "+0200", "EEST": "+0300", "CAT": "+0200", "SAST": "+0200",
    "MSK": "+0300", "MSD": "+0400", "TRT": "+0300", "EAT": "+0300", "IRST": "+0330", "IRDT": "+0430",
    "GST": "+0400", "AZT": "+0400", "AMT": "+0400", "AFT": "+0430", "PKT": "+0500", "UZT": "+0500",
    "NPT": "+0545", "ICT": "+0700", "WIB": "+0700", "HKT": "+0800", "SGT": "+0800", "PHT": "+0800",
    "AWST": "+0800", "JST": "+0900", "KST": "+0900", "ACST": "+0930", "ACDT": "+1030",
    "AEST": "+1000", "AEDT": "+1100", "NZST": "+1200", "NZDT": "+1300",
}  # fmt: skip

#: Abbreviations that stand for more than one zone: a date carrying one is left missing.
AMBIGUOUS_ZONES: dict[str, str] = {
    "IST": "India +05:30, Ireland +01:00 or Israel +02:00",
    "BST": "British Summer Time +01:00 or Bangladesh +06:00",
    "AST": "Atlantic -04:00 or Arabia +03:00",
    "ADT": "Atlantic Daylight -03:00 or Arabia Daylight +04:00",
    "ECT": "Ecuador -05:00 or Eastern Caribbean -04:00",
}


class DateParseWarning(UserWarning):
    """Some date values could not be read by any rule and were left missing."""


@dataclass
class DateReport:
    """Counts of how a column of dates was read (one entry per rule, plus the failures).

    ``rules`` maps rule name -> number of values it parsed; ``empty`` counts empty/missing values;
    ``ambiguous`` counts day/month-ambiguous values left missing (``dayfirst=None``); ``unparsed``
    counts non-empty values no rule accepted (including ``ambiguous`` and ``unknown_zone``);
    ``examples`` holds up to five unparsed raw values; ``unknown_zone`` counts RFC 2822 dates whose
    zone abbreviation is unknown or ambiguous (missing, never read as UTC), ``zone_examples`` up to
    five of those abbreviations.
    """

    rules: dict[str, int] = field(default_factory=dict)
    empty: int = 0
    ambiguous: int = 0
    unparsed: int = 0
    examples: list[str] = field(default_factory=list)
    unknown_zone: int = 0
    zone_examples: list[str] = field(default_factory=list)


_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?"
    r"\s?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTH_FIRST = re.compile(rf"^(?P<m>{_MONTHS})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})$", re.I)
_DAY_FIRST = re.compile(rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTHS})\.?,?\s+(?P<y>\d{{4}})$", re.I)
_RFC2822 = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun),\s*)?\d{1,2}\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+\d{4}\s+"
    r"\d{2}:\d{2}(?::\d{2})?(?:\s+(?:[+-]\d{4}|[A-Z]{1,5}))?$",
    re.I,
)
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})$")
_MONTH_NUMBER = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def _ymd(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    """Build UTC midnight timestamps from year/month/day string columns; invalid days -> NaT."""
    text = y.str.zfill(4) + "-" + m.astype(str).str.zfill(2) + "-" + d.str.zfill(2)
    return pd.to_datetime(text, format="%Y-%m-%d", utc=True, errors="coerce")


def parse_dates(
    values: pd.Series | list[Any],
    *,
    dayfirst: bool | None = None,
    warn: bool = True,
    what: str = "date",
) -> tuple[pd.Series, DateReport]:
    """Parse a column of dates by the explicit rules of this module into tz-aware UTC.

    Parameters
    ----------
    values
        The raw values: strings, ``None``/``NaN``, or a numeric column (then read as epoch seconds),
        or an already datetime-typed column (naive values are taken as UTC).
    dayfirst
        How to read a numeric date whose day and month are both <= 12 ("12/01/2024"): ``None``
        (default) leaves it missing and counts it as ambiguous, ``True`` reads 12 January 2024,
        ``False`` reads 1 December 2024.
    warn
        Emit one :class:`DateParseWarning` with the counts when some non-empty values could not be
        read.
    what
        A label for the warning text (e.g. ``"date in data.csv"``).

    Returns
    -------
    (dates, report)
        ``dates`` is a ``datetime64[ns, UTC]`` Series aligned with *values* (missing -> ``NaT``);
        ``report`` is a :class:`DateReport` with per-rule counts.

    Examples
    --------
    >>> s, r = parse_dates(["2021-07-29T10:00:00+03:00", "July 29, 2021", "", "yesterday"], warn=False)
    >>> [str(x) for x in s]
    ['2021-07-29 07:00:00+00:00', '2021-07-29 00:00:00+00:00', 'NaT', 'NaT']
    >>> r.rules["iso"], r.rules["month_name"], r.empty, r.unparsed
    (1, 1, 1, 1)
    >>> parse_dates(["12/01/2024"], dayfirst=True, warn=False)[0].iloc[0]
    Timestamp('2024-01-12 00:00:00+0000', tz='UTC')
    """
    if dayfirst not in (None, True, False):
        raise InputError(f"parse_dates(): dayfirst must be None, True or False; got {dayfirst!r}.")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    index = series.index
    series = series.reset_index(drop=True)
    n = len(series)
    report = DateReport()
    out = pd.Series(pd.NaT, index=range(n), dtype=UTC_DTYPE)
    if n == 0:
        return out.set_axis(index), report

    # Already datetimes (Parquet timestamp columns).
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series.dtype):
        parsed = series if isinstance(series.dtype, pd.DatetimeTZDtype) else series.dt.tz_localize("UTC")
        parsed = parsed.dt.tz_convert("UTC")
        report.empty = int(parsed.isna().sum())
        years = parsed.dt.year
        good = parsed.notna() & (years >= MIN_YEAR) & (years <= MAX_YEAR)
        report.rules["datetime"] = int(good.sum())
        report.unparsed = n - report.empty - int(good.sum())
        out = parsed.where(good).astype(UTC_DTYPE)
        _finish(report, what, warn)
        return out.set_axis(index), report

    # Numeric column: epoch seconds.
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        num = series.astype("float64")
        missing = num.isna().to_numpy()
        report.empty = int(missing.sum())
        ok = (~missing) & np.isfinite(num.fillna(0).to_numpy())
        secs = num.where(ok)
        lo = 1.0  # epoch 0 and negative values are placeholders, not dates
        hi = pd.Timestamp(f"{MAX_YEAR}-12-31", tz="UTC").timestamp()
        in_range = ok & (secs.fillna(0).to_numpy() >= lo) & (secs.fillna(0).to_numpy() <= hi)
        parsed = pd.to_datetime(secs.where(in_range), unit="s", utc=True, errors="coerce")
        out = parsed.astype(UTC_DTYPE)
        report.rules["epoch"] = int(in_range.sum())
        bad = (~missing) & (~in_range)
        report.unparsed = int(bad.sum())
        report.examples = [str(v) for v in series[bad].head(5)]
        _finish(report, what, warn)
        return out.set_axis(index), report

    # Python datetime/date objects inside an object column (e.g. from Parquet or YAML): rule "datetime".
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        is_dt = np.zeros(n, dtype=bool)
    else:
        is_dt = series.map(lambda v: isinstance(v, (_dt.date, pd.Timestamp))).to_numpy(dtype=bool)
    if is_dt.any():
        stamps = pd.Series([_to_utc(v) for v in series[is_dt]], dtype=object)
        parsed = pd.to_datetime(stamps, utc=True, errors="coerce")
        years = parsed.dt.year
        good = (parsed.notna() & (years >= MIN_YEAR) & (years <= MAX_YEAR)).to_numpy()
        out.iloc[np.flatnonzero(is_dt)[good]] = parsed[good].astype(UTC_DTYPE).to_numpy()
        report.rules["datetime"] = int(good.sum())
        series = series.where(~is_dt, None)
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        text = series.fillna("").str.strip()
    else:
        raw = series.map(lambda v: v if isinstance(v, str) else (None if _is_missing(v) else repr(v)))
        text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
    empty = (text == "").to_numpy()
    report.empty = int(empty.sum())
    todo = ~empty

    def take(rule: str, mask: np.ndarray, parsed: pd.Series) -> None:
        nonlocal todo
        years = parsed.dt.year
        good = (parsed.notna() & (years >= MIN_YEAR) & (years <= MAX_YEAR)).to_numpy()
        idx = np.flatnonzero(mask)[good]
        out.iloc[idx] = parsed[good].astype(UTC_DTYPE).to_numpy()
        report.rules[rule] = report.rules.get(rule, 0) + int(good.sum())
        todo = todo.copy()
        todo[np.flatnonzero(mask)] = False  # matched the shape: parsed or (invalid day) unparsed

    # iso
    mask = todo & text.str.match(_ISO).to_numpy()
    if mask.any():
        sub = text[mask].str.replace(",", ".", regex=False).str.replace(
            r"\s(?=[Z+-]\d*)", "", regex=True
        )
        parsed = pd.to_datetime(sub, format="ISO8601", utc=True, errors="coerce")
        take("iso", mask, parsed.reset_index(drop=True))
    # month name, month first / day first
    for rx in (_MONTH_FIRST, _DAY_FIRST):
        mask = todo & text.str.match(rx).to_numpy()
        if mask.any():
            parts = text[mask].str.extract(rx).reset_index(drop=True)
            months = parts["m"].str.lower().map(_MONTH_NUMBER)
            take("month_name", mask, _ymd(parts["y"], months, parts["d"]))
    # rfc 2822 (few values in practice; the stdlib parser per value)
    mask = todo & text.str.match(_RFC2822).to_numpy()
    if mask.any():
        zones = text[mask].str.extract(_ZONE_WORD, expand=False).str.upper()
        known = zones.isna() | zones.isin(ZONE_ABBREVIATIONS).to_numpy()
        values = text[mask].where(known.to_numpy(), "")
        fixed = values.str.replace(_ZONE_WORD, _zone_offset, regex=True)
        parsed = pd.to_datetime(pd.Series([_rfc2822(v) if v else None for v in fixed], dtype=object),
                                utc=True, errors="coerce")
        # Moscow kept summer time all year from 2011-03-27 to 2014-10-26: MSK was +04:00 then.
        msk = ((zones == "MSK").to_numpy() & (parsed >= _MSK4_FROM).to_numpy()
               & (parsed < _MSK4_UNTIL).to_numpy())
        if msk.any():
            parsed = parsed.where(~msk, parsed - pd.Timedelta(hours=1))
        take("rfc2822", mask, parsed)
        odd = zones[~known]
        report.unknown_zone += int(odd.size)
        report.zone_examples = list(dict.fromkeys(odd.tolist()))[:5]
    # numeric d/m/y or m/d/y
    mask = todo & text.str.match(_NUMERIC).to_numpy()
    if mask.any():
        parts = text[mask].str.extract(_NUMERIC).reset_index(drop=True)
        a = parts["a"].astype(int)
        b = parts["b"].astype(int)
        ambiguous = ((a <= 12) & (b <= 12) & (a != b)).to_numpy()
        if dayfirst is None:
            day = np.where(a > 12, a, np.where(b > 12, b, a))  # a == b: order does not matter
            month = np.where(a > 12, b, np.where(b > 12, a, b))
        elif dayfirst:
            day, month = a.to_numpy(), b.to_numpy()
        else:
            day, month = b.to_numpy(), a.to_numpy()
        parsed = _ymd(parts["y"], pd.Series(month), pd.Series(day).astype(str))
        if dayfirst is None:
            parsed = parsed.where(~ambiguous)
            report.ambiguous = int(ambiguous.sum())
        take("numeric", mask, parsed)

    if is_dt.any():
        empty = empty & ~is_dt
        report.empty = int(empty.sum())
    failed = (~empty) & out.isna().to_numpy()
    report.unparsed = int(failed.sum())
    report.examples = list(dict.fromkeys(text[failed].tolist()))[:5]
    _finish(report, what, warn)
    return out.set_axis(index), report


def _to_utc(v: _dt.date) -> pd.Timestamp:
    ts = pd.Timestamp(v)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _is_missing(v: object) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# MSK local times read as +03:00 that fall in 2011-03-27 02:00 .. 2014-10-26 01:00 were +04:00
# (the repeated hour 01:00-02:00 of 2014-10-26 is read as the later, +03:00 one).
_MSK4_FROM = pd.Timestamp("2011-03-26 23:00", tz="UTC")
_MSK4_UNTIL = pd.Timestamp("2014-10-25 22:00", tz="UTC")
_ZONE_WORD = re.compile(r"(?<=\s)([A-Za-z]{1,5})$")


def _zone_offset(match: re.Match[str]) -> str:
    return ZONE_ABBREVIATIONS[match.group(1).upper()]


def _rfc2822(value: str) -> pd.Timestamp | None:
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    ts = pd.Timestamp(dt)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _finish(report: DateReport, what: str, warn: bool) -> None:
    if report.unparsed:
        msg = (
            f"{what}: {report.unparsed} value(s) could not be read by any date rule and are left "
            f"missing (the original is kept in date_raw)"
        )
        if report.ambiguous:
            msg += (
                f"; {report.ambiguous} are day/month-ambiguous like '12/01/2024' "
                f"(pass dayfirst=True or dayfirst=False to read them)"
            )
        if report.unknown_zone:
            unknown = [z for z in report.zone_examples if z not in AMBIGUOUS_ZONES]
            ambiguous = [f"{z} ({AMBIGUOUS_ZONES[z]})" for z in report.zone_examples if z in AMBIGUOUS_ZONES]
            msg += (
                f"; {report.unknown_zone} carry a time-zone abbreviation that is "
                + " or ".join(part for part in (
                    f"not in mediamon.dates.ZONE_ABBREVIATIONS ({', '.join(unknown)})" if unknown else "",
                    f"ambiguous ({'; '.join(ambiguous)})" if ambiguous else "",
                ) if part)
                + " and are left missing rather than read as UTC (write a numeric offset such as +0300)"
            )
        msg += f"; examples: {report.examples}"
        log.info(msg)
        if warn:
            warnings.warn(msg, DateParseWarning, stacklevel=3)


def parse_date(value: Any, *, dayfirst: bool | None = None) -> pd.Timestamp:
    """Parse one value by the same rules as :func:`parse_dates`; ``NaT`` when no rule applies.

    >>> parse_date("Thu, 29 Jul 2021 10:00:00 +0300")
    Timestamp('2021-07-29 07:00:00+0000', tz='UTC')
    >>> parse_date("0000-00-00")
    NaT
    """
    series = pd.Series([value])
    if isinstance(value, str) or value is None:
        series = series.astype(object)
    return parse_dates(series, dayfirst=dayfirst, warn=False)[0].iloc[0]
