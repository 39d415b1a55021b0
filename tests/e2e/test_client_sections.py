"""Sections in the browser, as two people at laptops use them: one draws a section with the
"New section" tool and names it from the keyboard, drags a note into it (the note is filed
under it in the board document), the other moves the section by its title (the filed note
travels with it, the others stay) and the first resizes it by its corner; a note dragged out
is no longer filed, and the next move of the section leaves it where it was dropped. Each
step is read from the board document by a pycrdt client and seen on both screens."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session, section
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import YClient, eventually

from .board_view import centre, doc_at, until_shown
from .conftest import Pages, join_as_participant, local

LAPTOP = (1400, 900)
# Notes at the corners of the board: the view fits them, and a section drawn in the middle
# of the view holds none of them.
START = {"a": (0, 0), "b": (1600, 0), "c": (0, 1000)}


async def person(pages: Pages, server: PajaServer, s: Session, name: str) -> Any:
    page = await pages.new("en", *LAPTOP)
    await join_as_participant(page, local(s.created["participant_url"], server.http), name)
    await expect(page.get_by_test_id("canvas")).to_have_attribute("aria-busy", "false")
    await expect(page.locator(".note")).to_have_count(len(START))
    return page


def filed(board: YClient) -> dict[str, str | None]:
    """Each note's `section`, as the board document has it."""
    return {note_id: n["section"] for note_id, n in board.notes().items()}


def drawn(x: float, y: float, w: float, h: float) -> re.Pattern[str]:
    """A section's style when a page draws it at (x, y), w by h world units."""
    return re.compile(rf"translate\({x:g}px, {y:g}px\).*width: {w:g}px; height: {h:g}px")


async def drag(page: Any, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press, move in steps and let go, as a mouse does."""
    await page.mouse.move(*start)
    await page.mouse.down()
    await page.mouse.move(*end, steps=15)
    await page.mouse.up()


async def holds(page: Any, section_id: str, note_id: str) -> bool:
    """Whether the page draws the note's centre inside the section's area."""
    box = await page.locator(f"[data-section='{section_id}']").bounding_box()
    x, y = await centre(page, f"[data-note='{note_id}']")
    assert box is not None
    return bool(box["x"] < x < box["x"] + box["width"] and box["y"] < y < box["y"] + box["height"])


async def test_a_section_is_drawn_named_moved_resized_and_files_notes_dragged_in_and_out(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Alueet", language="en")
    board = await s.open("main")
    notes = board.doc.get("notes", type=Map)
    for i, (note_id, (x, y)) in enumerate(START.items()):
        notes[note_id] = note_map(f"Idea {note_id}", author="e", author_name="Eero", at=i, x=x, y=y)
    await eventually(lambda: len(board.notes()) == len(START), what="the notes stored")
    pia = await person(pages, server, s, "Pia")
    olli = await person(pages, server, s, "Olli")

    # Pia draws a section with the tool and types its title straight away; Olli sees it.
    await pia.get_by_role("button", name="New section").click()
    rename = pia.locator("input.section-title-input")
    await expect(rename).to_be_focused()
    await pia.keyboard.press("Control+A")
    await pia.keyboard.type("Ideat")
    await pia.keyboard.press("Enter")
    await expect(rename).to_have_count(0)
    await eventually(
        lambda: [v["title"] for v in section(board, "sections").values()] == ["Ideat"],
        what="the section stored with its title",
    )
    [section_id] = section(board, "sections")
    area_of = f"[data-section='{section_id}']"
    head = f"{area_of} .section-head"
    for page in (pia, olli):
        await expect(page.locator(head)).to_have_text("Ideat")
    assert filed(board) == dict.fromkeys(START), "the section drawn between the notes holds none"

    # Enter on its focused title renames it again, from the keyboard alone.
    await pia.locator(head).focus()
    await pia.keyboard.press("Enter")
    await expect(rename).to_be_focused()
    await pia.keyboard.press("Control+A")
    await pia.keyboard.type("Ideat ja kysymykset")
    await pia.keyboard.press("Enter")
    await expect(olli.locator(head)).to_have_text("Ideat ja kysymykset")
    await eventually(
        lambda: section(board, "sections")[section_id]["title"] == "Ideat ja kysymykset",
        what="the new title stored",
    )

    # Pia drags note a into the section: it is filed under it, for everyone.
    await drag(pia, await centre(pia, "[data-note=a]"), await centre(pia, area_of))
    await eventually(lambda: filed(board)["a"] == section_id, what="note a filed under the section")
    assert filed(board) == {"a": section_id, "b": None, "c": None}
    at_drop = doc_at(board, "a")
    await until_shown(olli, "a", at_drop)
    assert await holds(olli, section_id, "a")
    await pages.shot(olli, "01-note-filed-1400")

    # Olli moves the section by its title: the note filed under it travels, the others stay.
    def area() -> tuple[float, ...]:
        v = section(board, "sections")[section_id]
        return (v["x"], v["y"], v["w"], v["h"])

    x0, y0, w0, h0 = area()
    hx, hy = await centre(olli, head)
    await drag(olli, (hx, hy), (hx - 150, hy + 90))
    await eventually(lambda: area()[:2] != (x0, y0), what="the section's move written")
    x1, y1 = area()[:2]
    assert x1 < x0 and y1 > y0, area()
    await eventually(
        lambda: doc_at(board, "a") == (at_drop[0] + x1 - x0, at_drop[1] + y1 - y0),
        what="note a moved with its section",
    )
    assert {n: doc_at(board, n) for n in ("b", "c")} == {n: START[n] for n in ("b", "c")}
    assert filed(board) == {"a": section_id, "b": None, "c": None}
    for page in (pia, olli):
        await expect(page.locator(area_of)).to_have_attribute("style", drawn(x1, y1, w0, h0))
        assert await holds(page, section_id, "a")

    # Pia resizes it by its corner: larger, in the same place, its note still filed.
    cx, cy = await centre(pia, f"{area_of} .section-resize")
    await drag(pia, (cx, cy), (cx + 120, cy + 80))
    await eventually(lambda: area()[2:] != (w0, h0), what="the resize written")
    x2, y2, w2, h2 = area()
    assert (x2, y2) == (x1, y1) and w2 > w0 and h2 > h0, area()
    await expect(olli.locator(area_of)).to_have_attribute("style", drawn(x1, y1, w2, h2))
    assert filed(board)["a"] == section_id
    await pages.shot(pia, "02-section-resized-1400")

    # Pia drags note a out, to the side of the section with room: it is filed nowhere.
    box = await pia.locator(area_of).bounding_box()
    assert box is not None
    outside_x = box["x"] - 150 if box["x"] > 250 else box["x"] + box["width"] + 150
    await drag(pia, await centre(pia, "[data-note=a]"), (outside_x, box["y"] + box["height"] / 2))
    await eventually(lambda: filed(board)["a"] is None, what="note a unfiled")
    assert filed(board) == dict.fromkeys(START)
    out = doc_at(board, "a")
    await until_shown(olli, "a", out)
    assert not await holds(olli, section_id, "a")

    # Olli moves the section again: note a, no longer in it, stays where Pia dropped it.
    hx, hy = await centre(olli, head)
    await drag(olli, (hx, hy), (hx, hy - 60))
    await eventually(lambda: area()[1] != y2, what="the second move written")
    assert doc_at(board, "a") == out and filed(board) == dict.fromkeys(START)
    await pages.shot(olli, "03-note-left-behind-1400")
    await s.close_all()
