"""A facilitator deletes a workshop for good, or the retention period ends it: open
sockets close with 4404, tokens stop working, and no row, key or stray byte of the
session is left in SQLite or Redis, not even after an instance that was still being
written to has had its say."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from pathlib import Path
from typing import Any

import redis
from pycrdt import Map, Text

from support.commands import Session
from support.processes import PajaServer, free_port
from support.redis import RedisServer
from support.sqlite import database_bytes
from support.yclient import YClient, edit_until, eventually

HOOKS = ["--webhook-allow-private", "true"]  # the webhook's (silent) target is on loopback


def write_marker(client: YClient, marker: str) -> None:
    client.doc.get("notes", type=Map)[marker] = Map(
        {"text": Text(f"secret plan {marker}"), "x": 0, "y": 0, "section": None}
    )


async def busy_session(server: PajaServer, marker: str) -> tuple[Session, dict[str, Any]]:
    """Boards with notes, ballots, a running timer, a webhook with a delivery waiting for
    its retry (its receiver is not listening), and the session ended."""
    s = Session.create(server, f"Workshop {marker}")
    pia = s.join("Pia")
    s.ok("POST", "/boards", body={"name": "ideas"})
    ideas = await s.open("ideas")
    write_marker(ideas, marker + "-ideas")
    seen = await s.open("ideas", s.created["observer_token"])
    await eventually(lambda: marker + "-ideas" in seen.notes(), what="the note on the server")
    vote = s.ok("POST", "/votes", body={"board": "ideas", "per_participant": 1})
    s.ok("POST", f"/votes/{vote['id']}/dots", pia["token"], {"note": marker + "-ideas"})
    s.ok("POST", "/timers", body={"duration_ms": 600_000, "label": "Coffee"})
    hook = s.ok(
        "POST",
        "/webhooks",
        body={"url": f"http://127.0.0.1:{free_port()}/hook", "events": ["session.ended"]},
    )
    s.ok("POST", "/end")

    def waiting() -> bool:
        pending = s.ok("GET", "/webhooks/deliveries?state=pending")
        return any(d["webhook_id"] == hook["id"] and d["attempts"] >= 1 for d in pending)

    await eventually(waiting, what="a delivery waiting for its retry")
    return s, pia


def rows_mentioning(path: Path, text: str) -> dict[str, int]:
    """Rows of every table of the SQLite file that hold `text` in any column."""
    found = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            hits = 0
            for row in db.execute(f'SELECT * FROM "{table}"'):
                cells = [c.encode() if isinstance(c, str) else c for c in row]
                hits += any(isinstance(c, bytes) and text.encode() in c for c in cells)
            if hits:
                found[table] = hits
    return found


async def test_a_deleted_session_leaves_nothing_in_sqlite(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=HOOKS).start()
    marker = secrets.token_hex(8)
    s, pia = await busy_session(server, marker)
    main = await s.open("main")  # the session has ended: only a facilitator still writes
    write_marker(main, marker + "-main")
    lab = await s.open("control", s.created["observer_token"])
    db = server.data_dir / "paja.sqlite3"
    await eventually(lambda: (marker + "-main").encode() in database_bytes(db), what="stored")
    assert {"sessions", "grants", "boards", "webhooks", "deliveries"} <= set(
        rows_mentioning(db, s.id)
    ), "the session is everywhere before it is deleted"

    deleted = s.call("DELETE", "")
    assert deleted.status_code == 204
    assert await main.wait_closed() == 4404
    assert await lab.wait_closed() == 4404
    assert s.call("GET", "").status_code == 401, "the facilitator's token is gone"
    assert s.call("GET", "/votes/x/dots", pia["token"]).status_code == 401
    assert s.call("DELETE", "").status_code == 401
    again = await s.open("main", pia["token"], synced=False)
    assert await again.wait_closed() == 4401

    assert rows_mentioning(db, s.id) == {}
    assert marker.encode() not in database_bytes(db), "no note survives in free pages or the WAL"
    # A stop waits for the second delete the server promised: nothing came back after it.
    assert server.terminate()
    assert rows_mentioning(db, s.id) == {}
    assert marker.encode() not in database_bytes(db)
    log = server.log()
    assert f"session {s.id} deleted (by facilitator)" in log
    assert f"Workshop {marker}" not in log and marker not in log
    await s.close_all()


def leftovers(client: redis.Redis, session_id: str) -> list[str]:
    """Every key whose name or content mentions the session: grants and join codes name
    the session only in their value, and shared indexes only in a member."""
    sid = session_id.encode()
    found = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "none":  # expired since the scan listed it (a claim's short TTL)
            continue
        if kind == "string":
            parts = [client.get(key) or b""]
        elif kind == "hash":
            parts = [b for pair in client.hgetall(key).items() for b in pair]
        elif kind == "zset":
            parts = client.zrange(key, 0, -1)
        elif kind == "set":
            parts = list(client.smembers(key))
        elif kind == "list":
            parts = client.lrange(key, 0, -1)
        elif kind == "stream":
            parts = [b for _, fields in client.xrange(key) for pair in fields.items() for b in pair]
        else:
            raise AssertionError(f"a key of a kind this check does not read: {key!r} {kind}")
        if sid in key or any(sid in part for part in parts):
            found.append(key.decode())
    return found


async def test_a_session_deleted_through_one_instance_is_gone_from_every_instance(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    args = ["--redis-url", redis_server.url, *HOOKS]
    # The second instance stores its edits in slow batches, so it still holds some that
    # are not stored when it hears of the deletion: they must be dropped, not written.
    slow = ["--flush-interval-ms", "400"]
    first, second = server_factory(args=args).start(), server_factory(args=args + slow).start()
    marker = secrets.token_hex(8)
    s, pia = await busy_session(first, marker)
    other = Session(second, s.created)
    here = await s.open("main", pia["token"])
    there = await other.open("main")  # the session has ended: only a facilitator still writes
    write_marker(there, marker)
    await eventually(lambda: marker in here.notes(), what="the note crossed instances")
    keep = Session.create(first, "Another workshop")
    data = redis_server.client()
    assert leftovers(data, s.id), "the session has keys before it is deleted"
    kept = sorted(leftovers(data, keep.id))

    # Someone keeps writing through the second instance while the first deletes.
    stop, written = asyncio.Event(), list[str]()
    writer = asyncio.create_task(edit_until(there, marker + "-late", stop, written))
    await eventually(lambda: len(written) > 20, what="edits flowing")
    assert s.call("DELETE", "").status_code == 204
    assert await here.wait_closed() == 4404
    assert await there.wait_closed() == 4404
    stop.set()
    await writer

    assert leftovers(data, s.id) == []
    assert other.call("GET", "").status_code == 401, "the token is gone on every instance"
    assert keep.call("GET", "").status_code == 200
    # A stop waits for the second delete and flushes every late edit it still holds.
    assert first.terminate() and second.terminate()
    assert leftovers(data, s.id) == [], "nothing was written back"
    assert sorted(leftovers(data, keep.id)) == kept, "another session is untouched"
    assert f"session {s.id} deleted (by facilitator)" in first.log()
    await s.close_all()
    await other.close_all()


async def test_retention_deletes_sessions_older_than_the_period(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--retention-days", "0.00001"]).start()  # under a second
    s = Session.create(server, "Confidential offsite")
    lab = await s.open("control", s.created["observer_token"])
    await eventually(
        lambda: f"session {s.id} deleted (by retention)" in server.log(),
        timeout=15,
        what="the retention check",
    )
    assert await lab.wait_closed() == 4404
    assert s.call("GET", "").status_code == 401
    assert rows_mentioning(server.data_dir / "paja.sqlite3", s.id) == {}
    assert "Confidential offsite" not in server.log()
    await s.close_all()


async def test_with_redis_one_instance_runs_each_retention_check(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    """Both instances check every second; each second's check is claimed by one, so the
    session is deleted once, and the deletion still reaches the other instance's sockets."""
    args = ["--redis-url", redis_server.url, "--retention-days", "0.00001"]  # under a second
    first, second = server_factory(args=args).start(), server_factory(args=args).start()
    s = Session.create(first, "Confidential offsite")
    here = await s.open("control", s.created["observer_token"])
    other = Session(second, s.created)
    there = await other.open("control", s.created["observer_token"])
    deleted = f"session {s.id} deleted (by retention)"
    await eventually(
        lambda: deleted in first.log() + second.log(), timeout=15, what="the retention check"
    )
    assert await here.wait_closed() == 4404
    assert await there.wait_closed() == 4404
    data = redis_server.client()
    assert list(data.scan_iter("paja:once:retention:*")), "each check is claimed"
    assert leftovers(data, s.id) == []
    # More checks, on both instances, find nothing left to delete: each claims its second.
    claimed = set(data.scan_iter("paja:once:retention:*"))
    await eventually(
        lambda: len(set(data.scan_iter("paja:once:retention:*")) - claimed) >= 2,
        what="two more retention checks",
    )
    assert (first.log() + second.log()).count(deleted) == 1
    await s.close_all()
    await other.close_all()
