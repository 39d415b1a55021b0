"""Programmes in Redis: one key per programme holding its JSON value, one key per token
hash, and per programme a hash of its tokens (so a member's tokens, or all of them, can be
revoked). A change is a watched MULTI on the programme's key, so two instances changing
one programme never lose each other's change."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from ...redisdb import Keys, as_bytes, pipelined, watched
from ..programmes import ProgrammeGrant, ProgrammeMissing
from ..sqlite.programmes import dumped

T = TypeVar("T")


class RedisProgrammes:
    def __init__(self, client: Redis) -> None:
        self.client = client

    async def create_programme(
        self, programme_id: str, data: dict[str, Any], grants: Mapping[str, ProgrammeGrant]
    ) -> None:
        text = dumped(data)

        def stage(pipe: Pipeline) -> None:
            pipe.set(Keys.programme(programme_id), text)
            _stage_grants(pipe, grants)

        await pipelined(self.client, stage, transaction=True)

    async def get_programme(self, programme_id: str) -> dict[str, Any] | None:
        raw = await self.client.get(Keys.programme(programme_id))
        return None if raw is None else dict(json.loads(raw))

    async def update_programme(self, programme_id: str, change: Callable[[dict[str, Any]], T]) -> T:
        key = Keys.programme(programme_id)
        outcome: list[T] = []

        async def plan(pipe: Pipeline) -> None:
            raw = await pipe.get(key)
            if raw is None:
                raise ProgrammeMissing(programme_id)
            data = json.loads(raw)
            outcome[:] = [change(data)]
            text = dumped(data)
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.set(key, text, xx=True)

        await watched(self.client, [key], plan)
        return outcome[0]

    async def add_programme_grants(self, grants: Mapping[str, ProgrammeGrant]) -> None:
        await pipelined(self.client, lambda pipe: _stage_grants(pipe, grants), transaction=True)

    async def find_programme_grant(self, token_hash: str) -> ProgrammeGrant | None:
        raw = await self.client.get(Keys.programme_grant(token_hash))
        if raw is None:
            return None
        data = json.loads(raw)
        return ProgrammeGrant(data["programme_id"], data["member"])

    async def take_programme_grant(self, token_hash: str) -> ProgrammeGrant | None:
        raw = await self.client.getdel(Keys.programme_grant(token_hash))
        if raw is None:
            return None
        data = json.loads(raw)
        await self.client.hdel(Keys.programme_tokens(data["programme_id"]), token_hash)
        return ProgrammeGrant(data["programme_id"], data["member"])

    async def revoke_member(self, programme_id: str, member: str) -> int:
        index = Keys.programme_tokens(programme_id)
        tokens = await self.client.hgetall(index)
        hashes = [as_bytes(h).decode() for h, m in tokens.items() if as_bytes(m).decode() == member]
        if not hashes:
            return 0

        def stage(pipe: Pipeline) -> None:
            for token_hash in hashes:
                pipe.delete(Keys.programme_grant(token_hash))
            pipe.hdel(index, *hashes)

        await pipelined(self.client, stage, transaction=True)
        return len(hashes)

    async def delete_programme(self, programme_id: str) -> None:
        index = Keys.programme_tokens(programme_id)
        hashes = [as_bytes(h).decode() for h in await self.client.hkeys(index)]

        def stage(pipe: Pipeline) -> None:
            for token_hash in hashes:
                pipe.delete(Keys.programme_grant(token_hash))
            pipe.delete(index, Keys.programme(programme_id))

        await pipelined(self.client, stage, transaction=True)


def _stage_grants(pipe: Pipeline, grants: Mapping[str, ProgrammeGrant]) -> None:
    for token_hash, grant in grants.items():
        data = {"programme_id": grant.programme_id, "member": grant.member}
        pipe.set(Keys.programme_grant(token_hash), json.dumps(data))
        pipe.hset(Keys.programme_tokens(grant.programme_id), token_hash, grant.member)
