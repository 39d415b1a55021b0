"""The facilitator's overview of a round's rooms: who is online in each, how busy each is,
its notes and thumbnail, calls for help first; polled with an ETag; facilitators only;
across instances of a Redis deployment; and time for one room alone."""

from __future__ import annotations

import time
from typing import Any

import httpx
from pycrdt import Map

from support.commands import Session, current_round
from support.notes import note_map
from support.processes import PajaServer
from support.redis import RedisServer
from support.redis import deployment as start_deployment
from support.yclient import YClient, eventually


def open_round(s: Session, people: int, rooms: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    joined = [s.join(f"P{i}") for i in range(people)]
    body = {"strategy": "random", "rooms": rooms, "seed": 1, "closing_ms": 200}
    s.ok("POST", "/breakouts", body=body)
    return joined, s.ok("POST", "/breakouts/r1/open")


def member(joined: list[dict[str, Any]], room: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in joined if p["participant_id"] == room["members"][0])


def add_note(client: YClient, key: str, x: float, y: float) -> None:
    client.doc.get("notes", type=Map)[key] = note_map(
        key, author="a", author_name="A", at=0, x=x, y=y
    )


def overview(s: Session, token: str | None = None, etag: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or s.facilitator}"}
    if etag:
        headers["If-None-Match"] = etag
    url = f"{s.server.http}/api/sessions/{s.id}/breakouts/r1/overview"
    return httpx.get(url, headers=headers, timeout=10)


async def test_every_room_at_once_with_presence_activity_notes_thumbnail_and_help_first(
    server: PajaServer,
) -> None:
    s = Session.create(server, language="en")
    joined, opened = open_round(s, 6, 3)
    first, second, third = opened["rooms"]
    writer = await s.open(first["board"], member(joined, first)["token"])
    await s.open(second["board"], member(joined, second)["token"])
    add_note(writer, "n1", 40, 60)
    add_note(writer, "n2", 300, 200)
    s.ok("POST", "/breakouts/r1/help", member(joined, third)["token"])

    def room(body: dict[str, Any], board: str) -> dict[str, Any]:
        return next(r for r in body["rooms"] if r["board"] == board)

    def seen() -> dict[str, Any]:
        answer = overview(s)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    # The thumbnail is read at most once a second per board: it follows within a second.
    await eventually(
        lambda: len(room(seen(), first["board"])["thumbnail"]["notes"]) == 2, what="two notes"
    )
    body = seen()
    assert body["state"] == "open"
    assert body["rooms"][0]["board"] == third["board"], "the help call is first"
    assert room(body, third["board"])["help_requested_at"] is not None
    busy = room(body, first["board"])
    assert busy["notes"] == 2
    assert busy["online"] == [member(joined, first)["participant_id"]]
    assert room(body, second["board"])["online"] == [member(joined, second)["participant_id"]]
    assert room(body, third["board"])["online"] == []
    assert busy["edits_last_minute"] >= 2 and busy["last_edit_at"] is not None
    assert sorted(busy["thumbnail"]["notes"]) == [[40, 60, "#fff59d"], [300, 200, "#fff59d"]]
    assert room(body, second["board"])["notes"] == 0
    assert busy["members"] == first["members"]
    assert all("outcome" not in r for r in body["rooms"]), "no outcome while the round runs"

    # Polled with an ETag: nothing new is 304 without a body; an edit changes the tag.
    answer = overview(s)
    tag = answer.headers["ETag"]
    unchanged = overview(s, etag=tag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    add_note(writer, "n3", 500, 60)
    await eventually(lambda: overview(s, etag=tag).status_code == 200, what="a new ETag")

    # After the round, the same view shows each room's outcome for the harvest.
    s.ok("POST", "/breakouts/r1/close")
    await eventually(lambda: seen()["state"] == "closed", 15, "the round closes")
    outcome = room(seen(), first["board"])["outcome"]
    assert sorted(outcome) == ["n1", "n2", "n3"]
    await s.close_all()


async def test_only_facilitators_see_the_overview(server: PajaServer) -> None:
    s = Session.create(server)
    joined, _ = open_round(s, 2, 1)
    for token in (joined[0]["token"], s.created["observer_token"], s.created["bot_token"]):
        refused = overview(s, token)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 403
    assert overview(s, "not-a-token").status_code == 401
    assert overview(s).status_code == 200


async def test_a_room_served_by_another_instance_is_seen_live_through_redis(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    near, far = start_deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = Session.create(near, language="en")
    joined, opened = open_round(s, 2, 1)
    board = opened["rooms"][0]["board"]
    person = member(joined, opened["rooms"][0])
    client = YClient(far.board_url(s.id, board, person["token"]))
    await client.connect()
    # The browser announces who it is; the facilitator's instance only sees that.
    await client.set_presence({"user": {"id": person["participant_id"], "name": "P"}})
    assert overview(s).json()["rooms"][0]["notes"] == 0  # loaded on the near instance now
    add_note(client, "far", 10, 20)

    def facts() -> dict[str, Any]:
        return dict(overview(s).json()["rooms"][0])

    await eventually(lambda: facts()["thumbnail"]["notes"] != [], what="the far edit, seen near")
    assert facts()["notes"] == 1
    await eventually(lambda: facts()["online"] == [person["participant_id"]], what="presence")
    assert facts()["thumbnail"]["notes"] == [[10, 20, "#fff59d"]]
    await client.close()
    await eventually(lambda: facts()["online"] == [], what="gone when they leave")


async def test_one_room_gets_more_time_alone_and_the_round_ends_with_it(
    server: PajaServer,
) -> None:
    s = Session.create(server, language="en")
    s.join("A")
    s.join("B")
    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, "duration_ms": 60_000})
    opened = s.ok("POST", "/breakouts/r1/open")
    control = await s.open("control")
    slow, quick = opened["rooms"]
    value = s.ok("POST", f"/breakouts/r1/rooms/{slow['id']}/time", body={"delta_ms": 300_000})
    ends = {r["id"]: r["ends_at"] for r in value["rooms"]}
    assert ends[slow["id"]] - ends[quick["id"]] == 300_000
    assert value["ends_at"] == ends[slow["id"]], "the round ends with its last room"
    assert value["messages"][-1]["room"] == slow["id"]
    timers = control.doc.get("timers", type=Map)

    def timer_end(room: dict[str, Any]) -> Any:
        return next(t for t in timers.to_py().values() if t.get("room") == room["board"])["ends_at"]

    await eventually(lambda: timer_end(slow) - timer_end(quick) == 300_000, what="room timers")
    # Every room again: both move, and the gap stays.
    value = s.ok("POST", "/breakouts/r1/time", body={"delta_ms": 60_000})
    later = {r["id"]: r["ends_at"] for r in value["rooms"]}
    assert later[slow["id"]] - later[quick["id"]] == 300_000
    assert later[quick["id"]] == ends[quick["id"]] + 60_000
    await eventually(lambda: (current_round(control) or {}).get("ends_at") == later[slow["id"]])
    refused = s.call("POST", "/breakouts/r1/rooms/nowhere/time", body={"delta_ms": 1000})
    assert refused.status_code == 404
    assert time.time() * 1000 < value["ends_at"]
    await s.close_all()
