"""Benchmark of loading at pathological sizes (issue 15, items 3, 5 and 12). Not a test: run by hand.

    .venv/bin/python bench/bench_loading.py [--files 100000] [--actors 10000] [--flood-mb 2]
                                            [--label after] [--out bench/RESULTS-loading.md]
                                            [--mediamon PATH]

Measures, each in a fresh child process (so its peak resident memory is its own):
1. ``read_corpus`` on a folder of N tiny ``.txt`` files (one short sentence each): wall time, time
   per file and peak RSS;
2. ``read_corpus`` on a JSON Lines file of F MB of bad lines (one good line, then ``{bad}`` lines):
   wall time, peak RSS and the number of manifest rows;
3. ``read_actors`` on a YAML file of A actors (id, name, kind, three aliases): wall time;
4. with ``--bombs``: a 9-level YAML alias bomb in front matter and in an actor file, and a Parquet
   file whose dictionary-encoded text decodes to 3 GB: time to refuse, and peak RSS.

``--mediamon PATH`` imports mediamon from another source tree (e.g. an export of the commit before
a change, ``git archive <rev> | tar -x -C /tmp/base``) so that before and after are measured by the
same script on the same machine. Results are appended to ``--out`` under ``--label``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys, time, warnings
sys.path.insert(0, sys.argv[1])
import mediamon as mm
import mediamon.actors, mediamon.readers  # imports are not part of the timed call
kind, path = sys.argv[2], sys.argv[3]
warnings.simplefilter("ignore")
t = time.perf_counter()
n = rows = None
error = ""
try:
    if kind == "actors":
        n = len(mm.read_actors(path))
    else:
        c = mm.read_corpus(path)
        n, rows = len(c), len(c.manifest)
        error = "; ".join(sorted(set(c.manifest.loc[c.manifest.status != "loaded", "reason"])))
        if not error and len(c.manifest) == 1:
            error = "loaded: " + c.manifest["message"].iloc[0].split(" (")[0]
except Exception as exc:
    error = type(exc).__name__
seconds = time.perf_counter() - t
# VmHWM is this process's own peak (ru_maxrss would include the parent's, inherited across exec)
with open("/proc/self/status") as fh:
    peak_mb = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": seconds, "n": n, "rows": rows, "peak_mb": peak_mb, "error": error}))
"""


