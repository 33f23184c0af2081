"""The arguments every analysis shares: one validator and one description each.

``window`` always counts tokens, ``match`` is how a pattern meets the vocabulary, ``unit`` the span in
which two actors count as co-occurring, ``min_count`` the smallest count kept, ``measure`` the score
that ranks a table, and ``dedupe`` which repeated articles count once. Each analysis validates its
arguments here (so the same value is accepted or refused everywhere, with the same message) and takes
the description of each shared argument from :data:`PARAMETER_DOCS` through :func:`shared_docs` (so the
documentation of an argument is written once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Literal, TypeVar

import numpy as np

from .errors import InputError, one_of

Match = Literal["fixed", "glob", "regex"]
Unit = Literal["sentence", "paragraph", "document"]
Dedupe = Literal["exact", "near"] | bool

MATCHES: tuple[str, ...] = ("fixed", "glob", "regex")
UNITS: tuple[str, ...] = ("sentence", "paragraph", "document")
#: The largest window mediamon accepts: a news sentence is rarely 100 tokens long, a window of
#: 10,000 tokens already spans most articles, and anything larger only allocates memory.
MAX_WINDOW = 10_000

F = TypeVar("F", bound=Callable[..., object])

#: numpydoc text of each shared parameter, inserted into docstrings by :func:`shared_docs`.
PARAMETER_DOCS: dict[str, str] = {
    "match": """match
    How a pattern meets the vocabulary, token by token: ``"fixed"`` (literal tokens, matched on
    their normalised form; regex metacharacters mean themselves), ``"glob"`` (``*``, ``?`` and
    ``[...]`` per token, e.g. "Putin*", "*stan") or ``"regex"`` (a regular expression that must
    match a whole normalised form). Globs and regexes run on RE2, in time linear in the vocabulary:
    Python syntax that RE2 lacks (backreferences, lookaround) is refused with an error.""",
    "window_sides": """window
    Context in tokens: an int for both sides or ``(left, right)``; ``(0, 4)`` looks only to the
    right. Windows stop at document boundaries.""",
    "window_distance": """window
    Count co-mention events instead of units: two mentions of different actors at most *window*
    tokens apart in one document (the distance runs from the last token of the earlier mention to
    the first token of the later one, so adjacent mentions are 1 apart).""",
    "unit": """unit
    ``"sentence"``, ``"paragraph"`` or ``"document"``: the span in which two actors count as
    co-occurring.""",
    "min_count": """min_count
    Keep rows whose count (``n_ab``) is at least this (``0`` keeps every row).""",
    "dedupe": """dedupe
    ``False``, ``"exact"`` (``True`` means the same), ``"near"``, or a
    :class:`~mediamon.analysis.duplicates.NearDuplicates` result of this corpus: count each cluster
    of repeated articles once. The other members of a cluster leave every count (their rows are
    dropped; documents keep their numbers) and are listed with the id they duplicate in the
    result's ``duplicates`` table; ``params['n_duplicates']`` says how many were folded.
    ``"exact"``: two documents are exact duplicates when their article bodies (between
    ``body_start`` and ``body_end``, so datelines and licence lines are ignored) hold the same
    sequence of normalised tokens (case, Unicode form, quote style and whitespace do not matter); the
    first document in corpus order is kept. ``read_corpus`` already skips byte-identical texts by
    default; those are exact duplicates too, and the first of each group is kept in both places, so
    an analysis gives the same numbers whether they were skipped at load or folded here.
    ``"near"``: reprints with small edits, found by :func:`mediamon.near_duplicates` with its
    defaults (Jaccard similarity >= 0.8 of 5-token shingles, verified exactly); pass
    ``mm.near_duplicates(corpus, threshold=...)`` itself for other settings, or to compute the
    clusters once for several analyses. The earliest-dated member of a cluster (then the smallest
    ``doc_id``) is kept, as ``read_corpus(..., dedupe="near")`` keeps it.""",
    "executor": """executor
    Where the per-shard counting runs: ``None`` (the corpus's own choice, see ``corpus.using()``;
    by default in this process), ``"serial"``, ``"dask"`` (a local Dask cluster of two worker
    processes), a scheduler address (``"tcp://host:8786"``), a ``dask.distributed.Client`` or an
    executor object (:mod:`mediamon.executors`). The result is the same wherever it runs.""",
}


def shared_docs(func: F) -> F:
    """Fill ``{match}``, ``{window_sides}``, ... in *func*'s docstring from :data:`PARAMETER_DOCS`.

    The placeholders sit at the indentation of a numpydoc parameter entry; the inserted text keeps
    that indentation on every line.
    """
    doc = func.__doc__
    if not doc:
        return func
    lines = []
    for line in doc.splitlines():
        stripped = line.strip()
        key = stripped[1:-1] if stripped.startswith("{") and stripped.endswith("}") else None
        if key in PARAMETER_DOCS:
            indent = line[: len(line) - len(line.lstrip())]
            lines.extend(indent + part for part in PARAMETER_DOCS[key].splitlines())
        else:
            lines.append(line)
    func.__doc__ = "\n".join(lines)
    return func


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_match(match: object, call: str) -> Match:
    """A valid ``match`` value, or an :class:`InputError` listing the choices."""
    if match not in MATCHES:
        raise one_of(call, "match", match, MATCHES)
    return match  # type: ignore[return-value]


def check_unit(unit: object, call: str) -> Unit:
    """A valid ``unit`` value."""
    if unit not in UNITS:
        raise one_of(call, "unit", unit, UNITS)
    return unit  # type: ignore[return-value]


def check_choice(value: object, name: str, allowed: Sequence[str], call: str) -> str:
    """A value that must be one of *allowed* (e.g. ``measure``, ``clip``)."""
    if value not in allowed:
        raise one_of(call, name, value, allowed)
    return str(value)


def check_min_count(min_count: object, call: str) -> int:
    """An integer ``>= 0``."""
    if not _is_int(min_count) or int(min_count) < 0:  # type: ignore[arg-type]
        raise InputError(f"{call}: min_count={min_count!r} is invalid; pass an integer >= 0.")
    return int(min_count)  # type: ignore[arg-type]


def check_window_sides(window: object, call: str, *, allow_empty: bool = False) -> tuple[int, int]:
    """``(left, right)`` tokens from an int or a pair; both sides 0 only where *allow_empty*.

    >>> check_window_sides(5, "kwic()"), check_window_sides((0, 4), "collocates()")
    ((5, 5), (0, 4))
    """
    if _is_int(window):
        left = right = int(window)  # type: ignore[arg-type]
    elif isinstance(window, (tuple, list)) and len(window) == 2 and all(_is_int(w) for w in window):
        left, right = (int(w) for w in window)
    else:
        raise InputError(
            f"{call}: window={window!r} is invalid; pass tokens per side as an int (5) or (left, right)."
        )
    if left < 0 or right < 0:
        raise InputError(f"{call}: window={window!r} is invalid; sides must be >= 0.")
    if not allow_empty and left + right == 0:
        raise InputError(f"{call}: window={window!r} is invalid; at least one side must be > 0.")
    if max(left, right) > MAX_WINDOW:
        raise InputError(
            f"{call}: window={window!r} is too large; at most {MAX_WINDOW:,} tokens per side "
            "(use clip='document' context or the document reader for whole texts)."
        )
    return left, right


def check_window_distance(window: object, call: str) -> int | None:
    """``None`` or a number of tokens ``>= 1`` (co-mention distance)."""
    if window is None:
        return None
    if not _is_int(window) or not 1 <= int(window) <= MAX_WINDOW:  # type: ignore[arg-type]
        raise InputError(
            f"{call}: window={window!r} is invalid; pass a number of tokens from 1 to {MAX_WINDOW:,}, "
            "or None to count units."
        )
    return int(window)  # type: ignore[arg-type]


def check_dedupe(dedupe: object, call: str) -> Literal["exact", "near"] | object | None:
    """``None`` (no deduplication), ``"exact"`` (``True`` is ``"exact"``), ``"near"``, or a
    near-duplicates result to use as it is (an object whose ``dedupe_mode`` is ``"near"``, i.e. a
    :class:`~mediamon.analysis.duplicates.NearDuplicates`)."""
    if dedupe is False or dedupe is None:
        return None
    if dedupe is True:
        return "exact"
    if isinstance(dedupe, str) and dedupe in ("exact", "near"):
        return dedupe  # type: ignore[return-value]
    if not isinstance(dedupe, str) and getattr(dedupe, "dedupe_mode", None) == "near":
        return dedupe
    raise InputError(
        f"{call}: dedupe={dedupe!r} is invalid; pass False, 'exact' (True means 'exact'), 'near', or "
        "mediamon.near_duplicates(corpus, threshold=...) for near-duplicates with other settings."
    )


def check_names(values: Iterable[object], name: str, call: str) -> list[str]:
    """A list of non-empty strings (e.g. sort keys, actor ids)."""
    out = []
    for v in values:
        if not isinstance(v, str) or not v:
            raise InputError(f"{call}: {name} must be non-empty strings; got {v!r}.")
        out.append(v)
    return out
