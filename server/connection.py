"""One socket on one document: its rights, the awareness ids it speaks for, its send queue.

Fan-out never awaits a socket. While the socket takes frames and nothing waits before
them, a frame built once per update is written straight to it (see wsprotocol.py).
Otherwise frames wait in the connection's queue, served by its own writer task: updates
waiting together are merged into one frame, and a reader whose backlog passes the limit
is dropped (it re-syncs when it reconnects) instead of holding everybody else back.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from pycrdt import merge_updates

from .metrics import Counters
from .protocol import update_message
from .wsprotocol import FrameWriter, binary_frame

Send = Callable[[bytes], Awaitable[None]]


class Connection:
    __slots__ = (
        "_closed",
        "_counters",
        "_frames",
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
        counters: Counters,
        frames: FrameWriter | None = None,
        on_overflow: Callable[[Connection], None],
    ) -> None:
        self.role = role
        self.subject = subject
        self.can_write = can_write
        self.limit_bytes = limit_bytes
        self.awareness_ids: set[int] = set()
        self.denied_once = False
        self._counters = counters
        self._frames = frames
        self._on_overflow = on_overflow
        self._on_terminate: Callable[[int, str], None] | None = None
        # Items are (update, message): update is the raw Yjs update for merging, or b"" for
        # a message that must go out as it is (sync steps, awareness, auth).
        self._queue: deque[tuple[bytes, bytes]] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._closed = False
        if frames is not None:
            frames.on_resume = self._wakeup.set

    def send_update(self, update: bytes, message: bytes, frame: bytes) -> None:
        """Send a document update; `frame` is `message` framed once for every connection."""
        if self._queue or self._frames is None or self._frames.paused:
            self._enqueue(update, message)
        elif self._frames.open:
            self._frames.write(frame)
            self._counters.frames_direct += 1
            self._counters.bytes_out += len(frame)

    def send_message(self, message: bytes, frame: bytes | None = None) -> None:
        if self._queue or self._frames is None or self._frames.paused:
            self._enqueue(b"", message)
        elif self._frames.open:
            frame = frame or binary_frame(message)
            self._frames.write(frame)
            self._counters.frames_direct += 1
            self._counters.bytes_out += len(frame)

    def _enqueue(self, update: bytes, message: bytes) -> None:
        if self._closed:
            return
        self._queue.append((update, message))
        self._queued_bytes += len(message)
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
    def frames(self) -> FrameWriter | None:
        return self._frames

    async def run_writer(self, send: Send) -> None:
        """Send queued messages until the connection closes; merges runs of updates."""
        queue = self._queue
        frames = self._frames
        counters = self._counters
        while not self._closed:
            await self._wakeup.wait()
            self._wakeup.clear()
            while queue and not self._closed:
                if frames is not None and frames.paused:
                    break  # resume_writing sets the wakeup again
                update, message = queue.popleft()
                self._queued_bytes -= len(message)
                if update and queue and queue[0][0]:
                    message = self._merge_run(update)
                counters.frames_queued += 1
                counters.bytes_out += len(message)
                if frames is None:
                    await send(message)
                elif frames.open:
                    frames.write(binary_frame(message))
                else:
                    return

    def _merge_run(self, first: bytes) -> bytes:
        queue = self._queue
        updates = [first]
        while queue and queue[0][0]:
            update, message = queue.popleft()
            self._queued_bytes -= len(message)
            updates.append(update)
        return update_message(merge_updates(*updates))
