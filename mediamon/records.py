"""The records of one file, by format: JSON Lines, CSV/TSV, Parquet, front matter, sidecars.

Each parser turns one file's text (or bytes, for Parquet) into :class:`Rows`: its records, the
physical line of each, what was cleaned in them (NULs, undecodable bytes), and one problem row per
rejected or skipped line (runs of them summarised past :data:`LINE_ROWS`; a file stops past
:data:`FLOOD_ROWS`). The rules are listed in :mod:`mediamon.readers`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import json
import os
import re
import sys
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .decoding import Decoded, Rejected, clean_value, decode_text, read_bytes
from .discovery import ANY_SURROGATE, SIDECARS, Found
from .errors import YamlError
from .safeyaml import safe_load

__all__ = ["FLOOD_ROWS", "LINE_ROWS", "MAX_DEPTH", "Rows", "frame_of", "front_matter", "parse_csv", "parse_jsonl", "parse_parquet", "read_sidecar"]

MAX_DEPTH = 64  # deepest nesting read in JSON values, front matter and Parquet schemas
LINE_ROWS = 1_000  # problem lines of one file listed one by one before runs are summarised
FLOOD_ROWS = 10_000  # past this many problem rows, and more than good records, a file stops


@dataclass
class Rows:
    """Records of one file plus its rejected/skipped lines (bounded: see :meth:`problem`)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    nul: list[int] = field(default_factory=list)
    replaced: list[int] = field(default_factory=list)
    # first line, last line, count, status, reason, message: one manifest row each
    other: list[tuple[int | None, int | None, int, str, str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flooded: bool = False

    def add(
        self, line: int, record: dict[str, Any], surrogates: bool, extra_nul: int = 0,
        clean: bool = True,
    ) -> None:
        nul, rep = extra_nul, 0
        if surrogates and any(isinstance(k, str) and ANY_SURROGATE.search(k) for k in record):
            record = {ANY_SURROGATE.sub("\ufffd", k): v for k, v in record.items()}
        for k, v in (record.items() if clean else ()):
            if isinstance(v, str):
                v2, a, b = clean_value(v, surrogates)
                if a or b or v2 is not v:
                    record[k] = v2
                    nul += a
                    rep += b
            elif surrogates and isinstance(v, (list, dict)):
                v2, b = _clean_nested(v)
                record[k] = v2
                rep += b
        self.records.append(record)
        self.lines.append(line)
        self.nul.append(nul)
        self.replaced.append(rep)

    def problem(self, first: int, last: int, status: str, reason: str, message: str) -> None:
        """Record a rejected or skipped record (physical lines *first*..*last*).

        The first :data:`LINE_ROWS` get a row each; later ones extend the previous row when it has
        the same status and reason and ends on the line before (a run). Past :data:`FLOOD_ROWS`
        rows, and more rows than good records, :attr:`flooded` tells the parser to stop.
        """
        other = self.other
        if len(other) > LINE_ROWS:  # rows past the first LINE_ROWS may grow into runs
            f0, l0, n0, s0, r0, m0 = other[-1]
            if s0 == status and r0 == reason and l0 is not None and l0 + 1 == first:
                other[-1] = (f0, last, n0 + 1, s0, r0, m0)
                return
        other.append((first, last, 1, status, reason, message))
        if len(other) > FLOOD_ROWS and len(other) > len(self.records):
            self.flooded = True

    def stop(self, first: int, last: int) -> None:
        """The rest of the file, lines *first*..*last*, is not read (after :attr:`flooded`)."""
        bad = sum(n for _, _, n, _, _, _ in self.other)
        self.other.append((
            first, last, 1, "rejected", "bad_line_flood",
            f"lines {first:,}-{last:,} not read: {bad:,} bad or blank records before them against "
            f"{len(self.records):,} good ones; the file looks damaged or is not this format "
            f"(check format=, or clean the file)",
        ))

    def manifest_rows(self, rel: str) -> Iterator[tuple[str, int | None, str, str, str]]:
        """(item, line, status, reason, message) of each problem row; runs are named first-last."""
        for first, last, n, status, reason, message in self.other:
            if n == 1 and reason != "bad_line_flood":
                yield f"{rel}:{first}", first, status, reason, message
            elif n == 1:
                yield f"{rel}:{first}-{last}", first, status, reason, message
            else:
                yield (f"{rel}:{first}-{last}", first, status, reason,
                       f"{n:,} consecutive records (lines {first:,}-{last:,}) {status} as {reason}; "
                       f"the first: {message}")


def _clean_nested(value: list[Any] | dict[str, Any]) -> tuple[Any, int]:
    """Replace lone surrogates in the strings (and keys) of a nested JSON value, without recursion."""
    replaced = 0

    def fix(v: Any) -> Any:
        nonlocal replaced
        if isinstance(v, str):
            v, n = ANY_SURROGATE.subn("\ufffd", v)
            replaced += n
        return v

    root: list[Any] = [value]
    stack: list[list[Any] | dict[str, Any]] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (list, dict)):
                    stack.append(v)
                else:
                    node[i] = fix(v)
        else:
            for k in list(node):
                v = node[k]
                k2 = fix(k)
                if k2 != k:
                    del node[k]
                    node[k2] = v
                if isinstance(v, (list, dict)):
                    stack.append(v)
                else:
                    node[k2] = fix(v)
    return root[0], replaced


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value (a scalar is 0, ``[]`` is 1), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            d += 1
            deepest = max(deepest, d)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((x, d) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


_EXACT_FLOAT_INT = 2**53


def frame_of(rows: Rows) -> pd.DataFrame:
    """Records -> DataFrame without string inference: strings stay Python objects (one conversion
    to the final string dtype happens in :class:`Corpus`); numeric and bool columns are typed when
    that loses nothing (a float64 column only when every integer in it is exact as a float)."""
    columns = list(dict.fromkeys(rows.columns or [k for r in rows.records for k in r]))
    data: dict[str, pd.Series] = {}
    for col in columns:
        values = [r.get(col) for r in rows.records]
        kinds = {type(v) for v in values if v is not None}
        if kinds and kinds <= {int, float}:
            as_float = float in kinds or None in values
            if as_float and int in kinds and any(
                type(v) is int and not -_EXACT_FLOAT_INT <= v <= _EXACT_FLOAT_INT for v in values
            ):
                data[col] = pd.Series(values, dtype=object)
                continue
            try:
                data[col] = pd.Series(values, dtype="float64" if as_float else "int64")
            except (OverflowError, ValueError):
                data[col] = pd.Series(values, dtype=object)
        elif kinds == {bool} and None not in values:
            data[col] = pd.Series(values, dtype=bool)
        else:
            data[col] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows.records)))


