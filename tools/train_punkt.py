"""Train the Punkt sentence-boundary parameters that mediamon ships, and write them as text.

Usage (from the repository root)::

    .venv/bin/python tools/train_punkt.py corpora/mm-sample/mm_sample_v1.jsonl \
        --out mediamon/data/punkt/news-en
    .venv/bin/python tools/train_punkt.py --language ru \
        ../shared/corpora/kremlin-ru-2025/kremlin_ru_2025-02_2025-05.jsonl.gz \
        --out mediamon/data/punkt/news-ru

It runs NLTK's unsupervised :class:`nltk.tokenize.punkt.PunktTrainer` (Kiss & Strunk 2006) over the
``text`` field of every JSON line of the given files (``.jsonl`` or gzip ``.jsonl.gz``), in file
order, and writes the four parameter files in NLTK's ``punkt_tab`` text format
(``abbrev_types.txt``, ``collocations.tab``, ``sent_starters.txt``, ``ortho_context.tab``), sorted
so the output is byte-for-byte reproducible. No pickle is involved. A short list of news titles and
abbreviations for the language (:data:`EXTRA_ABBREVIATIONS`) is added to the learnt abbreviation
types.

Russian (``news-ru``): trained on the 200 kremlin.ru items of 2025 (``../shared/corpora/kremlin-ru-2025``,
CC BY 4.0). Initials written without a space ("В.В.Путин", "В.Путин:") are one mediamon token, so
they never reach Punkt; spaced initials ("В. В. Путин") are single letters before a period, which
Punkt's orthographic rule keeps inside the sentence when the next word is a name never seen in
lower case. One-letter abbreviations such as "г." (год) are treated by Punkt as initials: they
never end a sentence, so a sentence ending in "… 2024 г." runs on into the next one (rare in news,
which writes "году").
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from nltk.tokenize.punkt import PunktTrainer


#: Titles and abbreviations that news text uses with a period but too rarely in the training text
#: for Punkt to learn them (Kremlin transcripts write "Mr Putin" without one). Added to the learnt
#: abbreviation types; lower case, without the final period, as Punkt stores them.
ENGLISH_ABBREVIATIONS = (
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "gov", "sen",
    "rep", "pres", "amb", "st", "jr", "sr", "messrs", "rev", "hon", "u.s", "u.k", "u.n", "e.u",
    "inc", "ltd", "co", "corp", "no", "vs", "approx", "dept", "est", "fig",
    "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec",
)  # fmt: skip

#: Russian news abbreviations (lower case, ё as е, without the final period; "т.е." is stored as
#: "т.е"): год/годы, то есть, так как, и так далее, и тому подобное, так называемый, в том числе,
#: исполняющий обязанности, другие, прочие, смотри, имени, улица, дом, рубль, миллион, миллиард,
#: тысяча, копейка, доллар, человек, область, статья, пункт, часть, святой, профессор, академик,
#: генерал, заместитель, века, например, страница, рисунок, таблица, глава, квартал, посёлок,
#: деревня, господин. Then every one-letter Cyrillic word but "я" (and ъ ы ь, which begin no word):
#: the one-letter words в, с, к, о, у, и, а are prepositions and conjunctions that never end a
#: sentence, so a letter before a period is an initial ("В. В. Путин") or an abbreviation ("г.",
#: "п.", "ч."). Without this, Punkt's orthographic rule splits "В. В. Путин" after the first
#: initial, because "в" is seen in lower case far more often than capitalised mid-sentence.
RUSSIAN_ABBREVIATIONS = (
    "г", "гг", "т.е", "т.к", "т.д", "т.п", "т.н", "т.ч", "и.о", "др", "пр", "см", "им", "ул", "д",
    "руб", "млн", "млрд", "тыс", "коп", "долл", "чел", "обл", "ст", "п", "ч", "св", "проф", "акад",
    "ген", "зам", "вв", "напр", "стр", "рис", "табл", "гл", "кв", "пос", "дер", "г-н",
) + tuple("абвгдежзийклмнопрстуфхцчшщэю")  # fmt: skip

EXTRA_ABBREVIATIONS = {"en": ENGLISH_ABBREVIATIONS, "ru": RUSSIAN_ABBREVIATIONS}

#: Words the trainer took for abbreviations because, in the small training text, they stood only
#: before sentence-final periods ("Чёрного моря.", "Республики Тыва.", "белых роз.", "перед ДК.",
#: "в области IT."); checked in context and removed, so they still end sentences.
NOT_ABBREVIATIONS = {"en": (), "ru": ("моря", "тыва", "роз", "дк", "it")}


def train(texts: list[str]) -> PunktTrainer:
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = False
    trainer.train("\n\n".join(texts), finalize=True)
    return trainer


def write_params(trainer: PunktTrainer, out: Path, *, language: str = "en") -> None:
    params = trainer.get_params()
    params.abbrev_types |= set(EXTRA_ABBREVIATIONS[language])
    params.abbrev_types -= set(NOT_ABBREVIATIONS[language])
    out.mkdir(parents=True, exist_ok=True)
    (out / "abbrev_types.txt").write_text(
        "".join(f"{a}\n" for a in sorted(params.abbrev_types)), encoding="utf-8", newline="\n"
    )
    (out / "sent_starters.txt").write_text(
        "".join(f"{s}\n" for s in sorted(params.sent_starters)), encoding="utf-8", newline="\n"
    )
    (out / "collocations.tab").write_text(
        "".join(f"{a}\t{b}\n" for a, b in sorted(params.collocations)), encoding="utf-8", newline="\n"
    )
    (out / "ortho_context.tab").write_text(
        "".join(f"{k}\t{v}\n" for k, v in sorted(params.ortho_context.items()) if v),
        encoding="utf-8",
        newline="\n",
    )


def read_texts(path: Path) -> list[str]:
    """The ``text`` field of every JSON line of *path* (gzip when its name ends in ``.gz``)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", type=Path, nargs="+", help="JSON-Lines files with a 'text' field per line")
    parser.add_argument("--language", choices=sorted(EXTRA_ABBREVIATIONS), default="en")
    parser.add_argument("--out", type=Path, help="output folder (default mediamon/data/punkt/news-<language>)")
    args = parser.parse_args()
    out = args.out or Path(f"mediamon/data/punkt/news-{args.language}")
    texts = [t for path in args.jsonl for t in read_texts(path)]
    write_params(train(texts), out, language=args.language)
    print(f"trained on {len(texts)} texts; parameters written to {out}")


if __name__ == "__main__":
    main()
