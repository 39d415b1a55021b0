"""A mentoring programme in the browser: the organiser creates it, imports 30 members of 10
organisations, forms 10 trios across organisations and runs a kickoff whose breakout round
uses the trios; a trio later meets in its own space (one member starts a live session, the
others come from their personal links and write notes) while the organiser sees only that
it met; a second event opens for members without joining again; a follow-up poll is
answered and counted in the summary."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from support.processes import PajaServer
from support.programmes import Programme, members_csv
from support.yclient import refusal

from .conftest import Pages, local


async def shot(pages: Pages, page: Any, name: str) -> None:
    await pages.shot(page, name)


async def write_note(page: Any, text: str) -> None:
    await page.get_by_test_id("new-note").click()
    await expect(page.locator("textarea.note-editor")).to_be_focused()
    await page.keyboard.type(text)
    await page.keyboard.press("Escape")


async def test_a_programme_from_kickoff_to_trios_and_a_second_event(
    server: PajaServer, pages: Pages
) -> None:
    org = await pages.new("en", 1400, 900)
    await org.goto(server.http + "/p/new")
    await org.locator("#prog-title").fill("Peer mentoring 2026")
    await org.locator("#prog-lang").select_option("en")
    await org.get_by_role("button", name="Create the programme").click()
    await expect(org.get_by_test_id("organiser-tools")).to_be_visible()
    programme_id = org.url.split("/p/")[1].split("#")[0]
    assert "token=" not in org.url, "the token leaves the address bar"
    token = await org.evaluate(f"localStorage.getItem('paja:prog:{programme_id}')")
    server.secrets.add(token)
    p = Programme(server, {"id": programme_id, "organiser_token": token})

    await org.locator("#prog-phases").fill("Kickoff\nTrios meet\nClosing")
    await org.get_by_role("button", name="Save").first.click()
    await expect(org.get_by_test_id("phases").locator("li")).to_have_count(3)
    await org.locator("#members-csv").fill(members_csv(10, 3))
    await org.get_by_test_id("import-csv").click()
    links = org.get_by_test_id("member-links").locator("li")
    await expect(links).to_have_count(30)
    url_of = {}
    for n in range(30):
        line = await links.nth(n).inner_text()
        name, url = line.split(" <")[0], line.split(": ", 1)[1]
        url_of[name] = url
        server.secrets.add(url.split("#token=")[1])
    await shot(pages, org, "01-organiser-members")

    await org.get_by_test_id("preview-groups").click()
    await expect(org.get_by_test_id("groups-draft")).to_contain_text("Nobody shares a group")
    await org.get_by_test_id("keep-groups").click()
    await expect(org.get_by_test_id("groups-seen").locator("tbody tr")).to_have_count(10)
    members = {m["id"]: m for m in p.ok("GET", "")["members"]}
    trios = p.ok("GET", "/groups")["groups"]
    for trio in trios:
        assert len({members[m]["organisation"] for m in trio["members"]}) == 3
    await shot(pages, org, "02-organiser-trios")

    # The kickoff, its breakout round "to your trios" from the facilitator's panel.
    await org.get_by_test_id("event-title").fill("Kickoff")
    await org.get_by_test_id("create-event").click()
    await org.get_by_test_id("open-event-Kickoff").click()
    await expect(org.get_by_test_id("canvas")).to_be_visible()
    await org.get_by_test_id("tab-breakouts").click()
    await org.locator("#bo-strategy").select_option("programme_groups")
    await org.get_by_test_id("breakout-preview").click()
    await org.get_by_test_id("breakout-open").click()
    kickoff = p.ok("GET", "")["timeline"][0]["session_id"]
    trio = trios[0]
    a, b, c = (members[m]["name"] for m in trio["members"])

    aino = await pages.new("fi", 390, 844, phone=True)
    await aino.goto(local(url_of[a], server.http))
    await aino.get_by_test_id("open-event-Kickoff").click()
    await expect(aino.get_by_test_id("canvas")).to_be_visible()
    await expect(aino.locator("#name")).to_have_count(0)  # nobody joins again
    await expect(aino.get_by_test_id("board-select")).to_have_value("breakout-1")
    await shot(pages, aino, "03-member-in-trio-room-phone")

    # Later: the trio's space. Aino starts a live session; the others come from their links.
    await aino.goto(f"{server.http}/p/{programme_id}")
    await expect(aino.get_by_test_id("group-space")).to_be_visible()
    await expect(aino.get_by_test_id("phases")).to_contain_text("Trios meet")
    await aino.get_by_text("Yhteenveto").first.click()
    await expect(aino.locator("details[open]")).to_contain_text("Kickoff")  # its summary
    await shot(pages, aino, "04-member-programme-phone")
    await aino.get_by_test_id("start-live").click()
    await expect(aino.get_by_test_id("canvas")).to_be_visible()
    space = aino.url.split("/j/")[1].split("#")[0]
    others = []
    for name, lang in ((b, "sv"), (c, "en")):
        page = await pages.new(lang, 1400, 900)
        await page.goto(local(url_of[name], server.http))
        await page.get_by_test_id("open-space").click()
        await expect(page.get_by_test_id("canvas")).to_be_visible()
        others.append(page)
    for n, page in enumerate([aino, *others]):
        await write_note(page, f"Trio secret {n}")
    for page in [aino, *others]:
        await expect(page.locator(".note")).to_have_count(3)
    await shot(pages, others[1], "05-trio-space-laptop")

    # The organiser sees that the trio met, not what it wrote: on the page, over REST, and
    # with a stock Yjs client holding any of the organiser's tokens.
    await org.goto(f"{server.http}/p/{programme_id}")
    row = org.get_by_test_id(f"group-{trio['name']}")
    await expect(row.locator("td").nth(2)).to_have_text("1")
    await expect(row.locator("td").nth(3)).to_have_text("3")
    assert "Trio secret" not in await org.content()
    assert "Trio secret" not in p.call("GET", "/groups").text + p.call("GET", "").text
    await shot(pages, org, "06-organiser-sees-the-trio-met")
    organiser_sessions = p.me(token)["sessions"]
    assert space not in organiser_sessions
    for t in [token, *organiser_sessions.values()]:
        assert await refusal(server.board_url(space, "main", t)) == 4401

    # A second event: members open it from the programme, nobody joins again.
    p.ok("POST", "/events", body={"title": "Meetup"})
    cilla = others[1]
    await cilla.goto(f"{server.http}/p/{programme_id}")
    await cilla.get_by_test_id("open-event-Meetup").click()
    await expect(cilla.get_by_test_id("canvas")).to_be_visible()
    await expect(cilla.locator("#name")).to_have_count(0)
    meetup = p.ok("GET", "")["timeline"][1]["session_id"]
    assert meetup != kickoff

    # A follow-up poll, answered from its own link, counted in the summary.
    await org.get_by_test_id("followup-heard").click()
    poll_links = org.get_by_test_id("followup-links").locator("li code")
    await expect(poll_links).to_have_count(30)
    poll_url = await poll_links.first.inner_text()
    server.secrets.add(poll_url.split("#token=")[1])
    voter = await pages.new("sv", 390, 844, phone=True)
    await voter.goto(local(poll_url, server.http))
    await voter.get_by_test_id("answer-4").click()
    await expect(voter.get_by_test_id("poll-thanks")).to_be_visible()
    await shot(pages, voter, "07-followup-answered-phone")
    again = await pages.new("sv", 390, 844, phone=True)
    await again.goto(local(poll_url, server.http))
    await expect(again.locator(".error-text")).to_be_visible()  # once per link
    await org.get_by_test_id("load-summary").click()
    await expect(org.get_by_test_id("programme-summary")).to_contain_text("I felt heard: 1")
    await shot(pages, org, "08-organiser-summary")
