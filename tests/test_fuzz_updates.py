"""Adversarial Yjs updates, generated, sent by a participant to a live server: values
nested to any depth, shared types under items nobody has, length prefixes far past the
end, many clients, huge clocks, deletes of ids that do not exist. Whatever comes, the
server stays up and a healthy client keeps working on the same board."""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Map, create_sync_message, create_update_message, write_var_uint
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from support.commands import Session
from support.processes import PajaServer
from support.redis import RedisServer, deployment
from support.yclient import eventually, refusal
from support.yupdates import (
    ANY,
    ARRAY_TAG,
    HAS_ORIGIN,
    MAP_TYPE,
    STRING,
    TYPE,
    child_item,
    encode_any,
    root_item,
    sync_update,
    text,
)

ids = st.tuples(st.integers(0, 2**53), st.integers(0, 2**40))
plain = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
values = st.recursive(
    plain,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)
roots = st.sampled_from(["notes", "sections", "control", "x" * 300, ""])
contents = st.one_of(
    values.map(lambda v: write_var_uint(1) + encode_any(v)),
    (st.sampled_from([33, 1_000, 20_000, 100_000]) | st.integers(0, 100_000)).map(
        lambda depth: write_var_uint(1) + bytes([ARRAY_TAG, 1]) * depth + bytes([125, 0])
    ),  # a value nested `depth` deep
    st.just(write_var_uint(MAP_TYPE)),
    st.integers(0, 2**62).map(lambda n: write_var_uint(n) + b"abc"),  # a length far past the end
)


def item(kind: str, root: str, content: bytes, ref: tuple[int, int]) -> bytes:
    info = TYPE if content == write_var_uint(MAP_TYPE) else ANY
    if kind == "root":
        return root_item(root, "k", info, content)
    if kind == "child":
        return child_item(ref, "k", info, content)
    if kind == "string":
        return (
            bytes([STRING | HAS_ORIGIN])
            + write_var_uint(ref[0])
            + write_var_uint(ref[1])
            + text(root)
        )
    return bytes([info | HAS_ORIGIN]) + write_var_uint(ref[0]) + write_var_uint(ref[1]) + content


items = st.builds(
    item, st.sampled_from(["root", "child", "string", "origin"]), roots, contents, ids
)
clients = st.tuples(st.integers(0, 2**53), st.integers(0, 2**40), st.lists(items, max_size=5))
deletes = st.lists(st.tuples(st.integers(0, 2**53), st.lists(ids, max_size=3)), max_size=3)


def encode(parts: list[tuple[int, int, list[bytes]]], gone: list[tuple[int, list[Any]]]) -> bytes:
    out = write_var_uint(len(parts))
    for client, clock, structs in parts:
        out += write_var_uint(len(structs)) + write_var_uint(client) + write_var_uint(clock)
        out += b"".join(structs)
    out += write_var_uint(len(gone))
    for client, ranges in gone:
        out += write_var_uint(client) + write_var_uint(len(ranges))
        out += b"".join(write_var_uint(c) + write_var_uint(n) for c, n in ranges)
    return out


updates = st.one_of(
    st.builds(encode, st.lists(clients, max_size=5), deletes),
    st.builds(
        lambda u, cut: u[:cut],
        st.builds(encode, st.lists(clients, max_size=3), deletes),
        st.integers(0, 400),
    ),
    st.binary(max_size=200),
)


def synced(ws: ClientConnection) -> None:
    """Sync step 1, as a stock client opens with, and its answer (sync step 2): the server
    serves this socket (a board that is loading, or reloading after an update broke its
    copy, greets only once it is loaded)."""
    ws.send(create_sync_message(Doc()))
    while ws.recv(timeout=20)[:2] != b"\x00\x01":
        pass


def send(url: str, payload: bytes) -> None:
    """One socket, one update; the server may close it (1007/1008/1011) or apply it."""
    with connect(url, max_size=None, open_timeout=20) as ws:
        try:
            synced(ws)
            ws.send(sync_update(payload))
            synced(ws)  # answered unless the update closed the socket
        except ConnectionClosed:
            return


