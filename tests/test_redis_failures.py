"""Redis failing under a live workshop: edits keep flowing, nothing is lost, all heal.

Redis killed and restarted from its append-only file, a subscription cut so that pub/sub
messages are lost, and Redis frozen for ten seconds: the instances keep serving their own
clients, say they are not ready (and log why) while Redis is away, and converge once it
is back. (The chaos suite's other faults are listed in test_chaos.py.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pycrdt import Map

from support.load import SteadyLoad
from support.processes import PajaServer
from support.redis import RedisServer
from support.redis import deployment as start_deployment
from support.yclient import YClient, edit_until, eventually


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis", appendonly=True).start()
    yield server
    server.stop()


def deployment(
    server_factory: type[PajaServer], redis_server: RedisServer, n: int = 3
) -> list[PajaServer]:
    """This file's deployments: presence of a dead instance goes after 3 s."""
    return start_deployment(server_factory, redis_server, n, ttl_seconds=3)


async def _open(servers: list[PajaServer], s: dict[str, str]) -> list[YClient]:
    token = s["facilitator_token"]
    return [await YClient(srv.board_url(s["id"], "main", token)).connect() for srv in servers]


async def _missing_in_redis(
    server_factory: type[PajaServer],
    redis_server: RedisServer,
    servers: list[PajaServer],
    s: dict[str, str],
    edits: set[str],
) -> set[str]:
    """The edits a new instance does not load, once every instance has stored all it
    took: those Redis itself lost."""
    await eventually(
        lambda: all(srv.metric("paja_pending_bytes") == 0 for srv in servers),
        what="every instance's edits written to Redis",
    )
    newcomer = deployment(server_factory, redis_server, n=1)[0]
    fresh = (await _open([newcomer], s))[0]
    missing = edits - set(fresh.notes())
    await fresh.close()
    return missing


async def test_redis_killed_and_restarted_mid_session_loses_no_edit(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    servers = deployment(server_factory, redis_server)
    s = servers[0].create_session()
    clients = await _open(servers, s)
    edits: list[str] = []
    stop = asyncio.Event()
    editors = [
        asyncio.create_task(edit_until(c, f"c{n}", stop, edits, every=0.02))
        for n, c in enumerate(clients)
    ]
    try:
        await asyncio.sleep(1)
        redis_server.kill9()
        await asyncio.sleep(0.5)
        # Redis is gone: every instance still serves its own clients, and says not ready.
        own = clients[0].doc.get("notes", type=Map)
        own["during-outage"] = 1
        await eventually(
            lambda: any(f[:2] == b"\x00\x02" and b"during-outage" in f for f in clients[0].frames),
            what="an edit echoed by its instance while Redis is down",
        )
        await eventually(
            lambda: all(srv.readiness() == 503 for srv in servers), what="/readyz 503 while down"
        )
        await asyncio.sleep(1.5)

        redis_server.start()
        restarted = time.monotonic()
        await eventually(
            lambda: all(srv.readiness() == 200 for srv in servers),
            timeout=5,
            what="/readyz 200 once Redis is back",
        )
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*editors)
        expected = {*edits, "during-outage"}
        await eventually(
            lambda: all(set(c.notes()) == expected for c in clients),
            timeout=5,
            what="every instance converged after Redis returned",
        )
        print(f"\nconverged {time.monotonic() - restarted:.2f} s after Redis restarted")
        for client in clients:
            assert not client.closed.is_set(), "Redis going away must not drop a connection"
        for srv in servers:
            log = srv.log()
            assert "Redis heartbeat failed" in log and "store write failed" in log
            assert "Redis subscription restored" in log and "store writes resumed" in log

        # Nothing was lost from Redis itself: a new instance loads every edit from it.
        missing = await _missing_in_redis(server_factory, redis_server, servers, s, expected)
        assert not missing, f"{len(missing)} edits lost, e.g. {sorted(missing)[:5]}"
    finally:
        stop.set()
        for client in clients:
            await client.close()


