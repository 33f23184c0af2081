"""Benchmark of co-occurrence and collocates (issue 4). Not a test: run by hand.

    .venv/bin/python bench/bench_cooc.py [--corpus ../shared/corpora/tehrantimes] [--out bench/RESULTS-cooc.md]

Measures, after the token index is built (index build times are reported apart):
1. sentence-level co-occurrence of 20 actors at 1x and 4x the corpus (mention matching and the
   counting itself, reported separately);
2. window-5 collocates of "raisi";
3. the full window-5 association table (every word pair, llr) on a ~2 MB slice, against NLTK's
   BigramCollocationFinder.from_words(window_size=5) + score_ngrams/nbest, with the top 50 compared.
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
from mediamon.actors import ActorSet  # noqa: E402
from mediamon.analysis.collocates import collocates, word_pairs  # noqa: E402
from mediamon.analysis.cooc import cooccurrence  # noqa: E402

EXTRA_ACTORS = [
    {"id": "khamenei", "name": "Ali Khamenei", "kind": "person", "aliases": ["Khamenei", "Ayatollah Khamenei"]},
    {"id": "zarif", "name": "Mohammad Javad Zarif", "kind": "person", "aliases": ["Zarif"]},
    {"id": "lavrov", "name": "Sergei Lavrov", "kind": "person", "aliases": ["Lavrov"]},
    {"id": "erdogan", "name": "Recep Tayyip Erdogan", "kind": "person", "aliases": ["Erdogan"]},
]


def actors20() -> ActorSet:
    base = list(mm.read_actors(ROOT / "corpora" / "actors.yaml"))
    extra = list(mm.read_actors(EXTRA_ACTORS))
    return ActorSet(base + extra)


def times_k(corpus: mm.Corpus, k: int) -> mm.Corpus:
    parts = []
    for i in range(k):
        d = corpus.docs.copy()
        d["doc_id"] = d["doc_id"].astype(str) + f"#{i}"
        parts.append(d)
    return mm.Corpus(pd.concat(parts, ignore_index=True), name=f"{corpus.name}x{k}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "tehrantimes"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-cooc.md"))
    ap.add_argument("--slice-mb", type=float, default=2.0)
    args = ap.parse_args()
    say = Report()

    say("# Co-occurrence and collocates benchmark (bench/bench_cooc.py)")
    say()
    say(f"Machine: {platform.platform()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}.  Times are the best of 3 runs unless noted.")  # fmt: skip
    say()
    t = time.perf_counter()
    base = mm.read_corpus(args.corpus)
    mb = base.docs["text"].str.len().sum() / 1e6
    say(f"Corpus: `{args.corpus}`: {len(base):,} documents, {mb:.1f} M characters "
        f"(read in {time.perf_counter() - t:.1f} s).")  # fmt: skip
    actors = actors20()
    say(f"Actors: {len(actors)} ({', '.join(actors.ids)}).")
    say()
    say("## 1. Sentence-level co-occurrence of 20 actors")
    say()
    say("| corpus | tokens | sentences | index build (s) | mentions() (s) | cooccurrence() given mentions (s) | cooccurrence() from actors (s) | pairs |")
    say("|---|---|---|---|---|---|---|---|")
    results = {}
    for k in (1, 4):
        corpus = base if k == 1 else times_k(base, k)
        t = time.perf_counter()
        ix = mm.index(corpus)
        build = time.perf_counter() - t
        t_m, ments = best_of(lambda: mm.mentions(corpus, actors))
        t_c, res = best_of(lambda: cooccurrence(corpus, ments, unit="sentence"))
        t_all, _ = best_of(lambda: cooccurrence(corpus, actors, unit="sentence"), repeat=1)
        results[k] = (t_c, t_all, res)
        say(f"| {k}x | {ix.n_tokens:,} | {ix.n_sents:,} | {build:.1f} | {t_m:.3f} | {t_c:.3f} | {t_all:.3f} | {len(res.df):,} |")
        if k == 1:
            t_col, col = best_of(lambda: collocates(corpus, "raisi", window=5), repeat=5)
            t_col_llr, _ = best_of(lambda: collocates(corpus, "raisi", window=5, measure="llr"), repeat=5)
            col_result = (t_col, t_col_llr, col)
            top = res.df.head(3)[["a", "b", "n_ab"]].values.tolist()
    say()
    c1, c4 = results[1][0], results[4][0]
    say(f"Counting scales {c4 / c1:.2f}x from 1x to 4x (linear would be 4x). Top pairs at 1x: {top}.")
    a1, a4 = results[1][1], results[4][1]
    say(f"With mention matching included: {a1:.3f} s at 1x, {a4:.3f} s at 4x ({a4 / a1:.2f}x).")
    say()
    say("## 2. Window-5 collocates of \"raisi\" (1x)")
    say()
    t_col, t_col_llr, col = col_result
    say(f"{col.params['hits']:,} hits; {len(col.df):,} collocates; log_dice: {t_col * 1000:.1f} ms; "
        f"llr: {t_col_llr * 1000:.1f} ms (best of 5).  Top 10: {col.df['collocate'].head(10).tolist()}")  # fmt: skip
    say()
    say(f"## 3. Full window-5 association table vs NLTK on a {args.slice_mb:g} MB slice")
    say()
    lengths = base.docs["text"].str.len().to_numpy()
    n_docs = int(np.searchsorted(np.cumsum(lengths), args.slice_mb * 1e6)) + 1
    small = base.head(n_docs)
    t = time.perf_counter()
    six = mm.index(small)
    build = time.perf_counter() - t
    t_ours, table = best_of(lambda: word_pairs(small, window=5, measure="llr", min_count=1))
    vocab = np.asarray(six.vocab, dtype=object)
    stream: list = []
    for d in range(six.n_docs):
        stream.extend(vocab[six.ids[six.doc_offsets[d] : six.doc_offsets[d + 1]]].tolist())
        stream.extend([None] * 4)
    # NLTK is the reference, loaded only when the comparison is not skipped (--skip-nltk)
    from nltk.collocations import BigramCollocationFinder
    from nltk.metrics.association import BigramAssocMeasures as BAM

    t = time.perf_counter()
    finder = BigramCollocationFinder.from_words(stream, window_size=5)
    t_count = time.perf_counter() - t
    t = time.perf_counter()
    nbest = finder.nbest(BAM.likelihood_ratio, 50)
    t_score = time.perf_counter() - t
    t_nltk = t_count + t_score
    ours50 = list(zip(table["w1"].head(50), table["w2"].head(50)))
    same = ours50 == nbest
    say(f"Slice: {n_docs:,} documents, {lengths[:n_docs].sum() / 1e6:.2f} M characters, {six.n_tokens:,} tokens "
        f"(index built in {build:.2f} s); {len(table):,} distinct pairs.")  # fmt: skip
    say()
    say("| | time (s) |")
    say("|---|---|")
    say(f"| mediamon `word_pairs(window=5, measure='llr')` | {t_ours:.3f} |")
    say(f"| NLTK `from_words(window_size=5)` | {t_count:.3f} |")
    say(f"| NLTK `nbest(likelihood_ratio, 50)` | {t_score:.3f} |")
    say(f"| NLTK total | {t_nltk:.3f} |")
    say()
    say(f"Speed-up: {t_nltk / t_ours:.0f}x (target >= 50x). Same top 50 as NLTK: {same}.")
    if not same:
        diff = [i for i, (a, b) in enumerate(zip(ours50, nbest)) if a != b]
        say(f"First difference at rank {diff[0] if diff else '?'}: ours {ours50[diff[0]] if diff else ''}, "
            f"NLTK {nbest[diff[0]] if diff else ''}")  # fmt: skip
    say()
    say("## Targets")
    say()
    say(f"- co-occurrence counting <= 0.5 s at 1x: {c1:.3f} s; <= 2 s at 4x: {c4:.3f} s; "
        f"with mention matching {a1:.3f} s / {a4:.3f} s")  # fmt: skip
    say(f"- collocates of \"raisi\" <= 100 ms: {t_col * 1000:.1f} ms")
    say(f"- association table >= 50x NLTK: {t_nltk / t_ours:.0f}x, same top 50: {same}")
    say.write(args.out)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
