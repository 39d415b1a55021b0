"""Webhooks and their outbox in Redis: a hash of webhooks and a hash of deliveries per
session, plus one deployment-wide sorted set of the pending deliveries by due time.
Lua scripts keep the two in step, so a claim, an enqueue or a save from any instance is
seen whole or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Sequence
from dataclasses import asdict, replace
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from ...redisdb import Keys, as_bytes, pipelined
from ..webhooks import PENDING, Delivery, Webhook

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


def due_member(session_id: str, delivery_id: str) -> str:
    """A delivery in the due set. Session ids have no "|", so it splits back at its
    first one."""
    return f"{session_id}|{delivery_id}"


class RedisWebhooks:
    def __init__(self, client: Redis) -> None:
        self.client = client
        self._enqueue = client.register_script(ENQUEUE_DELIVERY)
        self._save = client.register_script(SAVE_DELIVERY)
        self._claim = client.register_script(CLAIM_DELIVERIES)

    async def add_webhook(self, webhook: Webhook) -> None:
        await self.client.hset(
            Keys.webhooks(webhook.session_id), webhook.id, json.dumps(asdict(webhook))
        )

    async def list_webhooks(self, session_id: str) -> list[Webhook]:
        stored = await self.client.hvals(Keys.webhooks(session_id))
        webhooks = [_load_webhook(as_bytes(raw)) for raw in stored]
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
            as_bytes(m).decode()
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
            delivery = None if raw is None else _load_delivery(as_bytes(raw))
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
        return None if raw is None else _load_delivery(as_bytes(raw))

    async def list_deliveries(self, session_id: str, state: str | None = None) -> list[Delivery]:
        stored = await self.client.hvals(Keys.deliveries(session_id))
        deliveries = [_load_delivery(as_bytes(raw)) for raw in stored]
        chosen = [d for d in deliveries if state is None or d.state == state]
        return sorted(chosen, key=lambda d: (d.created_at, d.id), reverse=True)


def _delivery_args(d: Delivery) -> list[str]:
    """ARGV of the delivery scripts: the due score is empty unless the delivery is due."""
    score = repr(d.next_at) if d.state == PENDING else ""
    return [d.id, json.dumps(asdict(d)), due_member(d.session_id, d.id), score]


def _load_delivery(raw: bytes) -> Delivery:
    return Delivery(**json.loads(raw))


def _load_webhook(raw: bytes) -> Webhook:
    data = json.loads(raw)
    return Webhook(**{**data, "events": tuple(data["events"])})
