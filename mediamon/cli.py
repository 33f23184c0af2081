"""The ``mediamon`` command line. Only this module prints.

Subcommands: ``corpus`` (load summary), ``kwic``, ``mentions``, ``cooc``, ``collocates``, ``timeline``,
``keyness``, ``quotes`` (the analyses, on any corpus: files, a folder, a glob or a sharded store; ``--dask`` or
``--scheduler`` run the per-shard work on a Dask cluster), ``actors suggest`` (alias suggestions for
an actor list), ``ingest`` (write a store) and ``report`` (run a notebook as a report). Each
subcommand has a ``_add_<name>`` function that declares its arguments and a ``_run_<name>``
function that does the work.

Article text is untrusted: everything printed from a corpus goes through :func:`_terminal_safe`,
which replaces control characters (an escape sequence could hide or rewrite lines).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from . import shards
from .actors import read_actors
from .analysis.aliases import suggest_aliases
from .analysis.collocates import collocates
from .analysis.cooc import cooccurrence
from .analysis.duplicates import near_duplicates
from .analysis.keyness import KEYNESS_MEASURES, keyness
from .analysis.kwic import kwic
from .analysis.mentions import mentions
from .analysis.quotes import quotes
from .analysis.timeline import timeline
from .errors import InputError, MediamonError, ParameterError, one_of
from .ingestion import ingest
from .readers import read_corpus
from .stats.assoc import MEASURES

DESCRIPTION = (
    "mediamon: load news corpora, read every mention of an actor in context, measure who is "
    "mentioned with whom, follow it over time, and run the analysis as reports."
)
# C0 and C1 controls except tab and newline, and DEL: a terminal would act on them
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _terminal_safe(text: object) -> str:
    """*text* with every control character (escape sequences included) replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", str(text))


def _print(text: object = "", *, file: Any = None) -> None:
    print(_terminal_safe(text), file=file or sys.stdout)


def _print_table(df: pd.DataFrame, rows: int) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        _print(df.head(rows).to_string(index=False))


# ---------------------------------------------------------------------------------------------
# shared arguments
# ---------------------------------------------------------------------------------------------
def _add_source(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="corpus file, folder or glob, or a store folder written by `mediamon ingest`")


def _add_where(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--dask", action="store_true", help="run the per-shard work on a local Dask cluster")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run it on the Dask cluster at this address (tcp://host:8786)")


def _add_output(p: argparse.ArgumentParser, rows: int) -> None:
    p.add_argument("--max-rows", type=int, default=rows, help=f"rows printed (default {rows}; the CSV has all)")
    p.add_argument("--csv", help="write the whole table to this CSV file")


def _add_actors(p: argparse.ArgumentParser) -> None:
    p.add_argument("--actors", default="corpora/actors.yaml", help="actor YAML file (default corpora/actors.yaml)")


def _add_dedupe(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dedupe", nargs="?", const="exact", default=None, choices=["exact", "near"],
                   help="count each duplicate article once: exact texts (the default of --dedupe) or near (reprints)")  # fmt: skip
    p.add_argument("--dedupe-threshold", type=float, metavar="J",
                   help="with --dedupe near: the Jaccard similarity that folds two articles (default 0.8)")  # fmt: skip


def _dedupe(args: argparse.Namespace, corpus: Any) -> Any:
    """The ``dedupe=`` value of the analysis: ``None``, ``"exact"``, ``"near"`` or, with a threshold,
    the near-duplicates of *corpus* at that threshold."""
    if args.dedupe_threshold is None:
        return args.dedupe
    if args.dedupe != "near":
        raise InputError("--dedupe-threshold needs --dedupe near.")
    return near_duplicates(corpus, threshold=args.dedupe_threshold, executor=_executor(args))


def _print_dedupe(params: dict[str, Any]) -> None:
    if params.get("dedupe"):
        how = f"near-duplicates at Jaccard >= {params['dedupe_threshold']}" if params["dedupe"] == "near" else "exact duplicates"
        _print(f"-- {params['n_duplicates']:,} documents left out as {how}")


def _executor(args: argparse.Namespace) -> str | None:
    if getattr(args, "scheduler", None):
        return args.scheduler
    return "dask" if getattr(args, "dask", False) else None


def _load(args: argparse.Namespace) -> Any:
    return read_corpus(args.source)


def _write_csv(result: Any, path: str | None) -> None:
    if path:
        result.to_csv(path)
        _print(f"-- written to {path}")


