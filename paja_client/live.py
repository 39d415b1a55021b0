"""A read-only, live copy of one board: a pycrdt `Doc` kept in sync over y-websocket.

A bot watches `control` (timers, rounds, polls, summaries) or a board's notes and reacts
when they change. It never writes: it sends its sync step 1 (the server expects one) and
nothing else, not even the sync step 2 a writing client would answer with, so the server
never has to refuse it. When the socket drops, or the server asks it to come back later
(1013), it reconnects and catches up from its state vector; a refusal that will not
change (a bad token, no such board) ends it with `BoardClosed`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import websockets
from pycrdt import Array, Doc, Map, YMessageType, YSyncMessageType, create_sync_message
from pycrdt import handle_sync_message as apply_sync_message
from websockets.asyncio.client import ClientConnection

from rooms.control import plain

from .rest import PajaClient, PajaError

T = TypeVar("T")

# Close codes after which trying again cannot help (docs/protocol.md).
FINAL_CLOSE_CODES = {4401: "bad token", 4403: "not allowed", 4404: "no such session or board"}
FINAL_CLOSE_CODES |= {1007: "corrupt update", 1008: "protocol violation", 1009: "too big"}
RETRY_SECONDS = (0.5, 1, 2, 5, 10, 30)


class BoardClosed(PajaError):
    """The server closed the board for good; `status` is the WebSocket close code."""


class LiveBoard:
    """`async with LiveBoard(client, "control") as board:` — `board.doc` is synced on
    entry and stays in sync until the block ends; `await board.wait_for(...)` or
    `await board.changed()` waits for the next change. Local edits to `doc` are never sent.
    """

    def __init__(self, client: PajaClient, board: str, *, timeout: float = 10.0) -> None:
        self.client = client
        self.board = board
        self.timeout = timeout
        self.doc: Doc[Any] = Doc()
        self._changed = asyncio.Event()
        self._synced = asyncio.Event()
        self._closed: BoardClosed | None = None
        self._socket: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LiveBoard:
        self._socket = await self._connect()
        self._task = asyncio.create_task(self._follow(self._socket))
        try:
            async with asyncio.timeout(self.timeout):
                await self._wait(self._synced)
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._socket is not None:
            await self._socket.close()

    def map(self, name: str) -> dict[str, Any]:
        """A top-level map as plain data, e.g. `board.map("timers")` on `control`."""
        return dict(plain(self.doc.get(name, type=Map).to_py() or {}))

    def array(self, name: str) -> list[Any]:
        """A top-level array as plain data, e.g. `board.array("summaries")` on `control`."""
        return list(plain(self.doc.get(name, type=Array).to_py() or []))

    async def changed(self, timeout: float | None = None) -> None:
        """Wait until the next update from the server has been applied."""
        async with asyncio.timeout(timeout):
            await self._wait(self._changed)

    async def wait_for(self, found: Callable[[LiveBoard], T], timeout: float | None = None) -> T:
        """Wait until `found(board)` returns something truthy, and return it. It is called
        now and after every change, so it reads the board as it is at that moment."""
        async with asyncio.timeout(timeout):
            while not (value := found(self)):
                await self._wait(self._changed)
        return value

    async def _wait(self, event: asyncio.Event) -> None:
        """Wait for `event`, or raise when the board closed for good meanwhile."""
        if self._closed is None:
            await event.wait()
        if self._closed is not None:
            raise self._closed

    async def _connect(self) -> ClientConnection:
        try:
            socket = await websockets.connect(
                self.client.ws_url(self.board), max_size=None, open_timeout=self.timeout
            )
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            reason = self.client.redact(str(error) or type(error).__name__)
            raise PajaError(None, f"cannot open board {self.board!r}: {reason}") from None
        with contextlib.suppress(websockets.ConnectionClosed):  # a refused socket closes at once
            await socket.send(create_sync_message(self.doc))
        return socket

    async def _follow(self, socket: ClientConnection) -> None:
        """Read the board until it closes for good, reconnecting when it may come back."""
        attempt = 0
        while True:
            if await self._read(socket):
                attempt = 0
            code = socket.close_code
            if code in FINAL_CLOSE_CODES:
                reason = socket.close_reason or FINAL_CLOSE_CODES[code]
                self._closed = BoardClosed(code, f"board {self.board!r} closed: {reason}")
                self._changed.set()
                self._synced.set()
                return
            while True:
                await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
                attempt += 1
                with contextlib.suppress(PajaError):
                    socket = self._socket = await self._connect()
                    break

    async def _read(self, socket: ClientConnection) -> bool:
        """Apply the server's sync messages until the socket closes; True if it synced."""
        synced = False
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in socket:
                if not isinstance(frame, bytes) or len(frame) < 2:
                    continue
                if frame[0] != YMessageType.SYNC or frame[1] == YSyncMessageType.SYNC_STEP1:
                    continue  # presence, auth, and the server's request for our (empty) state
                try:
                    apply_sync_message(frame[1:], self.doc)
                except Exception:  # pycrdt raises several types for a damaged update
                    await socket.close(1007, "corrupt update")
                    break
                if frame[1] == YSyncMessageType.SYNC_STEP2:
                    synced = True
                    self._synced.set()
                self._changed.set()
                self._changed = asyncio.Event()
        return synced
