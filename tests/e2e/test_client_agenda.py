"""The agenda and its timer as each person reads them: an item from a template is titled
in the viewer's language on the board and on the Lab display (the timer's label too), and
the five-minute milestone is announced to screen readers when the facilitator takes time
away across it."""

from __future__ import annotations

import re

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

TEN_MINUTES = re.compile(r"^(10:00|9:\d\d)$")


async def test_agenda_titles_follow_the_viewers_language(server: PajaServer, pages: Pages) -> None:
    # An English session from a template; people read it in Finnish and Swedish.
    s = Session.create(server, "Kehityspolku", template="development-path", language="en")
    fac = await pages.new("en", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    readers = {}
    for name, lang in [("Pia", "fi"), ("Olli", "sv")]:
        p = await pages.new(lang)
        await join_as_participant(p, local(s.created["participant_url"], server.http), name)
        readers[lang] = p
    display = await pages.new("sv", 1920, 1080)
    await display.goto(local(s.created["display_url"], server.http))

    # The facilitator begins the agenda: its first item, with its ten-minute timer.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.get_by_role("button", name="Begin").click()
    await expect(fac.get_by_test_id("agenda-now")).to_contain_text("Welcome")
    await expect(fac.get_by_test_id("timer-label").first).to_have_text("Welcome")
    for lang, title in [("fi", "Tervetuloa"), ("sv", "Välkommen")]:
        page = readers[lang]
        await expect(page.get_by_test_id("agenda-now")).to_contain_text(title)
        await expect(page.get_by_test_id("timer-label")).to_have_text(title)
        await expect(page.get_by_test_id("timer-digits")).to_have_text(TEN_MINUTES)
    await expect(display.get_by_test_id("display-agenda")).to_contain_text("Välkommen")
    big = display.locator(".timer.big")
    await expect(big.get_by_test_id("timer-label")).to_have_text("Välkommen")
    await expect(big.get_by_test_id("timer-digits")).to_have_text(TEN_MINUTES)
    await pages.shot(display, "01-display-sv")
    await pages.shot(readers["fi"], "02-board-fi")

    # The language is the reader's choice, not stored: switching it retitles at once.
    pia = readers["fi"]
    await pia.locator("label.lang select").select_option("en")
    await expect(pia.get_by_test_id("agenda-now")).to_contain_text("Welcome")
    await expect(pia.get_by_test_id("timer-label")).to_have_text("Welcome")

    # The next item moves every screen on, each in its own language.
    await fac.get_by_role("button", name="Next item").click()
    await expect(readers["sv"].get_by_test_id("agenda-now")).to_contain_text("Bli intresserad")
    await expect(readers["sv"].get_by_test_id("timer-label")).to_have_text("Bli intresserad")
    await expect(display.get_by_test_id("display-agenda")).to_contain_text("Bli intresserad")
    await expect(pia.get_by_test_id("timer-label")).to_have_text("Get interested")


async def test_the_five_minute_mark_is_announced(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Viisi minuuttia")
    me = await pages.new("fi")
    await join_as_participant(me, local(s.created["participant_url"], server.http), "Kaisa")

    # The facilitator starts a timer of a little under six minutes in the timer panel ...
    fac = await pages.new("en", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    await fac.get_by_test_id("tab-timer").click()
    await fac.get_by_label("Minutes").fill("5.9")
    await fac.get_by_label("Label (optional)").fill("Kahvi")
    await fac.get_by_role("button", name="Start timer").click()
    await expect(me.get_by_test_id("timer-digits")).to_have_text(re.compile(r"^5:[3-5]\d$"))
    await expect(me.get_by_test_id("timer-label")).to_have_text("Kahvi")
    # ... and takes a minute away: the participant's screen crosses five minutes left.
    await fac.get_by_role("button", name="−1 min").click()
    await expect(me.get_by_test_id("live")).to_have_text("Viisi minuuttia jäljellä.")
    await expect(me.locator(".toast", has_text="Viisi minuuttia jäljellä.")).to_be_visible()
    await expect(me.get_by_test_id("timer-digits")).to_have_text(re.compile(r"^4:[3-5]\d$"))
    await pages.shot(me, "five-minutes-left")
