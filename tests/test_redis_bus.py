"""The Redis bus and store on their own: once-only events, healing, and the store contract.

These drive `RedisBus` and `RedisStore` directly (several in one test, or in separate
Python processes) against a real `redis-server`, where timing must be exact.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Awareness, Doc, Map

from server.bus.redis import RedisBus
from server.redisdb import Keys, open_client
from server.store.base import Store
from server.store.redis import RedisStore
from server.store.sessions import Grant, SessionRecord
from server.store.sqlite import SQLiteStore
from server.sync.document import Document
from support.processes import ROOT
from support.redis import RedisServer
from support.yclient import eventually

KEY = "s1/main"


# Each claimer connects, says "ready", and claims once the test says "go" on its stdin.
CLAIMER = """
import asyncio, json, sys
from server.bus.redis import RedisBus
from server.store.redis import RedisStore

async def main(url, events):
    store = RedisStore(url)
    bus = RedisBus(url, store.documents, instance_ttl_seconds=3)
    await bus.client.ping()
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    won = [e for e in events if await bus.claim_once(e, 30)]
    print(json.dumps(won))
    await bus.client.aclose()
    await store.close()

asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))
"""


async def test_a_timer_end_scheduled_on_three_instances_fires_once(
    redis_server: RedisServer,
) -> None:
    events = [f"session-1:timer:{n}:ended" for n in range(50)]
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CLAIMER,
            redis_server.url,
            json.dumps(events),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        for _ in range(3)
    ]
    for p in procs:  # all three connected: then they ask at the same moment
        assert p.stdout is not None
        assert await asyncio.wait_for(p.stdout.readline(), 30) == b"ready\n"
    outputs = await asyncio.gather(*(asyncio.wait_for(p.communicate(b"go\n"), 30) for p in procs))
    winners = [json.loads(out) for out, _ in outputs]
    fired = [event for won in winners for event in won]
    assert sorted(fired) == sorted(events), "every event fired exactly once in all"
    assert all(p.returncode == 0 for p in procs)
    print(f"\nclaims won per process: {[len(w) for w in winners]}")


# Two instances in one process, wired like the hub wires a document to its bus.


class Instance:
    def __init__(self, url: str) -> None:
        self.store = RedisStore(url)
        self.bus = RedisBus(url, self.store.documents, instance_ttl_seconds=3)
        self.document = Document(KEY, on_update=self._updated, on_awareness=self._aware)
        self.pending: list[bytes] = []

    def _updated(self, document: Document, update: bytes, local: bool) -> None:
        if local:
            self.bus.publish_update(KEY, update)
            self.pending.append(update)

    def _aware(self, document: Document, update: bytes, local: bool) -> None:
        if local:
            self.bus.publish_awareness(KEY, update)

    async def start(self) -> Instance:
        await self.store.start()
        await self.bus.start()
        stored = await self.store.documents.load_document(KEY)
        if stored:
            self.document.doc.apply_update(stored)
        await self.bus.subscribe(self.document)
        await eventually(lambda: self.bus._subscribed, what="subscribed")
        return self

    async def flush(self) -> None:
        pending, self.pending = self.pending, []
        await self.store.documents.append_updates({KEY: pending})

    def write(self, key: str, value: int) -> None:
        self.document.edit(lambda doc: doc.get("notes", type=Map).__setitem__(key, value))

    def notes(self) -> dict[str, Any]:
        return dict(self.document.doc.get("notes", type=Map).to_py() or {})

    async def close(self) -> None:
        await self.bus.close()
        await self.store.close()


@pytest.fixture
async def pair(redis_server: RedisServer) -> AsyncIterator[tuple[Instance, Instance]]:
    a = await Instance(redis_server.url).start()
    b = await Instance(redis_server.url).start()
    yield a, b
    await a.close()
    await b.close()


def cut_subscriber(redis_server: RedisServer, bus: RedisBus) -> None:
    with redis_server.client() as admin:
        for client in admin.client_list(_type="pubsub"):
            if client["name"] == f"paja-sub-{bus.instance}":
                admin.client_kill_filter(_id=client["id"])
                return
    raise AssertionError("subscriber connection not found")


async def test_an_update_lost_on_pubsub_heals_from_the_peer(
    redis_server: RedisServer, pair: tuple[Instance, Instance]
) -> None:
    a, b = pair
    a.write("before", 1)
    await eventually(lambda: b.notes() == {"before": 1}, what="normal delivery")

    cut_subscriber(redis_server, b.bus)
    await eventually(lambda: not b.bus._subscribed, timeout=5, what="b notices the cut")
    published = a.bus.stats["published"]
    a.write("lost-on-pubsub", 2)  # published while b is off its channel: lost to b
    await eventually(lambda: a.bus.stats["published"] > published, what="a published it")

    await eventually(lambda: b.notes().get("lost-on-pubsub") == 2, timeout=5, what="healed")
    assert b.bus.stats["peer_diffs"] >= 1, "b got it by asking its peer"


async def test_an_update_lost_on_pubsub_heals_from_the_stream_when_no_peer_is_left(
    redis_server: RedisServer, pair: tuple[Instance, Instance]
) -> None:
    a, b = pair
    cut_subscriber(redis_server, b.bus)
    await eventually(lambda: not b.bus._subscribed, timeout=5, what="b notices the cut")
    subscriber, b.bus._subscriber = (
        b.bus._subscriber,
        open_client("redis://127.0.0.1:1", name="nowhere", subscriber=True),
    )  # keep b away from Redis until a is gone
    a.write("only-in-the-stream", 3)
    await a.flush()
    await a.close()  # nobody is left to answer b's request

    b.bus._subscriber = subscriber
    await eventually(lambda: b.notes().get("only-in-the-stream") == 3, timeout=5, what="replayed")
    assert b.bus.stats["replayed"] >= 1


async def test_a_bus_closes_while_its_publisher_is_mid_pipeline(redis_server: RedisServer) -> None:
    """redis-py 8 swallows about one cancel in ten that lands inside a pipeline; a close
    that cancelled once then waited forever (a SIGTERM that never flushed)."""
    for attempt in range(30):
        instance = await Instance(redis_server.url).start()
        for n in range(200):  # the publisher has pipelines in flight when close() comes
            instance.write(f"n{n}", n)
            if n % 20 == 0:
                await asyncio.sleep(0)
        await asyncio.wait_for(instance.close(), 20)
        assert all(task.done() for task in instance.bus._tasks), f"attempt {attempt}"


async def test_presence_of_a_dead_instance_goes_when_its_heartbeat_expires(
    redis_server: RedisServer, pair: tuple[Instance, Instance]
) -> None:
    a, b = pair
    peer: Doc[Any] = Doc()
    awareness = Awareness(peer)
    awareness.set_local_state({"user": {"name": "Remote"}})
    update = awareness.encode_awareness_update([awareness.client_id])
    a.document.apply_awareness(update)  # as if a's client sent it
    await eventually(lambda: b.document.has_presence(awareness.client_id), what="crossed")

    # a dies without a word: its tasks stop, its heartbeat key is left to expire.
    for task in a.bus._tasks:
        task.cancel()
    started = time.monotonic()
    await eventually(
        lambda: not b.document.has_presence(awareness.client_id),
        timeout=6,
        what="presence removed after the heartbeat expired",
    )
    assert b.bus.stats["instances_gone"] == 1
    print(f"\npresence gone {time.monotonic() - started:.2f} s after the instance stopped")


# The store contract: the Redis store answers exactly as the SQLite store does.


async def _exercise(store: Store) -> list[Any]:
    seen: list[Any] = []
    record = SessionRecord("sess1", "Workshop", None, 1000.0, {"lang": "fi"})
    grants = {"h-fac": Grant("sess1", "facilitator"), "h-obs": Grant("sess1", "observer")}
    await store.sessions.create_session(record, grants, ["control", "main"])
    seen.append(await store.sessions.get_session("sess1"))
    seen.append(await store.sessions.get_session("nope"))
    seen.append(await store.sessions.find_grant("h-fac"))
    seen.append(await store.sessions.find_grant("nope"))
    await store.sessions.add_grant("h-p1", Grant("sess1", "participant", "p1"))
    await store.sessions.add_grant("h-p1b", Grant("sess1", "participant", "p1"))
    await store.sessions.add_grant("h-p2", Grant("sess1", "participant", "p2"))
    seen.append(await store.sessions.set_role("sess1", "p1", "facilitator"))
    seen.append(await store.sessions.find_grant("h-p1b"))
    seen.append(await store.sessions.set_role("sess1", "nobody", "observer"))
    seen.append(await store.sessions.revoke_subject("sess1", "p1"))
    seen.append(await store.sessions.revoke_subject("sess1", "p1"))
    seen.append(await store.sessions.find_grant("h-p1"))
    seen.append(await store.sessions.find_grant("h-p2"))
    seen.append(await store.sessions.add_board("sess1", "ideas"))
    seen.append(await store.sessions.add_board("sess1", "ideas"))
    seen.append(await store.sessions.list_boards("sess1"))
    seen.append(await store.sessions.list_boards("nope"))
    await store.sessions.set_wakeup("sess1", 5000)
    await store.sessions.set_wakeup("sess2", 7000)
    await store.sessions.set_wakeup("sess2", 8000)
    await store.sessions.set_wakeup("sess3", None)
    seen.append(await store.sessions.list_wakeups())
    await store.sessions.set_wakeup("sess1", None)
    seen.append(await store.sessions.list_wakeups())
    seen.append(await store.documents.load_document("sess1/main"))
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for i in range(30):
        doc.get("notes", type=Map)[f"k{i % 7}"] = i
    await store.documents.append_updates({"sess1/main": updates[:10], "sess1/ideas": []})
    await store.documents.append_updates({"sess1/main": updates[10:]})
    await asyncio.sleep(0.2)  # a compaction may run in the background
    loaded: Doc[Any] = Doc()
    stored = await store.documents.load_document("sess1/main")
    assert stored is not None
    loaded.apply_update(stored)
    seen.append(loaded.get("notes", type=Map).to_py())
    return seen


# What `_exercise` must see, step by step, from either store.
EXPECTED: list[Any] = [
    SessionRecord("sess1", "Workshop", None, 1000.0, {"lang": "fi"}),
    None,  # no such session
    Grant("sess1", "facilitator"),
    None,  # no such grant
    2,  # both of p1's grants became a facilitator's
    Grant("sess1", "facilitator", "p1"),
    0,  # nobody to promote
    2,  # p1's two grants revoked
    0,  # and nothing left to revoke
    None,
    Grant("sess1", "participant", "p2"),  # another person's grant stays
    True,  # a new board
    False,  # the same board again
    ["control", "main", "ideas"],
    [],
    {"sess1": 5000, "sess2": 8000},  # the latest wake-up of each session; none cleared
    {"sess2": 8000},
    None,  # nothing stored yet
    {f"k{i % 7}": float(i) for i in range(30)},  # the last write to each key
]


async def test_the_redis_store_answers_like_the_sqlite_store(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    sqlite = SQLiteStore(tmp_path / "paja.sqlite3", compact_after_updates=8)
    redis_store = RedisStore(redis_server.url, compact_after_updates=8)
    await sqlite.start()
    await redis_store.start()
    try:
        assert await _exercise(sqlite) == EXPECTED
        assert await _exercise(redis_store) == EXPECTED
    finally:
        await sqlite.close()
        await redis_store.close()


async def test_the_log_compacts_into_a_snapshot_by_one_instance_at_a_time(
    redis_server: RedisServer,
) -> None:
    stores = [RedisStore(redis_server.url, compact_after_updates=1_000_000) for _ in range(3)]
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for i in range(5_000):
        doc.get("notes", type=Map)[f"k{i % 100}"] = i
    for start in range(0, len(updates), 500):
        await stores[start // 500 % 3].documents.append_updates({KEY: updates[start : start + 500]})
    entries_before, bytes_before = await stores[0].documents.stored_size(KEY)

    # Three instances compact at once: one wins the lock, the others do nothing.
    results = await asyncio.gather(*(s.documents.compact(KEY) for s in stores))
    assert results.count(True) == 1
    entries_after, bytes_after = await stores[0].documents.stored_size(KEY)
    assert entries_before == 5_000 and entries_after == 0
    assert bytes_after < bytes_before / 2

    # More updates after the snapshot: loading is snapshot + tail, in one transaction.
    doc.get("notes", type=Map)["after"] = -1
    await stores[1].documents.append_updates({KEY: updates[-1:]})
    started = time.perf_counter()
    stored = await stores[2].documents.load_document(KEY)
    load_ms = (time.perf_counter() - started) * 1000
    assert stored is not None
    loaded: Doc[Any] = Doc()
    loaded.apply_update(stored)
    assert loaded.get("notes", type=Map).to_py() == doc.get("notes", type=Map).to_py()
    with redis_server.client() as admin:
        assert admin.exists(Keys.snapshot(KEY)) and admin.xlen(Keys.log(KEY)) == 1
    print(
        f"\ncompaction: {entries_before} entries / {bytes_before} bytes -> "
        f"snapshot {bytes_after} bytes; load after {load_ms:.0f} ms"
    )
    for store in stores:
        await store.close()
