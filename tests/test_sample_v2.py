"""mm-sample v2 (the folder corpora/mm-sample): counts pinned from plain Python over the JSON lines.

Golden values come from regular expressions written here (not from mediamon) and, where marked, from reading
the items: the six Raisi items were read in full, and the Minnikhanov mentions of kremlin-67996 and
kremlin-ru-76685 were counted by reading their contexts. mediamon.read_corpus is used only to check that the
loader agrees with this reference.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter

import pytest

import mediamon
from conftest import REPO, SAMPLE_DIR, shared_path

sys.path.insert(0, str(REPO / "tools"))
import build_sample  # noqa: E402  (the build tool is tested with the data it builds)

V1 = "mm_sample_v1.jsonl"
EN = "mm_sample_v2_kremlin_en_2021-2022.jsonl"
RU = "mm_sample_v2_kremlin_ru_2025.jsonl"
FILES = (V1, EN, RU)  # read_corpus reads a folder in sorted order: this order

#: Mentions of the seed actors, as whole words: English names, Russian nouns with their case endings
#: (nominative, genitive, dative, instrumental, prepositional). Adjectives (Казанский) and compounds
#: (Казаньоргсинтез) are not mentions of the city.
SEED_ACTORS = {
    "putin": r"\bPutin\b|\bПутин(?:а|у|ым|е)?\b",
    "raisi": r"\bRa(?:e)?isi\b|\bРаиси\b",
    "minnikhanov": r"\bMinnikhanov\b|\bМинниханов(?:а|у|ым|е)?\b",
    "tatarstan": r"\bTatarstan\b|\bТатарстан(?:а|у|ом|е)?\b",
    "kazan": r"\bKazan\b|\bКазан(?:ь|и|ью)\b",
}


def records(name: str) -> list[dict]:
    with (SAMPLE_DIR / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def by_file() -> dict[str, list[dict]]:
    return {name: records(name) for name in FILES}


def test_v1_file_is_unchanged() -> None:
    digest = hashlib.sha256((SAMPLE_DIR / V1).read_bytes()).hexdigest()
    assert digest == "17dbc09738e16f12a406ba0541e7fdd8e1b07a50a122993ff031610173edf818"


def test_documents_per_file_source_and_lang(by_file) -> None:
    assert {name: len(recs) for name, recs in by_file.items()} == {V1: 1370, EN: 225, RU: 83}
    every = [r for recs in by_file.values() for r in recs]
    assert Counter(r["source"] for r in every) == {
        "Tehran Times": 755,
        "President of Russia (en.kremlin.ru)": 615 + 225,
        "Президент России (kremlin.ru)": 83,
    }
    assert Counter(r.get("lang") for r in every) == {None: 1370, "en": 225, "ru": 83}  # v1 has no lang field
    assert len({r["id"] for r in every}) == 1678


def test_documents_per_month(by_file) -> None:
    months = Counter(r["date"][:7] for name in (EN, RU) for r in by_file[name])
    assert months == {
        "2021-10": 21, "2021-11": 26, "2021-12": 25, "2022-01": 27, "2022-02": 28, "2022-03": 24,
        "2022-04": 21, "2022-05": 26, "2022-06": 27,
        "2025-02": 24, "2025-03": 24, "2025-04": 22, "2025-05": 13,
    }  # fmt: skip
    dated = [r["date"] for recs in by_file.values() for r in recs if r["date"]]
    assert len(dated) == 615 + 225 + 83
    assert (min(dated), max(dated)) == ("2000-01-08", "2025-05-08")
    assert [min(r["date"] for r in by_file[EN]), max(r["date"] for r in by_file[EN])] == ["2021-10-24", "2022-06-24"]


def test_dated_mentions_of_every_seed_actor(by_file) -> None:
    got = {
        name: {a: sum(len(re.findall(p, r["text"])) for r in recs if r["date"]) for a, p in SEED_ACTORS.items()}
        for name, recs in by_file.items()
    }
    assert got == {
        V1: {"putin": 1479, "raisi": 0, "minnikhanov": 74, "tatarstan": 119, "kazan": 121},
        EN: {"putin": 696, "raisi": 8, "minnikhanov": 1, "tatarstan": 18, "kazan": 14},
        RU: {"putin": 314, "raisi": 0, "minnikhanov": 28, "tatarstan": 10, "kazan": 6},
    }
    for actor in SEED_ACTORS:  # the point of v2: each seed actor is mentioned in dated items
        assert sum(got[name][actor] for name in FILES) > 0, actor


def test_raisi_items_read_by_hand(by_file) -> None:
    raisi = [r for r in by_file[EN] if re.search(SEED_ACTORS["raisi"], r["text"])]
    assert [(r["id"], r["date"]) for r in raisi] == [
        ("kremlin-67112", "2021-11-16"),  # telephone call
        ("kremlin-67605", "2022-01-18"),  # announcement of the visit
        ("kremlin-67608", "2022-01-19"),  # Moscow meeting
        ("kremlin-67849", "2022-02-24"),  # telephone call
        ("kremlin-68590", "2022-06-08"),  # telephone call
        ("kremlin-68700", "2022-06-24"),  # BRICS+ meeting
    ]
    # read: once in each item, three times in 67608 (lead, speaker line, a tooltip leftover "Raisi Raisi")
    assert [len(re.findall(r"\bRaisi\b", r["text"])) for r in raisi] == [1, 1, 3, 1, 1, 1]
    assert "Sayyid Ebrahim Raisi Raisi Sayyid EbrahimPresident of Iran" in raisi[2]["text"]
    assert all("Putin" in r["text"] for r in raisi)


def test_minnikhanov_mentions_read_by_hand(by_file) -> None:
    en = {r["id"]: r for r in by_file[EN]}
    ru = {r["id"]: r for r in by_file[RU]}
    assert re.findall(r"\w*Minnikhanov\w*", en["kremlin-67996"]["text"]) == ["Minnikhanov"]
    # 76685: "Слово – ... Минниханову Рустаму Нургалиевичу", then two speaker labels "Р.Минниханов:"
    assert re.findall(r"\w*Минниханов\w*", ru["kremlin-ru-76685"]["text"]) == ["Минниханову", "Минниханов", "Минниханов"]
    assert ru["kremlin-ru-76389"]["title"] == "Встреча с главой Татарстана Рустамом Миннихановым"


def test_false_friends_of_kazan_are_in_the_russian_file(by_file) -> None:
    words = Counter(w for r in by_file[RU] for w in re.findall(r"\w*Казан\w*", r["text"]))
    assert words == {"Казани": 3, "Казанский": 2, "Казань": 2, "Казанского": 1, "Казаньоргсинтез": 1,
                     "Казанскому": 1, "Казанью": 1}  # fmt: skip


def test_every_item_is_cc_by_with_url_and_attribution(by_file) -> None:
    attribution = {EN: "President of Russia, en.kremlin.ru, CC BY 4.0", RU: "Президент России, kremlin.ru, CC BY 4.0"}
    for name, recs in by_file.items():
        assert all(r["license"] == "CC BY 4.0" for r in recs), name
        assert all(re.match(r"https?://", r["url"]) for r in recs), name
        assert not any("wikipedia.org" in r["url"] for r in recs), name  # no CC BY-SA text
    for name, text in attribution.items():
        assert {r["attribution"] for r in by_file[name]} == {text}
        assert text in (SAMPLE_DIR / "NOTICE").read_text(encoding="utf-8")
        assert text in (REPO / "corpora" / "NOTICE").read_text(encoding="utf-8")
    assert [r["url"] for r in by_file[RU][:1]] == ["http://kremlin.ru/events/president/news/76191"]


def test_id_lists_match_the_files(by_file) -> None:
    for name in (EN, RU):
        ids = (SAMPLE_DIR / name.replace(".jsonl", ".ids")).read_text(encoding="utf-8").split()
        assert ids == [r["id"] for r in by_file[name]]


def test_folder_stays_under_8_mb() -> None:
    assert sum(p.stat().st_size for p in SAMPLE_DIR.iterdir() if p.is_file()) < 8_000_000


def test_loader_agrees_with_the_reference(by_file) -> None:
    corpus = mediamon.read_corpus(SAMPLE_DIR)
    counts = corpus.manifest_counts()
    assert counts["loaded"] + counts["rejected"] + counts["skipped"] == counts["discovered"]
    assert counts == {"loaded": 1678, "rejected": 0, "skipped": 5, "discovered": 1683}
    expected = [r for name in FILES for r in by_file[name]]
    assert corpus.docs["doc_id"].tolist() == [r["id"] for r in expected]
    assert corpus.docs["text"].tolist() == [r["text"] for r in expected]
    assert corpus.docs["lang"].tolist()[1370:] == [r["lang"] for r in expected[1370:]]
    assert int(corpus.docs["date"].notna().sum()) == 923


def test_rebuild_from_shared_gives_the_committed_bytes() -> None:
    shared = shared_path("corpora", "kremlin-ru-2025")
    assert build_sample.main(["--check", "--shared", str(shared.parent.parent)]) == 0


def test_check_notices_a_changed_byte(tmp_path) -> None:
    shared = shared_path("corpora", "kremlin-ru-2025").parent.parent
    copy = tmp_path / "mm-sample"
    copy.mkdir()
    for p in SAMPLE_DIR.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    data = (copy / RU).read_bytes()
    (copy / RU).write_bytes(data.replace("Путин".encode(), "Путен".encode(), 1))
    assert build_sample.main(["--check", "--shared", str(shared), "--out", str(copy)]) == 1
    assert build_sample.main(["--shared", str(shared), "--out", str(copy)]) == 0  # a rebuild repairs it
    assert (copy / RU).read_bytes() == data