def _unique_header(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names):
        name = raw.strip() or f"column_{i + 1}"
        base = name
        while name in seen:
            seen[base] += 1
            name = f"{base}.{seen[base]}"
        seen.setdefault(name, 0)
        out.append(name)
    return out


class _Width:
    """The number of fields a CSV record must have (``None`` until the header is read)."""

    fields: int | None = None


def _csv_records(
    text: str, delimiter: str, width: _Width
) -> Iterator[tuple[int, int, list[str] | None, str]]:
    """``(first_line, last_line, fields, problem)`` for every physical record of a CSV text.

    Quoting is strict record by record. A record with broken quoting yields ``fields=None`` and the
    problem at its first line; if it spans several lines (a quote opened and never closed, or
    closed by a stray quote further down) -- or spans several lines and has not
    ``width.fields`` fields -- reading starts again at its second line, so the lines it would have
    swallowed are records of their own. A single-line record whose only fault is text after a
    closing quote (``"Fine" extra``) is read leniently, as pandas does.
    """
    n = len(text)
    stream = io.StringIO(text, newline="")  # C-speed lines; seek() starts a new reader anywhere
    pos, base = 0, 1  # offset and line number where the current reader starts
    while pos < n:
        stream.seek(pos)
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        done = 0  # physical lines of this reader consumed by complete records
        problem = ""
        try:
            for row in reader:
                first, last = base + done, base + reader.line_num - 1
                if last > first and width.fields is not None and row and len(row) != width.fields:
                    problem = (f"expected {width.fields} fields, found {len(row)} in a record that "
                               f"would span lines {first}-{last} (a stray quote?); the following "
                               "lines are read on their own")
                    break
                done = reader.line_num
                yield first, last, row, ""
            else:
                return
        except csv.Error as exc:
            first, last = base + done, base + reader.line_num - 1
            if "unexpected end of data" in str(exc):
                problem = (f"quoted field opened here is never closed (it would run to line "
                           f"{max(last, first)}); the following lines are read on their own")
            elif last > first:
                problem = (f"broken quoting ({exc}) in a record that would span lines "
                           f"{first}-{last}; the following lines are read on their own")
        # where the failed record starts, and the line after its first (found only on failure)
        start = pos
        for _ in range(done):
            start = text.find("\n", start) + 1
        eol = text.find("\n", start)
        eol = n if eol < 0 else eol + 1
        first = base + done
        if problem:
            yield first, first, None, problem
        else:  # one line whose only fault is text after a closing quote: read it leniently
            try:
                fields = next(csv.reader([text[start:eol]], delimiter=delimiter, strict=False))
            except (csv.Error, StopIteration) as exc2:
                yield first, first, None, f"CSV quoting: {exc2}"
            else:
                yield first, first, fields, ""
        pos, base = eol, first + 1


