"""One Lab day, scripted end to end (issue 13, "What it must show" 2), as a new facilitator
runs it: a Finnish facilitator starts the five-phase development path from the start page,
seven people from Valtori, Kela, THL and VM join (one on a phone; Finnish, Swedish and
English), the Lab display shows the session, the agenda moves everyone to a phase board
where several people write notes in a section, a keep-apart trio round and a balanced
reverse-mentoring round run back to back (a help call in one, a broadcast in the other),
the rooms' notes are harvested to the main board, a dot vote and both feedback polls
follow, and the session ends on every screen. The generated summary must tell all of it.

Everything a person does goes through the pages; `control` (over a WebSocket) and
`GET /summary` are read only to check what the screens cannot show."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.async_api import expect

from support.commands import Session, current_round, section
from support.processes import PajaServer
from support.yclient import YClient, eventually

from .board_view import settled_box
from .conftest import Pages, join_as_participant, local
from .test_client_session import note, type_note

# Where the words of an element end on screen (its padding aside).
TEXT_RIGHT = """e => {
  const r = document.createRange()
  r.selectNodeContents(e)
  return Math.max(...[...r.getClientRects()].map(b => b.right))
}"""


@dataclass
class Person:
    name: str
    org: str
    kind: str  # supervisor | newcomer
    lang: str
    phone: bool = False
    page: Any = None
    id: str = ""


def lab_people() -> list[Person]:
    return [
        Person("Aino", "Valtori", "supervisor", "fi"),
        Person("Erik", "Valtori", "newcomer", "sv"),
        Person("Sara", "Kela", "supervisor", "en"),
        Person("Pekka", "Kela", "newcomer", "en", phone=True),
        Person("Tom", "THL", "supervisor", "en"),
        Person("Lisa", "THL", "newcomer", "en"),
        Person("Mark", "VM", "newcomer", "en"),
    ]


# What the harvest asks of a person, in their language (client/src/i18n).
OPEN_ROOM = {
    "fi": "Avaa huoneesi taulu",
    "sv": "Öppna ert rums tavla",
    "en": "Open your room's board",
}
BRING_ONE = {
    "fi": "Tuo 1 päätaululle",
    "sv": "Ta 1 till huvudtavlan",
    "en": "Bring 1 to the main board",
}
BACK = {
    "fi": "Takaisin päätaululle",
    "sv": "Tillbaka till huvudtavlan",
    "en": "Back to the main board",
}
FIT = {"fi": "Sovita näyttöön", "sv": "Anpassa till skärmen", "en": "Fit to screen"}
DISMISS = {"fi": "Sulje", "sv": "Stäng", "en": "Dismiss"}
ENDED = {
    "fi": "Tämä tilaisuus on päättynyt",
    "sv": "Den här sessionen har avslutats",
    "en": "This session has ended",
}
SECTION_NOTES = {
    "Aino": "Yhteinen perehdytys",
    "Sara": "Shared onboarding",
    "Erik": "Gemensam mentor",
}
HEARD = [5, 4, 5, 4, 5, 5, 4]  # "I felt heard", one answer each, in the order people joined
ADOPT = [4, 4, 3, 5, 4, 4, 4]  # "I intend to use what we made"


def tags_of(control: YClient, person_id: str, key: str) -> str:
    tags = section(control, "roster")[person_id]["tags"]
    return next(t.split(":", 1)[1] for t in tags if t.startswith(f"{key}:"))


async def round_in(control: YClient, state: str) -> dict[str, Any]:
    await eventually(
        lambda: (current_round(control) or {}).get("state") == state, what=f"a round {state}"
    )
    return current_round(control) or {}


async def rooms_open_on_screens(people: list[Person], rnd: dict[str, Any]) -> dict[str, str]:
    """Every member sees their room's board and banner; answers each person's room board."""
    board_of = {m: room["board"] for room in rnd["rooms"] for m in room["members"]}
    for p in people:
        await expect(p.page.get_by_test_id("board-select")).to_have_value(board_of[p.id])
        await expect(p.page.get_by_test_id("room-banner")).to_be_visible()
    return board_of


async def room_notes(people: list[Person], rnd: dict[str, Any], label: str) -> dict[str, str]:
    """One note per room, written by a member at a laptop; answers room board -> text."""
    written = {}
    for room in rnd["rooms"]:
        writer = next(p for p in people if p.id in room["members"] and not p.phone)
        text = f"{label} {room['name']}: {writer.name}"
        await writer.page.get_by_test_id("new-note").click()
        await type_note(writer.page, text)
        for p in people:
            if p.id in room["members"]:
                await expect(note(p.page, text)).to_be_visible()
        written[room["board"]] = text
    return written


async def out_of_the_rooms(people: list[Person]) -> None:
    """The round is over on every screen: no banner, no room board (each person is back on
    the board they were on before, here the agenda's phase board or main)."""
    for p in people:
        await expect(p.page.get_by_test_id("room-banner")).to_have_count(0, timeout=20_000)
        await expect(p.page.get_by_test_id("board-select")).not_to_have_value(
            re.compile("^breakout-")
        )


async def answer_poll(people: list[Person], answers: list[int]) -> None:
    for p, answer in zip(people, answers, strict=True):
        form = p.page.get_by_test_id("poll-form")
        await expect(form).to_be_visible()
        await form.locator(f"input[value='{answer}']").check()
        await form.locator("button[type=submit]").click()
        await expect(form).to_have_count(0)


async def test_a_lab_day_from_start_to_summary(server: PajaServer, pages: Pages) -> None:
    # The facilitator starts the development path in Finnish from the start page.
    fac = await pages.new("fi", 1400, 900)
    await fac.goto(server.http + "/")
    await fac.get_by_label("Tilaisuuden nimi").fill("Lab-päivä: uuden työntekijän polku")
    await fac.get_by_label("Kehittämisen polku").check()
    await fac.get_by_label("Pohjan tekstien kieli").select_option("fi")
    await pages.shot(fac, "01-start-fi")
    await fac.get_by_role("button", name="Luo tilaisuus").click()
    await fac.wait_for_url(re.compile(r"/s/[^/#]+"))
    session_id = fac.url.split("/s/")[1].split("#")[0]
    token = json.loads(await fac.evaluate(f"localStorage.getItem('paja:ft:{session_id}')"))
    s = Session(server, {"id": session_id, "facilitator_token": token})
    control = await s.open("control")

    # The join form asks for the organisation and supervisor-or-newcomer.
    await fac.get_by_label("organisaatio", exact=True).check()
    await fac.get_by_label("esihenkilö vai uusi", exact=True).check()
    participant_url = await fac.get_by_test_id("participant-link").input_value()
    assert participant_url.endswith("&ask=org,kind"), participant_url
    display_url = await fac.get_by_test_id("display-link").input_value()
    await pages.shot(fac, "02-invite-fi")

    display = await pages.new("fi", 1920, 1080)
    await display.goto(local(display_url, server.http))
    await expect(display.get_by_test_id("canvas")).to_be_visible()

    people = lab_people()
    for p in people:
        size = (390, 844) if p.phone else (1280, 800)
        p.page = await pages.new(p.lang, *size, phone=p.phone)
        await join_as_participant(
            p.page, local(participant_url, server.http), p.name, p.org, p.kind
        )
        creds = json.loads(await p.page.evaluate(f"localStorage.getItem('paja:p:{session_id}')"))
        p.id = creds["participant_id"]
    by_name = {p.name: p for p in people}
    phone = next(p for p in people if p.phone)
    await eventually(lambda: len(section(control, "roster")) == 7, what="seven in the roster")
    assert tags_of(control, by_name["Pekka"].id, "org") == "Kela"
    assert tags_of(control, by_name["Pekka"].id, "kind") == "newcomer"
    await pages.shot(phone.page, "03-joined-phone-en")
    await pages.shot(display, "04-display-joined")

    # The agenda: welcome on main, then "Kiinnostu" moves everyone to its phase board.
    await fac.get_by_test_id("tab-agenda").click()
    await fac.get_by_role("button", name="Aloita", exact=True).click()
    await expect(fac.get_by_test_id("agenda-now")).to_contain_text("Tervetuloa")
    await fac.get_by_role("button", name="Seuraava kohta").click()
    for p in people:
        await expect(p.page.get_by_test_id("board-select")).to_have_value("get-interested")
    await expect(by_name["Erik"].page.get_by_test_id("agenda-now")).to_contain_text(
        "Bli intresserad"
    )
    await expect(display.get_by_test_id("display-agenda")).to_contain_text("Kiinnostu")
    await pages.shot(by_name["Erik"].page, "05-phase-board-sv")

    # Aino draws a section; she, Sara and Erik write notes inside it; Pekka adds one by phone.
    aino = by_name["Aino"].page
    await aino.get_by_role("button", name="Uusi alue").click()
    await expect(aino.locator(".section-title-input")).to_be_focused()
    await aino.keyboard.type("Tarpeet")
    await aino.keyboard.press("Enter")
    spots = [(0.25, 0.45), (0.75, 0.45), (0.5, 0.8)]
    for (name, text), (fx, fy) in zip(SECTION_NOTES.items(), spots, strict=True):
        page = by_name[name].page
        area = page.locator(".section", has_text="Tarpeet")
        await expect(area).to_be_visible()
        box = await settled_box(area)
        await area.dblclick(position={"x": box["width"] * fx, "y": box["height"] * fy})
        await type_note(page, text)
    await phone.page.get_by_test_id("new-note").tap()
    await type_note(phone.page, "Mentori ensimmäiselle viikolle")
    for p in people:
        for text in [*SECTION_NOTES.values(), "Mentori ensimmäiselle viikolle"]:
            await expect(note(p.page, text)).to_be_visible()
    # The Lab display follows the agenda to the phase board and shows the notes too.
    await expect(note(display, SECTION_NOTES["Aino"])).to_be_visible()
    await pages.shot(aino, "06-section-notes-fi")
    await pages.shot(phone.page, "07-section-notes-phone")

    # Round 1: trios that mix organisations. No two people of one organisation share a room.
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.locator("#bo-strategy").select_option("keep_apart")
    await fac.locator("#bo-size").fill("3")
    await fac.locator("#bo-countdown").fill("0")
    await fac.get_by_test_id("breakout-preview").click()
    draft = await round_in(control, "draft")
    await expect(fac.get_by_test_id("room")).to_have_count(len(draft["rooms"]))
    assert sorted(m for r in draft["rooms"] for m in r["members"]) == sorted(p.id for p in people)
    for room in draft["rooms"]:
        orgs = [tags_of(control, m, "org") for m in room["members"]]
        assert len(orgs) == len(set(orgs)), (room["name"], orgs)
        assert len(orgs) >= 3, (room["name"], orgs)  # trios (or one room of four)
    await pages.shot(fac, "08-keep-apart-preview-fi")
    await fac.get_by_test_id("breakout-open").click()
    first = await round_in(control, "open")
    await rooms_open_on_screens(people, first)
    first_notes = await room_notes(people, first, "Trio")

    # Pekka asks for help from his phone; the facilitator gets a pop-up and goes to the room.
    phone_room = next(r for r in first["rooms"] if phone.id in r["members"])
    await phone.page.get_by_role("button", name="Ask the facilitator for help").tap()
    popup = fac.get_by_test_id("help-popup")
    await expect(popup).to_contain_text(f"{phone_room['name']} pyytää apua.")
    await pages.shot(fac, "09-help-call-fi")
    await popup.get_by_role("button", name="Siirry huoneeseen").click()
    await expect(fac.get_by_test_id("board-select")).to_have_value(phone_room["board"])
    await expect(popup).to_have_count(0)
    await expect(note(fac, first_notes[phone_room["board"]])).to_be_visible()
    await fac.get_by_role("button", name="Sulje huoneet").click()
    await round_in(control, "closed")
    await out_of_the_rooms(people)

    # The harvest: someone from each trio brings the room's note to the main board.
    harvested = []
    for room in first["rooms"]:
        p = next(p for p in people if p.id in room["members"] and not p.phone)
        text = first_notes[room["board"]]
        await p.page.get_by_role("button", name=OPEN_ROOM[p.lang]).click()
        await expect(p.page.get_by_test_id("board-select")).to_have_value(room["board"])
        await note(p.page, text).click()
        harvest = p.page.get_by_test_id("harvest-bar")
        await harvest.get_by_role("button", name=BRING_ONE[p.lang]).click()
        await harvest.get_by_role("button", name=BACK[p.lang]).click()
        await expect(p.page.get_by_test_id("board-select")).to_have_value("main")
        harvested.append(text)

    # Round 2, straight after: reverse-mentoring pairs, supervisors and newcomers balanced.
    await fac.get_by_test_id("tab-breakouts").click()
    await fac.locator("#bo-strategy").select_option("balanced")
    await fac.locator("#bo-size").fill("2")
    await fac.locator("#bo-countdown").fill("0")
    await fac.get_by_test_id("breakout-preview").click()
    await eventually(lambda: (current_round(control) or {}).get("id") == "r2", what="round 2")
    second = await round_in(control, "draft")
    supervisors = {p.id for p in people if p.kind == "supervisor"}
    per_room = [len(supervisors & set(r["members"])) for r in second["rooms"]]
    others = [len(set(r["members"]) - supervisors) for r in second["rooms"]]
    assert max(per_room) - min(per_room) <= 1 and max(others) - min(others) <= 1, second
    assert min(per_room) >= 1, "every pair has a supervisor to be mentored"
    await pages.shot(fac, "10-balanced-preview-fi")
    await fac.get_by_test_id("breakout-open").click()
    second = await round_in(control, "open")
    second_boards = await rooms_open_on_screens(people, second)
    assert not set(second_boards.values()) & {r["board"] for r in first["rooms"]}
    second_notes = await room_notes(people, second, "Pari")

    # A broadcast to every room pops up on every screen, and each can dismiss it.
    await fac.locator("#bo-message").fill("Kaksi minuuttia aikaa")
    await fac.get_by_role("button", name="Lähetä", exact=True).click()
    for p in people:
        await expect(p.page.get_by_test_id("message-popup")).to_contain_text(
            "Kaksi minuuttia aikaa"
        )
    await pages.shot(phone.page, "11-broadcast-phone")
    # On the phone the pop-up leaves the "Session tools" bar free, and of the moves just
    # made only the newest toast is up: older ones no longer hold.
    popup = await phone.page.get_by_test_id("message-popup").bounding_box()
    tools = await phone.page.locator(".sheet-toggle").bounding_box()
    assert popup and tools and popup["y"] + popup["height"] <= tools["y"], (popup, tools)
    assert await phone.page.locator(".toast").count() <= 1
    erik = by_name["Erik"].page
    await erik.get_by_test_id("message-popup").get_by_role("button", name=DISMISS["sv"]).click()
    await expect(erik.get_by_test_id("message-popup")).to_have_count(0)
    await fac.get_by_role("button", name="Sulje huoneet").click()
    await round_in(control, "closed")
    await out_of_the_rooms(people)

    # The facilitator brings everyone to the main board, where the harvest is, for a dot
    # vote: the first harvested note is everyone's first choice.
    await fac.get_by_test_id("board-select").select_option("main")
    for text in harvested:
        await expect(note(fac, text)).to_be_visible()
    await fac.get_by_role("button", name="Sovita näyttöön").click()
    await fac.get_by_test_id("tab-boards").click()
    await fac.get_by_test_id("bring-here").click()
    for p in people:
        await expect(p.page.get_by_test_id("board-select")).to_have_value("main")
        for text in harvested:
            await expect(note(p.page, text)).to_have_count(1)
    await fac.get_by_test_id("tab-vote").click()
    await fac.locator("#vote-title").fill("Mistä aloitamme?")
    await fac.get_by_test_id("vote-start").click()
    voters = [p for p in people if not p.phone]
    favourite, runner_up = harvested[0], harvested[1]
    for p in voters:
        await expect(p.page.get_by_test_id("vote-bar")).to_be_visible()
        # a laptop's board is smaller than the facilitator's: each fits the notes on theirs
        await p.page.get_by_role("button", name=FIT[p.lang]).click()
        await note(p.page, favourite).locator(".dot-btn").first.click()
    await pages.shot(aino, "12-voting-fi")
    aino_dot = note(aino, runner_up).locator(".dot-btn").first
    await aino_dot.click()
    await expect(fac.get_by_test_id("vote-card")).to_contain_text(str(len(voters) + 1))
    await fac.get_by_test_id("vote-reveal").click()
    await expect(fac.get_by_test_id("vote-results")).to_contain_text(favourite)
    for p in voters:
        await expect(note(p.page, favourite).locator(".note-result")).to_have_text(str(len(voters)))
    await expect(note(display, favourite).locator(".note-result")).to_have_text(str(len(voters)))
    # Read from the back of the room: no word of a ranked note lies under its count.
    for text in (favourite, runner_up):
        badge = await note(display, text).locator(".note-result").bounding_box()
        words_end = await note(display, text).locator(".note-text").evaluate(TEXT_RIGHT)
        assert badge and words_end <= badge["x"] + 1, (text, words_end, badge)
    await pages.shot(fac, "12-vote-results-fi")

    # Both feedback polls, one after the other: everyone answers, on the phone too.
    await fac.get_by_test_id("tab-poll").click()
    await fac.get_by_role("button", name=re.compile("Tulin kuulluksi")).click()
    await answer_poll(people, HEARD)
    await expect(fac.get_by_test_id("poll-card")).to_contain_text("7")
    await fac.get_by_test_id("poll-close").click()
    await expect(fac.get_by_test_id("poll-results")).to_contain_text(re.compile(r"4[,.]6"))
    await fac.get_by_role("button", name=re.compile("Aion käyttää tätä")).click()
    await answer_poll(people, ADOPT)
    await fac.get_by_test_id("poll-close").click()
    await expect(fac.get_by_test_id("poll-results")).to_have_count(2)
    await pages.shot(fac, "13-polls-fi")

    # The end: every screen says so, in its own language.
    await fac.get_by_test_id("tab-summaries").click()
    await fac.get_by_test_id("end-session").click()
    await fac.get_by_test_id("confirm-yes").click()
    for page, lang in [(fac, "fi"), (display, "fi"), *[(p.page, p.lang) for p in people]]:
        await expect(page.get_by_test_id("session-ended")).to_contain_text(ENDED[lang])
    for p in people:  # nothing more can be brought to the main board: no harvest offered
        await expect(p.page.get_by_role("button", name=OPEN_ROOM[p.lang])).to_have_count(0)
    await pages.shot(fac, "14-ended-fi")
    await pages.shot(display, "15-ended-display")
    await pages.shot(phone.page, "16-ended-phone")

    # The summary tells the day: the vote's top notes, both polls, each board's and room's notes.
    r = httpx.get(
        f"{server.http}/api/sessions/{session_id}/summary",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    summary = r.json()
    assert summary["ended_at"] is not None
    assert summary["counts"]["participants"] == 7
    top = [(n["text"], n["dots"], n["rank"]) for n in summary["top_notes"]]
    assert top[:2] == [(favourite, len(voters), 1), (runner_up, 1, 2)], top
    assert [(v["title"], v["voters"]) for v in summary["votes"]] == [("Mistä aloitamme?", 6)]
    polls = {p["question"]: p for p in summary["polls"]}
    heard, adopt = polls["Tulin kuulluksi"], polls["Aion käyttää sitä, mitä teimme"]
    assert heard["answers"] == adopt["answers"] == 7
    assert abs(heard["mean"] - sum(HEARD) / 7) < 0.01 and abs(adopt["mean"] - 4.0) < 0.01
    assert {str(o["option"]): o["count"] for o in heard["options"]}["5"] == HEARD.count(5)
    boards = {b["name"]: b for b in summary["boards"]}
    needs = [sec for sec in boards["get-interested"]["sections"] if sec["title"] == "Tarpeet"]
    assert len(needs) == 1, boards["get-interested"]
    assert {n["text"] for n in needs[0]["notes"]} == set(SECTION_NOTES.values())
    rounds = {b["id"]: b for b in summary["breakouts"]}
    for rid, written in [("r1", first_notes), ("r2", second_notes)]:
        rooms = {room["board"]: room for room in rounds[rid]["rooms"]}
        assert {b: room["notes"] for b, room in rooms.items()} == {
            b: [text] for b, text in written.items()
        }
    assert sorted(t for room in rounds["r1"]["rooms"] for t in room["promoted"]) == sorted(
        harvested
    )
    await s.close_all()
