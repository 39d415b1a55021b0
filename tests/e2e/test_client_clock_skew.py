"""A laptop whose clock is minutes off still shows a timer's time left by the server's
clock: the client measures the offset with GET /api/time and counts `ends_at` down from
the server's now (client/src/lib/clock.ts), not from its own."""

from __future__ import annotations

import re
import time

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

# The page's Date.now() runs this many ms ahead of (or behind) the real time.
SKEWED_CLOCK = """
(() => {
  const real = Date.now.bind(Date)
  Date.now = () => real() + %d
})()
"""
SKEW_MS = 7 * 60_000
# A ten-minute timer just started, by the server's clock: not 17 or 3 minutes.
NEAR_TEN_MINUTES = re.compile(r"^(10:00|9:[0-5]\d)$")


async def test_a_browser_whose_clock_is_off_counts_down_the_servers_time(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Kello")
    people = []
    for skew in (-SKEW_MS, SKEW_MS):
        page = await pages.new("en")
        await page.add_init_script(SKEWED_CLOCK % skew)
        await join_as_participant(page, local(s.created["participant_url"], server.http), "Pia")
        page_skew = await page.evaluate("Date.now()") - time.time() * 1000
        assert abs(page_skew - skew) < 30_000, "the page's clock is off as the test set it"
        people.append(page)

    s.ok("POST", "/timers", body={"duration_ms": 10 * 60_000, "label": "Pairs"})  # it runs
    for page in people:
        shown = page.locator("header.topbar").get_by_test_id("timer")
        await expect(shown).to_have_class(re.compile(r"\brunning\b"))  # not its idle 10:00
        await expect(shown.get_by_test_id("timer-digits")).to_have_text(NEAR_TEN_MINUTES)
    await pages.shot(people[0], "behind-seven-minutes")
