"""Rate limits hold for a deployment, not per instance: two instances on one Redis.

Session creation and join-code look-ups per client address are counted in Redis, so
alternating between instances does not double the allowance. The count is answered
without waiting for Redis: an instance hears of the other's events when it counts its
own next, so the deployment may pass a limit by one event per other instance.
"""

from __future__ import annotations

import httpx

from support.processes import PajaServer
from support.redis import RedisServer

LIMIT = 4
TRIES = 12  # alternating: per-instance counting would allow 2 * LIMIT


def _deployment(server_factory: type[PajaServer], redis_server: RedisServer) -> list[PajaServer]:
    env = {
        "PAJA_SESSIONS_PER_HOUR_PER_ADDRESS": str(LIMIT),
        "PAJA_JOIN_CODE_LOOKUPS_PER_HOUR_PER_ADDRESS": str(LIMIT),
    }
    return [
        server_factory(args=["--redis-url", redis_server.url], env=env).start() for _ in range(2)
    ]


def test_session_creation_is_limited_across_instances(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    servers = _deployment(server_factory, redis_server)
    statuses = [
        httpx.post(servers[i % 2].http + "/api/sessions", json={"title": "W"}).status_code
        for i in range(TRIES)
    ]
    assert set(statuses) == {201, 429}
    assert LIMIT <= statuses.count(201) <= LIMIT + 1, statuses
    assert statuses[-2:] == [429, 429]  # both instances know the deployment is over


def test_join_code_lookups_are_limited_across_instances(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    servers = _deployment(server_factory, redis_server)
    code = servers[0].create_session()["join_code"]
    statuses = [
        httpx.get(f"{servers[i % 2].http}/api/join/{code}").status_code for i in range(TRIES)
    ]
    assert set(statuses) == {200, 429}
    assert LIMIT <= statuses.count(200) <= LIMIT + 1, statuses
    assert statuses[-2:] == [429, 429]
