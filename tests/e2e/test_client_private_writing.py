"""Private writing in three browsers and the facilitator's: while it is on, no page but
its writer's ever receives a private note, not even in a WebSocket frame; the facilitator
sees counts only; the reveal puts every note on every board, the Lab display's too; a
reload keeps them, before the reveal (in the writer's panel) and after (on the board)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from playwright.async_api import expect
from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local
from .test_client_accessibility import serious_violations
from .test_client_phone import no_sideways_scroll


async def wait_for(done: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


class Frames:
    """Every WebSocket frame a page receives, from every socket it ever opens."""

    def __init__(self, page: Any) -> None:
        self.received: list[bytes] = []
        page.on("websocket", self._opened)

    def _opened(self, socket: Any) -> None:
        socket.on("framereceived", self._received)

    def _received(self, payload: bytes | str) -> None:
        self.received.append(payload.encode() if isinstance(payload, str) else payload)

    def carry(self, text: str) -> bool:
        return any(text.encode() in frame for frame in self.received)


async def test_private_notes_stay_with_their_writers_until_the_reveal(
    server: PajaServer, pages: Pages
) -> None:
    s = Session.create(server, "Reverse mentoring")
    tag = secrets.token_hex(4)
    secret = {name: f"{name}-private-{tag}" for name in ("Ann", "Ben", "Cid")}

    fac = await pages.new("en", 1400, 900, inject=True)
    display = await pages.new("en", 1920, 1080)
    people = {
        "Ann": await pages.new("en", 1400, 900, inject=True),
        "Ben": await pages.new("fi", 390, 844, phone=True),
        "Cid": await pages.new("sv", 1400, 900),
    }
    frames = {page: Frames(page) for page in (fac, display, *people.values())}
    await fac.goto(local(s.created["facilitator_url"], server.http))
    await display.goto(local(s.created["display_url"], server.http))
    for name, page in people.items():
        await join_as_participant(page, local(s.created["participant_url"], server.http), name)

    # The facilitator turns private writing on for the main board.
    await fac.get_by_test_id("tab-private").click()
    await fac.get_by_test_id("private-start").click()
    await expect(fac.get_by_test_id("private-on")).to_be_visible()
    for name, page in people.items():
        panel = page.get_by_test_id("private-notes")
        await expect(panel).to_be_visible()
        await page.get_by_test_id("private-new").fill(secret[name])
        await page.get_by_test_id("private-add").click()
        await expect(panel.get_by_test_id("private-note").locator("textarea")).to_have_value(
            secret[name]
        )
    # The shared board is read-only for participants meanwhile (the server says so too):
    # no toolbar to add notes to it, only the private panel.
    await expect(people["Ann"].get_by_role("button", name="New note")).to_have_count(0)
    await expect(people["Cid"].get_by_test_id("private-notes")).to_contain_text("Dina egna lappar")
    await expect(people["Ben"].get_by_test_id("private-notes")).to_contain_text("Omat")

    # Ben writes a second note and deletes it; Ann edits hers after a reload.
    ben = people["Ben"]
    await ben.get_by_test_id("private-new").fill(f"Ben-deleted-{tag}")
    await ben.get_by_test_id("private-add").click()
    await expect(ben.get_by_test_id("private-note")).to_have_count(2)
    await ben.get_by_test_id("private-delete").nth(1).click()
    await expect(ben.get_by_test_id("private-note")).to_have_count(1)
    ann = people["Ann"]
    await ann.reload()
    mine = ann.get_by_test_id("private-note").locator("textarea")
    await expect(mine).to_have_value(secret["Ann"])
    # An edit sends only what changed: the new middle, a word of its own. It ends in a
    # letter no hex digit is, or its last character could match the old text's ("e").
    edit = secrets.token_hex(5) + "z"
    secret["Ann"] = f"Ann-{edit}-{tag}"
    await mine.fill(secret["Ann"])
    await wait_for(lambda: frames[ann].carry(edit), "Ann's edit echoed to her own page")

    # No page but the writer's received any private note, in any frame of any socket.
    written = {
        "Ann": [f"Ann-private-{tag}", edit],
        "Ben": [secret["Ben"], f"Ben-deleted-{tag}"],
        "Cid": [secret["Cid"]],
    }
    for name, texts in written.items():
        writer = people[name]
        for text in texts:
            echoed = partial(frames[writer].carry, text)
            await wait_for(echoed, f"{name}'s note echoed to them")
            for page, seen in frames.items():
                if page is not writer:
                    assert not seen.carry(text), f"{name}'s private note reached another page"
    for page in (fac, display, *people.values()):
        for text in secret.values():
            await expect(page.locator("body")).not_to_contain_text(text)

    # The facilitator counts one note each, and nothing more.
    counts = fac.get_by_test_id("private-counts")
    for name in people:
        await expect(counts.get_by_role("row", name=f"{name} 1")).to_be_visible()
    await expect(fac.get_by_test_id("private-total")).to_have_text("3 notes in all")
    assert await serious_violations(fac) == []
    assert await serious_violations(ann) == []
    await no_sideways_scroll(ben)
    await pages.shot(fac, "01-facilitator-counts-1400")
    await pages.shot(ann, "02-ann-private-1400")
    await pages.shot(ben, "03-ben-private-390")
    await pages.shot(display, "04-display-1920")

    # The reveal: every note on everyone's board, named.
    await fac.get_by_test_id("private-reveal-named").click()
    for page in (fac, display, *people.values()):
        canvas = page.get_by_test_id("canvas") if page is not display else page.locator("body")
        for text in secret.values():
            await expect(canvas.locator(".note", has_text=text)).to_have_count(1)
        await expect(page.get_by_test_id("private-notes")).to_have_count(0)
    await expect(fac.locator(".note", has_text=secret["Cid"])).to_contain_text("Cid")
    await expect(fac.locator(".note", has_text=f"Ben-deleted-{tag}")).to_have_count(0)
    await ann.reload()
    for text in secret.values():
        await expect(ann.get_by_test_id("canvas").locator(".note", has_text=text)).to_have_count(1)
    await pages.shot(fac, "05-revealed-1400")
    await pages.shot(ben, "06-revealed-390")
    await pages.shot(display, "07-revealed-display-1920")


async def test_after_a_reveal_that_found_no_room_the_writer_goes_on_without_a_reload(
    server_factory: type[PajaServer], pages: Pages
) -> None:
    """A refused reveal (409, the shared board is full) closed the private sockets and put
    the writing back on: the page opens its private board again by itself. On a busy
    `control` (a change sent just before, within a tick) the page never sees the writing
    end: both changes reach it as one update."""
    args = ["--max-notes-per-board", "3", "--presence-tick-ms", "1000"]
    server = server_factory(args=args).start()
    s = Session.create(server)
    main = await s.open("main")
    for i in range(2):
        main.doc.get("notes", type=Map)[f"old{i}"] = note_map(
            f"already here {i}", author="", author_name="", at=1
        )
    main.doc.get("sections", type=Map)["sec"] = Map(
        {"title": "Ideas", "x": 600, "y": 0, "w": 420, "h": 200, "color": "yellow"}
    )
    # The facilitator is told what choosing a section means: where the notes land only.
    fac = await pages.new("en", 1400, 900)
    await fac.goto(local(s.created["facilitator_url"], server.http))
    await fac.get_by_test_id("tab-private").click()
    await expect(fac.get_by_test_id("private-section-means")).to_contain_text("whole board")
    await pages.shot(fac, "09-section-means-1400")
    ann = await pages.new("en", 390, 844, phone=True)
    await join_as_participant(ann, local(s.created["participant_url"], server.http), "Ann")
    s.ok("POST", "/private", body={})
    for text in ("first", "second"):
        await ann.get_by_test_id("private-new").fill(text)
        await ann.get_by_test_id("private-add").click()
    await expect(ann.get_by_test_id("private-note")).to_have_count(2)
    await wait_for(lambda: s.ok("GET", "/private")["total"] == 2, "stored")
    s.ok("POST", "/timers", body={"duration_ms": 60000})
    full = s.call("POST", "/private/reveal", body={})
    assert full.status_code == 409, full.text

    await ann.get_by_test_id("private-new").fill("third")
    await ann.get_by_test_id("private-add").click()
    await wait_for(lambda: s.ok("GET", "/private")["total"] == 3, "written after the refusal")
    await expect(ann.get_by_test_id("conn-banner")).to_have_count(0)
    await pages.shot(ann, "08-after-refused-reveal-390")
    await s.close_all()
