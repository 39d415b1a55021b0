"""A round where people choose their own breakout room: the facilitator drafts it, each
participant picks a room in their browser, the bar shows how full every room is, a full
room cannot be taken (in the browser, and by the server), and opening the round sends
everyone to the room they chose."""

from __future__ import annotations

import json

from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

PEOPLE = [("Pia", "fi"), ("Olli", "fi"), ("Sara", "en")]


async def test_participants_choose_rooms_within_capacity(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Valitse huone")
    fac = await pages.new("fi", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    people = {}
    for name, lang in PEOPLE:
        p = await pages.new(lang)
        await join_as_participant(p, local(s.created["participant_url"], server.http), name)
        people[name] = p
    pia, olli, sara = people.values()

    # Three rooms for three people, chosen by them: the panel allows two per room.
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.locator("#bo-strategy").select_option("choose")
    await fac.locator("#bo-size").fill("3")
    await fac.get_by_test_id("breakout-preview").click()
    await expect(fac.get_by_test_id("room")).to_have_count(3)
    # Each reads the rooms in their own language: Sara's English UI says "Room".
    word = {p: "Room" if p is sara else "Huone" for p in people.values()}
    for p in people.values():
        bar = p.get_by_test_id("room-chooser")
        await expect(bar.get_by_role("button")).to_have_count(3)
        await expect(bar.get_by_role("button").first).to_have_text(f"{word[p]} 1 (0/2)")
    await expect(sara.get_by_test_id("room-chooser")).to_contain_text("Choose a breakout room")
    await pages.shot(sara, "01-choose-en")

    # Pia and Olli take room 1; the bar counts them on every screen.
    await pia.get_by_role("button", name="Huone 1 (0/2)").click()
    await expect(pia.get_by_test_id("room-chooser")).to_contain_text("Valitsit huoneen Huone 1.")
    await expect(pia.get_by_role("button", name="Huone 1 (1/2)")).to_have_attribute(
        "aria-pressed", "true"
    )
    await olli.get_by_role("button", name="Huone 1 (1/2)").click()
    for p in people.values():
        await expect(p.get_by_role("button", name=f"{word[p]} 1 (2/2)")).to_be_visible()
    await expect(fac.get_by_test_id("room").first).to_contain_text("Pia")
    await expect(fac.get_by_test_id("room").first).to_contain_text("Olli")

    # Room 1 is full: Sara cannot take it in her browser, and the server refuses it too.
    full = sara.get_by_role("button", name="Room 1 (2/2)")
    await expect(full).to_be_disabled()
    await expect(sara.get_by_role("button", name="Room 2 (0/2)")).to_be_enabled()
    creds = json.loads(await sara.evaluate(f"localStorage.getItem('paja:p:{s.id}')"))
    # the session's first round is "r1" (docs/schema.md)
    refused = s.call("POST", "/breakouts/r1/choice", creds["token"], {"room": "breakout-1"})
    assert refused.status_code == 409, refused.text
    # Pia, already in the full room, may still change her mind; that frees a place.
    await expect(pia.get_by_role("button", name="Huone 1 (2/2)")).to_be_enabled()
    await pia.get_by_role("button", name="Huone 2 (0/2)").click()
    await expect(sara.get_by_role("button", name="Room 1 (1/2)")).to_be_enabled()
    await sara.get_by_role("button", name="Room 1 (1/2)").click()
    for p in people.values():
        await expect(p.get_by_role("button", name=f"{word[p]} 1 (2/2)")).to_be_visible()
        await expect(p.get_by_role("button", name=f"{word[p]} 2 (1/2)")).to_be_visible()
        await expect(p.get_by_role("button", name=f"{word[p]} 3 (0/2)")).to_be_visible()
    await pages.shot(sara, "02-chosen-en")

    # The round opens: everyone is in the room they chose, and the bar is gone.
    await fac.get_by_test_id("breakout-open").click()
    for p, board in [(pia, "breakout-2"), (olli, "breakout-1"), (sara, "breakout-1")]:
        await expect(p.get_by_test_id("board-select")).to_have_value(board)
        await expect(p.get_by_test_id("room-banner")).to_be_visible()
        await expect(p.get_by_test_id("room-chooser")).to_have_count(0)
    await expect(sara.get_by_test_id("room-banner")).to_contain_text("with Olli")
    await pages.shot(olli, "03-in-room-fi")
