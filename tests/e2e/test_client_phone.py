"""A participant on a 390×844 phone, joined from the QR code: the board comes first and fills
the screen, the session's tools sit in a bottom sheet that opens and closes, every control and
note is big enough to tap (44 px), two fingers zoom the board, and the page never scrolls
sideways."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, join_as_participant, local, serious_violations

PHONE = (390, 844)
TAP = 44  # px: the smallest target a finger hits reliably

# notes spread far apart, as after a long session: fitting them all would make them specks
SPREAD = [(x, y) for x in (0, 1400, 2800) for y in (0, 900, 1800)]


async def no_sideways_scroll(page: Any, width: int = PHONE[0]) -> None:
    scrolled = await page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, scrolled


async def assert_tappable(locator: Any) -> None:
    for i in range(await locator.count()):
        b = await locator.nth(i).bounding_box()
        assert b is not None and b["width"] >= TAP and b["height"] >= TAP, (
            await locator.nth(i).text_content(),
            b,
        )


async def zoom(page: Any) -> int:
    return int((await page.locator(".view-controls .zoom").text_content()).rstrip("%"))


async def pinch(page: Any, centre: tuple[float, float], start: float, end: float) -> None:
    """Two fingers on the canvas, moving apart (end > start) or together, as touch input."""
    cdp = await page.context.new_cdp_session(page)
    x, y = centre
    steps = 8
    for i in range(steps + 1):
        half = (start + (end - start) * i / steps) / 2
        points = [{"x": x - half, "y": y, "id": 0}, {"x": x + half, "y": y, "id": 1}]
        kind = "touchStart" if i == 0 else "touchMove"
        await cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    await cdp.detach()


async def test_a_phone_gets_the_board_first(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Kehittämispäivä: organisaatiorajojen ylittäminen")
    board = await s.open("main")
    notes = board.doc.get("notes", type=Map)
    for i, (x, y) in enumerate(SPREAD):
        notes[f"n{i}"] = note_map(f"Idea {i + 1}", author="a", author_name="Eero", at=i, x=x, y=y)
    await eventually(lambda: len(board.doc.get("notes", type=Map)) == len(SPREAD), what="seeded")

    tools_in = {
        "fi": "Tilaisuuden työkalut",
        "sv": "Verktyg för evenemanget",
        "en": "Session tools",
    }
    axe: dict[str, list[str]] = {}
    for lang, tools in tools_in.items():
        me = await pages.new(lang, *PHONE, phone=True, inject=True)
        await join_as_participant(
            me, local(s.created["participant_url"], server.http), f"Puhelin {lang}"
        )
        canvas = me.get_by_test_id("canvas")
        await expect(canvas).to_be_visible()
        await expect(me.locator(".note")).to_have_count(len(SPREAD))

        # The board fills most of the screen, with the tools folded away below it.
        sheet = me.get_by_role("button", name=tools)
        await expect(sheet).to_have_attribute("aria-expanded", "false")
        await expect(me.get_by_role("tablist")).to_be_hidden()
        box = await canvas.bounding_box()
        assert box is not None and box["height"] >= 0.6 * PHONE[1] and box["width"] == PHONE[0], box
        await no_sideways_scroll(me)
        await pages.shot(me, f"01-board-{lang}")
        axe[f"{lang}/folded"] = await serious_violations(me)

        # Notes arrive large enough to tap, and so are the tools around the board.
        await assert_tappable(me.locator(".note").first)
        await assert_tappable(me.locator(".board-toolbar button"))
        await assert_tappable(me.locator(".view-controls button"))
        await assert_tappable(sheet)

        # The sheet opens over the lower part of the screen, and closes again.
        await sheet.click()
        await expect(sheet).to_have_attribute("aria-expanded", "true")
        await me.get_by_role("tab").nth(1).click()
        panel = me.locator("#side-panel .agenda-list, #side-panel .hint")
        await expect(panel.first).to_be_visible()
        await no_sideways_scroll(me)
        await pages.shot(me, f"02-sheet-open-{lang}")
        axe[f"{lang}/open"] = await serious_violations(me)
        await sheet.click()
        await expect(me.get_by_role("tablist")).to_be_hidden()
    assert not any(axe.values()), f"axe found serious or critical violations: {axe}"

    # Two fingers moving apart zoom in; moving together zoom out; the buttons still work.
    before = await zoom(me)
    box = await canvas.bounding_box()
    assert box is not None
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await pinch(me, middle, 80, 240)
    await expect(me.locator(".view-controls .zoom")).not_to_have_text(f"{before}%")
    assert await zoom(me) > before
    after = await zoom(me)
    await pinch(me, middle, 240, 120)
    await expect(me.locator(".view-controls .zoom")).not_to_have_text(f"{after}%")
    assert await zoom(me) < after
    assert len(await me.locator(".note").all()) == len(SPREAD)  # a pinch is not a drag or a tap
    current = await zoom(me)
    await me.get_by_role("button", name="Zoom in").tap()
    await expect(me.locator(".view-controls .zoom")).not_to_have_text(f"{current}%")
    await pages.shot(me, "03-pinched-en")

    # A new note, typed on the phone, is on the board.
    await me.get_by_test_id("new-note").tap()
    await expect(me.locator("textarea.note-editor")).to_be_focused()
    await me.keyboard.type("Puhelimesta")
    await me.keyboard.press("Escape")

    def texts() -> list[str]:
        return [str(n["text"]) for n in board.doc.get("notes", type=Map).values()]

    await eventually(lambda: "Puhelimesta" in texts(), what="the phone's note on the server")
    await no_sideways_scroll(me)
    await s.close_all()


async def test_wide_screens_keep_the_side_panel(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Kehittämispäivä")
    for width, height in [(1400, 900), (1920, 1080)]:
        me = await pages.new("sv", width, height)
        await join_as_participant(me, local(s.created["participant_url"], server.http), "Olli")
        await expect(me.get_by_role("tablist")).to_be_visible()
        await expect(me.locator(".sheet-toggle")).to_be_hidden()
        await pages.shot(me, f"wide-{width}")


async def test_the_top_bar_leaves_the_board_to_the_board(server: PajaServer, pages: Pages) -> None:
    """With an agenda step and its timer running, in a breakout room, the top bar of a phone
    and of Teams' 320 px side panel takes two rows (the title and the time; the board, sound
    and leaving), not the three or four it took, and a 1280 px laptop's one row, not two;
    the controls stay named, and on a phone tappable."""
    s = Session.create(server, "Kehittämispäivä: organisaatiorajojen ylittäminen")
    s.join("Olli")
    screens = {}
    for width, height, lang in ((390, 844, "fi"), (320, 700, "sv"), (1280, 800, "fi")):
        page = await pages.new(lang, width, height, phone=width < 800)
        await join_as_participant(page, local(s.created["participant_url"], server.http), "Pia")
        screens[width] = page
    items = [{"title": "Tervetuloa"}, {"title": "Kiinnostu", "duration_ms": 900_000}]
    s.ok("PUT", "/agenda", body={"items": items})
    s.ok("POST", "/agenda/next", body={"start_timer": False})
    s.ok("POST", "/agenda/next", body={"start_timer": True})  # the step shows, and its time
    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 1, "duration_ms": 900_000})
    s.ok("POST", "/breakouts/r1/open")
    for width, page in screens.items():
        await expect(page.get_by_test_id("room-banner")).to_be_visible()
        bar = page.locator("header.topbar")
        await expect(bar.get_by_test_id("timer")).to_be_visible()
        step = expect(bar.get_by_test_id("agenda-now"))  # on 320 px: in the agenda tab only
        await (step.to_be_hidden() if width <= 360 else step.to_be_visible())
        box = await bar.bounding_box()
        rows = 2 if width < 800 else 1
        assert box is not None and box["height"] <= rows * TAP + 24, (width, box)
        if width < 800:
            await assert_tappable(bar.locator("button, select"))
        leave = {390: "Poistu", 320: "Lämna", 1280: "Poistu"}[width]
        await expect(bar.get_by_role("button", name=leave)).to_be_visible()
        await no_sideways_scroll(page, width)
        await pages.shot(page, f"01-top-bar-{width}")
