"""Joining by the short code on the Lab screen, and what a facilitator changes about the
session itself: its title, names in the summary, and ending it."""

from __future__ import annotations

import httpx

from support.commands import Session, section
from support.processes import PajaServer
from support.yclient import eventually


def test_a_code_read_off_the_screen_joins_the_session(server: PajaServer) -> None:
    s = Session.create(server, "Mentoring kickoff")
    code = s.created["join_code"]
    assert len(code) == 9 and code[4] == "-", code
    assert s.created["join_url"] == f"{server.http}/c/{code.replace('-', '')}"
    assert s.ok("GET", "")["join_code"] == code

    typed = code.lower().replace("-", " ")  # as someone types it from across the room
    found = httpx.get(f"{server.http}/api/join/{typed}")
    assert found.status_code == 200
    assert found.json() == {"session_id": s.id, "title": "Mentoring kickoff", "language": "fi"}

    joined = httpx.post(f"{server.http}/api/join/{code}", json={"name": "Aino"})
    assert joined.status_code == 201, joined.text
    person = joined.json()
    server.remember_secrets(person)
    assert person["session_id"] == s.id and person["name"] == "Aino"
    assert s.call("GET", "", person["token"]).status_code == 403, "a valid participant token"

    page = httpx.get(f"{server.http}/c/{code.replace('-', '')}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    log = server.log()
    assert "/api/join/[redacted]" in log and "/c/[redacted]" in log
    assert code.replace("-", "") not in log.upper(), "a code lets anyone in"


def test_unknown_and_malformed_codes_are_404_and_other_sessions_have_their_own(
    server: PajaServer,
) -> None:
    first, second = Session.create(server), Session.create(server)
    assert first.created["join_code"] != second.created["join_code"]
    for bad in ("ABCD-EFGH", "0000-0000", "short", "x" * 40):
        response = httpx.get(f"{server.http}/api/join/{bad}")
        assert response.status_code == 404, bad
        assert response.headers["content-type"] == "application/problem+json"
    refused = httpx.post(f"{server.http}/api/join/ABCD-EFGH", json={"name": "Eve"})
    assert refused.status_code == 404


def test_guessing_codes_is_rate_limited_per_address(server_factory: type[PajaServer]) -> None:
    server = server_factory(args=["--join-code-lookups-per-hour-per-address", "3"]).start()
    s = Session.create(server)
    answers = [httpx.get(f"{server.http}/api/join/ABCD-EFGH").status_code for _ in range(3)]
    assert answers == [404, 404, 404]
    limited = httpx.get(f"{server.http}/api/join/{s.created['join_code']}")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    # the participant link is not a code lookup: people behind the same address still join
    assert s.join("Aino")["token"]


async def test_title_names_and_end_are_written_into_control(server: PajaServer) -> None:
    s = Session.create(server, "Draft title")
    pia = s.join("Pia")
    control = await s.open("control", pia["token"])
    header = s.ok("PATCH", "", body={"title": "Retro", "summary_names": True})
    assert header["title"] == "Retro" and header["summary_names"] is True
    await eventually(lambda: section(control, "session").get("summary_names") is True)
    assert section(control, "session")["title"] == "Retro"
    assert s.call("PATCH", "", pia["token"], {"title": "Mine"}).status_code == 403
    assert s.call("PATCH", "", body={"summary_names": "yes"}).status_code == 422

    ended = s.ok("POST", "/end")
    await eventually(lambda: section(control, "session").get("ended_at") == ended["ended_at"])
    again = s.call("POST", "/end")
    assert again.status_code == 409, "a session ends once, so session.ended is sent once"
    assert s.ok("GET", "")["ended_at"] == ended["ended_at"]
    await s.close_all()
