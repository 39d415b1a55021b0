"""uvicorn's WebSocket protocol, plus one ASGI extension: writing pre-built frames directly.

A server-to-client WebSocket frame is unmasked, so the frame of one Yjs update is the
same bytes for every connection on a board. Through plain ASGI each delivery would cost
a `websocket.send` event, a re-framing by the websockets library and a task switch;
with this extension the document frames an update once and each delivery is one
`transport.write`. Flow control stays with asyncio: while the transport is paused the
connection queues (and merges) instead, see connection.py.

The subclass relies on attributes of uvicorn's `WebSocketsSansIOProtocol`; pyproject.toml
pins uvicorn to versions it was checked against, and tests/test_direct_frames.py fails
if the extension is missing. Under any other ASGI server Paja falls back to plain ASGI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

EXTENSION = "paja.direct_frames"


def binary_frame(message: bytes) -> bytes:
    """One unmasked, final, binary WebSocket frame (RFC 6455 section 5.2)."""
    n = len(message)
    if n < 126:
        return bytes((0x82, n)) + message
    if n < 65536:
        return b"\x82\x7e" + n.to_bytes(2, "big") + message
    return b"\x82\x7f" + n.to_bytes(8, "big") + message


class FrameWriter:
    """What the app sees of a socket: whether it takes frames now, and a way to write them."""

    __slots__ = ("_protocol", "on_resume", "paused")

    def __init__(self, protocol: DirectFramesProtocol) -> None:
        self._protocol = protocol
        self.paused = False
        self.on_resume: Callable[[], None] | None = None

    @property
    def open(self) -> bool:
        p = self._protocol
        return p.handshake_complete and not p.close_sent and not p.disconnected

    def write(self, frame: bytes) -> None:
        self._protocol.transport.write(frame)

    def abort(self) -> None:
        """Drop the TCP connection: a reader that stopped reading cannot take a close frame."""
        self._protocol.transport.abort()


class DirectFramesProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frame_writer = FrameWriter(self)

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][EXTENSION] = self.frame_writer

    def pause_writing(self) -> None:
        super().pause_writing()
        self.frame_writer.paused = True

    def resume_writing(self) -> None:
        super().resume_writing()
        self.frame_writer.paused = False
        if self.frame_writer.on_resume is not None:
            self.frame_writer.on_resume()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.frame_writer.on_resume is not None:
            self.frame_writer.on_resume()  # wake a writer waiting for a socket that is gone
