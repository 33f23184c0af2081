"""Handing memory that was freed back to the operating system, after a large read or build.

Reading a corpus frees hundreds of MB of Python objects and Arrow buffers, but the allocators keep
much of it: glibc's ``malloc`` keeps free pages in the middle of its heap (only its top is
returned by itself), and Arrow's memory pool keeps freed blocks for reuse. The index and the
analyses that follow allocate through numpy's large arrays (``mmap``), which never reuse those
pages, so the process carried them to its peak: on tehrantimes about 110 MB after
:func:`~mediamon.readers.read_corpus` and as much after an index build (``bench/RESULTS-memory.md``).

:func:`return_freed_memory` asks both allocators to return what is free. It changes no value and
frees nothing in use; on a C library without ``malloc_trim`` (macOS, musl) only Arrow's pool is
asked. It costs about 10 ms after a 600 MB read. The same remedy is what Dask's documentation gives
for worker memory ("Memory not released back to the OS", ``malloc_trim``).
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable

import pyarrow as pa

__all__ = ["return_freed_memory"]


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None when the C library has none."""
    try:
        # the symbols of the running program, its C library's among them (no library search,
        # which runs ldconfig in a subprocess)
        program = ctypes.CDLL(None)
    except (OSError, TypeError):  # TypeError: Windows loads no program by a null name
        return None
    trim = getattr(program, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def return_freed_memory() -> None:
    """Return the free memory of Arrow's pool and of glibc's heap to the operating system."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)  # 0: keep no slack at the top of the heap
