"""The ``mediamon`` command line. Only this module prints.

Subcommands: ``corpus`` (load summary), ``kwic``, ``cooc``, ``timeline``, ``report``.
Each subcommand has a ``_add_<name>`` function that declares its arguments and a ``_run_<name>``
function that does the work; both live in the section for that subcommand below.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


# ---------------------------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------------------------
def _add_corpus(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("corpus", help="load a corpus and print its summary and load manifest counts")
    p.add_argument("source", nargs="+", help="file(s), folder(s) or glob(s)")
    p.set_defaults(func=_run_corpus)


def _run_corpus(args: argparse.Namespace) -> int:
    from .readers import read_corpus

    corpus = read_corpus(args.source if len(args.source) > 1 else args.source[0])
    for key, value in corpus.summary().items():
        print(f"{key:>20}: {value}")
    return 0


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------
def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="run a notebook as a parameterized report (Papermill) and export HTML",
        description="Run NOTEBOOK with validated parameters into OUT/<notebook>/<run-id>/. "
        "Prints the HTML path on success; exits 1 naming the failing cell otherwise.",
    )
    p.add_argument("notebook", help="the .ipynb to run (its first code cell is tagged 'parameters')")
    p.add_argument(
        "-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="a parameter, converted to the type of its default (a str default stays a str)",
    )  # fmt: skip
    p.add_argument("--params-file", metavar="FILE", help="YAML/JSON mapping of parameters (-p wins)")
    p.add_argument(
        "--batch", metavar="GRID",
        help="YAML/JSON grid: {name: [values]} (cartesian product) or a list of parameter mappings",
    )  # fmt: skip
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--no-html", dest="html", action="store_false", help="skip the HTML export")
    p.add_argument("--show-code", action="store_true", help="show code cells in the HTML")
    p.add_argument("--timeout", type=float, default=600, metavar="S", help="seconds per cell; 0: no limit")
    p.add_argument("--run-id", help="run folder name (with --batch: the batch id); default: UTC time + hash")
    p.add_argument("--kernel", help="Jupyter kernel name (default: this environment's Python)")
    p.add_argument("--notebooks-dir", help="folder notebooks may run from (default: the notebook's)")
    p.set_defaults(func=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from .errors import ParameterError
    from .report import (
        ReportExecutionError,
        convert_cli_params,
        expand_grid,
        load_params_file,
        notebook_parameters,
        run_batch,
        run_report,
        validate_params,
    )

    specs = notebook_parameters(args.notebook)
    params: dict = {}
    if args.params_file:
        loaded = load_params_file(args.params_file) or {}
        if not isinstance(loaded, dict):
            raise ParameterError(f"--params-file: '{args.params_file}' must hold a mapping of parameters.")
        params.update(validate_params(specs, loaded, call=f"--params-file {args.params_file}"))
    params.update(convert_cli_params(specs, args.param))
    options = dict(
        out=args.out, html=args.html, hide_code=not args.show_code, timeout=args.timeout or None,
        notebooks_dir=args.notebooks_dir, kernel_name=args.kernel,
    )  # fmt: skip
    if args.batch:
        grid = []
        for values in expand_grid(args.batch):
            clash = sorted(set(values) & set(params))
            if clash:
                raise ParameterError(
                    f"--batch: {clash} given both in the grid and with -p/--params-file; "
                    f"give each parameter in one place."
                )
            grid.append({**params, **values})
        result = run_batch(args.notebook, grid, batch_id=args.run_id, **options)
        print(result.summary[["run_id", "status", "error", "seconds", "html"]].to_string(index=False))
        print(f"summary: {result.summary_csv}")
        return 0 if result.ok else 1
    try:
        run = run_report(args.notebook, params, run_id=args.run_id, **options)
    except ReportExecutionError as exc:
        failure, run = exc.run.error, exc.run
        where = f"cell {failure.cell_index}" if failure and failure.cell_index is not None else "start-up"
        print(f"mediamon report: {run.notebook.name} failed in {where}", file=sys.stderr)
        if failure is not None:
            print(f"  {failure.ename}: {failure.evalue}", file=sys.stderr)
        print(f"  partial run kept in {run.folder}", file=sys.stderr)
        return 1
    print(run.html or run.folder)
    return 0


# ---------------------------------------------------------------------------------------------
# kwic
# ---------------------------------------------------------------------------------------------
def _add_kwic(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kwic", help="print an aligned keyword-in-context concordance")
    p.add_argument("source", help="corpus file, folder or glob")
    p.add_argument("pattern", help="word, phrase, glob/regex (with --match) or actor id (with --actors)")
    p.add_argument("--window", type=int, default=5, help="context tokens on each side (default 5)")
    p.add_argument("--match", choices=["fixed", "glob", "regex"], default="fixed")
    p.add_argument("--case-sensitive", action="store_true", help="match the pattern's case too")
    p.add_argument("--actors", help="actor YAML file; PATTERN may then be an actor id")
    p.add_argument("--sort", nargs="*", default=[], metavar="KEY", help="AntConc sort keys, e.g. 1R 2R or 1L")
    p.add_argument("--max-rows", type=int, default=50, help="rows printed (default 50; the CSV has all)")
    p.add_argument("--width", type=int, default=40, help="characters of context shown per side")
    p.add_argument("--csv", help="write every hit to this CSV file")
    p.set_defaults(func=_run_kwic)


def _run_kwic(args: argparse.Namespace) -> int:
    from .concordance import kwic
    from .readers import read_corpus

    corpus = read_corpus(args.source)
    result = kwic(
        corpus,
        args.pattern,
        match=args.match,
        window=args.window,
        ignore_case=not args.case_sensitive,
        actors=args.actors,
    )
    if args.sort:
        result = result.sort(*args.sort)
    print(result.to_text(width=args.width, max_rows=args.max_rows))
    shown = min(len(result), args.max_rows)
    print(f"-- {len(result):,} hits in {result.df['doc_id'].nunique():,} documents (showing {shown:,})")
    if args.csv:
        result.to_csv(args.csv)
        print(f"-- written to {args.csv}")
    return 0


# ---------------------------------------------------------------------------------------------
# cooc
# ---------------------------------------------------------------------------------------------
def _add_cooc(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cooc", help="who appears with whom: actor co-occurrence counts and scores")
    p.add_argument("source", help="corpus file, folder or glob")
    p.add_argument("--actors", default="corpora/actors.yaml", help="actor YAML file (default corpora/actors.yaml)")
    p.add_argument("--unit", choices=["sentence", "paragraph", "document"], default="sentence")
    p.add_argument("--window", type=int, help="count mentions at most N tokens apart instead of units")
    p.add_argument("--measure", default="npmi", help="sort by this measure (default npmi; or n_ab, llr, log_dice ...)")
    p.add_argument("--min-count", type=int, default=1, help="keep pairs with n_ab >= N (default 1)")
    p.add_argument("--dedupe", action="store_true", help="count each identical article text once")
    p.add_argument("--max-rows", type=int, default=30, help="rows printed (default 30; the CSV has all)")
    p.add_argument("--csv", help="write the whole pair table to this CSV file")
    p.set_defaults(func=_run_cooc)


def _run_cooc(args: argparse.Namespace) -> int:
    from .assoc import MEASURES
    from .cooc import cooccurrence
    from .errors import one_of
    from .readers import read_corpus

    if args.measure != "n_ab" and args.measure not in MEASURES:
        raise one_of("mediamon cooc", "--measure", args.measure, ["n_ab", *MEASURES])
    corpus = read_corpus(args.source)
    result = cooccurrence(
        corpus, args.actors, unit=args.unit, window=args.window, min_count=args.min_count, dedupe=args.dedupe
    )
    df = result.df.sort_values([args.measure, "n_ab"], ascending=False, kind="stable")
    cols = ["a", "b", "n_ab", "n_a", "n_b", "n"] + ([args.measure] if args.measure != "n_ab" else [])
    with __import__("pandas").option_context("display.width", 200, "display.max_columns", 20):
        print(df[cols].head(args.max_rows).to_string(index=False))
    unit = f"mentions within {args.window} tokens" if args.window else f"{args.unit}s"
    print(f"-- {len(df):,} pairs; n = {result.n:,} units ({unit}); sorted by {args.measure}")
    if args.dedupe:
        print(f"-- {len(result.duplicates):,} duplicate documents counted once")
    if args.csv:
        df.to_csv(args.csv, index=False)
        print(f"-- written to {args.csv}")
    return 0


# ---------------------------------------------------------------------------------------------
# timeline
# ---------------------------------------------------------------------------------------------
def _add_timeline(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("timeline", help="mentions, documents and attention share per period")
    p.add_argument("source", help="corpus file, folder or glob")
    p.add_argument("--actors", default="corpora/actors.yaml", help="actor YAML file (default corpora/actors.yaml)")
    p.add_argument("--freq", default="M", help="pandas period alias: D, W, M (default), Q, Y")
    p.add_argument("--by", help="split by a document column, e.g. source")
    p.add_argument("--max-rows", type=int, default=40, help="rows printed (default 40; the CSV has all)")
    p.add_argument("--csv", help="write the whole table to this CSV file")
    p.set_defaults(func=_run_timeline)


def _run_timeline(args: argparse.Namespace) -> int:
    from .readers import read_corpus
    from .timelines import timeline

    corpus = read_corpus(args.source)
    result = timeline(corpus, args.actors, freq=args.freq, by=args.by)
    df = result.df.copy()
    df["period"] = df["period"].dt.strftime("%Y-%m-%d")
    nonzero = df[df["mentions"] > 0] if "mentions" in df.columns else df
    with __import__("pandas").option_context("display.width", 200, "display.max_columns", 20):
        print(nonzero.head(args.max_rows).to_string(index=False))
    p = result.params
    print(
        f"-- {p['periods']:,} periods of {args.freq}; {p['dated_documents']:,} dated documents; "
        f"{p['undated_documents']:,} documents without a date (not placed in a period)"
    )
    if args.csv:
        result.to_csv(args.csv)
        print(f"-- written to {args.csv}")
    return 0


# ---------------------------------------------------------------------------------------------
# ingest and sharded (owner: scale, issue 6)
# ---------------------------------------------------------------------------------------------
def _add_ingest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="convert a corpus into a sharded store (Parquet shards + manifest + per-shard indexes)",
        description="Read SOURCE (files, folders, globs; any format read_corpus reads) a batch of files "
        "at a time and write DEST/store.json, DEST/manifest.parquet and DEST/shards/. Memory stays "
        "bounded by one batch and one shard.",
    )
    p.add_argument("source", nargs="+", help="file(s), folder(s) or glob(s)")
    p.add_argument("dest", help="the store folder to create")
    p.add_argument("--shard-size", default="64MB", metavar="N|SIZE",
                   help="documents per shard (10000) or text per shard (64MB, 1GiB); default 64MB")  # fmt: skip
    p.add_argument("--no-index", dest="index", action="store_false", help="do not build the shard indexes now")
    p.add_argument("--no-dedupe", dest="dedupe", action="store_false", help="keep documents with repeated texts")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store at DEST")
    p.add_argument("--format", choices=["txt", "csv", "tsv", "jsonl", "parquet"], help="read every file as this format")
    for name in ("text", "date", "title", "url", "id"):
        p.add_argument(f"--{name}", metavar="COLUMN", help=f"the column holding {name}")
    p.add_argument("--source-col", metavar="COLUMN", help="the column holding the outlet")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="build the shard indexes on this Dask cluster (tcp://host:8786) instead of here")  # fmt: skip
    p.set_defaults(func=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
    from .store import ingest

    options = {k: getattr(args, k) for k in ("format", "text", "date", "title", "url", "id", "source_col")
               if getattr(args, k) is not None}  # fmt: skip
    shard_size = int(args.shard_size) if args.shard_size.isdigit() else args.shard_size
    source = args.source if len(args.source) > 1 else args.source[0]
    store = ingest(source, args.dest, shard_size=shard_size, index=args.index and not args.scheduler,
                   dedupe=args.dedupe, overwrite=args.overwrite, **options)  # fmt: skip
    if args.scheduler:
        from . import distributed

        distributed.build_indexes(store, scheduler=args.scheduler)
    for key, value in store.summary().items():
        print(f"{key:>20}: {value}")
    return 0


def _add_sharded(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sharded",
        help="kwic, cooc, collocates or timeline over a sharded store, here or on a Dask cluster",
        description="Run an analysis over a store written by `mediamon ingest`, shard by shard in this "
        "process (default), on a local Dask cluster (--dask) or on a running cluster (--scheduler).",
    )
    p.add_argument("store", help="a store folder written by `mediamon ingest`")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--dask", action="store_true", help="use a local Dask cluster of 2 worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS", help="use the Dask cluster at this address (tcp://host:8786)")
    p.add_argument("--actors", default="corpora/actors.yaml", help="actor YAML file (default corpora/actors.yaml)")
    p.add_argument("--max-rows", type=int, default=30, help="rows printed (the CSV has all)")
    p.add_argument("--csv", help="write the whole table to this CSV file")
    what = p.add_subparsers(dest="analysis", required=True)
    k = what.add_parser("kwic", help="keyword in context")
    k.add_argument("pattern")
    k.add_argument("--window", type=int, default=5)
    k.add_argument("--match", choices=["fixed", "glob", "regex"], default="fixed")
    k.add_argument("--width", type=int, default=40)
    c = what.add_parser("cooc", help="actor co-occurrence")
    c.add_argument("--unit", choices=["sentence", "paragraph", "document"], default="sentence")
    c.add_argument("--window", type=int)
    c.add_argument("--min-count", type=int, default=1)
    c.add_argument("--dedupe", action="store_true")
    co = what.add_parser("collocates", help="words around a node word or phrase")
    co.add_argument("node")
    co.add_argument("--window", type=int, default=5)
    co.add_argument("--measure", default="log_dice")
    co.add_argument("--min-count", type=int, default=3)
    t = what.add_parser("timeline", help="mentions and documents per period")
    t.add_argument("--freq", default="M")
    t.add_argument("--by")
    p.set_defaults(func=_run_sharded)


def _run_sharded(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import sharded
    from .store import open_store

    store = open_store(args.store)
    if args.dask or args.scheduler:
        from . import distributed

        mod, where = distributed, {"scheduler": args.scheduler}
    else:
        mod, where = sharded, {}
    if args.analysis == "kwic":
        result = mod.kwic(store, args.pattern, window=args.window, match=args.match, **where)
        print(result.to_text(width=args.width, max_rows=args.max_rows))
        print(f"-- {len(result):,} hits in {result.df['doc_id'].nunique():,} documents, {store.n_shards} shards")
    elif args.analysis == "cooc":
        result = mod.cooccurrence(store, args.actors, unit=args.unit, window=args.window,
                                  min_count=args.min_count, dedupe=args.dedupe, **where)  # fmt: skip
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(result.df[["a", "b", "n_ab", "n_a", "n_b", "n", "npmi"]].head(args.max_rows).to_string(index=False))
        print(f"-- {len(result.df):,} pairs; n = {result.n:,} units; {store.n_shards} shards")
    elif args.analysis == "collocates":
        result = mod.collocates(store, args.node, window=args.window, measure=args.measure,
                                min_count=args.min_count, **where)  # fmt: skip
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(result.df.head(args.max_rows).to_string(index=False))
        print(f"-- {len(result.df):,} collocates of {args.node!r}; {result.params['hits']:,} hits")
    else:
        result = mod.timeline(store, args.actors, freq=args.freq, by=args.by, **where)
        df = result.df.copy()
        df["period"] = df["period"].dt.strftime("%Y-%m-%d")
        nonzero = df[df["mentions"] > 0] if "mentions" in df.columns else df
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(nonzero.head(args.max_rows).to_string(index=False))
        print(f"-- {result.params['periods']:,} periods; {result.params['undated_documents']:,} undated documents")
    if args.csv:
        result.to_csv(args.csv)
        print(f"-- written to {args.csv}")
    return 0


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_corpus, _add_kwic, _add_report, _add_cooc, _add_timeline, _add_ingest, _add_sharded]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediamon", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import MediamonError

    try:
        return int(args.func(args) or 0)
    except MediamonError as exc:
        print(f"mediamon {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
