"""Benchmark of the sharded store and Dask (issue 6). Not a test: run by hand.

    .venv/bin/python bench/bench_scale.py [--factors 1 4 16] [--work /tmp/mm-bench-scale]
                                          [--out bench/RESULTS-scale.md]

For each factor F the Tehran Times corpus (../shared/corpora/tehrantimes, 86.8 MB of text) is
replicated F times with fresh doc ids (``<id>`` for the first copy, ``<id>-r<k>`` for copy k) into
gzip JSON Lines files, then, each step in a fresh child process whose whole process tree (Dask
workers included) is sampled for resident memory every 0.1 s:

1. ``ingest`` (read, shard at 64 MB of text, build and save each shard's index; ``dedupe=False``,
   since the copies repeat the texts) -- time and peak RSS;
2. queries on the store in this process (the serial executor): KWIC of "putin" and of "iran",
   sentence co-occurrence of 20 actors, a monthly timeline of the same actors;
3. the same queries on a Dask ``LocalCluster`` (2 worker processes, TLS; ``executor="dask"``),
   cluster start-up timed apart;
4. at 1x and 4x, the in-memory engine on the same documents (read_corpus + index + queries) for
   reference.

Each query runs three times; the table shows the third (warm) run and the first in brackets (the
second is in ``results.json``: on Dask it is where the client first opens the shards that small
queries run on in the client). RSS counts
the memory-mapped index pages that are resident, which the kernel can drop at will.

5. ``cold``: each query once more, alone in a new process (after ``import mediamon``, opening the
   store and reading the actors; the store's files are in the page cache by then): what a Papermill
   report or a restarted kernel waits for. ``--cold-trees before=PATH after=PATH`` times the
   mediamon of other checkouts the same way, alternating between them, on the stores already built.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from proctree import run_sampled  # noqa: E402 -- bench/ is on the path: the script's own folder

SOURCE = ROOT.parent / "shared" / "corpora" / "tehrantimes"
EXTRA_ACTORS = [
    {"id": "khamenei", "name": "Ali Khamenei", "kind": "person", "aliases": ["Khamenei", "Ayatollah Khamenei"]},
    {"id": "zarif", "name": "Mohammad Javad Zarif", "kind": "person", "aliases": ["Zarif"]},
    {"id": "lavrov", "name": "Sergei Lavrov", "kind": "person", "aliases": ["Lavrov"]},
    {"id": "erdogan", "name": "Recep Tayyip Erdogan", "kind": "person", "aliases": ["Erdogan"]},
]
QUERIES = ("kwic putin", "kwic iran", "cooc sentence (20 actors)", "timeline M (20 actors)", "kwic rare", "kwic absent")
#: A rare name (4 hits in one copy of the corpus) and a word that is in no text: the latter is the
#: fixed cost of a query, summed over the shards.
RARE, ABSENT = "Minnikhanov", "xyzzyq"


# ---------------------------------------------------------------------------------------------
# child steps (run in a fresh process: `bench_scale.py --step NAME ...`)
# ---------------------------------------------------------------------------------------------
def _actors():
    import yaml  # child steps load the package; the parent only copies files and samples memory

    import mediamon as mm  # child process only

    base = yaml.safe_load((ROOT / "corpora" / "actors.yaml").read_text(encoding="utf-8"))
    return mm.read_actors(base + EXTRA_ACTORS)


def _timed(fn, measure, repeat: int = 3):
    """Run *fn* *repeat* times; keep only *measure* of its result, so no result outlives its query."""
    times, facts = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        facts = measure(out)
        del out
    return {"seconds": times, **facts}


def _query_calls(store, actors) -> dict:
    import mediamon as mm  # child process only (see _actors)

    return {
        "kwic putin": lambda: mm.kwic(store, "putin"),
        "kwic iran": lambda: mm.kwic(store, "iran"),
        "cooc sentence (20 actors)": lambda: mm.cooccurrence(store, actors, unit="sentence"),
        "timeline M (20 actors)": lambda: mm.timeline(store, actors, freq="M"),
        "kwic rare": lambda: mm.kwic(store, RARE),
        "kwic absent": lambda: mm.kwic(store, ABSENT),
    }


def _queries(store, actors) -> dict:
    import mediamon as mm  # child process only (see _actors)

    return {
        "kwic putin": _timed(lambda: mm.kwic(store, "putin"), lambda k: {"rows": len(k.df)}),
        "kwic iran": _timed(lambda: mm.kwic(store, "iran"), lambda k: {"rows": len(k.df)}),
        "cooc sentence (20 actors)": _timed(lambda: mm.cooccurrence(store, actors, unit="sentence"),
                                            lambda c: {"rows": len(c.df), "n": int(c.n)}),
        "timeline M (20 actors)": _timed(lambda: mm.timeline(store, actors, freq="M"),
                                         lambda t: {"rows": len(t.df), "undated": t.params["undated_documents"]}),
        "kwic rare": _timed(lambda: mm.kwic(store, RARE), lambda k: {"rows": len(k.df)}),
        "kwic absent": _timed(lambda: mm.kwic(store, ABSENT), lambda k: {"rows": len(k.df)}),
    }  # fmt: skip


def step(name: str, args: argparse.Namespace) -> dict:
    import logging  # child process only (see _actors)

    logging.getLogger("distributed").setLevel(logging.ERROR)
    logging.getLogger("mediamon").setLevel(logging.ERROR)
    if name == "ingest":
        from mediamon.ingestion import ingest  # child process only (see _actors)

        t0 = time.perf_counter()
        store = ingest(args.input, args.store, shard_size="64MB", dedupe=False, overwrite=True, progress=False)
        secs = time.perf_counter() - t0
        tokens = sum(store.shard_index(i).n_tokens for i in range(store.n_shards))
        return {"seconds": secs, "docs": len(store), "shards": store.n_shards, "tokens": tokens,
                "text_mb": sum(s.text_bytes for s in store.shards) / 1e6}  # fmt: skip
    if args.tree:  # the mediamon of another checkout (--cold-trees, or by hand)
        sys.path.insert(0, args.tree)
    if name == "cold":
        t0 = time.perf_counter()
        from mediamon.store import open_store  # child process only (see _actors)

        store, actors = open_store(args.store), _actors()
        ready = time.perf_counter() - t0
        call = _query_calls(store, actors)[args.query]
        t0 = time.perf_counter()
        call()
        return {"seconds": [time.perf_counter() - t0], "import+open": ready,
                "mediamon": str(Path(sys.modules["mediamon"].__file__).parent.parent)}
    if name == "local":
        from mediamon.store import open_store  # child process only (see _actors)

        return _queries(open_store(args.store), _actors())
    if name == "dask":
        from mediamon import executors  # child process only (see _actors)
        from mediamon.store import open_store  # child process only (see _actors)

        t0 = time.perf_counter()
        executors.get_client()
        start = time.perf_counter() - t0
        try:
            res = _queries(open_store(args.store).using("dask"), _actors())
        finally:
            executors.close()
        res["cluster start"] = {"seconds": [start]}
        return res
    if name == "memory":
        import mediamon as mm  # child process only (see _actors)

        t0 = time.perf_counter()
        corpus = mm.read_corpus(args.input, dedupe=False)
        mm.index(corpus, progress=False)
        res = {"read+index": {"seconds": [time.perf_counter() - t0]}}
        res.update(_queries(corpus, _actors()))
        return res
    raise SystemExit(f"unknown step {name!r}")


# ---------------------------------------------------------------------------------------------
# parent: data, children, sampling, report
# ---------------------------------------------------------------------------------------------
def replicate(factor: int, folder: Path, source: Path = SOURCE) -> Path:
    """Write the corpus *source* (gzip JSON Lines with an ``id``) *factor* times with fresh ids (once; reused)."""
    done = folder / ".complete"
    if done.exists() and done.read_text() == str(source.resolve()):  # made from this corpus before
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = sorted(source.glob("*.jsonl.gz"))
    for r in range(factor):
        for f in files:
            out = folder / f"{f.name[:-9]}-r{r:02d}.jsonl.gz"
            with gzip.open(f, "rt", encoding="utf-8") as src, gzip.open(out, "wt", encoding="utf-8", compresslevel=1) as dst:
                for line in src:
                    if r:
                        rec = json.loads(line)
                        rec["id"] = f"{rec['id']}-r{r}"
                        line = json.dumps(rec, ensure_ascii=False) + "\n"
                    dst.write(line)
    done.write_text(str(source.resolve()))
    return folder


def run_child(stepname: str, **kw) -> dict:
    cmd = [sys.executable, __file__, "--step", stepname] + [x for k, v in kw.items() for x in (f"--{k}", str(v))]
    env = dict(os.environ, PYTHONWARNINGS="ignore", TQDM_DISABLE="1")
    t0 = time.perf_counter()
    load_before = os.getloadavg()[0]
    run = run_sampled(cmd, env=env, interval=0.1, with_pss=True)
    wall = time.perf_counter() - t0
    if run.returncode != 0:
        raise RuntimeError(f"step {stepname} failed:\n{run.stderr[-3000:]}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["_peak_gib"] = run.peak("rss") / 2**30
    result["_peak_anon_gib"] = run.peak("anonymous") / 2**30  # without file-backed pages (mapped indexes, code)
    result["_peak_pss_gib"] = run.peak("pss") / 2**30  # pages shared by processes (mapped shards) counted once
    result["_wall"] = wall
    result["_load"] = [load_before, os.getloadavg()[0]]  # 1-minute load average before and after the step
    return result


def disk_use(store: Path) -> dict:
    """Bytes of the store, and of its saved texts and cached tables (mediamon.storecache) within."""
    def size(paths) -> int:
        return sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())

    shards = store / "shards"
    return {"store": size([store]), "text": size(shards.glob("*.text")), "tables": size(shards.glob("*.tables"))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step")
    ap.add_argument("--input")
    ap.add_argument("--store")
    ap.add_argument("--factors", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--memory-factors", type=int, nargs="*", default=[1, 4])
    ap.add_argument("--work", default="/tmp/mm-bench-scale")
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-scale.md"))
    ap.add_argument("--corpus", type=Path, default=SOURCE, help="the corpus replicated (bench/run.py passes it)")
    ap.add_argument("--query", help="(--step cold) the query to time")
    ap.add_argument("--tree", help="(--step) the checkout whose mediamon is timed")
    ap.add_argument("--cold-trees", nargs="+", metavar="NAME=PATH",
                    help="only time each query in a new process, alternating between these checkouts, on the stores "
                         "of --factors already built; the results go to --out's cold section")
    ap.add_argument("--cold-rounds", type=int, default=3, help="(--cold-trees) rounds of every query per checkout")
    args = ap.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args)))
        return
    if not args.corpus.is_dir():
        print(f"bench_scale: {args.corpus} not found; skipping (it lives in ../shared, not in the repo)")
        return
    work = Path(args.work)
    results_path = work / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    if args.cold_trees:
        trees = dict(t.split("=", 1) for t in args.cold_trees)
        for f in args.factors:
            store = work / f"store-{f}x"
            runs = results.setdefault(f"{f}x", {}).setdefault("cold trees", {})
            runs.clear()
            for _ in range(args.cold_rounds):
                for name, tree in trees.items():
                    for q in QUERIES:
                        got = run_child("cold", store=store, query=q, tree=str(Path(tree).resolve()))
                        runs.setdefault(name, {}).setdefault(q, []).append(got["seconds"][0])
                        print(f"[{f}x] {name} {q}: {got['seconds'][0]:.2f} s ({got['mediamon']})", flush=True)
            results_path.write_text(json.dumps(results, indent=1))
        report(results, Path(args.out))
        return
    for f in args.factors:
        key = f"{f}x"
        inp = replicate(f, work / f"input-{key}", args.corpus)
        store = work / f"store-{key}"
        r = results.setdefault(key, {})
        print(f"[{key}] ingest ...", flush=True)
        r["ingest"] = run_child("ingest", input=inp, store=store)
        print(f"[{key}] ingest {r['ingest']['seconds']:.1f}s peak {r['ingest']['_peak_gib']:.2f} GiB", flush=True)
        r["local"] = run_child("local", store=store)
        print(f"[{key}] local peak {r['local']['_peak_gib']:.2f} GiB", flush=True)
        r["dask"] = run_child("dask", store=store)
        print(f"[{key}] dask peak {r['dask']['_peak_gib']:.2f} GiB", flush=True)
        r["cold"] = {q: run_child("cold", store=store, query=q)["seconds"] for q in QUERIES}
        print(f"[{key}] cold " + ", ".join(f"{q} {s[0]:.2f}" for q, s in r["cold"].items()), flush=True)
        if f in args.memory_factors:
            r["memory"] = run_child("memory", input=inp)
            print(f"[{key}] in-memory peak {r['memory']['_peak_gib']:.2f} GiB", flush=True)
        r["disk"] = disk_use(store)
        results_path.write_text(json.dumps(results, indent=1))
    report(results, Path(args.out))


def _peak(r: dict) -> str:
    anon, pss = r.get("_peak_anon_gib"), r.get("_peak_pss_gib")
    return (f"{r['_peak_gib']:.2f}" + (f" ({anon:.2f})" if anon is not None else "")
            + (f" [{pss:.2f}]" if pss is not None else ""))


def report(results: dict, out: Path) -> None:
    import matplotlib  # parent only, after every child has run: the figure of the results

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted(results, key=lambda k: int(k[:-1]))
    lines = [
        "# Scale benchmark: sharded store, local out-of-core engine and Dask (issue 6)",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        "Other engineers ran jobs on this 2-core machine at the same time: timings are noisy "
        "(single runs, no isolation). Produced by `bench/bench_scale.py`.",
        "",
        "Corpus: ../shared/corpora/tehrantimes replicated F times with fresh doc ids (gzip JSON Lines "
        "input). Shards of 64 MB of text. Peak memory = highest resident set size of the whole "
        "process tree of the step (Dask scheduler, nannies and workers included), sampled every 0.1 s; "
        "resident pages of memory-mapped indexes count in it (and pages shared by forked index builders count "
        "once per process); in brackets the same without file-backed pages (RSS - shared), i.e. the "
        "memory that cannot be dropped; in square brackets the proportional set size (PSS), where a page that "
        "several processes map (a shard's index, opened by the client and by a worker) counts once. Query times: warm (third) run, the "
        "first run in brackets. Tehran Times items carry no dates, so the timeline counts every "
        "document as undated (it still matches all mentions and gathers all metadata). "
        "The store keeps beside each shard its texts (`.text/`, written by ingest) and the mentions of "
        "each actor list (`.tables/`, written by the first query of that list): the first run of cooc "
        "(local) matches the actors and saves the tables, the timeline and the Dask runs then read them; "
        "a store ingested before these folders existed pays for `.text/` in its first query (see the "
        "notes below the tables). `kwic rare`: a rare name (RARE); `kwic absent`: a word in no text, "
        "i.e. the fixed cost of a query over all shards.".replace("RARE", RARE),
        "",
        "## Ingest (read + shard + index, one process)",
        "",
        "| size | documents | text MB | tokens | shards | seconds | MB/s | peak GiB: RSS (anonymous) [PSS] |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for k in keys:
        g = results[k]["ingest"]
        lines.append(f"| {k} | {g['docs']:,} | {g['text_mb']:,.0f} | {g['tokens']:,} | {g['shards']} | "
                     f"{g['seconds']:.1f} | {g['text_mb'] / g['seconds']:.2f} | {_peak(g)} |")  # fmt: skip
    lines += ["", "## Queries (seconds)", "",
              "| size | engine | " + " | ".join(QUERIES) + " | peak GiB: RSS (anonymous) [PSS] |",
              "|---|---|" + "---:|" * (len(QUERIES) + 1)]  # fmt: skip
    for k in keys:
        for eng in ("local", "dask", "memory"):
            r = results[k].get(eng)
            if not r:
                continue
            cells = []
            for q in QUERIES:
                s = r.get(q, {}).get("seconds")
                cells.append(f"{s[-1]:.2f} ({s[0]:.2f})" if s else "–")
            label = {"local": "sharded, local", "dask": "Dask LocalCluster (2 workers)", "memory": "in-memory engine"}[eng]
            lines.append(f"| {k} | {label} | " + " | ".join(cells) + f" | {_peak(r)} |")
        cold = results[k].get("cold")
        if cold:
            lines.append(f"| {k} | sharded, local, each query in a new process | "
                         + " | ".join(f"{cold[q][0]:.2f}" if q in cold else "–" for q in QUERIES) + " | |")
    lines += ["", "Hits: " + "; ".join(
        f"{k}: putin {results[k]['local']['kwic putin']['rows']:,}, iran {results[k]['local']['kwic iran']['rows']:,}, "
        f"{results[k]['local']['cooc sentence (20 actors)']['rows']} pairs over "
        f"{results[k]['local']['cooc sentence (20 actors)']['n']:,} sentences" for k in keys)]  # fmt: skip
    second = [f"{k}: " + ", ".join(f"{q} {d[q]['seconds'][1]:.2f}" for q in QUERIES if len(d.get(q, {}).get("seconds", [])) > 2)
              for k in keys if (d := results[k].get("dask"))]  # fmt: skip
    if any(": " in x and x.split(": ", 1)[1] for x in second):
        lines += ["", "Dask, second run of each query (small queries run in the client, which opens each shard "
                  "once): " + "; ".join(second)]  # fmt: skip
    extra = []
    for k in keys:
        d = results[k].get("dask", {})
        if "cluster start" in d:
            extra.append(f"{k}: {d['cluster start']['seconds'][0]:.1f} s")
        m = results[k].get("memory", {})
        if "read+index" in m:
            extra.append(f"{k} in-memory read+index {m['read+index']['seconds'][0]:.1f} s")
    lines += ["", "Dask cluster start-up (not in the query times): " + "; ".join(extra), ""]
    per_shard = [f"{k}: {results[k]['local']['kwic absent']['seconds'][-1] / results[k]['ingest']['shards'] * 1e3:.1f} ms"
                 for k in keys if "kwic absent" in results[k].get("local", {})]  # fmt: skip
    if per_shard:
        lines += ["Fixed cost per shard (warm `kwic absent`, local, / shards): " + "; ".join(per_shard), ""]
    disk = [f"{k}: saved texts {d['text'] / 2**20:,.0f} MiB + cached tables {d['tables'] / 2**20:,.1f} MiB of a "
            f"{d['store'] / 2**20:,.0f} MiB store ({(d['text'] + d['tables']) / d['store']:.0%})"
            for k in keys if (d := results[k].get("disk"))]  # fmt: skip
    if disk:
        lines += ["Disk: " + "; ".join(disk), ""]
    loads = [f"{k} {eng}: {r['_load'][0]:.1f} -> {r['_load'][1]:.1f}" for k in keys
             for eng, r in results[k].items() if isinstance(r, dict) and "_load" in r]  # fmt: skip
    if loads:
        lines += ["Load (1-minute average before -> after each step; 2 cores): " + "; ".join(loads), ""]

    compared = [k for k in keys if results[k].get("cold trees")]
    if compared:
        lines += ["## First query in a new process, checkouts compared (seconds)", "",
                  "Each query alone in a new process (`--step cold`), the checkouts taking turns; median of the "
                  "rounds, the fastest and slowest in brackets.", "",
                  "| size | checkout | " + " | ".join(QUERIES) + " |", "|---|---|" + "---:|" * len(QUERIES)]  # fmt: skip
        for k in compared:
            for name, times in results[k]["cold trees"].items():
                cells = [f"{sorted(t)[len(t) // 2]:.2f} ({min(t):.2f}-{max(t):.2f})" if (t := times.get(q)) else "–"
                         for q in QUERIES]  # fmt: skip
                lines.append(f"| {k} | {name} | " + " | ".join(cells) + " |")
        lines.append("")

    sizes = [results[k]["ingest"]["text_mb"] for k in keys]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    ax = axes[0]
    ax.plot(sizes, [results[k]["ingest"]["seconds"] for k in keys], "o-", label="ingest + index")
    ax.set(xscale="log", yscale="log", xlabel="text MB", ylabel="seconds", title="Build")
    ax.legend()
    ax = axes[1]
    for eng, style in (("local", "-"), ("dask", "--")):
        for q, marker in zip(QUERIES, "osd^"):
            ys = [results[k][eng][q]["seconds"][-1] for k in keys if eng in results[k]]
            if ys:
                ax.plot(sizes[: len(ys)], ys, marker + style, label=f"{q} ({eng})")
    ax.set(xscale="log", yscale="log", xlabel="text MB", ylabel="seconds (warm)", title="Queries")
    ax.legend(fontsize=7)
    ax = axes[2]
    for eng in ("ingest", "local", "dask", "memory"):
        pts = [(results[k]["ingest"]["text_mb"], results[k][eng]["_peak_gib"]) for k in keys if eng in results[k]]
        if pts:
            ax.plot(*zip(*pts), "o-", label=eng)
    ax.axhline(8, color="grey", lw=0.8, ls=":")
    ax.set(xscale="log", xlabel="text MB", ylabel="peak RSS GiB", title="Peak memory (process tree)")
    ax.legend()
    fig.tight_layout()
    png = out.with_suffix(".png")
    fig.savefig(png, dpi=110)
    lines += [f"![scale]({png.name})", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
