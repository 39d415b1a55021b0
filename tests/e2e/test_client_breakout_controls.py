"""A facilitator runs a round from the Breakouts tab: moves a person to another room in the
preview, opens the rooms, sends every room a message and adds five minutes; the people
land in their rooms and read the message, and the Lab display counts the round down by
the server's end time."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from support.commands import Session, current_round, section
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, join_as_participant, local

TEN_MINUTES = re.compile(r"^(10:00|9:[0-5]\d)$")
FIFTEEN_MINUTES = re.compile(r"^(15:00|14:[0-5]\d)$")


def room_of(round_: dict[str, Any] | None, person: str) -> dict[str, Any]:
    return next(r for r in (round_ or {})["rooms"] if person in r["members"])


async def test_a_move_a_message_and_more_time_from_the_breakouts_tab(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Ryhmät", language="en")
    fac = await pages.new("en", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    display = await pages.new("en", 1920, 1080)
    await display.goto(local(s.created["display_url"], server.http))
    people = {}
    for name in ("Pia", "Olli", "Sara"):
        people[name] = await pages.new("en")
        await join_as_participant(
            people[name], local(s.created["participant_url"], server.http), name
        )
    control = await s.open("control", s.created["observer_token"])
    await eventually(lambda: len(section(control, "roster")) == 3, what="three people")
    pia = next(pid for pid, p in section(control, "roster").items() if p["name"] == "Pia")

    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, "duration_ms": 600_000})
    await eventually(lambda: current_round(control) is not None, what="the draft")
    before = room_of(current_round(control), pia)
    other = next(r for r in (current_round(control) or {})["rooms"] if r["id"] != before["id"])

    # The preview: Pia is moved with the menu next to her name.
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.get_by_label("Move Pia to").select_option(other["id"])
    await eventually(
        lambda: room_of(current_round(control), pia)["id"] == other["id"], what="Pia moved"
    )
    await pages.shot(fac, "01-preview-after-the-move")

    await fac.get_by_test_id("breakout-open").click()
    await expect(people["Pia"].get_by_test_id("board-select")).to_have_value(other["board"])
    digits = display.get_by_test_id("display-round").locator(".timer-digits")
    await expect(digits).to_have_text(TEN_MINUTES)
    await eventually(
        lambda: (current_round(control) or {}).get("state") == "open", what="the round open"
    )
    opened = current_round(control) or {}

    # A message to every room, typed in the tab.
    await fac.get_by_label("Message to every room").fill("Write down your two best ideas")
    await fac.get_by_role("button", name="Send", exact=True).click()
    for page in people.values():
        popup = page.get_by_test_id("message-popup")
        await expect(popup).to_contain_text("Write down your two best ideas")
    await pages.shot(people["Pia"], "02-message-in-the-room")

    # Five more minutes: the round's end moves, and the display counts from it.
    await fac.get_by_role("button", name="Add 5 minutes for every room").click()
    await eventually(
        lambda: (current_round(control) or {}).get("ends_at") == opened["ends_at"] + 300_000,
        what="the end five minutes later",
    )
    await expect(digits).to_have_text(FIFTEEN_MINUTES)
    await pages.shot(display, "03-display-countdown")
    await s.close_all()
