"""Pointer work on a board, with someone watching: a drag is seen moving on the other screen
while the document stays as it was, and lands where it was dropped as one change to the
board (one update on the wire, one undo step); Escape gives a drag up and arrow keys write
once they rest. Also: a marquee selects, the selection is deleted at once, Ctrl+wheel zooms
about the pointer, and another person's live cursor is seen where they point."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import YClient, eventually

from .board_view import centre, doc_at, shown_at, until_alike, until_shown
from .conftest import Pages, local

LAPTOP = (1400, 900)
PHONE = (390, 844)
START = {"a": (100, 100), "b": (400, 100), "c": (100, 420)}

RECORD_MOVERS = """() => {
  window.seenMoving = new Set()
  const look = () => document.querySelectorAll('[data-moved-by]')
    .forEach(e => window.seenMoving.add(e.dataset.note))
  new MutationObserver(look)
    .observe(document.body, { subtree: true, attributes: true, childList: true })
}"""


def moved_by(page: Any, note_id: str) -> Any:
    """A note as a page draws it while someone else moves it (data-moved-by names them)."""
    return page.locator(f"[data-note='{note_id}'][data-moved-by]")


def updates(client: YClient, since: int) -> int:
    """Document updates the client received after its `since`th frame (sync message 2)."""
    return sum(1 for f in client.frames[since:] if f[0] == 0 and f[1] == 2)


async def board_with_notes(server: PajaServer, title: str) -> tuple[Session, YClient]:
    s = Session.create(server, title, language="en")
    board = await s.open("main")
    notes = board.doc.get("notes", type=Map)
    for i, (note_id, (x, y)) in enumerate(START.items()):
        notes[note_id] = note_map(f"Idea {note_id}", author="e", author_name="Eero", at=i, x=x, y=y)
    await eventually(lambda: len(board.notes()) == len(START), what="the notes stored")
    return s, board


async def person(
    pages: Pages, server: PajaServer, s: Session, name: str, size: tuple[int, int]
) -> Any:
    page = await pages.new("en", *size, phone=size == PHONE)
    await page.goto(local(s.created["participant_url"], server.http))
    await page.locator("#name").fill(name)
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("canvas")).to_have_attribute("aria-busy", "false")
    await expect(page.locator(".note")).to_have_count(len(START))
    return page


async def record_movers(page: Any) -> None:
    """Keep, in the page, the id of every note that was ever drawn as moved by someone."""
    await page.evaluate(RECORD_MOVERS)


async def test_a_drag_is_seen_moving_and_written_once_on_drop(
    server: PajaServer, pages: Pages
) -> None:
    s, board = await board_with_notes(server, "Siirrot")
    pia = await person(pages, server, s, "Pia", LAPTOP)
    olli = await person(pages, server, s, "Olli", LAPTOP)

    # Pia selects a and b, and drags them; she has not let go yet.
    await pia.locator("[data-note=a]").click()
    await pia.locator("[data-note=b]").click(modifiers=["Shift"])
    await expect(pia.locator(".note.selected")).to_have_count(2)
    before = len(board.frames)
    x0, y0 = await centre(pia, "[data-note=a]")
    await pia.mouse.move(x0, y0)
    await pia.mouse.down()
    await pia.mouse.move(x0 + 260, y0 + 140, steps=25)

    # Olli sees both moving, marked as Pia's, where Pia has them; the document is unchanged.
    for note_id in ("a", "b"):
        await expect(moved_by(olli, note_id)).to_have_attribute("data-moved-by", "Pia")
        await until_alike(pia, olli, note_id)
    await expect(moved_by(olli, "c")).to_have_count(0)
    assert await shown_at(olli, "a") != START["a"]
    assert (doc_at(board, "a"), doc_at(board, "b")) == (START["a"], START["b"])
    assert updates(board, before) == 0, "nothing is written while the notes are dragged"
    await pages.shot(pia, "01-dragging-1400")
    await pages.shot(olli, "02-watching-1400")

    # The drop: one update moves both, and everyone draws them where they were dropped.
    dropped = {n: await shown_at(pia, n) for n in ("a", "b")}
    await pia.mouse.up()
    await eventually(lambda: doc_at(board, "a") != START["a"], what="the drop written")
    assert {n: doc_at(board, n) for n in ("a", "b")} == dropped
    assert doc_at(board, "c") == START["c"]
    for note_id, where in dropped.items():
        await expect(moved_by(olli, note_id)).to_have_count(0)
        await until_shown(olli, note_id, where)
        assert await shown_at(pia, note_id) == where
    assert updates(board, before) == 1, "one drag, one update"
    await pages.shot(olli, "03-dropped-1400")

    # One Ctrl+Z takes the whole drag back.
    await pia.keyboard.press("Control+z")
    await eventually(
        lambda: (doc_at(board, "a"), doc_at(board, "b")) == (START["a"], START["b"]),
        what="the drag undone",
    )
    await until_shown(olli, "a", START["a"])
    assert updates(board, before) == 2
    await s.close_all()


async def test_escape_gives_a_drag_up_and_arrow_keys_write_once_they_rest(
    server: PajaServer, pages: Pages
) -> None:
    s, board = await board_with_notes(server, "Peru siirto")
    pia = await person(pages, server, s, "Pia", LAPTOP)
    olli = await person(pages, server, s, "Olli", LAPTOP)
    await record_movers(olli)
    before = len(board.frames)

    # A drag of c that Pia gives up with Escape: back where it was, on both screens.
    x0, y0 = await centre(pia, "[data-note=c]")
    await pia.mouse.move(x0, y0)
    await pia.mouse.down()
    await pia.mouse.move(x0 + 300, y0 - 100, steps=20)
    await expect(olli.locator("[data-note=c]")).to_have_attribute("data-moved-by", "Pia")
    await pia.keyboard.press("Escape")
    await expect(moved_by(olli, "c")).to_have_count(0)
    await until_shown(olli, "c", START["c"])
    await until_shown(pia, "c", START["c"])
    await pia.mouse.move(x0 + 340, y0 - 120, steps=3)
    await pia.mouse.up()
    await until_shown(pia, "c", START["c"])

    # Five presses of the arrow key on a: seen moving, written as one update after they rest.
    await pia.locator("[data-note=a]").focus()
    for _ in range(5):
        await pia.keyboard.press("ArrowRight")
    await eventually(lambda: doc_at(board, "a") != START["a"], what="the arrow keys' move written")
    assert doc_at(board, "a") == (START["a"][0] + 5 * 20, START["a"][1])
    await until_shown(olli, "a", doc_at(board, "a"))
    assert set(await olli.evaluate("[...window.seenMoving]")) == {"a", "c"}
    # Pia's socket is in order: had the cancelled drag been written, it would be here too.
    assert doc_at(board, "c") == START["c"]
    assert updates(board, before) == 1, "the cancelled drag wrote nothing; the keys wrote once"
    await s.close_all()


async def test_a_touch_drag_on_a_phone_is_seen_moving_and_written_once(
    server: PajaServer, pages: Pages
) -> None:
    s, board = await board_with_notes(server, "Puhelin")
    pia = await person(pages, server, s, "Pia", PHONE)
    olli = await person(pages, server, s, "Olli", LAPTOP)
    before = len(board.frames)
    x0, y0 = await centre(pia, "[data-note=b]")
    cdp = await pia.context.new_cdp_session(pia)
    for i in range(13):
        kind = "touchStart" if i == 0 else "touchMove"
        point = {"x": x0 - 10 * i, "y": y0 + 15 * i, "id": 0}
        await cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [point]})
    await expect(olli.locator("[data-note=b]")).to_have_attribute("data-moved-by", "Pia")
    await until_alike(pia, olli, "b")
    assert doc_at(board, "b") == START["b"] and updates(board, before) == 0
    await pages.shot(pia, "04-touch-dragging-390")
    await pages.shot(olli, "05-watching-the-phone-1400")
    dropped = await shown_at(pia, "b")
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    await cdp.detach()
    await eventually(lambda: doc_at(board, "b") == dropped, what="the drop written")
    await until_shown(olli, "b", dropped)
    assert updates(board, before) == 1
    await s.close_all()


async def test_a_marquee_selects_and_the_selection_is_deleted_at_once(
    server: PajaServer, pages: Pages
) -> None:
    s, board = await board_with_notes(server, "Valinta")
    pia = await person(pages, server, s, "Pia", LAPTOP)
    a = await pia.locator("[data-note=a]").bounding_box()
    b = await pia.locator("[data-note=b]").bounding_box()
    c = await pia.locator("[data-note=c]").bounding_box()
    assert a and b and c
    # From empty canvas above and left of a to below b, short of c: a and b, not c.
    await pia.keyboard.down("Shift")
    await pia.mouse.move(a["x"] - 20, a["y"] - 20)
    await pia.mouse.down()
    await pia.mouse.move(b["x"] + b["width"] + 20, (b["y"] + b["height"] + c["y"]) / 2, steps=10)
    await expect(pia.locator(".marquee")).to_be_visible()
    await pages.shot(pia, "06-marquee-1400")
    await pia.mouse.up()
    await pia.keyboard.up("Shift")
    await expect(pia.locator(".marquee")).to_have_count(0)
    await expect(pia.locator(".note.selected")).to_have_count(2)
    await expect(pia.locator("[data-note=a].selected, [data-note=b].selected")).to_have_count(2)

    await pia.get_by_role("button", name="Delete selected (2)").click()
    await eventually(lambda: set(board.notes()) == {"c"}, what="a and b deleted")
    await expect(pia.locator(".note")).to_have_count(1)
    await expect(pia.locator("[data-note=c]")).to_have_count(1)
    await s.close_all()


async def test_ctrl_wheel_zooms_about_the_pointer_and_the_wheel_pans(
    server: PajaServer, pages: Pages
) -> None:
    s, _ = await board_with_notes(server, "Zoomaus")
    pia = await person(pages, server, s, "Pia", LAPTOP)
    zoom = pia.locator(".view-controls .zoom")
    before = await zoom.text_content()
    c = await pia.locator("[data-note=c]").bounding_box()
    assert c is not None
    px, py = c["x"] + c["width"] * 0.25, c["y"] + c["height"] * 0.25
    await pia.mouse.move(px, py)
    await pia.keyboard.down("Control")
    await pia.mouse.wheel(0, -100)
    await pia.keyboard.up("Control")
    await expect(zoom).not_to_have_text(before or "")
    after = await pia.locator("[data-note=c]").bounding_box()
    assert after is not None
    assert after["width"] > c["width"] * 1.5, "zoomed in"
    # The point under the pointer stays under it: a quarter into the note, as before.
    assert abs((px - after["x"]) / after["width"] - 0.25) < 0.02
    assert abs((py - after["y"]) / after["height"] - 0.25) < 0.02

    zoomed = await zoom.text_content()
    await pia.mouse.wheel(0, 120)
    deadline = time.monotonic() + 10
    while (moved := await pia.locator("[data-note=c]").bounding_box()) and moved["y"] == after["y"]:
        assert time.monotonic() < deadline, "the wheel did not pan"
        await asyncio.sleep(0.05)
    assert moved and abs(moved["y"] - (after["y"] - 120)) < 1 and moved["x"] == after["x"]
    await expect(zoom).to_have_text(zoomed or "")
    await s.close_all()


async def test_another_persons_live_cursor_is_seen_where_they_point(
    server: PajaServer, pages: Pages
) -> None:
    s, _ = await board_with_notes(server, "Kursorit")
    pia = await person(pages, server, s, "Pia", LAPTOP)
    olli = await person(pages, server, s, "Olli", LAPTOP)
    await expect(pia.locator(".cursor")).to_have_count(0)

    # Olli points into the middle of note c on his screen; Pia sees his cursor there on hers.
    ox, oy = await centre(olli, "[data-note=c]")
    await olli.mouse.move(ox - 50, oy - 30)
    await olli.mouse.move(ox, oy, steps=5)
    cursor = pia.locator(".cursor")
    await expect(cursor).to_have_count(1)
    await expect(cursor.locator(".cursor-name")).to_have_text("Olli")
    c = await pia.locator("[data-note=c]").bounding_box()
    assert c is not None
    deadline = time.monotonic() + 10
    while True:
        tip = await cursor.bounding_box()
        assert tip is not None
        off = (tip["x"] - (c["x"] + c["width"] / 2), tip["y"] - (c["y"] + c["height"] / 2))
        if abs(off[0]) < 3 and abs(off[1]) < 3:
            break
        assert time.monotonic() < deadline, f"Olli's cursor at {tip}, note c at {c}"
        await asyncio.sleep(0.05)
    await pages.shot(pia, "07-live-cursor-1400")

    # He points off the board (at the toolbar): his cursor goes from Pia's screen.
    await olli.get_by_test_id("new-note").hover()
    await expect(cursor).to_have_count(0)
    await s.close_all()


async def test_a_section_is_moved_and_resized_through_presence_and_a_leaver_writes_nothing(
    server: PajaServer, pages: Pages
) -> None:
    s, board = await board_with_notes(server, "Alueet")
    sections = board.doc.get("sections", type=Map)
    sections["s"] = Map({"title": "Ideat", "x": 60, "y": 60, "w": 640, "h": 240, "color": "grey"})
    board.doc.get("notes", type=Map)["a"]["section"] = "s"
    pia = await person(pages, server, s, "Pia", LAPTOP)
    olli = await person(pages, server, s, "Olli", LAPTOP)
    await expect(pia.locator("[data-section=s]")).to_have_count(1)
    before = len(board.frames)

    def section_at() -> tuple[float, ...]:
        v = board.doc.get("sections", type=Map)["s"]
        return (v["x"], v["y"], v["w"], v["h"])

    # Moving the section by its title takes its note along, on Olli's screen too, unwritten.
    x0, y0 = await centre(pia, "[data-section=s] .section-head")
    await pia.mouse.move(x0, y0)
    await pia.mouse.down()
    await pia.mouse.move(x0 + 120, y0 + 200, steps=15)
    await expect(olli.locator("[data-section=s][data-moved-by=Pia]")).to_have_count(1)
    await expect(moved_by(olli, "a")).to_have_attribute("data-moved-by", "Pia")
    await until_alike(pia, olli, "a")
    assert await shown_at(olli, "a") != START["a"]
    assert section_at() == (60, 60, 640, 240) and updates(board, before) == 0
    await pages.shot(olli, "08-section-moving-1400")
    await pia.mouse.up()
    await eventually(lambda: section_at()[:2] != (60, 60), what="the section's move written")
    x, y = section_at()[:2]
    assert doc_at(board, "a") == (START["a"][0] + x - 60, START["a"][1] + y - 60)
    await until_shown(olli, "a", doc_at(board, "a"))
    assert updates(board, before) == 1

    # Resizing it by its corner: one more update.
    corner = await pia.locator("[data-section=s] .section-resize").bounding_box()
    assert corner is not None
    cx, cy = corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2
    await pia.mouse.move(cx, cy)
    await pia.mouse.down()
    await pia.mouse.move(cx + 150, cy + 90, steps=15)
    await expect(olli.locator("[data-section=s][data-moved-by=Pia]")).to_have_count(1)
    assert section_at()[2:] == (640, 240)
    await pia.mouse.up()
    await eventually(lambda: section_at()[2:] != (640, 240), what="the resize written")
    assert section_at()[2] > 640 and section_at()[3] > 240
    assert updates(board, before) == 2

    # From the keyboard: two steps down, then two steps wider; a move and a resize, once each.
    moved = section_at()
    await pia.locator("[data-section=s] .section-head").focus()
    for key in ("ArrowDown", "ArrowDown", "Shift+ArrowRight", "Shift+ArrowRight"):
        await pia.keyboard.press(key)
    want = (moved[0], moved[1] + 40, moved[2] + 40, moved[3])
    await eventually(lambda: section_at() == want, what="the keys' move and resize written")
    assert updates(board, before) == 4

    # Pia leaves in the middle of a drag: the note is back where the document has it.
    at = doc_at(board, "b")
    x0, y0 = await centre(pia, "[data-note=b]")
    await pia.mouse.move(x0, y0)
    await pia.mouse.down()
    await pia.mouse.move(x0 - 200, y0 + 300, steps=15)
    await expect(moved_by(olli, "b")).to_have_count(1)
    await pia.context.close()
    await expect(moved_by(olli, "b")).to_have_count(0)
    await until_shown(olli, "b", at)
    assert doc_at(board, "b") == at and updates(board, before) == 4
    await s.close_all()


async def test_the_canvas_never_scrolls_so_a_click_lands_where_it_is_aimed(
    server: PajaServer, pages: Pages
) -> None:
    """The board pans by its view alone. A canvas the browser could scroll (find-in-page, an
    element scrolled into view) drew the board shifted from where the pointer maths had it:
    a note double-clicked into a section landed beside it, filed outside."""
    s, board = await board_with_notes(server, "Reuna")
    pia = await person(pages, server, s, "Pia", LAPTOP)
    canvas = pia.get_by_test_id("canvas")
    scrolled = "c => [c.scrollLeft, c.scrollTop]"
    # A section reaching past the canvas's bottom right edge, and a note far off screen.
    edge = await canvas.bounding_box()
    assert edge is not None
    (ax, ay), shown = START["a"], await centre(pia, "[data-note=a]")
    scale = await pia.locator("[data-note=a]").evaluate(
        "n => n.getBoundingClientRect().width / n.offsetWidth"
    )
    sx = ax + 90 + (edge["x"] + edge["width"] - 250 - shown[0]) / scale
    sy = ay + 60 + (edge["y"] + edge["height"] - 260 - shown[1]) / scale
    sections = board.doc.get("sections", type=Map)
    sections["edge"] = Map({"title": "Reuna", "x": sx, "y": sy, "w": 900, "h": 700})
    notes = board.doc.get("notes", type=Map)
    notes["far"] = note_map("Far away", author="e", author_name="Eero", at=9, x=9000, y=9000)
    area = pia.locator("[data-section=edge]")
    await expect(area).to_be_visible()
    box = await area.bounding_box()
    assert box is not None and box["x"] + box["width"] > edge["x"] + edge["width"], box

    # What the browser does for find-in-page, and a test driver before it clicks.
    await area.scroll_into_view_if_needed()
    await area.dblclick(position={"x": 100 * scale, "y": 80 * scale})
    await expect(pia.locator("textarea.note-editor")).to_be_focused()
    await pia.keyboard.type("Landed")
    await pia.keyboard.press("Escape")

    def written() -> dict[str, Any]:
        return {k: v for k, v in board.notes().items() if k not in {*START, "far"}}

    await eventually(lambda: len(written()) == 1, what="the new note stored")
    [new] = written().values()
    # centred on the click, and filed under the section
    assert abs(new["x"] + 90 - (sx + 100)) <= 2 and abs(new["y"] + 60 - (sy + 80)) <= 2, new
    assert new["section"] == "edge"

    await pia.locator("[data-note=far]").scroll_into_view_if_needed()
    assert await canvas.evaluate(scrolled) == [0, 0]
    await s.close_all()
