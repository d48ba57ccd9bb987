"""glibc's allocator, set for a process that runs models in a few threads.

By default glibc gives each thread that allocates an arena of its own (up to 8 per core), and each
arena keeps what it grew to. Two arenas are enough for the event loop and the inference threads, and
hold less memory (bench.hostile_images: about 20 MB less at peak).

Blocks of 4 MB and more (decoded photos, big activations) are mapped and unmapped on their own, so
they go back to the system as soon as they are freed. glibc's default threshold moves up to the
largest block freed so far (up to 32 MB), after which every photo buffer stays in the heap, and two
inference threads each keep their own: bench.hostile_images peaked 40 MB higher (652 vs 693 MB), at
the same bench.bot throughput within its noise (texts 66-69 vs 68-72/s, 2026-12-06). A lower
threshold costs page faults: 1 MB saved 25 MB more and lost ~10 % of the texts; 256 kB lost a fifth.
Below 4 MB: the text model's fp16 weights widened per use (2.4 MB each), which must not fault.
An operator's MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ win; on other C libraries (musl, macOS) this
does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os

# mallopt parameters, from glibc's malloc.h
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD = 4 * 2**20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what glibc's dynamic rule keeps it at


def limit_heap_growth() -> bool:
    """Set arenas and thresholds, each unless the operator set it; False where glibc is absent."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    settings = {"MALLOC_ARENA_MAX": [(M_ARENA_MAX, ARENAS)],
                "MALLOC_MMAP_THRESHOLD_": [(M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD)]}
    return all(mallopt(parameter, value) == 1 for variable, pairs in settings.items() if variable not in os.environ
               for parameter, value in pairs)
