"""The longest stall of the event loop while a large board's snapshot and log are folded
into a new snapshot (compaction), before and after folding moved to a worker process.

Before: the fold ran in the store's thread of the server process (`fold` under
`asyncio.to_thread`, as the SQLite store's compaction did); pycrdt holds the GIL while it
applies and encodes, and `nesting.sanitise_values` is pure Python, so the loop waited.
After: `SQLiteDocuments.compact`, the store's own compaction, folding in its worker
process (server/store/folding.py). The board: NOTES notes moved 120,000 times in all (about
3.6 MB encoded), plus a log of LOG updates after its snapshot. The idle figure is the
longest stall of the same loop doing nothing for as long: the machine's own noise.

    .venv/bin/python bench/compaction_stall.py [--moves 120000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from pycrdt import Doc, Map

from server.store.documents import fold
from server.store.sqlite import SQLiteStore

KEY = "bench/main"
NOTES = 2000
LOG = 500


def board(moves: int) -> tuple[bytes, list[bytes]]:
    """The snapshot of a board after `moves` note moves, and LOG more moves as updates."""
    doc: Doc[Any] = Doc()
    notes = doc.get("notes", type=Map)
    with doc.transaction():
        for i in range(NOTES):
            notes[f"n{i}"] = Map({"text": f"idea {i}: " + "mitä tiedämme " * 8, "x": 0.0, "y": 0.0})
    for m in range(moves):
        with doc.transaction():  # a move sets both coordinates
            note = notes[f"n{m % NOTES}"]
            note["x"], note["y"] = float(m), float(-m)
    snapshot = doc.get_update()
    log: list[bytes] = []
    subscription = doc.observe(lambda event: log.append(event.update))
    for m in range(LOG):
        notes[f"n{m % NOTES}"]["y"] = float(m)
    doc.unobserve(subscription)
    return snapshot, log


async def largest_stall(work: Awaitable[object]) -> tuple[float, float, float]:
    """(the longest the loop went without running a 1 ms ticker, the work's duration, the
    CPU time this process spent meanwhile, all threads, the worker not included), ms. On a
    busy machine the stall also counts waiting for a core; the CPU time does not."""
    done = asyncio.Event()
    worst = 0.0

    async def ticker() -> None:
        nonlocal worst
        while not done.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - started - 0.001)

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    started, cpu = time.perf_counter(), time.process_time()
    await work
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    done.set()
    await tick
    return worst * 1000, took * 1000, cpu * 1000


async def main(moves: int, repeat: int) -> None:
    snapshot, log = board(moves)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} CPUs")
    print(
        f"board: {NOTES} notes, {moves} moves, snapshot {len(snapshot) / 1e6:.2f} MB, "
        f"log {len(log)} updates ({sum(map(len, log))} bytes)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "paja.sqlite3", compact_after_updates=10**9)
        await store.start()
        documents = store.documents
        try:
            for run in range(repeat + 1):
                await documents.append_updates({KEY: [snapshot]})
                await documents.compact(KEY)  # the stored state is one snapshot again
                await documents.append_updates({KEY: log})
                if run == 0:
                    stall, took, cpu = await largest_stall(documents.compact(KEY))
                    print(
                        f"after, first compaction (starts the worker): largest stall "
                        f"{stall:.1f} ms, compaction {took:.0f} ms, CPU here {cpu:.0f} ms"
                    )
                    continue
                stored = [snapshot, *log]
                before = await largest_stall(asyncio.to_thread(fold, stored))
                after = await largest_stall(documents.compact(KEY))
                idle = await largest_stall(asyncio.sleep(after[1] / 1000))
                print(
                    f"run {run}: largest stall / duration / CPU in this process, ms: "
                    f"before (fold in the store's thread) {before[0]:.1f} / {before[1]:.0f} / "
                    f"{before[2]:.0f} | after (worker process) {after[0]:.1f} / {after[1]:.0f} / "
                    f"{after[2]:.0f} | idle loop as long {idle[0]:.1f}"
                )
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.moves, arguments.repeat))
