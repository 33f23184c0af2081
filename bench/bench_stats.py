"""Benchmark of the statistics layer (issue 11). Not a test: run by hand.

    .venv/bin/python bench/bench_stats.py [--out bench/RESULTS-stats.md]

Synthetic, seeded inputs of the sizes the analyses meet, so it needs no corpus (``--corpus`` is
accepted and ignored, for ``bench/run.py``):

1. keyness of a 200,000-word vocabulary (Zipf counts: a 5 M-token target against an 80 M-token
   reference), each measure alone and the full ``keyness_table`` with and without Fisher's test;
2. Kleinberg burst detection of 20 actors over 300 periods (2 and 3 states) and the rolling-baseline
   test on the same counts;
3. association with intervals and the rise test for the 190 pairs of 20 actors over 300 periods.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchkit import Report  # noqa: E402 -- bench/, the script's own folder

from mediamon.stats import keyness as K  # noqa: E402
from mediamon.stats.adjust import adjust_pvalues  # noqa: E402
from mediamon.stats.bursts import baseline_test, kleinberg  # noqa: E402
from mediamon.stats.trends import association_ci, association_rise  # noqa: E402


def best_ms(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs, in milliseconds, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return 1e3 * min(times), out


def zipf_vocabulary(rng: np.random.Generator, words: int, tokens: int, exponent: float) -> np.ndarray:
    """Counts of ``words`` types whose expected frequencies follow Zipf's law, summing to ~``tokens``."""
    weights = 1.0 / np.arange(1, words + 1) ** exponent
    return rng.poisson(tokens * weights / weights.sum()).astype(np.float64)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-stats.md"))
    ap.add_argument("--corpus", default=None, help="ignored (the inputs are synthetic)")
    args = ap.parse_args()
    say = Report()

    rng = np.random.default_rng(20021)
    say("# Statistics layer benchmark (bench/bench_stats.py)")
    say()
    say(f"Machine: {platform.platform()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, pandas {pd.__version__}. Times are the best of 5 runs, in milliseconds; "
        "inputs are synthetic and seeded (no corpus needed).")  # fmt: skip
    say()

    # 1. keyness -----------------------------------------------------------------------------------
    words = 200_000
    a = zipf_vocabulary(rng, words, 5_000_000, 1.05)
    # the reference shares the vocabulary with its own noise and a few hundred topical shifts
    b = zipf_vocabulary(rng, words, 80_000_000, 1.05)
    shifted = rng.choice(words, 300, replace=False)
    a[shifted] *= rng.uniform(2, 8, 300)
    a = np.round(a)
    keep = (a + b) > 0
    a, b = a[keep], b[keep]
    c, d = float(a.sum()), float(b.sum())
    say(f"## 1. Keyness of a {a.size:,}-word vocabulary")
    say()
    say(f"Target {c:,.0f} tokens, reference {d:,.0f} tokens (Zipf exponent 1.05, 300 topical words x2-x8).")
    say()
    say("| computation | ms |")
    say("|---|---|")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("chi2 (Yates)", lambda: K.chi2(a, b, c, d)),
        ("g2", lambda: K.g2(a, b, c, d)),
        ("g2 (Williams)", lambda: K.g2(a, b, c, d, correction="williams")),
        ("log_ratio", lambda: K.log_ratio(a, b, c, d)),
        ("log_ratio_ci (Wilson)", lambda: K.log_ratio_ci(a, b, c, d)),
        ("log_ratio_ci (exact)", lambda: K.log_ratio_ci(a, b, c, d, method="exact")),
        ("pct_diff + simple_maths", lambda: (K.pct_diff(a, b, c, d), K.simple_maths(a, b, c, d))),
        ("chi2 p-values + BH adjustment", lambda: adjust_pvalues(K.chi2_pvalue(K.chi2(a, b, c, d)))),
        ("fisher_p, two-sided", lambda: K.fisher_p(a, b, c, d)),
        ("fisher_p, one-sided (greater)", lambda: K.fisher_p(a, b, c, d, alternative="greater")),
        ("keyness_table (default: no Fisher)", lambda: K.keyness_table(a, b, c, d)),
        ("keyness_table with Fisher", lambda: K.keyness_table(a, b, c, d, fisher=True)),
    ]
    results = {}
    for name, fn in cases:
        ms, out = best_ms(fn, repeat=3 if "fisher" in name.lower() else 5)
        results[name] = out
        say(f"| {name} | {ms:.1f} |")
    tab = results["keyness_table with Fisher"]
    assert isinstance(tab, pd.DataFrame)
    top = tab.sort_values("g2", ascending=False).head(300)
    found = np.isin(np.flatnonzero(keep)[top.index.to_numpy()], shifted).mean()
    say()
    say(f"Sanity: {100 * found:.0f}% of the 300 top words by signed G² are the planted topical words; "
        f"{int((tab.g2_p_adj < 0.05).sum()):,} words significant after BH at 0.05.")  # fmt: skip
    say()

    # 2. bursts ------------------------------------------------------------------------------------
    actors, periods = 20, 300
    docs = rng.integers(300, 600, periods).astype(np.float64)
    docs[rng.choice(periods, 6, replace=False)] = 0  # periods without data
    base_share = rng.uniform(0.005, 0.08, actors)[:, None]
    share = np.repeat(base_share, periods, axis=1)
    for i in range(actors):  # two planted bursts per actor
        for start in rng.choice(periods - 10, 2, replace=False):
            share[i, start : start + rng.integers(2, 8)] *= rng.uniform(2.5, 5)
    counts = rng.binomial(docs.astype(np.int64), np.minimum(share, 0.9)).astype(np.float64)
    say(f"## 2. Bursts of {actors} actors over {periods} periods")
    say()
    say("| computation | ms |")
    say("|---|---|")
    ms, res = best_ms(lambda: kleinberg(counts, docs))
    say(f"| kleinberg, 2 states (s=2, gamma=1) | {ms:.1f} |")
    ms, res3 = best_ms(lambda: kleinberg(counts, docs, levels=2))
    say(f"| kleinberg, 3 states | {ms:.1f} |")
    ms, base = best_ms(lambda: baseline_test(counts, docs, window=8))
    say(f"| baseline_test, binomial, window 8, BH | {ms:.1f} |")
    ms, _ = best_ms(lambda: baseline_test(counts, docs, window=8, method="poisson"))
    say(f"| baseline_test, Poisson with exposure | {ms:.1f} |")
    say()
    say(f"Sanity: {len(res.bursts)} bursts at level 1 ({len(res3.bursts)} rows with 3 states); "
        f"{int(np.nansum(base['p_adjusted'] < 0.05))} periods flagged by the baseline test.")  # fmt: skip
    say()

    # 3. pair trends -------------------------------------------------------------------------------
    pairs = actors * (actors - 1) // 2
    units = np.repeat(docs[None, :] * 20, pairs, axis=0)  # sentences per period
    n_a = rng.binomial(units.astype(np.int64), 0.01).astype(np.float64)
    n_b = rng.binomial(units.astype(np.int64), 0.01).astype(np.float64)
    joint = np.minimum(n_a, n_b)
    n_ab = rng.binomial(joint.astype(np.int64), 0.05).astype(np.float64)
    say(f"## 3. Pair trends: {pairs} pairs over {periods} periods")
    say()
    say("| computation | ms |")
    say("|---|---|")
    ms, _ = best_ms(lambda: association_ci(n_ab, n_a, n_b, units))
    say(f"| association_ci (npmi, log_dice, G² with Wilson intervals) | {ms:.1f} |")
    ms, rise = best_ms(lambda: association_rise(n_ab, n_a, n_b, units, window=8))
    say(f"| association_rise, window 8, BH | {ms:.1f} |")
    say()
    say(f"Sanity: {int(np.nansum(rise['p_adjusted'] < 0.05))} of {int(np.sum(~np.isnan(rise['p_value'])))} "
        "tested pair-periods flagged (none planted: the false discoveries at q = 0.05).")  # fmt: skip
    say.write(args.out)
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
