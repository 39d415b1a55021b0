"""Who may write which board, checked cell by cell against a real server, and re-checked
the moment the session changes: a round opens or closes, someone is moved, promoted or
removed, a board is opened to all."""

from __future__ import annotations

import pytest
from pycrdt import Map

from support.commands import Session, current_round, section, write_probe
from support.processes import PajaServer
from support.redis import RedisServer, deployment
from support.yclient import eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session

FAST = {"duration_ms": 60_000, "closing_ms": 1_000}


async def test_every_role_on_every_board(server: PajaServer) -> None:
    s = Session.create(server)
    people = [s.join(f"P{i}") for i in range(3)]
    s.ok("POST", "/boards", body={"name": "ideas", "title": "Ideas"})
    s.ok("POST", "/boards", body={"name": "wall", "open_to_all": True})
    drafted = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 3, **FAST})
    assert [r["board"] for r in drafted["rooms"]] == ["breakout-1", "breakout-2", "breakout-3"]
    member = {p["participant_id"]: p for p in people}
    pia = member[drafted["rooms"][1]["members"][0]]  # in breakout-2

    drafted_board = await s.open("breakout-2", pia["token"], synced=False)
    assert await drafted_board.wait_closed() == 4403, "nobody enters a room before it opens"
    s.ok("POST", "/breakouts/r1/open")

    tokens = {
        "facilitator": s.facilitator,
        "participant": pia["token"],
        "observer": s.created["observer_token"],
        "bot": s.created["bot_token"],
    }
    expected = {
        #             facilitator participant observer bot
        "control": ("read", "read", "read", "read"),
        "main": ("write", "write", "read", "read"),
        "breakout-2": ("write", "write", "read", "read"),
        "breakout-3": ("write", "none", "read", "read"),
        "ideas": ("write", "read", "read", "read"),
        "wall": ("write", "write", "read", "read"),
    }
    seen = {}
    for board, cells in expected.items():
        for (role, token), want in zip(tokens.items(), cells, strict=True):
            client = await s.open(board, token, synced=False)
            await eventually(lambda c=client: c.synced.is_set() or c.closed.is_set())
            if client.closed.is_set():
                assert client.close_code == 4403, (board, role)
                seen[board, role] = "none"
            else:
                wrote = await write_probe(client, f"{role}-{board}")
                seen[board, role] = "write" if wrote else "read"
            await client.close()
            assert seen[board, role] == want, (board, role, seen[board, role])
    await s.close_all()


async def test_access_follows_moves_and_the_end_of_a_round(server: PajaServer) -> None:
    s = Session.create(server)
    people = {p["participant_id"]: p for p in (s.join(f"P{i}") for i in range(4))}
    drafted = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, **FAST})
    s.ok("POST", "/breakouts/r1/open")
    pid = drafted["rooms"][0]["members"][0]
    pia = people[pid]["token"]
    own = await s.open("breakout-1", pia)
    assert await write_probe(own, "before-the-move")

    s.ok("POST", "/breakouts/r1/moves", body={"participant": pid, "room": "breakout-2"})
    assert await own.wait_closed(5) == 4403, "the old room is gone at once"
    control = await s.open("control", pia)
    notice = section(control, "notices")[pid]
    assert notice["room"] == "breakout-2" and "Huone 2" in notice["text"]  # Finnish by default
    new = await s.open("breakout-2", pia)
    assert await write_probe(new, "in-the-new-room")

    s.ok("POST", "/breakouts/r1/close")
    await eventually(lambda: (current_round(control) or {}).get("state") == "closed", 5)
    assert not await write_probe(new, "after-the-close"), "back in main: rooms are read-only"
    harvest = await s.open("breakout-1", pia)
    assert "before-the-move" in harvest.notes()  # any closed room can be read
    assert not await write_probe(harvest, "harvest-write")

    old_room, new_room = await s.open("breakout-1"), await s.open("breakout-2")
    assert "before-the-move" in old_room.notes()
    assert "in-the-new-room" in new_room.notes() and "after-the-close" not in new_room.notes()
    await s.close_all()


