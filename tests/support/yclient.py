"""A pycrdt client of the y-websocket protocol for tests: a Doc kept in sync over a socket.

It keeps every frame it received, so tests can assert on close codes, auth messages and
awareness as well as on the converged document.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import websockets
from pycrdt import (
    Array,
    Awareness,
    Doc,
    Map,
    Text,
    TransactionEvent,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
    read_message,
)
from websockets.asyncio.client import ClientConnection


class YClient:
    def __init__(self, url: str, doc: Doc | None = None) -> None:
        self.url = url
        self.doc = doc or Doc()
        self.awareness = Awareness(self.doc)
        self.ws: ClientConnection | None = None
        self.synced = asyncio.Event()
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""
        self.frames: list[bytes] = []
        self.auth_messages: list[bytes] = []
        self._reader: asyncio.Task[None] | None = None
        self._sub = self.doc.observe(self._local_update)
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._offline = False
        self._applying_remote = False

    async def connect(self, *, wait_synced: bool = True, timeout: float = 10) -> YClient:
        if self._writer is not None:  # a closed socket's writer would take the next edit
            self._writer.cancel()
        self.synced.clear()
        self.closed.clear()
        self.close_code = None
        self.ws = await websockets.connect(self.url, max_size=None, open_timeout=timeout)
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(create_sync_message(self.doc))  # a refused socket closes at once
        self._reader = asyncio.create_task(self._read())
        self._writer = asyncio.create_task(self._write())
        self._offline = False
        if wait_synced:
            await asyncio.wait_for(self.synced.wait(), timeout)
        return self

    def _local_update(self, event: TransactionEvent) -> None:
        if self._applying_remote or self._offline:
            return
        self._outbox.put_nowait(create_update_message(event.update))

    async def _write(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await self.ws.send(await self._outbox.get())

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for frame in self.ws:
                assert isinstance(frame, bytes)
                self.frames.append(frame)
                if frame[0] == YMessageType.SYNC:
                    self._applying_remote = True
                    try:
                        reply = handle_sync_message(frame[1:], self.doc)
                    finally:
                        self._applying_remote = False
                    if reply is not None:
                        await self.ws.send(reply)
                    if frame[1] == YSyncMessageType.SYNC_STEP2:
                        self.synced.set()
                elif frame[0] == YMessageType.AWARENESS:
                    self.awareness.apply_awareness_update(read_message(frame[1:]), "remote")
                elif frame[0] == 2:
                    self.auth_messages.append(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            if self.ws.close_code is not None:
                self.close_code = self.ws.close_code
                self.close_reason = self.ws.close_reason or ""
            self.closed.set()

    def send_after_edits(self, data: bytes) -> None:
        """Send a frame behind the edits still waiting to go out, in their order."""
        self._outbox.put_nowait(data)

    async def send_raw(self, data: bytes | str) -> None:
        assert self.ws is not None
        await self.ws.send(data)

    async def set_presence(self, state: dict[str, Any] | None) -> None:
        self.awareness.set_local_state(state)
        update = self.awareness.encode_awareness_update([self.awareness.client_id])
        await self.send_raw(create_awareness_message(update))

    def go_offline(self) -> None:
        """Keep editing locally; the edits are sent by the sync on the next connect."""
        self._offline = True

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def wait_closed(self, timeout: float = 10) -> int | None:
        await asyncio.wait_for(self.closed.wait(), timeout)
        return self.close_code

    def notes(self) -> dict[str, Any]:
        return dict(self.doc.get("notes", type=Map).to_py() or {})


async def edit_until(
    client: YClient, prefix: str, stop: asyncio.Event, log: list[str], every: float = 0.01
) -> None:
    """Keep adding notes `prefix-0`, `prefix-1`, … until `stop`, logging each key."""
    notes = client.doc.get("notes", type=Map)
    i = 0
    while not stop.is_set():
        key = f"{prefix}-{i}"
        notes[key] = i
        log.append(key)
        i += 1
        await asyncio.sleep(every)


async def eventually(predicate: Callable[[], bool], timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")


def snapshot(doc: Doc) -> dict[str, Any]:
    """The document's test roots as plain data: map `notes`, array `items`, text `text`."""
    return {
        "notes": doc.get("notes", type=Map).to_py() or {},
        "items": doc.get("items", type=Array).to_py() or [],
        "text": str(doc.get("text", type=Text)),
    }


async def refusal(url: str) -> int | None:
    """The close code a board's server answers a connection with (None: it was let in)."""
    client = YClient(url)
    await client.connect(wait_synced=False)
    await eventually(lambda: client.synced.is_set() or client.closed.is_set())
    code = client.close_code if client.closed.is_set() else None
    await client.close()
    return code


async def reconnecting(url: str, attempts: int = 5) -> YClient:
    """A client that reconnects, as a stock one does, while the board tells it to (1011
    "board reloads"): the first to open a board whose stored log is replayed is told so."""
    client = YClient(url)
    for _ in range(attempts):
        await client.connect(wait_synced=False)
        await eventually(lambda: client.synced.is_set() or client.closed.is_set(), timeout=20)
        if client.synced.is_set():
            return client
        assert client.close_code == 1011, client.close_code
    raise AssertionError(f"the board never loaded in {attempts} attempts")
