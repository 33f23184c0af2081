"""Benchmark of bursts and pair trends (issue 11: 20 actors at freq="M" over wiki-current-events in
<= 2 s). Not a test: run by hand.

    .venv/bin/python bench/bench_bursts.py [--corpus ../shared/corpora/wiki-current-events] [--out bench/RESULTS-bursts.md]

Loads the corpus into memory and builds its token index once (reported apart), then times, best of
5: the mentions of the 20 actors of ``bench/actors-world.yaml``, ``mediamon.bursts`` (Kleinberg and
the baseline test) and ``mediamon.pair_trends`` on those mentions, and the whole alert pass from the
actor list (each analysis finding the mentions itself). ``--corpus`` given by ``bench/run.py`` (the
Tehran Times folder) is replaced by wiki-current-events next to it.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchkit import Report, best_of  # noqa: E402 -- bench/, the script's own folder

import mediamon as mm  # noqa: E402

TARGET_S = 2.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "wiki-current-events"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-bursts.md"))
    args = ap.parse_args()
    corpus_path = Path(args.corpus)
    if corpus_path.name != "wiki-current-events":
        corpus_path = corpus_path.parent / "wiki-current-events"
    if not corpus_path.exists():
        print(f"bench_bursts: {corpus_path} not found; nothing measured.")
        return 0
    say = Report()

    t = time.perf_counter()
    corpus = mm.read_corpus(corpus_path)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    ix = mm.index(corpus, progress=False)
    index_s = time.perf_counter() - t
    actors = mm.read_actors(ROOT / "bench" / "actors-world.yaml")
    say("# Bursts and pair trends benchmark (bench/bench_bursts.py)")
    say()
    say(f"Machine: {platform.platform()}, Python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pd.__version__}. Corpus: {corpus_path.name}, {len(corpus):,} dated items, {ix.n_tokens:,} tokens, "
        f"{ix.n_sents:,} sentences; read in {read_s:.1f} s, indexed in {index_s:.1f} s (not part of the times "
        f"below). {len(actors)} actors (bench/actors-world.yaml), freq='M'. Times are the best of 5 runs.")  # fmt: skip
    say()
    found_s, found = best_of(lambda: mm.mentions(corpus, actors), repeat=5)
    kb_s, kb = best_of(lambda: mm.bursts(corpus, found, freq="M"), repeat=5)
    bl_s, bl = best_of(lambda: mm.bursts(corpus, found, freq="M", method="baseline"), repeat=5)
    pt_s, pt = best_of(lambda: mm.pair_trends(corpus, found, freq="M"), repeat=5)
    alert_s, _ = best_of(lambda: (mm.bursts(corpus, actors, freq="M"), mm.pair_trends(corpus, actors, freq="M")), repeat=5)
    total = found_s + kb_s + pt_s
    say("| step | seconds | result |")
    say("|---|---:|---|")
    say(f"| mentions of the 20 actors | {found_s:.3f} | {len(found):,} mentions |")
    say(f"| bursts, Kleinberg (on the mentions) | {kb_s:.3f} | {len(kb):,} bursts over {kb.params['periods']:,} months |")
    say(f"| bursts, baseline test (on the mentions) | {bl_s:.3f} | {len(bl):,} bursts |")
    say(f"| pair trends, sentences (on the mentions) | {pt_s:.3f} | {pt.params['pairs']:,} pairs x {pt.params['n_periods']:,} "
        f"months, {int(pt.df['rising'].sum()):,} rises |")  # fmt: skip
    say(f"| **mentions + Kleinberg bursts + pair trends** | **{total:.3f}** | target {TARGET_S:.0f} s: "
        f"{'met' if total <= TARGET_S else 'NOT met'} |")  # fmt: skip
    say(f"| bursts + pair trends from the actor list (mentions found twice) | {alert_s:.3f} | "
        f"{'met' if alert_s <= TARGET_S else 'NOT met'} |")  # fmt: skip
    say()
    say("Most of the bursts time is `timeline()`'s pandas bookkeeping (per-document periods), which the bursts are built on.")
    say.write(args.out)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
