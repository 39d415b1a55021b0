"""What the sync core sees of a WebSocket once it is accepted, whatever serves it: a socket
writes messages (or frames built once for many sockets), tells when it takes no more data,
holds reading for a while, closes, and serves every message to one `Receiver`.

Two sockets implement it: `DirectSocket` (uvicorn_socket.py, the one module that relies on
uvicorn's internals) under `paja serve`, and `AsgiSocket` here under any other ASGI server,
fed by a read loop. Why the direct one exists, and what it saves, is told there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Protocol

from starlette.websockets import WebSocket

EXTENSION = (
    "paja.direct_frames"  # the ASGI extension under which uvicorn_socket hands a DirectSocket
)


def binary_frame(message: bytes) -> bytes:
    """One unmasked, final, binary WebSocket frame (RFC 6455 section 5.2)."""
    n = len(message)
    if n < 126:
        return bytes((0x82, n)) + message
    if n < 65536:
        return b"\x82\x7e" + n.to_bytes(2, "big") + message
    return b"\x82\x7f" + n.to_bytes(8, "big") + message


class Receiver(Protocol):
    """Who serves a socket after the hand-over."""

    def receive(self, data: bytes | None) -> None:
        """One message: its bytes, or None for a text message."""

    def closed(self) -> None:
        """The socket is closing or gone (called once, and not after `close`)."""


class AsgiSocket:
    """A socket under an ASGI server without this protocol, with what DirectSocket offers.

    Writes are one `websocket.send` at a time; while one is in flight the socket counts as
    paused, so the connection queues and merges as it does for a paused transport. Reads
    are a loop in the ASGI call, which `hold` pauses and `close` ends.
    """

    __slots__ = ("_closing", "_held", "_sending", "_websocket", "on_resume", "open", "paused")

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._sending: asyncio.Task[None] | None = None
        self._held: asyncio.Future[None] | None = None
        self._closing: asyncio.Task[None] | None = None
        self.open = True
        self.paused = False
        self.on_resume: Callable[[], None] | None = None

    def write(self, message: bytes, frame: bytes | None = None) -> None:
        self.paused = True
        self._sending = asyncio.create_task(self._send(message))

    async def _send(self, message: bytes) -> None:
        try:
            await self._websocket.send_bytes(message)
        except Exception:  # the socket is gone: the read loop sees the disconnect
            self.open = False
            return
        self.paused = False
        if self.on_resume is not None:
            self.on_resume()

    async def serve(self, receiver: Receiver) -> None:
        """Read until the socket ends; a close from the server side ends it too."""
        websocket = self._websocket
        try:
            while self._closing is None:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                receiver.receive(message.get("bytes"))
                if self._held is not None:
                    await self._held
        finally:
            self.open = False
            if self._closing is None:
                receiver.closed()
            else:
                await self._closing

    def hold(self) -> None:
        if self._held is None:
            self._held = asyncio.get_running_loop().create_future()

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None and not held.done():
            held.set_result(None)

    def close(self, code: int, reason: str) -> None:
        """The ASGI server answers the close with a disconnect, which ends `serve`."""
        self.open = False
        self.release()
        self._closing = asyncio.create_task(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._websocket.close(code, reason), timeout=5)
