"""One deeply nested update must not take a server down: values nested in values, and
shared types in shared types, are bounded on every path in — a socket, an import, a peer
on the Redis bus, and a store that already holds a poisoned board — while ordinary boards
pass untouched. Before the bound, 100,000 levels crashed `paja serve` (SIGSEGV) at once
and 20,000 crashed whatever read the board later."""

from __future__ import annotations

import base64
import sqlite3
from typing import Any

import httpx
import pytest
import redis
from pycrdt import Doc, Map, Text, write_var_uint

from server.bus.wire import UPDATE, encode
from server.redisdb import Keys
from server.sync.nesting import MAX_CLOCK, MAX_DEPTH, Malformed, Nesting, TooDeep
from support.commands import Session
from support.processes import PajaServer
from support.redis import RedisServer
from support.yclient import YClient, eventually
from support.yupdates import (
    ANY,
    HAS_ORIGIN,
    MAP_TYPE,
    TYPE,
    child_item,
    deep_types,
    deep_value,
    root_item,
    sync_update,
    text,
    update,
)

DEPTHS = (100, 1_000, 20_000, 100_000)
POISONS = {
    "a value under notes": lambda depth: deep_value(depth, "notes"),
    "a value under sections": lambda depth: deep_value(depth, "sections"),
    "shared types under notes": lambda depth: deep_types(depth, "notes"),
}


def note_ids(doc: Doc[Any]) -> set[str]:
    return set(doc.get("notes", type=Map).keys())


# The bound itself, on bytes


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("poison", POISONS)
def test_every_deep_update_is_refused_and_a_stored_one_neutralised(depth: int, poison: str) -> None:
    payload = POISONS[poison](depth)
    with pytest.raises(TooDeep):
        Nesting().check(payload)
    clean, neutralised = Nesting().sanitise(payload)
    assert neutralised >= 1
    doc: Doc[Any] = Doc()
    doc.apply_update(clean)  # the raw payload would crash this process
    for root in ("notes", "sections"):
        tree = doc.get(root, type=Map).to_py()
        levels = 0
        while isinstance(tree, dict | list) and tree:
            tree = tree["k"] if isinstance(tree, dict) else tree[0]
            levels += 1
        assert levels <= MAX_DEPTH + 1, "what is left of it is within the bound"


@pytest.mark.parametrize("make", [deep_value, deep_types])
def test_the_bound_itself_passes_and_one_more_level_does_not(make: Any) -> None:
    Nesting().check(make(MAX_DEPTH))
    with pytest.raises(TooDeep):
        Nesting().check(make(MAX_DEPTH + 1))


def test_an_ordinary_board_passes_update_by_update_and_whole() -> None:
    """Notes with text (a type two deep), emoji (UTF-16 clocks), moves, deletions and a
    note whose text is replaced (a type that inherits its parent from a neighbour)."""
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    notes = doc.get("notes", type=Map)
    for i in range(50):
        with doc.transaction():
            note: Map[Any] = Map()
            notes[f"n{i}"] = note
            note["text"] = Text(f"idea {i} 🎉 𝄞 ääkköset")
            note["x"], note["y"], note["color"] = float(i), 2.5, "yellow"
            note["from"] = {"board": "breakout-1", "note": f"n{i}", "path": [[1, [2, [3]]]]}
    for i in range(0, 50, 3):
        notes[f"n{i}"]["x"] = float(i) + 0.5
    notes["n4"]["text"] = Text("replaced 🎉")
    del notes["n5"]
    doc.get("sections", type=Map)["s1"] = Map({"title": "Mitä tiedämme", "x": 0})

    live = Nesting()
    for one in updates:
        live.keep(live.check(one))
    state = doc.get_update()
    assert Nesting().sanitise(state) == (state, 0), "nothing in an ordinary board is touched"


