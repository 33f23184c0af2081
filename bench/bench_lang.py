"""Benchmark of language detection (mediamon.lang, issue 13). Not a test: run by hand.

    .venv/bin/python bench/bench_lang.py [--corpus ../shared/corpora/tehrantimes] [--out bench/RESULTS-lang.md]

Measures, on a corpus without a language field (every document is detected):
1. the time of ``read_corpus`` (the loading that detection must not dominate);
2. ``detect_languages`` at several prefix lengths, best of 3, and its share of the loading time;
3. py3langid's own per-document ``classify`` on the same prefixes (a 5,000-document slice,
   extrapolated), and how often the two disagree (they should not: same model, same rule);
4. the codes found.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchkit import best_of  # noqa: E402 -- bench/, the script's own folder

from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: E402  (the reference)

import mediamon as mm  # noqa: E402
from mediamon import lang  # noqa: E402
from mediamon.lang import DEFAULT_PREFIX_CHARS, TO_ISO639_1, detect_languages  # noqa: E402

PREFIXES = (100, 200, 300, 500, 1000)
SLICE = 5000


def py3langid_codes(texts: list[str], prefix: int) -> list[str]:
    """py3langid's classify per document, its probabilities folded into codes as mediamon does."""
    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    out = []
    for t in texts:
        per_code: Counter[str] = Counter()
        for code, p in ident.rank(t[:prefix]):
            per_code[TO_ISO639_1.get(code, code)] += p
        out.append(per_code.most_common(1)[0][0])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "tehrantimes")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS-lang.md")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"{args.corpus} not found; nothing measured")
        return 0
    load_s, corpus = best_of(lambda: mm.read_corpus(args.corpus), repeat=2)
    texts = corpus.docs["text"].tolist()
    chars = sum(map(len, texts))
    detect_languages(texts[:10])  # load the model once (reported apart)
    t = time.perf_counter()
    lang._model.cache_clear()  # model load time, measured on a fresh cache
    lang._model()
    model_s = time.perf_counter() - t

    lines = [
        "# Language detection benchmark (bench/bench_lang.py)",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}. Times are the best of 3 runs unless noted.",
        "",
        f"Corpus: `{args.corpus}`: {len(texts):,} documents, {chars / 1e6:.1f} M characters; "
        f"`read_corpus` {load_s:.2f} s (best of 2). Model load (once per process): {model_s:.2f} s.",
        "",
        "| prefix (chars) | detect_languages (s) | share of read_corpus | docs/s | "
        f"py3langid per document, extrapolated (s) | disagreements on {SLICE:,} docs | codes |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for prefix in PREFIXES:
        secs, codes = best_of(lambda: detect_languages(texts, prefix_chars=prefix))
        sub = texts[:SLICE]
        ref_s, ref = best_of(lambda: py3langid_codes(sub, prefix), repeat=1)
        ours = detect_languages(sub, prefix_chars=prefix, min_confidence=0.0)
        disagree = int(sum(a != b for a, b in zip(ours, ref)))
        found = ", ".join(f"{c} {n:,}" for c, n in Counter(codes.tolist()).most_common(4))
        mark = " (default)" if prefix == DEFAULT_PREFIX_CHARS else ""
        lines.append(
            f"| {prefix}{mark} | {secs:.3f} | {secs / load_s:.0%} | {len(texts) / secs:,.0f} | "
            f"{ref_s * len(texts) / len(sub):.1f} | {disagree} | {found} |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        "`und` = fewer letters than the classifier can judge, or a posterior below 0.5 "
        "(e.g. one-line items such as a caption). Disagreements compare the best code with "
        "`min_confidence=0` against py3langid's `rank`, folded into the same codes.",
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