def healthy(server: PajaServer, url: str, key: str) -> None:
    """A facilitator writes a note; a fresh client then reads it back from the server."""
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map)[key] = "ok"
    with connect(url, max_size=None, open_timeout=20) as ws:
        synced(ws)
        ws.send(create_update_message(doc.get_update()))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reader: Doc[Any] = Doc()
        with connect(url, max_size=None, open_timeout=20) as ws:
            ws.send(create_sync_message(reader))
            while True:
                message = ws.recv(timeout=20)
                assert isinstance(message, bytes)
                if message[:2] == b"\x00\x01":  # sync step 2: the server's whole board
                    length_end = 2
                    while message[length_end] & 0x80:
                        length_end += 1
                    reader.apply_update(message[length_end + 1 :])
                    break
        if key in reader.get("notes", type=Map).keys():
            assert server.alive()
            return
        time.sleep(0.1)
    raise AssertionError(f"a healthy client's note {key!r} never came back")


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("fuzz")
    # The fuzzer's link is never held off after a panic (it would explore nothing more).
    env = {"PAJA_BROKEN_BOARD_HOLD_OFF_SECONDS": "0"}
    server = PajaServer(base / "data", base / "server.log", env=env).start()
    session = server.create_session()
    person = server.join(session, "Fuzzer")
    yield (
        server,
        server.board_url(session["id"], "main", person["token"]),
        server.board_url(session["id"], "main", session["facilitator_token"]),
    )
    server.stop()


SEEN = {"count": 0}


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(updates)
def test_the_server_stays_up_and_serves_a_healthy_client(board: Any, payload: bytes) -> None:
    server, attacker, facilitator = board
    send(attacker, payload)
    assert server.alive(), "the server is still running"
    SEEN["count"] += 1
    if SEEN["count"] % 40 == 0:
        healthy(server, facilitator, f"healthy-{SEEN['count']}")


# Found by the test above: an item of one client, then an update naming that client with no
# structs. pycrdt panicked on the second (Option::unwrap on None), leaving the board's copy
# half-changed; later updates to it looped for ever or crashed the process.
ITEMS_OF_A_CLIENT = bytes.fromhex(
    "0102a4bc048b092801056e6f746573016b017e2801056e6f746573016b017e00"
)
THE_CLIENT_WITH_NO_STRUCTS = bytes.fromhex("0100a4bc048b0900")


