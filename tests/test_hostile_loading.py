"""Hostile and careless input to read_corpus(), round two (issue 15, RELIABILITY.md items 23-28, 32).

Every fixture is built in code into tmp_path. Expected outcomes are written by hand from the rules
in the mediamon.readers module notes; sizes come from the fixtures' own arithmetic.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tracemalloc
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mediamon as mm
from mediamon import readers, records
from mediamon.dates import DateParseWarning
from mediamon.errors import InputError
from mediamon.progress import interactive
from mediamon.readers import REASONS, read_corpus
from mediamon.records import FLOOD_ROWS, LINE_ROWS
from mediamon.report import ensure_kernel
from mediamon.store import is_store


def check_accounting(c: mm.Corpus) -> None:
    m = c.manifest
    counts = m["status"].value_counts().to_dict()
    assert set(counts) <= {"loaded", "rejected", "skipped"}
    assert sum(counts.values()) == len(m) == c.manifest_counts()["discovered"]
    assert counts.get("loaded", 0) == len(c.docs)
    assert set(m["reason"]) <= set(REASONS)
    assert m["item"].is_unique


def row(c: mm.Corpus, item: str) -> pd.Series:
    hits = c.manifest.loc[c.manifest["item"] == item]
    assert len(hits) == 1, (item, c.manifest["item"].tolist()[:20])
    return hits.iloc[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def billion_laughs(levels: int, *, indent: str = "") -> str:
    """YAML anchors: level k is a list of nine aliases of level k-1, so it expands to 9**k strings."""
    lines = [f'{indent}a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, levels + 1):
        lines.append(f"{indent}a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# 1. Parquet decompression bombs (RELIABILITY 23)
# --------------------------------------------------------------------------------------------
def test_parquet_dictionary_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    # one 100,000-character value repeated 2,000 times: 200,000,000 characters once decoded
    # written as a dictionary array, so the test itself never holds the 200 MB either
    text = pa.DictionaryArray.from_arrays(pa.array([0] * 2_000, pa.int32()), pa.array(["A" * 100_000]))
    pq.write_table(pa.table({"text": text}), tmp_path / "bomb.parquet", compression="zstd")
    assert (tmp_path / "bomb.parquet").stat().st_size < 20_000
    pq.write_table(pa.table({"text": ["A fine article.", "Another one."]}), tmp_path / "ok.parquet")
    tracemalloc.start()
    c = read_corpus(tmp_path, max_bytes=20_000_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    check_accounting(c)
    bomb = row(c, "bomb.parquet")
    assert (bomb["status"], bomb["reason"]) == ("rejected", "too_large")
    assert "decodes to at least" in bomb["message"] and "larger max_bytes=" in bomb["message"]
    assert c.docs["text"].tolist() == ["A fine article.", "Another one."]
    assert peak < 20_000_000  # the 200 MB of text was never built


def test_parquet_plain_bomb_is_refused_from_metadata(tmp_path: Path) -> None:
    # no dictionary: the pages themselves decompress to 2,000 distinct 10,000-character values
    table = pa.table({"text": [f"{i:06d}" + "B" * 10_000 for i in range(2_000)]})
    pq.write_table(table, tmp_path / "plain.parquet", compression="zstd", use_dictionary=False)
    assert (tmp_path / "plain.parquet").stat().st_size < 200_000
    c = read_corpus(tmp_path, max_bytes=10_000_000)
    r = row(c, "plain.parquet")
    assert (r["status"], r["reason"]) == ("rejected", "too_large")
    assert "decompress to" in r["message"] and "from its metadata" in r["message"]


def test_parquet_many_values_are_refused(tmp_path: Path) -> None:
    # 2,000,000 nulls take a few bytes on disk but at least 8 bytes each once decoded
    table = pa.table({"text": pa.array(["x"] + [None] * 1_999_999, pa.string())})
    pq.write_table(table, tmp_path / "nulls.parquet", compression="zstd")
    c = read_corpus(tmp_path, max_bytes=10_000_000)
    r = row(c, "nulls.parquet")
    assert (r["status"], r["reason"]) == ("rejected", "too_large")
    assert "2,000,000 values" in r["message"]


def test_parquet_is_read_by_row_group_with_continuous_row_numbers(tmp_path: Path) -> None:
    texts = [f"Article number {i}." for i in range(7)]
    pq.write_table(pa.table({"text": texts}), tmp_path / "groups.parquet", row_group_size=3)
    assert pq.ParquetFile(tmp_path / "groups.parquet").metadata.num_row_groups == 3
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert c.docs["text"].tolist() == texts
    assert c.manifest["item"].tolist() == [f"groups.parquet:{i}" for i in range(1, 8)]


def test_memory_error_in_one_file_is_a_rejection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pq.write_table(pa.table({"text": ["x"]}), tmp_path / "a.parquet")
    write(tmp_path / "b.txt", "Still loaded.")

    def out_of_memory(data: bytes, max_bytes: int) -> None:
        raise MemoryError

    monkeypatch.setattr(readers, "parse_parquet", out_of_memory)
    c = read_corpus(tmp_path)
    assert (row(c, "a.parquet")["status"], row(c, "a.parquet")["reason"]) == ("rejected", "too_large")
    assert c.docs["text"].tolist() == ["Still loaded."]


def test_parquet_schema_nested_too_deep(tmp_path: Path) -> None:
    # 80 nested structs: within pyarrow's own limit (100 schema nodes), past mediamon's 64 levels
    t: pa.DataType = pa.string()
    value: object = "x"
    for _ in range(80):
        t, value = pa.struct([("a", t)]), {"a": value}
    pq.write_table(pa.table({"text": ["ok"], "deep": pa.array([value], t)}), tmp_path / "deep.parquet")
    c = read_corpus(tmp_path)
    r = row(c, "deep.parquet")
    assert (r["status"], r["reason"]) == ("rejected", "too_deep")


# --------------------------------------------------------------------------------------------
# 2. YAML alias bombs in front matter (RELIABILITY 24)
# --------------------------------------------------------------------------------------------
def test_front_matter_alias_bomb_is_not_read_and_the_body_loads(tmp_path: Path) -> None:
    # 9**6 = 531,441 strings from 400 bytes: past the cap of 10,000 nodes added by aliases
    head = "---\ntitle: Fine\n" + billion_laughs(6) + "---\n"
    assert len(head) < 500
    write(tmp_path / "bomb.txt", head + "The body of the article.")
    write(tmp_path / "ok.txt", "---\ntitle: Kept\n---\nAnother body.")
    c = read_corpus(tmp_path)
    check_accounting(c)
    r = row(c, "bomb.txt")
    assert (r["status"], r["reason"]) == ("loaded", "ok")
    assert "front matter not read (aliases expand to more than 10,000 nodes" in r["message"]
    doc = c.docs.set_index("doc_id").loc["bomb"]
    assert doc["text"].endswith("The body of the article.")
    assert "a6" not in c.docs.columns and c.docs.set_index("doc_id").loc["ok", "title"] == "Kept"


def test_front_matter_with_a_few_aliases_is_read(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "---\nsource: &s Mehr News\nrepublished_by: *s\n---\nBody.")
    c = read_corpus(tmp_path)
    assert c.docs.loc[0, "republished_by"] == "Mehr News"
    assert c.docs.loc[0, "text"] == "Body."


def test_front_matter_nested_deep_is_not_read(tmp_path: Path) -> None:
    # ~330 levels made PyYAML raise RecursionError and abort the whole load
    write(tmp_path / "deep.txt", "---\nx: " + "[" * 330 + "]" * 330 + "\n---\nBody.")
    write(tmp_path / "ok.txt", "Other.")
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert "front matter not read (nested deeper than 64 levels at line 2" in row(c, "deep.txt")["message"]
    assert len(c) == 2


def test_front_matter_values_stay_strings(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "---\nid: 007\nflag: yes\ndate: 2021-07-29\n---\nBody.")
    c = read_corpus(tmp_path)
    assert c.docs.loc[0, ["doc_id", "flag", "date_raw"]].tolist() == ["007", "yes", "2021-07-29"]


# --------------------------------------------------------------------------------------------
# 3. Manifest floods (RELIABILITY 25)
# --------------------------------------------------------------------------------------------
def test_a_run_of_bad_lines_is_one_summary_row(tmp_path: Path) -> None:
    n_bad = 50_000
    write(tmp_path / "flood.jsonl", '{"text": "The one good line."}\n' + "{bad}\n" * n_bad)
    c = read_corpus(tmp_path)
    check_accounting(c)
    m = c.manifest
    assert len(m) == 1 + LINE_ROWS + 1  # the good line, 1,000 rows one by one, then one run
    assert m["item"].iloc[1] == "flood.jsonl:2" and m["item"].iloc[LINE_ROWS] == f"flood.jsonl:{LINE_ROWS + 1}"
    run = row(c, f"flood.jsonl:{LINE_ROWS + 2}-{n_bad + 1}")
    assert (run["status"], run["reason"], run["line"]) == ("rejected", "malformed_json", LINE_ROWS + 2)
    assert run["message"].startswith(f"{n_bad - LINE_ROWS:,} consecutive records (lines 1,002-50,001)")
    assert c.docs["text"].tolist() == ["The one good line."]


def test_alternating_bad_and_blank_lines_stop_the_file(tmp_path: Path) -> None:
    # runs cannot merge when the reason alternates: past 10,000 rows the rest is one item
    n = 30_000
    body = "".join("{bad}\n" if i % 2 == 0 else "\n" for i in range(n))
    write(tmp_path / "alt.jsonl", '{"text": "Good."}\n' + body)
    write(tmp_path / "next.txt", "The next file still loads.")
    c = read_corpus(tmp_path)
    check_accounting(c)
    # line 1 good; lines 2 .. 10,002 are 10,001 problem rows (the flood starts past 10,000)
    stop = row(c, f"alt.jsonl:{FLOOD_ROWS + 3}-{n + 1}")
    assert (stop["status"], stop["reason"]) == ("rejected", "bad_line_flood")
    assert len(c.manifest) == 1 + (FLOOD_ROWS + 1) + 1 + 1
    assert sorted(c.docs["text"]) == ["Good.", "The next file still loads."]


def test_csv_runs_of_bad_rows_are_summarised(tmp_path: Path) -> None:
    rows = ["id,text"] + [f"{i},good {i}" for i in range(5)] + ["x,y,z"] * 3_000 + ["9,last good"]
    write(tmp_path / "t.csv", "\n".join(rows) + "\n")
    c = read_corpus(tmp_path)
    check_accounting(c)
    # data lines 2-6 good, 7-3,006 bad (1,000 rows, then a run of 2,000), 3,007 good
    run = row(c, "t.csv:1007-3006")
    assert run["reason"] == "malformed_row" and run["message"].startswith("2,000 consecutive records")
    assert len(c.manifest) == 5 + LINE_ROWS + 1 + 1
    assert c.docs["doc_id"].tolist() == ["0", "1", "2", "3", "4", "9"]


# --------------------------------------------------------------------------------------------
# 4. One huge document (RELIABILITY 26)
# --------------------------------------------------------------------------------------------
def test_a_document_over_max_doc_chars_is_rejected_with_a_way_out(tmp_path: Path) -> None:
    write(tmp_path / "long.txt", "word " * 400)  # 2,000 characters
    write(tmp_path / "short.txt", "Short.")
    c = read_corpus(tmp_path, max_doc_chars=1_000)
    check_accounting(c)
    r = row(c, "long.txt")
    assert (r["status"], r["reason"]) == ("rejected", "text_too_large")
    assert "text of 2,000 characters; max_doc_chars is 1,000" in r["message"]
    assert "pass max_doc_chars=" in r["message"]
    assert c.docs["doc_id"].tolist() == ["short"]
    assert len(read_corpus(tmp_path, max_doc_chars=2_000)) == 2


def test_default_document_limit(tmp_path: Path) -> None:
    assert readers.DEFAULT_MAX_DOC_CHARS == 10_000_000
    write(tmp_path / "huge.txt", "x" * (readers.DEFAULT_MAX_DOC_CHARS + 1))
    write(tmp_path / "ok.txt", "Fine.")
    c = read_corpus(tmp_path)
    assert row(c, "huge.txt")["reason"] == "text_too_large"
    assert c.docs["doc_id"].tolist() == ["ok"]


def test_bad_max_doc_chars_is_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "A.")
    with pytest.raises(InputError, match="max_doc_chars must be a positive int; got 0"):
        read_corpus(tmp_path, max_doc_chars=0)


# --------------------------------------------------------------------------------------------
# 5. Many tiny files: progress only when a person is watching (speed: bench/bench_loading.py)
# --------------------------------------------------------------------------------------------
def test_many_tiny_files_keep_order_ids_and_metadata(tmp_path: Path) -> None:
    for i in range(300):
        front = f"---\ntitle: T{i}\n---\n" if i % 3 == 0 else ""
        write(tmp_path / f"{i // 100}" / f"{i:04d}.txt", f"{front}Text {i}.")
    write(tmp_path / "1" / "x.csv", "id,text\nc1,From a table.\n")  # between two runs of .txt files
    c = read_corpus(tmp_path)
    check_accounting(c)
    ids = c.docs["doc_id"].tolist()
    assert ids[:100] == [f"0/{i:04d}" for i in range(100)]
    assert ids[100:200] == [f"1/{i:04d}" for i in range(100, 200)] and ids[200] == "c1"
    assert ids[201:] == [f"2/{i:04d}" for i in range(200, 300)]
    titles = c.docs.set_index("doc_id")["title"]
    assert titles["0/0003"] == "T3" and pd.isna(titles["0/0004"])


def test_progress_bar_only_when_asked_or_watched(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "A.")
    read_corpus(tmp_path)  # pytest's stderr is not a terminal and no kernel runs: no bar
    assert "read_corpus" not in capsys.readouterr().err
    read_corpus(tmp_path, progress=True)
    assert "read_corpus" in capsys.readouterr().err
    import ipykernel.kernelspec  # noqa: F401 -- a script that imported ipykernel is still not a kernel

    assert not interactive()


def test_a_real_kernel_is_watched_unless_it_runs_a_report(tmp_path: Path) -> None:
    from jupyter_client.manager import (
        start_new_kernel,  # a real kernel of this environment
    )

    manager, client = start_new_kernel(kernel_name=ensure_kernel())
    try:
        seen = []
        for code in ("from mediamon.progress import interactive; print(interactive())",
                     f"import os; os.environ['MEDIAMON_REPORT_DIR'] = {str(tmp_path)!r}; print(interactive())"):
            client.execute_interactive(code, timeout=60, output_hook=lambda m: seen.append(m["content"].get("text", "")))
        assert [t.strip() for t in seen if t.strip()] == ["True", "False"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


# --------------------------------------------------------------------------------------------
# 6. Errors that used to abort the whole load (RELIABILITY 27)
# --------------------------------------------------------------------------------------------
def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    try:
        with open(raw, "wb") as fh:
            fh.write(b"Le caf\xc3\xa9.")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    write(tmp_path / "b.txt", "B.")
    c = read_corpus(tmp_path)
    check_accounting(c)
    r = row(c, "caf\ufffd.txt")
    assert (r["status"], r["doc_id"]) == ("loaded", "caf\ufffd")
    assert "file name is not valid UTF-8" in r["message"] and r["path"].endswith("caf\ufffd.txt")
    assert c.docs.set_index("doc_id").loc["caf\ufffd", "text"] == "Le café."


def test_parquet_timestamps_that_do_not_convert(tmp_path: Path) -> None:
    year1 = -62_135_596_800_000_000  # 0001-01-01T00:00 UTC in microseconds
    pq.write_table(pa.table({"text": ["Year one.", "Epoch."],
                             "date": pa.array([year1, 0], pa.timestamp("us", tz="Asia/Tehran"))}),
                   tmp_path / "a.parquet")
    pq.write_table(pa.table({"text": ["Bogus zone."],
                             "date": pa.array([1_627_552_800_000_000], pa.timestamp("us", tz="Not/AZone"))}),
                   tmp_path / "b.parquet")
    pq.write_table(pa.table({"text": ["Far future."],
                             "when": pa.array([10**13], pa.timestamp("s"))}), tmp_path / "c.parquet")
    write(tmp_path / "d.txt", "Plain.")
    with pytest.warns(DateParseWarning):
        c = read_corpus(tmp_path)
    check_accounting(c)
    d = c.docs.set_index("text")
    assert pd.isna(d.loc["Year one.", "date"]) and d.loc["Year one.", "date_raw"].startswith("0001-01-01")
    assert d.loc["Bogus zone.", "date"] == pd.Timestamp("2021-07-29 10:00", tz="UTC")  # the instant
    assert pd.isna(d.loc["Far future.", "when"])
    assert "outside years 1-9999 set to missing" in row(c, "c.parquet:1")["message"]
    assert "unknown time zone 'Not/AZone'" in row(c, "b.parquet:1")["message"]
    if records._known_zone("Asia/Tehran"):  # the system has a zone database
        assert row(c, "a.parquet:1")["message"] == ""  # a real zone: the instants are exact, no note
    assert len(c) == 5


def test_json_nested_at_the_recursion_limit(tmp_path: Path) -> None:
    near = sys.getrecursionlimit() - 40
    lines = [
        '{"text": "deep", "x": ' + "[" * near + "]" * near + "}",
        '{"text": "deeper", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"text": "fine", "x": [[1, 2], {"a": [3]}]}',
    ]
    write(tmp_path / "d.jsonl", "\n".join(lines) + "\n")
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert row(c, "d.jsonl:1")["reason"] == "too_deep" and row(c, "d.jsonl:2")["reason"] == "too_deep"
    assert c.docs.loc[0, "x"] == '[[1, 2], {"a": [3]}]'


def test_folder_tree_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    depth = 1_200
    levels: list[Path] = []
    try:
        deep = tmp_path
        try:
            for _ in range(depth):  # one level at a time: pathlib's mkdir(parents=True) recurses
                deep = deep / "d"
                os.mkdir(deep)
                levels.append(deep)
        except OSError:
            pytest.skip("this system refuses such a long path")
        write(deep / "bottom.txt", "At the bottom.")
        write(tmp_path / "top.txt", "At the top.")
        c = read_corpus(tmp_path)
        check_accounting(c)
        assert c.docs["text"].tolist() == ["At the bottom.", "At the top."]
        assert c.docs["doc_id"].iloc[0] == "d/" * depth + "bottom"
    finally:
        # remove the tree bottom-up here: pytest's own clean-up (shutil.rmtree) recurses and
        # would fail on it in a later session
        if levels:
            (levels[-1] / "bottom.txt").unlink(missing_ok=True)
        for level in reversed(levels):
            os.rmdir(level)


def test_foreign_store_json_is_an_ordinary_file(tmp_path: Path) -> None:
    write(tmp_path / "store.json", '{"name": "some-other-tool", "format": "sqlite"}')
    write(tmp_path / "sub" / "store.json", "[1, 2")
    write(tmp_path / "a.txt", "A.")
    write(tmp_path / "sub" / "b.txt", "B.")
    assert not is_store(tmp_path) and not is_store(tmp_path / "sub")
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert (row(c, "store.json")["status"], row(c, "store.json")["reason"]) == ("skipped", "unsupported_format")
    assert c.docs["doc_id"].tolist() == ["a", "sub/b"]


def test_lone_surrogate_escapes_in_jsonl_are_replaced(tmp_path: Path) -> None:
    write(tmp_path / "s.jsonl", '{"text": "bad \\ud800 text", "tags": ["\\udfff"]}\n{"text": "ok"}\n')
    c = read_corpus(tmp_path)
    check_accounting(c)
    r = row(c, "s.jsonl:1")
    assert (r["status"], r["reason"], r["replaced_chars"]) == ("loaded", "lossy", 2)
    assert c.docs.loc[0, "text"] == "bad \ufffd text" and c.docs.loc[0, "tags"] == '["\ufffd"]'


# --------------------------------------------------------------------------------------------
# 7. Exact ids (RELIABILITY 28)
# --------------------------------------------------------------------------------------------
def test_integer_ids_beyond_2_53_stay_exact(tmp_path: Path) -> None:
    write(tmp_path / "ids.jsonl", '{"id": 9007199254740993, "text": "a"}\n'
                                  '{"id": 9007199254740992, "text": "b"}\n'
                                  '{"id": null, "text": "c"}\n'
                                  '{"id": 123456789012345678901234567890, "text": "d"}\n')
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert c.docs["doc_id"].tolist() == ["9007199254740993", "9007199254740992", "ids.jsonl:3",
                                         "123456789012345678901234567890"]
    assert (c.manifest["message"] == "").all()  # no collision, no renaming


def test_parquet_int64_ids_beyond_2_53_stay_exact(tmp_path: Path) -> None:
    ids = pa.array([2**62 + 1, 2**62, None], pa.int64())
    pq.write_table(pa.table({"id": ids, "text": ["a", "b", "c"]}), tmp_path / "ids.parquet")
    c = read_corpus(tmp_path)
    assert c.docs["doc_id"].tolist() == [str(2**62 + 1), str(2**62), "ids.parquet:3"]


# --------------------------------------------------------------------------------------------
# 8. CSV quoting (RELIABILITY 28)
# --------------------------------------------------------------------------------------------
def test_quote_inside_an_unquoted_field_is_literal(tmp_path: Path) -> None:
    write(tmp_path / "q.csv", 'id,text\n1,a 5" screen\n2,fine\n')
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert c.docs["text"].tolist() == ['a 5" screen', "fine"]


def test_unclosed_quote_never_swallows_the_rows_after_it(tmp_path: Path) -> None:
    write(tmp_path / "u.csv", 'id,text\n1,Fine\n2,"never closed\n3,lost\n4,"ok"\n5,last\n')
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert c.manifest["line"].tolist() == [2, 3, 4, 5, 6]  # every physical record is an item
    r = row(c, "u.csv:3")
    assert (r["status"], r["reason"]) == ("rejected", "malformed_row")
    assert "the following lines are read on their own" in r["message"]
    assert c.docs["doc_id"].tolist() == ["1", "3", "4", "5"]
    assert c.docs["text"].tolist() == ["Fine", "lost", "ok", "last"]


def test_quoted_multiline_fields_still_work(tmp_path: Path) -> None:
    write(tmp_path / "m.csv", 'id,text\n1,"Para one.\n\nPara ""two"".",x\n2,"A, B"\n')
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert row(c, "m.csv:2")["reason"] == "malformed_row"  # three fields, not two (lines 2-4)
    write(tmp_path / "m.csv", 'id,text\n1,"Para one.\n\nPara ""two""."\n2,"A, B"\n')
    c = read_corpus(tmp_path)
    assert c.docs["text"].tolist() == ['Para one.\n\nPara "two".', "A, B"]
    assert c.manifest["line"].tolist() == [2, 5]


_CSV_LINE = st.text(alphabet='ab ,"', min_size=0, max_size=12)


@settings(max_examples=150)
@given(lines=st.lists(_CSV_LINE, min_size=1, max_size=12))
def test_csv_records_partition_the_lines(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    folder = tmp_path_factory.mktemp("csvprop")
    write(folder / "p.csv", "id,text\n" + "\n".join(lines) + "\n")
    c = read_corpus(folder)
    check_accounting(c)
    m = c.manifest
    if len(m) == 1 and m["line"].isna().all():  # header only
        return
    starts = m["line"].tolist()
    assert starts == sorted(set(starts)) and starts[0] == 2
    for status, reason, line, nxt in zip(m["status"], m["reason"], starts, starts[1:] + [None]):
        if reason == "malformed_row" and nxt is not None:
            assert nxt == line + 1  # a rejected record never hides the lines after its first
        if status == "loaded" and nxt is not None:
            assert nxt > line


# --------------------------------------------------------------------------------------------
# 10. A large max_bytes costs nothing by itself (RELIABILITY 26)
# --------------------------------------------------------------------------------------------
def test_large_max_bytes_allocates_only_what_the_file_holds(tmp_path: Path) -> None:
    write(tmp_path / "small.txt", "Seventeen bytes.\n")
    write(tmp_path / "t.csv", "text\nA row.\n")
    with gzip.open(tmp_path / "g.jsonl.gz", "wb") as fh:
        fh.write(b'{"text": "Zipped."}\n')
    tracemalloc.start()
    c = read_corpus(tmp_path, max_bytes=2**40)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    check_accounting(c)
    assert len(c) == 3
    assert peak < 50_000_000


# --------------------------------------------------------------------------------------------
# 20. Stores and indexes inside a source folder (RELIABILITY 32)
# --------------------------------------------------------------------------------------------
def test_store_and_index_inside_the_source_are_skipped_as_one_item(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src / "a.txt", "Raisi met Putin in Kazan.")
    write(src / "b.txt", "Putin spoke in Moscow.")
    first = read_corpus(src)
    mm.ingest(src, src / "store", index=False, progress=False)
    first.index.save(src / "saved-index")
    assert is_store(src / "store")
    c = read_corpus(src)
    check_accounting(c)
    assert c.docs["doc_id"].tolist() == ["a", "b"]
    store = row(c, "store")
    assert (store["status"], store["reason"]) == ("skipped", "mediamon_store")
    assert "mediamon.open_store" in store["message"]
    ix = row(c, "saved-index")
    assert (ix["status"], ix["reason"]) == ("skipped", "mediamon_index")
    assert len(c.manifest) == 4


def test_a_folder_that_only_looks_like_an_index_is_read(tmp_path: Path) -> None:
    write(tmp_path / "words" / "vocab.txt", "A word list someone wrote.")
    write(tmp_path / "words" / "doc_ids.txt", "Not ours either.")
    write(tmp_path / "words" / "meta.json", json.dumps({"author": "me"}))
    c = read_corpus(tmp_path)
    assert c.docs["doc_id"].tolist() == ["words/doc_ids", "words/vocab"]


def test_root_folder_that_is_an_index(tmp_path: Path) -> None:
    write(tmp_path / "src" / "a.txt", "Raisi met Putin.")
    read_corpus(tmp_path / "src").index.save(tmp_path / "ix")
    c = read_corpus(tmp_path / "ix")
    assert len(c) == 0 and c.manifest["reason"].tolist() == ["mediamon_index"]
