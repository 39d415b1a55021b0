"""Faults a review found, each injected for real: Redis frozen while timers come due, a
store write that fails while a board leaves memory and comes straight back, and a board
reloaded while its old copy is still being compacted."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import redis
from prometheus_client import CollectorRegistry
from pycrdt import Doc, Map

from server.bus.local import LocalBus
from server.bus.redis import RedisBus
from server.process.config import Settings
from server.process.limits import KeyedRate
from server.process.metrics import Counters
from server.redisdb import Keys
from server.store.redis import RedisStore
from server.store.redis.documents import RedisDocuments
from server.store.sqlite import SQLiteStore
from server.store.sqlite.documents import SQLiteDocuments
from server.sync.hub import Hub
from support.commands import Session, section
from support.processes import PajaServer
from support.redis import RedisServer, deployment
from support.yclient import eventually

KEY = "s1/main"


def ended_events(servers: list[PajaServer], session_id: str) -> list[str]:
    """The timer ids of every `timer.ended` event the deployment fired (it logs each once,
    on the instance that claimed it)."""
    pattern = re.compile(rf"timer\.ended in session {session_id} \(([^)]*)\)")
    return [m.group(1) for server in servers for m in pattern.finditer(server.log())]


async def test_timers_due_while_redis_is_frozen_each_fire_once_when_it_is_back(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    servers = deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = Session.create(servers[0])
    durations = (1_000, 2_000, 3_000)
    timers = [s.ok("POST", "/timers", body={"duration_ms": d})["id"] for d in durations]
    control = await s.open("control")
    redis_server.pause()  # every timer comes due while Redis is frozen
    await asyncio.sleep(5)
    redis_server.resume()

    def state() -> dict[str, str]:
        return {t: section(control, "timers")[t]["state"] for t in timers}

    await eventually(lambda: set(state().values()) == {"ended"}, 30, what="every timer ended")
    await eventually(lambda: len(ended_events(servers, s.id)) >= 3, 30, what="every event")
    for server in servers:
        server.stop()
    fired = ended_events(servers, s.id)
    assert sorted(fired) == sorted(set(fired)) and len(fired) == 3, f"once each: {fired}"
    assert all(server.readiness() is None for server in servers)
    await s.close_all()


class FailingOnce(SQLiteDocuments):
    """The real SQLite document log, whose next write fails once the test lets it go on: a
    write that is in flight while everything else happens, then fails (as on a full disk)."""

    def __init__(self, store: SQLiteStore) -> None:
        super().__init__(store.database)
        self.fail_next = False
        self.writing = asyncio.Event()
        self.go_on = asyncio.Event()

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        if self.fail_next:
            self.fail_next = False
            self.writing.set()
            await self.go_on.wait()
            raise OSError(28, "No space left on device")
        await super().append_updates(batch)


def notes(doc: Doc[Any]) -> set[str]:
    return set(doc.get("notes", type=Map).keys())


async def test_a_board_whose_write_fails_as_it_leaves_keeps_every_edit_for_the_next_joiner(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, idle_unload_seconds=60, flush_interval_ms=60_000)
    database = SQLiteStore(settings.sqlite_path)
    await database.start()
    store = FailingOnce(database)
    hub = Hub(store, LocalBus(), settings, Counters(CollectorRegistry()))
    await hub.start()
    try:
        first = await hub.acquire(KEY)
        first.edit(lambda doc: doc.get("notes", type=Map).__setitem__("typed", "before leaving"))
        store.fail_next = True
        flushing = asyncio.create_task(hub.flush())
        await store.writing.wait()
        # The last client has left, and its idle timer ends while the edits are written:
        await hub._unload(first)
        joiner = await hub.acquire(KEY)  # and someone joins at once
        store.go_on.set()
        assert await flushing is False, "the write failed"
        assert await hub.flush(), "the next write works"
        assert "typed" in notes(joiner.doc), "the joiner has every edit"
    finally:
        await hub.close()
        await database.close()
    reopened = SQLiteStore(settings.sqlite_path)
    await reopened.start()
    doc: Doc[Any] = Doc()
    for update in await reopened.documents.read_document(KEY):
        doc.apply_update(update)
    await reopened.close()
    assert "typed" in notes(doc), "and the store has it"


class SlowCompaction(RedisDocuments):
    """The real Redis document log, whose compaction waits until the test lets it go on."""

    def __init__(self, store: RedisStore) -> None:
        super().__init__(store.client)
        self.compacting = asyncio.Event()
        self.go_on = asyncio.Event()

    async def compact_from(self, key: str, doc: Doc[Any]) -> None:
        self.compacting.set()
        await self.go_on.wait()
        await super().compact_from(key, doc)


async def instance(
    tmp_path: Path, url: str, slow: bool = False
) -> tuple[Hub, RedisBus, RedisStore, RedisDocuments]:
    """One instance of a deployment in this process: the real Redis store and bus; its
    document log compacts slowly when asked."""
    settings = Settings(data_dir=tmp_path, idle_unload_seconds=0, redis_url=url)
    store = RedisStore(url)
    log = SlowCompaction(store) if slow else store.documents
    bus = RedisBus(url, log, instance_ttl_seconds=3)
    await store.start()
    await bus.start()
    hub = Hub(log, bus, settings, Counters(CollectorRegistry()))
    await hub.start()
    return hub, bus, store, log


async def test_a_board_reloaded_while_its_old_copy_compacts_keeps_hearing_the_deployment(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    url = redis_server.url
    hub, bus, store, log = await instance(tmp_path / "one", url, slow=True)
    peer, peer_bus, peer_store, _ = await instance(tmp_path / "two", url)
    assert isinstance(log, SlowCompaction)
    try:
        old = await hub.acquire(KEY)
        hub.release(old)  # the last client leaves: the board unloads and compacts
        await log.compacting.wait()
        new = await hub.acquire(KEY)  # someone joins while the old copy compacts
        assert new is not old
        log.go_on.set()
        await asyncio.gather(*hub._unloading)  # the old copy has unsubscribed
        channel = Keys.channel(KEY)
        with redis.Redis(port=redis_server.port) as probe:

            def subscribers() -> int:
                return int(dict(probe.pubsub_numsub(channel))[channel.encode()])

            await eventually(lambda: subscribers() == 1, 10, what="the new copy subscribed")
            await peer.acquire(KEY)
            await eventually(lambda: subscribers() == 2, 10, what="the peer subscribed")
        await peer.change(KEY, lambda doc: doc.get("notes", type=Map).__setitem__("x", 1))
        await eventually(lambda: "x" in notes(new.doc), 10, what="the new copy hears its peer")
    finally:
        for one_hub, one_bus, one_store in ((hub, bus, store), (peer, peer_bus, peer_store)):
            await one_hub.close()
            await one_bus.close()
            await one_store.close()


def test_a_flood_of_addresses_costs_bounded_memory_and_each_still_counts() -> None:
    """A rate kept per client address: 250,000 addresses leave at most `max_keys` behind,
    work per call stays constant (the oldest are forgotten first), and a key that used
    its allowance is still refused."""
    now = [0.0]
    rate = KeyedRate(2, clock=lambda: now[0], max_keys=1_000)
    assert rate.retry_after("busy") == 0 and rate.retry_after("busy") == 0
    assert rate.retry_after("busy") > 0, "its allowance is used"
    for n in range(250_000):
        rate.retry_after(f"10.0.{n // 256}.{n % 256}")
        assert len(rate) <= 1_001
    now[0] += 3_600  # an hour later everyone's allowance is whole again
    rate.retry_after("one more")
    rate.retry_after("and another")
    assert rate.retry_after("busy") == 0


async def test_a_session_deleted_while_it_is_exported_answers_404_not_500(
    server: PajaServer,
) -> None:
    """The export reads every board before the session's record: a deletion in between
    used to trip an assertion (500)."""
    statuses: set[int] = set()
    for _ in range(8):
        s = Session.create(server)
        writer = await s.open("main")
        with writer.doc.transaction():
            table = writer.doc.get("notes", type=Map)
            for i in range(2_000):
                table[f"n{i}"] = f"note {i} " * 10
        await eventually(lambda w=writer: len(w.frames) > 2, what="the server echoed the notes")
        export = asyncio.create_task(asyncio.to_thread(s.call, "GET", "/export"))
        info = asyncio.create_task(asyncio.to_thread(s.call, "GET", ""))
        await asyncio.to_thread(s.call, "DELETE", "")
        statuses |= {(await export).status_code, (await info).status_code}
        await s.close_all()
    assert statuses <= {200, 401, 404}, statuses
