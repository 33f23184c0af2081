"""Memory per stage and build throughput (issue 14, targets 1 and 3). Not a test: run by hand.

    .venv/bin/python bench/bench_memory.py [--corpus ../shared/corpora/tehrantimes]
        [--tree branch=. --tree main=/work/main] [--builds 3] [--ingest-factors 1 16]
        [--work /tmp/mm-bench-memory] [--out bench/RESULTS-memory.md]

Every configuration runs in a fresh child process (``PYTHONPATH`` = the tree named, so one script
measures this checkout and another one side by side):

``pipeline``
    the stages a notebook runs, one after the other: ``import`` (mediamon, the analyses, the 20
    actors of ``bench_scale.py``), ``read`` (``read_corpus`` of the corpus, default options),
    ``index`` (``corpus.index``: the default ``"news"`` sentence model and worker processes) and
    ``cooc`` (sentence co-occurrence of the 20 actors). For each stage: the child's own exact peak
    (VmHWM, reset at the start of the stage through ``/proc/self/clear_refs``), and the peak of the
    whole process tree (forked index workers included) sampled by the parent with psutil every
    20 ms: resident set size (RSS, shared pages counted once per process) and proportional set
    size (PSS, shared pages divided among the processes sharing them: the memory the tree really
    holds).
``build``
    ``build_index`` of the corpus's article bodies, *builds* times (median), with the default
    workers and with one worker: MB/s = characters of article body per second, sentence
    splitting included (as ``bench_engine.py`` counts them).
``ingest``
    ``mediamon.ingest`` of the corpus replicated F times (``bench_scale.replicate``: fresh ids,
    gzip JSON Lines; shards of 64 MB of text, ``dedupe=False``): seconds, MB/s of text, the tree's
    peak RSS/PSS and its RSS at each quarter of the run (flat memory: the same at 1x and 16x).

Results go to ``--out`` with the command. The machine has 2 cores shared with other developers:
times are noisy, so compare trees measured in the same run.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from proctree import run_sampled  # noqa: E402 -- the script's own folder, put on the path above
STAGES = ("import", "read", "index", "cooc")
_LIBC = ctypes.CDLL("libc.so.6")  # malloc_trim: glibc's, this benchmark runs on Linux only (/proc)


# ---------------------------------------------------------------------------------------------
# child side
# ---------------------------------------------------------------------------------------------
def _status() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB (10**6 bytes)."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024 / 1e6
    return out


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as fh:  # "5": reset VmHWM to the current RSS
        fh.write("5")


class _Stages:
    """Wall-clock windows and the exact own peak of each stage."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def run(self, name: str, fn):
        _reset_peak()
        t0, w0 = time.perf_counter(), time.time()
        out = fn()
        st = _status()
        row = {"stage": name, "seconds": time.perf_counter() - t0, "t0": w0, "t1": time.time(),
               "own_peak_mb": st["VmHWM"], "own_end_mb": st["VmRSS"]}  # fmt: skip
        # What the stage really keeps: the allocator holds freed pages until asked to give them back.
        gc.collect()
        pa.default_memory_pool().release_unused()
        _LIBC.malloc_trim(0)
        row["own_kept_mb"] = _status()["VmRSS"]
        self.rows.append(row)
        return out


def _actors():
    import yaml  # child only: the parent must not import the tree it measures

    import mediamon as mm  # child only (see above)

    saved = list(sys.path)
    from bench_scale import EXTRA_ACTORS  # child only (see above)

    sys.path[:] = saved  # bench_scale puts this tree first; the tree measured must stay the one imported

    base = yaml.safe_load((ROOT / "corpora" / "actors.yaml").read_text(encoding="utf-8"))
    return mm.read_actors(base + EXTRA_ACTORS)


def child_pipeline(args: argparse.Namespace) -> dict:
    stages = _Stages()

    def imports():
        import mediamon as mm  # child only (see _actors)
        from mediamon import readers, tokenindex  # noqa: F401 -- child only: counted in the import stage
        from mediamon.analysis import cooc  # noqa: F401 -- child only (see above)

        return mm, _actors()

    mm, actors = stages.run("import", imports)
    corpus = stages.run("read", lambda: mm.read_corpus(args.corpus, progress=False))
    ix = stages.run("index", lambda: corpus.index)
    co = stages.run("cooc", lambda: mm.cooccurrence(corpus, actors, unit="sentence"))
    docs = corpus.docs
    text_bytes = int(sum(len(t.encode("utf-8", "surrogatepass")) for t in docs["text"]))
    return {
        "stages": stages.rows, "mediamon": mm.__file__, "documents": len(docs), "text_bytes": text_bytes,
        "tokens": ix.n_tokens, "index_bytes": ix.nbytes, "pairs": len(co.df), "sentences": int(co.n),
        "dtypes": {c: str(t) for c, t in docs.dtypes.items()},
    }  # fmt: skip