def test_a_tree_grown_one_update_at_a_time_stops_at_the_bound() -> None:
    """Each level in its own update, named by its parent's id or inheriting its parent
    from a neighbour: the document remembers every item's depth between updates."""
    nesting = Nesting()
    client = 11
    nesting.admit(update(client, 0, [root_item("notes", "k", TYPE, write_var_uint(MAP_TYPE))]))
    parent, clock = (client, 0), 1
    for level in range(2, MAX_DEPTH + 5):
        # a plain value first, then a map that replaces it: the map's origin is the value
        value = child_item(parent, "k", ANY, write_var_uint(1) + bytes([125, 0]))
        replacing = bytes([TYPE | HAS_ORIGIN]) + write_var_uint(client) + write_var_uint(clock)
        replacing += write_var_uint(MAP_TYPE)
        step = update(client, clock, [value, replacing])
        if level > MAX_DEPTH:
            with pytest.raises(TooDeep):
                nesting.check(step)
            return
        nesting.admit(step)
        parent, clock = (client, clock + 1), clock + 2
    raise AssertionError("the bound was never reached")


def test_a_type_under_an_unknown_item_sits_at_the_bound_and_a_value_does_not() -> None:
    unknown = (99, 12345)
    with pytest.raises(TooDeep):
        Nesting().check(update(5, 0, [child_item(unknown, "k", TYPE, write_var_uint(MAP_TYPE))]))
    Nesting().check(update(5, 0, [child_item(unknown, "k", ANY, b"\x01\x7d\x00")]))


def test_long_and_circular_chains_of_references_end() -> None:
    """Items naming later items, 20,000 long, and two items naming each other: one pass."""
    count = 20_000
    items = []
    for i in range(count):
        ref = (3, i + 1) if i + 1 < count else (3, 0)  # the last closes the circle
        items.append(child_item(ref, "k", TYPE, write_var_uint(MAP_TYPE)))
    with pytest.raises(TooDeep):
        Nesting().check(update(3, 0, items))


def test_bytes_that_are_not_an_update_are_malformed_not_a_crash() -> None:
    for junk in (b"", b"\x01", b"\x01\x01\x07\x00\x28", deep_value(50)[:-3], b"\x00\x00\x00"):
        with pytest.raises(Malformed):
            Nesting().check(junk)


def test_clocks_past_32_bits_are_malformed_and_the_last_one_below_is_not() -> None:
    value = write_var_uint(1) + bytes([126])  # one null
    at_root = root_item("notes", "k", ANY, value)
    under = child_item((3, MAX_CLOCK), "k", ANY, value)
    right = bytes([ANY | HAS_ORIGIN | 0x40]) + b"\x03\x00\x03" + write_var_uint(MAX_CLOCK + 1)
    deletes = b"\x01\x03\x01" + write_var_uint(MAX_CLOCK) + write_var_uint(2)
    for bad in (
        update(3, MAX_CLOCK, [at_root]),  # the item's clock is the last one; it ends past it
        update(3, 0, [child_item((3, MAX_CLOCK + 1), "k", ANY, value)]),  # a parent past it
        update(3, 0, [right + value]),  # a right neighbour past it
        update(3, 0, [at_root], deletes),  # a delete reaching past it
    ):
        with pytest.raises(Malformed, match="32 bits"):
            Nesting().check(bad)
    Nesting().check(update(3, MAX_CLOCK - 1, [at_root]))
    Nesting().check(
        update(4, 0, [under], b"\x01\x03\x01" + write_var_uint(MAX_CLOCK - 1) + b"\x01")
    )


# A live server, on every path in


def healthy(s: Session) -> None:
    assert s.server.alive(), "the server is still up"
    assert s.call("GET", "/summary").status_code == 200
    assert s.call("GET", "/export?format=csv").status_code == 200


