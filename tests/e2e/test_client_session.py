"""A mini session in four browsers and the Lab display, the way a facilitator runs one:
start a session, three people join, notes appear on every screen, a timer runs on all,
a trio breakout opens and closes, a dot vote and a poll complete, the display shows it all."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import expect
from pycrdt import Array

from support.commands import section
from support.processes import PajaServer
from support.yclient import YClient

from .conftest import Pages, join_as_participant, local

PEOPLE = [("Pia", "VM", "fi"), ("Olli", "Valtori", "sv"), ("Sara", "OKM", "en")]
# "you have {n} dots left" in each person's language
DOTS_LEFT = {"fi": "sinulla on {n} pistettä", "sv": "du har {n} prickar", "en": "you have {n} dots"}


def note(page: Any, text: str) -> Any:
    return page.locator(".note", has_text=text)


async def type_note(page: Any, text: str) -> None:
    """Type into the note editor that a new note opens, then finish with Escape."""
    await expect(page.locator("textarea.note-editor")).to_be_focused()
    await page.keyboard.type(text)
    await page.keyboard.press("Escape")
    await expect(page.locator("textarea.note-editor")).to_have_count(0)


async def test_mini_session_on_every_screen(server: PajaServer, pages: Pages) -> None:
    # The facilitator starts a session from the start page, with the five-phase template.
    fac = await pages.new("en", 1400, 900)
    await fac.goto(server.http + "/")
    await fac.get_by_label("Session title").fill("Wellbeing economy")
    await fac.get_by_label("Development path").check()
    await fac.get_by_label("Language of the template texts").select_option("en")
    await pages.shot(fac, "01-start")
    await fac.get_by_role("button", name="Create session").click()
    await fac.wait_for_url(re.compile(r"/s/[^/#]+"))
    participant_url = await fac.get_by_test_id("participant-link").input_value()
    await fac.get_by_label("their organisation").check()
    participant_url = await fac.get_by_test_id("participant-link").input_value()
    assert participant_url.endswith("&ask=org")
    display_url = await fac.get_by_test_id("display-link").input_value()
    session_id = fac.url.split("/s/")[1].split("#")[0]
    await pages.shot(fac, "02-facilitator")

    # Three people join, each in their own language, and write a note.
    people = []
    for name, org, lang in PEOPLE:
        p = await pages.new(lang)
        await join_as_participant(p, local(participant_url, server.http), name, org=org)
        people.append(p)
    await pages.shot(people[0], "03-joined-fi")

    texts = [f"{name}: idea" for name, _, _ in PEOPLE]
    for p, text in zip(people, texts, strict=True):
        await p.get_by_test_id("canvas").dblclick(
            position={"x": 200 + 200 * people.index(p), "y": 200}
        )
        await type_note(p, text)
    # Text is text: markup typed into a note is shown, never parsed.
    await people[2].get_by_test_id("new-note").click()
    await type_note(people[2], "<img src=x onerror=alert(1)> <b>bold?</b>")

    display = await pages.new("fi", 1920, 1080)
    await display.goto(local(display_url, server.http))
    for page in [fac, *people, display]:
        for text in texts:
            await expect(note(page, text)).to_be_visible()
        await expect(note(page, "<b>bold?</b>")).to_be_visible()
        assert await page.locator(".note img, .note b").count() == 0
    await pages.shot(fac, "04-notes-facilitator")
    await pages.shot(display, "05-display-notes")

    # The agenda begins: its first item and its timer show on every screen.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.get_by_role("button", name="Begin").click()
    welcome = {"fi": "Tervetuloa", "sv": "Välkommen", "en": "Welcome"}
    for page, lang in [(fac, "en"), *zip(people, [lang for _, _, lang in PEOPLE], strict=True)]:
        await expect(page.get_by_test_id("agenda-now")).to_contain_text(welcome[lang])
        await expect(page.get_by_test_id("timer-digits").first).to_have_text(
            re.compile(r"^(10:00|9:\d\d)$")
        )
    await expect(display.get_by_test_id("display-agenda")).to_contain_text("Tervetuloa")
    await expect(display.locator(".timer.big .timer-digits")).to_have_text(
        re.compile(r"^(10:00|9:\d\d)$")
    )
    await pages.shot(people[1], "06-timer-sv")
    await pages.shot(display, "07-display-timer")

    # A trio breakout across organisations, with a 3-second return countdown.
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.get_by_label("How to group people").select_option("keep_apart")
    await fac.locator("#bo-size").fill("3")
    await fac.locator("#bo-countdown").fill("3")
    await fac.get_by_test_id("breakout-preview").click()
    await expect(fac.get_by_test_id("room")).to_have_count(1)
    for name, _, _ in PEOPLE:
        await expect(fac.get_by_test_id("room")).to_contain_text(name)
    await pages.shot(fac, "08-breakout-preview")
    await fac.get_by_test_id("breakout-open").click()
    await expect(people[0].locator(".toast", has_text="Siirryit huoneeseen")).to_be_visible()
    for p in people:
        await expect(p.get_by_test_id("room-banner")).to_be_visible()
        await expect(p.get_by_test_id("board-select")).to_have_value("breakout-1")
        await expect(p.get_by_test_id("room-countdown")).to_be_visible()
    await people[0].get_by_test_id("new-note").click()
    await type_note(people[0], "from the trio")
    for p in people[1:]:
        await expect(note(p, "from the trio")).to_be_visible()
    await expect(note(fac, "from the trio")).to_have_count(0)  # the facilitator is still on main
    await pages.shot(people[0], "09-in-room-fi")

    await fac.get_by_test_id("breakout-close").click()
    for p in people:
        await expect(p.get_by_test_id("room-banner")).to_have_count(0, timeout=20_000)
        await expect(p.get_by_test_id("board-select")).to_have_value("main")
        await expect(note(p, texts[0])).to_be_visible()
    await pages.shot(people[2], "10-back-in-main")

    # After the round, Pia brings the trio's note to the main board (the harvest).
    await people[0].get_by_role("button", name="Avaa huoneesi taulu").click()
    await expect(people[0].get_by_test_id("board-select")).to_have_value("breakout-1")
    await note(people[0], "from the trio").click()
    harvest = people[0].get_by_test_id("harvest-bar")
    await harvest.get_by_role("button", name="Tuo 1 päätaululle").click()
    await expect(note(fac, "from the trio")).to_be_visible()
    await harvest.get_by_role("button", name="Takaisin päätaululle").click()
    await expect(people[0].get_by_test_id("board-select")).to_have_value("main")
    await expect(note(people[0], "from the trio")).to_be_visible()

    # A dot vote on the main board: everyone places a dot, the facilitator reveals.
    await fac.get_by_test_id("tab-vote").click()
    await fac.locator("#vote-title").fill("Which idea first?")
    await fac.get_by_test_id("vote-start").click()
    for p, (_, _, lang) in zip(people, PEOPLE, strict=True):
        await expect(p.get_by_test_id("vote-bar")).to_contain_text(DOTS_LEFT[lang].format(n=3))
        await note(p, texts[0]).locator(".dot-btn").first.click()
        await expect(p.get_by_test_id("vote-bar")).to_contain_text(DOTS_LEFT[lang].format(n=2))
    await expect(fac.get_by_test_id("vote-card")).to_contain_text("3 dots from 3 people so far")
    await fac.get_by_test_id("vote-reveal").click()
    await expect(fac.get_by_test_id("vote-results")).to_contain_text(texts[0])
    for page in [fac, *people]:
        await expect(note(page, texts[0]).locator(".note-result")).to_have_text("3")
    await pages.shot(fac, "11-vote-results")

    # A feedback poll: "I felt heard", 1-5; the results reach everyone when it closes.
    await fac.get_by_test_id("tab-poll").click()
    await fac.get_by_role("button", name=re.compile("I felt heard")).click()
    for p, answer in zip(people, ["5", "4", "5"], strict=True):
        form = p.get_by_test_id("poll-form")
        await expect(form).to_be_visible()
        await form.locator(f"input[value='{answer}']").check()
        await form.locator("button[type=submit]").click()
        await expect(form).to_have_count(0)
    await expect(fac.get_by_test_id("poll-card")).to_contain_text("3 answers")
    await pages.shot(people[0], "12-poll-answered")
    await fac.get_by_test_id("poll-close").click()
    await expect(fac.get_by_test_id("poll-results")).to_contain_text("4.7")
    await people[2].get_by_test_id("tab-poll").click()
    await expect(people[2].get_by_test_id("poll-results")).to_contain_text("4.7")
    await pages.shot(fac, "13-poll-results")

    # A wrap-up summary: Markdown is shown formatted, and markup as the text it is.
    await fac.get_by_test_id("tab-summaries").click()
    await fac.locator("#summary-text").fill(
        "## Decisions\n- try <b>it</b> <script>alert(1)</script>"
    )
    await fac.get_by_role("button", name="Post summary").click()
    await people[1].get_by_test_id("tab-summaries").click()
    summary = people[1].get_by_test_id("summary")
    await expect(summary.locator("h4")).to_have_text("Decisions")
    await expect(summary.locator("li")).to_have_text("try <b>it</b> <script>alert(1)</script>")
    assert await summary.locator("b, script").count() == 0
    await pages.shot(people[1], "14-summary-sv")

    # The Lab display still shows the main board and the running timer.
    await expect(note(display, texts[0])).to_be_visible()
    await expect(display.locator(".timer.big .timer-digits")).to_have_text(
        re.compile(r"^\d+:\d\d$")
    )
    await pages.shot(display, "15-display-end")

    # Everything above went through the server: the display's control document agrees.
    display_token = display_url.split("#token=")[1]
    control = await YClient(server.board_url(session_id, "control", display_token)).connect()
    roster = section(control, "roster").values()
    assert sorted((p["name"], p["tags"]) for p in roster) == sorted(
        (name, [f"org:{org}"]) for name, org, _ in PEOPLE
    )
    [vote] = section(control, "votes").values()
    assert vote["state"] == "revealed" and vote["dots_cast"] == 3 and vote["voters"] == 3
    assert [r["dots"] for r in vote["results"]] == [3]
    [poll] = section(control, "polls").values()
    assert poll["state"] == "closed" and poll["answers"] == 3
    assert poll["results"]["counts"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 2}
    summaries = control.doc.get("summaries", type=Array).to_py()
    assert [x["markdown"] for x in summaries] == [
        "## Decisions\n- try <b>it</b> <script>alert(1)</script>"
    ]
    await control.close()
    r = httpx.get(f"{server.http}/api/sessions/{session_id}", timeout=10)
    assert r.status_code == 401  # and nobody reads it without a token


async def test_the_facilitator_token_leaves_the_address_bar_and_stays_signed_in(
    server: PajaServer, pages: Pages
) -> None:
    created = server.create_session("Token hygiene")
    token = created["facilitator_token"]
    fac = await pages.new("en")
    await fac.goto(local(created["facilitator_url"], server.http))
    await expect(fac.get_by_test_id("tab-agenda")).to_be_visible()
    assert await fac.evaluate("location.hash") == ""
    assert token not in fac.url

    await fac.reload()
    await expect(fac.get_by_test_id("tab-agenda")).to_be_visible()
    assert token not in fac.url
    await fac.go_back()  # the blank page the tab opened with
    await fac.go_forward()
    assert token not in fac.url, "the history entry of the page no longer holds the token"
    await expect(fac.get_by_test_id("tab-agenda")).to_be_visible()
    again = await fac.context.new_page()  # the bare page, in another tab of this browser
    await again.goto(f"{server.http}/s/{created['id']}")
    await expect(again.get_by_test_id("tab-agenda")).to_be_visible()

    elsewhere = await pages.new("en")  # another browser: nothing is kept there
    await elsewhere.goto(f"{server.http}/s/{created['id']}")
    await expect(elsewhere.get_by_text("This link is missing its key")).to_be_visible()