def parse_csv(dec: Decoded, delimiter: str) -> Rows:
    """The records of a CSV (or, with a tab *delimiter*, TSV) text under its header row."""
    rows = Rows()
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, min(len(dec.text) + 1, sys.maxsize)))
    try:
        header: list[str] | None = None
        width = _Width()
        last_line = dec.text.count("\n") + (0 if dec.text.endswith("\n") else 1)
        for first, last, row, problem in _csv_records(dec.text, delimiter, width):
            if row is None:
                if header is None:
                    header = []  # a broken first record: the header is the next good one
                rows.problem(first, last, "rejected", "malformed_row", problem)
            elif header is None or not header:
                if not row:
                    continue
                header = _unique_header([clean_value(h, dec.has_surrogates)[0] for h in row])
                rows.columns = header
                width.fields = len(header)
                continue
            elif not row or (len(row) == 1 and not row[0].strip() and len(header) > 1):
                rows.problem(first, last, "skipped", "blank_line", "empty line")
            elif len(row) != len(header):
                rows.problem(first, last, "rejected", "malformed_row",
                             f"expected {len(header)} fields, found {len(row)} (lines {first}-{last})"
                             if last > first else f"expected {len(header)} fields, found {len(row)}")
            else:
                rows.add(first, dict(zip(header, row)), dec.has_surrogates)
            if rows.flooded:
                if last < last_line:
                    rows.stop(last + 1, last_line)
                break
    finally:
        csv.field_size_limit(old)
    return rows


def _bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _exact_int(digits: str) -> int | str:
    """A JSON integer; beyond +-2**53 (not exact as a float64) the text written is kept."""
    if len(digits) <= 16:
        value = int(digits)
        if -_EXACT_FLOAT_INT <= value <= _EXACT_FLOAT_INT:
            return value
    return digits


_JSON = json.JSONDecoder(parse_constant=_bad_constant, parse_int=_exact_int, strict=False)


def parse_jsonl(dec: Decoded) -> Rows:
    """The records of a JSON Lines text, one object per line; other lines are problem rows."""
    rows = Rows()
    text = dec.text
    columns: dict[str, None] = {}
    decode = _JSON.decode
    # values need cleaning only if the file holds NULs, undecodable bytes, escaped CRs or escaped
    # lone surrogates ("\ud800", which no writer accepts)
    escaped_surrogates = "\\ud" in text or "\\uD" in text
    surrogates = dec.has_surrogates or escaped_surrogates
    clean = surrogates or "\x00" in text or "\\r" in text or "\\u000" in text
    n = len(text)
    pos, i = 0, 0
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        line = text[pos:end]
        pos = end + 1
        i += 1
        if not line or line.isspace():
            rows.problem(i, i, "skipped", "blank_line", "empty line")
        else:
            nul = 0
            if "\x00" in line:
                nul = line.count("\x00")
                line = line.replace("\x00", "")
            try:
                value = decode(line)
            except json.JSONDecodeError as exc:
                rows.problem(i, i, "rejected", "malformed_json", f"{exc.msg} at column {exc.colno}")
                value = None
            except RecursionError:
                rows.problem(i, i, "rejected", "too_deep", f"nested deeper than {MAX_DEPTH} levels")
                value = None
            except ValueError as exc:
                rows.problem(i, i, "rejected", "malformed_json", str(exc)[:200])
                value = None
            if value is None:
                pass
            elif not isinstance(value, dict):
                rows.problem(i, i, "rejected", "not_an_object", f"a JSON {type(value).__name__}, not an object")
            elif line.count("[") + line.count("{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
                rows.problem(i, i, "rejected", "too_deep", f"nested deeper than {MAX_DEPTH} levels")
            else:
                rows.add(i, value, surrogates, extra_nul=nul, clean=clean)
                columns.update(dict.fromkeys(rows.records[-1]))
        if rows.flooded and pos < n:
            rest = text.count("\n", pos) + (0 if text.endswith("\n") else 1)
            rows.stop(i + 1, i + rest)
            break
    rows.columns = list(columns)
    return rows


# Parquet ------------------------------------------------------------------------------------
_MIN_VALUE_BYTES = 8  # every decoded value costs at least an offset, a value or a Python object
_DATETIME_MIN = _dt.datetime(1, 1, 1, tzinfo=_dt.timezone.utc)
_DATETIME_MAX = _dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=_dt.timezone.utc)
_UNIT_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _type_depth(t: pa.DataType) -> int:
    deepest, stack = 0, [(t, 1)]
    while stack:
        typ, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((typ.field(i).type, d + 1) for i in range(typ.num_fields))
    return deepest


