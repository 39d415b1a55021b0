"""Folding a board's stored snapshot and log into one snapshot, in a worker process.

pycrdt holds the GIL while it applies and encodes, and the values of stored updates are
walked in pure Python first (`nesting.sanitise_values`): folding a 3.6 MB board takes some
200 ms of CPU, which in a thread of the server's own process is 200 ms during which the
event loop serves nobody. In a process of its own it costs the loop only the copying of
the bytes there and back (docs/benchmarks.md, `bench/compaction_stall.py`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .documents import fold

# A fresh interpreter, as for imports (server/facilitation/importing.py): forking would
# copy a process that has threads.
_CONTEXT = multiprocessing.get_context("spawn")
# The worker yields the CPU to the server's own process: on a busy machine a fold may take
# longer, but the event loop is not kept waiting for a core.
NICENESS = 10
PARENT_CHECK_SECONDS = 1.0


class Folder:
    """One worker process, started at the first fold and kept: compactions are frequent
    on a busy server, and starting an interpreter takes a second or two."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def fold(self, updates: Sequence[bytes]) -> bytes:
        """`fold(updates)` in the worker; LoadError when they are corrupt."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=_CONTEXT,
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fold, list(updates))
        except BrokenProcessPool:
            if self._pool is pool:  # the worker died (killed, out of memory): a new one next
                self._pool = None
                pool.shutdown(wait=False)
            raise

    def close(self) -> None:
        """At shutdown, once no fold is under way: the worker exits at once."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _start_worker(server: int) -> None:
    """In the worker: yield the CPU to the server, and exit when the server is gone (a
    server killed with -9 cannot stop its worker, which would wait for work forever)."""
    os.nice(NICENESS)

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="paja-fold-parent", daemon=True).start()
