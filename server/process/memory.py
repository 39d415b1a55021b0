"""Memory upkeep: a full garbage collection and a heap trim, once a minute.

Two things make a long-running process grow while people come and go, though nothing is
kept on purpose (found by the soak benchmark, see docs/benchmarks.md):

- Every closed WebSocket leaves reference cycles behind: the websockets library parses
  with a generator that holds its own protocol, and that protocol holds the transport,
  the handshake and the queues. Only the collector's oldest generation frees such cycles,
  and CPython runs it more and more rarely as the heap grows (only when a quarter as many
  objects as it holds have been added since), so a steady trickle of leavers accumulates.
- pycrdt allocates through the C library's malloc, which keeps freed memory in its
  arenas (one per thread: the store's thread compacts boards in its own) instead of giving
  it back; `malloc_trim` returns the free pages.

Everything made while starting (modules, routes, the OpenAPI document) lives as long as the
process, so it is frozen out of collections (`gc.freeze`): a full collection then only walks
what came since, well under a millisecond on a quiet server instead of some 30 ms.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Callable

from .tasks import stop

log = logging.getLogger("paja.memory")


def heap_trimmer() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


class MemoryUpkeep:
    def __init__(self, interval_seconds: float) -> None:
        self.interval = interval_seconds
        self._task: asyncio.Task[None] | None = None
        self._trim = heap_trimmer()

    def start(self) -> None:
        if self.interval > 0:
            gc.collect()
            gc.freeze()
            self._task = asyncio.create_task(self._run(), name="paja-memory-upkeep")

    async def close(self) -> None:
        await stop([self._task])

    def run_once(self) -> None:
        started = time.perf_counter()
        freed = gc.collect()
        if self._trim is not None:
            self._trim()
        log.debug(
            "memory upkeep: %d objects freed in %.1f ms",
            freed,
            1000 * (time.perf_counter() - started),
        )

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.run_once()
