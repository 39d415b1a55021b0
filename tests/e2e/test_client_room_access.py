"""A participant who leaves a breakout room while the round runs loses its board at once
(the server closes that socket with 4403): the browser follows them to the room control
says is theirs, without an error banner (the provider does not retry a 44xx close)."""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local


async def test_the_browser_follows_a_changed_choice_to_the_new_room(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Huoneet")
    pia = await pages.new("fi")
    await join_as_participant(pia, local(s.created["participant_url"], server.http), "Pia")
    creds = json.loads(await pia.evaluate(f"localStorage.getItem('paja:p:{s.id}')"))

    s.ok("POST", "/breakouts", body={"strategy": "choose", "rooms": 2, "capacity": 2})
    s.ok("POST", "/breakouts/r1/choice", creds["token"], {"room": "breakout-1"})
    s.ok("POST", "/breakouts/r1/open")
    await expect(pia.get_by_test_id("board-select")).to_have_value("breakout-1")
    await expect(pia.get_by_test_id("canvas")).to_be_visible()

    s.ok("POST", "/breakouts/r1/choice", creds["token"], {"room": "breakout-2"})
    await expect(pia.get_by_test_id("board-select")).to_have_value("breakout-2")
    await expect(pia.get_by_test_id("room-banner")).to_be_visible()
    await expect(pia.get_by_test_id("conn-banner")).to_have_count(0)
    await pages.shot(pia, "01-followed-to-room-2")


async def closed_round_with_a_confidential_room(
    server: PajaServer, pages: Pages
) -> tuple[Session, Any]:
    """Pia, back on main after a confidential round in which Olli had breakout-2."""
    s = Session.create(server, "Luottamuksellinen")
    olli = s.join("Olli")
    pia = await pages.new("fi")
    await join_as_participant(pia, local(s.created["participant_url"], server.http), "Pia")
    creds = json.loads(await pia.evaluate(f"localStorage.getItem('paja:p:{s.id}')"))

    body = {"strategy": "choose", "rooms": 2, "capacity": 1, "closing_ms": 0}
    s.ok("POST", "/breakouts", body={**body, "confidential": True})
    s.ok("POST", "/breakouts/r1/choice", creds["token"], {"room": "breakout-1"})
    s.ok("POST", "/breakouts/r1/choice", olli["token"], {"room": "breakout-2"})
    s.ok("POST", "/breakouts/r1/open")
    await expect(pia.get_by_test_id("board-select")).to_have_value("breakout-1")
    s.ok("POST", "/breakouts/r1/close")
    await expect(pia.get_by_test_id("board-select")).to_have_value("main")
    return s, pia


async def test_a_confidential_room_closed_to_a_participant_sends_them_to_main(
    server: PajaServer, pages: Pages
) -> None:
    """Led to a confidential room that is not theirs, a browser does not stop at a
    'not allowed' banner: the server refuses the board (4403) and the page goes to main."""
    s, pia = await closed_round_with_a_confidential_room(server, pages)
    lead = {"mode": "bring", "board": "breakout-2", "x": 0, "y": 0, "zoom": 1}
    s.ok("POST", "/lead", body=lead)
    await expect(pia.get_by_text("Fasilitaattori toi kaikki taululle").first).to_be_attached()
    # refused the room (4403), the page goes back to main: slower on a busy machine
    await expect(pia.get_by_test_id("board-select")).to_have_value("main", timeout=30_000)
    await expect(pia.get_by_test_id("canvas")).to_be_visible()
    await expect(pia.get_by_test_id("conn-banner")).to_have_count(0)
    await pages.shot(pia, "02-back-on-main")


async def test_a_refusal_before_the_page_has_drawn_the_board_still_counts(
    server: PajaServer, pages: Pages
) -> None:
    """The refusal of a board the page has just switched to can arrive before the page's
    effects run: it still sends them to main (it was once reset to 'connecting', and the
    page stayed on the refused room, in about one lead of five). A page left on the room
    stays there, so the next lead's wait for main catches it."""
    s, pia = await closed_round_with_a_confidential_room(server, pages)
    select = pia.get_by_test_id("board-select")
    for x in range(20):
        s.ok(
            "POST",
            "/lead",
            body={"mode": "bring", "board": "breakout-2", "x": x, "y": 0, "zoom": 1},
        )
        await expect(select).to_have_value("main")
    await expect(pia.get_by_test_id("conn-banner")).to_have_count(0)
