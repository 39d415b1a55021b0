"""Each kind of bad input closes only the bad connection, with its documented code, while
two healthy clients on the same board keep converging and the server stays up."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import websockets
from pycrdt import Map, write_var_uint

from support.commands import Session
from support.processes import PajaServer
from support.yclient import YClient, eventually


@dataclass
class Board:
    server: PajaServer
    session: dict[str, str]
    alice: YClient
    bob: YClient

    def url(self, token: str | None = None, board: str = "main") -> str:
        return self.server.board_url(
            self.session["id"], board, token or self.session["facilitator_token"]
        )

    async def still_converging(self) -> None:
        assert self.server.alive()
        key = f"after-{random.random()}"
        self.alice.doc.get("notes", type=Map)[key] = "still here"
        await eventually(lambda: key in self.bob.notes(), what="healthy clients converge")
        assert not self.alice.closed.is_set() and not self.bob.closed.is_set()


@pytest.fixture
async def board(server_factory: type[PajaServer]) -> AsyncIterator[Board]:
    server = server_factory(args=["--max-message-bytes", str(1024 * 1024)]).start()
    session = server.create_session()
    url = server.board_url(session["id"], "main", session["facilitator_token"])
    alice, bob = await YClient(url).connect(), await YClient(url).connect()
    yield Board(server, session, alice, bob)
    await alice.close()
    await bob.close()


async def close_code_after(url: str, frame: bytes | str) -> int | None:
    """Connect, wait for the greeting, send one frame, and return the close code."""
    async with websockets.connect(url, max_size=None) as ws:
        await ws.recv()
        try:
            await ws.send(frame)  # a big frame can still be going out when the close comes
        except websockets.ConnectionClosed:
            return ws.close_code
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed:
            return ws.close_code


async def test_random_bytes(board: Board) -> None:
    rng = random.Random(20261123)
    for _ in range(10):
        frame = bytes([0, rng.randrange(3)]) + rng.randbytes(rng.randrange(1, 200))
        assert await close_code_after(board.url(), frame) in (1007, 1008)
    await board.still_converging()


async def test_truncated_varint(board: Board) -> None:
    assert await close_code_after(board.url(), b"\x00\x02\xff\xff") == 1008
    await board.still_converging()


async def test_length_prefix_of_two_to_the_31(board: Board) -> None:
    frame = b"\x00\x02" + write_var_uint(2**31) + b"tiny"
    assert await close_code_after(board.url(), frame) == 1008
    await board.still_converging()


async def test_unknown_message_type_is_ignored(board: Board) -> None:
    client = await YClient(board.url()).connect()
    await client.send_raw(b"\x09whatever")
    client.doc.get("notes", type=Map)["after-unknown"] = 1
    await eventually(lambda: "after-unknown" in board.bob.notes(), what="still syncing")
    assert not client.closed.is_set()
    await client.close()
    await board.still_converging()


async def test_valid_header_around_corrupt_update(board: Board) -> None:
    corrupt = b"\x01\x02\x03 definitely not a yjs update"
    frame = b"\x00\x02" + write_var_uint(len(corrupt)) + corrupt
    assert await close_code_after(board.url(), frame) == 1007
    assert "definitely" not in str(board.bob.notes())
    await board.still_converging()


async def test_text_frame(board: Board) -> None:
    assert await close_code_after(board.url(), "hello") == 1008
    await board.still_converging()


async def test_frame_over_the_limit(board: Board) -> None:
    big = b"\x00\x02" + write_var_uint(1_500_000) + bytes(1_500_000)
    assert await close_code_after(board.url(), big) == 1009
    await board.still_converging()


async def test_wrong_token(board: Board) -> None:
    intruder = await YClient(board.url(token="not-a-real-token")).connect(wait_synced=False)
    assert await intruder.wait_closed() == 4401
    other = board.server.create_session()
    cross = await YClient(board.url(token=other["facilitator_token"])).connect(wait_synced=False)
    assert await cross.wait_closed() == 4401, "a token of another session is no token here"
    await board.still_converging()


async def test_participant_writing_to_control_is_dropped_and_told_once(board: Board) -> None:
    person = board.server.join(board.session, "Pia")
    control = await YClient(board.url(person["token"], "control")).connect()
    for i in range(3):
        control.doc.get("notes", type=Map)[f"forged-{i}"] = "I run this session now"
    await eventually(lambda: len(control.auth_messages) >= 1, what="permission denied")
    await asyncio.sleep(0.3)
    assert control.auth_messages == [b"\x02\x00" + write_var_uint(20) + b"read-only connection"]
    assert not control.closed.is_set()
    fresh = await YClient(board.url(board="control")).connect()
    assert fresh.notes() == {}, "nothing a participant sent reached control"
    await fresh.close()
    await control.close()
    await board.still_converging()


async def test_five_hundred_connections_opened_and_dropped(board: Board) -> None:
    async def hit_and_run() -> None:
        try:
            ws = await websockets.connect(board.url(), open_timeout=20)
            ws.transport.abort()
        except (OSError, websockets.WebSocketException):
            pass

    for _ in range(5):
        await asyncio.gather(*(hit_and_run() for _ in range(100)))
    await board.still_converging()
    for _ in range(100):  # every dropped connection is cleaned up: only the two remain
        if board.server.metric("paja_open_connections") == 2:
            break
        await asyncio.sleep(0.1)
    assert board.server.metric("paja_open_connections") == 2


async def test_a_join_storm_past_the_limit_is_told_to_retry(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(
        args=["--max-initial-syncs", "3", "--join-timeout-seconds", "4"]
    ).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    # Three joiners that never send sync step 1 hold every initial-sync slot (they hold it
    # once the server greets them: a socket is accepted before it is counted).
    squatters = [await websockets.connect(url) for _ in range(3)]
    for ws in squatters:
        assert (await asyncio.wait_for(ws.recv(), 5))[:2] == b"\x00\x00"  # sync step 1
    late = await YClient(url).connect(wait_synced=False)
    assert await late.wait_closed() == 1013
    for ws in squatters:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    retry = await YClient(url).connect()
    assert retry.synced.is_set()
    await retry.close()


def nested_body(depth: int) -> bytes:
    """A JSON object whose arrays nest `depth` levels deep in all (two bytes a level)."""
    return b'{"title": "Deep", "x": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_a_deeply_nested_body_is_a_400_on_every_path(server: PajaServer) -> None:
    s = Session.create(server)
    token = s.facilitator
    paths = (
        ("/api/sessions", None),
        ("/api/sessions/import", None),
        (f"/api/sessions/{s.id}/participants", s.created["join_secret"]),
        (f"/api/sessions/{s.id}/polls", token),
        (f"/api/sessions/{s.id}/timers", token),
        (f"/api/sessions/{s.id}/summaries", s.created["bot_token"]),
    )
    for depth in (33, 1_000, 30_000):
        body = nested_body(depth)
        assert len(body) < 64 * 1024
        for path, bearer in paths:
            answer = httpx.post(
                server.http + path,
                content=body,
                headers={"content-type": "application/json"}
                | ({"authorization": f"Bearer {bearer}"} if bearer else {}),
                timeout=10,
            )
            assert answer.status_code == 400, (depth, path, answer.status_code, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert "nests deeper than 32" in answer.json()["detail"]
    assert server.alive()
    at_the_bound = httpx.post(
        server.http + "/api/sessions",
        content=nested_body(32),
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert at_the_bound.status_code == 201, at_the_bound.text
    server.remember_secrets(at_the_bound.json())
