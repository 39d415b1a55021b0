"""While a breakout round runs, a room's board reaches its members and facilitators only:
whoever leaves a room (moved, or choosing another) loses its socket at once (4403) and
is sent none of its later notes. After the round, the rooms are readable for the harvest
unless the round was confidential; a discarded draft's boards are nobody's."""

from __future__ import annotations

import pytest
from pycrdt import Map

from support.commands import Session, current_round
from support.processes import PajaServer
from support.redis import RedisServer, deployment
from support.yclient import YClient, eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session

FAST = {"duration_ms": 60_000, "closing_ms": 200}


async def refused(s: Session, board: str, token: str) -> int | None:
    client = await s.open(board, token, synced=False)
    await eventually(lambda: client.synced.is_set() or client.closed.is_set())
    return client.close_code if client.closed.is_set() else None


async def write_note(client: YClient, key: str) -> None:
    client.doc.get("notes", type=Map)[key] = key
    await eventually(lambda: key in client.notes(), what=f"note {key}")


async def test_choosing_room_after_room_closes_each_room_left(server: PajaServer) -> None:
    """The attack of the security review: a participant opens rooms 1, 2 and 3 in turn,
    choosing each before opening it, to keep reading them all."""
    s = Session.create(server)
    eve = s.join("Eve")
    body = {"strategy": "choose", "rooms": 3, "capacity": 3, **FAST}
    s.ok("POST", "/breakouts", body=body)
    s.ok("POST", "/breakouts/r1/open")
    watchers = {room: await s.open(room) for room in ("breakout-1", "breakout-2", "breakout-3")}

    left: list[YClient] = []
    for room in ("breakout-1", "breakout-2", "breakout-3"):
        s.ok("POST", "/breakouts/r1/choice", eve["token"], {"room": room})
        if left:
            assert await left[-1].wait_closed(5) == 4403, "the room left closes at once"
        left.append(await s.open(room, eve["token"]))
    assert not left[-1].closed.is_set()

    for room, watcher in watchers.items():
        await write_note(watcher, f"later-{room}")
    await eventually(lambda: "later-breakout-3" in left[-1].notes())
    for old, room in zip(left[:2], ("breakout-1", "breakout-2"), strict=True):
        assert f"later-{room}" not in old.notes(), "a closed socket gets no later notes"
        assert old.close_code == 4403
    assert await refused(s, "breakout-1", eve["token"]) == 4403
    await s.close_all()


async def test_a_moved_participant_loses_the_old_room_and_its_mates_keep_it(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    people = {p["participant_id"]: p for p in (s.join(f"P{i}") for i in range(4))}
    drafted = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, **FAST})
    s.ok("POST", "/breakouts/r1/open")
    moved, stays = drafted["rooms"][0]["members"][:2]
    old = await s.open("breakout-1", people[moved]["token"])
    mate = await s.open("breakout-1", people[stays]["token"])

    s.ok("POST", "/breakouts/r1/moves", body={"participant": moved, "room": "breakout-2"})
    assert await old.wait_closed(5) == 4403
    await write_note(mate, "after-the-move")
    assert "after-the-move" not in old.notes()
    assert not mate.closed.is_set(), "the room's own members keep it"
    new = await s.open("breakout-2", people[moved]["token"])
    await write_note(new, "in-the-new-room")
    await s.close_all()


async def test_a_confidential_round_stays_with_its_members_after_it_closes(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    people = {p["participant_id"]: p for p in (s.join(f"P{i}") for i in range(2))}
    body = {"strategy": "random", "rooms": 2, "confidential": True, **FAST}
    drafted = s.ok("POST", "/breakouts", body=body)
    assert drafted["confidential"] is True
    s.ok("POST", "/breakouts/r1/open")
    member = drafted["rooms"][0]["members"][0]
    other = drafted["rooms"][1]["members"][0]
    own = await s.open("breakout-1", people[member]["token"])
    await write_note(own, "private-talk")
    observer = s.created["observer_token"]
    assert await refused(s, "breakout-1", observer) == 4403, "no display shows a confidential room"

    control = await s.open("control")
    s.ok("POST", "/breakouts/r1/close")
    await eventually(lambda: (current_round(control) or {}).get("state") == "closed", 5)
    assert await refused(s, "breakout-1", people[other]["token"]) == 4403
    assert await refused(s, "breakout-1", observer) == 4403
    again = await s.open("breakout-1", people[member]["token"])
    assert "private-talk" in again.notes(), "the members keep their room to read"
    summary = s.call("GET", "/summary", s.created["bot_token"])
    assert summary.status_code == 200 and "private-talk" not in summary.text
    assert summary.json()["breakouts"][0]["confidential"] is True

    # An ordinary round after it: its rooms are readable by all once it closes.
    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, **FAST})
    s.ok("POST", "/breakouts/r2/open")
    s.ok("POST", "/breakouts/r2/close")
    r2_closed = {"id": "r2", "state": "closed"}
    await eventually(lambda: r2_closed.items() <= (current_round(control) or {}).items(), 5)
    assert await refused(s, "breakout-3", people[other]["token"]) is None
    assert await refused(s, "breakout-4", observer) is None
    assert await refused(s, "breakout-1", people[other]["token"]) == 4403
    await s.close_all()


async def test_a_discarded_drafts_boards_are_not_read_nor_reused(server: PajaServer) -> None:
    s = Session.create(server)
    pia = s.join("Pia")
    first = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, **FAST})
    assert [r["board"] for r in first["rooms"]] == ["breakout-1", "breakout-2"]
    prepared = await s.open("breakout-1")
    await write_note(prepared, "prepared-for-the-draft")
    s.ok("DELETE", "/breakouts/r1")

    assert await refused(s, "breakout-1", pia["token"]) == 4403
    assert await refused(s, "breakout-1", s.created["observer_token"]) == 4403
    second = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, **FAST})
    assert [r["board"] for r in second["rooms"]] == ["breakout-3", "breakout-4"]
    s.ok("POST", "/breakouts/r1/open")
    room = next(r["board"] for r in second["rooms"] if pia["participant_id"] in r["members"])
    mine = await s.open(room, pia["token"])
    assert mine.notes() == {}, "a new round starts on empty boards"
    await s.close_all()


async def test_leaving_a_room_through_another_instance_closes_the_socket_here(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    """In a deployment the choice may reach another instance than the sockets: the change
    of `control` reaches this one over the bus, and its sockets follow."""
    here, there = deployment(server_factory, redis_server, 2, ttl_seconds=5)
    s = Session(here, here.create_session())
    eve = s.join("Eve")
    body = {"strategy": "choose", "rooms": 2, "capacity": 3, **FAST}
    s.ok("POST", "/breakouts", body=body)
    s.ok("POST", "/breakouts/r1/choice", eve["token"], {"room": "breakout-1"})
    s.ok("POST", "/breakouts/r1/open")
    control = await s.open("control", eve["token"])  # as the browser does
    room = await s.open("breakout-1", eve["token"])

    elsewhere = Session(there, s.created)
    elsewhere.ok("POST", "/breakouts/r1/choice", eve["token"], {"room": "breakout-2"})
    assert await room.wait_closed(10) == 4403
    assert not control.closed.is_set()
    await s.close_all()
