"""The organiser adjusts the programme's groups in the browser before keeping them: each
member shows organisation and kind, moves to another group with a select, and a group that
gets two members of one organisation says so; the kept groups are the adjusted ones. Then
the organiser posts the programme's summary, which reaches the latest event's webhook."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from playwright.async_api import expect
from test_webhooks import FAST, Receiver, add_webhook

from support.commands import Session
from support.processes import PajaServer
from support.programmes import Programme, members_csv

from .conftest import Pages


async def summaries_posted(receiver: Receiver, within: float = 15) -> list[dict[str, Any]]:
    """The summary.posted bodies the receiver got, waiting (bounded) for the first."""
    deadline = time.monotonic() + within
    while True:
        bodies = [json.loads(r.body) for r in receiver.at("/hook")]
        posted = [b for b in bodies if b.get("type") == "summary.posted"]
        if posted or time.monotonic() > deadline:
            return posted
        await asyncio.sleep(0.05)


async def test_the_organiser_moves_a_member_in_the_preview_and_posts_the_summary(
    server_factory: type[PajaServer], pages: Pages
) -> None:
    server = server_factory(args=FAST).start()
    receiver = Receiver()
    try:
        p = Programme.create(server, "Reverse mentoring", language="en")
        p.import_csv(members_csv(3, 2))  # 6 members, 3 organisations: two trios apart
        org = await pages.new("en", 1400, 900)
        await org.goto(f"{server.http}/p/{p.id}#token={p.organiser}")
        await org.get_by_test_id("preview-groups").click()
        draft = org.get_by_test_id("groups-draft")
        await expect(draft).to_contain_text("Nobody shares a group")
        first, second = draft.get_by_test_id("draft-group-1"), draft.get_by_test_id("draft-group-2")
        await expect(first.locator("select")).to_have_count(3)
        await expect(first).to_contain_text("supervisor")  # kind beside the name
        await expect(draft.get_by_test_id("same-org-warning")).to_have_count(0)

        mover = first.locator("select").first
        label = await mover.get_attribute("aria-label")
        assert label and label.startswith("Move Member ")
        moved_name = label.removeprefix("Move ").removesuffix(" to")
        await mover.select_option(label="Group 2")
        await expect(second.locator("select")).to_have_count(4)
        await expect(second).to_contain_text(moved_name)
        await expect(second.get_by_test_id("same-org-warning")).to_be_visible()
        await expect(first.get_by_test_id("same-org-warning")).to_have_count(0)
        await expect(draft).to_contain_text("One pair from one organisation")
        await second.scroll_into_view_if_needed()
        await pages.shot(org, "01-preview-adjusted-laptop")
        await org.set_viewport_size({"width": 390, "height": 844})
        await second.get_by_test_id("same-org-warning").scroll_into_view_if_needed()
        await pages.shot(org, "02-preview-adjusted-phone")
        await org.set_viewport_size({"width": 1400, "height": 900})

        await org.get_by_test_id("keep-groups").click()
        await expect(org.get_by_test_id("groups-seen").locator("tbody tr")).to_have_count(2)
        members = {m["id"]: m["name"] for m in p.ok("GET", "")["members"]}
        kept = {
            g["name"]: [members[m] for m in g["members"]] for g in p.ok("GET", "/groups")["groups"]
        }
        assert sorted(len(g) for g in kept.values()) == [2, 4], kept
        assert moved_name in kept["2"], kept

        # The summary, posted from the page into the latest event, reaches its webhook.
        event = p.ok("POST", "/events", body={"title": "Closing"})
        server.remember_secrets(event)
        add_webhook(Session(server, event), receiver.url("/hook"))
        await org.reload()
        await org.get_by_test_id("post-summary").click()
        await expect(org.get_by_test_id("summary-posted")).to_contain_text("Closing")
        await org.get_by_test_id("summary-posted").scroll_into_view_if_needed()
        (sent,) = await summaries_posted(receiver)
        assert "Reverse mentoring" in json.dumps(sent), sent
        await pages.shot(org, "03-summary-posted")
    finally:
        receiver.close()
