"""glibc's allocator, set for a process that runs models in threads.

By default glibc gives each thread that allocates its own arena (up to 8 per core) and raises its
mmap threshold after every large free, so model activations and decoded images end up on heaps that
never shrink: the bot's resident memory grew by ~100 MB over its first hundred images (bench.hostile_images).
Two arenas and a fixed 256 kB mmap threshold (larger blocks are mapped and given back on free) keep it
near what the models need. An operator's MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ wins; on other
C libraries (musl, macOS) this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

M_MMAP_THRESHOLD = -3  # mallopt parameters, from glibc's malloc.h
M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD = 256 * 1024


def limit_heap_growth() -> bool:
    """Set the two parameters (each unless its environment variable is set); False where glibc is absent."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    done = True
    if "MALLOC_ARENA_MAX" not in os.environ:
        done &= mallopt(M_ARENA_MAX, ARENAS) == 1
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        done &= mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return done
