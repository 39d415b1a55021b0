"""One link cannot fill a session: sockets per token are capped (a person needs a few
tabs), and a facilitator is never refused because the session is full."""

from __future__ import annotations

import asyncio
import contextlib

import websockets
from websockets.asyncio.client import ClientConnection

from support.processes import PajaServer
from support.yclient import YClient

FRESH_SYNC_STEP1 = b"\x00\x00\x01\x00"


async def hold_sockets(url: str, count: int, batch: int = 100) -> list[ClientConnection]:
    """Open `count` sockets, `batch` at a time, each greeted and sending its sync step 1
    (so the server keeps it); returns those still open once the refused ones closed."""
    opened: list[ClientConnection] = []

    async def one() -> None:
        ws = await websockets.connect(url, open_timeout=30)
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(FRESH_SYNC_STEP1)
            await asyncio.wait_for(ws.recv(), 30)  # a greeting, or the close
            opened.append(ws)
            return
        assert ws.close_code == 1013, (ws.close_code, ws.close_reason)

    for start in range(0, count, batch):
        await asyncio.gather(*(one() for _ in range(min(batch, count - start))))
    return [ws for ws in opened if ws.close_code is None]


async def close_all(sockets: list[ClientConnection]) -> None:
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def test_2000_sockets_with_one_participant_token_leave_the_facilitator_in(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-connections-per-session", "300"]).start()
    s = server.create_session()
    eve = server.join(s, "Eve")["token"]
    held = await hold_sockets(server.board_url(s["id"], "main", eve), 2000)
    assert 0 < len(held) <= 32, f"{len(held)} sockets with one token"
    facilitator = await YClient(server.board_url(s["id"], "main", s["facilitator_token"])).connect()
    assert not facilitator.closed.is_set()
    others = [server.join(s, f"P{i}")["token"] for i in range(2)]
    for token in others:  # other people still get in, too
        await (await YClient(server.board_url(s["id"], "main", token)).connect()).close()
    await facilitator.close()
    await close_all(held)


async def test_a_facilitator_enters_a_full_session(server_factory: type[PajaServer]) -> None:
    server = server_factory(args=["--max-connections-per-session", "40"]).start()
    s = server.create_session()
    held = []
    for name in ("Eve", "Mallory"):  # 30 tabs each: within the cap per token
        token = server.join(s, name)["token"]
        held += await hold_sockets(server.board_url(s["id"], "main", token), 30)
    assert len(held) == 40, "the session is full"
    facilitator = await YClient(server.board_url(s["id"], "main", s["facilitator_token"])).connect()
    assert not facilitator.closed.is_set()
    await facilitator.close()
    await close_all(held)
