"""A facilitator in any browser re-issues the Lab display link or the bot token: tokens are
stored only as hashes, so a new one is how they see it, and the old one stops working at
once on every instance of a deployment (its open sockets close, 4401, on each). And the
Lab display is pinned to a board, and unpinned, by a facilitator alone."""

from __future__ import annotations

import httpx
import pytest
import redis

from server.bus.wire import SOCKETS_CLOSED, encode
from server.redisdb import Keys
from support.commands import Session, section
from support.processes import PajaServer
from support.redis import RedisServer, deployment
from support.yclient import eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session


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


def hostile_orders(session_id: str) -> list[bytes]:
    """Orders to close the session's display sockets that no instance sends: a close code
    that is not a refusal, an overlong reason, too few fields, a reason not in UTF-8."""
    sid = session_id.encode()
    orders = [
        (sid, b"", b"observer", b"1000", b"bye"),
        (sid, b"", b"observer", b"4401", b"x" * 300),
        (sid, b"", b"observer"),
        (sid, b"", b"observer", b"4401", b"\xff"),
    ]
    return [encode(SOCKETS_CLOSED, "hostile-peer-000", *fields) for fields in orders]


async def test_a_display_reissued_on_one_instance_closes_its_sockets_on_every_instance(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    """The old Lab screen kept reading the board through another instance until it
    reconnected, until that instance was told."""
    first, second = deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = Session.create(first, "Labra")
    old = s.created["observer_token"]
    screens = [await s.open("main", old, via=second), await s.open("control", old, via=second)]
    bot = await s.open("main", s.created["bot_token"], via=second)
    facilitator = await s.open("main", via=second)
    hostile = hostile_orders(s.id)
    with redis.Redis(port=redis_server.port) as bus:
        for body in hostile:
            assert bus.publish(Keys.socket_orders(), body) == 2
    ignored = "ignored a malformed bus message"
    await eventually(lambda: second.log().count(ignored) >= len(hostile), what="all ignored")
    assert not any(screen.closed.is_set() for screen in screens), "no order was taken"
    first.remember_secrets(s.ok("POST", "/links/display/rotate"))
    for screen in screens:
        assert await screen.wait_closed(10) == 4401
    assert not bot.closed.is_set() and not facilitator.closed.is_set(), "another role's"
    await s.close_all()


async def test_the_display_is_pinned_to_a_board_by_a_facilitator(server: PajaServer) -> None:
    s = Session.create(server, "Polku", template="development-path")
    watcher = await s.open("control", s.created["observer_token"])
    boards = section(watcher, "boards")
    board = next(name for name, b in boards.items() if b["kind"] == "board")
    pia = s.join("Pia")
    assert s.call("PATCH", "", pia["token"], {"display_board": board}).status_code == 403
    assert s.call("PATCH", "", body={"display_board": "no-such-board"}).status_code == 404

    pinned = s.ok("PATCH", "", body={"display_board": board})
    assert pinned["display_board"] == board
    await eventually(lambda: section(watcher, "session").get("display_board") == board)
    # renaming leaves the pin alone; null unpins
    s.ok("PATCH", "", body={"title": "Polku 2"})
    assert section(watcher, "session").get("display_board") == board
    s.ok("PATCH", "", body={"display_board": None})
    await eventually(lambda: section(watcher, "session").get("display_board") is None)

    # a breakout room is not the display's to show
    s.join("Olli")
    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 1})
    refused = s.call("PATCH", "", body={"display_board": "breakout-1"})
    assert refused.status_code == 422, refused.text
    await s.close_all()
