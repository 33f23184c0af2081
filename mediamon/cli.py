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
# main
# ---------------------------------------------------------------------------------------------
_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_corpus, _add_report]


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
