"""The shared store: every board, session and token of a deployment in one Redis.

A board is a Redis stream of updates (its log, appended with XADD) plus a compacted
snapshot. Any instance may append; compaction is done by one instance at a time (a lock
with expiry) and is made safe against a second compactor by WATCHing the snapshot, so a
slow compactor can never trim entries that its snapshot does not hold. Loading reads the
snapshot and the log in one MULTI and applies them in ONE pycrdt transaction
(`pycrdt.merge_updates` grows superlinearly with the number of updates).

The keys of one board share the hash tag `{session_id/board}` and the keys of one
session the tag `{session_id}`, so they keep to one slot under Redis Cluster. The key
space is described in docs/operations.md; `Keys` is the one place that names keys.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.backoff import ConstantBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.retry import Retry

from .base import Grant, LoadError, SessionRecord

log = logging.getLogger("paja.store.redis")

START = "0-0"  # the stream position before any entry
LOCK_MILLISECONDS = 30_000
RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def open_client(url: str, *, name: str, subscriber: bool = False) -> Redis:
    """A client that fails fast instead of retrying for seconds: callers have their own
    retry (the hub keeps edits pending, the bus reconnects with backoff), and a request
    that waits ten retries while Redis is down only holds a socket open.

    One quick retry still hides a pooled connection that a Redis restart left dead. The
    subscriber gets none: a dropped subscription must surface so the bus can heal.
    """
    return Redis.from_url(
        url,
        socket_timeout=3,
        socket_connect_timeout=2,
        retry=Retry(ConstantBackoff(0.05), 0 if subscriber else 1),
        health_check_interval=0 if subscriber else 10,
        client_name=name,
    )


async def pipelined(
    client: Redis, stage: Callable[[Pipeline], object], *, transaction: bool = False
) -> list[Any]:
    """Run the commands `stage` queues as one pipeline, once more if the connection died.

    redis-py retries a single command on a pooled connection that a Redis restart left
    dead, but not a pipeline. Every pipeline here may run twice: its commands are
    idempotent or (XADD, PUBLISH) harmless to repeat, since a Yjs update applies once.
    """
    for attempt in (1, 2):
        try:
            async with client.pipeline(transaction=transaction) as pipe:
                stage(pipe)
                return list(await pipe.execute())
        except RedisConnectionError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class Keys:
    """The names of every Redis key and channel Paja uses (see docs/operations.md)."""

    @staticmethod
    def log(doc: str) -> str:
        return f"paja:{{{doc}}}:log"

    @staticmethod
    def snapshot(doc: str) -> str:
        return f"paja:{{{doc}}}:snapshot"

    @staticmethod
    def compaction_lock(doc: str) -> str:
        return f"paja:{{{doc}}}:compacting"

    @staticmethod
    def channel(doc: str) -> str:
        return f"paja:{{{doc}}}:bus"

    @staticmethod
    def session(session_id: str) -> str:
        return f"paja:{{{session_id}}}:session"

    @staticmethod
    def boards(session_id: str) -> str:
        return f"paja:{{{session_id}}}:boards"

    @staticmethod
    def subject(session_id: str, subject: str) -> str:
        return f"paja:{{{session_id}}}:subject:{subject}"

    @staticmethod
    def grant(token_hash: str) -> str:
        return f"paja:grant:{token_hash}"

    @staticmethod
    def instance(instance_id: str) -> str:
        return f"paja:instance:{instance_id}"

    @staticmethod
    def inbox(instance_id: str) -> str:
        return f"paja:instance:{instance_id}:inbox"

    @staticmethod
    def once(event_id: str) -> str:
        return f"paja:once:{event_id}"

    @staticmethod
    def wakeups() -> str:
        return "paja:wakeups"


def parse_id(entry_id: bytes | str) -> tuple[int, int]:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def format_id(entry_id: tuple[int, int]) -> str:
    return f"{entry_id[0]}-{entry_id[1]}"


@dataclass
class Replay:
    """What a stream holds after a position: the updates, the new position, and whether
    the entry at the old position is gone without a compaction having folded it (Redis
    lost history, e.g. restarted without its AOF)."""

    updates: list[bytes] = field(default_factory=list)
    position: str = START
    lost: bool = False


Entries = list[tuple[bytes, dict[bytes, bytes]]]


def _fold(snapshot: bytes | None, entries: Sequence[bytes]) -> bytes:
    """Snapshot + log as one compact update, applied in one transaction of a scratch Doc."""
    doc: Doc[Any] = Doc()
    with doc.transaction():
        if snapshot:
            doc.apply_update(snapshot)
        for update in entries:
            doc.apply_update(update)
    return doc.get_update()


def _tail(entries: Entries, after: tuple[int, int]) -> tuple[list[bytes], tuple[int, int]]:
    """The updates of stream entries after a position, and the last position."""
    updates: list[bytes] = []
    last = after
    for entry_id, fields in entries:
        position = parse_id(entry_id)
        if position > after:
            updates.append(fields[b"u"])
            last = position
    return updates, last


class RedisStore:
    def __init__(self, url: str, *, compact_after_updates: int = 500) -> None:
        self.client = open_client(url, name="paja-store")
        self.compact_after_updates = compact_after_updates
        self._positions: dict[str, str] = {}
        self._compactions: dict[str, asyncio.Task[bool]] = {}
        self._release_lock = self.client.register_script(RELEASE_LOCK)

    async def start(self) -> None:
        """Start even when Redis is away: /readyz says so, and every call retries."""
        if not await self.ready():
            log.warning("Redis is not reachable yet; requests fail until it is")

    async def close(self) -> None:
        await asyncio.gather(*self._compactions.values(), return_exceptions=True)
        await self.client.aclose()

    async def ready(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self.client.ping(), 1.0))
        except (RedisError, OSError, TimeoutError):
            return False

    # documents

    async def load_document(self, key: str) -> bytes | None:
        def stage(pipe: Pipeline) -> None:
            pipe.hmget(Keys.snapshot(key), ["state", "upto"])
            pipe.xrange(Keys.log(key))

        (snapshot, upto), entries = await pipelined(self.client, stage, transaction=True)
        folded_upto = parse_id(upto or START)
        updates, last = _tail(entries, folded_upto)
        self._positions[key] = format_id(last)
        if snapshot is None and not updates:
            return None
        try:
            state = await asyncio.to_thread(_fold, snapshot, updates)
        except ValueError as exc:
            raise LoadError(f"stored updates of {key} are corrupt") from exc
        if len(updates) >= self.compact_after_updates:
            self._schedule_compaction(key)  # a log left long by a crash
        return state

    def take_position(self, key: str) -> str:
        """The last log entry the latest `load_document(key)` read (for the bus's replay)."""
        return self._positions.pop(key, START)

    async def read_since(self, key: str, position: str) -> Replay:
        """The log after `position`, with the snapshot first if a compaction folded entries
        past it. Read in one MULTI so that a concurrent compaction is seen whole or not."""
        after = parse_id(position)

        def stage(pipe: Pipeline) -> None:
            pipe.hget(Keys.snapshot(key), "upto")
            pipe.xrange(Keys.log(key), min=f"({position}" if after > (0, 0) else "-")
            pipe.xrange(Keys.log(key), min=position, max=position, count=1)

        upto, entries, at_position = await pipelined(self.client, stage, transaction=True)
        folded_upto = parse_id(upto or START)
        updates, last = _tail(entries, after)
        replay = Replay(updates, format_id(max(last, folded_upto)))
        if folded_upto > after:
            snapshot = await self.client.hget(Keys.snapshot(key), "state")
            if snapshot:
                replay.updates.insert(0, _as_bytes(snapshot))
        elif after > (0, 0) and not at_position and folded_upto < after:
            replay.lost = True
        return replay

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        """XADD every update in one pipeline (not a MULTI, so it stays valid under Redis
        Cluster). A failure raises and the hub retries the whole batch: an entry written
        twice is harmless, a Yjs update applies once however often it is replayed."""
        keys = [key for key, updates in batch.items() if updates]
        if not keys:
            return

        def stage(pipe: Pipeline) -> None:
            for key in keys:
                stream = Keys.log(key)
                for update in batch[key]:
                    pipe.xadd(stream, {b"u": update})
                pipe.xlen(stream)

        results = await pipelined(self.client, stage)
        lengths = iter(results)
        for key in keys:
            for _ in batch[key]:
                next(lengths)
            if int(next(lengths)) >= self.compact_after_updates:
                self._schedule_compaction(key)

    def _schedule_compaction(self, key: str) -> None:
        if key in self._compactions:
            return
        task = asyncio.create_task(self.compact(key), name=f"paja-compact-{key}")
        self._compactions[key] = task
        task.add_done_callback(lambda _: self._compactions.pop(key, None))

    async def compact(self, key: str) -> bool:
        """Fold the stored snapshot and log into a new snapshot and trim the folded entries.

        Returns False when another instance holds the lock or compacted meanwhile. The
        lock spares duplicate work; correctness comes from WATCH on the snapshot: a
        compactor whose snapshot was replaced under it writes nothing.
        """
        lock = Keys.compaction_lock(key)
        token = secrets.token_hex(8)
        try:
            if not await self.client.set(lock, token, nx=True, px=LOCK_MILLISECONDS):
                return False
        except RedisError:
            return False  # Redis is away; the next append tries again
        try:
            return await self._compact_locked(key)
        except WatchError:
            return False
        except LoadError:
            log.exception("not compacting %s: its stored updates are corrupt", key)
            return False
        except RedisError as exc:
            log.warning("compaction of %s failed: %s", key, exc)
            return False
        finally:
            try:
                await self._release_lock(keys=[lock], args=[token])
            except RedisError:
                pass  # it expires

    async def _compact_locked(self, key: str) -> bool:
        snapshot_key, log_key = Keys.snapshot(key), Keys.log(key)
        async with self.client.pipeline(transaction=True) as pipe:
            await pipe.watch(snapshot_key)
            snapshot, upto = await pipe.hmget(snapshot_key, ["state", "upto"])
            entries: Entries = await pipe.xrange(log_key)  # type: ignore[assignment]
            updates, last = _tail(entries, parse_id(_as_bytes(upto or START)))
            if not updates:
                return False
            try:
                state = await asyncio.to_thread(
                    _fold, _as_bytes(snapshot) if snapshot else None, updates
                )
            except ValueError as exc:
                raise LoadError(f"stored updates of {key} are corrupt") from exc
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.hset(
                snapshot_key,
                mapping={"state": state, "upto": format_id(last), "updated_at": time.time()},
            )
            pipe.xtrim(log_key, minid=format_id((last[0], last[1] + 1)), approximate=False)
            await pipe.execute()
        return True

    async def stored_size(self, key: str) -> tuple[int, int]:
        """Entries in the log and bytes stored for one document (for tests and benchmarks)."""
        entries: Entries = await self.client.xrange(Keys.log(key))  # type: ignore[assignment]
        snapshot = await self.client.hget(Keys.snapshot(key), "state")
        size = sum(len(fields[b"u"]) for _, fields in entries) + len(snapshot or b"")
        return len(entries), size

    # sessions, grants and boards

    async def create_session(
        self, record: SessionRecord, grants: Mapping[str, Grant], boards: Sequence[str]
    ) -> None:
        """One MULTI, so a session appears with all its tokens and boards or not at all."""

        def stage(pipe: Pipeline) -> None:
            pipe.set(Keys.session(record.id), _dump_session(record))
            for token_hash, grant in grants.items():
                _stage_grant(pipe, token_hash, grant)
            if boards:
                pipe.zadd(Keys.boards(record.id), {b: record.created_at for b in boards})

        await pipelined(self.client, stage, transaction=True)

    async def get_session(self, session_id: str) -> SessionRecord | None:
        raw = await self.client.get(Keys.session(session_id))
        return None if raw is None else _load_session(_as_bytes(raw))

    async def add_grant(self, token_hash: str, grant: Grant) -> None:
        await pipelined(
            self.client, lambda pipe: _stage_grant(pipe, token_hash, grant), transaction=True
        )

    async def find_grant(self, token_hash: str) -> Grant | None:
        raw = await self.client.get(Keys.grant(token_hash))
        if raw is None:
            return None
        data = json.loads(raw)
        return Grant(data["session_id"], data["role"], data["subject"])

    async def revoke_subject(self, session_id: str, subject: str) -> int:
        index = Keys.subject(session_id, subject)
        hashes = await self.client.smembers(index)
        if not hashes:
            return 0

        def stage(pipe: Pipeline) -> None:
            for token_hash in hashes:
                pipe.delete(Keys.grant(_as_bytes(token_hash).decode()))
            pipe.srem(index, *hashes)

        results = await pipelined(self.client, stage)
        return sum(int(r) for r in results[:-1])

    async def list_boards(self, session_id: str) -> list[str]:
        """Ordered by creation time, then name (ties in a sorted set order by member)."""
        boards = await self.client.zrange(Keys.boards(session_id), 0, -1)
        return [_as_bytes(b).decode() for b in boards]

    async def add_board(self, session_id: str, board: str) -> bool:
        added = await self.client.zadd(Keys.boards(session_id), {board: time.time()}, nx=True)
        return added == 1

    async def set_role(self, session_id: str, subject: str, role: str) -> int:
        """Rewrite the grants of one participant; SET XX never revives a revoked one."""
        hashes = [
            _as_bytes(h).decode()
            for h in await self.client.smembers(Keys.subject(session_id, subject))
        ]
        if not hashes:
            return 0
        stored = await self.client.mget([Keys.grant(h) for h in hashes])

        def stage(pipe: Pipeline) -> None:
            for token_hash, raw in zip(hashes, stored, strict=True):
                if raw is None:
                    continue
                data = json.loads(raw)
                if data["session_id"] != session_id:
                    continue
                data["role"] = role
                pipe.set(Keys.grant(token_hash), json.dumps(data), xx=True)

        results = await pipelined(self.client, stage)
        return sum(1 for r in results if r)

    # the scheduler's index

    async def set_wakeup(self, session_id: str, at_ms: int | None) -> None:
        if at_ms is None:
            await self.client.hdel(Keys.wakeups(), session_id)
        else:
            await self.client.hset(Keys.wakeups(), session_id, str(at_ms))

    async def list_wakeups(self) -> dict[str, int]:
        stored = await self.client.hgetall(Keys.wakeups())
        return {_as_bytes(k).decode(): int(v) for k, v in stored.items()}


def _as_bytes(value: object) -> bytes:
    """Replies are bytes (the clients do not decode); this tells the type checker so."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise TypeError(f"unexpected Redis reply {value!r}")


def _stage_grant(pipe: Pipeline, token_hash: str, grant: Grant) -> None:
    """A grant is found by its token hash and revoked through its subject's index."""
    data = {"session_id": grant.session_id, "role": grant.role, "subject": grant.subject}
    pipe.set(Keys.grant(token_hash), json.dumps(data))
    pipe.sadd(Keys.subject(grant.session_id, grant.subject), token_hash)


def _dump_session(record: SessionRecord) -> str:
    return json.dumps(
        {
            "id": record.id,
            "title": record.title,
            "template": record.template,
            "created_at": record.created_at,
            "settings": record.settings,
        }
    )


def _load_session(raw: bytes) -> SessionRecord:
    data = json.loads(raw)
    return SessionRecord(
        data["id"], data["title"], data["template"], data["created_at"], data["settings"]
    )
