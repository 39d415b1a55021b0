"""Joining by the short code on the Lab screen, and what a facilitator changes about the
session itself: its title, names in the summary, and ending it."""

from __future__ import annotations

import time

import httpx

from support.commands import Session, section
from support.processes import PajaServer
from support.redis import RedisServer, deployment
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


def join_by_link(server: PajaServer, session_id: str, secret: str, name: str) -> httpx.Response:
    return httpx.post(
        f"{server.http}/api/sessions/{session_id}/participants",
        json={"name": name},
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )


def test_a_flood_of_joins_through_the_link_is_cut_off(server: PajaServer) -> None:
    """The issue's attack: 1,000 quick joins with one participant link."""
    s = Session.create(server)
    statuses, limited = [], None
    started = time.monotonic()
    with httpx.Client(timeout=10) as http:
        for n in range(1_000):
            answer = http.post(
                f"{server.http}/api/sessions/{s.id}/participants",
                json={"name": f"bot{n}"},
                headers={"Authorization": f"Bearer {s.created['join_secret']}"},
            )
            statuses.append(answer.status_code)
            if answer.status_code == 201:
                server.remember_secrets(answer.json())
            elif answer.status_code == 429:
                limited = answer
        # 120 at once by default, then two a second as the minute's allowance refills
        refilled = int(2 * (time.monotonic() - started)) + 1
        assert 120 <= statuses.count(201) <= 120 + refilled, statuses.count(201)
        assert statuses.count(201) + statuses.count(429) == 1_000
        assert limited is not None and int(limited.headers["retry-after"]) >= 1
        assert limited.headers["content-type"] == "application/problem+json"
        code = s.created["join_code"]
        by_code = [
            http.post(f"{server.http}/api/join/{code}", json={"name": "x"}) for _ in range(5)
        ]
        assert 429 in [a.status_code for a in by_code], "a code joins the same session: one limit"
        for answer in by_code:
            if answer.status_code == 201:
                server.remember_secrets(answer.json())


def test_a_full_roster_refuses_more_people(server_factory: type[PajaServer]) -> None:
    server = server_factory(args=["--max-participants-per-session", "3"]).start()
    s = Session.create(server)
    people = [s.join(f"P{n}") for n in range(3)]
    refused = join_by_link(server, s.id, s.created["join_secret"], "P3")
    assert refused.status_code == 409 and "at most 3" in refused.json()["detail"]
    by_code = httpx.post(f"{server.http}/api/join/{s.created['join_code']}", json={"name": "P3"})
    assert by_code.status_code == 409
    s.ok("DELETE", f"/participants/{people[0]['participant_id']}")
    assert s.join("P3")["token"], "a removed person's place is free again"


async def test_rotating_the_links_locks_out_the_old_link_and_code(server: PajaServer) -> None:
    s = Session.create(server)
    display = await s.open("control", s.created["observer_token"])
    eve = s.join("Eve")
    s.ok("DELETE", f"/participants/{eve['participant_id']}")
    old_secret, old_code = s.created["join_secret"], s.created["join_code"]
    participant = s.join("Pia")
    assert s.call("POST", "/links/rotate", participant["token"]).status_code == 403
    assert s.call("POST", "/links/rotate", s.created["bot_token"]).status_code == 403

    rotated = s.ok("POST", "/links/rotate")
    server.remember_secrets(rotated)
    new_secret, new_code = rotated["join_secret"], rotated["join_code"]
    assert new_secret != old_secret and new_code != old_code
    assert rotated["participant_url"] == f"{server.http}/j/{s.id}#join={new_secret}"
    assert rotated["join_url"] == f"{server.http}/c/{new_code.replace('-', '')}"

    assert join_by_link(server, s.id, old_secret, "Eve").status_code == 401
    assert httpx.get(f"{server.http}/api/join/{old_code}").status_code == 404
    assert httpx.post(f"{server.http}/api/join/{old_code}", json={"name": "E"}).status_code == 404
    joined = join_by_link(server, s.id, new_secret, "Olli")
    assert joined.status_code == 201
    server.remember_secrets(joined.json())
    by_code = httpx.post(f"{server.http}/api/join/{new_code}", json={"name": "Sara"})
    assert by_code.status_code == 201
    server.remember_secrets(by_code.json())
    assert s.ok("GET", "")["join_code"] == new_code
    await eventually(lambda: section(display, "session").get("join_code") == new_code)
    assert s.call("GET", "", participant["token"]).status_code == 403, "Pia's token still works"
    await s.close_all()


def test_a_rotation_on_one_instance_locks_the_old_link_out_of_every_instance(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    first, second = deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = Session.create(first)
    old_secret, old_code = s.created["join_secret"], s.created["join_code"]
    assert join_by_link(second, s.id, old_secret, "Aino").status_code == 201
    rotated = s.ok("POST", "/links/rotate")
    first.remember_secrets(rotated)
    assert join_by_link(second, s.id, old_secret, "Eve").status_code == 401
    assert httpx.get(f"{second.http}/api/join/{old_code}").status_code == 404
    found = httpx.get(f"{second.http}/api/join/{rotated['join_code']}")
    assert found.status_code == 200 and found.json()["session_id"] == s.id
    joined = join_by_link(second, s.id, rotated["join_secret"], "Olli")
    assert joined.status_code == 201
    second.remember_secrets(joined.json())
