"""Sessions in Redis: records, grants, boards, join codes and wake-ups, and deleting a
session for good.

Deletion is the one operation that spans every part of the store, so it runs here: it
finds the session's keys (its documents' and webhook outbox's too) by SCAN and deletes
them, with the session's entries in the deployment-wide indexes, in one watched MULTI.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from ...redisdb import DELETE_IF_HOLDS, Keys, as_bytes, pipelined, watched
from ..sessions import CodeTaken, Grant, SessionRecord
from .documents import RedisDocuments
from .webhooks import due_member


class RedisSessions:
    def __init__(self, client: Redis, documents: RedisDocuments) -> None:
        self.client = client
        self.documents = documents
        self._delete_if_holds = client.register_script(DELETE_IF_HOLDS)

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
        return None if raw is None else _load_session(as_bytes(raw))

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
                pipe.delete(Keys.grant(as_bytes(token_hash).decode()))
            pipe.srem(index, *hashes)

        results = await pipelined(self.client, stage)
        return sum(int(r) for r in results[:-1])

    async def set_role(self, session_id: str, subject: str, role: str) -> int:
        """Rewrite the grants of one participant; SET XX never revives a revoked one."""
        hashes = [
            as_bytes(h).decode()
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

    async def list_boards(self, session_id: str) -> list[str]:
        """Ordered by creation time, then name (ties in a sorted set order by member)."""
        boards = await self.client.zrange(Keys.boards(session_id), 0, -1)
        return [as_bytes(b).decode() for b in boards]

    async def add_board(self, session_id: str, board: str) -> bool:
        added = await self.client.zadd(Keys.boards(session_id), {board: time.time()}, nx=True)
        return added == 1

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
            record = _load_session(as_bytes(raw))
            hashes = [as_bytes(h).decode() for h in await pipe.smembers(index)]
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

    async def find_join_code(self, code: str) -> str | None:
        session_id = await self.client.get(Keys.code(code))
        return None if session_id is None else as_bytes(session_id).decode()

    # the scheduler's index

    async def set_wakeup(self, session_id: str, at_ms: int | None) -> None:
        if at_ms is None:
            await self.client.hdel(Keys.wakeups(), session_id)
        else:
            await self.client.hset(Keys.wakeups(), session_id, str(at_ms))

    async def list_wakeups(self) -> dict[str, int]:
        stored = await self.client.hgetall(Keys.wakeups())
        return {as_bytes(k).decode(): int(v) for k, v in stored.items()}

    # the session lifecycle

    async def sessions_created_before(self, cutoff: float) -> list[str]:
        ids = await self.client.zrangebyscore(Keys.sessions(), "-inf", f"({cutoff!r}")
        return [as_bytes(i).decode() for i in ids]

    async def delete_session(self, session_id: str) -> None:
        """Find the session's keys by SCAN, then delete them and its entries in the shared
        indexes in one MULTI. WATCH on the keys that name other keys (the record names the
        join code, the subject sets the grants, the deliveries hash the due members)
        replans the deletion if one changes meanwhile, so nothing is left behind."""
        found = [
            as_bytes(key).decode()
            for pattern in Keys.of_session(session_id)
            async for key in self.client.scan_iter(match=pattern, count=1000)
        ]
        session_key, deliveries = Keys.session(session_id), Keys.deliveries(session_id)
        subjects = [k for k in found if k.startswith(Keys.subject(session_id, ""))]

        async def plan(pipe: Pipeline) -> None:
            raw = await pipe.get(session_key)
            code = None if raw is None else _load_session(as_bytes(raw)).settings.get("join_code")
            delivery_ids = await pipe.hkeys(deliveries)
            grants = [
                Keys.grant(as_bytes(h).decode()) for s in subjects for h in await pipe.smembers(s)
            ]
            pipe.multi()  # type: ignore[no-untyped-call]
            if found or grants:
                pipe.delete(*found, *grants)
            if code is not None:
                await self._delete_if_holds(keys=[Keys.code(code)], args=[session_id], client=pipe)
            pipe.hdel(Keys.wakeups(), session_id)
            pipe.zrem(Keys.sessions(), session_id)
            if delivery_ids:
                members = [due_member(session_id, as_bytes(i).decode()) for i in delivery_ids]
                pipe.zrem(Keys.outbox_due(), *members)

        await watched(self.client, [session_key, deliveries, *subjects], plan)
        self.documents.forget(session_id + "/")


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
