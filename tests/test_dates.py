"""Date rules of mediamon.dates: golden values written by hand from the calendar."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from mediamon.dates import (
    AMBIGUOUS_ZONES,
    ZONE_ABBREVIATIONS,
    DateParseWarning,
    parse_date,
    parse_dates,
)
from mediamon.errors import InputError


def utc(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-07-29", "2021-07-29 00:00"),
        ("2021-07-29T10:00:00", "2021-07-29 10:00"),  # naive -> UTC
        ("2021-07-29T10:00:00+03:00", "2021-07-29 07:00"),  # offset respected
        ("2021-07-29T10:00:00-0500", "2021-07-29 15:00"),
        ("2021-07-29T10:00:00Z", "2021-07-29 10:00"),
        ("2021-07-29 23:30", "2021-07-29 23:30"),
        ("  2021-07-29  ", "2021-07-29 00:00"),
        ("July 29, 2021", "2021-07-29 00:00"),
        ("Jul 29, 2021", "2021-07-29 00:00"),
        ("29 July 2021", "2021-07-29 00:00"),
        ("29 Jul 2021", "2021-07-29 00:00"),
        ("Thu, 29 Jul 2021 10:00:00 +0300", "2021-07-29 07:00"),
        ("29 Jul 2021 10:00:00 GMT", "2021-07-29 10:00"),
        ("13/01/2024", "2024-01-13 00:00"),  # unambiguous: day 13
        ("01/13/2024", "2024-01-13 00:00"),  # unambiguous: month first
        ("05/05/2024", "2024-05-05 00:00"),  # same both ways
    ],
)
def test_accepted_shapes(raw: str, expected: str) -> None:
    assert parse_date(raw) == utc(expected)


@pytest.mark.parametrize(
    "raw", ["", "0000-00-00", "yesterday", "garbage", "2021-02-30", "12/01/2024", "1066-10-14", "May"]
)
def test_missing_never_invented(raw: str) -> None:
    assert pd.isna(parse_date(raw))


def test_ambiguous_rule_follows_dayfirst() -> None:
    assert pd.isna(parse_date("12/01/2024"))
    assert parse_date("12/01/2024", dayfirst=True) == utc("2024-01-12")
    assert parse_date("12/01/2024", dayfirst=False) == utc("2024-12-01")
    assert parse_date("12.01.2024", dayfirst=True) == utc("2024-01-12")


def test_mixed_time_zones_into_utc() -> None:
    s, report = parse_dates(
        ["2021-07-29T00:30:00+03:00", "2021-07-28T21:30:00Z", "2021-07-28T16:30:00-05:00"], warn=False
    )
    assert (s == utc("2021-07-28 21:30")).all()
    assert str(s.dtype) == "datetime64[ns, UTC]"
    assert report.rules == {"iso": 3}


def test_warning_with_counts_and_alignment() -> None:
    values = pd.Series(["2021-07-29", "", None, "yesterday", "0000-00-00", "12/01/2024"], index=list("abcdef"))
    with pytest.warns(DateParseWarning, match=r"^date: 3 value\(s\).*1 are day/month-ambiguous"):
        s, report = parse_dates(values)
    assert list(s.index) == list("abcdef")
    assert s["a"] == utc("2021-07-29")
    assert s[["b", "c", "d", "e", "f"]].isna().all()
    assert (report.empty, report.unparsed, report.ambiguous) == (2, 3, 1)


def test_no_warning_when_everything_parses_or_is_empty() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_dates(["2021-07-29", "", None])


def test_epoch_only_for_numeric_columns() -> None:
    s, report = parse_dates(pd.Series([1627552800, None], dtype="float64"), warn=False)
    assert s.iloc[0] == utc("2021-07-29 10:00")
    assert pd.isna(s.iloc[1]) and report.rules["epoch"] == 1
    # the same digits as text are not a date
    assert pd.isna(parse_date("1627552800"))
    # zero/negative epoch values are placeholders
    s, report = parse_dates(pd.Series([0, -5, 1627552800]), warn=False)
    assert s.isna().tolist() == [True, True, False] and report.unparsed == 2


def test_datetime_objects() -> None:
    import datetime as dt

    s, _ = parse_dates(
        pd.Series([dt.date(2021, 7, 29), dt.datetime(2021, 7, 29, 10, tzinfo=dt.timezone(dt.timedelta(hours=3)))],
                  dtype=object),
        warn=False,
    )
    assert s.tolist() == [utc("2021-07-29"), utc("2021-07-29 07:00")]


def test_bad_dayfirst_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="dayfirst must be None, True or False; got 'yes'"):
        parse_dates(["2021-07-29"], dayfirst="yes")  # type: ignore[arg-type]


def test_vectorised_on_a_large_column() -> None:
    import time

    values = pd.Series(["2021-07-29T10:00:00+03:00", "July 29, 2021", "", "29/07/2021"] * 25_000)
    t0 = time.perf_counter()
    s, report = parse_dates(values, warn=False)
    assert time.perf_counter() - t0 < 5
    assert int(s.notna().sum()) == 75_000 and report.empty == 25_000


# Zone abbreviations (issue 15.9): offsets from the IANA tz database, converted by hand.
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 29 Jul 2021 10:00:00 MSK", "2021-07-29 07:00"),  # +03:00
        ("Thu, 29 Jul 2021 10:00:00 msk", "2021-07-29 07:00"),
        ("Mon, 1 Jul 2013 10:00:00 MSK", "2013-07-01 06:00"),  # Moscow was +04:00 in 2011-2014
        ("Thu, 29 Jul 2021 10:00:00 IRST", "2021-07-29 06:30"),  # +03:30
        ("Thu, 29 Jul 2021 10:00:00 IRDT", "2021-07-29 05:30"),  # +04:30
        ("Thu, 29 Jul 2021 10:00:00 EST", "2021-07-29 15:00"),  # -05:00
        ("Thu, 29 Jul 2021 10:00:00 PST", "2021-07-29 18:00"),  # -08:00
        ("Thu, 29 Jul 2021 10:00:00 CET", "2021-07-29 09:00"),  # +01:00
        ("Thu, 29 Jul 2021 10:00:00 CEST", "2021-07-29 08:00"),  # +02:00
        ("Thu, 29 Jul 2021 10:00:00 JST", "2021-07-29 01:00"),  # +09:00
        ("Thu, 29 Jul 2021 10:00:00 NPT", "2021-07-29 04:15"),  # +05:45
        ("Thu, 29 Jul 2021 10:00:00 UT", "2021-07-29 10:00"),
        ("29 Jul 2021 10:00 GMT", "2021-07-29 10:00"),
    ],
)
def test_zone_abbreviations_from_the_table(raw: str, expected: str) -> None:
    assert parse_date(raw) == utc(expected)


def test_unknown_or_ambiguous_zone_is_missing_with_a_warning_never_utc() -> None:
    values = ["Thu, 29 Jul 2021 10:00:00 XYZ", "Thu, 29 Jul 2021 10:00:00 IST",
              "Thu, 29 Jul 2021 10:00:00 A", "Thu, 29 Jul 2021 10:00:00 +0300"]
    with pytest.warns(DateParseWarning) as caught:
        s, report = parse_dates(values)
    message = str(caught[0].message)
    assert "3 carry a time-zone abbreviation" in message
    assert "not in mediamon.dates.ZONE_ABBREVIATIONS (XYZ, A)" in message
    assert "ambiguous (IST (India +05:30, Ireland +01:00 or Israel +02:00))" in message
    assert s.isna().tolist() == [True, True, True, False] and s.iloc[3] == utc("2021-07-29 07:00")
    assert (report.unknown_zone, report.unparsed, report.rules["rfc2822"]) == (3, 3, 1)


def test_zone_table_offsets_are_well_formed() -> None:
    assert all(re.fullmatch(r"[+-](0\d|1[0-4])[0-5]\d", v) for v in ZONE_ABBREVIATIONS.values())
    assert not set(ZONE_ABBREVIATIONS) & set(AMBIGUOUS_ZONES)
