"""Double-click as people who know MURAL or Miro expect it: on an existing note it edits that
note (the text typed next goes into it), on a section's title it renames the section, and
only on empty canvas does it make a new note."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from support.commands import Session
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

SCREENS = [
    ("fi", 1400, 900, "Uusi alue"),
    ("sv", 1920, 1080, "Nytt område"),
    ("en", 390, 844, "New section"),
]


async def joined(
    pages: Pages, server: PajaServer, s: Session, name: str, lang: str, width: int, height: int
) -> Any:
    page = await pages.new(lang, width, height, phone=width < 820)
    await join_as_participant(page, local(s.created["participant_url"], server.http), name)
    return page


@pytest.mark.parametrize(("lang", "width", "height", "new_section"), SCREENS)
async def test_double_click_edits_what_is_under_the_pointer(
    server: PajaServer, pages: Pages, lang: str, width: int, height: int, new_section: str
) -> None:
    s = Session.create(server, "Tuplaklikkaus")
    me = await joined(pages, server, s, "Pia", lang, width, height)
    notes = me.locator(".note")
    editor = me.locator("textarea.note-editor")

    # Empty canvas: a double click makes a note there, ready for typing.
    await me.get_by_test_id("canvas").dblclick(position={"x": 300, "y": 300})
    await expect(editor).to_be_focused()
    await me.keyboard.type("Ensimmäinen")
    await me.keyboard.press("Escape")
    await expect(editor).to_have_count(0)
    await expect(notes).to_have_count(1)

    # On the note: its editor opens, no new note appears, and typing goes into it.
    await notes.first.locator(".note-text").dblclick()
    await expect(notes.first.locator("textarea.note-editor")).to_be_focused()
    await me.keyboard.type(" ajatus")
    await me.keyboard.press("Escape")
    await expect(notes).to_have_count(1)
    await expect(notes.first.locator(".note-text")).to_have_text("Ensimmäinen ajatus")
    await pages.shot(me, f"01-note-edited-{lang}-{width}")

    # A section's title renames the section; its body is still room for a new note.
    await me.get_by_role("button", name=new_section).click()
    rename = me.locator("input.section-title-input")
    await expect(rename).to_be_focused()
    await me.keyboard.press("Escape")
    await expect(rename).to_have_count(0)
    head = me.locator(".section-head")
    await head.dblclick()
    await expect(rename).to_be_focused()
    await rename.fill("Ideat")
    await me.keyboard.press("Enter")
    await expect(head).to_have_text("Ideat")
    await expect(notes).to_have_count(1)
    box = await me.locator(".section").bounding_box()
    assert box is not None
    await me.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + box["height"] - 40)
    await expect(editor).to_be_focused()
    await me.keyboard.type("Alueen sisällä")
    await me.keyboard.press("Escape")
    await expect(notes).to_have_count(2)
    await expect(me.locator(".note", has_text="Alueen sisällä")).to_be_visible()
    await pages.shot(me, f"02-section-renamed-{lang}-{width}")
