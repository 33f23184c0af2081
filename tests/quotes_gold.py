"""The hand-annotated quotations (tests/fixtures/quotes_gold.jsonl) and how a result is scored on them.

The fixture holds one line per annotated document: the corpus file it comes from, its ``doc_id`` and
every quotation in it (``char_start``/``char_end`` of the outer marks in the original text, the
speaker's actor id or ``null``, the speaker's words as alternatives separated by ``|``, the speech
verb, a note). Documents with no quotation are listed with an empty list: what the detector finds
there is a false positive. The annotation guideline is in tests/fixtures/quotes_gold.md.

Scoring (independent of the code under test: plain Python over spans and strings):

* a system quotation *matches* a gold one of the same document when their character spans overlap
  by at least half of their union (one-to-one, best overlap first);
* detection precision = matched system quotations / system quotations in the annotated documents;
  recall = matched gold quotations / gold quotations;
* a matched quotation's speaker is *right* when the gold names an actor and the system gives that
  actor id; when the gold names no actor, the system must give no actor id and its speaker words
  must contain one of the gold alternatives (case-insensitive); when the gold has no speaker, the
  system must give none;
* speaker precision = right speakers / system quotations with a speaker (actor id or words);
  speaker recall = right speakers / gold quotations with a speaker (a missed quotation is a missed
  speaker); the same two over actor ids only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
GOLD_FILE = REPO / "tests" / "fixtures" / "quotes_gold.jsonl"
SEED = "corpora/seed"
SAMPLE = "corpora/mm-sample/mm_sample_v1.jsonl"


def load_gold(path: Path = GOLD_FILE) -> list[dict]:
    """The annotated documents, in file order."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold_quotes(docs: list[dict]) -> pd.DataFrame:
    rows = [{"doc_id": d["doc_id"], "corpus": d["corpus"], "source": d["source"], **q} for d in docs for q in d["quotes"]]
    return pd.DataFrame(rows)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def match(system: pd.DataFrame, gold: pd.DataFrame) -> list[tuple[int, int]]:
    """One-to-one ``(system row, gold row)`` pairs with overlap >= 0.5, best overlap first."""
    candidates = []
    for doc_id, g in gold.groupby("doc_id"):
        s = system[system["doc_id"] == doc_id]
        for i, srow in s.iterrows():
            for j, grow in g.iterrows():
                ov = _overlap((srow.char_start, srow.char_end), (grow.char_start, grow.char_end))
                if ov >= 0.5:
                    candidates.append((ov, i, j))
    used_s, used_g, pairs = set(), set(), []
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_s and j not in used_g:
            used_s.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def speaker_right(srow: pd.Series, grow: pd.Series) -> bool:
    actor = srow.get("speaker")
    actor = actor if isinstance(actor, str) else None
    words = srow.get("speaker_text")
    words = words.casefold() if isinstance(words, str) else ""
    if isinstance(grow["speaker"], str):
        return actor == grow["speaker"]
    alternatives = [a.casefold() for a in grow["speaker_text"].split("|") if a]
    if not alternatives:
        return actor is None and not words
    return actor is None and any(a in words for a in alternatives)


@dataclass
class Score:
    n_system: int
    n_gold: int
    matched: int
    exact: int
    speakers_system: int
    speakers_gold: int
    speakers_right: int
    actors_system: int
    actors_gold: int
    actors_right: int

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    @property
    def precision(self) -> float:
        return self.ratio(self.matched, self.n_system)

    @property
    def recall(self) -> float:
        return self.ratio(self.matched, self.n_gold)

    @property
    def speaker_precision(self) -> float:
        return self.ratio(self.speakers_right, self.speakers_system)

    @property
    def speaker_recall(self) -> float:
        return self.ratio(self.speakers_right, self.speakers_gold)

    @property
    def actor_precision(self) -> float:
        return self.ratio(self.actors_right, self.actors_system)

    @property
    def actor_recall(self) -> float:
        return self.ratio(self.actors_right, self.actors_gold)


def score(system: pd.DataFrame, gold: pd.DataFrame, documents: list[str]) -> tuple[Score, pd.DataFrame]:
    """The score of *system* (rows with doc_id, char_start, char_end, speaker, speaker_text) on
    *gold*, over the annotated *documents*; and a table of every quotation of either side with
    what happened to it (``match``, ``miss``, ``false positive``; ``speaker`` right or wrong)."""
    system = system[system["doc_id"].isin(set(documents))].reset_index(drop=True)
    gold = gold.reset_index(drop=True)
    pairs = match(system, gold)
    right = {(i, j): speaker_right(system.loc[i], gold.loc[j]) for i, j in pairs}
    has_speaker = system["speaker"].notna() | system["speaker_text"].notna()
    gold_has = gold["speaker"].notna() | (gold["speaker_text"].fillna("") != "")
    actor_pairs = [(i, j) for i, j in pairs if isinstance(system.loc[i, "speaker"], str)]
    sc = Score(
        n_system=len(system), n_gold=len(gold), matched=len(pairs),
        exact=sum(1 for i, j in pairs if (system.loc[i, "char_start"], system.loc[i, "char_end"])
                  == (gold.loc[j, "char_start"], gold.loc[j, "char_end"])),
        speakers_system=int(has_speaker.sum()), speakers_gold=int(gold_has.sum()),
        speakers_right=sum(1 for (i, j), ok in right.items() if ok and gold_has[j]),
        actors_system=int(system["speaker"].notna().sum()), actors_gold=int(gold["speaker"].notna().sum()),
        actors_right=sum(1 for i, j in actor_pairs if system.loc[i, "speaker"] == gold.loc[j, "speaker"]),
    )  # fmt: skip
    rows = []
    matched_s = {i for i, _ in pairs}
    matched_g = {j: i for i, j in pairs}
    for j, g in gold.iterrows():
        i = matched_g.get(j)
        s = system.loc[i] if i is not None else None
        rows.append({
            "doc_id": g.doc_id, "char_start": g.char_start, "char_end": g.char_end, "outcome": "match" if i is not None else "miss",
            "gold_speaker": g.speaker if isinstance(g.speaker, str) else g.speaker_text,
            "system_speaker": None if s is None else (s.speaker if isinstance(s.speaker, str) else s.speaker_text),
            "speaker_ok": None if i is None else right[(i, j)], "pattern": None if s is None else s.pattern,
            "note": g.note,
        })  # fmt: skip
    for i, s in system.iterrows():
        if i not in matched_s:
            rows.append({
                "doc_id": s.doc_id, "char_start": s.char_start, "char_end": s.char_end, "outcome": "false positive",
                "gold_speaker": None, "system_speaker": s.speaker if isinstance(s.speaker, str) else s.speaker_text,
                "speaker_ok": None, "pattern": s.pattern, "note": str(s.quote)[:60],
            })  # fmt: skip
    return sc, pd.DataFrame(rows)


def gold_corpora(docs: list[dict]) -> dict[str, list[str]]:
    """Corpus file -> the doc ids annotated in it."""
    out: dict[str, list[str]] = {}
    for d in docs:
        out.setdefault(d["corpus"], []).append(d["doc_id"])
    return out
