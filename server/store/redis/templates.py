"""Saved templates in Redis: one deployment-wide hash, id -> {body, created_at} as JSON.
A Lua script checks the count and adds in one step, so saves from two instances at once
cannot pass the bound together."""

from __future__ import annotations

import json

from redis.asyncio import Redis

from ...redisdb import Keys
from ..templates import StoredTemplate

# KEYS: templates. ARGV: id, JSON, most.
ADD_TEMPLATE = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
"""


class RedisTemplates:
    def __init__(self, client: Redis) -> None:
        self.client = client
        self._add = client.register_script(ADD_TEMPLATE)

    async def add_template(self, template: StoredTemplate, *, most: int) -> bool:
        value = json.dumps({"body": template.body, "created_at": template.created_at})
        return bool(await self._add(keys=[Keys.templates()], args=[template.id, value, most]))

    async def list_templates(self) -> list[StoredTemplate]:
        stored = await self.client.hgetall(Keys.templates())
        found = [_template(key, value) for key, value in stored.items()]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    async def get_template(self, template_id: str) -> StoredTemplate | None:
        value = await self.client.hget(Keys.templates(), template_id)
        return _template(template_id, value) if value is not None else None


def _template(key: bytes | str, value: bytes | str) -> StoredTemplate:
    fields = json.loads(value)
    name = key.decode() if isinstance(key, bytes) else key
    return StoredTemplate(name, fields["body"], float(fields["created_at"]))
