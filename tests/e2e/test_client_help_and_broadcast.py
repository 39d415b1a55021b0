"""Help calls and messages to the rooms are hard to miss (issue 13, item 6): a help call
pops up for the facilitator whatever tab is open, is announced and offers "Go to room"; a
broadcast and more time pop up for the people in the rooms, announced and said in words;
each can be dismissed; a help call still open when the round's time is up is cleared."""

from __future__ import annotations

import re

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local, serious_violations


async def test_help_calls_and_broadcasts_pop_up_and_can_be_dismissed(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Trio", language="en")
    fac = await pages.new("en", 1400, 900, inject=True)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    people = {}
    for name, lang, size in [("Pia", "fi", (390, 844)), ("Sara", "en", (1280, 800))]:
        p = await pages.new(lang, *size, inject=True)
        await join_as_participant(p, local(s.created["participant_url"], server.http), name)
        people[name] = p
    pia, sara = people.values()
    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 1, "duration_ms": 600_000})
    s.ok("POST", "/breakouts/r1/open")
    for p in people.values():
        await expect(p.get_by_test_id("room-banner")).to_be_visible()

    # Pia asks for help; the facilitator, on the Invite tab, gets a pop-up and hears it.
    await pia.get_by_role("button", name="Pyydä fasilitaattorilta apua").click()
    popup = fac.get_by_test_id("help-popup")
    await expect(popup).to_contain_text("Room 1 asks for help.")
    await expect(fac.get_by_test_id("live")).to_have_text("Room 1 asks for help.")
    await pages.shot(fac, "01-help-call-facilitator")
    assert not await serious_violations(fac)
    await popup.get_by_role("button", name="Go to room").click()
    await expect(fac.get_by_test_id("board-select")).to_have_value("breakout-1")
    await expect(popup).to_have_count(0)

    # A broadcast pops up in the rooms, announced; each person dismisses their own.
    s.ok("POST", "/breakouts/r1/messages", body={"text": "Two minutes to wrap up"})
    for p in people.values():
        message = p.get_by_test_id("message-popup")
        await expect(message).to_contain_text("Two minutes to wrap up")
    await expect(sara.get_by_test_id("live")).to_have_text("Two minutes to wrap up")
    await pages.shot(pia, "02-broadcast-phone")
    assert not await serious_violations(pia)
    await sara.get_by_test_id("message-popup").get_by_role("button", name="Dismiss").click()
    await expect(sara.get_by_test_id("message-popup")).to_have_count(0)
    await expect(pia.get_by_test_id("message-popup")).to_be_visible()

    # More time, from the facilitator's button, said in words on every screen.
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.get_by_role("button", name="Add 5 minutes for every room").click()
    await expect(sara.get_by_test_id("message-popup")).to_contain_text("5 more minutes")
    await expect(sara.get_by_test_id("live")).to_have_text("5 more minutes")
    await expect(pia.get_by_test_id("message-popup")).to_contain_text("5 minuuttia lisää")
    await expect(pia.get_by_test_id("room-banner")).to_contain_text("5 minuuttia lisää")

    # A call left open when the round's time is up is cleared: the pop-up goes with it.
    await fac.locator(".help-calls").get_by_role("button", name="Done").click()  # Pia's
    await sara.get_by_role("button", name="Ask the facilitator for help").click()
    await expect(fac.get_by_test_id("help-popup")).to_contain_text("Room 1 asks for help.")
    s.ok("POST", "/breakouts/r1/close")
    await expect(fac.get_by_test_id("help-popup")).to_have_count(0)
    closing = re.compile("closing|closed")
    await expect(fac.get_by_test_id("round")).to_have_attribute("data-state", closing)
    await expect(fac.locator(".help-calls")).to_have_count(0)
    await pages.shot(fac, "03-round-closing-facilitator")
