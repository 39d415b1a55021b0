"""Faults under a live workshop: a full disk under the embedded store.

The other faults of a deployment are tested where their scenario already lived, under the
same steady load (`support/load.py`) and with the same checks — `/readyz` says 503 while
the fault lasts, the log says what happened, and no acknowledged edit is lost:

- an instance killed with `kill -9` and restarted: test_redis_deployment.py
- Redis killed with `kill -9` and restarted from its append-only file, and Redis frozen
  (SIGSTOP) for ten seconds: test_redis_failures.py
- a server killed with `kill -9` on SQLite: test_durability.py

An edit counts as acknowledged once a client other than its author holds it (see
`SteadyLoad`): the server took it and passed it on.
"""

from __future__ import annotations

import sqlite3

from support.load import SteadyLoad
from support.processes import PajaServer
from support.sqlite import FULL_DISK_BYTES
from support.yclient import YClient, eventually


async def test_a_full_disk_makes_the_server_not_ready_and_no_acknowledged_edit_is_lost(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory()
    server.max_file_bytes = FULL_DISK_BYTES
    server.start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    clients = [await YClient(url).connect() for _ in range(3)]
    load = SteadyLoad(clients).start()
    try:
        await eventually(lambda: server.readiness() == 503, timeout=60, what="the disk full")
        assert "store write failed; edits kept in memory and retried" in server.log()
        assert "disk I/O error" in server.log()  # what SQLite makes of EFBIG
        # The clients of the server still work together while nothing can be stored.
        before = len(load.acknowledged())
        await load.until_acknowledged(before + 300)
        assert server.readiness() == 503, "still not ready: nothing was stored meanwhile"
        assert all(not c.closed.is_set() for c in clients)

        server.lift_file_size_limit()  # room on the disk again: the server catches up
        await eventually(lambda: server.readiness() == 200, timeout=10, what="ready again")
        assert "store writes resumed; pending edits stored" in server.log()
    finally:
        await load.stop()
    acknowledged = load.acknowledged()

    # Stopped and started on the same data dir (no cap now): the store has everything.
    assert server.terminate()
    for client in clients:
        await client.wait_closed()
    server.max_file_bytes = None
    server.start()
    fresh = await YClient(url).connect()
    missing = acknowledged - set(fresh.notes())
    assert not missing, f"{len(missing)} acknowledged edits lost, e.g. {sorted(missing)[:5]}"
    # The clients reconnect with what they hold; then every edit ever made is there.
    for client in clients:
        await client.connect()
    await eventually(lambda: set(load.edits) <= set(fresh.notes()), what="every edit")
    with sqlite3.connect(server.data_dir / "paja.sqlite3") as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM updates").fetchone()
    print(f"\n{len(acknowledged)} acknowledged of {len(load.edits)} edits; {rows} log rows")
    for client in [*clients, fresh]:
        await client.close()
