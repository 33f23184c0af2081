"""Evaluate Russian inflection matching (mediamon.morphology) on kremlin.ru 2025 against independent references.

Usage (from the repository root)::

    .venv/bin/python tools/eval_morphology.py [--corpus ../shared/corpora/kremlin-ru-2025] \
        [--out bench/RESULTS-morphology.md]

References, written without mediamon:

1. a regular expression over the declension endings of each name, case-sensitive, on whole words
   (:data:`REFERENCE`): Путин, Путина, Путину, Путиным, Путине; the same endings for Минниханов;
   a word character may not stand right before or after ("В.Путин" counts, "Распутин", "Путинцев"
   do not);
2. a hand count: 20 documents read in full (:data:`HAND_DOCS`: 19 evenly spaced among the 80 items
   with 500-3,000 characters of text, plus kremlin-ru-76389, the meeting with Minnikhanov), every
   mention of each surname in the text counted (not titles; "Владимир Владимирович" without the
   surname is not a mention).

Matchers compared, on mediamon's tokens (:func:`mediamon.text.tokenize`, matching forms by
:func:`mediamon.text.normalize`): ``inflected_forms(method="pymorphy3")`` and ``"snowball"`` (both with
initials), the glob of ``corpora/actors.yaml`` (``Путин*``), and the bare alias. A token is a hit when
its form is one the matcher returns; it is a true positive when a reference match starts inside it.
Precision = TP / hits, recall = matched references / references.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import mediamon  # noqa: E402
from mediamon.morphology import inflected_forms  # noqa: E402
from mediamon.text import normalize, tokenize  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "kremlin-ru-2025"

#: name -> (alias as in actors.yaml, glob of actors.yaml, reference regex over the raw text)
REFERENCE = {
    "Путин": ("Путин", "Путин*", r"(?<!\w)Путин(?:а|у|ым|е)?(?!\w)"),
    "Минниханов": ("Минниханов", "Минниханов*", r"(?<!\w)Минниханов(?:а|у|ым|е)?(?!\w)"),
    "Татарстан": ("Татарстан", "Татарстан*", r"(?<!\w)Татарстан(?:а|у|ом|е)?(?!\w)"),
    "Казань": ("Казань", "Казан*", r"(?<!\w)Казан(?:ь|и|ью)(?!\w)"),
}
#: The names whose agreement the issue asks for (the others are reported, not asserted).
ASSERTED = ("Путин", "Минниханов")

#: Hand counts of the text of 20 documents (read in full): mentions of (Путин, Минниханов).
HAND_DOCS = {
    "kremlin-ru-76191": (3, 0), "kremlin-ru-76258": (3, 0), "kremlin-ru-76301": (1, 0),
    "kremlin-ru-76321": (1, 0), "kremlin-ru-76335": (1, 0), "kremlin-ru-76419": (2, 0),
    "kremlin-ru-76445": (1, 0), "kremlin-ru-76460": (1, 0), "kremlin-ru-76497": (2, 0),
    "kremlin-ru-76516": (0, 0), "kremlin-ru-76542": (2, 0), "kremlin-ru-76540": (1, 0),
    "kremlin-ru-76556": (2, 0), "kremlin-ru-76600": (2, 0), "kremlin-ru-76713": (2, 0),
    "kremlin-ru-76737": (2, 0), "kremlin-ru-76805": (0, 0), "kremlin-ru-76837": (3, 0),
    "kremlin-ru-76851": (3, 0), "kremlin-ru-76389": (25, 25),
}  # fmt: skip

MATCHERS = ("pymorphy3", "snowball", "glob", "alias only")


@dataclass
class Score:
    hits: int = 0
    true_hits: int = 0
    references: int = 0
    found_references: int = 0
    false_friends: Counter[str] = field(default_factory=Counter)  # surface -> count (hits matching no reference)
    missed: Counter[str] = field(default_factory=Counter)  # surface of references no hit covers

    @property
    def precision(self) -> float:
        return self.true_hits / self.hits if self.hits else 1.0

    @property
    def recall(self) -> float:
        return self.found_references / self.references if self.references else 1.0


@dataclass
class Evaluation:
    documents: int
    tokens: int
    scores: dict[tuple[str, str], Score]  # (name, matcher) -> score against the regex
    hand: dict[tuple[str, str], tuple[int, int, int]]  # (name, matcher) -> (hits, hand count, matched)
    hand_regex: dict[str, tuple[int, int]]  # name -> (regex count, hand count) on the 20 documents
    substrings: dict[str, Counter[str]]  # name -> word forms containing the stem, with counts


def matcher_forms(name: str, matcher: str, vocabulary: list[str]) -> set[str]:
    alias, glob, _ = REFERENCE[name]
    if matcher in ("pymorphy3", "snowball"):
        return set(inflected_forms(alias, vocabulary, method=matcher))
    if matcher == "glob":
        return set(fnmatch.filter(vocabulary, normalize(glob)))
    return {normalize(alias)} & set(vocabulary)


def evaluate(corpus_path: Path) -> Evaluation:
    corpus = mediamon.read_corpus(corpus_path)
    ids = corpus.docs["doc_id"].tolist()
    texts = corpus.docs["text"].tolist()
    tokens = [tokenize(t) for t in texts]
    surfaces = {s for toks in tokens for _, _, s in toks}
    form_of = {s: normalize(s) for s in surfaces}
    vocabulary = sorted(set(form_of.values()))
    refs = {name: [[m.start() for m in re.finditer(rx, t)] for t in texts] for name, (_, _, rx) in REFERENCE.items()}

    scores: dict[tuple[str, str], Score] = {}
    hand: dict[tuple[str, str], tuple[int, int, int]] = {}
    for name in REFERENCE:
        for matcher in MATCHERS:
            forms = matcher_forms(name, matcher, vocabulary)
            score = Score()
            per_doc_hits: dict[str, int] = {}
            for doc_id, text, toks, starts in zip(ids, texts, tokens, refs[name]):
                hit_spans = [(s, e, surf) for s, e, surf in toks if form_of[surf] in forms]
                covered = set()
                for s, e, surf in hit_spans:
                    inside = [r for r in starts if s <= r < e]
                    if inside:
                        score.true_hits += 1
                        covered.update(inside)
                    else:
                        score.false_friends[surf] += 1
                score.hits += len(hit_spans)
                score.references += len(starts)
                score.found_references += len(covered)
                for r in set(starts) - covered:
                    score.missed[re.match(r"\w+", text[r:]).group(0)] += 1
                per_doc_hits[doc_id] = len(hit_spans)
            scores[name, matcher] = score
            if name in ASSERTED:
                k = ASSERTED.index(name)
                counts = [(per_doc_hits[d], h[k]) for d, h in HAND_DOCS.items()]
                hand[name, matcher] = (sum(c for c, _ in counts), sum(h for _, h in counts),
                                       sum(min(c, h) for c, h in counts))  # fmt: skip
    hand_regex = {}
    for k, name in enumerate(ASSERTED):
        regex_counts = {d: len(s) for d, s in zip(ids, refs[name])}
        hand_regex[name] = (sum(regex_counts[d] for d in HAND_DOCS), sum(h[k] for h in HAND_DOCS.values()))
    substrings = {}
    for name, (alias, _, _) in REFERENCE.items():
        stem = normalize(alias)[:5]  # "путин", "минни", "татар", "казан"
        substrings[name] = Counter(s for toks in tokens for _, _, s in toks if stem in form_of[s])
    return Evaluation(len(texts), sum(map(len, tokens)), scores, hand, hand_regex, substrings)


def report(ev: Evaluation, corpus_path: Path) -> str:
    lines = [
        "# Russian inflection matching on kremlin.ru 2025 (tools/eval_morphology.py)",
        "",
        f"Corpus: `{corpus_path}`: {ev.documents} documents, {ev.tokens:,} mediamon tokens. Mentions are counted in "
        "`text` (titles apart). Reference: the case-sensitive regex over declension endings in the script; the "
        "hand count of 20 documents checks that reference.",
        "",
        "## Against the regex reference (all documents)",
        "",
        "| name | matcher | references | hits | precision | recall | false friends (hits with no reference) | missed |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for (name, matcher), s in ev.scores.items():
        ff = ", ".join(f"{w} {n}" for w, n in s.false_friends.most_common(6)) or "none"
        missed = ", ".join(f"{w} {n}" for w, n in s.missed.most_common(4)) or "none"
        lines.append(f"| {name} | {matcher} | {s.references:,} | {s.hits:,} | {s.precision:.3f} | {s.recall:.3f} | "
                     f"{ff} | {missed} |")  # fmt: skip
    lines += [
        "",
        "## Against the hand count (20 documents read)",
        "",
        "The regex reference on these documents: "
        + "; ".join(f"{n} {r} mentions vs {h} by hand" for n, (r, h) in ev.hand_regex.items())
        + ".",
        "",
        "| name | matcher | hits | hand count | matched (per document, min) | precision | recall |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for (name, matcher), (hits, handn, matched) in ev.hand.items():
        p = matched / hits if hits else 1.0
        r = matched / handn if handn else 1.0
        lines.append(f"| {name} | {matcher} | {hits} | {handn} | {matched} | {p:.3f} | {r:.3f} |")
    lines += ["", "## Word forms that contain the name's first five letters (what a substring search finds)", ""]
    for name, counts in ev.substrings.items():
        lines.append(f"- {name}: " + ", ".join(f"{w} {n}" for w, n in sorted(counts.items())))
    lines += [
        "",
        "## Notes",
        "",
        "- Speaker labels and initials (\"В.Путин:\", \"Р.Минниханов:\") are single mediamon tokens (a period between "
        "letters joins). The glob and the bare alias miss them; `inflected_forms(initials=True)` finds them.",
        "- Snowball stems the nominative and oblique forms of these names differently (минниханов -> миннихан, "
        "минниханова -> минниханов; татарстан -> татарста, татарстане -> татарстан), so it misses oblique forms.",
        "- Dictionary false friends not met in this corpus but handled and tested (tests/test_morphology.py): "
        "путина (fishing season) shares путина/путину/путине with Путин and cannot be told apart on case-folded "
        "forms (require a capital on the surface: `mediamon.morphology.is_capitalised`); Путинцев, Путинов, "
        "путинский do not match; Минниханова is also the female surname.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS-morphology.md")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus} not found; nothing evaluated")
        return 0
    ev = evaluate(args.corpus)
    args.out.write_text(report(ev, args.corpus), encoding="utf-8")
    for name in ASSERTED:
        s = ev.scores[name, "pymorphy3"]
        print(f"{name}: precision {s.precision:.4f}, recall {s.recall:.4f} ({s.references} references)")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