async def test_a_participant_socket_sending_one_is_closed_1007_and_nobody_else_notices(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    person = s.join("Pia")
    watcher = await s.open("main")
    writer = await s.open("main")
    for poison, make in POISONS.items():
        for depth in DEPTHS:
            attacker = await s.open("main", person["token"])
            assert attacker.ws is not None
            await attacker.ws.send(sync_update(make(depth)))
            await eventually(lambda a=attacker: a.closed.is_set(), what=f"{poison} {depth} closed")
            assert attacker.close_code == 1007, (poison, depth, attacker.close_code)
            key = f"after {poison} {depth}"
            writer.doc.get("notes", type=Map)[key] = "still here"
            await eventually(lambda k=key: k in note_ids(watcher.doc), what="others converge")
    assert "k" not in note_ids(watcher.doc)
    assert "k" not in watcher.doc.get("sections", type=Map).keys()
    healthy(s)
    await s.close_all()


async def test_an_import_holding_one_is_refused_422(server: PajaServer) -> None:
    s = Session.create(server)
    exported = s.call("GET", "/export").json()
    for poison, make in POISONS.items():
        for depth in DEPTHS:
            body = {**exported, "boards": {**exported["boards"]}}
            body["boards"]["main"] = base64.b64encode(make(depth)).decode()
            answer = httpx.post(f"{server.http}/api/sessions/import", json=body, timeout=30)
            assert answer.status_code == 422, (poison, depth, answer.text)
            assert "nests too deeply" in answer.json()["detail"]
    healthy(s)


async def test_a_peer_publishing_one_on_the_bus_is_ignored(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    args = ["--redis-url", redis_server.url]
    one, two = server_factory(args=args).start(), server_factory(args=args).start()
    s = Session.create(one)
    on_one = await s.open("main")
    on_two = await YClient(two.board_url(s.id, "main", s.facilitator)).connect()
    channel = Keys.channel(f"{s.id}/main")
    with redis.Redis(port=redis_server.port) as bus:
        for make in POISONS.values():
            for depth in DEPTHS:
                assert bus.publish(channel, encode(UPDATE, "hostile-peer-000", make(depth))) == 2
        on_one.doc.get("notes", type=Map)["after"] = "still here"
        await eventually(lambda: "after" in note_ids(on_two.doc), what="the instances still talk")
    assert one.alive() and two.alive()
    assert "an update from the bus was refused" in one.log() + two.log()
    assert "k" not in note_ids(on_two.doc)
    await on_two.close()
    healthy(s)
    await s.close_all()


async def written_board(s: Session) -> None:
    """A note on `main`, seen by a second client; a clean stop then stores it."""
    writer, watcher = await s.open("main"), await s.open("main")
    writer.doc.get("notes", type=Map)["kept"] = Map({"text": Text("the work of the day")})
    await eventually(lambda: "kept" in note_ids(watcher.doc), what="the server has the note")
    await s.close_all()


async def reopened_after_restart(s: Session) -> YClient:
    s.server.stop()
    s.server.start()
    client = await s.open("main")
    assert note_ids(client.doc) == {"kept"}, "the board loads, with what it held"
    assert str(client.doc.get("notes", type=Map)["kept"]["text"]) == "the work of the day"
    healthy(s)
    return client


async def test_a_poisoned_sqlite_store_is_neutralised_on_load(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()
    s = Session.create(server)
    await written_board(s)
    server.stop()
    with sqlite3.connect(server.data_dir / "paja.sqlite3") as db:
        for make in POISONS.values():
            for depth in DEPTHS:
                db.execute(
                    "INSERT INTO updates (doc, data) VALUES (?, ?)",
                    (f"{s.id}/main", make(depth)),
                )
    server.start()
    await reopened_after_restart(s)  # loading it again after the first load is fine too
    assert "nested too deeply; they are neutralised" in server.log()
    await s.close_all()


async def test_a_poisoned_redis_store_is_neutralised_on_load(
    server_factory: type[PajaServer], redis_server: RedisServer
) -> None:
    server = server_factory(args=["--redis-url", redis_server.url]).start()
    s = Session.create(server)
    await written_board(s)
    server.stop()
    with redis.Redis(port=redis_server.port) as client:
        for make in POISONS.values():
            for depth in DEPTHS:
                client.xadd(Keys.log(f"{s.id}/main"), {b"u": make(depth)})
    server.start()
    await reopened_after_restart(s)
    assert "nested too deeply; they are neutralised" in server.log()
    await s.close_all()


def test_poison_strings_are_what_the_tests_think_they_are() -> None:
    """The crafted updates are real Yjs: a shallow one applies and reads as expected."""
    doc: Doc[Any] = Doc()
    doc.apply_update(deep_value(3))
    assert doc.get("notes", type=Map).to_py() == {"k": [[[0]]]}
    doc = Doc()
    doc.apply_update(deep_types(3, "sections"))
    assert doc.get("sections", type=Map).to_py() == {"k": {"k": {"k": {}}}}
    assert text("ä") == b"\x02\xc3\xa4"
