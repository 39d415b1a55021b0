"""The document log in Redis: a board is a stream of updates (its log, appended with
XADD) plus a compacted snapshot.

Any instance may append; compaction is done by one instance at a time (a lock with
expiry) and is made safe against a second compactor by WATCHing the snapshot, so a slow
compactor can never trim entries that its snapshot does not hold. Loading reads the
snapshot and the log in one MULTI; the hub applies them in ONE pycrdt transaction
(`pycrdt.merge_updates` grows superlinearly with the number of updates). The bus heals
from the same stream (`take_position`, `read_since`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pycrdt import Doc
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError

from ...redisdb import DELETE_IF_HOLDS, START, Keys, Replay, as_bytes, execute, pipelined
from ..documents import LoadError, fold
from ..folding import Folder

log = logging.getLogger("paja.store.redis")

LOCK_MILLISECONDS = 30_000

Entries = list[tuple[bytes, dict[bytes, bytes]]]


def parse_id(entry_id: bytes | str) -> tuple[int, int]:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def format_id(entry_id: tuple[int, int]) -> str:
    return f"{entry_id[0]}-{entry_id[1]}"


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


class RedisDocuments:
    def __init__(self, client: Redis, *, compact_after_updates: int = 500) -> None:
        self.client = client
        self.compact_after_updates = compact_after_updates
        self._positions: dict[str, str] = {}
        self._compactions: dict[str, asyncio.Task[bool]] = {}
        self.folder = Folder()
        self._delete_if_holds = client.register_script(DELETE_IF_HOLDS)

    async def close(self) -> None:
        """Let compactions under way finish, then stop the worker."""
        await asyncio.gather(*self._compactions.values(), return_exceptions=True)
        self.folder.close()

    async def read_document(self, key: str) -> list[bytes]:
        def stage(pipe: Pipeline) -> None:
            pipe.hmget(Keys.snapshot(key), ["state", "upto"])
            pipe.xrange(Keys.log(key))

        (snapshot, upto), entries = await pipelined(self.client, stage, transaction=True)
        updates, last = _tail(entries, parse_id(upto or START))
        self._positions[key] = format_id(last)
        if len(updates) >= self.compact_after_updates:
            self._schedule_compaction(key)  # a log left long by a crash
        return [as_bytes(snapshot), *updates] if snapshot else updates

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

    def forget(self, prefix: str) -> None:
        """Once the documents under `prefix` are deleted: their positions go too."""
        for key in [k for k in self._positions if k.startswith(prefix)]:
            del self._positions[key]

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
                replay.updates.insert(0, as_bytes(snapshot))
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

    async def set_tallies(self, tallies: Mapping[str, int]) -> None:
        """SET each in one pipeline (each key in its document's slot, as for Cluster)."""

        def stage(pipe: Pipeline) -> None:
            for key, n in tallies.items():
                pipe.set(Keys.tally(key), n)

        await pipelined(self.client, stage)

    async def read_tallies(self, keys: Sequence[str]) -> dict[str, int]:
        def stage(pipe: Pipeline) -> None:
            for key in keys:
                pipe.get(Keys.tally(key))

        values = await pipelined(self.client, stage) if keys else []
        return {key: int(v) for key, v in zip(keys, values, strict=True) if v is not None}

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
            updates, last = _tail(entries, parse_id(as_bytes(upto or START)))
            if not updates:
                return False
            if snapshot:
                updates.insert(0, as_bytes(snapshot))
            state = await self.folder.fold(updates)  # in a worker: see folding.py
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.hset(
                snapshot_key,
                mapping={"state": state, "upto": format_id(last), "updated_at": time.time()},
            )
            pipe.xtrim(log_key, minid=format_id((last[0], last[1] + 1)), approximate=False)
            await execute(pipe)
        return True

    async def stored_size(self, key: str) -> tuple[int, int]:
        """Entries in the log and bytes stored for one document (for tests and benchmarks)."""
        entries: Entries = await self.client.xrange(Keys.log(key))  # type: ignore[assignment]
        snapshot = await self.client.hget(Keys.snapshot(key), "state")
        size = sum(len(fields[b"u"]) for _, fields in entries) + len(snapshot or b"")
        return len(entries), size
