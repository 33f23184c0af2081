"""Build mm-sample v2's additions from ``../shared`` reproducibly, from the id lists committed in the repo.

mm-sample v2 is the folder ``corpora/mm-sample``: the v1 file ``mm_sample_v1.jsonl`` (kept byte for
byte) plus the JSON-Lines files this tool writes beside it, one per source (:data:`PARTS`). Each
added file holds exactly the items of its committed id list (``<file stem>.ids``, one id a line, in
the order written), taken from the source file whose SHA-256 is pinned here, so a rebuild gives the
same bytes.

Usage (from the repository root)::

    .venv/bin/python tools/build_sample.py            # write the added files from the id lists
    .venv/bin/python tools/build_sample.py --check    # rebuild in memory; compare with the committed bytes
    .venv/bin/python tools/build_sample.py --select   # re-derive the id lists by the rule below

``--select`` is how the committed id lists were made once; building never re-selects, so a change to
the rule or to a source cannot silently change the sample.

Selection rule (``--select``), counted on ``title + lead + text``, case-insensitive:

* en.kremlin.ru 2021-10 .. 2022-06: every item matching Raisi, Minnikhanov, Tatarstan, Kazan or
  Iran (:data:`EN_KEY`); plus, per calendar month, 20 items evenly spaced in publication order among
  the other items whose text has at most 6,000 characters (background, so monthly timelines and
  co-occurrence have content every month);
* kremlin.ru 2025 (Russian): every item naming Минниханов; items naming Татарстан or Казань (any
  form) with at most 70,000 characters of text; items naming Иран with at most 6,000 characters;
  plus, per month, 20 evenly spaced items among the rest with at most 5,000 characters.

Records keep the source's fields :data:`FIELDS` (``lang`` included) in that order, with an
``attribution`` field added; the source's ``topics`` (always empty in these scrapes) and the Russian
tag fields are left out so both added files share one schema. One value is changed: ``place`` ``"NA"``
(R's missing value, left by the English scrape) is written as ``null``. Only CC BY 4.0 items are
accepted; Wikipedia text (CC BY-SA) is never read.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "corpora" / "mm-sample"
SHARED = REPO.parent / "shared"

#: The v1 file stays byte-identical (tests and reports pin counts on it).
V1_FILE = "mm_sample_v1.jsonl"
V1_SHA256 = "17dbc09738e16f12a406ba0541e7fdd8e1b07a50a122993ff031610173edf818"
#: The whole folder (v1, additions, id lists, documentation) stays under this many bytes.
MAX_FOLDER_BYTES = 8_000_000

FIELDS = (
    "id", "source", "section", "url", "date", "time_msk", "title", "lead", "place", "text", "lang",
    "license", "attribution",
)  # fmt: skip
LICENCE = "CC BY 4.0"

EN_KEY = re.compile(r"\bra[ií]e?si\b|minnikhanov|tatarstan|\bkazan\b|\biran", re.IGNORECASE)
RU_MINNIKHANOV = re.compile(r"минниханов", re.IGNORECASE)
RU_TATARSTAN_KAZAN = re.compile(r"татарстан|\bказан", re.IGNORECASE)
RU_IRAN = re.compile(r"\bиран", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One added file of the sample: where it comes from and how it is attributed."""

    stem: str  # output file stem in corpora/mm-sample (".jsonl" and ".ids" beside it)
    source: str  # source file, relative to ../shared
    source_sha256: str
    lang: str
    attribution: str

    @property
    def jsonl(self) -> str:
        return f"{self.stem}.jsonl"

    @property
    def ids(self) -> str:
        return f"{self.stem}.ids"


PARTS = (
    Part(
        stem="mm_sample_v2_kremlin_en_2021-2022",
        source="corpora/kremlin-2021-2022/kremlin_en_2021-10_2022-06.jsonl.gz",
        source_sha256="9a8cebad5f8fe6f994f4e26bdd25abce126511e0c52908522bcf50a77c0a6165",
        lang="en",
        attribution="President of Russia, en.kremlin.ru, CC BY 4.0",
    ),
    Part(
        stem="mm_sample_v2_kremlin_ru_2025",
        source="corpora/kremlin-ru-2025/kremlin_ru_2025-02_2025-05.jsonl.gz",
        source_sha256="cd1a615d895888906e6b68d64288277113485334be217a78d90be9939dd40c87",
        lang="ru",
        attribution="Президент России, kremlin.ru, CC BY 4.0",
    ),
)


class BuildError(RuntimeError):
    """The sources or the committed files do not allow a faithful build (message says which and why)."""


def read_source(shared: Path, part: Part) -> list[dict]:
    """All records of a part's source file, after checking its pinned SHA-256."""
    path = shared / part.source
    if not path.is_file():
        raise BuildError(f"build_sample: source {path} not found; pass --shared <folder holding corpora/>.")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != part.source_sha256:
        raise BuildError(
            f"build_sample: {path} has SHA-256 {digest}, expected {part.source_sha256}; the source changed, "
            "so the sample would not be the committed one. Check the source, then update PARTS deliberately."
        )
    return [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines() if line.strip()]


def searchable(record: dict) -> str:
    return " ".join(record.get(k) or "" for k in ("title", "lead", "text"))


