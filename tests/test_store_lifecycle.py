"""A session's life in the store: found by its join code, its webhook outbox, deleted for good.

Every scenario runs on both stores: a SQLite file, and a real redis-server. "Two servers"
are two store objects on the same file or the same Redis, each with its own connection,
as two `paja serve` processes of one deployment would be.
"""

from __future__ import annotations

import asyncio
import math
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map

from server.bus.redis import RedisBus
from server.redisdb import Keys
from server.store.base import Store
from server.store.redis import RedisStore
from server.store.sessions import CodeTaken, Grant, SessionRecord
from server.store.sqlite import SQLiteStore
from server.store.webhooks import DEAD, DELIVERED, PENDING, Delivery, Webhook
from support.redis import RedisServer
from support.sqlite import database_bytes

NOW = 1_700_000_000.0
LEASE = 60.0


@dataclass
class Backend:
    """One deployment's storage; `open` gives another server's view of it."""

    path: Path
    redis: RedisServer | None = None
    stores: list[Store] = field(default_factory=list)

    async def open(self) -> Store:
        store: Store
        if self.redis is None:
            store = SQLiteStore(self.path, compact_after_updates=4)
        else:
            # Compacted explicitly below, so the test knows when it has happened.
            store = RedisStore(self.redis.url, compact_after_updates=1_000_000)
        await store.start()
        self.stores.append(store)
        return store


