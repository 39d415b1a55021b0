"""The links are not locked in the browser that created the session: a co-facilitator who
opens the facilitator link elsewhere makes a new participant link, Lab screen link or bot
token (after being told that the old one stops working, which it then does), and the start
page lists the sessions a browser facilitates, each of which it can forget (all of it
passing axe)."""

from __future__ import annotations

import json
import re

import httpx
from playwright.async_api import expect

from support.processes import PajaServer

from .conftest import Pages, local, serious_violations


async def test_a_facilitator_in_another_browser_reissues_the_links(
    server: PajaServer, pages: Pages
) -> None:
    # The creator starts the session on the start page; it is listed there afterwards.
    creator = await pages.new("en", 1400, 900)
    await creator.goto(server.http + "/")
    await creator.get_by_label("Session title").fill("Verkostopaja")
    await creator.get_by_role("button", name="Create session").click()
    await creator.wait_for_url(re.compile(r"/s/[^/#]+"))
    session_id = creator.url.split("/s/")[1].split("#")[0]
    await expect(creator.get_by_test_id("participant-link")).to_be_visible()
    token = json.loads(await creator.evaluate(f"localStorage.getItem('paja:ft:{session_id}')"))
    links = json.loads(await creator.evaluate(f"localStorage.getItem('paja:f:{session_id}')"))
    # The bot token is shown once, on this first view, and kept nowhere in the browser.
    first_bot = await creator.get_by_test_id("bot-token").input_value()
    await expect(creator.get_by_test_id("bot-token-once")).to_contain_text("Shown once")
    summary = f"{server.http}/api/sessions/{session_id}/summary"
    assert httpx.get(summary, headers={"Authorization": f"Bearer {first_bot}"}).status_code == 200
    stored = await creator.evaluate("JSON.stringify({...localStorage, ...sessionStorage})")
    assert "bot_token" not in links and first_bot not in stored
    old_display = await pages.new("en", 1920, 1080)
    await old_display.goto(local(links["display_url"], server.http))
    await expect(old_display.get_by_test_id("display-code")).to_have_text(links["join_code"])
    await creator.goto(server.http + "/")
    mine = creator.get_by_test_id("my-sessions")
    await expect(mine.get_by_role("link", name="Verkostopaja")).to_have_attribute(
        "href", f"/s/{session_id}"
    )

    # A co-facilitator opens the facilitator link in another browser: the join code, and a
    # way to each link, which says first that the old one stops working.
    other = await pages.new("fi", 1400, 900, inject=True)
    await other.goto(f"{server.http}/s/{session_id}#token={token}")
    await expect(other.get_by_test_id("join-code")).to_have_value(links["join_code"])
    await expect(other.get_by_test_id("participant-link")).to_have_count(0)
    await other.get_by_test_id("new-participant").click()
    confirm = other.get_by_test_id("confirm-participant")
    await expect(confirm).to_contain_text("lakkaavat toimimasta heti")
    assert await serious_violations(other) == []
    await confirm.get_by_role("button", name="Tee uusi").click()
    participant = other.get_by_test_id("participant-link")
    await expect(participant).to_have_value(re.compile(f"/j/{session_id}#join="))
    await expect(other.get_by_test_id("join-code")).not_to_have_value(links["join_code"])
    new_code = await other.get_by_test_id("join-code").input_value()
    await expect(old_display.get_by_test_id("display-code")).to_have_text(new_code)
    old_secret = links["participant_url"].split("#join=")[1]
    refused = httpx.post(
        f"{server.http}/api/sessions/{session_id}/participants",
        json={"name": "Eve"},
        headers={"Authorization": f"Bearer {old_secret}"},
    )
    assert refused.status_code == 401

    # The Lab screen link: the old screen is shut out, the new link shows the session.
    await other.get_by_test_id("new-display").click()
    confirm = other.get_by_test_id("confirm-display")
    await expect(confirm).to_contain_text("lakkaa toimimasta heti")
    await confirm.get_by_role("button", name="Tee uusi").click()
    display_link = other.get_by_test_id("display-link")
    await expect(display_link).to_have_value(re.compile(f"/d/{session_id}#token="))
    await expect(old_display.get_by_test_id("conn-banner")).to_be_visible()
    new_display = await pages.new("en", 1920, 1080)
    await new_display.goto(local(await display_link.input_value(), server.http))
    await expect(new_display.get_by_test_id("display-code")).to_have_text(new_code)

    # The bot token, likewise; cancelling changes nothing.
    await other.get_by_test_id("new-bot").click()
    await other.get_by_test_id("confirm-bot").get_by_role("button", name="Peruuta").click()
    await expect(other.get_by_test_id("bot-token")).to_have_count(0)
    await other.get_by_test_id("new-bot").click()
    await other.get_by_test_id("confirm-bot").get_by_role("button", name="Tee uusi").click()
    bot = await other.get_by_test_id("bot-token").input_value()
    assert httpx.get(summary, headers={"Authorization": f"Bearer {bot}"}).status_code == 200
    assert httpx.get(summary, headers={"Authorization": f"Bearer {first_bot}"}).status_code == 401
    await pages.shot(other, "01-reissued-links-fi")

    # The creator's browser still facilitates; its stale participant link is not offered.
    await creator.goto(f"{server.http}/s/{session_id}")
    await expect(creator.get_by_test_id("join-code")).to_have_value(new_code)
    await expect(creator.get_by_test_id("participant-link")).to_have_count(0)
    await expect(creator.get_by_test_id("bot-token")).to_have_count(0)  # it was shown once

    # The other browser's start page lists the session by its title, and forgets it.
    await other.goto(server.http + "/")
    mine = other.get_by_test_id("my-sessions")
    await expect(mine.get_by_role("link", name="Verkostopaja")).to_be_visible()
    await pages.shot(other, "02-start-page-lists-sessions")
    assert await serious_violations(other) == []
    await mine.get_by_role("button", name="Unohda Verkostopaja tällä selaimella").click()
    await expect(other.get_by_test_id("my-sessions")).to_have_count(0)
    await expect(other.get_by_test_id("live")).to_contain_text("Verkostopaja ei enää näy")
    assert await other.evaluate(f"localStorage.getItem('paja:ft:{session_id}')") is None
