"""The one module that relies on uvicorn's internals: a `DirectSocket` under `paja serve`
(uvicorn's WebSocket protocol plus one ASGI extension), where socket.py's `AsgiSocket`
serves under any other ASGI server.

A socket stays open for hours, and plain ASGI makes it costly twice over:
- Writes. A server-to-client frame is unmasked, so the frame of one Yjs update is the same
  bytes for every connection on a board. Through plain ASGI each delivery would cost a
  `websocket.send` event, a re-framing by the websockets library and a task switch; a
  DirectSocket is written the frame the document built once, in one `transport.write`.
  Flow control stays with asyncio: while the transport is paused the connection queues
  (and merges) instead, see connection.py.
- Reads. Plain ASGI needs a task awaiting `receive()` for the socket's whole life, and the
  app's chain of coroutines (middleware, router, endpoint) and the handshake (request,
  response, scope) stay in memory with it. A DirectSocket is handed over once the app has
  accepted and authorised it (`serve`): from then on each message goes to the receiver
  as soon as it is parsed, the ASGI call returns, and an idle connection holds no task.

DirectFramesProtocol relies on attributes of uvicorn's `WebSocketsSansIOProtocol`;
pyproject.toml pins uvicorn to versions it was checked against, and
tests/test_direct_frames.py fails if the extension is missing. tests/test_connection_cost.py
runs the app under uvicorn's own protocol, as any other ASGI server would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from .socket import EXTENSION, Receiver, binary_frame


class _Unused:
    """Stands in for uvicorn's ASGI receive queue and send gate (an `asyncio.Event`) once a
    socket is served directly: uvicorn still reports to them, and nobody waits on them."""

    def put_nowait(self, message: object) -> None:
        pass

    def set(self) -> None:
        pass

    def clear(self) -> None:
        pass


UNUSED = _Unused()


class DirectSocket:
    """What the app sees of a socket: whether it takes frames now, a way to write them, and
    the hand-over that lets the app serve it without a task."""

    __slots__ = ("_held", "_protocol", "_receiver", "on_resume", "paused", "served")

    def __init__(self, protocol: DirectFramesProtocol) -> None:
        self._protocol = protocol
        self.served = False  # handed over: messages no longer go through ASGI
        self._receiver: Receiver | None = None  # until it closes the socket, or is told
        self._held: list[bytes | None] | None = None  # messages read while held, in order
        self.paused = False
        self.on_resume: Callable[[], None] | None = None

    @property
    def open(self) -> bool:
        p = self._protocol
        return (
            p.handshake_complete
            and not p.close_sent
            and not p.disconnected
            and not p.transport.is_closing()
        )

    def write(self, message: bytes, frame: bytes | None = None) -> None:
        """Write one message; `frame` is its frame when one is shared by many sockets."""
        self._protocol.transport.write(frame or binary_frame(message))

    async def serve(self, receiver: Receiver) -> None:
        """From now on, messages go to `receiver` (those already read first). Returns at
        once: the ASGI call may end, and the socket stays open."""
        p = self._protocol
        queue = p.queue
        p.queue = p.writable = UNUSED  # type: ignore[assignment]
        self.served = True
        self._receiver = receiver
        # The handshake is done: what uvicorn kept of it is not needed again, nor are the
        # request's headers, which websockets' parser holds as long as the socket is open.
        p.request.headers.clear()
        del p.scope, p.request, p.response
        while not queue.empty():
            message = queue.get_nowait()
            if message["type"] == "websocket.disconnect":
                self._closed()
                return
            data = message.get("bytes")
            self.receive(data if isinstance(data, bytes) else None)
        if p.read_paused:
            p.read_paused = False
            if self._held is None and not p.transport.is_closing():
                p.transport.resume_reading()

    def hold(self) -> None:
        """Stop reading: what arrives meanwhile waits, in order, until `release`."""
        transport = self._protocol.transport
        if self._held is None and self._receiver is not None and not transport.is_closing():
            self._held = []
            transport.pause_reading()

    def release(self) -> None:
        """Deliver what waited, then read on (unless a message held the socket again)."""
        held = self._held
        if held is None:
            return
        self._held = None
        for i, data in enumerate(held):
            if self._receiver is None:
                return
            self._receiver.receive(data)
            if self._held is not None:  # held again: keep the rest in order
                self._held[:0] = held[i + 1 :]
                return
        if not self._protocol.transport.is_closing():
            self._protocol.transport.resume_reading()

    def receive(self, data: bytes | None) -> None:
        if self._receiver is None:
            return
        if self._held is not None:
            self._held.append(data)
        else:
            self._receiver.receive(data)

    def close(self, code: int, reason: str) -> None:
        """Send a close frame now, as uvicorn does for `websocket.close`; the receiver is not
        told (it asked). A socket that stopped reading cannot take a close frame: its TCP
        connection is dropped instead."""
        self._receiver = None
        p = self._protocol
        if self.paused:
            p.transport.abort()
            return
        if p.close_sent or p.disconnected or p.transport.is_closing():
            return
        p.conn.send_close(code, reason)
        p.transport.write(b"".join(p.conn.data_to_send()))
        p.close_sent = True
        if self._held is not None:
            self._held = None
            p.transport.resume_reading()  # to read the peer's answer to the close frame
        p.close_timer = p.loop.call_later(p.close_timeout, p.transport.close)

    def _closed(self) -> None:
        receiver, self._receiver = self._receiver, None
        self._held = None
        if receiver is not None:
            receiver.closed()

    def _resumed(self) -> None:
        self.paused = False
        if self.on_resume is not None:
            # Not from inside the transport's own callback: the connection writes at once.
            self._protocol.loop.call_soon(self.on_resume)


class DirectFramesProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.socket = DirectSocket(self)
        self.draining = False  # a refused frame's close is sent: what comes is dropped

    def data_received(self, data: bytes) -> None:
        if not self.draining:
            super().data_received(data)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][EXTENSION] = self.socket

    def send_receive_event_to_app(self) -> None:
        if not self.socket.served:
            super().send_receive_event_to_app()
            return
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if not self.close_sent:
            self.socket.receive(data if self.curr_msg_data_type == "bytes" else None)

    def handle_close(self, event: Any) -> None:
        super().handle_close(event)
        self.socket._closed()

    def handle_parser_exception(self) -> None:
        """A frame the parser refused (past `ws_max_size`: 1009; malformed: 1002). uvicorn
        sends the close frame and closes the TCP connection at once; with the rest of a big
        frame still arriving, the kernel then answers with a reset, and a client busy
        sending it may never read the close frame (it sees 1006). So: send the close frame,
        half-close, and read on, dropping everything, until the client closes too or
        `close_timeout` passes."""
        close = self.conn.close_sent
        if close is None or self.close_sent:
            super().handle_parser_exception()
        else:
            if not self.socket.served:
                reason = close.reason
                self.queue.put_nowait(
                    {"type": "websocket.disconnect", "code": close.code, "reason": reason}
                )
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.close_sent = True
            self.draining = True
            if self.transport.can_write_eof():
                self.transport.write_eof()
            self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)
        self.socket._closed()

    def pause_writing(self) -> None:
        super().pause_writing()
        self.socket.paused = True

    def resume_writing(self) -> None:
        super().resume_writing()
        self.socket._resumed()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.socket._closed()

    async def run_asgi(self) -> None:
        """uvicorn's, but for the end: a socket handed over stays open when the app returns."""
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except BaseException:
            self.logger.exception("Exception in ASGI application\n")
            self.send_500_response()
        else:
            if not self.handshake_complete:
                self.logger.error("ASGI callable returned without completing handshake.")
                self.send_500_response()
            elif result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
        if self.close_timer is None and not self.socket.served:
            self.transport.close()
