"""'Bring everyone to me' and 'follow me' in the browsers: the facilitator's board and view
reach every participant through a facilitator command, a participant can stop following
from the keyboard, and a participant who imitates the old awareness lead moves nobody."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import eventually

from .conftest import Pages, join_as_participant, local
from .test_client_keyboard import tab_to

# The world point at the centre of the canvas, and the zoom: what "the same view" means on
# screens of different sizes.
VIEW = """() => {
  const canvas = document.querySelector('[data-testid=canvas]')
  const m = canvas.querySelector('.world').style.transform.match(
    /translate\\((-?[\\d.e-]+)px, (-?[\\d.e-]+)px\\) scale\\(([\\d.e-]+)\\)/)
  const [x, y, s] = m.slice(1).map(Number)
  return [(canvas.clientWidth / 2 - x) / s, (canvas.clientHeight / 2 - y) / s, s]
}"""

SAME_VIEW = """([cx, cy, s]) => {
  const canvas = document.querySelector('[data-testid=canvas]')
  const m = canvas?.querySelector('.world')?.style.transform.match(
    /translate\\((-?[\\d.e-]+)px, (-?[\\d.e-]+)px\\) scale\\(([\\d.e-]+)\\)/)
  if (!m) return false
  const [x, y, k] = m.slice(1).map(Number)
  const [px, py] = [(canvas.clientWidth / 2 - x) / k, (canvas.clientHeight / 2 - y) / k]
  return Math.abs(px - cx) <= 1.5 && Math.abs(py - cy) <= 1.5 && Math.abs(k - s) < 1e-6
}"""


async def view(page: Any) -> list[float]:
    return list(await page.evaluate(VIEW))


async def shows_view(page: Any, target: list[float]) -> None:
    """Wait (bounded) until the page shows the same world centre and zoom as `target`."""
    await page.wait_for_function(SAME_VIEW, arg=target, timeout=10_000)


async def synced_board(page: Any, title: str) -> None:
    """Wait until the page shows the board called `title` with its content arrived."""
    canvas = page.locator(f'[data-testid=canvas][aria-label$=": {title}"]')
    await expect(canvas).to_have_attribute("aria-busy", "false")


async def pan(page: Any, *keys: str) -> None:
    await page.get_by_test_id("canvas").focus()
    for key in keys:
        await page.keyboard.press(key)


async def test_bring_everyone_and_follow_me(server: PajaServer, pages: Pages) -> None:
    s = Session.create(server, "Seuraa minua")
    s.ok("POST", "/boards", body={"name": "ideas", "title": "Ideat", "open_to_all": True})
    fac = await pages.new("en", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    await expect(fac.get_by_test_id("canvas")).to_be_visible()
    people = []
    for name, lang, size in [("Pia", "fi", (1280, 800)), ("Olli", "en", (1000, 700))]:
        p = await pages.new(lang, *size)
        await join_as_participant(p, local(s.created["participant_url"], server.http), name)
        people.append(p)
    pia, olli = people

    # The facilitator goes to another board, zooms in and pans, then brings everyone there.
    await fac.get_by_test_id("board-select").select_option("ideas")
    await synced_board(fac, "Ideat")
    await pan(fac, "+", "+", "ArrowRight", "ArrowRight", "ArrowDown")
    await fac.get_by_test_id("tab-boards").click()
    await fac.get_by_test_id("bring-here").click()
    target = await view(fac)
    assert target[2] > 1.5  # zoomed in twice
    for p in people:
        await expect(p.get_by_test_id("board-select")).to_have_value("ideas")
        await shows_view(p, target)
    await expect(pia.get_by_test_id("live")).to_have_text(
        "Fasilitaattori toi kaikki taululle Ideat."
    )
    await expect(pia.get_by_test_id("follow-bar")).to_have_count(0)  # brought once, not led
    await pages.shot(pia, "01-brought-fi")

    # "Follow me": the participants' views follow the facilitator's as it moves, across boards.
    await fac.get_by_test_id("follow-me").click()
    await expect(fac.get_by_test_id("follow-me")).to_have_attribute("aria-pressed", "true")
    await expect(fac.get_by_test_id("leading-bar")).to_be_visible()
    for p in people:
        await expect(p.get_by_test_id("follow-bar")).to_be_visible()
    await expect(olli.get_by_test_id("follow-bar")).to_contain_text("following the facilitator")
    await pan(fac, "ArrowLeft", "ArrowLeft", "ArrowLeft", "ArrowUp", "-")
    moved = await view(fac)
    assert moved != target
    for p in people:
        await shows_view(p, moved)
    await fac.get_by_test_id("board-select").select_option("main")
    for p in people:
        await expect(p.get_by_test_id("board-select")).to_have_value("main")
    await synced_board(fac, "Main board")  # the main board in the viewer's language
    await pan(fac, "Shift+ArrowDown")
    on_main = await view(fac)
    for p in people:
        await shows_view(p, on_main)
    await pages.shot(olli, "02-following-en")

    # Olli stops following with the keyboard; Pia keeps following.
    await tab_to(olli, "[data-testid=follow-bar] button")
    await olli.keyboard.press("Enter")
    await expect(olli.get_by_test_id("follow-bar")).to_contain_text("You stopped following")
    await expect(olli.get_by_test_id("follow-bar").get_by_role("button")).to_have_text(
        "Follow again"
    )
    olli_view = await view(olli)
    seen = await olli.get_by_test_id("follow-bar").get_attribute("data-at")
    await pan(fac, "Shift+ArrowRight")
    later = await view(fac)
    await shows_view(pia, later)
    # once Olli's screen has the same lead, his view is still his own
    await expect(olli.get_by_test_id("follow-bar")).not_to_have_attribute("data-at", seen or "")
    assert await view(olli) == olli_view
    await pages.shot(olli, "03-stopped-en")

    # Following again takes him back to the facilitator's view.
    await olli.get_by_test_id("follow-bar").get_by_role("button").click()
    await shows_view(olli, later)

    # After a reload the facilitator's screen still says that people follow, and stops it:
    # nobody follows any more, and the participants are told.
    await fac.reload()
    await expect(fac.get_by_test_id("leading-bar")).to_contain_text(
        "Participants are following a facilitator’s view."
    )
    await fac.get_by_test_id("leading-bar").get_by_role("button").click()
    for p in people:
        await expect(p.get_by_test_id("follow-bar")).to_have_count(0)
    await expect(pia.get_by_test_id("live")).to_have_text(
        "Fasilitaattori lopetti näkymän ohjaamisen."
    )
    await expect(fac.get_by_test_id("leading-bar")).to_have_count(0)
    await fac.get_by_test_id("tab-boards").click()
    await expect(fac.get_by_test_id("follow-me")).to_have_attribute("aria-pressed", "false")


async def test_a_participant_imitating_a_facilitator_leads_nobody(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Ei johtajaa")
    s.ok("POST", "/boards", body={"name": "ideas", "title": "Ideas", "open_to_all": True})
    pia = await pages.new("en")
    await join_as_participant(pia, local(s.created["participant_url"], server.http), "Pia")
    await expect(pia.get_by_test_id("board-select")).to_have_value("main")

    # Olli's own client claims to be a facilitator and publishes the old awareness lead.
    olli = s.join("Olli")
    forged = await s.open("control", olli["token"])
    await forged.set_presence(
        {
            "user": {"id": "fake", "name": "Fake lead", "role": "facilitator", "color": "#000"},
            "lead": {"board": "ideas", "at": 4e12, "follow": True, "view": None},
        }
    )
    # Pia's screen has taken in that presence (the impostor is listed) and not moved.
    await pia.get_by_test_id("tab-people").click()
    await expect(pia.locator(".people-list")).to_contain_text("Fake lead")
    await expect(pia.get_by_test_id("board-select")).to_have_value("main")
    await expect(pia.get_by_test_id("follow-bar")).to_have_count(0)
    # and the command that does lead refuses his token
    assert (
        s.call(
            "POST",
            "/lead",
            olli["token"],
            {"mode": "bring", "board": "ideas", "x": 0, "y": 0, "zoom": 1},
        ).status_code
        == 403
    )
    await s.close_all()


async def test_a_view_change_made_before_a_slow_board_arrives_is_kept(
    server: PajaServer, pages: Pages
) -> None:
    """The first sync fits the view to the board, unless the person has already zoomed or
    panned: on a slow connection their own view wins over the fit."""
    s = Session.create(server, "Hidas yhteys")
    writer = await s.open("main")
    writer.doc.get("notes", type=Map)["far"] = note_map(
        "Far away", author="f", author_name="Fasilitaattori", at=1, x=3000, y=2000
    )
    reader = await s.open("main")
    await eventually(lambda: "far" in reader.notes(), what="the note stored")
    await s.close_all()

    # Olli's board connection is slow: the server's answers wait until the test lets them go.
    slow = HeldAnswers()
    olli = await pages.new("en")
    await olli.route_web_socket(re.compile(rf"/ws/{s.id}/main\b"), slow.route)
    await olli.goto(local(s.created["participant_url"], server.http))
    await olli.locator("#name").fill("Olli")
    await olli.keyboard.press("Enter")
    await expect(olli.get_by_test_id("canvas")).to_have_attribute("aria-busy", "true")
    await pan(olli, "+", "+", "ArrowLeft")
    mine = await view(olli)
    assert abs(mine[2] - 1.25**2) < 1e-6  # zoomed in twice from 1, not fitted

    slow.release()
    await synced_board(olli, "Main board")
    await expect(olli.locator("[data-note=far]")).to_have_count(1)
    assert await view(olli) == mine


class HeldAnswers:
    """A WebSocket route that holds the server's messages to the page until released."""

    def __init__(self) -> None:
        self.page_side: Any = None
        self.held: list[str | bytes] = []
        self.released = False

    def route(self, ws: Any) -> None:
        self.page_side = ws
        ws.connect_to_server().on_message(self.answer)

    def answer(self, message: str | bytes) -> None:
        if self.released:
            self.page_side.send(message)
        else:
            self.held.append(message)

    def release(self) -> None:
        self.released = True
        for message in self.held:
            self.page_side.send(message)
        self.held.clear()
