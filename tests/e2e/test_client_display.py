"""The Lab display on a 1080p screen follows the session: when the agenda moves everyone to
the "Kiinnostu" board, the display goes there too, unless a facilitator pinned it to a
board (and it follows again once unpinned). It is readable from the back of the room: note
text never under 24 px on the screen, long Finnish words broken at syllables, nobody's
cursor drawn over the notes, and a language of its own that leaves the session's alone."""

from __future__ import annotations

import time
from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local

LONG_WORDS = "Yhteistyö ylittää organisaatiorajojen ja hallinnonalojen"

# Where the browser broke a note's text into lines: for each line after the first, the
# last letter of the line before with any soft hyphen after it, and the line's first.
LINE_BREAKS = """(el) => {
  const node = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE)
  const text = node.data
  const range = document.createRange()
  const breaks = []
  let top = null
  let last = -1
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\u00ad') continue
    range.setStart(node, i)
    range.setEnd(node, i + 1)
    const rects = range.getClientRects()
    const r = rects[rects.length - 1] // after a break, a letter may report the hyphen too
    if (!r) continue
    if (top !== null && r.top > top + r.height / 2) breaks.push([text.slice(last, i), text[i]])
    top = r.top
    last = i
  }
  return breaks
}"""

# The note text's size in screen pixels: its font size times the zoom of the board.
SCREEN_FONT = """(el) => parseFloat(getComputedStyle(el).fontSize) *
  (el.getBoundingClientRect().width / el.offsetWidth)"""


async def shows(display: Any, board: str) -> None:
    await expect(display.get_by_test_id("display-board")).to_have_attribute("data-board", board)


async def test_the_display_follows_the_session_and_reads_from_afar(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Kehittämispolku", template="development-path", language="fi")
    board = await s.open("get-interested")
    notes = board.doc.get("notes", type=Map)
    now = int(time.time() * 1000)
    notes["n1"] = note_map(LONG_WORDS, author="f", author_name="Fasilitaattori", at=now)
    notes["n2"] = note_map("Kokeillaan pienesti", author="f", author_name="Pia", at=now, x=220)

    fac = await pages.new("en", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    display = await pages.new("en", 1920, 1080)
    await display.goto(local(s.created["display_url"], server.http))
    await shows(display, "main")

    # The agenda moves everyone to "Kiinnostu": the display goes along.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.get_by_role("button", name="Begin").click()
    await fac.get_by_role("button", name="Next item").click()
    await expect(fac.get_by_test_id("board-select")).to_have_value("get-interested")
    await shows(display, "get-interested")
    # in the display's own language (English here): a template's boards carry every language
    await expect(display.get_by_test_id("display-board")).to_have_text("Board: Get interested")
    text = display.locator(".note", has_text="Yhteistyö").locator(".note-text")
    await expect(text).to_be_visible()

    # Readable from the back of the room: large text, Finnish words broken at syllables.
    await expect(text).to_have_attribute("lang", "fi")
    assert await text.evaluate(SCREEN_FONT) >= 23.5
    breaks = await text.evaluate(LINE_BREAKS)
    assert breaks, "the long words wrap in a note"
    for before, after in breaks:
        assert before[-1] in (" ", "\u00ad") or after == " ", f"broken mid-word: {before}|{after}"
    await pages.shot(display, "01-display-follows-kiinnostu")

    # A participant points at the notes: the facilitator sees the cursor, the display not.
    pia = await pages.new("fi")
    await join_as_participant(pia, local(s.created["participant_url"], server.http), "Pia")
    await expect(pia.get_by_test_id("board-select")).to_have_value("get-interested")
    canvas = pia.get_by_test_id("canvas")
    box = await canvas.bounding_box()
    assert box is not None
    for step in range(5):
        await pia.mouse.move(box["x"] + 200 + step * 20, box["y"] + 200)
        await expect(fac.locator(".cursor", has_text="Pia")).to_have_count(1)
    await expect(display.locator(".note", has_text="Kokeillaan")).to_be_visible()
    await expect(display.locator(".cursor")).to_have_count(0)

    # Pinned to the main board by a facilitator, the display stays there; unpinned, it
    # follows the session again.
    await fac.get_by_test_id("tab-share").click()
    await fac.get_by_test_id("display-pin").select_option("main")
    await shows(display, "main")
    await pages.shot(fac, "02-facilitator-pins-display")
    await fac.get_by_test_id("display-pin").select_option("")
    await shows(display, "get-interested")

    # Its own language: Swedish on the display, the session stays Finnish, the
    # facilitator's screen English; and the display remembers its choice.
    await display.locator("label.lang select").select_option("sv")
    await expect(display.get_by_test_id("display-join")).to_contain_text("Gå med via telefon")
    await expect(display.get_by_test_id("display-board")).to_have_text("Tavla: Bli intresserad")
    assert s.ok("GET", "")["language"] == "fi"
    await expect(fac.get_by_role("heading", name="Invite people")).to_be_visible()
    await display.reload()
    await expect(display.get_by_test_id("display-join")).to_contain_text("Gå med via telefon")
    await pages.shot(display, "03-display-sv")
    await s.close_all()