async def test_lost_pubsub_messages_heal_without_any_client_reconnecting(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    servers = deployment(server_factory, redis_server)
    s = servers[0].create_session()
    clients = await _open(servers, s)
    edits: list[str] = []
    stop = asyncio.Event()
    editors = [
        asyncio.create_task(edit_until(c, f"c{n}", stop, edits, every=0.02))
        for n, c in enumerate(clients)
    ]
    admin = redis_server.client()
    try:
        await asyncio.sleep(0.5)
        # Cut every instance's subscriber connection, over and over, while edits flow:
        # whatever is published while an instance is away from its channel is lost to it.
        cuts = 0
        for _ in range(5):
            cuts += int(admin.client_kill_filter(_type="pubsub"))
            await asyncio.sleep(0.3)
        assert cuts >= 5
        stop.set()
        await asyncio.gather(*editors)
        healed_from = time.monotonic()
        await eventually(
            lambda: all(set(c.notes()) == set(edits) for c in clients),
            timeout=5,
            what="convergence after lost pub/sub messages",
        )
        print(f"\nhealed {time.monotonic() - healed_from:.2f} s after the last edit")
        for client in clients:
            assert not client.closed.is_set(), "no client had to reconnect"
        logs = "".join(srv.log() for srv in servers)
        assert "Redis subscription restored" in logs
    finally:
        stop.set()
        admin.close()
        for client in clients:
            await client.close()


async def test_redis_frozen_for_ten_seconds_makes_instances_not_ready_and_loses_nothing(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    servers = deployment(server_factory, redis_server, n=2)
    s = servers[0].create_session()
    clients = [*await _open(servers, s), *await _open(servers, s)]  # two on each instance
    load = SteadyLoad(clients).start()
    try:
        await load.until_acknowledged(50)
        redis_server.pause()
        frozen_at = time.monotonic()
        await eventually(
            lambda: all(srv.readiness() == 503 for srv in servers),
            timeout=10,
            what="not ready while Redis is frozen",
        )
        # Each instance's own clients keep working together while Redis is frozen.
        own = clients[0].doc.get("notes", type=Map)
        own["while-frozen"] = 1
        await eventually(lambda: clients[2].notes().get("while-frozen") == 1, what="same instance")
        await asyncio.sleep(max(0.0, 10 - (time.monotonic() - frozen_at)))
        assert all(srv.readiness() == 503 for srv in servers)
        redis_server.resume()
        await eventually(
            lambda: all(srv.readiness() == 200 for srv in servers), timeout=10, what="ready again"
        )
    finally:
        redis_server.resume()
        await load.stop()
    try:
        await eventually(
            lambda: all(set(load.edits) <= set(c.notes()) for c in clients),
            timeout=10,
            what="every edit on both instances after Redis thawed",
        )
        assert "while-frozen" in clients[1].notes()
        assert all(not c.closed.is_set() for c in clients), "nobody had to reconnect"
        for srv in servers:
            assert "Redis heartbeat failed" in srv.log() and "Redis heartbeat ok" in srv.log()
        # ... and Redis itself has every acknowledged edit: a newcomer loads them from it.
        missing = await _missing_in_redis(
            server_factory, redis_server, servers, s, load.acknowledged()
        )
        assert not missing, f"{len(missing)} acknowledged edits lost, e.g. {sorted(missing)[:5]}"
    finally:
        for client in clients:
            await client.close()


async def test_a_joiner_while_redis_is_away_is_told_to_retry_and_then_joins(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    (server,) = deployment(server_factory, redis_server, n=1)
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    redis_server.kill9()
    joiner = await YClient(url).connect(wait_synced=False)
    assert await joiner.wait_closed(timeout=30) == 1013
    assert "storage unavailable" in joiner.close_reason
    assert server.alive()
    redis_server.start()
    await eventually(lambda: server.readiness() == 200, timeout=20, what="ready again")
    again = await YClient(url).connect()
    assert again.synced.is_set()
    await again.close()


IDEA = "of pipeline caused error: salary"  # short: redis-py clips the command to 100


async def test_a_redis_that_refuses_writes_logs_no_note_text(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    """redis-py names a failed pipeline command with its arguments: a Redis out of memory
    wrote the board's updates, and so people's notes, into the server's log. The edit is
    kept and stored once Redis takes writes again."""
    server = deployment(server_factory, redis_server, n=1)[0]
    s = server.create_session()
    writer = (await _open([server], s))[0]
    client = redis.Redis(port=redis_server.port)
    client.config_set("maxmemory", 1)  # with the default policy (noeviction): OOM on writes
    try:
        # a note may even hold the words redis-py puts between the command and the error
        writer.doc.get("notes", type=Map)["n1"] = IDEA
        await eventually(lambda: "maxmemory" in server.log(), what="the refused write logged")
    finally:
        client.config_set("maxmemory", 0)
        client.close()
    log = server.log()
    assert "XADD" in log, "the log still names the command that failed"
    assert "salary" not in log
    await eventually(lambda: server.metric("paja_pending_bytes") == 0, what="stored after all")
    await writer.close()
    reader = (await _open([server], s))[0]
    assert reader.notes() == {"n1": IDEA}
    await reader.close()
