"""A programme over months, through its REST API and stock WebSocket clients against real
servers: members join once from a CSV, trios formed across organisations keep a space of
their own that only they can open, events carry the roster in and can break out "to your
trios", and feedback adds up across events and a follow-up poll."""

from __future__ import annotations

import json
import time
from collections import Counter
from itertools import combinations
from typing import Any

import httpx
import pytest
from pycrdt import Map

from support.commands import Session, section
from support.nodeclient import NodeClient
from support.notes import note_map
from support.processes import PajaServer
from support.programmes import Programme, members_csv
from support.redis import RedisServer
from support.yclient import YClient, eventually, refusal


def test_members_join_once_from_a_csv_and_bad_rows_are_named(server: PajaServer) -> None:
    p = Programme.create(server)
    bad = "name,organisation,kind\nAino,Kela,supervisor\n,Kela,newcomer\nEero,,supervisor\n"
    r = p.call("POST", "/members/csv", body={"csv": bad})
    assert r.status_code == 422
    assert "row 3: name is empty" in r.text and "row 4: organisation is empty" in r.text
    assert p.ok("GET", "")["members"] == [], "a CSV with a bad row adds nobody"
    assert p.call("POST", "/members/csv", body={"csv": "who,where\nA,B\n"}).status_code == 422
    huge = "name,organisation,kind\n" + "x,y,z\n" * 60_000
    assert p.call("POST", "/members/csv", body={"csv": huge}).status_code in (413, 422)

    bulk = Programme.create(server, "Bulk")
    one = {
        "name": "N" * 80,
        "organisation": "O" * 80,
        "kind": "supervisor",
        "email": "someone.with.a.long.address@example.fi",
    }
    assert bulk.call("POST", "/members", body={"members": [one] * 501}).status_code == 422
    most = bulk.call("POST", "/members", body={"members": [one] * 470})
    assert most.status_code == 201, most.text[:200]
    server.secrets.update(m["token"] for m in most.json()["members"])
    assert bulk.call("POST", "/members", body={"members": [one] * 31}).status_code == 409
    assert bulk.call("POST", "/members", body={"members": [one] * 30}).status_code == 201
    added = p.import_csv(members_csv(10, 3))
    assert len(added) == 30 and all(m["url"].endswith("#token=" + m["token"]) for m in added)
    seen_by_member = p.ok("GET", "", added[0]["token"])
    assert seen_by_member["organiser"] is False
    assert all("email" not in m for m in seen_by_member["members"]), "addresses are private"
    assert all(m["email"] for m in p.ok("GET", "")["members"])

    r = p.call("PATCH", "", added[0]["token"], {"title": "Mine now"})
    assert r.status_code == 403, "a member cannot change the programme"
    other = Programme.create(server, "Another")
    assert other.call("GET", "", added[0]["token"]).status_code == 401
    assert p.call("GET", "", "not-a-token").status_code == 401

    changed = p.ok(
        "PATCH",
        "",
        body={
            "phases": [{"title": "Kickoff"}, {"title": "Trios", "starts": "2026-11"}],
            "materials": [{"title": "Why mentor", "language": "sv", "body": "Läs"}],
        },
    )
    assert [ph["title"] for ph in changed["phases"]] == ["Kickoff", "Trios"]
    too_many = {"phases": [{"title": f"{n}"} for n in range(13)]}
    assert p.call("PATCH", "", body=too_many).status_code == 422
    js = {"materials": [{"title": "x", "language": "en", "url": "javascript:alert(1)"}]}
    assert p.call("PATCH", "", body=js).status_code == 422

    co = added[1]
    event = p.ok("POST", "/events", body={"title": "Kickoff"})
    server.remember_secrets(event)
    s = Session(server, event)
    in_event = p.me(co["token"])["sessions"][s.id]
    assert s.call("POST", "/timers", in_event, {"duration_ms": 60_000}).status_code == 403
    assert p.ok("PUT", f"/members/{co['id']}/role", body={"role": "organiser"})["role"] == (
        "organiser"
    )
    assert p.call("PATCH", "", co["token"], {"title": "Co-organised"}).status_code == 200
    assert s.call("POST", "/timers", in_event, {"duration_ms": 60_000}).status_code == 201, (
        "a co-organiser runs the events with the same link"
    )
    p.ok("PUT", f"/members/{co['id']}/role", body={"role": "member"})
    assert s.call("POST", "/timers", in_event, {"duration_ms": 60_000}).status_code == 403
    p.ok("PUT", f"/members/{co['id']}/role", body={"role": "organiser"})
    gone = p.ok("DELETE", f"/members/{added[2]['id']}")
    assert gone["tokens_revoked"] >= 1
    assert p.call("GET", "", added[2]["token"]).status_code == 401, "a removed link is dead"