def child_build(args: argparse.Namespace) -> dict:
    import mediamon as mm  # child only (see _actors)
    from mediamon.indexbuild import build_index  # child only (see _actors)

    corpus = mm.read_corpus(args.corpus, progress=False)
    docs = corpus.docs
    body = int((docs["body_end"] - docs["body_start"]).sum())
    fp = corpus.fingerprint
    texts = corpus.column_values("text")
    out = {"mediamon": mm.__file__, "body_chars": body}
    for label, workers in (("default workers", None), ("1 worker", 1)):
        times = []
        for _ in range(args.builds):
            t0 = time.perf_counter()
            ix = build_index(texts, docs["body_start"].to_numpy(), docs["body_end"].to_numpy(), fingerprint=fp,
                             doc_ids=docs["doc_id"].tolist(), langs=docs["lang"].tolist(), progress=False,
                             workers=workers)  # fmt: skip
            times.append(time.perf_counter() - t0)
            out["tokens"] = ix.n_tokens
            del ix
        out[label] = times
    return out


def child_ingest(args: argparse.Namespace) -> dict:
    import logging  # child only (see _actors)

    import mediamon as mm  # child only (see _actors)
    from mediamon.ingestion import ingest  # child only (see _actors)

    logging.getLogger("mediamon").setLevel(logging.ERROR)
    t0, w0 = time.perf_counter(), time.time()
    store = ingest(args.input, args.store, shard_size="64MB", dedupe=False, overwrite=True, progress=False)
    secs = time.perf_counter() - t0
    return {"mediamon": mm.__file__, "seconds": secs, "t0": w0, "t1": time.time(), "documents": len(store),
            "shards": store.n_shards, "text_mb": sum(s.text_bytes for s in store.shards) / 1e6}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------------------------
def run_child(tree: Path, kind: str, **kw: object) -> tuple[dict, list[tuple[float, float, float]]]:
    """Run one configuration in a fresh process; return its result and (time, tree RSS, tree PSS) samples (MB)."""
    cmd = [sys.executable, __file__, "--child", kind] + [x for k, v in kw.items() for x in (f"--{k}", str(v))]
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONWARNINGS="ignore", TQDM_DISABLE="1")
    run = run_sampled(cmd, env=env, cwd=tree, interval=0.02, with_pss=True)
    if run.returncode != 0:
        raise RuntimeError(f"{kind} on {tree} failed:\n{run.stderr[-3000:]}")
    samples = [(t, rss / 1e6, pss / 1e6) for t, rss, pss, _ in run.samples]
    return json.loads(run.stdout.strip().splitlines()[-1]), samples


def _window_peak(samples: list[tuple[float, float, float]], t0: float, t1: float) -> tuple[float, float]:
    inside = [s for s in samples if t0 <= s[0] <= t1] or [min(samples, key=lambda s: abs(s[0] - t1))]
    return max(s[1] for s in inside), max(s[2] for s in inside)


