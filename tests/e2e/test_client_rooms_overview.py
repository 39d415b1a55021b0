"""The facilitator sees every breakout room at once (issue 17): who is online in each, edits
in the last minute, note counts, a thumbnail of each board, a call for help on top; one
click enters a room, one room gets more time alone, and after the round the same view
shows what each room wrote. In en at 1400x900, fi on a 1920x1080 Lab display, sv on a phone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import YClient, eventually

from .conftest import Pages, local
from .test_client_accessibility import serious_violations

SHOTS = Path("/tmp/shots-overview")


async def show(pages: Pages, page: Any, name: str) -> None:
    keep(await pages.shot(page, name), name)


def keep(shot: Path, name: str) -> None:
    """A copy of the screenshot where people look at this feature's pictures."""
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(shot, SHOTS / f"{name}.png")


def add_note(client: YClient, key: str, text: str, x: float, y: float) -> None:
    client.doc.get("notes", type=Map)[key] = note_map(
        text, author="a", author_name="A", at=0, x=x, y=y
    )


async def open_overview(
    page: Any, tab: str, button: str, *, help_call: bool = True, phone: bool = False
) -> Any:
    if help_call:  # its pop-up is dismissed: the overview shows the call
        await page.get_by_test_id("help-popup").locator(".popup-dismiss").click()
    if phone:
        await page.locator(".sheet-toggle").click()
    await page.get_by_test_id("tab-breakouts").click()
    await page.get_by_role("button", name=button).click()
    dialog = page.get_by_role("dialog", name=re.compile(tab))
    await expect(dialog).to_be_visible()
    return dialog


async def test_every_room_at_a_glance_help_first_one_click_in_and_the_harvest_after(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Trios", language="en")
    people = [s.join(f"Person {i}") for i in range(6)]
    body = {"strategy": "random", "rooms": 3, "seed": 3, "closing_ms": 0, "duration_ms": 900_000}
    s.ok("POST", "/breakouts", body=body)
    first, second, third = s.ok("POST", "/breakouts/r1/open")["rooms"]
    by_id = {p["participant_id"]: p for p in people}
    # Room 1 is busy, room 2 has one person in it and nothing written, room 3 calls for help.
    writer = by_id[first["members"][0]]
    busy = await s.open(first["board"], writer["token"])
    add_note(busy, "a", "Mentoring across agencies", 0, 0)
    add_note(busy, "b", "Shadow a newcomer for a day", 220, 0)
    add_note(busy, "c", "Monthly trio coffee", 0, 160)
    sitter = by_id[second["members"][0]]
    await s.open(second["board"], sitter["token"])
    s.ok("POST", "/breakouts/r1/help", by_id[third["members"][0]]["token"])

    fac = await pages.new("en", 1400, 900, inject=True)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    dialog = await open_overview(fac, "all rooms", "Show all rooms")
    cards = dialog.get_by_test_id("overview-room")
    await expect(cards).to_have_count(3)
    # The call for help is on top.
    await expect(cards.first).to_have_attribute("data-board", third["board"])
    await expect(cards.first.get_by_test_id("overview-help")).to_have_text("Asks for help")
    room1 = dialog.locator(f'[data-board="{first["board"]}"]')
    await expect(room1.get_by_test_id("overview-notes")).to_have_text("3 notes")
    await expect(room1.get_by_test_id("overview-edits")).to_have_text(
        re.compile(r"^[1-9]\d* edits in the last minute$")
    )
    await expect(room1.get_by_test_id("overview-thumbnail")).to_have_attribute("data-notes", "3")
    online = room1.locator('[data-online="yes"]')
    await expect(online).to_have_text([re.compile(writer["name"])])
    room2 = dialog.locator(f'[data-board="{second["board"]}"]')
    await expect(room2.get_by_test_id("overview-notes")).to_have_text("0 notes")
    await expect(room2.get_by_test_id("overview-edits")).to_have_text("0 edits in the last minute")
    await expect(room2.locator('[data-online="yes"]')).to_have_text([re.compile(sitter["name"])])
    room3 = dialog.locator(f'[data-board="{third["board"]}"]')
    await expect(room3.locator('[data-online="yes"]')).to_have_count(0)
    # Live: a new note in room 1 shows up on the open overview.
    add_note(busy, "d", "Ask the old hands", 220, 160)
    await expect(room1.get_by_test_id("overview-notes")).to_have_text("4 notes")
    await expect(room1.get_by_test_id("overview-thumbnail")).to_have_attribute("data-notes", "4")
    await show(pages, fac, "01-overview-en-1400x900")
    assert not await serious_violations(fac)

    # More time for room 2 alone: only its end moves.
    await room2.get_by_test_id("overview-more-time").click()
    await expect(fac.get_by_test_id("live")).to_have_text("The room got 5 more minutes.")
    round_now = await s.open("control")
    value = round_now.doc.get("breakouts", type=Map).to_py()["round"]
    ends = {r["id"]: r["ends_at"] for r in value["rooms"]}
    assert ends[second["id"]] - ends[first["id"]] == 300_000

    # "Broadcast" reaches every room.
    await dialog.get_by_role("textbox", name="Message to every room").fill("Ten minutes left")
    await dialog.get_by_test_id("overview-broadcast").click()
    await expect(fac.get_by_test_id("live")).to_have_text("Message sent.")

    def last_message() -> Any:
        return round_now.doc.get("breakouts", type=Map).to_py()["round"]["messages"][-1]

    await eventually(lambda: last_message()["text"] == "Ten minutes left", what="the message")
    assert "room" not in last_message(), "to every room, not one"

    # One click enters a room.
    await room1.get_by_test_id("overview-enter").click()
    await expect(dialog).to_have_count(0)
    await expect(fac.get_by_test_id("board-select")).to_have_value(first["board"])

    # The Lab's big screen (fi) and a phone (sv) show the same view.
    big = await pages.new("fi", 1920, 1080)
    await big.goto(local(s.created["facilitator_url"], server.http))
    big_dialog = await open_overview(big, "kaikki huoneet", "Näytä kaikki huoneet")
    await expect(big_dialog.get_by_test_id("overview-help")).to_have_text("Pyytää apua")
    await expect(
        big_dialog.locator(f'[data-board="{first["board"]}"]').get_by_test_id("overview-notes")
    ).to_have_text("4 lappua")
    await show(pages, big, "02-overview-fi-1920x1080")
    phone = await pages.new("sv", 390, 844, phone=True)
    await phone.goto(local(s.created["facilitator_url"], server.http))
    phone_dialog = await open_overview(phone, "alla rum", "Visa alla rum", phone=True)
    await expect(phone_dialog.get_by_test_id("overview-help")).to_have_text("Ber om hjälp")
    await show(pages, phone, "03-overview-sv-390x844")

    # After the round: each room's outcome, for the harvest.
    s.ok("POST", "/breakouts/r1/close")
    await expect(fac.get_by_test_id("overview-open")).to_have_text("Show what the rooms wrote")
    harvest = await open_overview(fac, "all rooms", "Show what the rooms wrote", help_call=False)
    outcome = harvest.locator(f'[data-board="{first["board"]}"]').get_by_test_id("overview-outcome")
    await expect(outcome).to_contain_text("Monthly trio coffee")
    await expect(harvest.get_by_test_id("overview-help")).to_have_count(0)
    await show(pages, fac, "04-harvest-en-1400x900")
    await (
        harvest.locator(f'[data-board="{first["board"]}"]').get_by_test_id("overview-enter").click()
    )
    await expect(fac.get_by_test_id("board-select")).to_have_value(first["board"])
    await s.close_all()
