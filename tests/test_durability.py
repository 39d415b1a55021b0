"""No edit is lost: not to `kill -9`, not to SIGTERM, and the stored log stays compact."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from pathlib import Path

from pycrdt import Map

from support.processes import PajaServer
from support.yclient import YClient, eventually


async def _edit_until(clients: list[YClient], stop: asyncio.Event, log: dict[str, float]) -> None:
    i = 0
    while not stop.is_set():
        for n, client in enumerate(clients):
            key = f"c{n}-{i}"
            client.doc.get("notes", type=Map)[key] = i
            log[key] = time.monotonic()
        i += 1
        await asyncio.sleep(0.01)


async def test_kill_9_loses_nothing_older_than_a_second_and_clients_heal(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    clients = [await YClient(url).connect() for _ in range(2)]
    edits: dict[str, float] = {}
    stop = asyncio.Event()
    editor = asyncio.create_task(_edit_until(clients, stop, edits))
    await asyncio.sleep(3)
    killed_at = time.monotonic()
    server.kill9()
    stop.set()
    await editor
    for client in clients:
        await client.wait_closed()

    server.start()
    fresh = await YClient(url).connect()
    served = fresh.notes()
    settled = [k for k, t in edits.items() if t < killed_at - 1.0]
    assert len(settled) > 100
    missing = [k for k in settled if k not in served]
    assert not missing, f"{len(missing)} edits older than 1 s lost, e.g. {missing[:5]}"

    # The survivors reconnect with their full local state: then every edit is there.
    for client in clients:
        await client.connect()
    await eventually(lambda: set(edits) <= set(fresh.notes()), what="every edit after heal")
    for c in [*clients, fresh]:
        await c.close()


async def test_sigterm_stores_every_edit(server_factory: type[PajaServer]) -> None:
    server = server_factory().start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    client = await YClient(url).connect()
    notes = client.doc.get("notes", type=Map)
    for i in range(300):
        notes[f"n{i}"] = i
    # Wait until the server holds every edit (another client sees them all), then stop it
    # at once: most edits are still waiting for their batched write.
    reader = await YClient(url).connect()
    await eventually(lambda: len(reader.notes()) == 300, what="every edit on the server")
    await reader.close()
    assert server.terminate()
    await client.close()
    server.start()
    fresh = await YClient(url).connect()
    assert fresh.notes() == {f"n{i}": i for i in range(300)}
    await fresh.close()


def _stored_log(db_path: Path, key: str) -> tuple[int, int]:
    """Rows and bytes in a board's update log (read beside the running server: WAL mode)."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        rows, size = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM updates WHERE doc = ?", (key,)
        ).fetchone()
    return int(rows), int(size)


async def test_twenty_thousand_updates_load_compacted(server_factory: type[PajaServer]) -> None:
    # One client sends 20,000 updates as fast as it can: lift the per-connection rate limit.
    server = server_factory(
        args=["--compact-after-updates", "1000000", "--messages-per-second", "1000000"]
    ).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    db_path = server.data_dir / "paja.sqlite3"
    key = f"{s['id']}/main"
    writer = await YClient(url).connect()
    notes = writer.doc.get("notes", type=Map)
    for i in range(20_000):
        notes[f"k{i % 500}"] = i  # keep overwriting: history the snapshot can drop
        if i % 500 == 0:
            await asyncio.sleep(0)
    expected = writer.notes()
    # Crash only once the server has stored every edit: a clean stop would compact them.
    await eventually(
        lambda: _stored_log(db_path, key)[0] >= 20_000, timeout=60, what="every edit logged"
    )
    server.kill9()
    await writer.close()
    rows_before, bytes_before = _stored_log(db_path, key)

    server.args = ["--messages-per-second", "1000000"]  # default compaction threshold
    server.start()
    started = time.monotonic()
    reader = await YClient(url).connect()
    load_seconds = time.monotonic() - started
    assert reader.notes() == expected
    # Compacted by the load itself, while the server runs.
    rows_after, log_bytes = _stored_log(db_path, key)
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        (snapshot_bytes,) = db.execute(
            "SELECT LENGTH(data) FROM snapshots WHERE doc = ?", (key,)
        ).fetchone()
    await reader.close()
    print(
        f"\ncompaction: {rows_before} log rows / {bytes_before} bytes before; "
        f"{rows_after} rows + snapshot {snapshot_bytes} bytes after; "
        f"first sync after restart {load_seconds * 1000:.0f} ms"
    )
    assert rows_after <= 2  # at most the reader's own sync reply, logged after compaction
    assert snapshot_bytes + log_bytes < bytes_before / 2