def pipeline_section(label: str, res: dict, samples: list) -> list[str]:
    text_mb = res["text_bytes"] / 1e6
    lines = [
        f"### {label}: read + index + cooc (`{res['mediamon']}`)",
        "",
        f"{res['documents']:,} documents, {text_mb:.1f} MB of text (UTF-8), {res['tokens']:,} tokens, index "
        f"{res['index_bytes'] / 1e6:.0f} MB = {res['index_bytes'] / res['tokens']:.1f} bytes/token; "
        f"{res['pairs']} pairs over {res['sentences']:,} sentences.",
        "",
        "| stage | seconds | own peak MB (x text) | own RSS at end MB | kept MB (after malloc_trim) | tree peak RSS MB | tree peak PSS MB (x text) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    prev_end = None
    for row in res["stages"]:
        rss, pss = _window_peak(samples, row["t0"], row["t1"])
        grow = f"; +{row['own_peak_mb'] - prev_end:.0f} over the stage's start" if prev_end is not None else ""
        lines.append(
            f"| {row['stage']} | {row['seconds']:.2f} | {row['own_peak_mb']:.0f} ({row['own_peak_mb'] / text_mb:.1f}x{grow}) "
            f"| {row['own_end_mb']:.0f} | {row['own_kept_mb']:.0f} | {rss:.0f} | {pss:.0f} ({pss / text_mb:.1f}x) |"
        )
        prev_end = row["own_end_mb"]
    overall = max(r["own_peak_mb"] for r in res["stages"])
    tree_pss = max(s[2] for s in samples)
    tree_rss = max(s[1] for s in samples)
    lines += ["", f"Whole run: own peak {overall:.0f} MB ({overall / text_mb:.1f}x the text), tree peak RSS "
              f"{tree_rss:.0f} MB, tree peak PSS {tree_pss:.0f} MB ({tree_pss / text_mb:.1f}x).", ""]  # fmt: skip
    return lines


def build_section(label: str, res: dict) -> list[str]:
    body = res["body_chars"] / 1e6
    lines = [f"### {label}: index build (`{res['mediamon']}`)", "",
             f"{body:.1f} M characters of article body, {res['tokens']:,} tokens.", "",
             "| workers | seconds (each run) | median MB/s |", "|---|---|---:|"]  # fmt: skip
    for key in ("default workers", "1 worker"):
        times = res[key]
        lines.append(f"| {key} | {', '.join(f'{t:.2f}' for t in times)} | {body / statistics.median(times):.1f} |")
    return lines + [""]


def ingest_section(label: str, factor: int, res: dict, samples: list) -> str:
    run = [s for s in samples if res["t0"] <= s[0] <= res["t1"]] or samples
    quarters = [run[min(len(run) - 1, int(q * len(run)))][1] for q in (0.25, 0.5, 0.75, 1.0)]
    return (f"| {label} | {factor}x | {res['documents']:,} | {res['text_mb']:,.0f} | {res['shards']} | "
            f"{res['seconds']:.1f} | {res['text_mb'] / res['seconds']:.2f} | {max(s[1] for s in run):.0f} | "
            f"{max(s[2] for s in run):.0f} | {' / '.join(f'{q:.0f}' for q in quarters)} |")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "tehrantimes"))
    ap.add_argument("--tree", action="append", default=[], help="LABEL=PATH of a mediamon checkout (repeatable)")
    ap.add_argument("--builds", type=int, default=3)
    ap.add_argument("--ingest-factors", type=int, nargs="*", default=[])
    ap.add_argument("--skip", nargs="*", default=[], choices=["pipeline", "build"])
    ap.add_argument("--work", default="/tmp/mm-bench-memory")
    ap.add_argument("--input")
    ap.add_argument("--store")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS-memory.md")
    args = ap.parse_args()
    if args.child:
        fn = {"pipeline": child_pipeline, "build": child_build, "ingest": child_ingest}[args.child]
        print(json.dumps(fn(args)))
        return 0
    corpus = Path(args.corpus).resolve()
    if not corpus.exists():
        print(f"bench_memory: {corpus} not found; skipping (it lives in ../shared, not in the repo)")
        return 0
    trees = [(t.partition("=")[0], Path(t.partition("=")[2]).resolve()) for t in args.tree] or [("this tree", ROOT)]
    command = " ".join(["bench/bench_memory.py", *sys.argv[1:]])
    lines = [
        "# Memory per stage and build throughput (bench/bench_memory.py)",
        "",
        f"Command: `.venv/bin/python {command}`  ",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Other developers share the 2 cores: times are noisy.",
        "",
        "MB = 10^6 bytes. 'x text' = divided by the UTF-8 bytes of the loaded texts. Own peak: the child's "
        "exact VmHWM, reset at each stage's start (so a stage's peak includes what earlier stages left). Kept: "
        "the child's RSS after the stage once freed memory is handed back (gc, Arrow's pool, glibc malloc_trim). "
        "Tree: the child and its forked index workers, sampled every 20 ms; PSS counts a page shared by n "
        "processes as 1/n in each (RSS counts it n times).",
        "",
    ]
    for label, tree in trees:
        if "pipeline" not in args.skip:
            res, samples = run_child(tree, "pipeline", corpus=corpus)
            lines += pipeline_section(label, res, samples)
            print("\n".join(lines[-12:]), flush=True)
        if "build" not in args.skip:
            res, _ = run_child(tree, "build", corpus=corpus, builds=args.builds)
            lines += build_section(label, res)
            print("\n".join(lines[-6:]), flush=True)
    if args.ingest_factors:
        from bench_scale import replicate  # only its data copier: no mediamon import

        lines += ["### ingest (read + shard + index + save, one process and its index workers)", "",
                  "| tree | size | documents | text MB | shards | seconds | MB/s | peak RSS MB | peak PSS MB | "
                  "RSS at 25/50/75/100 % of the run |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for factor in args.ingest_factors:
            data = replicate(factor, Path(args.work) / f"x{factor}")
            for label, tree in trees:
                res, samples = run_child(tree, "ingest", input=data, store=Path(args.work) / f"store-x{factor}")
                lines.append(ingest_section(label, factor, res, samples))
                print(lines[-1], flush=True)
        lines.append("")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