async def test_an_update_that_made_pycrdt_panic_is_refused_and_the_board_goes_on(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    attacker = await s.open("main", s.join("Pia")["token"])
    watcher = await s.open("main")
    assert attacker.ws is not None
    await attacker.ws.send(sync_update(ITEMS_OF_A_CLIENT))
    await eventually(lambda: "k" in watcher.notes(), what="the first update applied")
    await attacker.ws.send(sync_update(THE_CLIENT_WITH_NO_STRUCTS))
    assert await attacker.wait_closed() == 1007
    assert not watcher.closed.is_set()
    watcher.doc.get("notes", type=Map)["after"] = "still here"
    fresh = await s.open("main")
    await eventually(lambda: {"k", "after"} <= set(fresh.notes()), what="the board as it was")
    assert server.alive()
    await s.close_all()


# Also found by the fuzzing above: one update listing one client twice (two types set at
# control's "k"). Applied once it is taken; applied again (a re-sync, a compaction of the
# stored log) pycrdt panics, "entered unreachable code".
A_CLIENT_LISTED_TWICE = bytes.fromhex(
    "0201a90694c572270107636f6e74726f6c016b0101a906aba3baec01270107636f6e74726f6c016b0100"
)


async def test_an_update_listing_a_client_twice_is_refused_before_it_is_stored(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    attacker = await s.open("main", s.join("Pia")["token"])
    writer = await s.open("main")
    writer.doc.get("notes", type=Map)["before"] = "kept"
    await eventually(lambda: "before" in attacker.notes(), what="the writer's note taken")
    assert attacker.ws is not None
    await attacker.ws.send(sync_update(A_CLIENT_LISTED_TWICE))
    assert await attacker.wait_closed() == 1007
    await writer.close()
    # Restarted, the board loads and compacts its log as ever: nothing of it was stored.
    assert server.terminate()
    server.start()
    fresh = await s.open("main")
    assert fresh.notes() == {"before": "kept"}
    assert "k" not in fresh.doc.get("control", type=Map).keys()
    await fresh.close()
    assert server.terminate(), "the shutdown compacted the board's log"
    assert "shutdown failed" not in server.log_path.read_text()


# Also found by the fuzzing above, and not refused by the walk: one update whose items name
# a parent of their own client that pycrdt has not seen, at clocks below their own. pycrdt
# panics on it ("types/mod.rs"), in a fresh board as in a full one.
AN_UPDATE_THAT_PANICS = bytes.fromhex(
    "0202daa23ab89ab9bc08280100016b0175002800daa23ae3b71c016b017500020204280100016b0175002800"
    "daa23ae3b71c016b01750000"
)


async def test_an_update_that_makes_pycrdt_panic_reloads_the_board_and_holds_its_link_off(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    writer = await s.open("main")
    writer.doc.get("notes", type=Map)["before"] = "kept"
    attacker = await s.open("main", s.join("Pia")["token"])
    await eventually(lambda: "before" in attacker.notes(), what="the writer's note taken")
    assert attacker.ws is not None
    await attacker.ws.send(sync_update(AN_UPDATE_THAT_PANICS))
    assert await attacker.wait_closed() == 1007
    assert await writer.wait_closed() == 1011, "the broken copy's people reconnect"
    await attacker.connect(wait_synced=False)
    assert await attacker.wait_closed() == 1013, "the sender's link waits before it comes back"
    await writer.connect()
    writer.doc.get("notes", type=Map)["after"] = "written on the fresh copy"
    fresh = await s.open("main")
    await eventually(lambda: "after" in fresh.notes(), what="the fresh copy serving")
    assert fresh.notes() == {"before": "kept", "after": "written on the fresh copy"}
    assert server.alive()
    await s.close_all()
    assert "pycrdt panicked on an update; the board reloads" in server.log_path.read_text()


async def test_a_link_held_off_on_one_instance_is_held_off_on_every_instance(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    """Behind a load balancer the sender would reconnect through another instance and
    break that instance's copy of the board too, and the next, each once a reconnect."""
    first, second = deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = Session.create(first)
    token = s.join("Pia")["token"]
    other = s.join("Olli")["token"]
    attacker = await s.open("main", token)
    watcher = await s.open("main", via=second)
    assert attacker.ws is not None
    await attacker.ws.send(sync_update(AN_UPDATE_THAT_PANICS))
    assert await attacker.wait_closed() == 1007
    # the word reaches the other instance over Redis: a reconnect may just beat it there
    deadline = time.monotonic() + 10
    while (code := await refusal(second.board_url(s.id, "main", token))) != 1013:
        assert time.monotonic() < deadline, f"never held off through the other instance ({code})"
    assert not watcher.closed.is_set(), "the other instance's copy was never broken"
    olli = await s.open("main", other, via=second)
    assert not olli.closed.is_set(), "only that link is held off"
    await s.close_all()


# Also found by the fuzzing above: an item at a clock past 32 bits, which pycrdt wraps around
# (its clocks are 32-bit), then another item of that client. Both were taken without a panic,
# but the board then panicked whenever it was encoded: every joiner's sync failed.
PAST_32_BITS = bytes.fromhex("010100ffffffffff1f2801056e6f746573016b017e00")
THE_SAME_CLIENT_BELOW = bytes.fromhex("010100a90b270107636f6e74726f6c016b0100")


async def test_an_update_with_a_clock_past_32_bits_is_refused(server: PajaServer) -> None:
    s = Session.create(server)
    writer = await s.open("main")
    writer.doc.get("notes", type=Map)["before"] = "kept"
    attacker = await s.open("main", s.join("Pia")["token"])
    assert attacker.ws is not None
    await attacker.ws.send(sync_update(PAST_32_BITS))
    assert await attacker.wait_closed() == 1007
    # Alone, the other is an ordinary update waiting for its client's earlier items.
    other = await s.open("main", s.join("Paul")["token"])
    assert other.ws is not None
    await other.ws.send(sync_update(THE_SAME_CLIENT_BELOW))
    other.doc.get("notes", type=Map)["later"] = "taken after it"
    await eventually(lambda: "later" in writer.notes(), what="the socket served on")
    fresh = await s.open("main")
    assert fresh.notes() == {"before": "kept", "later": "taken after it"}
    assert not writer.closed.is_set()
    await s.close_all()