def parse_parquet(data: bytes, max_bytes: int) -> Rows:
    """Read a Parquet file row group by row group, refusing it before decoding when it would
    decode to more than *max_bytes* (see the module notes)."""
    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        md = pf.metadata
        schema = pf.schema_arrow
    except Exception as exc:  # noqa: BLE001 -- any reader failure is this file's outcome
        raise Rejected("corrupt", f"Parquet: {type(exc).__name__}: {exc}") from None
    deepest = max((_type_depth(f.type) for f in schema), default=0)
    if deepest > MAX_DEPTH:
        raise Rejected("too_deep", f"Parquet schema nested {deepest} levels deep (at most {MAX_DEPTH})")
    groups = [md.row_group(g) for g in range(md.num_row_groups)]
    plain = sum(g.total_byte_size for g in groups)
    values = sum(g.column(c).num_values for g in groups for c in range(g.num_columns))
    fix = f"max_bytes is {max_bytes:,}; pass a larger max_bytes= to read it anyway"
    if plain > max_bytes:
        raise Rejected("too_large", f"Parquet pages decompress to {plain:,} bytes (from its metadata); {fix}")
    if values * _MIN_VALUE_BYTES > max_bytes:
        raise Rejected("too_large", f"Parquet file holds {values:,} values (at least "
                      f"{values * _MIN_VALUE_BYTES:,} bytes once decoded); {fix}")
    # Text columns with dictionary pages are read as dictionaries: their decoded size is added up
    # from the indices before a single string is built.
    dictionary = sorted({
        g.column(c).path_in_schema for g in groups for c in range(g.num_columns)
        if g.column(c).has_dictionary_page and g.column(c).physical_type == "BYTE_ARRAY"
    })
    rows = Rows(columns=list(schema.names))
    try:
        if dictionary:
            pf = pq.ParquetFile(pa.BufferReader(data), read_dictionary=dictionary)
        decoded = 0
        line = 0
        for g in range(md.num_row_groups):
            table = pf.read_row_group(g)
            decoded += sum(_decoded_nbytes(chunk) for col in table.columns for chunk in col.chunks)
            if decoded > max_bytes:
                raise Rejected("too_large", (
                    f"Parquet text decodes to at least {decoded:,} bytes by row group {g + 1} of "
                    f"{md.num_row_groups} (dictionary-encoded values repeated); {fix}"))
            table, notes = _python_safe(table)
            for note in notes:
                if note not in rows.notes:
                    rows.notes.append(note)
            for rec in table.to_pylist():
                line += 1
                rows.add(line, rec, False)
            del table
    except Rejected:
        raise
    except Exception as exc:  # noqa: BLE001 -- any reader failure is this file's outcome
        raise Rejected("corrupt", f"Parquet: {type(exc).__name__}: {exc}") from None
    return rows


def _decoded_nbytes(arr: pa.Array) -> int:
    """Bytes *arr* takes once dictionaries are decoded (offsets and values), without decoding."""
    total = 0
    stack = [arr]
    while stack:
        a = stack.pop()
        t = a.type
        if pa.types.is_dictionary(t):
            lengths = pc.binary_length(a.dictionary) if _is_binary_like(t.value_type) else None
            if lengths is None:
                total += a.indices.nbytes + a.dictionary.nbytes
                continue
            taken = pc.sum(pc.take(lengths.cast(pa.int64()), a.indices)).as_py() or 0
            total += int(taken) + 4 * len(a)
        elif pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            total += 8 * len(a)
            stack.append(a.flatten())
        elif pa.types.is_map(t):
            total += 8 * len(a)
            stack.extend([a.keys, a.items])
        elif pa.types.is_struct(t):
            stack.extend(a.field(i) for i in range(t.num_fields))
        else:
            total += a.nbytes
    return total


def _is_binary_like(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) or \
        pa.types.is_large_binary(t)


_OFFSET_ZONE = re.compile(r"[+-]\d{2}:\d{2}")


