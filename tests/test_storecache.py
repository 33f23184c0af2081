"""What a store keeps beside its shards besides the index (mediamon.storecache): saved texts and cached tables.

Concordances and mentions of a store read the saved texts (``shard-NNNNN.text/``) and keep the
shard's metadata and the mentions of an actor list per shard (``shard-NNNNN.tables/``). Here: the answers are those of the
in-memory engine, and the matched strings are the Python slices of the documents' texts (computed
here, without the package), whether the text folder was written by ingest, is missing (rebuilt at
query time) or cannot be written (a read-only store); damage is a StoreError naming the shard, and
``verify()`` finds it; an edited actor list gets new mentions, never the cached ones; two processes
building the caches at once leave valid caches; ``ingest(..., overwrite=True)`` knows these folders.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import mediamon as mm
from mediamon.ingestion import ingest
from mediamon.store import ShardedCorpus, StoreError, open_store
from mediamon.storecache import ABANDONED_SECONDS, TEXT_FORMAT, load_text, save_text
from mediamon.textspans import TextSpans

from conftest import SAMPLE_V1

REPO = Path(__file__).resolve().parent.parent
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: Articles with two-byte, three-byte and astral (four-byte) characters, so that byte and character
#: offsets differ everywhere (empty texts are tested in test_textspans.py: ingest rejects them).
DOCS = [
    {"id": f"d{k}", "title": f"T{k}", "date": f"2024-01-{k % 28 + 1:02d}", "text": f"{text} ({k})"}
    for k, text in enumerate(
        [
            "Путин встретился с Раиси в Казани. Putin and Raisi 😀 met.",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 first: Putin spoke, then Raisi. “Putin” again — Путина нет.",
            "Plain ASCII: Putin, Raisi, Kazan.",
            "naïve café 🇷🇺 Putin ✓ 𠜎 Raisi 😀😀 Kazan",
            "Президент Путин прибыл в Казань. Raisi 𝔄𝔅 Putin.",
        ]
        * 6
    )
]
ACTORS = [
    {"id": "putin", "name": "Vladimir Putin", "kind": "person", "aliases": ["Putin", "Путин"]},
    {"id": "raisi", "name": "Ebrahim Raisi", "kind": "person", "aliases": ["Raisi"]},
]


@pytest.fixture(scope="module")
def unicode_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("unicode") / "docs.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pristine(unicode_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingest(unicode_source, tmp_path_factory.mktemp("pristine") / "s", shard_size=12, progress=False).path


@pytest.fixture
def store(pristine: Path, tmp_path: Path) -> ShardedCorpus:
    """A copy of the pristine store with every file's time kept (as ingest wrote it)."""
    shutil.copytree(pristine, tmp_path / "s", copy_function=shutil.copy2)
    return open_store(tmp_path / "s")


def texts_by_id(source: Path) -> dict[str, str]:
    return {d["id"]: d["text"] for d in map(json.loads, source.read_text(encoding="utf-8").splitlines())}


def check_against_python(store: ShardedCorpus, source: Path, actors: mm.ActorSet,
                         patterns: tuple[str, ...] = ("putin", "raisi", "Путин"),
                         matched: tuple[str, ...] = ("Putin", "Путин", "Путина", "Raisi")) -> None:  # fmt: skip
    """kwic of *patterns* and mentions of *actors* in *store* equal the in-memory engine's, and
    their strings are the Python slices of the texts at their character offsets."""
    texts = texts_by_id(source)
    memory = mm.read_corpus(source)
    for pattern in patterns:
        got = mm.kwic(store, pattern).df
        pd.testing.assert_frame_equal(got, mm.kwic(memory, pattern).df)
        assert len(got) > 0
        for row in got.itertuples():
            text = texts[row.doc_id]
            assert row.match == text[row.char_start : row.char_end]
            assert text[: row.char_start].rstrip().endswith(row.left)
            assert text[row.char_end :].lstrip().startswith(row.right)
    got = mm.mentions(store, actors).df
    pd.testing.assert_frame_equal(got, mm.mentions(memory, actors).df)
    assert got["matched"].tolist() == [texts[d][a:b] for d, a, b in zip(got["doc_id"], got["char_start"], got["char_end"])]
    assert set(matched) <= set(got["matched"])


def derived_records(folder: Path) -> list[Path]:
    """The records of the tables derived from a shard (actor mentions), not of its metadata table."""
    return [p for p in folder.glob("*.json") if json.loads(p.read_text(encoding="utf-8")).get("table") != "metadata"]


def metadata_record(folder: Path) -> Path:
    (record,) = [p for p in folder.glob("*.json") if p not in derived_records(folder)]
    return record


def text_folders(store: ShardedCorpus) -> list[Path]:
    return [store.text_folder(i) for i in range(store.n_shards)]