async def test_harvest_promotes_a_rooms_notes_to_main_as_editable_notes(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    people = {p["participant_id"]: p for p in (s.join(f"P{i}") for i in range(2))}
    drafted = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, **FAST})
    s.ok("POST", "/breakouts/r1/open")
    mine, other = drafted["rooms"][0]["members"][0], drafted["rooms"][1]["members"][0]
    room = await s.open("breakout-1", people[mine]["token"])
    note = Map({"x": 10, "y": 20, "color": "#fff59d", "section": None, "author": mine})
    room.doc.get("notes", type=Map)["n1"] = note
    await eventually(lambda: "n1" in room.notes())
    early = s.call(
        "POST", "/breakouts/r1/rooms/breakout-1/promote", people[mine]["token"], {"notes": ["n1"]}
    )
    assert early.status_code == 409
    s.ok("POST", "/breakouts/r1/close")
    await eventually(
        lambda: (
            s.call(
                "POST",
                "/breakouts/r1/rooms/breakout-1/promote",
                people[other]["token"],
                {"notes": ["n1"]},
            ).status_code
            == 403
        )
    )
    promoted = s.ok(
        "POST", "/breakouts/r1/rooms/breakout-1/promote", people[mine]["token"], {"notes": ["n1"]}
    )
    main = await s.open("main", people[other]["token"])
    copied = main.notes()[promoted["notes"][0]]
    assert copied["from"] == {"board": "breakout-1", "note": "n1"}
    assert copied["section"] == promoted["section"], "in the room's own section on main"
    assert await write_probe(main, "main-still-writable")
    await s.close_all()


async def test_a_removed_participant_is_closed_with_4403_and_cannot_return(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    eve = s.join("Eve")
    stay = s.join("Stay")
    sockets = [await s.open("main", eve["token"]), await s.open("control", eve["token"])]
    other = await s.open("main", stay["token"])
    removed = s.ok("DELETE", f"/participants/{eve['participant_id']}")
    assert removed["tokens_revoked"] == 1 and removed["sockets_closed"] == 2
    for socket in sockets:
        assert await socket.wait_closed(5) == 4403
    again = await s.open("main", eve["token"], synced=False)
    assert await again.wait_closed() == 4401
    assert s.call("DELETE", f"/participants/{eve['participant_id']}").status_code == 404
    assert await write_probe(other, "others-carry-on")
    watcher = await s.open("control")
    assert set(section(watcher, "roster")) == {stay["participant_id"]}
    await s.close_all()


async def test_a_participant_removed_through_one_instance_loses_every_instance(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    """Their socket on another instance of the deployment used to stay open, writing
    `main`, until it dropped."""
    first, second = deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = Session.create(first)
    eve, stay = s.join("Eve"), s.join("Stay")
    here = await s.open("main", eve["token"])
    there = [await s.open(b, eve["token"], via=second) for b in ("main", "control")]
    other = await s.open("main", stay["token"], via=second)
    removed = s.ok("DELETE", f"/participants/{eve['participant_id']}")
    assert removed["sockets_closed"] == 1, "the instance that took the command held one"
    for socket in [here, *there]:
        assert await socket.wait_closed(10) == 4403
    again = await s.open("main", eve["token"], synced=False, via=second)
    assert await again.wait_closed() == 4401
    assert await write_probe(other, "others-carry-on")
    await s.close_all()


async def test_a_co_facilitator_and_boards_opened_to_all_gain_write_at_once(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    anna = s.join("Anna")
    s.ok("POST", "/boards", body={"name": "ideas"})
    ideas = await s.open("ideas", anna["token"])
    assert not await write_probe(ideas, "before")
    assert s.call("POST", "/timers", anna["token"], {"duration_ms": 1000}).status_code == 403
    promoted = s.ok(
        "PUT", f"/participants/{anna['participant_id']}/role", body={"role": "facilitator"}
    )
    assert promoted["role"] == "facilitator"
    assert await write_probe(ideas, "after")
    assert s.call("POST", "/timers", anna["token"], {"duration_ms": 1000}).status_code == 201
    s.ok("PUT", f"/participants/{anna['participant_id']}/role", body={"role": "participant"})
    assert not await write_probe(ideas, "demoted")
    s.ok("PATCH", "/boards/ideas", body={"open_to_all": True})
    assert await write_probe(ideas, "open-to-all")
    await s.close_all()


async def test_observers_and_bots_run_no_commands(server: PajaServer) -> None:
    s = Session.create(server)
    fresh = s.ok("POST", "/observers")
    assert fresh["display_url"].endswith(f"/d/{s.id}#token={fresh['token']}")
    display = await s.open("main", fresh["token"])
    assert not await write_probe(display, "display")
    for token in (fresh["token"], s.created["observer_token"], s.created["bot_token"]):
        for method, path, body in [
            ("POST", "/timers", {"duration_ms": 1000}),
            ("POST", "/breakouts", {"strategy": "random", "rooms": 1}),
            ("POST", "/observers", None),
        ]:
            response = s.call(method, path, token, body)
            assert response.status_code == 403, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    await s.close_all()
