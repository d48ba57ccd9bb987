"""bot.malloc: glibc's allocator is set unless the operator set it."""
from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest

from bot import malloc

GLIBC = ctypes.util.find_library("c") is not None and sys.platform == "linux"

# A child process: mallopt changes the process for good, and each case needs a fresh allocator.
PROBE = "from bot.malloc import limit_heap_growth; print(limit_heap_growth())"


def probe(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="glibc only")
def test_sets_the_allocator_on_glibc() -> None:
    assert probe({}) == "True"


@pytest.mark.skipif(not GLIBC, reason="glibc only")
def test_an_operators_setting_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []

    class FakeLibc:
        @staticmethod
        def mallopt(parameter: int, value: int) -> int:
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(malloc.ctypes, "CDLL", lambda name: FakeLibc)
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert malloc.limit_heap_growth()
    assert calls == []
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    assert malloc.limit_heap_growth()
    assert calls == [(malloc.M_ARENA_MAX, malloc.ARENAS)]
    calls.clear()
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    assert malloc.limit_heap_growth()
    assert calls == [(malloc.M_ARENA_MAX, malloc.ARENAS), (malloc.M_MMAP_THRESHOLD, malloc.MMAP_THRESHOLD),
                     (malloc.M_TRIM_THRESHOLD, malloc.TRIM_THRESHOLD)]


def test_no_glibc_means_no_change(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise OSError(name)

    monkeypatch.setattr(malloc.ctypes, "CDLL", missing)
    assert malloc.limit_heap_growth() is False