def run_child(src: Path, kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(src), kind, str(path)], check=True,
                         capture_output=True, text=True, env={**os.environ, "MEDIAMON_REPORT_DIR": "bench"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_files(folder: Path, n: int) -> int:
    folder.mkdir(parents=True)
    total = 0
    for i in range(n):
        sub = folder / f"{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir()
        data = f"Article {i}: Raisi met Putin in Kazan on day {i}.\n".encode()
        (sub / f"{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


def make_flood(path: Path, mb: float) -> int:
    line = b"{bad}\n"
    n = int(mb * 1024 * 1024) // len(line)
    path.write_bytes(b'{"text": "The one good line."}\n' + line * n)
    return n + 1


def make_actors(path: Path, n: int) -> None:
    lines = []
    for i in range(n):
        lines.append(f"- id: actor{i}\n  name: Actor Number{i}\n  kind: person\n"
                     f"  aliases: [Actor Number{i}, Number{i}, A{i} Number{i}]\n")
    path.write_text("".join(lines), encoding="utf-8")


def laughs(levels: int, indent: str = "") -> str:
    """Billion-laughs anchors: level k holds nine aliases of level k-1 (9**k strings)."""
    out = [f'{indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    out += [f"{indent}l{k}: &l{k} [" + ",".join([f"*l{k - 1}"] * 9) + "]" for k in range(1, levels + 1)]
    return "\n".join(out) + "\n"


def make_bombs(folder: Path) -> dict[str, Path]:
    """A 9-level alias bomb in an actor file and in front matter, and a Parquet dictionary bomb."""
    # only this fixture writes Parquet
    import pyarrow as pa
    import pyarrow.parquet as pq

    (folder / "fm").mkdir(parents=True)
    (folder / "fm" / "bomb.txt").write_text("---\n" + laughs(9) + "---\nThe body.\n", encoding="utf-8")
    (folder / "actors-bomb.yaml").write_text("- id: a\n  name: A\n" + laughs(9, "  "), encoding="utf-8")
    (folder / "pq").mkdir()
    # one 1,000,000-character value 3,000 times: 3 GB once decoded, a few KB on disk (written as a
    # dictionary, so it is never expanded here either)
    text = pa.DictionaryArray.from_arrays(pa.array([0] * 3_000, pa.int32()), pa.array(["x" * 1_000_000]))
    pq.write_table(pa.table({"text": text}), folder / "pq" / "bomb.parquet", compression="zstd")
    return {"front matter alias bomb (9 levels)": folder / "fm",
            "actor file alias bomb (9 levels)": folder / "actors-bomb.yaml",
            "Parquet dictionary bomb (3 GB decoded)": folder / "pq"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--actors", type=int, default=10_000)
    ap.add_argument("--flood-mb", type=float, default=2.0)
    ap.add_argument("--label", default="after")
    ap.add_argument("--bombs", action="store_true",
                    help="also time alias and Parquet bombs (the code before issue 15 needs minutes and GBs)")
    ap.add_argument("--mediamon", default=str(ROOT), help="source tree to import mediamon from")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-loading.md"))
    args = ap.parse_args()
    src = Path(args.mediamon).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="mm-bench-loading-"))
    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    try:
        say(f"## {args.label} (mediamon from `{src}`)")
        say()
        say(f"Machine: {platform.platform()}, Python {platform.python_version()}; "
            f"{time.strftime('%Y-%m-%d %H:%M')}.")
        say()
        say("| case | size | wall time (s) | per item | peak RSS (MB) | documents | manifest rows |")
        say("|---|---|---|---|---|---|---|")
        if args.files:
            nbytes = make_files(tmp / "tiny", args.files)
            r = run_child(src, "corpus", tmp / "tiny")
            say(f"| {args.files:,} tiny .txt files | {nbytes / 1e6:.1f} MB | {r['seconds']:.2f} | "
                f"{1000 * r['seconds'] / args.files:.3f} ms/file | {r['peak_mb']:.0f} | {r['n']:,} | {r['rows']:,} |")
            shutil.rmtree(tmp / "tiny")
        if args.flood_mb:
            n = make_flood(tmp / "flood.jsonl", args.flood_mb)
            r = run_child(src, "corpus", tmp / "flood.jsonl")
            say(f"| JSONL flood, {n:,} lines (1 good) | {args.flood_mb:g} MB | {r['seconds']:.2f} | "
                f"{1e6 * r['seconds'] / n:.2f} µs/line | {r['peak_mb']:.0f} | {r['n']:,} | {r['rows']:,} |")
        if args.actors:
            make_actors(tmp / "actors.yaml", args.actors)
            r = run_child(src, "actors", tmp / "actors.yaml")
            size = (tmp / "actors.yaml").stat().st_size
            say(f"| read_actors, {args.actors:,} actors | {size / 1e6:.1f} MB | {r['seconds']:.2f} | "
                f"{1000 * r['seconds'] / args.actors:.3f} ms/actor | {r['peak_mb']:.0f} | {r['n']:,} | |")
        if args.bombs:
            for label, path in make_bombs(tmp / "bombs").items():
                kind = "actors" if path.suffix == ".yaml" else "corpus"
                r = run_child(src, kind, path)
                size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir()))
                outcome = r["error"] or "loaded"
                say(f"| {label} | {size:,} B | {r['seconds']:.3f} | outcome: {outcome} | {r['peak_mb']:.0f} | "
                    f"{r['n'] if r['n'] is not None else '-'} | {r['rows'] if r['rows'] is not None else '-'} |")
        say()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = Path(args.out)
    head = "" if out.exists() else (
        "# Loading benchmark (bench/bench_loading.py)\n\n"
        "Each row is one call in a fresh child process, imports done before the clock starts; peak "
        "RSS is that process's own maximum resident memory (VmHWM; the interpreter and imports alone "
        "take about 110-130 MB). Each section below names the command's label and source tree.\n\n"
    )
    with out.open("a", encoding="utf-8") as fh:
        fh.write(head + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
