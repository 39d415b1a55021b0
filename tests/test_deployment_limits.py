"""Rate limits hold for a deployment, not per instance: two instances on one Redis.

Session creation and join-code look-ups per client address, and summaries posted per
session, are counted in Redis, so alternating between instances does not double the
allowance. The count is answered
without waiting for Redis: an instance hears of the other's events when it counts its
own next, so the deployment may pass a limit by one event per other instance.
"""

from __future__ import annotations

import time

import httpx

from support.processes import PajaServer
from support.redis import RedisServer

LIMIT = 4
TRIES = 12  # alternating: per-instance counting would allow 2 * LIMIT


def _deployment(server_factory: type[PajaServer], redis_server: RedisServer) -> list[PajaServer]:
    env = {
        "PAJA_SESSIONS_PER_HOUR_PER_ADDRESS": str(LIMIT),
        "PAJA_JOIN_CODE_LOOKUPS_PER_HOUR_PER_ADDRESS": str(LIMIT),
        "PAJA_SUMMARIES_PER_MINUTE_PER_SESSION": str(LIMIT),
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


def test_summaries_posted_are_limited_across_instances(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    """Each summary fires `summary.posted` to the session's webhooks: a bot posting through
    both instances must not get twice the webhooks out."""
    servers = _deployment(server_factory, redis_server)
    session = servers[0].create_session()
    bot = {"Authorization": f"Bearer {session['bot_token']}"}
    while time.time() % 60 > 45:  # the count is per minute: all of it in one minute
        time.sleep(0.5)
    statuses = [
        httpx.post(
            f"{servers[i % 2].http}/api/sessions/{session['id']}/summaries",
            json={"author": "Botti", "markdown": f"Summary {i}"},
            headers=bot,
        ).status_code
        for i in range(TRIES)
    ]
    assert set(statuses) == {201, 429}
    assert LIMIT <= statuses.count(201) <= LIMIT + 1, statuses
    assert statuses[-2:] == [429, 429]