@pytest.fixture(params=["sqlite", "redis"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    redis = RedisServer(tmp_path / "redis").start() if request.param == "redis" else None
    backend = Backend(tmp_path / "paja.sqlite3", redis)
    yield backend
    for store in backend.stores:
        await store.close()
    if redis is not None:
        redis.stop()


def record(session_id: str, created_at: float = NOW, code: str | None = None) -> SessionRecord:
    settings = {} if code is None else {"join_code": code}
    return SessionRecord(session_id, f"Workshop {session_id}", None, created_at, settings)


def delivery(session_id: str, n: int, **changes: Any) -> Delivery:
    fields: dict[str, Any] = {
        "id": f"d{n}-{session_id}",
        "session_id": session_id,
        "webhook_id": "w1",
        "event": "timer.ended",
        "body": f'{{"n": {n}}}',
        "state": PENDING,
        "attempts": 0,
        "next_at": NOW - 100 + n,
        "last_error": "",
        "created_at": NOW + n,
    }
    return Delivery(**{**fields, **changes})


async def write_board(store: Store, key: str, marker: str) -> None:
    """Updates that are folded into a snapshot, and more left in the log after it."""
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for i in range(6):
        doc.get("notes", type=Map)[f"n{i}"] = f"{marker} note {i}"
    await store.documents.append_updates({key: updates[:4]})  # SQLite compacts at 4...
    if isinstance(store, RedisStore):
        assert await store.documents.compact(key)
    else:  # ...in the background: this one, or that, stores the snapshot before it returns
        await store.documents.compact(key)
    await store.documents.append_updates({key: updates[4:]})


async def board_text(store: Store, key: str) -> str:
    stored = await store.documents.load_document(key)
    if stored is None:
        return ""
    doc: Doc[Any] = Doc()
    doc.apply_update(stored)
    return str(doc.get("notes", type=Map).to_py())


def notes_of(updates: list[bytes]) -> dict[str, Any]:
    """The notes of a document given as stored updates, applied in order."""
    doc: Doc[Any] = Doc()
    with doc.transaction():
        for update in updates:
            doc.apply_update(update)
    return dict(doc.get("notes", type=Map).to_py() or {})


# documents


async def test_a_board_reads_as_its_snapshot_then_its_log_and_leaves_as_one_snapshot(
    backend: Backend,
) -> None:
    store = await backend.open()
    key = "s1/main"
    assert await store.documents.read_document(key) == []
    assert await store.documents.load_document(key) is None
    await write_board(store, key, "kept")
    stored = await store.documents.read_document(key)
    assert len(stored) == 3  # the snapshot, then two updates logged after it
    notes = notes_of(stored)
    assert notes == {f"n{i}": f"kept note {i}" for i in range(6)}
    folded = await store.documents.load_document(key)
    assert folded is not None and notes_of([folded]) == notes

    # The loaded copy of a board leaving memory becomes its snapshot, where the store can
    # tell that it holds the stored one (SQLite: one process); Redis leaves it to its own
    # compaction, since another instance may have folded in what this copy never got.
    live: Doc[Any] = Doc()
    for update in stored:
        live.apply_update(update)
    await store.documents.compact_from(key, live)
    after = await store.documents.read_document(key)
    assert len(after) == (1 if backend.redis is None else 3)
    assert notes_of(after) == notes


async def test_a_loaded_copy_never_replaces_a_snapshot_another_server_compacted(
    backend: Backend,
) -> None:
    one, two = await backend.open(), await backend.open()
    key = "s1/main"
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for i in range(7):
        doc.get("notes", type=Map)[f"n{i}"] = i
    await one.documents.append_updates({key: updates[:2]})
    live: Doc[Any] = Doc()
    for update in await one.documents.read_document(key):
        live.apply_update(update)  # the first server's copy holds n0 and n1
    await two.documents.append_updates({key: updates[2:6]})  # SQLite compacts at 4
    if isinstance(two, RedisStore):
        assert await two.documents.compact(key)
    await two.documents.append_updates({key: updates[6:]})

    await one.documents.compact_from(key, live)
    assert notes_of(await one.documents.read_document(key)) == {f"n{i}": i for i in range(7)}


# join codes


async def test_a_join_code_finds_its_session_and_a_taken_one_writes_nothing(
    backend: Backend,
) -> None:
    store = await backend.open()
    await store.sessions.create_session(
        record("sA", code="ABCD2345"), {"hA": Grant("sA", "bot")}, ["main"]
    )
    assert await store.sessions.find_join_code("ABCD2345") == "sA"
    assert await store.sessions.find_join_code("ZZZZ9999") is None

    with pytest.raises(CodeTaken):
        await store.sessions.create_session(
            record("sB", code="ABCD2345"), {"hB": Grant("sB", "facilitator")}, ["main"]
        )
    assert await store.sessions.get_session("sB") is None
    assert await store.sessions.find_grant("hB") is None
    assert await store.sessions.list_boards("sB") == []
    assert await store.sessions.sessions_created_before(math.inf) == ["sA"]
    assert await store.sessions.find_join_code("ABCD2345") == "sA"

    # The caller picks another code and succeeds; a session may have no code at all.
    await store.sessions.create_session(
        record("sB", code="EFGH6789"), {"hB": Grant("sB", "bot")}, []
    )
    await store.sessions.create_session(record("sC"), {}, [])
    assert await store.sessions.find_join_code("EFGH6789") == "sB"
    assert (await store.sessions.get_session("sC")) == record("sC")

    # Deleting a session frees its code for a new one.
    await store.sessions.delete_session("sA")
    assert await store.sessions.find_join_code("ABCD2345") is None
    await store.sessions.create_session(record("sD", code="ABCD2345"), {}, [])
    assert await store.sessions.find_join_code("ABCD2345") == "sD"


async def test_two_servers_creating_sessions_with_one_code_at_once_make_one(
    backend: Backend,
) -> None:
    stores = [await backend.open(), await backend.open()]
    for round_ in range(5):
        code = f"RACE{round_}234"
        results = await asyncio.gather(
            *(
                s.sessions.create_session(record(f"r{round_}-{n}", code=code), {}, ["main"])
                for n, s in enumerate(stores)
            ),
            return_exceptions=True,
        )
        taken = [r for r in results if isinstance(r, CodeTaken)]
        assert len(taken) == 1 and results.count(None) == 1, results
        winner = f"r{round_}-{results.index(None)}"
        assert await stores[0].sessions.find_join_code(code) == winner
        loser = f"r{round_}-{1 - results.index(None)}"
        assert await stores[1].sessions.get_session(loser) is None


# webhooks and the outbox


async def test_webhooks_are_listed_oldest_first_and_removed_once(backend: Backend) -> None:
    store = await backend.open()
    await store.sessions.create_session(record("s1"), {}, [])
    second = Webhook("w2", "s1", "https://example.org/b", "teams", ("timer.ended",), "", NOW + 1)
    first = Webhook(
        "w1", "s1", "https://example.org/a", "json", ("session.ended", "poll.closed"), "k", NOW
    )
    await store.webhooks.add_webhook(second)
    await store.webhooks.add_webhook(first)
    assert await store.webhooks.list_webhooks("s1") == [first, second]
    assert await store.webhooks.list_webhooks("other") == []
    assert await store.webhooks.remove_webhook("s1", "w1") is True
    assert await store.webhooks.remove_webhook("s1", "w1") is False
    assert await store.webhooks.remove_webhook("other", "w2") is False
    assert await store.webhooks.list_webhooks("s1") == [second]


async def test_the_same_delivery_enqueued_twice_is_kept_once(backend: Backend) -> None:
    one, two = await backend.open(), await backend.open()
    await one.sessions.create_session(record("s1"), {}, [])
    d1, d2 = delivery("s1", 1), delivery("s1", 2)
    assert await one.webhooks.enqueue_deliveries([d1, d1]) == 1
    assert await one.webhooks.enqueue_deliveries([d1, d2]) == 1
    assert await one.webhooks.list_deliveries("s1") == [d2, d1]  # newest first
    assert await one.webhooks.get_delivery("s1", d1.id) == d1
    assert await one.webhooks.get_delivery("other", d1.id) is None

    # Two servers enqueueing the same event at the same moment keep one of each.
    batch = [delivery("s1", n) for n in range(10, 30)]
    added = await asyncio.gather(
        one.webhooks.enqueue_deliveries(batch), two.webhooks.enqueue_deliveries(batch)
    )
    assert sum(added) == 20
    assert len(await two.webhooks.list_deliveries("s1")) == 22
    claimed = await two.webhooks.claim_deliveries(NOW, LEASE, 100)
    assert sorted(d.id for d in claimed) == sorted(d.id for d in [d1, d2, *batch])

    # A session that does not exist (or no longer does) gets no deliveries.
    assert await one.webhooks.enqueue_deliveries([delivery("gone", 1)]) == 0
    assert await one.webhooks.list_deliveries("gone") == []


async def test_two_servers_claiming_at_once_take_disjoint_deliveries(backend: Backend) -> None:
    one, two = await backend.open(), await backend.open()
    await one.sessions.create_session(record("s1"), {}, [])
    due = [delivery("s1", n) for n in range(30)]
    later = delivery("s1", 99, next_at=NOW + 10)
    assert await one.webhooks.enqueue_deliveries([*due, later]) == 31

    taken: list[list[str]] = [[], []]
    for _ in range(10):
        batches = await asyncio.gather(
            one.webhooks.claim_deliveries(NOW, LEASE, 7),
            two.webhooks.claim_deliveries(NOW, LEASE, 7),
        )
        for mine, batch in zip(taken, batches, strict=True):
            mine.extend(d.id for d in batch)
        if not any(batches):
            break
    everything = taken[0] + taken[1]
    assert len(everything) == len(set(everything)), "a delivery was claimed twice"
    assert sorted(everything) == sorted(d.id for d in due), "not yet due: not claimed"
    assert taken[0] and taken[1], "both servers took a share"

    # A claimed delivery carries its lease, and is not due again until the lease passes.
    leased = await one.webhooks.get_delivery("s1", due[0].id)
    assert leased is not None and leased.next_at == NOW + LEASE
    assert await two.webhooks.claim_deliveries(NOW + LEASE - 1, LEASE, 100) == [
        replace(later, next_at=NOW + 2 * LEASE - 1)
    ]
    again = await one.webhooks.claim_deliveries(NOW + LEASE, LEASE, 100)
    assert sorted(d.id for d in again) == sorted(d.id for d in due)
    assert all(d.next_at == NOW + 2 * LEASE for d in again)


async def test_the_oldest_due_delivery_is_claimed_first(backend: Backend) -> None:
    store = await backend.open()
    await store.sessions.create_session(record("s1"), {}, [])
    late, early = delivery("s1", 1, next_at=NOW - 1), delivery("s1", 2, next_at=NOW - 50)
    await store.webhooks.enqueue_deliveries([late, early])
    assert [d.id for d in await store.webhooks.claim_deliveries(NOW, LEASE, 1)] == [early.id]
    assert [d.id for d in await store.webhooks.claim_deliveries(NOW, LEASE, 1)] == [late.id]
    assert await store.webhooks.claim_deliveries(NOW, LEASE, 1) == []


async def test_a_saved_delivery_moves_between_pending_delivered_and_dead(
    backend: Backend,
) -> None:
    store = await backend.open()
    await store.sessions.create_session(record("s1"), {}, [])
    ok, bad, retried = (delivery("s1", n) for n in (1, 2, 3))
    await store.webhooks.enqueue_deliveries([ok, bad, retried])
    claimed = {d.id: d for d in await store.webhooks.claim_deliveries(NOW, LEASE, 10)}
    assert set(claimed) == {ok.id, bad.id, retried.id}

    delivered = replace(claimed[ok.id], state=DELIVERED, attempts=1)
    dead = replace(claimed[bad.id], state=DEAD, attempts=1, last_error="HTTP 400")
    backoff = replace(claimed[retried.id], attempts=1, next_at=NOW + 5, last_error="HTTP 503")
    for d in (delivered, dead, backoff):
        assert await store.webhooks.save_delivery(d, expected_state=PENDING, expected_attempts=0)
    assert await store.webhooks.get_delivery("s1", ok.id) == delivered
    assert await store.webhooks.list_deliveries("s1", DELIVERED) == [delivered]
    assert await store.webhooks.list_deliveries("s1", DEAD) == [dead]
    assert await store.webhooks.list_deliveries("s1", PENDING) == [backoff]
    assert await store.webhooks.list_deliveries("s1") == [backoff, dead, delivered]

    # Only the one waiting for its retry is ever due again.
    assert await store.webhooks.claim_deliveries(NOW + 4, LEASE, 10) == []
    assert await store.webhooks.claim_deliveries(NOW + 10**6, LEASE, 10) == [
        replace(backoff, next_at=NOW + 10**6 + LEASE)
    ]

    # A facilitator retries the dead one: pending again, due at once.
    revived = replace(dead, state=PENDING, attempts=0, next_at=NOW + 1)
    assert await store.webhooks.save_delivery(revived, expected_state=DEAD, expected_attempts=1)
    assert await store.webhooks.list_deliveries("s1", DEAD) == []
    assert await store.webhooks.claim_deliveries(NOW + 1, LEASE, 10) == [
        replace(revived, next_at=NOW + 1 + LEASE)
    ]

    # A delivery saved after its session was deleted does not come back.
    await store.sessions.delete_session("s1")
    assert not await store.webhooks.save_delivery(
        revived, expected_state=PENDING, expected_attempts=0
    )
    assert await store.webhooks.get_delivery("s1", revived.id) is None
    assert await store.webhooks.list_deliveries("s1") == []
    assert await store.webhooks.claim_deliveries(NOW + 10**7, LEASE, 10) == []


async def test_a_delivery_another_server_changed_is_never_overwritten(backend: Backend) -> None:
    """Server one's lease ran out mid-send; server two took the delivery and delivered it.
    One's late outcome must not make it pending again, or the receiver would get it twice."""
    one, two = await backend.open(), await backend.open()
    await one.sessions.create_session(record("s1"), {}, [])
    d = delivery("s1", 1)
    await one.webhooks.enqueue_deliveries([d])
    [first] = await one.webhooks.claim_deliveries(NOW, LEASE, 10)
    [second] = await two.webhooks.claim_deliveries(NOW + LEASE, LEASE, 10)
    assert first.id == second.id

    delivered = replace(second, state=DELIVERED, attempts=1)
    assert await two.webhooks.save_delivery(delivered, expected_state=PENDING, expected_attempts=0)
    failed = replace(first, attempts=1, next_at=NOW + 5, last_error="timed out")
    assert not await one.webhooks.save_delivery(failed, expected_state=PENDING, expected_attempts=0)
    assert await one.webhooks.get_delivery("s1", d.id) == delivered
    assert await one.webhooks.claim_deliveries(NOW + 10**6, LEASE, 10) == [], "never due again"

    # Two facilitators retry one dead delivery at once, through two servers: one wins.
    dead = replace(delivered, state=DEAD, attempts=3, last_error="HTTP 500")
    assert await one.webhooks.save_delivery(dead, expected_state=DELIVERED, expected_attempts=1)
    again = replace(dead, state=PENDING, attempts=0, next_at=NOW, last_error="")
    results = await asyncio.gather(
        *(
            s.webhooks.save_delivery(again, expected_state=DEAD, expected_attempts=3)
            for s in (one, two)
        )
    )
    assert sorted(results) == [False, True]
    assert await two.webhooks.get_delivery("s1", d.id) == again

    # A stale expectation loses even when only the attempts differ.
    assert not await two.webhooks.save_delivery(dead, expected_state=PENDING, expected_attempts=1)
    assert await two.webhooks.get_delivery("s1", d.id) == again


# sessions by age and deletion


async def test_sessions_created_before_a_cutoff(backend: Backend) -> None:
    store = await backend.open()
    for sid, at in (("old", 100.0), ("mid", 200.0), ("new", 300.0)):
        await store.sessions.create_session(record(sid, created_at=at), {}, [])
    assert await store.sessions.sessions_created_before(100.0) == []
    assert await store.sessions.sessions_created_before(200.0) == ["old"]
    assert sorted(await store.sessions.sessions_created_before(250.0)) == ["mid", "old"]
    await store.sessions.delete_session("old")
    assert sorted(await store.sessions.sessions_created_before(1000.0)) == ["mid", "new"]


def marker(sid: str) -> str:
    """Text written only in one session's documents (no session's marker contains another's)."""
    return f"<marker {sid}>"


async def populate(backend: Backend, store: Store, sid: str, code: str) -> None:
    """Everything a session can leave in a store, with a marker text in its documents."""
    grants = {f"{sid}-fac": Grant(sid, "facilitator"), f"{sid}-bot": Grant(sid, "bot")}
    await store.sessions.create_session(record(sid, code=code), grants, ["control", "main"])
    await store.sessions.add_grant(f"{sid}-p1", Grant(sid, "participant", "p1"))
    await store.sessions.add_board(sid, "ideas")
    for board in ("control", "main", "ideas", "_ballots"):
        await write_board(store, f"{sid}/{board}", marker(sid))
    await store.sessions.set_wakeup(sid, 123_456)
    hook = Webhook("w1", sid, f"https://example.org/{sid}", "json", ("timer.ended",), "k", NOW)
    await store.webhooks.add_webhook(hook)
    pending, dead = delivery(sid, 1), delivery(sid, 2, state=DEAD, last_error="HTTP 410")
    assert await store.webhooks.enqueue_deliveries([pending, dead]) == 2
    if backend.redis is not None:
        assert isinstance(store, RedisStore)
        bus = RedisBus(backend.redis.url, store.documents, instance_ttl_seconds=3)
        try:
            assert await bus.claim_once(f"{sid}:timer:t1:ended", 600)
        finally:
            await bus.client.aclose()


def sqlite_leftovers(path: Path, sid: str, neighbour: str) -> list[str]:
    """Every row of every table that mentions `sid` (once the neighbour's id, which starts
    with it, is taken out)."""
    found: list[str] = []
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f"SELECT * FROM {table}"):
                for value in row:
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    if sid in text.replace(neighbour, ""):
                        found.append(f"{table}: {row!r}")
    return found


def redis_leftovers(redis: RedisServer, sid: str, neighbour: str) -> list[str]:
    """Every key, and every member of the deployment-wide indexes, that mentions `sid`."""
    found: list[str] = []
    with redis.client() as admin:
        for key in admin.scan_iter(count=1000):
            if sid in key.decode().replace(neighbour, ""):
                found.append(f"key {key.decode()}")
        indexes = {
            Keys.wakeups(): admin.hkeys(Keys.wakeups()),
            Keys.outbox_due(): admin.zrange(Keys.outbox_due(), 0, -1),
            Keys.sessions(): admin.zrange(Keys.sessions(), 0, -1),
        }
        for index, members in indexes.items():
            found += [
                f"{index} {m.decode()}" for m in members if sid in m.decode().replace(neighbour, "")
            ]
    return found


async def test_deleting_a_session_leaves_nothing_of_it_and_spares_its_neighbour(
    backend: Backend,
) -> None:
    """The neighbour's id starts with the deleted one's, so a deletion by prefix would
    take it too."""
    store = await backend.open()
    gone, kept = "k7Qm", "k7Qm2"
    await populate(backend, store, gone, "GONE2345")
    await populate(backend, store, kept, "KEPT2345")
    assert marker(gone) in await board_text(store, f"{gone}/_ballots")
    if backend.redis is None:
        assert sqlite_leftovers(backend.path, gone, kept), "the check finds a live session"
        assert marker(gone).encode() in database_bytes(backend.path)
    else:
        assert redis_leftovers(backend.redis, gone, kept), "the check finds a live session"

    await store.sessions.delete_session(gone)
    await store.sessions.delete_session(gone)  # idempotent
    await store.sessions.delete_session("never-existed")

    if backend.redis is None:
        assert sqlite_leftovers(backend.path, gone, kept) == []
        raw = database_bytes(backend.path)
        assert marker(gone).encode() not in raw, "deleted text still in the file or WAL"
        assert marker(kept).encode() in raw
    else:
        assert redis_leftovers(backend.redis, gone, kept) == []
        with backend.redis.client() as admin:
            assert admin.exists(Keys.once(f"{kept}:timer:t1:ended"))
            assert admin.zscore(Keys.outbox_due(), f"{kept}|d1-{kept}") is not None
    assert await store.sessions.get_session(gone) is None
    assert await store.sessions.find_grant(f"{gone}-p1") is None
    assert await store.sessions.find_join_code("GONE2345") is None
    assert await store.sessions.list_boards(gone) == []
    assert await board_text(store, f"{gone}/main") == ""
    assert await board_text(store, f"{gone}/_ballots") == ""
    assert await store.webhooks.list_webhooks(gone) == []
    assert await store.webhooks.list_deliveries(gone) == []
    assert gone not in await store.sessions.list_wakeups()

    # The neighbour is whole.
    assert await store.sessions.get_session(kept) == record(kept, code="KEPT2345")
    assert await store.sessions.find_grant(f"{kept}-p1") == Grant(kept, "participant", "p1")
    assert await store.sessions.find_grant(f"{kept}-fac") == Grant(kept, "facilitator")
    assert await store.sessions.find_join_code("KEPT2345") == kept
    assert await store.sessions.list_boards(kept) == ["control", "main", "ideas"]
    for board in ("control", "main", "ideas", "_ballots"):
        assert f"{marker(kept)} note 5" in await board_text(store, f"{kept}/{board}")
    assert (await store.sessions.list_wakeups())[kept] == 123_456
    assert [w.id for w in await store.webhooks.list_webhooks(kept)] == ["w1"]
    assert len(await store.webhooks.list_deliveries(kept)) == 2
    assert [d.id for d in await store.webhooks.claim_deliveries(NOW, LEASE, 10)] == [f"d1-{kept}"]
    assert await store.sessions.sessions_created_before(math.inf) == [kept]
