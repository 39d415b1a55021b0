"""Compaction folds a board's snapshot and log in a worker process, never on the server's
own threads (where pycrdt holds the GIL, so the event loop would wait; the stall it costs
is measured by bench/compaction_stall.py). So a compaction that hangs holds up nothing:
with the worker frozen (SIGSTOP) edits keep being stored, and once it runs again the log
is compacted; a worker killed is replaced, and goes when its server is killed."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
from pathlib import Path

from support.load import SteadyLoad
from support.processes import PajaServer
from support.yclient import YClient, eventually

COMPACT_AFTER = 50


def log_rows(server: PajaServer) -> int:
    with contextlib.closing(sqlite3.connect(server.data_dir / "paja.sqlite3")) as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM updates").fetchone()
    return int(rows)


def fold_worker(server: PajaServer) -> int | None:
    """The pid of the server's worker process, if it has one (not its resource tracker)."""
    assert server.proc is not None
    for task in Path(f"/proc/{server.proc.pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in command:
                return int(child)
    return None


async def test_a_frozen_compaction_holds_up_no_edit(server_factory: type[PajaServer]) -> None:
    server = server_factory(args=["--compact-after-updates", str(COMPACT_AFTER)]).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    clients = [await YClient(url).connect() for _ in range(2)]
    load = SteadyLoad(clients).start()
    worker = None
    try:
        await eventually(lambda: fold_worker(server) is not None, timeout=20, what="a worker")
        worker = fold_worker(server)
        assert worker is not None
        os.kill(worker, signal.SIGSTOP)
        # Edits are still stored while the fold waits: the log grows past the threshold.
        await eventually(lambda: log_rows(server) > 4 * COMPACT_AFTER, timeout=30, what="rows")
        before = len(load.acknowledged())
        await load.until_acknowledged(before + 50)
        assert server.readiness() == 200
    finally:
        if worker is not None:
            os.kill(worker, signal.SIGCONT)
        await load.stop()
    await eventually(lambda: log_rows(server) < 2 * COMPACT_AFTER, timeout=30, what="compacted")

    # A worker that dies (kill -9, or out of memory) is replaced at the next compaction.
    os.kill(worker, signal.SIGKILL)
    more = SteadyLoad(clients).start()
    try:
        await eventually(
            lambda: fold_worker(server) not in (None, worker), timeout=30, what="a new worker"
        )
    finally:
        await more.stop()
    await eventually(lambda: log_rows(server) < 2 * COMPACT_AFTER, timeout=30, what="compacted")
    fresh = await YClient(url).connect()
    edits = set(load.edits) | set(more.edits)
    await eventually(lambda: edits <= set(fresh.notes()), what="every edit")
    for client in [*clients, fresh]:
        await client.close()

    # A server killed with -9 leaves no worker behind.
    last = fold_worker(server)
    assert last is not None
    server.kill9()
    await eventually(lambda: exited(last), timeout=10, what="the worker gone")


def exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"