# ---------------------------------------------------------------------------------------------
# the same answers, with the text folder, without it, and without the right to write it
# ---------------------------------------------------------------------------------------------
def test_answers_with_the_text_folder_written_by_ingest(store: ShardedCorpus, unicode_source: Path) -> None:
    assert store.n_shards == 3 and all(f.is_dir() for f in text_folders(store))
    check_against_python(store, unicode_source, mm.read_actors(ACTORS))
    assert all(store.table_cache(i).folder.is_dir() for i in range(store.n_shards))  # mentions kept per shard
    check_against_python(open_store(store.path), unicode_source, mm.read_actors(ACTORS))  # from the kept tables


def test_a_missing_text_folder_is_rebuilt_at_query_time(store: ShardedCorpus, unicode_source: Path) -> None:
    for folder in text_folders(store):
        shutil.rmtree(folder)
    check_against_python(open_store(store.path), unicode_source, mm.read_actors(ACTORS))
    assert all(f.is_dir() for f in text_folders(store))
    assert open_store(store.path, verify=True).n_shards == 3


def test_a_sample_store_answers_as_the_in_memory_engine(tmp_path: Path, actors: mm.ActorSet) -> None:
    made = ingest(SAMPLE_V1, tmp_path / "s", shard_size=700, progress=False)
    for folder in text_folders(made)[:1]:  # one shard with its saved texts, one rebuilding them
        shutil.rmtree(folder)
    check_against_python(open_store(made.path), SAMPLE_V1, actors, ("putin", "Kazan", "Minnikhanov"), ("Putin", "Raisi"))


