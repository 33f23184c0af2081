"""Route a sharded corpus to the out-of-core engine, so one call works on both kinds of corpus.

``mediamon.kwic(store, ...)`` on a :class:`~mediamon.store.ShardedCorpus` runs
:func:`mediamon.sharded.kwic` with the same arguments; on an in-memory :class:`~mediamon.Corpus` it
runs the engine as usual. A notebook therefore does not change when its ``corpus`` parameter points
at a sharded store instead of a file (``read_corpus`` opens a store folder as a ShardedCorpus).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def is_sharded(data: object) -> bool:
    """True for a :class:`~mediamon.store.ShardedCorpus` (checked without importing the store)."""
    return type(data).__name__ == "ShardedCorpus" and type(data).__module__ == "mediamon.store"


def accepts_store(func: F) -> F:
    """Send a ShardedCorpus first argument to the function of the same name in mediamon.sharded."""

    @functools.wraps(func)
    def wrapper(corpus: Any, *args: Any, **kwargs: Any) -> Any:
        if is_sharded(corpus):
            from . import sharded

            return getattr(sharded, func.__name__)(corpus, *args, **kwargs)
        return func(corpus, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
