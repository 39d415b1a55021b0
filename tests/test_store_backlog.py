"""Edits waiting for a failing store are bounded: Redis frozen, or a full disk under SQLite.

Past the bound on a board (`PAJA_MAX_PENDING_BYTES_PER_BOARD`) its writers are closed with
1013 and keep their edits; readers stay connected. Once the store is back the writers
reconnect, their edits arrive, and a fresh copy of the board holds every edit ever made.
An edit counts as acknowledged as in `support/load.py`.
"""

from __future__ import annotations

import asyncio

from pycrdt import Map

from support.load import SteadyLoad
from support.processes import PajaServer
from support.redis import RedisServer
from support.sqlite import FULL_DISK_BYTES
from support.yclient import YClient, eventually

BOUND = 8 * 1024  # bytes of one board's edits waiting for the store
TRY_AGAIN_LATER = 1013


async def _writers_and_a_reader(server: PajaServer) -> tuple[str, list[YClient], YClient]:
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    writers = [await YClient(url).connect() for _ in range(3)]
    reader = await YClient(url).connect()  # never edits
    return url, writers, reader


async def _held_back(server: PajaServer, load: SteadyLoad, reader: YClient) -> None:
    """The store is failing: the writers are closed with 1013, the reader is not, and the
    edits waiting in memory stay near the bound."""
    writers = load.clients
    await eventually(
        lambda: all(w.closed.is_set() for w in writers), timeout=30, what="writers closed"
    )
    assert {w.close_code for w in writers} == {TRY_AGAIN_LATER}
    assert "waiting for the store" in writers[0].close_reason
    assert not reader.closed.is_set()
    pending = server.metric("paja_pending_bytes")
    assert BOUND <= pending < 2 * BOUND, pending
    typed = len(load.edits)
    await eventually(lambda: len(load.edits) > typed + 30, what="typing while away")
    assert not reader.closed.is_set()


async def _reconnect(writers: list[YClient], reader: YClient) -> None:
    """What a stock client does after 1013: reconnect, and send what it holds, until the
    server takes it (the reader holds the writer's edits). Taking one writer's backlog can
    put the board past its bound again and refuse another writer's next edit, so this goes
    round until every writer is in."""
    for _ in range(50):
        away = [w for w in writers if w.closed.is_set()]
        if not away:
            return
        for writer in away:
            await writer.connect()
            held = set(writer.notes())

            def settled(writer: YClient = writer, held: set[str] = held) -> bool:
                return writer.closed.is_set() or held <= set(reader.notes())

            await eventually(settled, what="taken or refused")
        await asyncio.sleep(0.2)
    raise AssertionError([w.close_reason for w in writers if w.closed.is_set()])


async def _every_edit_taken(load: SteadyLoad, reader: YClient) -> None:
    """The load has stopped: a writer refused again while it went on comes back, and then
    the reader holds every edit ever typed."""
    await _reconnect(load.clients, reader)
    try:
        await eventually(lambda: set(load.edits) <= set(reader.notes()), what="every edit")
    except AssertionError:
        missing = sorted(set(load.edits) - set(reader.notes()))
        away = [w.close_code for w in load.clients if w.closed.is_set()]
        raise AssertionError(
            f"{len(missing)} edits missing, e.g. {missing[:5]}; away: {away}"
        ) from None


async def test_writers_get_1013_while_redis_is_frozen_and_lose_nothing(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    env = {"PAJA_MAX_PENDING_BYTES_PER_BOARD": str(BOUND)}
    server = server_factory(args=["--redis-url", redis_server.url], env=env).start()
    url, writers, reader = await _writers_and_a_reader(server)
    load = SteadyLoad(writers).start()
    try:
        await load.until_acknowledged(30)
        redis_server.pause()
        try:
            await _held_back(server, load, reader)
        finally:
            redis_server.resume()
        await eventually(lambda: server.readiness() == 200, timeout=20, what="ready again")
        await _reconnect(writers, reader)
    finally:
        await load.stop()
    await _every_edit_taken(load, reader)

    # Another instance loads the board from Redis alone: every edit is stored.
    other = server_factory(args=["--redis-url", redis_server.url]).start()
    fresh = await YClient(url.replace(server.ws, other.ws)).connect()
    await eventually(lambda: set(load.edits) <= set(fresh.notes()), what="stored edits")
    for client in [*writers, reader, fresh]:
        await client.close()


async def test_writers_get_1013_while_the_disk_is_full_and_lose_nothing(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(env={"PAJA_MAX_PENDING_BYTES_PER_BOARD": str(BOUND)})
    server.max_file_bytes = FULL_DISK_BYTES
    server.start()
    url, writers, reader = await _writers_and_a_reader(server)
    load = SteadyLoad(writers).start()
    try:
        await eventually(lambda: server.readiness() == 503, timeout=60, what="the disk full")
        await _held_back(server, load, reader)
        # Reads are served still: someone joining now gets the board as the reader has it.
        late = await YClient(url).connect()
        assert set(late.notes()) == set(reader.notes()) and len(late.notes()) > 0
        await late.close()
        server.lift_file_size_limit()
        await eventually(lambda: server.readiness() == 200, timeout=10, what="ready again")
        await _reconnect(writers, reader)
    finally:
        await load.stop()
    await _every_edit_taken(load, reader)

    # Restarted on the same data dir: the store has every edit.
    assert server.terminate()
    for client in [*writers, reader]:
        await client.close()
    server.max_file_bytes = None
    server.start()
    fresh = await YClient(url).connect()
    missing = set(load.edits) - set(fresh.notes())
    assert not missing, f"{len(missing)} edits lost, e.g. {sorted(missing)[:5]}"
    await fresh.close()


async def test_past_the_process_bound_every_board_refuses_writes_and_reads_go_on(
    server_factory: type[PajaServer],
) -> None:
    """The bound for the whole process holds for boards with nothing waiting of their own."""
    server = server_factory(env={"PAJA_MAX_PENDING_BYTES": str(BOUND)})
    server.max_file_bytes = FULL_DISK_BYTES
    server.start()
    url, writers, reader = await _writers_and_a_reader(server)
    load = SteadyLoad(writers).start()
    try:
        await eventually(lambda: server.readiness() == 503, timeout=60, what="the disk full")
        await _held_back(server, load, reader)
        other = YClient(url.replace("/main?", "/ideas?"))
        await other.connect()  # a facilitator opens another board: it reads
        other.doc.get("notes", type=Map)["first"] = 1
        assert await other.wait_closed() == TRY_AGAIN_LATER
        server.lift_file_size_limit()
        await eventually(lambda: server.readiness() == 200, timeout=10, what="ready again")
        await _reconnect(writers, reader)
        watcher = await YClient(url.replace("/main?", "/ideas?")).connect()
        await _reconnect([other], watcher)  # its edit was kept, and is taken now
    finally:
        await load.stop()
    await _every_edit_taken(load, reader)
    assert "first" in watcher.notes()
    for client in [*writers, reader, other, watcher]:
        await client.close()