@pytest.mark.skipif(ROOT, reason="running as root: chmod does not stop root from writing")
def test_a_read_only_store_reads_row_groups_with_the_same_answers(store: ShardedCorpus, unicode_source: Path) -> None:
    for i in range(store.n_shards):
        shutil.rmtree(store.text_folder(i))
    folders = [store.path, *(p for p in store.path.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        check_against_python(open_store(store.path), unicode_source, mm.read_actors(ACTORS))
        assert not any(f.exists() for f in text_folders(store))
        assert not any(store.table_cache(i).folder.exists() for i in range(store.n_shards))
    finally:
        for folder in folders:
            folder.chmod(stat.S_IRWXU)


# ---------------------------------------------------------------------------------------------
# damage
# ---------------------------------------------------------------------------------------------
def test_a_damaged_text_file_is_a_store_error_naming_the_shard(store: ShardedCorpus) -> None:
    offsets = store.text_folder(1) / "doc_bytes.npy"
    np.save(offsets, np.load(offsets)[:-1])  # another size than recorded
    with pytest.raises(StoreError, match=r"saved texts of shard 1 are damaged: .*doc_bytes.npy has .* bytes"):
        mm.kwic(open_store(store.path), "putin")
    with pytest.raises(StoreError, match=r"saved texts of shard 1 are damaged"):
        open_store(store.path, verify=True)


def test_same_size_damage_of_the_texts_is_found(store: ShardedCorpus) -> None:
    text = store.text_folder(2) / "text.npy"
    st = text.stat()
    data = text.read_bytes()
    text.write_bytes(data.replace(b"Putin", b"Pxtin"))
    os.utime(text, ns=(st.st_atime_ns, st.st_mtime_ns))  # bit rot: size and time say nothing
    with pytest.raises(StoreError, match=r"saved texts of shard 2 are damaged: .*text.npy holds other content"):
        open_store(store.path, verify=True)
    os.utime(text)  # edited in place: the time moved, so a query hashes it
    with pytest.raises(StoreError, match=r"saved texts of shard 2 are damaged: .*text.npy holds other content"):
        mm.kwic(open_store(store.path), "putin")


def test_bytes_that_are_no_longer_utf8_are_a_store_error(store: ShardedCorpus) -> None:
    text = store.text_folder(2) / "text.npy"
    st = text.stat()
    text.write_bytes(text.read_bytes().replace("Путин".encode(), b"\xff" * 10))
    os.utime(text, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(StoreError, match=r"saved texts of shard 2 are damaged: .*can't decode"):
        open_store(store.path).shard_texts(2, range(store.shards[2].n_docs))


def test_a_damaged_cached_table_is_a_store_error_naming_the_shard(store: ShardedCorpus) -> None:
    actors = mm.read_actors(ACTORS)
    mm.mentions(store, actors)
    records = derived_records(store.table_cache(0).folder)
    assert len(records) == 2  # the mentions, and their matched texts (kept apart: counting never reads them)
    table = store.table_cache(0).folder / json.loads(records[0].read_text())["file"]
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF
    table.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"a cached table of shard 0 is damaged: .*holds other content"):
        mm.mentions(open_store(store.path), actors)
    with pytest.raises(StoreError, match=r"a cached table of shard 0 is damaged"):
        open_store(store.path, verify=True)
    shutil.rmtree(store.table_cache(0).folder)  # what the message says to do
    assert len(mm.mentions(open_store(store.path), actors).df) > 0


# ---------------------------------------------------------------------------------------------
# the metadata table: the shard's columns but the text, decoded once per store
# ---------------------------------------------------------------------------------------------
def test_ingest_saves_each_shards_metadata_table_with_the_columns_of_the_shard(store: ShardedCorpus) -> None:
    for i in range(store.n_shards):
        shard = store.path / store.shards[i].file
        record = json.loads(metadata_record(store.table_cache(i).folder).read_text())  # before any query
        saved = pa.ipc.open_file(pa.memory_map(str(store.table_cache(i).folder / record["file"]))).read_all()
        names = [c for c in pq.ParquetFile(shard).schema_arrow.names if c != "text"]
        assert saved.column_names == names and record["shard"] == store.shards[i].file
        assert saved.equals(pq.read_table(shard, columns=names))
        for columns in (("doc_id", "date", "source", "title", "url"), ("lang",), ("title", "no_such_column")):
            got = open_store(store.path).shard_table(i, columns)
            have = [c for c in columns if c in names]
            assert got.select(have).equals(pq.read_table(shard, columns=have))
            assert got.column_names == list(columns)
            assert got.num_rows == store.shards[i].n_docs
        assert open_store(store.path).shard_table(i, ("no_such_column",)).column(0).null_count == store.shards[i].n_docs


def test_a_missing_metadata_table_is_rebuilt_at_query_time(store: ShardedCorpus, unicode_source: Path) -> None:
    for i in range(store.n_shards):
        metadata_record(store.table_cache(i).folder).unlink()
    check_against_python(open_store(store.path), unicode_source, mm.read_actors(ACTORS))
    assert all(metadata_record(store.table_cache(i).folder) for i in range(store.n_shards))


def test_a_damaged_metadata_table_is_a_store_error_naming_the_shard(store: ShardedCorpus, unicode_source: Path) -> None:
    folder = store.table_cache(1).folder
    table = folder / json.loads(metadata_record(folder).read_text())["file"]
    table.write_bytes(table.read_bytes()[:-8])  # truncated
    with pytest.raises(StoreError, match=r"metadata table of shard 1 is damaged: .*has .* bytes"):
        mm.kwic(open_store(store.path), "putin")
    with pytest.raises(StoreError, match=r"a cached table of shard 1 is damaged"):
        open_store(store.path, verify=True)
    shutil.rmtree(folder)  # what the message says to do
    check_against_python(open_store(store.path), unicode_source, mm.read_actors(ACTORS))


# ---------------------------------------------------------------------------------------------
# keys: an edited actor list is matched again
# ---------------------------------------------------------------------------------------------
def test_an_alias_added_to_the_actor_list_gives_new_mentions(store: ShardedCorpus, unicode_source: Path) -> None:
    before = mm.read_actors(ACTORS)
    edited = mm.read_actors([{**ACTORS[0], "aliases": [*ACTORS[0]["aliases"], "Kazan"]}, ACTORS[1]])
    first = mm.mentions(store, before).df
    assert "Kazan" not in set(first["alias"])
    again = mm.mentions(open_store(store.path), edited).df
    pd.testing.assert_frame_equal(again, mm.mentions(mm.read_corpus(unicode_source), edited).df)
    texts = texts_by_id(unicode_source)
    want = sum(len(re.findall(r"\bKazan\b", t)) for t in texts.values())  # "Kazan", not "Kazani" or "Казань"
    assert (again["alias"] == "Kazan").sum() == want > 0
    assert len(derived_records(store.table_cache(0).folder)) == 4  # per actor list: its mentions, their texts
    pd.testing.assert_frame_equal(mm.mentions(open_store(store.path), before).df, first)


def test_tables_of_the_parquet_format_are_recomputed_and_pruned(store: ShardedCorpus, unicode_source: Path) -> None:
    actors = mm.read_actors(ACTORS)
    mm.mentions(store, actors)
    folder = store.table_cache(0).folder
    records = derived_records(folder)
    for record in records:  # the mentions and their matched texts, as format 1 wrote them: Parquet
        meta = json.loads(record.read_text())
        arrow = folder / meta["file"]
        parquet = arrow.with_suffix(".parquet")
        pq.write_table(pa.ipc.open_file(pa.memory_map(str(arrow))).read_all(), parquet)
        arrow.unlink()
        record.write_text(json.dumps({**meta, "format": 1, "file": parquet.name}))
        old = parquet.stat().st_mtime - 120
        os.utime(parquet, (old, old))
    got = mm.mentions(open_store(store.path), actors).df
    pd.testing.assert_frame_equal(got, mm.mentions(mm.read_corpus(unicode_source), actors).df)
    assert not list(folder.glob("*.parquet"))  # recomputed; the Parquet files pruned
    for record in records:
        assert (folder / json.loads(record.read_text())["file"]).suffix == ".arrow"
        assert json.loads(record.read_text())["format"] == 2


# ---------------------------------------------------------------------------------------------
# writes at query time: atomic, and safe for two processes
# ---------------------------------------------------------------------------------------------
def test_saving_texts_keeps_a_valid_folder_and_replaces_a_stale_one(tmp_path: Path) -> None:
    folder = tmp_path / "shard-00000.text"
    spans = TextSpans.from_arrow(mm.read_corpus(SAMPLE_V1).column_arrow("text"))
    save_text(spans, folder, fingerprint="a" * 32)
    first = (folder / "text.npy").stat().st_ino
    save_text(spans, folder, fingerprint="a" * 32)  # another process's copy arrives second: the first stays
    assert (folder / "text.npy").stat().st_ino == first
    save_text(spans, folder, fingerprint="b" * 32)  # texts of other documents: replaced
    assert json.loads((folder / "meta.json").read_text())["fingerprint"] == "b" * 32
    assert json.loads((folder / "meta.json").read_text())["format"] == TEXT_FORMAT
    assert load_text(folder, fingerprint="a" * 32) is None  # stale for the old documents
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard-00000.text"]  # no temporary folder left


def test_temporaries_left_by_killed_writers_are_removed_and_fresh_ones_kept(store: ShardedCorpus) -> None:
    folder = store.text_folder(0)
    abandoned = folder.with_name(f"{folder.name}.tmp-999999-0123abcd")  # a writer killed long ago
    working = folder.with_name(f"{folder.name}.tmp-999998-4567cdef")  # a writer at work right now
    for tmp in (abandoned, working):
        tmp.mkdir()
        (tmp / "text.npy").write_bytes(b"partial")
    old = os.stat(folder).st_mtime - ABANDONED_SECONDS - 60
    os.utime(abandoned, (old, old))
    record = store.table_cache(0).folder / f".{'0' * 32}.json.tmp-999999-0123abcd"
    record.parent.mkdir(exist_ok=True)
    record.write_text("{}")
    os.utime(record, (old, old))
    assert len(mm.kwic(open_store(store.path), "putin").df) > 0  # opens the texts of every shard
    assert not abandoned.exists() and working.is_dir()
    kazan = {"id": "kazan", "name": "Kazan", "kind": "place", "aliases": ["Kazan"]}
    mm.mentions(open_store(store.path), mm.read_actors([*ACTORS, kazan]))
    assert not record.exists()  # pruned with the tables, once a new table is saved


CHILD = """
import sys, mediamon as mm
from mediamon.store import open_store
store = open_store(sys.argv[1])
actors = mm.read_actors(sys.argv[2])
print(len(mm.kwic(store, "putin").df), len(mm.mentions(store, actors).df), mm.kwic(store, "Путин").df["match"].tolist())
"""


def test_two_processes_building_the_caches_at_once(store: ShardedCorpus, unicode_source: Path, tmp_path: Path) -> None:
    for folder in text_folders(store):
        shutil.rmtree(folder)
    actors_file = tmp_path / "actors.yaml"
    actors_file.write_text(json.dumps(ACTORS, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", CHILD, str(store.path), str(actors_file)]
    children = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [c.communicate(timeout=300) for c in children]
    assert [c.returncode for c in children] == [0, 0], [err[-2000:] for _, err in outs]
    assert outs[0][0] == outs[1][0]
    again = open_store(store.path, verify=True)  # the caches they left are valid
    memory = mm.read_corpus(unicode_source)
    want = [len(mm.kwic(memory, "putin").df), len(mm.mentions(memory, mm.read_actors(ACTORS)).df)]
    assert outs[0][0].split(" ", 2)[:2] == [str(n) for n in want]
    assert all(f.is_dir() for f in text_folders(again))
    assert not [p.name for p in again.path.joinpath("shards").iterdir() if ".tmp-" in p.name]


# ---------------------------------------------------------------------------------------------
# overwrite
# ---------------------------------------------------------------------------------------------
def test_overwrite_knows_the_cache_folders(store: ShardedCorpus) -> None:
    mm.mentions(store, mm.read_actors(ACTORS))  # tables beside every shard
    stray = store.text_folder(0) / "notes.txt"
    stray.write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match=re.escape(f"shards/{store.text_folder(0).name}/notes.txt")):
        ingest(SAMPLE_V1, store.path, shard_size=700, overwrite=True, progress=False)
    stray.unlink()
    again = ingest(SAMPLE_V1, store.path, shard_size=700, overwrite=True, progress=False)
    assert again.n_shards == 2 and all(f.is_dir() for f in text_folders(again))
