"""return_freed_memory (mediamon.freeing): memory that Python freed goes back to the operating system.

Measured with the process's own resident size (``/proc/self/statm``), on glibc, the C library whose
heap keeps free pages below its top until ``malloc_trim`` is asked.
"""

from __future__ import annotations

import os
import platform

import pytest

from mediamon import freeing


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or not os.path.exists("/proc/self/statm"),
                    reason="glibc's heap and Linux's /proc only")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    assert freeing._malloc_trim() is not None
    # 200 MB in 2,000-byte objects (past Python's small-object allocator: from glibc's heap), with
    # one in fifty kept, so that the heap's top stays in use and free() alone returns nothing
    blocks = [bytes(2000) for _ in range(100_000)]
    kept = blocks[::50]
    del blocks
    before = _resident_bytes()
    freeing.return_freed_memory()
    after = _resident_bytes()
    assert before - after > 100_000_000
    assert all(len(b) == 2000 and not any(b[:10]) for b in kept)  # what is in use is untouched

