"""Engine benchmark: index build and KWIC query latency, side by side with NLTK.

Usage::

    .venv/bin/python bench/bench_engine.py --corpus ../shared/corpora/tehrantimes [--out bench/RESULTS-engine.md]

Measures, in one run on the given corpus: load time; index build time, MB/s (characters of article
body per second, sentence splitting included), peak resident memory and index bytes per token; and
per-query latency (median of repeats, the KWIC result table included) for a rare word, a common
name, a very frequent word, a phrase and a glob — each next to NLTK's ``ConcordanceIndex`` +
``concordance_list`` over the same tokens. Skips with a message when the corpus is absent.
"""

from __future__ import annotations

import argparse
import fnmatch
import gc
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import nltk
import numpy as np

import mediamon
from mediamon.indexbuild import build_index

QUERIES = [
    ("rare word", "minnikhanov", "fixed"),
    ("common name", "putin", "fixed"),
    ("very frequent word", "iran", "fixed"),
    ("phrase", "islamic republic", "fixed"),
    ("glob", "tatar*", "glob"),
]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpora/tehrantimes"))
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS-engine.md"))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-nltk", action="store_true")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"bench_engine: {args.corpus} not found; skipping (it lives in ../shared, not in the repo)")
        return 0

    t = time.perf_counter()
    corpus = mediamon.read_corpus(args.corpus)
    load_s = time.perf_counter() - t
    docs = corpus.docs
    body_chars = int((docs.body_end - docs.body_start).sum())
    corpus.fingerprint  # hashed once; not part of the build time
    gc.collect()
    rss_before = rss_mb()
    texts, starts, ends, ids = docs["text"].tolist(), docs["body_start"].to_numpy(), docs["body_end"].to_numpy(), docs["doc_id"].tolist()
    t = time.perf_counter()
    ix = build_index(texts, starts, ends, fingerprint=corpus.fingerprint, doc_ids=ids, progress=False)
    build_s = time.perf_counter() - t
    peak = peak_mb()
    corpus.attach_index(ix)  # reuse it for the queries
    rows = [
        ("documents", f"{len(corpus):,}"),
        ("body text", f"{body_chars / 1e6:.1f} M characters"),
        ("load (read_corpus)", f"{load_s:.2f} s"),
        ("index build", f"{build_s:.2f} s = {body_chars / 1e6 / build_s:.1f} MB/s (target >= 8 MB/s)"),
        ("tokens / sentences / forms", f"{ix.n_tokens:,} / {ix.n_sents:,} / {len(ix.vocab):,}"),
        ("index resident size", f"{ix.nbytes / 1e6:.0f} MB = {ix.nbytes / ix.n_tokens:.1f} bytes/token (target <= 32)"),
        ("process RSS before build / peak", f"{rss_before:.0f} MB / {peak:.0f} MB"),
    ]

    # mediamon first, before NLTK's 15 million Python strings are alive (they would slow every
    # allocation-heavy step through the garbage collector, for both sides alike).
    ours = {}
    for label, pattern, match in QUERIES:
        ours[label] = median_time(lambda: mediamon.kwic(corpus, pattern, match=match, window=5), args.repeats)
    query_rows = []
    cindex = None
    if not args.skip_nltk:
        tokens = [ix.vocab[i] for i in ix.ids.tolist()]
        t = time.perf_counter()
        cindex = nltk.text.ConcordanceIndex(tokens)
        nltk_build = time.perf_counter() - t
        rows.append(("NLTK ConcordanceIndex build (same tokens)", f"{nltk_build:.2f} s"))
    for label, pattern, match in QUERIES:
        ours_s, kw = ours[label]
        hits = len(kw)
        nltk_cell, speedup = "n/a", ""
        if cindex is not None:
            if match == "glob":
                words = [w for w in ix.vocab if fnmatch.fnmatchcase(w, pattern)]

                def run_nltk():
                    return [line for w in words for line in cindex.find_concordance(w, width=80)]
            else:
                query = pattern.split() if " " in pattern else pattern

                def run_nltk():
                    return cindex.find_concordance(query, width=80)

            reps = max(1, min(args.repeats, 3 if hits > 10_000 else args.repeats))
            nltk_s, lines = median_time(run_nltk, reps)
            nltk_cell = f"{nltk_s * 1e3:.2f} ms ({len(lines):,} lines)"
            speedup = f"{nltk_s / ours_s:.1f}x"
        query_rows.append((label, f"`{pattern}`", f"{hits:,}", f"{ours_s * 1e3:.2f} ms", nltk_cell, speedup))

    lines = [
        "## Engine: index build and KWIC latency",
        "",
        f"Command: `.venv/bin/python bench/bench_engine.py --corpus {args.corpus}`  ",
        f"Machine: {platform.machine()}, {mediamon.__name__} {mediamon.__version__}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, nltk {nltk.__version__}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {a} | {b} |" for a, b in rows],
        "",
        "KWIC query latency, median of repeats, building the full result table (window 5); NLTK is",
        "`ConcordanceIndex.find_concordance` (what `concordance_list` returns) over the same tokens:",
        "",
        "| query | pattern | hits | mediamon | NLTK | speed-up |",
        "|---|---|---|---|---|---|",
        *[f"| {' | '.join(r)} |" for r in query_rows],
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
