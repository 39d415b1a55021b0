"""Consecutive breakout rounds: a participant who opened round 1's room to harvest it is
taken to main, not back to that room, when round 2 closes (so "You are back on the main
board" is true), and the board list names each room with its round, in every language."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local


async def join(pages: Pages, s: Session, server: PajaServer, name: str, lang: str) -> Any:
    page = await pages.new(lang)
    await join_as_participant(page, local(s.created["participant_url"], server.http), name)
    return page


async def run_round(s: Session, people: list[Any], room: str) -> str:
    """Draft, open and close a round of one room at once; answers its id."""
    drafted = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 1, "closing_ms": 0})
    s.ok("POST", f"/breakouts/{drafted['id']}/open")
    for page in people:
        await expect(page.get_by_test_id("board-select")).to_have_value(room)
    s.ok("POST", f"/breakouts/{drafted['id']}/close")
    return str(drafted["id"])


async def test_after_a_second_round_everyone_is_back_on_main(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Kaksi kierrosta", language="fi")
    pia = await join(pages, s, server, "Pia", "en")
    olli = await join(pages, s, server, "Olli", "sv")
    fac = await pages.new("fi", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))

    # Round 1 closes; Pia opens her room's board to harvest it.
    await run_round(s, [pia, olli], "breakout-1")
    await expect(pia.get_by_test_id("board-select")).to_have_value("main")
    await pia.get_by_role("button", name="Open your room's board").click()
    await expect(pia.get_by_test_id("board-select")).to_have_value("breakout-1")

    # Round 2 opens and closes: Pia lands on main, as the toast says.
    await run_round(s, [pia, olli], "breakout-2")
    await expect(pia.locator(".toast", has_text="You are back on the main board.")).to_be_visible()
    await expect(pia.get_by_test_id("board-select")).to_have_value("main")
    await expect(olli.get_by_test_id("board-select")).to_have_value("main")
    await pages.shot(pia, "01-back-on-main-en")

    # The rooms are named by round: both rounds' "Huone 1" apart in the facilitator's list,
    # a participant's own room of the last round in theirs, each in their language.
    options = fac.get_by_test_id("board-select").locator("option")
    await expect(options.filter(has_text="Kierros 1 · Huone 1")).to_have_count(1)
    await expect(options.filter(has_text="Kierros 2 · Huone 1")).to_have_count(1)
    olli_options = olli.get_by_test_id("board-select").locator("option")
    await expect(olli_options.filter(has_text="Omgång 2 · Rum 1")).to_have_count(1)
    pia_options = pia.get_by_test_id("board-select").locator("option")
    await expect(pia_options.filter(has_text="Round 2 · Room 1")).to_have_count(1)
    await fac.get_by_test_id("board-select").select_option("breakout-1")
    await pages.shot(fac, "02-facilitator-rooms-by-round")
