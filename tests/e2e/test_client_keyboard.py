"""Keyboard only: a participant joins, creates, edits, moves, recolours and votes on a note,
and nothing touches the mouse. A facilitator's screen watches the result arrive."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from playwright.async_api import expect

from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local


async def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        if await page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


async def focused_note(page: Any) -> str:
    """The id of the note that has the focus (waiting a moment for one to get it)."""
    for _ in range(100):
        found = await page.evaluate("document.activeElement?.dataset?.note ?? ''")
        if found:
            return str(found)
        await page.wait_for_timeout(50)
    return ""


async def position(page: Any, note_id: str) -> tuple[int, int]:
    style = await page.locator(f"[data-note='{note_id}']").get_attribute("style")
    m = re.search(r"translate\((-?\d+)px, (-?\d+)px\)", style or "")
    assert m, style
    return int(m.group(1)), int(m.group(2))


async def test_create_edit_move_and_vote_with_the_keyboard(
    server: PajaServer, pages: Pages
) -> None:
    s = server.create_session("Näppäimistö")
    fac = await pages.new("fi")
    await fac.goto(local(s["facilitator_url"], server.http))
    await expect(fac.get_by_test_id("canvas")).to_be_visible()

    me = await pages.new("fi")
    await me.goto(local(s["participant_url"], server.http))
    await tab_to(me, "#name")
    await me.keyboard.type("Kaisa")
    await me.keyboard.press("Enter")
    await expect(me.get_by_test_id("canvas")).to_be_visible()

    # The skip link leads to the board; N makes a note and opens its editor.
    await me.keyboard.press("Tab")
    await expect(me.locator("a.skip")).to_be_focused()
    await me.keyboard.press("Enter")
    await expect(me.get_by_test_id("canvas")).to_be_focused()
    await me.keyboard.press("n")
    await expect(me.locator("textarea.note-editor")).to_be_focused()
    await me.keyboard.type("Idea from the keyboard")
    await me.keyboard.press("Escape")
    note_id = await focused_note(me)
    assert note_id, "Escape returns focus to the note"
    await expect(fac.locator(".note", has_text="Idea from the keyboard")).to_be_visible()
    await pages.shot(me, "01-created")

    # Enter edits it again; the facilitator sees the edit.
    await me.keyboard.press("Enter")
    await expect(me.locator("textarea.note-editor")).to_be_focused()
    await me.keyboard.press("End")
    await me.keyboard.type(" (edited)")
    await me.keyboard.press("Escape")
    assert await focused_note(me) == note_id
    await expect(fac.locator(f"[data-note='{note_id}']")).to_contain_text(
        "Idea from the keyboard (edited)"
    )

    # Arrow keys move it (20 px a press, Shift for 100); everyone sees it move.
    x0, y0 = await position(fac, note_id)
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown", "Shift+ArrowDown"]:
        await me.keyboard.press(key)
    await expect(fac.locator(f"[data-note='{note_id}']")).to_have_attribute(
        "style", re.compile(rf"translate\({x0 + 60}px, {y0 + 120}px\)")
    )
    assert await position(me, note_id) == (x0 + 60, y0 + 120)

    # C gives it the next colour.
    await me.keyboard.press("c")
    await expect(fac.locator(f"[data-note='{note_id}']")).to_have_class(re.compile(r"\bc-pink\b"))
    await pages.shot(me, "02-moved")

    # A dot vote opens; V places a dot on the focused note, Shift+V takes one back.
    r = httpx.post(
        f"{server.http}/api/sessions/{s['id']}/votes",
        json={"board": "main", "per_participant": 3, "per_note": 2},
        headers={"Authorization": f"Bearer {s['facilitator_token']}"},
        timeout=10,
    )
    r.raise_for_status()
    vote_id = r.json()["id"]
    await expect(me.get_by_test_id("vote-bar")).to_contain_text("sinulla on 3 pistettä")
    assert await focused_note(me) == note_id
    await me.keyboard.press("v")
    await expect(me.get_by_test_id("vote-bar")).to_contain_text("sinulla on 2 pistettä")
    await me.keyboard.press("v")
    await expect(me.get_by_test_id("vote-bar")).to_contain_text("sinulla on 1 piste")
    await me.keyboard.press("v")  # over the per-note limit: refused, and said so
    await expect(me.get_by_test_id("live")).to_contain_text(re.compile("enempää|more", re.I))
    await me.keyboard.press("Shift+V")
    await expect(me.get_by_test_id("vote-bar")).to_contain_text("sinulla on 2 pistettä")
    await me.keyboard.press("v")
    await expect(me.get_by_test_id("vote-bar")).to_contain_text("sinulla on 1 piste")
    await pages.shot(me, "03-voted")

    creds = json.loads(await me.evaluate(f"localStorage.getItem('paja:p:{s['id']}')"))
    mine = httpx.get(
        f"{server.http}/api/sessions/{s['id']}/votes/{vote_id}/dots",
        headers={"Authorization": f"Bearer {creds['token']}"},
        timeout=10,
    ).json()
    assert mine["dots"] == {note_id: 2}
    assert mine["remaining"] == 1

    # Delete removes it, Ctrl+Z brings it back: still without the mouse.
    await me.keyboard.press("Delete")
    await expect(fac.locator(f"[data-note='{note_id}']")).to_have_count(0)
    # where the board puts focus after a delete (the next note, or the canvas) takes the
    # keys; on a busy machine it settles a moment after the note is gone
    await me.wait_for_function(
        "document.activeElement?.closest('[data-testid=canvas]') != null", timeout=15_000
    )
    await me.keyboard.press("Control+z")
    await expect(fac.locator(f"[data-note='{note_id}']")).to_have_count(1)


async def test_timer_milestones_are_announced(server: PajaServer, pages: Pages) -> None:
    s = server.create_session("Ajastin")
    me = await pages.new("fi")
    await join_as_participant(me, local(s["participant_url"], server.http), "Kaisa")
    facilitator = {"Authorization": f"Bearer {s['facilitator_token']}"}
    timers = f"{server.http}/api/sessions/{s['id']}/timers"
    r = httpx.post(timers, json={"duration_ms": 62_000}, headers=facilitator, timeout=10)
    r.raise_for_status()
    timer = r.json()["id"]
    # The page has the timer before it runs, so it sees the minute mark pass however slow
    # the machine is; the mark comes 2 s after the start.
    await expect(me.get_by_test_id("timer-digits")).to_have_text("1:02")
    httpx.post(f"{timers}/{timer}/start", headers=facilitator, timeout=10).raise_for_status()
    await expect(me.get_by_test_id("live")).to_have_text("Minuutti jäljellä.", timeout=15_000)
    # take the time away: the end is announced once, and shown (without flashing)
    httpx.post(
        f"{timers}/{timer}/adjust", json={"delta_ms": -58_000}, headers=facilitator, timeout=10
    ).raise_for_status()
    await expect(me.get_by_test_id("live")).to_have_text("Aika loppui.", timeout=10_000)
    await expect(me.get_by_test_id("timer-digits")).to_have_text("0:00")
    await pages.shot(me, "timer-ended")
