"""The WebSocket endpoint `/ws/{session_id}/{board}`: handshake, access, message dispatch.

Every way a connection can go wrong ends here as one close code (DESIGN.md section 1),
and only that connection is affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from pycrdt import YMessageType, YSyncMessageType
from starlette.websockets import WebSocket, WebSocketDisconnect

from .access import FACILITATOR, BoardAccess, Denied, open_board
from .connection import Connection
from .document import Document
from .hub import Hub
from .limits import BoardLimits, ConnectionCounts, Throttle
from .metrics import Counters
from .protocol import (
    EMPTY_UPDATE,
    MESSAGE_QUERY_AWARENESS,
    CloseCode,
    ProtocolError,
    decode,
    permission_denied,
)
from .security import allowed_origins, origin_allowed
from .store.base import LoadError, document_key
from .wsprotocol import EXTENSION

log = logging.getLogger("paja.sync")


class MessageReceiver:
    """Decodes one client frame and applies it to the document on behalf of a connection."""

    def __init__(self, document: Document, connection: Connection, counters: Counters) -> None:
        self.document = document
        self.connection = connection
        self.counters = counters
        self.synced = False

    def receive(self, frame: bytes) -> None:
        message = decode(frame)
        kind = message.type
        if kind == YMessageType.SYNC:
            if message.subtype == YSyncMessageType.SYNC_STEP1:
                self.connection.send_message(self.document.sync_reply(message.payload))
                self.synced = True
            else:
                self._write(message.payload)
        elif kind == YMessageType.AWARENESS:
            self.document.apply_awareness(message.payload, self.connection)
        elif kind == MESSAGE_QUERY_AWARENESS:
            self.connection.send_message(self.document.awareness_frame())

    def _write(self, update: bytes) -> None:
        if update == EMPTY_UPDATE:
            return
        connection = self.connection
        document = self.document
        refusal = None
        if not connection.can_write:
            refusal = "read-only connection"
        elif document.full is not None:
            refusal = document.refusal(update, connection.role == FACILITATOR)
        if refusal is None:
            document.apply_update(update, connection)
        elif not connection.denied_once:
            connection.denied_once = True
            connection.send_message(permission_denied(refusal))


class JoinSlot:
    """One of the `max_initial_syncs` joins in flight, held from the capacity check until the
    joiner's sync step 1 is answered: taken at the check, so joiners arriving together
    cannot all pass it before any of them is counted."""

    __slots__ = ("_hub", "held")

    def __init__(self, hub: Hub) -> None:
        hub.initial_syncs += 1
        self._hub = hub
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._hub.initial_syncs -= 1


class SyncEndpoint:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        settings = hub.settings
        self.open_connections = 0
        self.origins = allowed_origins(settings)
        self.counts = ConnectionCounts(
            settings.max_connections_per_session, settings.max_connections_per_address
        )
        self.board_limits = BoardLimits(settings.max_board_bytes, settings.max_notes_per_board)

    async def handle(self, websocket: WebSocket) -> None:
        """Check origin, token, board and capacity; then serve the socket until it closes."""
        await websocket.accept()
        if not origin_allowed(websocket.headers, self.origins):
            await websocket.close(CloseCode.FORBIDDEN, "origin not allowed")
            return
        session_id = websocket.path_params["session_id"]
        board = websocket.path_params["board"]
        hub = self.hub
        try:
            access = await open_board(
                hub.store,
                websocket.query_params.get("token"),
                session_id,
                board,
                max_boards=hub.settings.max_boards_per_session,
            )
        except Denied as denied:
            await websocket.close(denied.code, denied.reason)
            return
        except Exception as exc:  # the store is unreachable (e.g. Redis restarting)
            await self._unavailable(websocket, "check a token", exc)
            return
        address = websocket.client.host if websocket.client else ""
        refusal = self.counts.refusal(session_id, address)
        if refusal is None and hub.initial_syncs >= hub.settings.max_initial_syncs:
            refusal = "too many joining, retry"
        if refusal is not None:
            await websocket.close(CloseCode.TRY_AGAIN_LATER, refusal)
            return
        slot = JoinSlot(hub)
        try:
            document = await hub.acquire(document_key(session_id, board))
        except LoadError:
            slot.release()
            log.exception("could not load a board")
            await websocket.close(CloseCode.INTERNAL_ERROR, "board could not be loaded")
            return
        except Exception as exc:
            slot.release()
            await self._unavailable(websocket, "load a board", exc)
            return
        document.set_limits(self.board_limits)
        self.counts.opened(session_id, address)
        try:
            await self._serve(websocket, document, access, slot)
        finally:
            slot.release()
            self.counts.closed(session_id, address)

    async def _serve(
        self, websocket: WebSocket, document: Document, access: BoardAccess, slot: JoinSlot
    ) -> None:
        hub = self.hub
        settings = hub.settings
        counters = hub.counters
        closing: list[tuple[int, str]] = []

        def terminate(code: int, reason: str) -> None:
            closing.append((code, reason))
            reader.cancel()

        def overflow(_: Connection) -> None:
            counters.closed_slow += 1
            terminate(CloseCode.TRY_AGAIN_LATER, "too far behind, reconnect")

        connection = Connection(
            role=access.grant.role,
            subject=access.grant.subject,
            can_write=access.can_write,
            limit_bytes=settings.send_queue_bytes,
            counters=counters,
            frames=websocket.scope.get("extensions", {}).get(EXTENSION),
            on_overflow=overflow,
        )
        connection.on_terminate(terminate)
        receiver = MessageReceiver(document, connection, counters)
        throttle = Throttle(
            messages_per_second=settings.messages_per_second,
            bytes_per_second=settings.bytes_per_second,
            burst_bytes=max(2 * settings.bytes_per_second, settings.max_message_bytes),
            close_after=settings.flood_close_seconds,
        )

        async def send(message: bytes) -> None:
            await websocket.send_bytes(message)

        async def read() -> None:
            joining = True
            while True:
                if joining:
                    # A joiner holds one of the few initial-sync slots: it must use it.
                    try:
                        message = await asyncio.wait_for(
                            websocket.receive(), settings.join_timeout_seconds
                        )
                    except TimeoutError:
                        raise ProtocolError("no sync step 1 in time") from None
                else:
                    message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                frame = message.get("bytes")
                if frame is None:
                    raise ProtocolError("text frames are not part of the protocol")
                if len(frame) > settings.max_message_bytes:
                    raise ProtocolError("message too big", CloseCode.MESSAGE_TOO_BIG)
                counters.messages_in += 1
                counters.bytes_in += len(frame)
                receiver.receive(frame)
                if joining and receiver.synced:
                    joining = False
                    slot.release()
                delay = throttle.delay_for(len(frame))
                if delay:
                    await asyncio.sleep(delay)

        self.open_connections += 1
        counters.connections_total += 1
        document.add(connection)
        writer = asyncio.create_task(connection.run_writer(send))
        reader = asyncio.create_task(read())
        try:
            await reader
        except ProtocolError as error:
            counters.closed_bad += 1
            closing.append((error.code, error.reason))
        except WebSocketDisconnect:
            pass
        except asyncio.CancelledError:
            if not closing:
                raise
        finally:
            self.open_connections -= 1
            connection.close()
            document.remove(connection)
            hub.release(document)
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        if closing:
            await self._close(websocket, connection, *closing[0])

    @staticmethod
    async def _unavailable(websocket: WebSocket, doing: str, exc: Exception) -> None:
        """Stock clients retry after 1013, so an unreachable store costs only a delay."""
        log.warning("cannot %s now (%s); the client will retry", doing, exc)
        await websocket.close(CloseCode.TRY_AGAIN_LATER, "storage unavailable, retry")

    @staticmethod
    async def _close(websocket: WebSocket, connection: Connection, code: int, reason: str) -> None:
        frames = connection.frames
        if frames is not None and frames.paused:
            frames.abort()  # it stopped reading: it cannot take a close frame either
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(websocket.close(code, reason), timeout=5)
