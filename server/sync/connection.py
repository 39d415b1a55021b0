"""One socket on one document: its rights, the awareness ids it speaks for, its send queue.

Fan-out never awaits a socket. While the socket takes frames and nothing waits before
them, a frame built once per update is written straight to it (see uvicorn_socket.py).
Otherwise frames wait in the connection's queue until the socket takes data again:
updates waiting together are merged into one frame, and a reader whose backlog passes the
limit is dropped (it re-syncs when it reconnects) instead of holding everybody else back.
The queue exists only while something waits, and no task serves it: the socket calls
back when it takes data again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Protocol

from pycrdt import merge_updates

from rooms.boards import Guard

from ..process.metrics import Counters
from .messages import update_message


class Socket(Protocol):
    """What a connection needs of its socket: a DirectSocket (uvicorn_socket.py), or an
    AsgiSocket (socket.py) under other ASGI servers."""

    paused: bool  # it takes no more data now: queue, and wait for `on_resume`
    on_resume: Callable[[], None] | None

    @property
    def open(self) -> bool: ...

    def write(self, message: bytes, frame: bytes | None = None) -> None: ...


class Connection:
    """`socket` None is a connection with nowhere to write yet: everything it is sent waits."""

    __slots__ = (
        "_closed",
        "_counters",
        "_on_overflow",
        "_on_terminate",
        "_queue",
        "_queued_bytes",
        "_socket",
        "awareness_ids",
        "can_write",
        "denied_once",
        "guard",
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
        socket: Socket | None = None,
        on_overflow: Callable[[Connection], None],
        on_terminate: Callable[[int, str], None] | None = None,
    ) -> None:
        self.role = role
        self.subject = subject
        self.can_write = can_write
        self.limit_bytes = limit_bytes
        self.awareness_ids: set[int] = set()
        self.denied_once = False
        self.guard: Guard | None = None  # locked notes its updates may not touch
        self._counters = counters
        self._socket = socket
        self._on_overflow = on_overflow
        self._on_terminate = on_terminate
        # Items are (update, message): update is the raw Yjs update for merging, or b"" for
        # a message that must go out as it is (sync steps, awareness, auth).
        self._queue: deque[tuple[bytes, bytes]] | None = None
        self._queued_bytes = 0
        self._closed = False
        if socket is not None:
            socket.on_resume = self._drain

    def send_update(self, update: bytes, message: bytes, frame: bytes | None) -> None:
        """Send a document update; `frame` is `message` framed once for every connection.
        `update` b"" is a message that must go out as it is (`send_message`)."""
        socket = self._socket
        if self._queue is not None or socket is None or socket.paused:
            self._enqueue(update, message)
        elif socket.open:
            socket.write(message, frame)
            self._counters.frames_direct += 1
            self._counters.bytes_out += len(frame or message)

    def send_message(self, message: bytes, frame: bytes | None = None) -> None:
        self.send_update(b"", message, frame)

    def _enqueue(self, update: bytes, message: bytes) -> None:
        if self._closed:
            return
        if self._queue is None:
            self._queue = deque()
        self._queue.append((update, message))
        self._queued_bytes += len(message)
        if self._queued_bytes > self.limit_bytes:
            self.close()
            self._on_overflow(self)

    def _drain(self) -> None:
        """Write what waited while the socket was paused, until it pauses again."""
        queue = self._queue
        socket = self._socket
        counters = self._counters
        while queue and socket is not None and not socket.paused:
            if not socket.open:
                queue.clear()
                break
            update, message = queue.popleft()
            self._queued_bytes -= len(message)
            if update and queue and queue[0][0]:
                message = self._merge_run(queue, update)
            socket.write(message)
            counters.frames_queued += 1
            counters.bytes_out += len(message)
        if not queue:
            self._queue = None
            self._queued_bytes = 0

    def _merge_run(self, queue: deque[tuple[bytes, bytes]], first: bytes) -> bytes:
        updates = [first]
        while queue and queue[0][0]:
            update, message = queue.popleft()
            self._queued_bytes -= len(message)
            updates.append(update)
        return update_message(merge_updates(*updates))

    def terminate(self, code: int, reason: str) -> None:
        """Close this socket from the server side, e.g. for a removed participant."""
        if self._on_terminate is not None:
            self._on_terminate(code, reason)

    def close(self) -> None:
        self._closed = True
        self._queue = None
        self._queued_bytes = 0