def _trios(p: Programme, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    draft = p.ok(
        "POST", "/groups/draft", body={"strategy": "keep_apart", "group_size": 3, "seed": 7}
    )
    assert len(draft["groups"]) == 10 and draft["same_organisation_pairs"] == 0
    org = {m["id"]: m["organisation"] for m in members}
    for group in draft["groups"]:
        assert len(group) == 3 and len({org[m] for m in group}) == 3
    # The organiser adjusts the preview: a swap by two moves keeps organisations apart.
    a, b = draft["groups"][0][0], draft["groups"][1][0]
    p.ok("POST", "/groups/draft/moves", body={"member": a, "group": 1})
    moved = p.ok("POST", "/groups/draft/moves", body={"member": b, "group": 0})
    assert a in moved["groups"][1] and b in moved["groups"][0]
    assert p.call("POST", "/groups/draft/moves", body={"member": a, "group": 99}).status_code == 422
    names = [f"Trio {n + 1}" for n in range(10)]
    kept = p.ok("POST", "/groups", body={"names": names})["groups"]
    assert [g["name"] for g in kept] == names
    assert p.call("POST", "/groups", body={}).status_code == 409, "groups are formed once"
    return list(kept)


async def test_a_trio_meets_in_its_own_space_and_the_organiser_sees_only_that_it_met(
    server: PajaServer,
) -> None:
    p = Programme.create(server)
    members = p.import_csv(members_csv(10, 3))
    token = {m["id"]: m["token"] for m in members}
    trios = _trios(p, members)
    trio = trios[0]
    first, *others = trio["members"]

    opened = p.me(token[first])
    assert opened["group"]["members"] == trio["members"]
    space = opened["group"]["session_id"]
    outsider = next(m for m in members if m["id"] not in trio["members"])
    assert space not in p.me(outsider["token"])["sessions"], "no token for another's space"
    assert p.call("POST", f"/groups/{trio['id']}/live", outsider["token"]).status_code == 403
    assert p.call("POST", f"/groups/{trio['id']}/live").status_code == 403, "nor the organiser"

    agreed = p.ok(
        "PUT",
        f"/groups/{trio['id']}/agreement",
        token[first],
        {"times": ["Tuesdays 9-10"], "themes": ["Hard talks"]},
    )
    assert agreed["themes"] == ["Hard talks"]
    live = p.ok("POST", f"/groups/{trio['id']}/live", token[first], {"duration_ms": 600_000})
    assert live["session_id"] == space and live["timer"]["state"] == "running"

    clients = []
    for member in (first, *others):
        session_token = p.me(token[member])["sessions"][space]
        client = YClient(server.board_url(space, "main", session_token))
        clients.append(await client.connect())
    control = await YClient(server.board_url(space, "control", live["token"])).connect()
    await eventually(lambda: bool(section(control, "timers")), what="the trio's timer")
    for n, client in enumerate(clients):
        client.doc.get("notes", type=Map)[f"n{n}"] = Map({"text": f"secret {n}"})
    await eventually(lambda: len(clients[0].notes()) == 3, what="every note at every member")

    seen = p.ok("GET", "/groups")["groups"]
    met = next(g for g in seen if g["id"] == trio["id"])
    assert len(met["meetings"]) == 1 and met["notes"] == 3
    assert all(len(g["meetings"]) == 0 for g in seen if g["id"] != trio["id"])
    whole = p.call("GET", "/groups").text + p.call("GET", "").text
    assert "secret" not in whole and "Hard talks" not in whole, "the organiser reads no content"

    # The organiser's tokens open nothing of the space: not the programme token, not an
    # event's facilitator token derived from it, not over REST, not a stock Yjs client.
    event = p.ok("POST", "/events", body={"title": "Kickoff"})
    server.remember_secrets(event)
    organiser_tokens = [
        p.organiser,
        event["facilitator_token"],
        *p.me(p.organiser)["sessions"].values(),
    ]
    for t in organiser_tokens:
        assert await refusal(server.board_url(space, "main", t)) == 4401
        r = httpx.get(
            f"{server.http}/api/sessions/{space}/export",
            headers={"Authorization": f"Bearer {t}"},
            timeout=10,
        )
        assert r.status_code == 401
    # The stock Yjs WebsocketProvider with the organiser's event token: turned away, never
    # synced, nothing of the trio's board in its document.
    stock = await NodeClient(f"{server.ws}/ws/{space}", "main", event["facilitator_token"]).start(
        wait_synced=False
    )
    await eventually(
        lambda: any(e.get("status") == "disconnected" for e in stock.events), what="refused"
    )
    assert not stock.synced.is_set() and "secret" not in str(await stock.snapshot())
    await stock.close()
    outsider_space_token = p.me(outsider["token"])["sessions"]
    for t in outsider_space_token.values():
        assert await refusal(server.board_url(space, "main", t)) == 4401

    # Removed from the programme: the member's socket on the space closes, the link is dead.
    p.ok("DELETE", f"/members/{others[-1]}")
    assert await clients[-1].wait_closed(5) == 4403
    for client in [*clients, control]:
        await client.close()


async def test_events_carry_the_roster_and_break_out_to_the_trios(server: PajaServer) -> None:
    p = Programme.create(server)
    members = p.import_csv(members_csv(10, 3))
    trios = _trios(p, members)
    kickoff = p.ok(
        "POST",
        "/events",
        body={"title": "Kickoff", "template": "development-path", "date": "2026-10-01"},
    )
    server.remember_secrets(kickoff)
    s = Session(server, kickoff)
    control = await s.open("control")
    roster = section(control, "roster")
    assert len(roster) == 30 and set(roster) == {m["id"] for m in members}

    # Members open the event from their personal links: no one joins.
    tokens = {m["id"]: p.me(m["token"])["sessions"][s.id] for m in members}

    body = {"strategy": "programme_groups", "duration_ms": 60_000, "closing_ms": 200}
    drafted = s.ok("POST", "/breakouts", body=body)
    assert [r["name"] for r in drafted["rooms"]] == [t["name"] for t in trios]
    assert [sorted(r["members"]) for r in drafted["rooms"]] == [sorted(t["members"]) for t in trios]
    s.ok("POST", f"/breakouts/{drafted['id']}/open")
    trio_room = drafted["rooms"][0]
    inside = tokens[trio_room["members"][0]]
    outside = tokens[drafted["rooms"][1]["members"][0]]
    assert (await s.open(trio_room["board"], inside)).synced.is_set()
    assert await refusal(server.board_url(s.id, trio_room["board"], outside)) == 4403

    second = p.ok("POST", "/events", body={"title": "Meetup"})
    server.remember_secrets(second)
    again = {m["id"]: p.me(m["token"])["sessions"] for m in members}
    assert all(second["id"] in opened for opened in again.values()), "nobody joins again"
    s2 = Session(server, second)
    assert len(section(await s2.open("control"), "roster")) == 30
    assert (await s2.open("main", again[members[5]["id"]][second["id"]])).synced.is_set()
    lone = Session.create(server)
    lone_breakout = lone.call("POST", "/breakouts", body=body)
    assert lone_breakout.status_code == 422, "a session outside a programme has no groups"
    await s.close_all()
    await s2.close_all()


def _felt_heard(s: Session, tokens: list[str], answers: list[int]) -> None:
    poll = s.ok("POST", "/polls", body={"preset": "heard"})
    for token, value in zip(tokens, answers, strict=False):
        s.ok("POST", f"/polls/{poll['id']}/answers", token, {"answer": value})
    s.ok("POST", f"/polls/{poll['id']}/close")


def test_feedback_adds_up_across_events_and_a_followup(server: PajaServer) -> None:
    p = Programme.create(server, language="en")
    members = p.import_csv(members_csv(4, 2))
    events = []
    for title, answers in (("Kickoff", [3, 3, 4, 2]), ("Closing", [5, 4, 5, 4])):
        event = p.ok("POST", "/events", body={"title": title})
        server.remember_secrets(event)
        s = Session(server, event)
        tokens = [p.me(m["token"])["sessions"][s.id] for m in members[:4]]
        _felt_heard(s, tokens, answers)
        events.append(s)

    followup = p.ok("POST", "/followups", body={"preset": "use"})
    assert len(followup["links"]) == 8
    links = [link["url"].split("#token=")[1] for link in followup["links"]]
    server.secrets.update(links)
    poll_path = f"/followups/{followup['id']}"
    assert p.ok("GET", poll_path, links[0])["question"] == "I intend to use what we made"
    assert p.call("GET", "", links[0]).status_code == 401, "a poll link opens only the poll"
    for link, value in zip(links[:3], (4, 5, 5), strict=True):
        p.ok("POST", poll_path + "/answers", link, {"value": value})
    assert p.call("POST", poll_path + "/answers", links[0], {"value": 1}).status_code == 401
    assert p.call("POST", poll_path + "/answers", links[3], {"value": 9}).status_code == 422
    assert p.call("POST", poll_path + "/answers", links[3], {"value": 2}).status_code == 201

    summary = p.ok("GET", "/summary")
    assert [e["title"] for e in summary["events"]] == ["Kickoff", "Closing"]
    assert [e["polls"][0]["mean"] for e in summary["events"]] == [3.0, 4.5]
    (heard,) = summary["trend"]
    assert heard["key"] == "heard" and [pt["mean"] for pt in heard["points"]] == [3.0, 4.5]
    assert heard["change"] == 1.5
    (after,) = summary["followups"]
    assert after["answers"] == 4 and after["counts"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert "member" not in str(after).lower(), "answers are tied to nobody"
    fi = p.ok("GET", "/summary?format=markdown&language=fi")
    assert "Tulin kuulluksi: 3.0 → 4.5 (muutos +1.5)" in fi
    sv = p.ok("GET", "/summary?format=markdown&language=sv")
    assert "Uppföljningsenkäter" in sv and "4 svar" in sv
    assert p.ok("GET", "/summary", members[0]["token"])["trend"] == summary["trend"]
    past = p.ok("GET", f"/events/{events[0].id}/summary", members[0]["token"])
    assert past.startswith("# Kickoff") and "I felt heard" in past, "members read each event's"
    elsewhere = Session.create(server)
    assert p.call("GET", f"/events/{elsewhere.id}/summary", members[0]["token"]).status_code == 404


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_delete_for_good_covers_the_whole_programme(
    backend: str, server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    args = ["--redis-url", redis_server.url] if backend == "redis" else []
    server = server_factory(args=args).start()
    p = Programme.create(server)
    members = p.import_csv(members_csv(4, 3))
    draft = p.ok("POST", "/groups/draft", body={"group_size": 3})
    assert draft["same_organisation_pairs"] == 0
    groups = p.ok("POST", "/groups", body={})["groups"]
    event = p.ok("POST", "/events", body={"title": "Kickoff"})
    server.remember_secrets(event)
    member_token = members[0]["token"]
    sessions = p.me(member_token)["sessions"]
    assert len(sessions) == 2
    followup = p.ok("POST", "/followups", body={"question": "Still mentoring?"})
    poll_token = followup["links"][0]["url"].split("#token=")[1]
    server.secrets.add(poll_token)
    open_board = await YClient(
        server.board_url(event["id"], "main", sessions[event["id"]])
    ).connect()

    deleted = p.ok("DELETE", "")
    assert deleted["sessions_deleted"] == 1 + len(groups)
    assert await open_board.wait_closed(5) == 4404
    assert p.call("GET", "").status_code == 401
    assert p.call("GET", "", member_token).status_code == 401
    assert p.call("GET", f"/followups/{followup['id']}", poll_token).status_code == 401
    for session_id, token in sessions.items():
        assert await refusal(server.board_url(session_id, "main", token)) in (4401, 4404)
    if backend == "redis":
        import redis

        client = redis.Redis.from_url(redis_server.url)
        left = [k for k in client.scan_iter("paja:programme*")]
        assert left == [], left
    else:
        import sqlite3

        db = sqlite3.connect(server.data_dir / "paja.sqlite3")
        assert db.execute("SELECT COUNT(*) FROM programmes").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM programme_grants").fetchone() == (0,)
        for session_id in sessions:
            rows = db.execute("SELECT COUNT(*) FROM grants WHERE session_id = ?", (session_id,))
            assert rows.fetchone() == (0,)
    await open_board.close()


def test_a_group_emptied_in_the_preview_is_left_out_when_kept(server: PajaServer) -> None:
    p = Programme.create(server)
    p.import_csv(members_csv(2, 2))
    draft = p.ok("POST", "/groups/draft", body={"group_size": 2, "seed": 3})
    assert len(draft["groups"]) == 2
    for member in draft["groups"][0]:
        p.ok("POST", "/groups/draft/moves", body={"member": member, "group": 1})
    kept = p.ok("POST", "/groups", body={"names": ["Everyone"]})["groups"]
    assert [(g["name"], len(g["members"])) for g in kept] == [("Everyone", 4)]


def test_trios_avoid_pairs_who_met_in_an_events_rounds(server: PajaServer) -> None:
    p = Programme.create(server)
    members = p.import_csv(members_csv(6, 1))
    event = p.ok("POST", "/events", body={"title": "Kickoff"})
    server.remember_secrets(event)
    s = Session(server, event)
    round_ = s.ok("POST", "/breakouts", body={"strategy": "random", "group_size": 2, "seed": 1})
    s.ok("POST", f"/breakouts/{round_['id']}/open")
    met = {frozenset(pair) for r in round_["rooms"] for pair in combinations(r["members"], 2)}
    draft = p.ok("POST", "/groups/draft", body={"strategy": "random", "group_size": 2, "seed": 1})
    formed = {frozenset(pair) for g in draft["groups"] for pair in combinations(g, 2)}
    assert not formed & met
    assert Counter(len(g) for g in draft["groups"]) == {2: 3}
    assert len(members) == 6


def test_the_programme_api_is_in_the_openapi_document(server: PajaServer) -> None:
    paths = httpx.get(server.http + "/api/openapi.json", timeout=10).json()["paths"]
    for path in (
        "/api/programmes",
        "/api/programmes/{programme_id}/members/csv",
        "/api/programmes/{programme_id}/groups/draft",
        "/api/programmes/{programme_id}/groups/{group_id}/live",
        "/api/programmes/{programme_id}/events",
        "/api/programmes/{programme_id}/followups/{poll_id}/answers",
        "/api/programmes/{programme_id}/summary",
    ):
        assert path in paths, path
    strategy = paths["/api/sessions/{session_id}/breakouts"]["post"]
    assert "programme_groups" in str(strategy) or "NewRound" in str(strategy)


def test_the_programme_summary_goes_to_an_events_webhooks(
    server_factory: type[PajaServer],
) -> None:
    from test_webhooks import FAST, Receiver, add_webhook

    server = server_factory(args=FAST).start()
    receiver = Receiver()
    try:
        p = Programme.create(server, language="sv")
        members = p.import_csv(members_csv(2, 2))
        assert p.call("POST", "/summary/post", body={}).status_code == 409, "no event yet"
        event = p.ok("POST", "/events", body={"title": "Avslutning"})
        server.remember_secrets(event)
        s = Session(server, event)
        add_webhook(s, receiver.url("/hook"))
        tokens = [p.me(m["token"])["sessions"][s.id] for m in members]
        _felt_heard(s, tokens, [4, 5, 5, 4])
        elsewhere = Session.create(server)
        r = p.call("POST", "/summary/post", body={"event": elsewhere.id})
        assert r.status_code == 404, "only into an event of the programme"
        made = p.ok("POST", "/summary/post", body={})
        assert made["by"] == "facilitator" and "Jag blev hörd" in made["markdown"]

        def posted() -> list[dict[str, Any]]:
            bodies = [json.loads(r.body) for r in receiver.at("/hook")]
            return [b for b in bodies if b.get("type") == "summary.posted"]

        deadline = time.monotonic() + 15
        while not posted() and time.monotonic() < deadline:
            time.sleep(0.05)
        (sent,) = posted()
        assert "Jag blev hörd" in str(sent)
    finally:
        receiver.close()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_export_and_import_carry_the_programme_but_not_the_groups_words(
    backend: str, server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    args = ["--redis-url", redis_server.url] if backend == "redis" else []
    server = server_factory(args=args).start()
    p = Programme.create(server, language="en")
    members = p.import_csv(members_csv(3, 2))
    p.ok("POST", "/groups/draft", body={"group_size": 3})
    (trio, *_) = p.ok("POST", "/groups", body={})["groups"]
    event = p.ok("POST", "/events", body={"title": "Kickoff", "date": "2026-10-01"})
    server.remember_secrets(event)
    s = Session(server, event)
    tokens = {m["id"]: m["token"] for m in members}
    _felt_heard(s, [p.me(t)["sessions"][s.id] for t in tokens.values()], [4, 4, 5])
    main = await s.open("main")
    main.doc.get("notes", type=Map)["kick"] = Map({"text": "kickoff idea"})
    await eventually(lambda: "kick" in main.notes())
    live = p.ok("POST", f"/groups/{trio['id']}/live", tokens[trio["members"][0]])
    space = await YClient(server.board_url(live["session_id"], "main", live["token"])).connect()
    space.doc.get("notes", type=Map)["own"] = note_map(
        "only for the trio", author="a", author_name="A", at=1
    )
    await eventually(
        lambda: p.ok("GET", "/groups")["groups"][0]["notes"] == 1, what="the note stored"
    )
    mine = httpx.get(
        f"{server.http}/api/sessions/{live['session_id']}/export?format=csv",
        headers={"Authorization": f"Bearer {live['token']}"},
        timeout=10,
    )
    assert mine.status_code == 200 and "only for the trio" in mine.text, (
        "the group's own members export their space"
    )
    p.ok("POST", "/followups", body={"preset": "heard"})

    exported = p.call("GET", "/export")
    assert exported.status_code == 200
    assert live["session_id"] not in exported.text, "no group's space leaves with it"
    assert set(exported.json()["events"]) == {s.id}
    r = httpx.post(
        server.http + "/api/programmes/import",
        content=exported.content,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    imported = Programme(server, r.json())
    for member in r.json()["members"]:
        server.secrets.add(member["token"])
    assert imported.id != p.id and imported.organiser != p.organiser
    new_tokens = {m["id"]: m["token"] for m in r.json()["members"]}
    assert set(new_tokens) == set(tokens)
    assert imported.call("GET", "", tokens[trio["members"][0]]).status_code == 401
    opened = imported.me(new_tokens[trio["members"][0]])
    assert opened["group"]["members"] == trio["members"] and opened["group"]["meetings"]
    (new_event,) = opened["timeline"]
    assert new_event["session_id"] != s.id and new_event["date"] == "2026-10-01"
    board = await YClient(
        server.board_url(
            new_event["session_id"], "main", opened["sessions"][new_event["session_id"]]
        )
    ).connect()
    assert any("kickoff idea" in str(n) for n in board.notes().values())
    new_space = opened["group"]["session_id"]
    fresh = await YClient(
        server.board_url(new_space, "main", opened["sessions"][new_space])
    ).connect()
    assert fresh.notes() == {}, "a group's words stay in its own space"
    summary = imported.ok("GET", "/summary")
    assert summary["trend"][0]["points"][0]["mean"] == 4.33
    assert summary["followups"][0]["answers"] == 0

    bad = exported.json()
    bad["programme"]["groups"][0]["members"].append("nobody")
    r = httpx.post(server.http + "/api/programmes/import", json=bad, timeout=60)
    assert r.status_code == 422 and "not a member" in r.text
    bad = exported.json()
    bad["events"] = {}
    assert (
        httpx.post(server.http + "/api/programmes/import", json=bad, timeout=60).status_code == 422
    )
    for client in (main, space, board, fresh):
        await client.close()
    await s.close_all()
