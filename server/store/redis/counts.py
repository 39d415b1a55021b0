"""Counters shared by a deployment's instances: the rate limits of session creation and
join-code look-ups count here (server/process/limits.py `DeploymentRate`)."""

from __future__ import annotations

import math

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from ...redisdb import Keys, pipelined


class RedisCounts:
    def __init__(self, client: Redis) -> None:
        self.client = client

    async def add(self, kind: str, key: str, window: int, ttl_seconds: float) -> int:
        """INCR, and an expiry set by the first count only (EXPIRE NX), in one round trip.
        A repeated pipeline (see `pipelined`) counts one event twice: the safe side."""
        name = Keys.rate(kind, key, window)

        def stage(pipe: Pipeline) -> None:
            pipe.incr(name)
            pipe.expire(name, math.ceil(ttl_seconds), nx=True)

        total, _ = await pipelined(self.client, stage, transaction=True)
        return int(total)
