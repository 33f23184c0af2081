"""Train the Punkt sentence-boundary parameters that mediamon ships, and write them as text.

Usage (from the repository root)::

    .venv/bin/python tools/train_punkt.py corpora/mm-sample/mm_sample_v1.jsonl \
        --out mediamon/data/punkt/news-en

It runs NLTK's unsupervised :class:`nltk.tokenize.punkt.PunktTrainer` (Kiss & Strunk 2006) over the
``text`` field of every JSON line, in file order, and writes the four parameter files in NLTK's
``punkt_tab`` text format (``abbrev_types.txt``, ``collocations.tab``, ``sent_starters.txt``,
``ortho_context.tab``), sorted so the output is byte-for-byte reproducible. No pickle is involved.
A short list of news titles and abbreviations (:data:`EXTRA_ABBREVIATIONS`) is added to the learnt
abbreviation types.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nltk.tokenize.punkt import PunktTrainer


#: Titles and abbreviations that news text uses with a period but too rarely in the training text
#: for Punkt to learn them (Kremlin transcripts write "Mr Putin" without one). Added to the learnt
#: abbreviation types; lower case, without the final period, as Punkt stores them.
EXTRA_ABBREVIATIONS = (
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "gov", "sen",
    "rep", "pres", "amb", "st", "jr", "sr", "messrs", "rev", "hon", "u.s", "u.k", "u.n", "e.u",
    "inc", "ltd", "co", "corp", "no", "vs", "approx", "dept", "est", "fig",
    "jan", "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec",
)  # fmt: skip


def train(texts: list[str]) -> PunktTrainer:
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = False
    trainer.train("\n\n".join(texts), finalize=True)
    return trainer


def write_params(trainer: PunktTrainer, out: Path) -> None:
    params = trainer.get_params()
    params.abbrev_types |= set(EXTRA_ABBREVIATIONS)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", type=Path, help="JSON-Lines file with a 'text' field per line")
    parser.add_argument("--out", type=Path, default=Path("mediamon/data/punkt/news-en"))
    args = parser.parse_args()
    with args.jsonl.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()]
    write_params(train(texts), args.out)
    print(f"trained on {len(texts)} texts; parameters written to {args.out}")


if __name__ == "__main__":
    main()
