"""The connection drops (the server restarts): a banner says so after a moment, edits made
meanwhile are kept, and when the server is back the board re-syncs quietly."""

from __future__ import annotations

from playwright.async_api import expect

from support.processes import PajaServer

from .conftest import Pages, join_as_participant, local


async def test_banner_while_the_server_is_down_and_quiet_resync(
    server_factory: type[PajaServer], pages: Pages
) -> None:
    server = server_factory().start()  # its own: the test stops it
    s = server.create_session("Yhteys")
    people = []
    for name in ("Anna", "Ben"):
        p = await pages.new("en")
        await join_as_participant(p, local(s["participant_url"], server.http), name)
        people.append(p)
    anna, ben = people

    server.terminate()
    for p in people:
        await expect(p.get_by_test_id("conn-banner")).to_contain_text("Reconnecting")
    await pages.shot(anna, "01-offline")

    # Anna keeps working while offline.
    await anna.get_by_test_id("new-note").click()
    await expect(anna.locator("textarea.note-editor")).to_be_focused()
    await anna.keyboard.type("written offline")
    await anna.keyboard.press("Escape")

    server.start()
    for p in people:
        await expect(p.get_by_test_id("conn-banner")).to_have_count(0, timeout=20_000)
    await expect(ben.locator(".note", has_text="written offline")).to_be_visible()
    await pages.shot(ben, "02-back")
