"""A facilitator in any browser re-issues the Lab display link or the bot token: tokens are
stored only as hashes, so a new one is how they see it, and the old one stops working at
once on every instance of a deployment (its open sockets close, 4401)."""

from __future__ import annotations

import httpx

from support.commands import Session
from support.processes import PajaServer
from support.redis import RedisServer, deployment


async def test_a_new_display_link_closes_the_old_one(server: PajaServer) -> None:
    s = Session.create(server, "Labra")
    old = s.created["observer_token"]
    extra = s.ok("POST", "/observers")["token"]  # a second Lab screen
    screens = [await s.open("main", old), await s.open("control", extra)]
    pia = s.join("Pia")
    assert s.call("POST", "/links/display/rotate", pia["token"]).status_code == 403
    assert s.call("POST", "/links/display/rotate", old).status_code == 403
    assert s.call("POST", "/links/elsewhere/rotate").status_code == 404

    made = s.ok("POST", "/links/display/rotate")
    server.remember_secrets(made)
    new = made["observer_token"]
    assert made["display_url"] == f"{server.http}/d/{s.id}#token={new}"
    for screen in screens:
        assert await screen.wait_closed(5) == 4401
    for token in (old, extra):
        again = await s.open("main", token, synced=False)
        assert await again.wait_closed() == 4401
    assert s.call("GET", "/summary", old).status_code == 401
    display = await s.open("main", new)
    assert s.call("GET", "/summary", new).status_code == 200
    # the facilitator and the people are untouched
    assert s.call("GET", "").status_code == 200
    assert s.call("GET", "/summary", pia["token"]).status_code == 403, "not 401: Pia is in"
    assert not display.closed.is_set()
    await s.close_all()


async def test_a_new_bot_token_revokes_the_old_one(server: PajaServer) -> None:
    s = Session.create(server, "Botti")
    old = s.created["bot_token"]
    bot_socket = await s.open("control", old)
    made = s.ok("POST", "/links/bot/rotate")
    server.remember_secrets(made)
    assert set(made) == {"bot_token"}
    assert await bot_socket.wait_closed(5) == 4401
    assert s.call("GET", "/summary", old).status_code == 401
    assert s.call("GET", "/summary", made["bot_token"]).status_code == 200
    display = await s.open("control", s.created["observer_token"])
    assert not display.closed.is_set(), "the display link is another link"
    await s.close_all()


def test_a_link_reissued_on_one_instance_is_revoked_on_every_instance(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    first, second = deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = Session.create(first)
    old = s.created["bot_token"]
    summary = f"{second.http}/api/sessions/{s.id}/summary"
    assert httpx.get(summary, headers={"Authorization": f"Bearer {old}"}).status_code == 200
    made = s.ok("POST", "/links/bot/rotate")
    first.remember_secrets(made)
    assert httpx.get(summary, headers={"Authorization": f"Bearer {old}"}).status_code == 401
    fresh = {"Authorization": f"Bearer {made['bot_token']}"}
    assert httpx.get(summary, headers=fresh).status_code == 200
