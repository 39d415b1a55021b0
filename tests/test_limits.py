"""Each abuse limit stops only the abuser, with its documented code; others carry on."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import websockets
from prometheus_client import CollectorRegistry
from pycrdt import Awareness, Doc, Map, Text, create_awareness_message

from server.process.limits import ConnectionCounts, KeyedRate, Throttle, too_many_boards
from server.process.metrics import Counters
from server.sync.connection import Connection
from server.sync.document import Document
from server.sync.messages import ProtocolError
from support.commands import Session, write_probe
from support.processes import PajaServer
from support.yclient import YClient, eventually


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_slows_then_closes_only_a_sustained_flood() -> None:
    clock = FakeClock()
    throttle = Throttle(
        messages_per_second=10, bytes_per_second=1000, burst_bytes=2000, close_after=5, clock=clock
    )
    assert all(throttle.delay_for(10) == 0 for _ in range(20))  # the burst allowance
    delay = throttle.delay_for(10)
    assert 0 < delay <= 0.1
    clock.now += 10  # a pause refills the buckets and forgives
    assert throttle.delay_for(10) == 0
    assert throttle.delay_for(1900) == 0
    assert throttle.delay_for(1000) == pytest.approx(0.91)  # 2000 - 10 - 1900 - 1000 bytes
    with pytest.raises(ProtocolError) as flood:
        for _ in range(1000):
            clock.now += 0.01  # ten times the allowed rate, for up to ten seconds
            throttle.delay_for(10)
    assert flood.value.code == 1008


def test_connection_counts_per_session_address_and_token() -> None:
    counts = ConnectionCounts(per_session=2, per_address=3, per_token=2)
    counts.opened("s1", "10.0.0.1", "t1")
    counts.opened("s1", "10.0.0.2", "t2")
    assert counts.refusal("s1", "10.0.0.3", "t3", facilitator=False) == "this session is full"
    assert counts.refusal("s1", "10.0.0.3", "t3", facilitator=True) is None
    assert counts.refusal("s2", "10.0.0.1", "t3", facilitator=False) is None
    counts.opened("s2", "10.0.0.1", "t1")
    assert counts.refusal("s3", "10.0.0.4", "t1", facilitator=True) == (
        "too many connections with this link"
    )
    counts.opened("s3", "10.0.0.1", "t3")
    assert counts.refusal("s4", "10.0.0.1", "t4", facilitator=True) == (
        "too many connections from this address"
    )
    counts.closed("s1", "10.0.0.1", "t1")
    assert counts.refusal("s1", "10.0.0.3", "t1", facilitator=False) is None


async def test_a_flooding_connection_is_closed_and_nobody_else_notices(
    server_factory: type[PajaServer],
) -> None:
    # A low rate, so that a flooder starved of CPU on a busy machine still sends far past
    # it; alice writes at half of it.
    server = server_factory(
        env={"PAJA_MESSAGES_PER_SECOND": "20", "PAJA_FLOOD_CLOSE_SECONDS": "2"}
    ).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    alice, bob = await YClient(url).connect(), await YClient(url).connect()
    flooder = await YClient(url).connect()
    state = flooder.awareness.encode_awareness_update([flooder.awareness.client_id])

    async def flood() -> None:
        try:
            for _ in range(5000):
                await flooder.send_raw(create_awareness_message(state))
        except websockets.ConnectionClosed:
            pass

    task = asyncio.create_task(flood())
    for i in range(20):  # alice and bob keep working while the flood goes on
        alice.doc.get("notes", type=Map)[f"n{i}"] = i
        await asyncio.sleep(0.1)
    await eventually(lambda: len(bob.notes()) == 20, 30, what="healthy clients unaffected")
    assert await flooder.wait_closed(timeout=30) == 1008
    assert "too fast" in flooder.close_reason
    task.cancel()
    assert not alice.closed.is_set() and not bob.closed.is_set()
    for c in (alice, bob):
        await c.close()


async def test_a_full_session_and_a_busy_address_get_1013(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(
        env={"PAJA_MAX_CONNECTIONS_PER_SESSION": "3", "PAJA_MAX_CONNECTIONS_PER_ADDRESS": "5"}
    ).start()
    a, b = server.create_session("A"), server.create_session("B")
    pia = server.join(a, "Pia")["token"]
    url_a = server.board_url(a["id"], "main", pia)
    url_b = server.board_url(b["id"], "main", b["facilitator_token"])
    in_a = [await YClient(url_a).connect() for _ in range(3)]
    extra = await YClient(url_a).connect(wait_synced=False)
    assert await extra.wait_closed() == 1013
    assert extra.close_reason == "this session is full"
    host = await YClient(server.board_url(a["id"], "main", a["facilitator_token"])).connect()
    in_b = [await YClient(url_b).connect()]  # another session still opens
    sixth = await YClient(url_b).connect(wait_synced=False)
    assert await sixth.wait_closed() == 1013
    assert sixth.close_reason == "too many connections from this address"
    in_a[0].doc.get("notes", type=Map)["still"] = "fine"
    await eventually(lambda: in_a[2].notes().get("still") == "fine")
    await in_a[0].close()
    again = await YClient(url_b).connect()  # a freed place can be taken again
    for c in [*in_a[1:], host, *in_b, again]:
        await c.close()


def test_session_creation_is_limited_per_address(server_factory: type[PajaServer]) -> None:
    server = server_factory(env={"PAJA_SESSIONS_PER_HOUR_PER_ADDRESS": "3"}).start()
    for _ in range(3):
        server.create_session()
    refused = httpx.post(server.http + "/api/sessions", json={"title": "one too many"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["retry_after"] > 0


def test_keyed_rate_refills_over_the_hour() -> None:
    clock = FakeClock()
    rate = KeyedRate(2, clock=clock)
    assert rate.retry_after("a") == 0 and rate.retry_after("a") == 0
    assert rate.retry_after("a") == pytest.approx(1800)
    assert rate.retry_after("b") == 0
    clock.now += 1800
    assert rate.retry_after("a") == 0


def test_boards_are_counted_without_control_and_a_request_adding_nothing_passes() -> None:
    existing = ["control", "main", "ideas"]
    assert too_many_boards(existing, ["wall"], 3) is None
    assert too_many_boards(existing, ["wall", "retro"], 3) == "a session may have at most 3 boards"
    assert too_many_boards(existing, ["main", "ideas"], 1) is None


async def test_boards_past_the_session_limit_are_refused_wherever_they_are_made(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-boards-per-session", "4"]).start()
    s = Session.create(server)
    pia = s.join("Pia")
    s.ok("POST", "/boards", body={"name": "ideas"})  # main, ideas
    drafted = s.ok("POST", "/breakouts", body={"strategy": "choose", "rooms": 2, "capacity": 5})
    assert [r["board"] for r in drafted["rooms"]] == ["breakout-1", "breakout-2"]  # 4 boards

    refused = s.call("POST", "/boards", body={"name": "wall"})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "a session may have at most 4 boards"

    s.ok("DELETE", "/breakouts/r1")  # a discarded draft's boards are never reused ...
    again = s.call("POST", "/breakouts", body={"strategy": "choose", "rooms": 1, "capacity": 5})
    assert again.status_code == 409, "... and stay stored: a new room would be a fifth board"
    assert again.json()["detail"] == "a session may have at most 4 boards"

    by_socket = await s.open("wall", synced=False)
    assert await by_socket.wait_closed() == 4403
    assert by_socket.close_reason == "a session may have at most 4 boards"

    # Nobody else notices: existing boards open and take edits, in this session and others.
    ideas = await s.open("ideas")
    main = await s.open("main", pia["token"])
    assert await write_probe(main, "still-writing")
    assert await write_probe(ideas, "facilitator-too")
    other = Session.create(server, "Another workshop")
    assert other.ok("POST", "/boards", body={"name": "wall"})["name"] == "wall"
    await s.close_all()


async def flooding_main(server: PajaServer) -> tuple[Session, dict[str, Any], YClient, YClient]:
    """A session where Pia is about to flood `main` past a limit, with Tom joined to see
    whether it spoils his day and a `wall` board open to all for him to go to instead."""
    s = Session.create(server)
    pia, tom = s.join("Pia"), s.join("Tom")
    s.ok("POST", "/boards", body={"name": "wall", "open_to_all": True})
    facilitator = await s.open("main")
    flooder = await s.open("main", pia["token"])
    return s, tom, facilitator, flooder


async def test_a_board_past_its_notes_limit_turns_read_only_until_a_facilitator_cleans_up(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-notes-per-board", "10"]).start()
    s, tom, facilitator, flooder = await flooding_main(server)
    for i in range(11):  # the update that passes the limit is taken; the board is full
        assert await write_probe(flooder, f"n{i}")
    assert not await write_probe(flooder, "n11")
    (denied,) = flooder.auth_messages
    assert b"this board holds more than 10 notes" in denied

    bystander = await s.open("main", tom["token"])
    assert not await write_probe(bystander, "tom-on-main"), "full for every participant"
    elsewhere = await s.open("wall", tom["token"])
    assert await write_probe(elsewhere, "tom-on-wall"), "another board takes edits"
    assert await write_probe(facilitator, "facilitator-note"), "facilitators still write"

    notes = facilitator.doc.get("notes", type=Map)
    for key in ("n0", "n1", "n2"):  # 12 notes -> 9
        del notes[key]
    await eventually(lambda: "n0" not in bystander.notes(), what="the cleanup reaches Tom")
    # Tom reconnects: the note that was refused is sent again, and now it is taken.
    again = await YClient(bystander.url, doc=bystander.doc).connect()
    await bystander.close()
    await eventually(lambda: "tom-on-main" in facilitator.notes(), what="Tom's note stored")
    assert not again.auth_messages
    assert "full" in server.log() and "under its limits again" in server.log()
    await again.close()
    await s.close_all()


async def test_a_board_past_its_size_limit_turns_read_only_and_facilitators_clean_it_up(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-board-bytes", "20000"]).start()
    s, tom, facilitator, flooder = await flooding_main(server)
    # Updates add up to far more than the limit, but rewrite one note: the board stays small.
    for i in range(1000):
        flooder.doc.get("notes", type=Map)["moving"] = {"x": i, "y": i, "color": "yellow"}
    await eventually(lambda: facilitator.notes().get("moving", {}).get("x") == 999)
    assert await write_probe(flooder, "small-board")
    flooder.doc.get("notes", type=Map)["huge"] = Text("x" * 30_000)
    await eventually(lambda: "huge" in facilitator.notes(), what="the big note, taken")
    assert not await write_probe(flooder, "one-more")
    assert b"this board is over its size limit (20000 bytes)" in flooder.auth_messages[0]

    bystander = await s.open("main", tom["token"])
    assert not await write_probe(bystander, "tom-on-main")
    elsewhere = await s.open("wall", tom["token"])
    assert await write_probe(elsewhere, "tom-on-wall"), "another board takes edits"

    # A facilitator may still write, up to twice the limit; past that only delete.
    notes = facilitator.doc.get("notes", type=Map)
    assert await write_probe(facilitator, "facilitator-note")
    notes["also-huge"] = Text("y" * 15_000)
    await eventually(lambda: "also-huge" in bystander.notes(), what="the facilitator's note")
    assert not await write_probe(facilitator, "past-twice-the-limit")
    assert b"only deleting is allowed" in facilitator.auth_messages[0]
    del notes["huge"]
    del notes["also-huge"]
    await eventually(lambda: "huge" not in bystander.notes(), what="the cleanup reaches Tom")

    fresh = await s.open("main", tom["token"])
    await eventually(
        lambda: "under its limits again" in server.log(),
        what="the board measured again after the cleanup",
    )
    assert await write_probe(fresh, "tom-after-cleanup")
    await eventually(lambda: "tom-after-cleanup" in facilitator.notes())
    await s.close_all()


async def test_a_board_loaded_all_day_keeps_nothing_of_the_people_who_left() -> None:
    board = Document("s/main", on_update=lambda *_: None, on_awareness=lambda *_: None)
    counters = Counters(CollectorRegistry())
    for i in range(100):
        connection = Connection(
            role="participant",
            subject=f"p{i}",
            can_write=True,
            limit_bytes=1 << 20,
            counters=counters,
            on_overflow=lambda _: None,
        )
        board.add(connection)
        person: Awareness = Awareness(Doc())
        person.set_local_state({"user": {"name": f"P{i}"}})
        board.apply_awareness(person.encode_awareness_update([person.client_id]), connection)
        assert person.client_id in board.awareness.states
        board.remove(connection)
        connection.close()
    assert board.awareness.states == {}
    assert set(board.awareness.meta) == {board.awareness.client_id}
