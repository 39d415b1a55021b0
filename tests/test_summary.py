"""A scripted workshop through a live server, then its generated summary as the facilitator,
the bot and the Lab display read it: the top notes, the poll and each breakout room's
outcome, in Finnish and in English."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from pycrdt import Map

from support.commands import Session, current_round
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import YClient, eventually


def write_note(
    client: YClient, note_id: str, text: str, person: dict[str, Any], *, at: int, section: Any
) -> None:
    client.doc.get("notes", type=Map)[note_id] = note_map(
        text,
        author=person["participant_id"],
        author_name=person["name"],
        at=at,
        section=section,
        x=10 if section else 1010,  # in its section, or away from every section
        y=10,
    )


async def test_a_scripted_session_is_summarised_with_its_figures_in_finnish_and_english(
    server: PajaServer,
) -> None:
    s = Session.create(server, "Kehittämispäivä", language="fi")
    pia, olli, sara, eero = (s.join(n) for n in ("Pia", "Olli", "Sara", "Eero"))
    display = s.created["observer_token"]
    lab = await s.open("control", display)

    # Notes in sections on the main board, written by the people themselves.
    facilitator_main = await s.open("main")
    facilitator_main.doc.get("sections", type=Map)["s-keep"] = Map(
        {"title": "Säilytä", "x": 0, "y": 0, "w": 400, "h": 400, "color": "#eee"}
    )
    pia_main, olli_main = await s.open("main", pia["token"]), await s.open("main", olli["token"])
    write_note(pia_main, "n-pilot", "Pilotoidaan malli", pia, at=1, section="s-keep")
    write_note(olli_main, "n-weekly", "Viikoittainen tapaaminen", olli, at=2, section=None)
    lab_main = await s.open("main", display)
    await eventually(
        lambda: (
            len(lab_main.notes()) == 2
            and "Säilytä" in str(lab_main.doc.get("sections", type=Map).to_py())
        )
    )

    # A breakout round: each room's group writes on its own board, then it closes.
    draft = s.ok(
        "POST",
        "/breakouts",
        body={"strategy": "random", "group_size": 2, "duration_ms": 600_000, "closing_ms": 0},
    )
    by_id = {p["participant_id"]: p for p in (pia, olli, sara, eero)}
    first, second = ([by_id[m] for m in room["members"]] for room in draft["rooms"])
    s.ok("POST", "/breakouts/r1/open")
    room1, room2 = (
        await s.open("breakout-1", first[0]["token"]),
        await s.open("breakout-2", second[0]["token"]),
    )
    write_note(room1, "b-spring", "Kokeilu keväällä", first[0], at=3, section=None)
    write_note(room1, "b-hr", "Kysy HR:ltä", first[0], at=4, section=None)
    write_note(room2, "c-pairs", "Mentorointiparit", second[0], at=5, section=None)
    seen1, seen2 = await s.open("breakout-1", display), await s.open("breakout-2", display)
    await eventually(lambda: len(seen1.notes()) == 2 and len(seen2.notes()) == 1)
    s.ok("POST", "/breakouts/r1/close")
    await eventually(lambda: (current_round(lab) or {}).get("state") == "closed", 10, "closed")
    promoted = s.ok(
        "POST", "/breakouts/r1/rooms/breakout-1/promote", first[1]["token"], {"notes": ["b-spring"]}
    )["notes"][0]

    # A dot vote on the main board, revealed: two notes tie at 3 dots, the promoted one has 2.
    vote = s.ok("POST", "/votes", body={"board": "main", "per_participant": 3, "per_note": 2})
    dots = [
        (pia, "n-pilot"),
        (pia, "n-pilot"),
        (pia, "n-weekly"),
        (olli, "n-pilot"),
        (olli, "n-weekly"),
        (sara, "n-weekly"),
        (sara, promoted),
        (eero, promoted),
    ]
    for person, target in dots:
        s.ok("POST", f"/votes/{vote['id']}/dots", person["token"], {"note": target})
    s.ok("POST", f"/votes/{vote['id']}/close")
    s.ok("POST", f"/votes/{vote['id']}/reveal")

    # A choice poll, closed.
    poll = s.ok(
        "POST",
        "/polls",
        body={"kind": "choice", "question": "Mitä seuraavaksi?", "options": ["Pilotti", "Kysely"]},
    )
    for person, choice in (
        (pia, "Pilotti"),
        (olli, "Pilotti"),
        (sara, "Pilotti"),
        (eero, "Kysely"),
    ):
        s.ok("POST", f"/polls/{poll['id']}/answers", person["token"], {"answer": choice})
    s.ok("POST", f"/polls/{poll['id']}/close")

    made = s.ok("GET", "/summary")
    assert made["language"] == "fi" and made["title"] == "Kehittämispäivä"
    assert made["counts"] == {"participants": 4, "notes": 6, "votes": 8, "boards": 3, "polls": 1}
    assert [(t["text"], t["dots"], t["rank"]) for t in made["top_notes"]] == [
        ("Pilotoidaan malli", 3, 1),
        ("Viikoittainen tapaaminen", 3, 1),
        ("Kokeilu keväällä", 2, 3),
    ]
    assert made["polls"][0]["answers"] == 4 and made["polls"][0]["options"] == [
        {"option": "Pilotti", "count": 3, "percent": 75.0},
        {"option": "Kysely", "count": 1, "percent": 25.0},
    ]
    rooms = made["breakouts"][0]["rooms"]
    assert [(r["board"], r["members"], r["notes"], r["promoted"]) for r in rooms] == [
        ("breakout-1", 2, ["Kokeilu keväällä", "Kysy HR:ltä"], ["Kokeilu keväällä"]),
        ("breakout-2", 2, ["Mentorointiparit"], []),
    ]
    keep = made["boards"][0]["sections"][0]
    assert keep["title"] == "Säilytä" and [n["text"] for n in keep["notes"]] == [
        "Pilotoidaan malli"
    ]
    dumped = json.dumps(made)
    for p in (pia, olli, sara, eero):
        assert json.dumps(p["name"]) not in dumped and p["participant_id"] not in dumped

    finnish = s.call("GET", "/summary?format=markdown", s.created["bot_token"])
    assert finnish.headers["content-type"] == "text/markdown; charset=utf-8"
    english = s.call("GET", "/summary?format=markdown&language=en", display)
    assert english.status_code == 200
    for line in (
        "# Kehittämispäivä",
        "- Pisteitä annettu: 8",
        "- **1.** Pilotoidaan malli — 3 pistettä · Yhteinen taulu",
        "- **1.** Viikoittainen tapaaminen — 3 pistettä · Yhteinen taulu",
        "- **3.** Kokeilu keväällä — 2 pistettä · Yhteinen taulu",
        "### Mitä seuraavaksi?",
        "- Pilotti: 3 (75 %)",
        "- Kysely: 1 (25 %)",
        "### Kierros 1",
        "#### Huone 1 (2 jäsentä)",
        "- Kysy HR:ltä",
        "Nostettu yhteiselle taululle:",
    ):
        assert line in finnish.text.splitlines(), line
    for line in (
        "## Top-voted notes",
        "- **3.** Kokeilu keväällä — 2 dots · Yhteinen taulu",
        "- Pilotti: 3 (75%)",
        "4 answers",
        "### Round 1",
        "#### Huone 2 (2 members)",
        "- Mentorointiparit",
        "Promoted to the main board:",
    ):
        assert line in english.text.splitlines(), line

    s.ok("PATCH", "", body={"summary_names": True})
    named = s.ok("GET", "/summary?language=en")
    assert named["people"] == ["Eero", "Olli", "Pia", "Sara"]
    assert [r["people"] for r in named["breakouts"][0]["rooms"]] == [
        sorted(p["name"] for p in first),
        sorted(p["name"] for p in second),
    ]
    assert named["boards"][0]["sections"][0]["notes"][0]["author"] == "Pia"
    await s.close_all()


async def test_only_the_facilitator_bot_and_display_read_the_summary(server: PajaServer) -> None:
    s = Session.create(server, language="en")
    person = s.join("Pia")
    refused = s.call("GET", "/summary", person["token"])
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert s.call("GET", "/summary", "not-a-token").status_code == 401
    for query in ("?format=pdf", "?language=de", "?format=markdown&language="):
        bad = s.call("GET", "/summary" + query)
        assert bad.status_code == 422 and "is one of" in bad.json()["detail"], query
    empty = s.ok("GET", "/summary", s.created["bot_token"])
    assert empty["counts"] == {"participants": 1, "notes": 0, "votes": 0, "boards": 1, "polls": 0}
    assert empty["top_notes"] == [] and empty["breakouts"] == [] and empty["language"] == "en"
    spec = httpx.get(f"{server.http}/api/openapi.json", timeout=10).json()
    parameters = spec["paths"]["/api/sessions/{session_id}/summary"]["get"]["parameters"]
    assert {p["name"] for p in parameters} == {"session_id", "format", "language"}


async def test_a_summary_is_built_once_per_version_of_its_boards(server: PajaServer) -> None:
    """The Lab display, a bot and an export asking again and again for the summary of an
    unchanged session get it without another build; a change to a board builds it anew."""
    s = Session.create(server, language="en")
    pia = s.join("Pia")
    bot = s.created["bot_token"]
    writer = await s.open("main", pia["token"])
    await s.open("control", s.created["observer_token"])  # keeps `control` loaded
    with writer.doc.transaction():
        for n in range(300):
            write_note(writer, f"n{n}", f"Idea {n}", pia, at=n, section=None)
    watcher = await s.open("main", s.created["observer_token"])
    await eventually(lambda: len(watcher.notes()) == 300, what="every note stored")

    def built() -> float:
        return server.metric("paja_summaries_built_total")

    before = built()
    first = s.call("GET", "/summary?format=markdown", bot).text
    assert "Idea 299" in first
    assert s.call("GET", "/summary?format=markdown", bot).text == first
    assert s.call("GET", "/export?format=markdown", bot).text == first, "the export shares it"
    assert built() == before + 1, "one build for three answers"
    assert s.ok("GET", "/summary", bot) == s.ok("GET", "/summary", bot)
    assert built() == before + 2, "the JSON is built once too"

    url = f"{server.http}/api/sessions/{s.id}/summary?format=markdown&language=fi"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {bot}"}) as http:
        answers = await asyncio.gather(*(http.get(url, timeout=10) for _ in range(4)))
    assert len({a.text for a in answers}) == 1 and "Lappuja: 300" in answers[0].text
    assert built() == before + 3, "requests that come during a build wait for it"

    text = writer.doc.get("notes", type=Map)["n7"]["text"]
    text += " (edited)"
    await eventually(lambda: "(edited)" in str(watcher.notes()["n7"]["text"]), what="stored")
    changed = s.call("GET", "/summary?format=markdown", bot).text
    assert changed != first and "Idea 7 (edited)" in changed
    assert built() == before + 4, "an edit builds it anew"
    await s.close_all()
