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
# main
# ---------------------------------------------------------------------------------------------
_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_corpus]


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
