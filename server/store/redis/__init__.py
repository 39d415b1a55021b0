"""The shared store: every board, session and token of a deployment in one Redis, seen
as the document log (documents.py), the sessions (sessions.py), the webhook outbox
(webhooks.py), the programmes (programmes.py), the saved templates (templates.py) and the
counters of rate limits (counts.py), all through one client. Key names and the ways commands
are sent are shared with the Redis bus (server/redisdb.py); docs/operations.md lists the keys.
"""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError

from ...redisdb import open_client
from .counts import RedisCounts
from .documents import RedisDocuments
from .programmes import RedisProgrammes
from .sessions import RedisSessions
from .templates import RedisTemplates
from .webhooks import RedisWebhooks

log = logging.getLogger("paja.store.redis")


class RedisStore:
    def __init__(self, url: str, *, compact_after_updates: int = 500) -> None:
        self.client = open_client(url, name="paja-store")
        self.documents = RedisDocuments(self.client, compact_after_updates=compact_after_updates)
        self.sessions = RedisSessions(self.client, self.documents)
        self.webhooks = RedisWebhooks(self.client)
        self.programmes = RedisProgrammes(self.client)
        self.templates = RedisTemplates(self.client)
        self.counts = RedisCounts(self.client)

    async def start(self) -> None:
        """Start even when Redis is away: /readyz says so, and every call retries."""
        if not await self.ready():
            log.warning("Redis is not reachable yet; requests fail until it is")

    async def close(self) -> None:
        await self.documents.close()
        await self.client.aclose()

    async def ready(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self.client.ping(), 1.0))
        except (RedisError, OSError, TimeoutError):
            return False
