"""Ending and leaving (issue 13, item 9): "Leave" asks first, and someone who leaves and
comes back in the same browser is the same person; the facilitator ends the session (after
asking) and every screen says so at once, with the summary, its timer stops, and the board
is read-only for participants."""

from __future__ import annotations

import json
import re

from playwright.async_api import expect

from support.commands import Session, section
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, join_as_participant, local, serious_violations


async def test_leaving_asks_first_and_ending_reaches_every_screen(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Päätös", language="en")
    fac = await pages.new("en", 1400, 900, inject=True)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    display = await pages.new("en", 1920, 1080, inject=True)
    await display.goto(local(s.created["display_url"], server.http))
    phone = await pages.new("fi", 390, 844)
    await join_as_participant(phone, local(s.created["participant_url"], server.http), "Pia")
    before = json.loads(await phone.evaluate(f"localStorage.getItem('paja:p:{s.id}')"))

    # Leave asks first; staying changes nothing.
    await phone.get_by_role("button", name="Poistu", exact=True).click()
    await expect(phone.get_by_role("dialog", name="Poistutaanko tilaisuudesta?")).to_be_visible()
    await pages.shot(phone, "00-leave-asks-phone")
    await phone.get_by_role("button", name="Jää").click()
    await expect(phone.get_by_test_id("canvas")).to_be_visible()
    # Leaving and joining again in the same browser: the same person, no second Pia.
    await phone.get_by_role("button", name="Poistu", exact=True).click()
    await phone.get_by_test_id("confirm-yes").click()
    await expect(phone.get_by_test_id("rejoin")).to_have_text("Liity uudelleen nimellä Pia")
    await pages.shot(phone, "00-left-phone")
    await phone.get_by_test_id("rejoin").click()
    await expect(phone.get_by_test_id("canvas")).to_be_visible()
    again = json.loads(await phone.evaluate(f"localStorage.getItem('paja:p:{s.id}')"))
    assert again["participant_id"] == before["participant_id"]
    control = await s.open("control")
    assert [p["name"] for p in section(control, "roster").values()] == ["Pia"]

    # A timer runs; the facilitator ends the session from the Summaries tab, after asking.
    s.ok("POST", "/summaries", body={"author": "Bot", "markdown": "Three ideas to try"})
    s.ok("POST", "/timers", body={"duration_ms": 600_000, "label": "Wrap-up"})
    await expect(display.locator(".timer.big")).to_have_class(re.compile(r"\brunning\b"))
    await fac.get_by_test_id("tab-summaries").click()
    await fac.get_by_test_id("end-session").click()
    await fac.get_by_test_id("confirm-yes").click()

    for page, said in [
        (fac, "This session has ended"),
        (display, "This session has ended"),
        (phone, "Tämä tilaisuus on päättynyt"),
    ]:
        await expect(page.get_by_test_id("session-ended")).to_contain_text(said)
    await expect(phone.get_by_test_id("live")).to_have_text("Tämä tilaisuus on päättynyt")
    # the timer has stopped: no screen counts down any more
    await expect(fac.locator("header.topbar").get_by_test_id("timer")).to_have_count(0)
    await expect(display.locator(".timer.big")).to_have_count(0)
    await eventually(lambda: {t["state"] for t in section(control, "timers").values()} == {"ended"})
    # read-only for the participant: the board says so and offers no new notes
    await expect(phone.locator(".readonly-note")).to_be_visible()
    await expect(phone.get_by_role("button", name="Uusi lappu")).to_have_count(0)
    await expect(fac.get_by_role("button", name="New note")).to_be_enabled()
    await pages.shot(fac, "01-ended-facilitator")
    await pages.shot(display, "02-ended-display")
    assert not await serious_violations(fac) and not await serious_violations(display)
    await pages.shot(phone, "03-ended-phone")
    # the summary is one click away on every screen
    await phone.get_by_test_id("session-ended").get_by_role("button").click()
    await expect(phone.get_by_test_id("summary")).to_contain_text("Three ideas to try")
    await pages.shot(phone, "04-ended-summary-phone")
    await s.close_all()
