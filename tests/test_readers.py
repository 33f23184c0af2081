"""read_corpus(): formats, column mapping, ids, and one fixture per bad-input case of RELIABILITY.md.

Bad-input fixtures are written in code into tmp_path; expected manifest outcomes are stated by hand.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediamon import assembly, readers
from mediamon.dates import DateParseWarning
from mediamon.errors import ColumnError, InputError, NotFoundError
from mediamon.readers import REASONS, read_corpus


def check_accounting(c) -> None:
    m = c.manifest
    counts = m["status"].value_counts().to_dict()
    assert set(counts) <= {"loaded", "rejected", "skipped"}
    assert sum(counts.values()) == len(m)
    assert counts.get("loaded", 0) == len(c.docs)
    assert set(m["reason"]) <= set(REASONS)
    assert sorted(m.loc[m["status"] == "loaded", "doc_id"]) == sorted(c.docs["doc_id"])


def outcome(c, item: str) -> tuple[str, str]:
    row = c.manifest.loc[c.manifest["item"] == item]
    assert len(row) == 1, (item, c.manifest["item"].tolist())
    return row["status"].iloc[0], row["reason"].iloc[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------
# formats and mapping
# --------------------------------------------------------------------------------------------
def test_formats_and_order(tmp_path: Path) -> None:
    write(tmp_path / "b" / "2.txt", "Second text.")
    write(tmp_path / "a.csv", "id,text,date\nc1,Row one.,2021-07-29\nc2,Row two.,\n")
    write(tmp_path / "c.jsonl", '{"id": "j1", "text": "Line one.", "date": "July 29, 2021"}\n')
    write(tmp_path / "d.tsv", "text\ttitle\nTab row.\tA title\n")
    pd.DataFrame({"text": ["Parquet row."], "id": ["p1"]}).to_parquet(tmp_path / "e.parquet")
    with gzip.open(tmp_path / "f.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write('{"text": "Gzip line."}\n')
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert c.docs["doc_id"].tolist() == ["c1", "c2", "b/2", "j1", "d.tsv:2", "p1", "f.jsonl.gz:1"]
    assert c.docs["text"].tolist() == ["Row one.", "Row two.", "Second text.", "Line one.", "Tab row.",
                                       "Parquet row.", "Gzip line."]
    assert c.docs["date"].iloc[[0, 3]].tolist() == [pd.Timestamp("2021-07-29", tz="UTC")] * 2
    assert c.docs["title"].iloc[4] == "A title"
    # reruns give the same ids and the same fingerprint
    assert read_corpus(tmp_path).fingerprint == c.fingerprint
    assert c.name == tmp_path.name


def test_sources_file_glob_list(tmp_path: Path) -> None:
    write(tmp_path / "x" / "1.txt", "One.")
    write(tmp_path / "x" / "2.txt", "Two.")
    write(tmp_path / "y" / "3.txt", "Three.")
    assert read_corpus(tmp_path / "x" / "1.txt").docs["doc_id"].tolist() == ["1"]
    assert read_corpus(str(tmp_path / "*" / "*.txt")).docs["doc_id"].tolist() == ["x/1", "x/2", "y/3"]
    c = read_corpus([tmp_path / "y", tmp_path / "x" / "1.txt", tmp_path / "y" / "3.txt"])
    assert c.docs["text"].tolist() == ["Three.", "One."]
    assert c.manifest[["item", "status", "reason"]].values.tolist() == [
        ["3.txt", "loaded", "ok"], ["1.txt", "loaded", "ok"], ["3.txt", "skipped", "repeated_path"]]
    with pytest.raises(NotFoundError, match="does not exist"):
        read_corpus(tmp_path / "nope")
    with pytest.raises(NotFoundError, match="matches no file"):
        read_corpus(str(tmp_path / "*.nothing"))


def test_column_mapping_and_missing_column_error(tmp_path: Path) -> None:
    f = write(tmp_path / "data.csv", "id,body,published\n1,Putin met Raisi.,2021-07-29\n")
    with pytest.raises(ColumnError) as err:
        read_corpus(f)
    assert str(err.value) == (
        "read_corpus(): column 'text' not found in data.csv; columns are ['id', 'body', 'published']. "
        "Pass text='body'."
    )
    c = read_corpus(f, text="body", date="published")
    assert c.docs.loc[0, ["doc_id", "text"]].tolist() == ["1", "Putin met Raisi."]
    assert c.docs.loc[0, "date"] == pd.Timestamp("2021-07-29", tz="UTC")
    with pytest.raises(ColumnError, match=r"column 'pubdate' \(passed as date=\) was found in no file"):
        read_corpus(f, text="body", date="pubdate")


def test_mapping_keeps_clashing_standard_column(tmp_path: Path) -> None:
    f = write(tmp_path / "d.jsonl", '{"text": "short", "body": "The long body.", "source": "X", "outlet": "Y"}\n')
    c = read_corpus(f, text="body", source_col="outlet")
    assert c.docs.loc[0, ["text", "text_original", "source", "source_original"]].tolist() == [
        "The long body.", "short", "Y", "X"]


def test_missing_column_in_one_file_is_a_rejection_not_an_error(tmp_path: Path) -> None:
    write(tmp_path / "good.csv", "text\nFine.\n")
    write(tmp_path / "bad.csv", "body\nElsewhere.\n")
    c = read_corpus(tmp_path)
    assert outcome(c, "bad.csv") == ("rejected", "missing_column")
    assert len(c) == 1


def test_ids_from_data_and_collisions(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", '{"id": "x", "text": "A."}\n{"id": 7, "text": "B."}\n{"text": "C."}\n')
    write(tmp_path / "b.jsonl", '{"doc_id": "x", "text": "D."}\n')
    c = read_corpus(tmp_path)
    assert c.docs["doc_id"].tolist() == ["x", "7", "a.jsonl:3", "x~2"]
    assert "renamed 'x~2'" in c.manifest.loc[c.manifest["doc_id"] == "x~2", "message"].iloc[0]


def test_extra_columns_kept_lists_as_json(tmp_path: Path) -> None:
    f = write(tmp_path / "a.jsonl", '{"text": "A.", "topics": ["Iran", "Россия"], "n": 3, "lead": null}\n')
    c = read_corpus(f)
    assert c.docs.loc[0, "topics"] == '["Iran", "Россия"]'
    assert c.docs.loc[0, "n"] == 3


def test_txt_front_matter_and_sidecar(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "---\ntitle: Kazan forum\ndate: 2021-07-29\nid: 007\n---\nKAZAN — Body here.\n")
    write(tmp_path / "b.txt", "Other body.")
    write(tmp_path / "metadata.csv", "file,source,title,date\nb.txt,Mehr News Agency,B title,29 July 2021\n"
          "a.txt,Side source,ignored,2000-01-01\n")
    c = read_corpus(tmp_path)
    check_accounting(c)
    a, b = c.docs.iloc[0], c.docs.iloc[1]
    assert a["doc_id"] == "007"  # YAML BaseLoader: "007" stays a string
    assert a["text"] == "KAZAN — Body here.\n" and a["title"] == "Kazan forum"
    assert a["source"] == "Side source"  # sidecar fills what front matter does not give
    assert a["date"] == pd.Timestamp("2021-07-29", tz="UTC") and a["dateline"] == "KAZAN"
    assert (b["source"], b["title"], b["date_raw"]) == ("Mehr News Agency", "B title", "29 July 2021")
    assert outcome(c, "metadata.csv") == ("skipped", "sidecar")


def test_metadata_csv_without_txt_is_data(tmp_path: Path) -> None:
    write(tmp_path / "metadata.csv", "text\nJust a table.\n")
    assert len(read_corpus(tmp_path)) == 1


def test_junk_documentation_unsupported(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Real.")
    for name in (".DS_Store", "._a.txt", "Thumbs.db", ".hidden.txt"):
        write(tmp_path / name, b"\x00\x01junk")
    write(tmp_path / ".git" / "config", "x")
    write(tmp_path / "README.md", "# readme")
    write(tmp_path / "LICENSE", "MIT")
    write(tmp_path / "notes.docx", b"PK\x03\x04")
    write(tmp_path / "archive.zip", b"PK\x03\x04")
    c = read_corpus(tmp_path)
    check_accounting(c)
    for name in (".DS_Store", "._a.txt", "Thumbs.db", ".hidden.txt", ".git"):
        assert outcome(c, name) == ("skipped", "junk")
    assert outcome(c, "README.md") == ("skipped", "documentation")
    assert outcome(c, "LICENSE") == ("skipped", "documentation")
    assert outcome(c, "notes.docx") == ("skipped", "unsupported_format")
    assert outcome(c, "archive.zip") == ("skipped", "unsupported_format")
    assert c.manifest_counts() == {"loaded": 1, "rejected": 0, "skipped": 9, "discovered": 10}


def test_format_argument(tmp_path: Path) -> None:
    f = write(tmp_path / "data.json", '{"text": "A."}\n')
    assert outcome(read_corpus(tmp_path), "data.json") == ("skipped", "unsupported_format")
    assert read_corpus(f, format="jsonl").docs["text"].tolist() == ["A."]
    with pytest.raises(InputError, match="format='xml' is invalid; must be one of 'txt'"):
        read_corpus(f, format="xml")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="max_bytes must be a positive int"):
        read_corpus(f, max_bytes=0)
    with pytest.raises(InputError, match="encoding='nope' is not a known codec"):
        read_corpus(f, encoding="nope")


def test_summary_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "a.txt", "A.")
    write(tmp_path / "b.txt", "")
    with caplog.at_level(logging.INFO, logger="mediamon.readers"):
        read_corpus(tmp_path)
    assert any("discovered 2 = loaded 1 + rejected 1 + skipped 0 (empty 1)" in r.message for r in caplog.records)


# --------------------------------------------------------------------------------------------
# RELIABILITY.md 1-9: encodings and bytes
# --------------------------------------------------------------------------------------------
def test_01_utf8_bom_csv(tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", b"\xef\xbb\xbfdate,text\n2021-07-29,Caf\xc3\xa9 talk.\n")
    c = read_corpus(f)
    assert c.docs.loc[0, "date"] == pd.Timestamp("2021-07-29", tz="UTC")
    assert "\ufeffdate" not in c.docs.columns
    assert c.manifest.loc[0, "encoding"] == "utf-8-sig"
    assert c.docs.loc[0, "text"] == "Café talk."


@pytest.mark.parametrize(
    ("codec", "bom", "label"),
    [("utf-16-le", b"\xff\xfe", "utf-16"), ("utf-16-be", b"\xfe\xff", "utf-16"),
     ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32"), ("utf-32-be", b"\x00\x00\xfe\xff", "utf-32")],
)
def test_02_utf16_32_with_bom(tmp_path: Path, codec: str, bom: bytes, label: str) -> None:
    f = write(tmp_path / "a.txt", bom + "Путин and Raisi’s talks.".encode(codec))
    c = read_corpus(f)
    assert c.docs.loc[0, "text"] == "Путин and Raisi’s talks."
    assert outcome(c, "a.txt") == ("loaded", "ok") and c.manifest.loc[0, "encoding"] == label


def test_02_utf16_without_bom_not_binary(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", "TEHRAN — Iran’s envoy met officials in Kazan.".encode("utf-16-le"))
    c = read_corpus(f)
    assert c.docs.loc[0, "text"] == "TEHRAN — Iran’s envoy met officials in Kazan."
    assert c.manifest.loc[0, "encoding"] == "utf-16-le"


def test_03_cp1252_over_latin1(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", b"Iran\x92s envoy \x93met\x94 officials \x96 in Kazan.")
    c = read_corpus(f)
    assert c.docs.loc[0, "text"] == "Iran’s envoy “met” officials – in Kazan."
    assert c.manifest.loc[0, ["encoding", "reason", "replaced_chars"]].tolist() == ["cp1252", "ok", 0]


def test_03_latin1_when_cp1252_cannot(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", b"Caf\xe9 \x81 ok")  # 0x81 is undefined in cp1252
    c = read_corpus(f)
    assert c.manifest.loc[0, "encoding"] == "latin-1" and c.docs.loc[0, "text"] == "Café \x81 ok"


def test_04_mixed_encodings_lossy(tmp_path: Path) -> None:
    data = "id,text\n1,Café in UTF-8.\n2,Iran".encode("utf-8") + b"\x92s envoy.\n3,Clean row.\n"
    c = read_corpus(write(tmp_path / "a.csv", data))
    m = c.manifest.set_index("line")
    assert m.loc[3, ["status", "reason", "replaced_chars"]].tolist() == ["loaded", "lossy", 1]
    assert m.loc[2, ["reason", "replaced_chars"]].tolist() == ["ok", 0]
    assert c.docs.loc[1, "text"] == "Iran\ufffds envoy."
    assert c.docs.loc[0, "text"] == "Café in UTF-8."


def test_05_nul_bytes_stripped_and_counted(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"Put\x00in met Rai\x00\x00si in Kazan on Thursday, the agency reported.")
    write(tmp_path / "b.csv", b"id,text,title\n1,Before\x00after the NUL,T\x00\n2,Clean,T\n")
    write(tmp_path / "c.jsonl", b'{"text": "J\x00son"}\n')
    c = read_corpus(tmp_path)
    d = c.docs.set_index("doc_id")["text"]
    assert d["a"] == "Putin met Raisi in Kazan on Thursday, the agency reported."
    assert d["1"] == "Before after the NUL"[:6] + "after the NUL"  # not truncated at the NUL
    assert d["c.jsonl:1"] == "Json"
    nul = c.manifest.set_index("doc_id")["nul_stripped"]
    assert (nul["a"], nul["1"], nul["2"], nul["c.jsonl:1"]) == (3, 2, 0, 1)


def test_06_binary_and_empty(tmp_path: Path) -> None:
    write(tmp_path / "png.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    write(tmp_path / "noise.txt", bytes(range(0, 32)) * 50)
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "blank.txt", b"  \n\t\r\n ")
    write(tmp_path / "ok.txt", "Fine.")
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert outcome(c, "png.txt") == ("rejected", "binary")
    assert outcome(c, "noise.txt") == ("rejected", "binary")
    assert outcome(c, "empty.txt") == ("rejected", "empty")
    assert outcome(c, "blank.txt") == ("rejected", "empty")
    assert len(c) == 1


def test_07_header_only_csv(tmp_path: Path) -> None:
    write(tmp_path / "h.csv", "id,text,date\n")
    write(tmp_path / "ok.csv", "text\nA row.\n")
    c = read_corpus(tmp_path)
    assert outcome(c, "h.csv") == ("skipped", "header_only")
    assert len(c) == 1


def test_08_too_large_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = write(tmp_path / "big.txt", "x" * 5000)
    write(tmp_path / "small.txt", "Small.")
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(readers.os, "open", lambda p, *a, **k: (opened.append(str(p)), real_open(p, *a, **k))[1])
    c = read_corpus(tmp_path, max_bytes=1000)
    assert outcome(c, "big.txt") == ("rejected", "too_large")
    assert "5,000 bytes on disk; max_bytes is 1,000" in c.manifest.loc[0, "message"]
    assert str(big.resolve()) not in opened  # never opened, let alone read
    assert len(c) == 1


def test_08_gzip_caps(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "bomb.jsonl.gz", "wb") as fh:
        fh.write(b'{"text": "' + b"a" * 200_000 + b'"}\n')
    assert (tmp_path / "bomb.jsonl.gz").stat().st_size < 5_000
    write(tmp_path / "bad.jsonl.gz", b"\x1f\x8b\x08\x00garbage")
    write(tmp_path / "fake.jsonl.gz", b'{"text": "not gzip"}\n')
    c = read_corpus(tmp_path, max_bytes=50_000)
    assert outcome(c, "bomb.jsonl.gz") == ("rejected", "too_large")
    assert outcome(c, "bad.jsonl.gz") == ("rejected", "corrupt")
    assert outcome(c, "fake.jsonl.gz") == ("rejected", "corrupt")


def test_09_line_endings(tmp_path: Path) -> None:
    write(tmp_path / "crlf.txt", b"One.\r\nTwo.\r\n")
    write(tmp_path / "cr.txt", b"One.\rTwo.")
    write(tmp_path / "mixed.csv", b'id,text\r\n1,"Para one.\r\nPara two.\rPara three.\nEnd"\r\n2,Next\n')
    c = read_corpus(tmp_path)
    d = c.docs.set_index("doc_id")["text"]
    assert d["crlf"] == "One.\nTwo.\n" and d["cr"] == "One.\nTwo."
    assert d["1"] == "Para one.\nPara two.\nPara three.\nEnd" and d["2"] == "Next"
    assert c.manifest.set_index("doc_id").loc["2", "line"] == 6  # the quoted field spans lines 2-5


# --------------------------------------------------------------------------------------------
# RELIABILITY.md 14-18: records
# --------------------------------------------------------------------------------------------
def test_14_dates_in_data(tmp_path: Path) -> None:
    f = write(tmp_path / "d.csv", "text,date\nA.,2021-07-29T10:00:00+03:00\nB.,12/01/2024\nC.,\nD.,0000-00-00\n"
              "E.,yesterday\nF.,29 July 2021\n")
    with pytest.warns(DateParseWarning, match=r"date in d.csv: 3 value\(s\)"):
        c = read_corpus(f)
    assert len(c) == 6  # rows kept
    assert c.docs["date_raw"].tolist() == ["2021-07-29T10:00:00+03:00", "12/01/2024", "", "0000-00-00",
                                           "yesterday", "29 July 2021"]
    assert c.docs["date"].isna().tolist() == [False, True, True, True, True, False]
    assert c.docs.loc[0, "date"] == pd.Timestamp("2021-07-29 07:00", tz="UTC")
    with pytest.warns(DateParseWarning, match=r"date in d.csv: 2 value\(s\)"):
        c2 = read_corpus(f, dayfirst=True)
    assert c2.docs.loc[1, "date"] == pd.Timestamp("2024-01-12", tz="UTC")


def test_14_epoch_only_in_numeric_json(tmp_path: Path) -> None:
    write(tmp_path / "n.jsonl", '{"text": "A.", "date": 1627552800}\n{"text": "B.", "date": null}\n')
    c = read_corpus(tmp_path)
    assert c.docs.loc[0, "date"] == pd.Timestamp("2021-07-29 10:00", tz="UTC")
    assert c.docs.loc[0, "date_raw"] == "1627552800" and pd.isna(c.docs.loc[1, "date"])


def test_15_duplicates(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", '{"id": "a1", "text": "Same."}\n{"id": "a2", "text": "Other."}\n')
    write(tmp_path / "b.txt", "Same.")
    c = read_corpus(tmp_path)
    check_accounting(c)
    row = c.manifest.loc[c.manifest["item"] == "b.txt"].iloc[0]
    assert (row["status"], row["reason"], row["duplicate_of"]) == ("skipped", "duplicate", "a1")
    assert c.docs["doc_id"].tolist() == ["a1", "a2"]
    assert len(read_corpus(tmp_path, dedupe=False)) == 3


def test_16_malformed_csv_rows(tmp_path: Path) -> None:
    f = write(tmp_path / "m.csv", 'id,text,note\n1,Good row,NA\n2,Too,many,fields\n3,"Multi\nline",null\n'
              '\n4,Short\n5,Last good,007\n')
    c = read_corpus(f)
    check_accounting(c)
    m = c.manifest.set_index("line")
    assert m.loc[3, ["status", "reason"]].tolist() == ["rejected", "malformed_row"]
    assert "expected 3 fields, found 4" in m.loc[3, "message"]
    assert m.loc[6, ["status", "reason"]].tolist() == ["skipped", "blank_line"]
    assert m.loc[7, ["status", "reason"]].tolist() == ["rejected", "malformed_row"]
    assert c.docs["doc_id"].tolist() == ["1", "3", "5"]
    assert c.docs["note"].tolist() == ["NA", "null", "007"]  # strings stay strings


def test_16_unterminated_quote(tmp_path: Path) -> None:
    f = write(tmp_path / "q.csv", 'id,text\n1,Fine\n2,"never closed\n3,lost\n')
    c = read_corpus(f)
    check_accounting(c)
    # issue 15.8: the unclosed quote rejects its own line only; "3,lost" is a record of its own
    assert c.docs["doc_id"].tolist() == ["1", "3"]
    assert c.manifest.set_index("line").loc[3, ["reason", "message"]].tolist() == [
        "malformed_row", "quoted field opened here is never closed (it would run to line 4); "
        "the following lines are read on their own"]


def test_17_jsonl_bad_lines(tmp_path: Path) -> None:
    lines = [
        '{"id": "1", "text": "Good."}',
        "",
        '{"id": "2", "text": "Trailing comma."},',
        '["not", "an", "object"]',
        '{"id": "3", "text": "Has NaN.", "score": NaN}',
        '{"id": "4", "text": "Trailing comma inside.",}',
        '{"id": "5", "text": null}',
        '{"id": "6", "text": "   "}',
        '{"id": "7", "text": 42}',
        '{"id": "8", "text": "Also good."}',
    ]
    c = read_corpus(write(tmp_path / "j.jsonl", "\n".join(lines) + "\n"))
    check_accounting(c)
    got = c.manifest.set_index("line")[["status", "reason"]].apply(tuple, axis=1).to_dict()
    assert got == {
        1: ("loaded", "ok"), 2: ("skipped", "blank_line"), 3: ("rejected", "malformed_json"),
        4: ("rejected", "not_an_object"), 5: ("rejected", "malformed_json"), 6: ("rejected", "malformed_json"),
        7: ("rejected", "missing_text"), 8: ("rejected", "empty"), 9: ("rejected", "missing_text"),
        10: ("loaded", "ok"),
    }
    assert "NaN is not valid JSON" in c.manifest.set_index("line").loc[5, "message"]
    assert c.docs["doc_id"].tolist() == ["1", "8"]


def test_18_corrupt_and_wrong_schema_parquet(tmp_path: Path) -> None:
    write(tmp_path / "corrupt.parquet", b"PAR1" + b"\x00garbage" * 10)
    pd.DataFrame({"text": [1, 2]}).to_parquet(tmp_path / "ints.parquet")
    pd.DataFrame({"body": ["x"]}).to_parquet(tmp_path / "other.parquet")
    pd.DataFrame({"text": ["Good."], "date": pd.to_datetime(["2021-07-29 10:00"])}).to_parquet(tmp_path / "ok.parquet")
    c = read_corpus(tmp_path)
    check_accounting(c)
    status, reason = outcome(c, "corrupt.parquet")
    assert (status, reason) == ("rejected", "corrupt")
    assert c.manifest.loc[c.manifest["item"] == "corrupt.parquet", "message"].iloc[0].startswith("Parquet: ")
    assert outcome(c, "ints.parquet:1") == ("rejected", "missing_text")
    assert outcome(c, "other.parquet") == ("rejected", "missing_column")
    assert c.docs.loc[0, "date"] == pd.Timestamp("2021-07-29 10:00", tz="UTC")


# --------------------------------------------------------------------------------------------
# RELIABILITY.md 19-21: filesystem
# --------------------------------------------------------------------------------------------
def test_19_symlinks(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.txt", "Secret.")
    root = tmp_path / "corpus"
    write(root / "a.txt", "A.")
    (root / "out.txt").symlink_to(outside)
    (root / "in.txt").symlink_to(root / "a.txt")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    (root / "dangling.txt").symlink_to(root / "missing.txt")
    (root / "sub").symlink_to(root)
    c = read_corpus(root)
    check_accounting(c)
    assert outcome(c, "out.txt") == ("rejected", "symlink_outside")
    assert outcome(c, "loop.txt") == ("rejected", "symlink_loop")
    assert outcome(c, "dangling.txt") == ("rejected", "symlink_broken")
    assert outcome(c, "sub") == ("skipped", "symlink_dir")
    assert outcome(c, "in.txt") == ("skipped", "repeated_path")  # a link to a.txt, already read
    assert "Secret." not in c.docs["text"].tolist()


def test_19_fifo_never_blocks(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "A.")
    os.mkfifo(tmp_path / "pipe.txt")
    result: list = []
    t = threading.Thread(target=lambda: result.append(read_corpus(tmp_path)), daemon=True)
    t.start()
    t.join(20)
    assert not t.is_alive(), "read_corpus blocked on a FIFO"
    assert outcome(result[0], "pipe.txt") == ("rejected", "not_regular_file")
    if os.path.exists("/dev/null"):
        assert outcome(read_corpus("/dev/null", format="txt"), "null") == ("rejected", "not_regular_file")


def test_20_zip_not_opened(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../evil.txt", "zip slip")
    write(tmp_path / "a.zip", buf.getvalue())
    write(tmp_path / "a.txt", "A.")
    c = read_corpus(tmp_path)
    assert outcome(c, "a.zip") == ("skipped", "unsupported_format")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_21_permission_denied_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "A.")
    locked = write(tmp_path / "b.txt", "B.")
    real_open = os.open

    def fake_open(path, *args, **kwargs):
        if os.path.basename(path) == "b.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(readers.os, "open", fake_open)
    c = read_corpus(tmp_path)
    assert outcome(c, "b.txt") == ("rejected", "permission_denied")
    assert len(c) == 1 and locked.exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads chmod 000 files")
def test_21_permission_denied_real(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "A.")
    locked = write(tmp_path / "b.txt", "B.")
    locked.chmod(0)
    try:
        c = read_corpus(tmp_path)
    finally:
        locked.chmod(0o644)
    assert outcome(c, "b.txt") == ("rejected", "permission_denied")


def test_21_file_vanishes_between_scan_and_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.txt", "A.")
    gone = write(tmp_path / "b.txt", "B.")
    real = readers.discover

    def discover_then_delete(*args, **kwargs):
        found = real(*args, **kwargs)
        gone.unlink()
        return found

    monkeypatch.setattr(readers, "discover", discover_then_delete)
    c = read_corpus(tmp_path)
    check_accounting(c)
    assert outcome(c, "b.txt") == ("rejected", "vanished")
    assert len(c) == 1


# --------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), ext=st.sampled_from([".txt", ".csv", ".jsonl", ".tsv", ".jsonl.gz"]))
def test_random_bytes_never_crash(tmp_path_factory: pytest.TempPathFactory, data: bytes, ext: str) -> None:
    folder = tmp_path_factory.mktemp("rnd")
    write(folder / f"random{ext}", data)
    write(folder / "anchor.txt", "An anchor document so that the run always has one.")
    c = read_corpus(folder)
    check_accounting(c)
    assert len(c) >= 1
    # alone, a random file either loads, is accounted for, or is a clear column error
    try:
        alone = read_corpus(folder / f"random{ext}")
    except ColumnError as exc:
        assert "not found in random" in str(exc)
    else:
        check_accounting(alone)


# any text a news article can hold: every Unicode character except lone surrogates and C0/C1 controls
# other than tab and line breaks (a text made mostly of control characters is rejected as binary)
texts = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from("\n\r\t")),
    min_size=1, max_size=200,
).filter(lambda t: t.strip() != "")


def expected(t: str) -> str:
    return t.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(texts, min_size=1, max_size=5))
def test_write_then_read_keeps_text(tmp_path_factory: pytest.TempPathFactory, values: list[str]) -> None:
    folder = tmp_path_factory.mktemp("rt")
    with open(folder / "a.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        w.writerows([[f"c{i}", v] for i, v in enumerate(values)])
    with open(folder / "b.jsonl", "w", encoding="utf-8") as fh:
        for i, v in enumerate(values):
            fh.write(json.dumps({"id": f"j{i}", "text": v}, ensure_ascii=False) + "\n")
    c = read_corpus(folder, dedupe=False)
    check_accounting(c)
    d = c.docs.set_index("doc_id")["text"]
    for i, v in enumerate(values):
        assert d[f"c{i}"] == expected(v)
        assert d[f"j{i}"] == expected(v)


# Memory-lean assembly (issue 14): the texts go to Arrow per file; these check the parts that
# replaced Python-string operations against plain Python references.
@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.sampled_from(["", "a", "b", "ab", "Putin met Raisi.", "é"]), max_size=30),
       colliding=st.booleans())
def test_first_occurrences_are_exact_even_when_hashes_collide(values: list[str], colliding: bool) -> None:
    first_seen: dict[str, int] = {}
    reference = [first_seen.setdefault(v, i) for i, v in enumerate(values)]
    # cut into chunks of 7, as files are; colliding: every text gets the same hash
    chunks = [pa.array(values[i : i + 7], type=pa.large_string()) for i in range(0, len(values), 7)]
    texts = pa.chunked_array(chunks, type=pa.large_string())
    hashes = [0] * len(values) if colliding else [hash(v) for v in values]
    got = assembly.first_occurrences(texts, np.asarray(hashes, dtype=np.int64))
    assert got.tolist() == reference


@settings(max_examples=80, deadline=None)
@given(sizes=st.lists(st.integers(0, 6), max_size=6), data=st.data())
def test_take_sorted_equals_indexing_a_list(sizes: list[int], data: st.DataObject) -> None:
    values = [f"t{i}" for i in range(sum(sizes))]
    bounds = np.cumsum([0] + sizes)
    texts = pa.chunked_array([pa.array(values[a:b], type=pa.large_string()) for a, b in zip(bounds[:-1], bounds[1:])],
                             type=pa.large_string())
    positions = sorted(data.draw(st.sets(st.integers(0, max(len(values) - 1, 0)))) if values else [])
    got = assembly.take_sorted(texts, np.asarray(positions, dtype=np.int64))
    assert got.to_pylist() == [values[p] for p in positions]


def test_texts_are_one_arrow_chunk_and_dedupe_spans_files(tmp_path: Path) -> None:
    for k in range(3):
        write(tmp_path / f"f{k}.jsonl", "".join(json.dumps({"id": f"{k}-{i}", "text": f"Text {i % 4}."}) + "\n"
                                                 for i in range(5)))
    c = read_corpus(tmp_path)
    check_accounting(c)
    # hand count: 15 items, 4 distinct texts, each first seen in f0.jsonl
    assert c.docs["doc_id"].tolist() == ["0-0", "0-1", "0-2", "0-3"]
    skipped = c.manifest[c.manifest["reason"] == "duplicate"]
    assert len(skipped) == 11
    assert skipped["duplicate_of"].tolist() == [f"0-{i % 4}" for k in range(3) for i in range(5)][4:]
    # a single chunk: consumers take the column with pa.array() without a copy
    assert c.docs["text"].array.__arrow_array__().num_chunks == 1
