"""glibc's allocator, set for a process that runs models in a few threads.

By default glibc gives each thread that allocates an arena of its own (up to 8 per core), and each
arena keeps what it grew to. Two arenas are enough for the event loop and the inference threads, and
hold less memory (bench.hostile_images: about 20 MB less at peak). A fixed low mmap threshold would
save more (~100 MB) but cost a fifth of the throughput (page faults on every large activation:
`python -m bench.bot` vs `--default-malloc`, README "Speed"), so glibc keeps its dynamic one.
An operator's MALLOC_ARENA_MAX wins; on other C libraries (musl, macOS) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

M_ARENA_MAX = -8  # mallopt parameter, from glibc's malloc.h
ARENAS = 2


def limit_heap_growth() -> bool:
    """Set the arena count unless MALLOC_ARENA_MAX is set; False where glibc is absent."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    if "MALLOC_ARENA_MAX" in os.environ:
        return True
    return bool(mallopt(M_ARENA_MAX, ARENAS) == 1)
