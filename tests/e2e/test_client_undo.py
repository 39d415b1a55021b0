"""Undo takes back only the person's own edits: a note someone else wrote before or after
stays; redo brings the person's own edit back, on every screen."""

from __future__ import annotations

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, join_as_participant, local
from .test_client_keyboard import focused_note


async def test_undo_never_reverts_another_persons_edit_and_redo_restores(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Kumoa", language="en")
    olli = await s.open("main", s.join("Olli")["token"])
    notes = olli.doc.get("notes", type=Map)

    pia = await pages.new("en")
    await join_as_participant(pia, local(s.created["participant_url"], server.http), "Pia")
    await expect(pia.get_by_test_id("canvas")).to_have_attribute("aria-busy", "false")

    notes["before"] = note_map("Olli first", author="o", author_name="Olli", at=1, x=400)
    await expect(pia.locator("[data-note=before]")).to_have_count(1)
    await pia.get_by_test_id("canvas").focus()
    await pia.keyboard.press("n")
    await expect(pia.locator("textarea.note-editor")).to_be_focused()
    await pia.keyboard.press("Escape")
    mine = await focused_note(pia)
    assert mine, "the new note has the focus"
    await eventually(lambda: mine in olli.notes(), what="Pia's note at Olli's")
    notes["after"] = note_map("Olli later", author="o", author_name="Olli", at=2, x=800)
    await expect(pia.locator("[data-note=after]")).to_have_count(1)

    await pia.keyboard.press("Control+z")
    await expect(pia.locator(f"[data-note='{mine}']")).to_have_count(0)
    await eventually(lambda: mine not in olli.notes(), what="the undo at Olli's")
    assert {"before", "after"} <= set(olli.notes()), "Olli's notes stay"
    await expect(pia.locator("[data-note=before], [data-note=after]")).to_have_count(2)

    await pia.get_by_test_id("canvas").focus()
    await pia.keyboard.press("Control+Shift+z")
    await expect(pia.locator(f"[data-note='{mine}']")).to_have_count(1)
    await eventually(lambda: mine in olli.notes(), what="the redo at Olli's")
    assert {"before", "after"} <= set(olli.notes())
    await s.close_all()
