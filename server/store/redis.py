"""The shared store: every board, session and token of a deployment in one Redis.

A board is a Redis stream of updates (its log, appended with XADD) plus a compacted
snapshot. Any instance may append; compaction is done by one instance at a time (a lock
with expiry) and is made safe against a second compactor by WATCHing the snapshot, so a
slow compactor can never trim entries that its snapshot does not hold. Loading reads the
snapshot and the log in one MULTI; the hub applies them in ONE pycrdt transaction
(`pycrdt.merge_updates` grows superlinearly with the number of updates).

The keys of one board share the hash tag `{session_id/board}` and the keys of one
session the tag `{session_id}`, so they keep to one slot under Redis Cluster. The key
space is described in docs/operations.md; `Keys` is the one place that names keys.

Webhook deliveries (the outbox) are a hash per session plus one deployment-wide sorted
set of the pending ones by due time; Lua scripts keep the two in step, so a claim, an
enqueue or a save from any instance is seen whole or not at all.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from pycrdt import Doc
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.backoff import ConstantBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.retry import Retry

from .base import (
    PENDING,
    CodeTaken,
    Delivery,
    Grant,
    LoadError,
    SessionRecord,
    Webhook,
    fold,
)

log = logging.getLogger("paja.store.redis")

START = "0-0"  # the stream position before any entry
LOCK_MILLISECONDS = 30_000
WATCH_TRIES = 10
DELETE_IF_HOLDS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: session, deliveries, due. ARGV: id, delivery JSON, due member, due score or ''.
ENQUEUE_DELIVERY = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3]) end
return 1
"""
# KEYS: deliveries, due. ARGV as above, then the expected state and attempts. Writes only
# while the stored delivery is as expected; never re-creates a delivery that was deleted.
SAVE_DELIVERY = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
local was = cjson.decode(stored)
if was['state'] ~= ARGV[5] or was['attempts'] ~= tonumber(ARGV[6]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
else redis.call('ZREM', KEYS[2], ARGV[3]) end
return 1
"""
# KEYS: due. ARGV: now, leased until, limit. Returns the claimed due members.
CLAIM_DELIVERIES = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due
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
    A stage may be async, because queueing a script call is.
    """
    for attempt in (1, 2):
        try:
            async with client.pipeline(transaction=transaction) as pipe:
                staged = stage(pipe)
                if inspect.isawaitable(staged):
                    await staged
                return list(await pipe.execute())
        except RedisConnectionError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def watched(
    client: Redis, keys: Sequence[str], plan: Callable[[Pipeline], Awaitable[None]]
) -> list[Any]:
    """Run `plan` (reads, then `pipe.multi()` and the writes those reads decided) as one
    MULTI that Redis refuses if a key in `keys` changed after it was read; plan again then.

    Not retried on a lost connection: whether EXEC ran is unknown, and the caller's next
    call reads the outcome.
    """
    for _ in range(WATCH_TRIES):
        async with client.pipeline(transaction=True) as pipe:
            await pipe.watch(*keys)
            await plan(pipe)
            try:
                return list(await pipe.execute())
            except WatchError:
                continue
    raise WatchError(f"{keys[0]} kept changing")


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

    @staticmethod
    def sessions() -> str:
        return "paja:sessions"

    @staticmethod
    def code(code: str) -> str:
        return f"paja:code:{code}"

    @staticmethod
    def webhooks(session_id: str) -> str:
        return f"paja:{{{session_id}}}:webhooks"

    @staticmethod
    def deliveries(session_id: str) -> str:
        return f"paja:{{{session_id}}}:deliveries"

    @staticmethod
    def outbox_due() -> str:
        return "paja:outbox:due"

    @staticmethod
    def sessions_deleted() -> str:
        """The deployment-wide channel naming each deleted session."""
        return "paja:sessions:deleted"

    @staticmethod
    def of_session(session_id: str) -> tuple[str, ...]:
        """SCAN patterns for every key of a session: its own, its boards' and its one-time
        event claims (scheduler claims are `session_id:event`). Each pattern ends the id
        with a delimiter, so no other session's keys match by prefix."""
        sid = "".join("\\" + c if c in "*?[]\\" else c for c in session_id)
        return (f"paja:{{{sid}}}:*", f"paja:{{{sid}/*", f"paja:once:{sid}:*")


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
        self._delete_if_holds = self.client.register_script(DELETE_IF_HOLDS)
        self._enqueue = self.client.register_script(ENQUEUE_DELIVERY)
        self._save = self.client.register_script(SAVE_DELIVERY)
        self._claim = self.client.register_script(CLAIM_DELIVERIES)

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

    async def read_document(self, key: str) -> list[bytes]:
        def stage(pipe: Pipeline) -> None:
            pipe.hmget(Keys.snapshot(key), ["state", "upto"])
            pipe.xrange(Keys.log(key))

        (snapshot, upto), entries = await pipelined(self.client, stage, transaction=True)
        updates, last = _tail(entries, parse_id(upto or START))
        self._positions[key] = format_id(last)
        if len(updates) >= self.compact_after_updates:
            self._schedule_compaction(key)  # a log left long by a crash
        return [_as_bytes(snapshot), *updates] if snapshot else updates

    async def load_document(self, key: str) -> bytes | None:
        updates = await self.read_document(key)
        return await asyncio.to_thread(fold, updates) if updates else None

    async def compact_from(self, key: str, doc: Doc[Any]) -> None:
        """Nothing: another instance may have compacted entries that `doc` never received
        (a pub/sub message it missed), so only a fold of the stored state is safe here,
        and the log's length schedules that."""

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
                await self._delete_if_holds(keys=[lock], args=[token])
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
            if snapshot:
                updates.insert(0, _as_bytes(snapshot))
            state = await asyncio.to_thread(fold, updates)
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
        """One MULTI, so a session appears with all its tokens, boards and join code or not
        at all; WATCH on the code's key makes a concurrent taker of the same code fail."""
        code = record.settings.get("join_code")
        session_key = Keys.session(record.id)

        async def plan(pipe: Pipeline) -> None:
            if code is not None and await pipe.exists(Keys.code(code)):
                raise CodeTaken(code)
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.set(session_key, _dump_session(record))
            pipe.zadd(Keys.sessions(), {record.id: record.created_at})
            if code is not None:
                pipe.set(Keys.code(code), record.id)
            for token_hash, grant in grants.items():
                _stage_grant(pipe, token_hash, grant)
            if boards:
                pipe.zadd(Keys.boards(record.id), {b: record.created_at for b in boards})

        await watched(self.client, [session_key if code is None else Keys.code(code)], plan)

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

    async def rotate_join(self, token_hash: str, grant: Grant, code: str) -> None:
        """One MULTI, WATCHed on the session, the new code and the subject's index."""
        session_key = Keys.session(grant.session_id)
        code_key = Keys.code(code)
        index = Keys.subject(grant.session_id, grant.subject)

        async def plan(pipe: Pipeline) -> None:
            raw = await pipe.get(session_key)
            if raw is None:
                return
            if await pipe.exists(code_key):
                raise CodeTaken(code)
            record = _load_session(_as_bytes(raw))
            hashes = [_as_bytes(h).decode() for h in await pipe.smembers(index)]
            stored = await pipe.mget([Keys.grant(h) for h in hashes]) if hashes else []
            replaced = [
                h
                for h, data in zip(hashes, stored, strict=True)
                if data is not None and json.loads(data)["role"] == grant.role
            ]
            pipe.multi()  # type: ignore[no-untyped-call]
            if replaced:
                pipe.delete(*(Keys.grant(h) for h in replaced))
                pipe.srem(index, *replaced)
            _stage_grant(pipe, token_hash, grant)
            old = record.settings.get("join_code")
            if old is not None:
                pipe.delete(Keys.code(str(old)))
            pipe.set(code_key, grant.session_id)
            settings = {**record.settings, "join_code": code}
            pipe.set(session_key, _dump_session(replace(record, settings=settings)))

        await watched(self.client, [session_key, code_key, index], plan)

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

    # the session lifecycle

    async def delete_session(self, session_id: str) -> None:
        """Find the session's keys by SCAN, then delete them and its entries in the shared
        indexes in one MULTI. WATCH on the keys that name other keys (the record names the
        join code, the subject sets the grants, the deliveries hash the due members)
        replans the deletion if one changes meanwhile, so nothing is left behind."""
        found = [
            _as_bytes(key).decode()
            for pattern in Keys.of_session(session_id)
            async for key in self.client.scan_iter(match=pattern, count=1000)
        ]
        session_key, deliveries = Keys.session(session_id), Keys.deliveries(session_id)
        subjects = [k for k in found if k.startswith(Keys.subject(session_id, ""))]

        async def plan(pipe: Pipeline) -> None:
            raw = await pipe.get(session_key)
            code = None if raw is None else _load_session(_as_bytes(raw)).settings.get("join_code")
            delivery_ids = await pipe.hkeys(deliveries)
            grants = [
                Keys.grant(_as_bytes(h).decode()) for s in subjects for h in await pipe.smembers(s)
            ]
            pipe.multi()  # type: ignore[no-untyped-call]
            if found or grants:
                pipe.delete(*found, *grants)
            if code is not None:
                await self._delete_if_holds(keys=[Keys.code(code)], args=[session_id], client=pipe)
            pipe.hdel(Keys.wakeups(), session_id)
            pipe.zrem(Keys.sessions(), session_id)
            if delivery_ids:
                members = [_due_member(session_id, _as_bytes(i).decode()) for i in delivery_ids]
                pipe.zrem(Keys.outbox_due(), *members)

        await watched(self.client, [session_key, deliveries, *subjects], plan)
        prefix = session_id + "/"
        for key in [k for k in self._positions if k.startswith(prefix)]:
            del self._positions[key]

    async def sessions_created_before(self, cutoff: float) -> list[str]:
        ids = await self.client.zrangebyscore(Keys.sessions(), "-inf", f"({cutoff!r}")
        return [_as_bytes(i).decode() for i in ids]

    async def find_join_code(self, code: str) -> str | None:
        session_id = await self.client.get(Keys.code(code))
        return None if session_id is None else _as_bytes(session_id).decode()

    # webhooks and their outbox

    async def add_webhook(self, webhook: Webhook) -> None:
        await self.client.hset(
            Keys.webhooks(webhook.session_id), webhook.id, json.dumps(asdict(webhook))
        )

    async def list_webhooks(self, session_id: str) -> list[Webhook]:
        stored = await self.client.hvals(Keys.webhooks(session_id))
        webhooks = [_load_webhook(_as_bytes(raw)) for raw in stored]
        return sorted(webhooks, key=lambda w: (w.created_at, w.id))

    async def remove_webhook(self, session_id: str, webhook_id: str) -> bool:
        return bool(await self.client.hdel(Keys.webhooks(session_id), webhook_id))

    async def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """HSETNX and ZADD in one script per delivery, so an instance enqueueing the same
        event at the same moment cannot double it; only for sessions that exist, so an
        event firing while its session is deleted leaves nothing behind."""

        async def stage(pipe: Pipeline) -> None:
            for d in deliveries:
                keys = [
                    Keys.session(d.session_id),
                    Keys.deliveries(d.session_id),
                    Keys.outbox_due(),
                ]
                await self._enqueue(keys=keys, args=_delivery_args(d), client=pipe)

        return sum(int(added) for added in await pipelined(self.client, stage))

    async def claim_deliveries(
        self, now: float, lease_seconds: float, limit: int
    ) -> list[Delivery]:
        """The script moves the due members past the lease; then their records are read
        and rewritten with the leased `next_at`. A member whose delivery is gone (its
        session was deleted under it) is dropped from the due set."""
        leased_until = now + lease_seconds
        members = [
            _as_bytes(m).decode()
            for m in await self._claim(
                keys=[Keys.outbox_due()], args=[repr(now), repr(leased_until), limit]
            )
        ]
        if not members:
            return []

        def read(pipe: Pipeline) -> None:
            for member in members:
                session_id, _, delivery_id = member.partition("|")
                pipe.hget(Keys.deliveries(session_id), delivery_id)

        claimed: list[Delivery] = []
        stale: list[str] = []
        for member, raw in zip(members, await pipelined(self.client, read), strict=True):
            delivery = None if raw is None else _load_delivery(_as_bytes(raw))
            if delivery is None or delivery.state != PENDING:
                stale.append(member)
            else:
                claimed.append(replace(delivery, next_at=leased_until))
        if stale:
            await self.client.zrem(Keys.outbox_due(), *stale)
        if not claimed:
            return []

        async def lease(pipe: Pipeline) -> None:
            for d in claimed:  # unless another server saved it since it was read
                await self._save_script(pipe, d, PENDING, d.attempts)

        saved = await pipelined(self.client, lease)
        return [d for d, ok in zip(claimed, saved, strict=True) if ok]

    async def save_delivery(
        self, delivery: Delivery, *, expected_state: str, expected_attempts: int
    ) -> bool:
        """The script compares and writes the delivery as given: its other fields never
        change after enqueueing."""
        [saved] = await pipelined(
            self.client,
            lambda pipe: self._save_script(pipe, delivery, expected_state, expected_attempts),
        )
        return bool(saved)

    def _save_script(
        self, pipe: Pipeline, d: Delivery, expected_state: str, expected_attempts: int
    ) -> Awaitable[Any]:
        keys = [Keys.deliveries(d.session_id), Keys.outbox_due()]
        args = [*_delivery_args(d), expected_state, str(expected_attempts)]
        return self._save(keys=keys, args=args, client=pipe)

    async def get_delivery(self, session_id: str, delivery_id: str) -> Delivery | None:
        raw = await self.client.hget(Keys.deliveries(session_id), delivery_id)
        return None if raw is None else _load_delivery(_as_bytes(raw))

    async def list_deliveries(self, session_id: str, state: str | None = None) -> list[Delivery]:
        stored = await self.client.hvals(Keys.deliveries(session_id))
        deliveries = [_load_delivery(_as_bytes(raw)) for raw in stored]
        chosen = [d for d in deliveries if state is None or d.state == state]
        return sorted(chosen, key=lambda d: (d.created_at, d.id), reverse=True)


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


def _due_member(session_id: str, delivery_id: str) -> str:
    """Session ids have no "|", so the member splits back at its first one."""
    return f"{session_id}|{delivery_id}"


def _delivery_args(d: Delivery) -> list[str]:
    """ARGV of the delivery scripts: the due score is empty unless the delivery is due."""
    score = repr(d.next_at) if d.state == PENDING else ""
    return [d.id, json.dumps(asdict(d)), _due_member(d.session_id, d.id), score]


def _load_delivery(raw: bytes) -> Delivery:
    return Delivery(**json.loads(raw))


def _load_webhook(raw: bytes) -> Webhook:
    data = json.loads(raw)
    return Webhook(**{**data, "events": tuple(data["events"])})
