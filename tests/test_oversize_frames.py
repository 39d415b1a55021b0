"""A frame past the message limit gets the contract's close frame (1009, with a reason),
not a dropped TCP connection (1006), however much of it the client is still sending."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import websockets
from pycrdt import write_var_uint

from support.processes import PajaServer
from support.yclient import YClient

MIB = 1024 * 1024
BIG_FRAME = Path(__file__).resolve().parent / "js" / "bigframe.mjs"


async def python_close(url: str, frame: bytes) -> tuple[int | None, str]:
    """The close a `websockets` client reads after sending `frame`."""
    ws = await websockets.connect(url, max_size=None)
    await ws.recv()  # the greeting: the socket is served
    with contextlib.suppress(websockets.ConnectionClosed):
        await ws.send(frame)
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), 20)
    return ws.close_code, ws.close_reason or ""


async def node_close(url: str, size: int) -> dict[str, object]:
    """The close a Node `ws` client (y-websocket's) reads after sending `size` bytes."""
    proc = await asyncio.create_subprocess_exec(
        "node", str(BIG_FRAME), url, str(size), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    return dict(json.loads(out))


async def test_a_16_mib_frame_is_closed_with_1009_and_a_reason(server: PajaServer) -> None:
    session = server.create_session()
    url = server.board_url(session["id"], "main", session["facilitator_token"])
    size = 16 * MIB  # twice the default limit of 8 MiB
    for _ in range(4):  # a reset instead of a close came about every other time
        closed = await node_close(url, size)
        assert closed["code"] == 1009, closed
        assert "exceeds limit" in str(closed["reason"]), "the close frame says why"
    payload = bytes(size)
    code, reason = await python_close(url, b"\x00\x02" + write_var_uint(size) + payload)
    assert (code, bool(reason)) == (1009, True), (code, reason)
    healthy = await YClient(url).connect()
    assert not healthy.closed.is_set() and server.alive()
    await healthy.close()