def evenly_spaced(items: Sequence[dict], k: int) -> list[dict]:
    """*k* items at evenly spaced positions (first and last included), all items when there are fewer."""
    n = len(items)
    if n <= k:
        return list(items)
    return [items[round(i * (n - 1) / (k - 1))] for i in range(k)]


def by_month(records: Iterable[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        out.setdefault(r["date"][:7], []).append(r)
    return out


def select_en(records: list[dict]) -> list[str]:
    key = {r["id"] for r in records if EN_KEY.search(searchable(r))}
    rest = [r for r in records if r["id"] not in key and len(r["text"]) <= 6000]
    background = {r["id"] for month in by_month(rest).values() for r in evenly_spaced(month, 20)}
    return [r["id"] for r in records if r["id"] in key | background]


def select_ru(records: list[dict]) -> list[str]:
    key = set()
    for r in records:
        t = searchable(r)
        if (
            RU_MINNIKHANOV.search(t)
            or (RU_TATARSTAN_KAZAN.search(t) and len(r["text"]) <= 70_000)
            or (RU_IRAN.search(t) and len(r["text"]) <= 6000)
        ):
            key.add(r["id"])
    rest = [
        r for r in records
        if r["id"] not in key and not RU_TATARSTAN_KAZAN.search(searchable(r)) and len(r["text"]) <= 5000
    ]  # fmt: skip
    background = {r["id"] for month in by_month(rest).values() for r in evenly_spaced(month, 20)}
    return [r["id"] for r in records if r["id"] in key | background]


SELECTORS = {"en": select_en, "ru": select_ru}


def shaped(record: dict, part: Part) -> dict:
    """The record as written to the sample: the source's fields in :data:`FIELDS` order."""
    if record.get("license") != LICENCE:
        raise BuildError(f"build_sample: {record.get('id')!r} has licence {record.get('license')!r}, not {LICENCE}.")
    if record.get("lang") != part.lang:
        raise BuildError(f"build_sample: {record.get('id')!r} has lang {record.get('lang')!r}, expected {part.lang!r}.")
    if not record.get("url") or not record.get("date"):
        raise BuildError(f"build_sample: {record.get('id')!r} lacks a url or a date.")
    out = {f: record.get(f) for f in FIELDS[:-1]}
    if out["place"] == "NA":  # R's missing value in the English scrape
        out["place"] = None
    out["attribution"] = part.attribution
    return out


def read_ids(path: Path) -> list[str]:
    if not path.is_file():
        raise BuildError(f"build_sample: id list {path} not found; run with --select once to create it.")
    ids = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BuildError(f"build_sample: id list {path} repeats {dupes[:5]}; each id must appear once.")
    return ids


def build_part(records: list[dict], ids: Sequence[str], part: Part) -> bytes:
    """The bytes of one added file: the records of *ids*, in id-list order, one JSON object a line."""
    by_id = {r["id"]: r for r in records}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise BuildError(f"build_sample: {len(missing)} ids of {part.ids} are not in {part.source}: {missing[:5]}.")
    lines = [json.dumps(shaped(by_id[i], part), ensure_ascii=False) for i in ids]
    return ("\n".join(lines) + "\n").encode("utf-8")


def check_v1(sample: Path) -> None:
    digest = hashlib.sha256((sample / V1_FILE).read_bytes()).hexdigest()
    if digest != V1_SHA256:
        raise BuildError(f"build_sample: {V1_FILE} has SHA-256 {digest}, expected {V1_SHA256}; v1 must stay byte-identical.")


def folder_bytes(sample: Path, replaced: dict[str, bytes]) -> int:
    sizes = {p.name: p.stat().st_size for p in sample.iterdir() if p.is_file()}
    sizes.update({name: len(data) for name, data in replaced.items()})
    return sum(sizes.values())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder holding corpora/ (default ../shared)")
    parser.add_argument("--out", type=Path, default=SAMPLE, help="the sample folder (default corpora/mm-sample)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="rebuild in memory and compare with the committed files")
    mode.add_argument("--select", action="store_true", help="re-derive the id lists by the documented rule")
    args = parser.parse_args(argv)
    try:
        check_v1(args.out)
        built: dict[str, bytes] = {}
        for part in PARTS:
            records = read_source(args.shared, part)
            if args.select:
                ids = SELECTORS[part.lang](records)
                (args.out / part.ids).write_text("".join(f"{i}\n" for i in ids), encoding="utf-8", newline="\n")
                print(f"{part.ids}: {len(ids)} ids selected")
            built[part.jsonl] = build_part(records, read_ids(args.out / part.ids), part)
        total = folder_bytes(args.out, built)
        if total > MAX_FOLDER_BYTES:
            raise BuildError(f"build_sample: the folder would hold {total:,} bytes, over {MAX_FOLDER_BYTES:,}.")
        if args.check:
            differ = [n for n, data in built.items() if not (args.out / n).is_file() or (args.out / n).read_bytes() != data]
            if differ:
                raise BuildError(f"build_sample --check: {differ} differ from a rebuild; run tools/build_sample.py.")
            print(f"ok: {len(built)} added files equal a rebuild; folder {total:,} bytes")
            return 0
        for name, data in built.items():
            (args.out / name).write_bytes(data)
            items = data.count(b"\n")
            print(f"{name}: {items:,} items, {len(data):,} bytes")
        print(f"folder {args.out}: {total:,} bytes")
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