@functools.cache
def _known_zone(name: str) -> bool:
    """A zone name Arrow writes: a fixed offset ("+03:30") or an IANA name the system knows."""
    if _OFFSET_ZONE.fullmatch(name):
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _python_safe(table: pa.Table) -> tuple[pa.Table, list[str]]:
    """Make top-level timestamp and date columns convertible to Python, with notes.

    A zoned timestamp holds UTC instants, so it is read in UTC: no zone database is needed and a
    bogus zone name costs nothing (it is noted). Values outside Python's years 1-9999 become
    missing, counted.
    """
    notes: list[str] = []
    for i, fld in enumerate(table.schema):
        t = fld.type
        if pa.types.is_timestamp(t):
            raw = table.column(i).cast(pa.int64())
            per_s = _UNIT_PER_SECOND[t.unit]
            lo = max(int(_DATETIME_MIN.timestamp()) * per_s, -(2**63))  # int64 bounds: unit "ns"
            hi = min(int(_DATETIME_MAX.timestamp()) * per_s, 2**63 - 1)
            ok = pc.and_(pc.greater_equal(raw, lo), pc.less_equal(raw, hi))
            bad = int(pc.sum(pc.invert(ok)).as_py() or 0)
            if not bad and not t.tz:
                continue
            fixed = pc.if_else(ok, raw, None).cast(pa.timestamp(t.unit, tz="UTC" if t.tz else None))
            if t.tz and not _known_zone(t.tz):
                notes.append(f"column {fld.name!r}: unknown time zone {t.tz!r}; the timestamps are "
                             "read as the UTC instants stored")
            if bad:
                notes.append(f"column {fld.name!r}: {bad:,} timestamp(s) outside years 1-9999 set to missing")
            table = table.set_column(i, fld.with_type(fixed.type), fixed)
        elif pa.types.is_date(t):
            days = table.column(i).cast(pa.int32() if pa.types.is_date32(t) else pa.int64())
            if pa.types.is_date64(t):
                days = pc.divide(days, 86_400_000)
            ok = pc.and_(pc.greater_equal(days, -719_162), pc.less_equal(days, 2_932_896))
            bad = int(pc.sum(pc.invert(ok)).as_py() or 0)
            if bad:
                fixed = pc.if_else(ok, days.cast(pa.int32()), None).cast(pa.date32())
                notes.append(f"column {fld.name!r}: {bad:,} date(s) outside years 1-9999 set to missing")
                table = table.set_column(i, fld.with_type(pa.date32()), fixed)
    return table, notes


def front_matter(text: str, what: str) -> tuple[dict[str, Any], str, str | None]:
    """``(metadata, body, note)`` of a text that may open with a YAML block between ``---`` lines;
    a block that cannot be read stays in the body, and *note* says why."""
    if not text.startswith("---\n"):
        return {}, text, None
    end = text.find("\n---", 4, 65536)
    if end < 0:
        return {}, text, None
    after = end + 4
    if after < len(text) and text[after] != "\n":
        return {}, text, None
    block = text[4:end]
    try:
        meta = safe_load(block, schema="strings", max_depth=MAX_DEPTH, what=what)
    except YamlError as exc:
        where = f" at line {exc.line + 1}" if exc.line is not None else ""  # +1: the opening ---
        return {}, text, f"front matter not read ({exc.problem}{where}); kept in text"
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return {}, text, "front matter is not a mapping; kept in text"
    return {str(k): v for k, v in meta.items()}, text[after + 1 if after < len(text) else after:], None


def read_sidecar(folder: str, max_bytes: int, forced: str | None) -> tuple[dict[str, dict], str]:
    """The metadata table of the ``.txt`` files of *folder* (``metadata.csv/tsv/jsonl``) by file
    name, and a note of what was read."""
    for name, kind in SIDECARS.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            continue
        try:
            dec = decode_text(read_bytes(Found(path, name), max_bytes), forced)
        except Rejected as exc:
            return {}, f"{name} not read: {exc.message}"
        rows = parse_jsonl(dec) if kind == "jsonl" else parse_csv(dec, "\t" if kind == "tsv" else ",")
        key = next((k for k in ("file", "filename", "file_name", "path") if k in rows.columns), None)
        if key is None:
            return {}, f"{name} has no 'file' column (columns are {rows.columns}); not used"
        table = {}
        for rec in rows.records:
            fname = str(rec.pop(key, "") or "")
            if fname:
                table[os.path.basename(fname)] = rec
        return table, f"metadata for {len(table)} file(s)"
    return {}, ""
