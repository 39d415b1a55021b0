"""axe-core finds no serious or critical WCAG 2.1 A/AA violation on any page, in Finnish
and in English: start, join, board (participant), facilitator controls, Lab display."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import expect

from support.processes import PajaServer

from .conftest import Pages, local, serious_violations

PANELS = [
    "share",
    "agenda",
    "timer",
    "breakouts",
    "vote",
    "poll",
    "private",
    "boards",
    "people",
    "summaries",
    "admin",
]


@pytest.mark.parametrize("lang", ["fi", "en"])
async def test_every_page_passes_axe(server: PajaServer, pages: Pages, lang: str) -> None:
    found: dict[str, list[str]] = {}

    start = await pages.new(lang, inject=True)
    await start.goto(server.http + "/")
    await expect(start.locator("#title")).to_be_visible()
    found["start"] = await serious_violations(start)
    await pages.shot(start, f"{lang}-start")

    s = server.create_session("Saavutettavuus", template="development-path")
    fac = await pages.new(lang, inject=True)
    # what the start page would have remembered in the facilitator's browser
    links = {"participant_url": s["participant_url"], "display_url": s["display_url"]}
    await fac.add_init_script(f"localStorage.setItem('paja:f:{s['id']}', '{json.dumps(links)}')")
    await fac.goto(local(s["facilitator_url"], server.http))
    await expect(fac.get_by_test_id("canvas")).to_be_visible()

    join = await pages.new(lang, inject=True)
    await join.goto(local(s["participant_url"], server.http) + "&ask=org,kind")
    await expect(join.locator("#name")).to_be_visible()
    found["join"] = await serious_violations(join)
    await pages.shot(join, f"{lang}-join")
    await join.locator("#name").fill("Aino")
    await join.locator("#org").fill("VM")
    await join.locator("input[value=newcomer]").check()
    await join.locator("form button[type=submit]").click()
    await expect(join.get_by_test_id("canvas")).to_be_visible()
    await join.get_by_test_id("new-note").click()
    await expect(join.locator("textarea.note-editor")).to_be_focused()
    await join.keyboard.type("Saavutettava lappu")
    await join.keyboard.press("Escape")
    await expect(join.locator(".note")).to_have_count(1)
    found["board"] = await serious_violations(join)
    await pages.shot(join, f"{lang}-board")

    # The facilitator's panels, each with its forms; with a draft round, a vote and a poll.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.locator(".agenda-list button").first.click()
    await expect(fac.get_by_test_id("timer").first).to_be_visible()
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.get_by_test_id("breakout-preview").click()
    await expect(fac.get_by_test_id("round")).to_be_visible()
    await fac.get_by_test_id("tab-vote").click()
    await fac.get_by_test_id("vote-start").click()
    await expect(fac.get_by_test_id("vote-card")).to_be_visible()
    for tab in PANELS:
        await fac.get_by_test_id(f"tab-{tab}").click()
        found[f"facilitator/{tab}"] = await serious_violations(fac)
    await fac.get_by_test_id("tab-breakouts").click()
    await pages.shot(fac, f"{lang}-facilitator")

    # The participant while voting, and with a poll to answer.
    await expect(join.get_by_test_id("vote-bar")).to_be_visible()
    found["board/voting"] = await serious_violations(join)
    await fac.get_by_test_id("tab-poll").click()
    await fac.locator("#poll-q").fill("Mitä opit?")
    await fac.get_by_label("Kind" if lang == "en" else "Tyyppi").select_option("text")
    await fac.get_by_test_id("poll-start").click()
    await expect(join.get_by_test_id("poll-form")).to_be_visible()
    found["board/poll"] = await serious_violations(join)
    await pages.shot(join, f"{lang}-poll")

    display = await pages.new(lang, 1920, 1080, inject=True)
    await display.goto(local(s["display_url"], server.http) + f"&join={s['join_secret']}")
    await expect(display.locator(".note")).to_have_count(1)
    found["display"] = await serious_violations(display)
    await pages.shot(display, f"{lang}-display")

    bad = {page: v for page, v in found.items() if v}
    assert not bad, f"axe found serious or critical violations: {bad}"
