"""One timer everyone sees (issue 13, item 2): the agenda item's timer, then a coffee break
started from the Timer tab, then a short timer. Every screen shows the timer started last,
the facilitator's controls act on that one, and when it ends every screen says "Time's up"
under its own label (a paused timer does not hide it), aloud and — where sound is on,
by default for the facilitator and the Lab display — with a chime."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

# Counts the notes the page's Web Audio plays: the chime is generated, so its oscillators
# starting is the sound being made (headless Chromium has no speakers to listen to).
COUNT_CHIMES = """
window.__notes = 0
const start = OscillatorNode.prototype.start
OscillatorNode.prototype.start = function (...args) {
  window.__notes += 1
  return start.apply(this, args)
}
"""


WELCOME = re.compile("^(Welcome|Tervetuloa)$")


async def notes_played(page: Any) -> int:
    return int(await page.evaluate("window.__notes"))


async def test_every_screen_shows_the_timer_started_last_and_its_end(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Kehityspolku", template="development-path", language="en")
    fac = await pages.new("en", 1400, 900)
    await fac.add_init_script(COUNT_CHIMES)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    display = await pages.new("en", 1920, 1080)
    await display.add_init_script(COUNT_CHIMES)
    await display.goto(local(s.created["display_url"], server.http))
    phone = await pages.new("fi", 390, 844)
    await phone.add_init_script(COUNT_CHIMES)
    await join_as_participant(phone, local(s.created["participant_url"], server.http), "Pia")
    # sound: on for the facilitator and the display, off for participants, each a toggle
    await expect(fac.get_by_test_id("sound-toggle")).to_be_checked()
    await expect(display.get_by_test_id("sound-toggle")).to_be_checked()
    await expect(phone.get_by_test_id("sound-toggle")).not_to_be_checked()

    top = fac.locator("header.topbar").get_by_test_id("timer")
    panel = fac.locator("#side-panel").get_by_test_id("timer")
    big = display.locator(".timer.big")
    mine = phone.locator("header.topbar").get_by_test_id("timer")
    screens = [top, big, mine]

    # The agenda begins: its item's timer is the session's timer.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.get_by_role("button", name="Begin").click()
    for timer in screens:
        await expect(timer.get_by_test_id("timer-label")).to_have_text(WELCOME)

    # A coffee break from the Timer tab is started later: every screen shows it now.
    await fac.get_by_test_id("tab-timer").click()
    await fac.get_by_label("Minutes").fill("5")
    await fac.get_by_label("Label (optional)").fill("Kahvitauko")
    await fac.get_by_role("button", name="Start timer").click()
    for timer in [*screens, panel]:
        await expect(timer.get_by_test_id("timer-label")).to_have_text("Kahvitauko")
    await pages.shot(fac, "01-coffee-facilitator")

    # Pause acts on the timer shown: the coffee break pauses on every screen.
    await fac.get_by_role("button", name="Pause").click()
    for timer in [*screens, panel]:
        await expect(timer).to_have_class(re.compile(r"\bpaused\b"))
        await expect(timer.get_by_test_id("timer-label")).to_have_text("Kahvitauko")
    await pages.shot(display, "02-coffee-paused-display")

    # A short timer is started and ends: its own label and "Time's up" everywhere, although
    # the coffee break is paused (not hidden behind it); a chime where sound is on.
    await fac.get_by_label("Minutes").fill("0.1")
    await fac.get_by_label("Label (optional)").fill("Pairs")
    await fac.get_by_role("button", name="Start timer").click()
    for timer in [*screens, panel]:
        await expect(timer.get_by_test_id("timer-label")).to_have_text("Pairs")
    for timer, said in [(top, "Time's up"), (panel, "Time's up"), (big, "Time's up")]:
        await expect(timer.get_by_test_id("timer-state")).to_have_text(said, timeout=30_000)
    await expect(mine.get_by_test_id("timer-state")).to_have_text("Aika loppui")
    await expect(phone.get_by_test_id("live")).to_have_text("Aika loppui.")
    await expect(fac.get_by_test_id("live")).to_have_text("Time's up.")
    assert await notes_played(fac) > 0 and await notes_played(display) > 0
    assert await notes_played(phone) == 0, "participants hear nothing unless they turn it on"
    await pages.shot(fac, "03-times-up-facilitator")
    await pages.shot(display, "04-times-up-display")
    await pages.shot(phone, "05-times-up-phone")

    # The ended timer can be started again from the panel, and is the one shown again.
    await fac.get_by_role("button", name="Start again").click()
    await expect(big).to_have_class(re.compile(r"\brunning\b"))
    await expect(big.get_by_test_id("timer-label")).to_have_text("Pairs")
