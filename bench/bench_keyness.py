"""Benchmark of keyness (issue 11: a view against the rest of tehrantimes in <= 1 s after indexing).
Not a test: run by hand.

    .venv/bin/python bench/bench_keyness.py [--corpus ../shared/corpora/tehrantimes] [--out bench/RESULTS-keyness.md]

Loads the corpus into memory and builds its token index once (reported apart), then times, best of
5, ``mediamon.keyness(corpus, view)`` for views of several sizes against the rest of the corpus (every
word tested, G² sort, the full table with rates, log ratio intervals and BH-adjusted p-values), the
contexts of two actors, and the same views on a 4-shard store of the corpus. The view's token index
is the corpus's (a view is a selection of its rows): nothing is indexed again.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchkit import Report, best_of  # noqa: E402 -- bench/, the script's own folder

import mediamon as mm  # noqa: E402
from mediamon.ingestion import ingest  # noqa: E402

TARGET_S = 1.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "tehrantimes"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-keyness.md"))
    args = ap.parse_args()
    if not Path(args.corpus).exists():
        print(f"bench_keyness: {args.corpus} not found; nothing measured.")
        return 0
    say = Report()

    t = time.perf_counter()
    corpus = mm.read_corpus(args.corpus)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    ix = mm.index(corpus, progress=False)
    index_s = time.perf_counter() - t
    text_mb = corpus.docs["text"].str.len().sum() / 1e6
    actors = mm.read_actors(ROOT / "corpora" / "actors.yaml")
    say("# Keyness benchmark (bench/bench_keyness.py)")
    say()
    say(f"Machine: {platform.platform()}, Python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pd.__version__}. Corpus: {Path(args.corpus).name}, {len(corpus):,} documents, {text_mb:.1f} M characters, "
        f"{ix.n_tokens:,} tokens, {len(ix.vocab):,} forms; read in {read_s:.1f} s, indexed in {index_s:.1f} s "
        "(not part of the times below). Times are the best of 5 runs.")  # fmt: skip
    say()
    views = {
        "titles with 'nuclear' (a topic)": corpus.filter(lambda d: d["title"].str.contains("nuclear", case=False, na=False)),
        "1% sample": corpus.sample(len(corpus) // 100, seed=1),
        "first 10% (oldest news ids)": corpus.head(len(corpus) // 10),
        "50% sample": corpus.sample(len(corpus) // 2, seed=2),
    }
    say(f"## 1. A view against the rest of the corpus (target <= {TARGET_S:.0f} s)")
    say()
    say("| target | documents | target words | words tested | seconds | within target |")
    say("|---|---:|---:|---:|---:|---|")
    worst = 0.0
    for name, view in views.items():
        seconds, k = best_of(lambda v=view: mm.keyness(corpus, v), repeat=5)
        worst = max(worst, seconds)
        say(f"| {name} | {len(view):,} | {k.params['tokens_target']:,} | {k.params['words_tested']:,} | {seconds:.3f} | "
            f"{'yes' if seconds <= TARGET_S else 'NO'} |")  # fmt: skip
    seconds, k = best_of(lambda: mm.keyness(corpus, views["1% sample"], fisher=True), repeat=5)
    say(f"| 1% sample, with Fisher's exact p | {len(views['1% sample']):,} | {k.params['tokens_target']:,} | "
        f"{k.params['words_tested']:,} | {seconds:.3f} | {'yes' if seconds <= TARGET_S else 'NO'} |")  # fmt: skip
    say()
    say("## 2. The contexts of an actor against the rest")
    say()
    say("| target | mentions | target words | seconds |")
    say("|---|---:|---:|---:|")
    for actor, opts in (("putin", {"window": 10}), ("raisi", {"window": 10}), ("raisi", {"unit": "sentence"})):
        seconds, k = best_of(lambda a=actor, o=opts: mm.keyness(corpus, a, actors=actors, **o), repeat=5)
        say(f"| {k.params['target']} | {k.params['mentions']:,} | {k.params['tokens_target']:,} | {seconds:.3f} |")
    say()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        store = ingest(args.corpus, Path(tmp) / "store", shard_size=len(corpus) // 4 + 1)
        ingest_s = time.perf_counter() - t
        say(f"## 3. The same on a store of {store.n_shards} shards (ingested and indexed in {ingest_s:.0f} s)")
        say()
        say("| target | seconds | same table as in memory |")
        say("|---|---:|---|")
        for name, make in (("titles with 'nuclear'", lambda c: c.filter(lambda d: d["title"].str.contains("nuclear", case=False, na=False))),
                           ("50% sample", lambda c: c.sample(len(c) // 2, seed=2))):  # fmt: skip
            view = make(store)
            seconds, k = best_of(lambda v=view: mm.keyness(store, v), repeat=3)
            same = k.df.equals(mm.keyness(corpus, make(corpus)).df)
            say(f"| {name} | {seconds:.3f} | {'yes' if same else 'NO'} |")
    say()
    say(f"Worst time of a view against the rest in memory: {worst:.3f} s (target {TARGET_S:.0f} s).")
    say.write(args.out)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