# ---------------------------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------------------------
def _add_corpus(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("corpus", help="load a corpus and print its summary and load manifest counts")
    p.add_argument("source", nargs="+", help="file(s), folder(s) or glob(s), or a store folder")
    p.set_defaults(func=_run_corpus)


def _run_corpus(args: argparse.Namespace) -> int:
    corpus = read_corpus(args.source if len(args.source) > 1 else args.source[0])
    for key, value in corpus.summary().items():
        _print(f"{key:>20}: {value}")
    return 0


# ---------------------------------------------------------------------------------------------
# kwic
# ---------------------------------------------------------------------------------------------
def _add_kwic(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kwic", help="print an aligned keyword-in-context concordance")
    _add_source(p)
    p.add_argument("pattern", help="word, phrase, glob/regex (with --match) or actor id (with --actors)")
    p.add_argument("--window", type=int, default=5, help="context tokens on each side (default 5)")
    p.add_argument("--match", choices=["fixed", "glob", "regex"], default="fixed")
    p.add_argument("--case-sensitive", action="store_true", help="match the pattern's case too")
    p.add_argument("--actors", help="actor YAML file; PATTERN may then be an actor id")
    p.add_argument("--clip", choices=["document", "sentence"], default="document", help="where context stops")
    p.add_argument("--sort", nargs="*", default=[], metavar="KEY", help="AntConc sort keys, e.g. 1R 2R or 1L")
    p.add_argument("--width", type=int, default=40, help="characters of context shown per side")
    _add_output(p, 50)
    _add_where(p)
    p.set_defaults(func=_run_kwic)


def _run_kwic(args: argparse.Namespace) -> int:
    result = kwic(_load(args), args.pattern, match=args.match, window=args.window, ignore_case=not args.case_sensitive,
                  actors=args.actors, clip=args.clip, executor=_executor(args))  # fmt: skip
    if args.sort:
        result = result.sort(*args.sort)
    _print(result.to_text(width=args.width, max_rows=args.max_rows))
    shown = min(len(result), args.max_rows)
    _print(f"-- {len(result):,} hits in {result.df['doc_id'].nunique():,} documents (showing {shown:,})")
    _write_csv(result, args.csv)
    return 0


# ---------------------------------------------------------------------------------------------
# mentions
# ---------------------------------------------------------------------------------------------
def _add_mentions(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mentions", help="mentions and documents per actor")
    _add_source(p)
    _add_actors(p)
    _add_dedupe(p)
    _add_output(p, 40)
    _add_where(p)
    p.set_defaults(func=_run_mentions)


def _run_mentions(args: argparse.Namespace) -> int:
    corpus = _load(args)
    result = mentions(corpus, args.actors, dedupe=_dedupe(args, corpus), executor=_executor(args))
    _print_table(result.counts().reset_index(), args.max_rows)
    _print(f"-- {len(result):,} mentions")
    _print_dedupe(result.params)
    _write_csv(result, args.csv)
    return 0


# ---------------------------------------------------------------------------------------------
# cooc
# ---------------------------------------------------------------------------------------------
def _add_cooc(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cooc", help="who appears with whom: actor co-occurrence counts and scores")
    _add_source(p)
    _add_actors(p)
    p.add_argument("--unit", choices=["sentence", "paragraph", "document"], default="sentence")
    p.add_argument("--window", type=int, help="count mentions at most N tokens apart instead of units")
    p.add_argument("--measure", default="npmi", help="sort by this measure (default npmi; or n_ab, llr, log_dice ...)")
    p.add_argument("--min-count", type=int, default=1, help="keep pairs with n_ab >= N (default 1)")
    _add_dedupe(p)
    _add_output(p, 30)
    _add_where(p)
    p.set_defaults(func=_run_cooc)


def _run_cooc(args: argparse.Namespace) -> int:
    if args.measure != "n_ab" and args.measure not in MEASURES:
        raise one_of("mediamon cooc", "--measure", args.measure, ["n_ab", *MEASURES])
    corpus = _load(args)
    result = cooccurrence(corpus, args.actors, unit=args.unit, window=args.window, min_count=args.min_count,
                          dedupe=_dedupe(args, corpus), executor=_executor(args))  # fmt: skip
    df = result.df.sort_values([args.measure, "n_ab"], ascending=False, kind="stable")
    cols = ["a", "b", "n_ab", "n_a", "n_b", "n"] + ([args.measure] if args.measure != "n_ab" else [])
    _print_table(df[cols], args.max_rows)
    unit = f"mentions within {args.window} tokens" if args.window else f"{args.unit}s"
    _print(f"-- {len(df):,} pairs; n = {result.n:,} units ({unit}); sorted by {args.measure}")
    _print_dedupe(result.params)
    if args.csv:
        df.to_csv(args.csv, index=False)
        _print(f"-- written to {args.csv}")
    return 0


# ---------------------------------------------------------------------------------------------
# collocates
# ---------------------------------------------------------------------------------------------
def _add_collocates(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("collocates", help="words around a node word, phrase or actor, by association")
    _add_source(p)
    p.add_argument("node", help="word or phrase, or an actor id with --actors")
    p.add_argument("--actors", help="actor YAML file; NODE may then be an actor id (its mentions)")
    p.add_argument("--window", type=int, default=5, help="tokens on each side (default 5)")
    p.add_argument("--measure", default="log_dice", help="sort by this measure (default log_dice)")
    p.add_argument("--min-count", type=int, default=3, help="fewest occurrences in the windows (default 3)")
    p.add_argument("--match", choices=["fixed", "glob", "regex"], default="fixed")
    _add_dedupe(p)
    _add_output(p, 30)
    _add_where(p)
    p.set_defaults(func=_run_collocates)


def _run_collocates(args: argparse.Namespace) -> int:
    corpus = _load(args)
    node: Any = args.node
    if args.actors:
        actor_set = read_actors(args.actors)
        if args.node in actor_set:
            node = mentions(corpus, actor_set.subset([args.node]), executor=_executor(args))
    result = collocates(corpus, node, window=args.window, measure=args.measure, min_count=args.min_count,
                        match=args.match, dedupe=_dedupe(args, corpus), executor=_executor(args))  # fmt: skip
    _print_table(result.df, args.max_rows)
    _print(f"-- {len(result.df):,} collocates of {args.node!r}; {result.params['hits']:,} hits")
    _print_dedupe(result.params)
    _write_csv(result, args.csv)
    return 0


# ---------------------------------------------------------------------------------------------
# timeline
# ---------------------------------------------------------------------------------------------
def _add_timeline(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("timeline", help="mentions, documents and attention share per period")
    _add_source(p)
    _add_actors(p)
    p.add_argument("--freq", default="M", help="pandas period alias: D, W, M (default), Q, Y")
    p.add_argument("--by", help="split by a document column, e.g. source")
    _add_dedupe(p)
    _add_output(p, 40)
    _add_where(p)
    p.set_defaults(func=_run_timeline)


def _run_timeline(args: argparse.Namespace) -> int:
    corpus = _load(args)
    result = timeline(corpus, args.actors, freq=args.freq, by=args.by, dedupe=_dedupe(args, corpus),
                      executor=_executor(args))  # fmt: skip
    df = result.df.copy()
    df["period"] = df["period"].dt.strftime("%Y-%m-%d")
    _print_table(df[df["mentions"] > 0] if "mentions" in df.columns else df, args.max_rows)
    p = result.params
    _print(
        f"-- {p['periods']:,} periods of {args.freq}; {p['dated_documents']:,} dated documents; "
        f"{p['undated_documents']:,} documents without a date (not placed in a period)"
    )
    _print_dedupe(p)
    _write_csv(result, args.csv)
    return 0


# ---------------------------------------------------------------------------------------------
# actors
# ---------------------------------------------------------------------------------------------
def _add_actors_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("actors", help="work on an actor list: suggest aliases from a corpus")
    tasks = p.add_subparsers(dest="task", required=True)
    s = tasks.add_parser(
        "suggest",
        help="propose aliases, spelling variants and titles of one actor, with counts and KWIC lines",
        description="Print the suggestions for NAME (an actor id of --actors, or a name such as Raisi) "
        "and the actor's entry for actors.yaml with the new names added, ready to paste.",
    )
    _add_source(s)
    s.add_argument("name", help="an actor id of --actors, or a name such as 'Raisi'")
    s.add_argument("--actors", help="actor YAML file: where NAME is looked up, and who already claims a name")
    s.add_argument("--min-count", type=int, default=2, help="fewest occurrences of a suggestion (default 2)")
    s.add_argument("--similarity", type=float, default=80.0, help="smallest fuzz.ratio of a spelling variant (default 80)")
    s.add_argument("--yaml", metavar="FILE", help="write the actors.yaml entry to FILE instead of printing it")
    _add_output(s, 40)
    _add_where(s)
    s.set_defaults(func=_run_actors_suggest)


def _run_actors_suggest(args: argparse.Namespace) -> int:
    result = suggest_aliases(_load(args), args.name, actors=args.actors, min_count=args.min_count,
                             similarity=args.similarity, executor=_executor(args))  # fmt: skip
    cols = ["suggestion", "kind", "count", "documents", "known", "claimed_by", "resembles"]
    _print_table(result.df[cols], args.max_rows)
    _print(f"-- {result.caption()}")
    entry = result.to_yaml()
    if args.yaml:
        with open(args.yaml, "w", encoding="utf-8") as fh:
            fh.write(entry)
        _print(f"-- actors.yaml entry written to {args.yaml}")
    else:
        _print()
        _print(entry.rstrip("\n"))
    _write_csv(result, args.csv)
    return 0


# ---------------------------------------------------------------------------------------------
# keyness
# ---------------------------------------------------------------------------------------------
def _add_keyness(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "keyness",
        help="keywords of a target (an outlet, a period, an actor's contexts) against the rest or a reference",
        description="Compare word frequencies of a TARGET with a REFERENCE (default: the rest of the corpus). "
        "Choose the target with --target-source, --target-from/--target-to, or --actor ID with --window N or "
        "--unit sentence.",
    )
    _add_source(p)
    p.add_argument("--target-source", metavar="NAME", help="target: the documents of this outlet (source column)")
    p.add_argument("--target-from", metavar="DATE", help="target: documents dated from this day ...")
    p.add_argument("--target-to", metavar="DATE", help="... to this day (inclusive)")
    p.add_argument("--actor", metavar="ID", help="target: the contexts of this actor's mentions (with --window or --unit)")
    p.add_argument("--actors", default="corpora/actors.yaml", help="actor YAML file for --actor (default corpora/actors.yaml)")
    p.add_argument("--window", type=int, help="with --actor: tokens each side of a mention")
    p.add_argument("--unit", choices=["sentence", "paragraph", "document"], help="with --actor: the unit holding a mention")
    p.add_argument("--reference-source", metavar="NAME", help="reference: this outlet instead of the rest of the corpus")
    p.add_argument("--reference-from", metavar="DATE", help="reference: documents dated from this day ...")
    p.add_argument("--reference-to", metavar="DATE", help="... to this day (inclusive)")
    p.add_argument("--measure", choices=list(KEYNESS_MEASURES), default="g2", help="sort by this measure (default g2)")
    p.add_argument("--min-count", type=int, default=3, help="test words seen at least N times on both sides together (default 3)")
    p.add_argument("--correction", choices=["yates", "williams", "none"],
                   help="correction of chi2 and G2 (default: Yates for chi2, none for G2)")  # fmt: skip
    p.add_argument("--stopwords", metavar="SPEC", help="words not tested, e.g. english or english+russian")
    p.add_argument("--adjust", choices=["bh", "by", "bonferroni", "none"], default="bh", help="p-value adjustment (default bh)")
    p.add_argument("--fisher", action="store_true", help="also compute Fisher's exact p")
    _add_dedupe(p)
    p.add_argument("--negative", action="store_true", help="print the reference's keywords (most negative first)")
    _add_output(p, 30)
    _add_where(p)
    p.set_defaults(func=_run_keyness)


def _run_keyness(args: argparse.Namespace) -> int:
    chosen = [name for name, given in (("--target-source", args.target_source), ("--actor", args.actor),
              ("--target-from/--target-to", args.target_from or args.target_to)) if given]  # fmt: skip
    if len(chosen) != 1:
        raise InputError(
            f"choose the target with exactly one of --target-source, --target-from/--target-to "
            f"or --actor; got {chosen or 'none'}."
        )
    corpus = _load(args)
    target: Any
    if args.actor:
        target = args.actor
    elif args.target_source:
        target = corpus.filter(source=args.target_source)
    else:
        target = corpus.between(args.target_from, args.target_to)
    if args.reference_source and (args.reference_from or args.reference_to):
        raise InputError("give --reference-source or --reference-from/--reference-to, not both.")
    reference = None
    if args.reference_source:
        reference = corpus.filter(source=args.reference_source)
    elif args.reference_from or args.reference_to:
        reference = corpus.between(args.reference_from, args.reference_to)
    result = keyness(corpus, target, reference, measure=args.measure, min_count=args.min_count, correction=args.correction,
                     stopwords=args.stopwords, window=args.window, unit=args.unit,
                     actors=args.actors if args.actor else None, dedupe=_dedupe(args, corpus), fisher=args.fisher,
                     adjust=args.adjust, executor=_executor(args))  # fmt: skip
    cols = ["word", "target", "reference", "rate_target", "rate_reference", args.measure, "log_ratio", "g2_p_adj"]
    rows = result.bottom(args.max_rows) if args.negative else result.top(args.max_rows)
    _print_table(rows[list(dict.fromkeys(cols))], args.max_rows)
    p = result.params
    _print(
        f"-- {p['words_tested']:,} words tested; target {p['target']}: {p['tokens_target']:,} words in "
        f"{p['documents_target']:,} documents; reference {p['reference']}: {p['tokens_reference']:,} words in "
        f"{p['documents_reference']:,} documents; sorted by {args.measure}"
        + ("; the reference's keywords first" if args.negative else "")
    )
    _print_dedupe(p)
    _write_csv(result, args.csv)
    return 0


# ---------------------------------------------------------------------------------------------
# quotes
# ---------------------------------------------------------------------------------------------
def _add_quotes(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quotes", help="direct quotations: who said what, with the speech verb and the pattern")
    _add_source(p)
    _add_actors(p)
    p.add_argument("--speaker", action="append", default=[], metavar="ID", help="only quotations of this actor (repeatable)")
    p.add_argument("--rejected", action="store_true", help="print the quoted spans not counted, with the reason")
    p.add_argument("--width", type=int, default=80, help="characters of each quotation shown (default 80)")
    _add_output(p, 30)
    _add_where(p)
    p.set_defaults(func=_run_quotes)


def _run_quotes(args: argparse.Namespace) -> int:
    result = quotes(_load(args), args.actors, executor=_executor(args))
    if args.speaker:
        result = result.of(*args.speaker)
    if args.rejected:
        df = result.rejected.copy()
        df["text"] = df["text"].map(lambda s: _flat_text(s, args.width))
        _print_table(df[["doc_id", "char_start", "char_end", "reason", "text"]], args.max_rows)
        _print(f"-- {len(df):,} quoted spans not counted: " + ", ".join(
            f"{n:,} {r}" for r, n in df["reason"].value_counts().items()))  # fmt: skip
        return 0
    df = result.df.copy()
    df["quote"] = df["quote"].map(lambda s: _flat_text(s, args.width))
    _print_table(df[["doc_id", "speaker", "speaker_text", "verb", "quote"]], args.max_rows)
    _print(f"-- {result.caption()}")
    if len(result.df):
        _print_table(result.counts().reset_index(), 10)
    _write_csv(result, args.csv)
    return 0


def _flat_text(text: object, width: int) -> str:
    flat = re.sub(r"\s+", " ", str(text)) if isinstance(text, str) else ""
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------
# ingest
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
    _add_where(p)
    p.set_defaults(func=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
    options = {k: getattr(args, k) for k in ("format", "text", "date", "title", "url", "id", "source_col")
               if getattr(args, k) is not None}  # fmt: skip
    shard_size = int(args.shard_size) if args.shard_size.isdigit() else args.shard_size
    source = args.source if len(args.source) > 1 else args.source[0]
    where = _executor(args)
    store = ingest(source, args.dest, shard_size=shard_size, index=args.index and where is None,
                   dedupe=args.dedupe, overwrite=args.overwrite, **options)  # fmt: skip
    if where is not None and args.index:
        shards.index(store, executor=where)  # the indexes are built on the cluster's workers
    for key, value in store.summary().items():
        _print(f"{key:>20}: {value}")
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
    # the report machinery (papermill, nbconvert) is loaded only for this subcommand
    from .report import (
        ReportExecutionError, convert_cli_params, expand_grid, load_params_file, notebook_parameters,
        run_batch, run_report, validate_params,
    )  # fmt: skip

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
        _print(result.summary[["run_id", "status", "error", "seconds", "html"]].to_string(index=False))
        _print(f"summary: {result.summary_csv}")
        return 0 if result.ok else 1
    try:
        run = run_report(args.notebook, params, run_id=args.run_id, **options)
    except ReportExecutionError as exc:
        failure, run = exc.run.error, exc.run
        where = f"cell {failure.cell_index}" if failure and failure.cell_index is not None else "start-up"
        _print(f"mediamon report: {run.notebook.name} failed in {where}", file=sys.stderr)
        if failure is not None:
            _print(f"  {failure.ename}: {failure.evalue}", file=sys.stderr)
        _print(f"  partial run kept in {run.folder}", file=sys.stderr)
        return 1
    _print(run.html or run.folder)
    return 0


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_corpus, _add_kwic, _add_mentions, _add_cooc, _add_collocates, _add_timeline, _add_keyness, _add_quotes,
    _add_actors_command, _add_ingest, _add_report,
]  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediamon", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MediamonError as exc:
        _print(f"mediamon {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: a report run has been kept as interrupted; no traceback, the shell's exit code
        _print(f"mediamon {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`mediamon kwic ... | head`): stop quietly, as `cat` does
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
