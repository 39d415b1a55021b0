"""The browser when the server refuses it: removed (4403), session deleted (4404), a link
that is not valid (4401). Each shows its own banner, and the page stops retrying."""

from __future__ import annotations

import asyncio
from typing import Any

from playwright.async_api import expect

from support.commands import Session, section
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

# Long enough for several of the stock provider's reconnects (its first back-off is
# 100 ms, doubling): a page that loops would open more sockets in it.
RETRY_WINDOW = 3.0


async def join(pages: Pages, server: PajaServer, s: Session, name: str) -> tuple[Any, list[Any]]:
    """A person joins in a browser; the list collects every socket the page opens."""
    page = await pages.new("en")
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))
    await join_as_participant(page, local(s.created["participant_url"], server.http), name)
    await expect(page.get_by_test_id("canvas")).to_have_attribute("aria-busy", "false")
    return page, sockets


async def stops_retrying(sockets: list[Any]) -> None:
    """Once refused, the page opens no socket again."""
    before = len(sockets)
    await asyncio.sleep(RETRY_WINDOW)
    assert len(sockets) == before, [ws.url for ws in sockets[before:]]


async def test_removed_deleted_and_bad_link_each_say_so_and_stop(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Suljettu", language="en")
    pia, pia_sockets = await join(pages, server, s, "Pia")
    olli, olli_sockets = await join(pages, server, s, "Olli")

    # The facilitator removes Pia: her board says she has no access, and it stays so.
    control = await s.open("control")
    roster = section(control, "roster")
    [pia_id] = [pid for pid, person in roster.items() if person["name"] == "Pia"]
    s.ok("DELETE", f"/participants/{pia_id}")
    await expect(pia.get_by_test_id("conn-banner").first).to_have_text(
        "You no longer have access to this board."
    )
    await stops_retrying(pia_sockets)
    await expect(olli.get_by_test_id("conn-banner")).to_have_count(0)

    # The session is deleted: Olli is told it does not exist any more.
    await s.close_all()
    assert s.call("DELETE", "").status_code == 204
    await expect(olli.get_by_test_id("conn-banner").first).to_have_text(
        "This session or board does not exist any more."
    )
    await stops_retrying(olli_sockets)
    await pages.shot(olli, "deleted")

    # A link with a token the server never gave.
    other = Session.create(server, "Toinen", language="en")
    stranger = await pages.new("en")
    sockets: list[Any] = []
    stranger.on("websocket", lambda ws: sockets.append(ws))
    await stranger.goto(f"{server.http}/s/{other.id}#token=not-a-token")
    await expect(stranger.get_by_test_id("conn-banner").first).to_have_text(
        "This link is no longer valid. Ask the facilitator for a new one."
    )
    await stops_retrying(sockets)
