"""One socket on one document: its rights, the awareness ids it speaks for, its send queue.

Fan-out never awaits a socket. Frames go into the connection's queue and its own writer
task sends them; updates waiting together are merged into one frame, and a reader whose
backlog passes the limit is dropped (it re-syncs when it reconnects) instead of holding
everybody else back.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from pycrdt import merge_updates

from .protocol import update_message

Send = Callable[[bytes], Awaitable[None]]


class Connection:
    __slots__ = (
        "_closed",
        "_on_overflow",
        "_on_terminate",
        "_queue",
        "_queued_bytes",
        "_wakeup",
        "awareness_ids",
        "can_write",
        "denied_once",
        "limit_bytes",
        "role",
        "subject",
    )

    def __init__(
        self,
        *,
        role: str,
        subject: str,
        can_write: bool,
        limit_bytes: int,
        on_overflow: Callable[[Connection], None],
    ) -> None:
        self.role = role
        self.subject = subject
        self.can_write = can_write
        self.limit_bytes = limit_bytes
        self.awareness_ids: set[int] = set()
        self.denied_once = False
        self._on_overflow = on_overflow
        # Items are (update, frame): update is the raw Yjs update for merging, or b"" for a
        # frame that must go out as it is (sync steps, awareness, auth).
        self._queue: deque[tuple[bytes, bytes]] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._closed = False
        self._on_terminate: Callable[[int, str], None] | None = None

    def send_update(self, update: bytes, frame: bytes) -> None:
        """Queue a document update whose pre-built frame serves every connection."""
        self._enqueue(update, frame)

    def send_frame(self, frame: bytes) -> None:
        self._enqueue(b"", frame)

    def _enqueue(self, update: bytes, frame: bytes) -> None:
        if self._closed:
            return
        self._queue.append((update, frame))
        self._queued_bytes += len(frame)
        if self._queued_bytes > self.limit_bytes:
            self._closed = True
            self._queue.clear()
            self._on_overflow(self)
            return
        self._wakeup.set()

    def on_terminate(self, callback: Callable[[int, str], None]) -> None:
        self._on_terminate = callback

    def terminate(self, code: int, reason: str) -> None:
        """Close this socket from the server side, e.g. for a removed participant."""
        if self._on_terminate is not None:
            self._on_terminate(code, reason)

    def close(self) -> None:
        self._closed = True
        self._queue.clear()
        self._wakeup.set()

    @property
    def closed(self) -> bool:
        return self._closed

    async def run_writer(self, send: Send) -> None:
        """Send queued frames until the connection closes; merges runs of updates."""
        queue = self._queue
        while not self._closed:
            await self._wakeup.wait()
            self._wakeup.clear()
            while queue and not self._closed:
                update, frame = queue.popleft()
                self._queued_bytes -= len(frame)
                if update and queue and queue[0][0]:
                    frame = self._merge_run(update)
                await send(frame)

    def _merge_run(self, first: bytes) -> bytes:
        queue = self._queue
        updates = [first]
        while queue and queue[0][0]:
            update, frame = queue.popleft()
            self._queued_bytes -= len(frame)
            updates.append(update)
        return update_message(merge_updates(*updates))
