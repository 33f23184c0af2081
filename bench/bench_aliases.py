"""Benchmark of alias discovery (issue 12, part 2). Not a test: run by hand.

    .venv/bin/python bench/bench_aliases.py [--corpus ../shared/corpora/tehrantimes] [--out bench/RESULTS-aliases.md]

Times ``suggest_aliases()`` for one actor after the token index is built (target <= 1 s), for actors
of the bundled list and for plain names, in memory and on a sharded store of the same corpus, and
lists the first suggestions for Raisi.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchkit import Report  # noqa: E402 -- bench/, the script's own folder

import mediamon as mm  # noqa: E402
from mediamon.ingestion import ingest  # noqa: E402

QUERIES = ["raisi", "putin", "oic", "Khamenei", "Zarif", "Rouhani", "Lavrov"]


def timed(fn, repeat: int = 5) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "tehrantimes"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-aliases.md"))
    args = ap.parse_args()
    if not Path(args.corpus).exists():
        print(f"{args.corpus} not found; nothing to measure")
        return
    say = Report()

    actors = mm.read_actors(ROOT / "corpora" / "actors.yaml")
    say("# Alias suggestions benchmark (bench/bench_aliases.py)")
    say()
    say(f"Command: `.venv/bin/python bench/bench_aliases.py --corpus {args.corpus}`  ")
    say(f"Machine: {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Times: median and worst of 5 runs after one "
        "warm-up run; the 2 cores are shared with other developers' runs.")  # fmt: skip
    say()
    t0 = time.perf_counter()
    corpus = mm.read_corpus(args.corpus, progress=False)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    ix = mm.index(corpus, progress=False)
    say(f"Tehran Times: {len(corpus):,} documents, {ix.n_tokens:,} tokens, {len(ix.vocab):,} forms; read in "
        f"{t_read:.1f} s, indexed in {time.perf_counter() - t0:.1f} s (not part of the times below).")  # fmt: skip
    say()
    folder = Path(tempfile.mkdtemp(prefix="mm-bench-aliases-"))
    try:
        store = ingest(args.corpus, folder / "store", shard_size="16MB", progress=False)
        say(f"Store: the same documents in {store.n_shards} shards (16 MB of text each), indexes built at ingest.")
        say()
        say("| query | anchors | occurrences | sequences | variants | titles | in memory (s) | worst (s) | store (s) |")
        say("|---|---|---|---|---|---|---|---|---|")
        worst = 0.0
        for q in QUERIES:
            run = lambda q=q, c=corpus: mm.suggest_aliases(c, q, actors=actors)  # noqa: E731
            run()
            med, top, out = timed(run)
            run_store = lambda q=q: mm.suggest_aliases(store, q, actors=actors)  # noqa: E731
            run_store()
            med_store, _, _ = timed(run_store, repeat=3)
            worst = max(worst, top)
            kinds = out.df["kind"].value_counts().to_dict()
            say(f"| {q} | {out.params['anchors']} | {out.params['occurrences']:,} | {kinds.get('sequence', 0)} | "
                f"{kinds.get('variant', 0)} | {kinds.get('title', 0)} | {med:.3f} | {top:.3f} | {med_store:.3f} |")  # fmt: skip
        say()
        say(f"**Target: <= 1 s for one actor after indexing.** Worst of all in-memory runs: {worst:.3f} s.")
        say()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    found = mm.suggest_aliases(corpus, "raisi", actors=actors)
    say("## The first suggestions for `raisi` (actors.yaml)")
    say()
    say("| suggestion | kind | count | documents | known | covered | claimed_by | resembles |")
    say("|---|---|---|---|---|---|---|---|")
    shown = found.df.groupby("kind", sort=False).head(12)
    for r in shown.itertuples():
        say(f"| {r.suggestion} | {r.kind} | {r.count:,} | {r.documents:,} | {r.known} | {r.covered} | {r.claimed_by} | {r.resembles} |")
    say()
    say.write(args.out)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
