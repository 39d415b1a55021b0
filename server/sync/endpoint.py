"""The WebSocket endpoint `/ws/{session_id}/{board}`: handshake, access, message dispatch.

Every way a connection can go wrong ends here as one close code (docs/protocol.md),
and only that connection is affected.
"""

from __future__ import annotations

import asyncio
import logging

from pycrdt import YMessageType, YSyncMessageType
from starlette.websockets import WebSocket

from ..facilitation.access import (
    FACILITATOR,
    BoardAccess,
    Denied,
    SharedLookups,
    is_private,
    open_board,
    private_limits,
)
from ..http.inputs import client_address
from ..http.security import allowed_origins, origin_allowed
from ..process.limits import BoardLimits, ConnectionCounts, Throttle
from ..process.metrics import Counters
from ..store.documents import LoadError, document_key
from ..store.sessions import SessionStore
from .backlog import Backlog, Backlogged
from .connection import Connection
from .document import Document
from .hub import Hub
from .messages import (
    EMPTY_UPDATE,
    MESSAGE_QUERY_AWARENESS,
    CloseCode,
    ProtocolError,
    decode,
    permission_denied,
)
from .presence import PresenceLimits
from .socket import EXTENSION, AsgiSocket
from .uvicorn_socket import DirectSocket

log = logging.getLogger("paja.sync")


class MessageReceiver:
    """Decodes one client frame and applies it to the document on behalf of a connection."""

    __slots__ = ("backlog", "connection", "counters", "document", "synced")

    def __init__(
        self, document: Document, connection: Connection, counters: Counters, backlog: Backlog
    ) -> None:
        self.document = document
        self.connection = connection
        self.counters = counters
        self.backlog = backlog
        self.synced = False

    def receive(self, frame: bytes) -> None:
        self.counters.messages_in += 1
        self.counters.bytes_in += len(frame)
        message = decode(frame)
        kind = message.type
        if kind == YMessageType.SYNC:
            if message.subtype == YSyncMessageType.SYNC_STEP1:
                self.connection.send_message(*self.document.sync_reply(message.payload))
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
            self.backlog.check(document)  # before applying: the client keeps a refused edit
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
    def __init__(self, hub: Hub, sessions: SessionStore) -> None:
        self.hub = hub
        settings = hub.settings
        self.open_connections = 0
        self.origins = allowed_origins(settings)
        self.counts = ConnectionCounts(
            settings.max_connections_per_session,
            settings.max_connections_per_address,
            settings.max_connections_per_token,
        )
        hub.bus.on_held_off(self.counts.hold_off)  # held off through another instance
        self.board_limits = BoardLimits(settings.max_board_bytes, settings.max_notes_per_board)
        self.private_limits = private_limits(self.board_limits)
        self.presence_limits = PresenceLimits(
            settings.max_presence_ids_per_connection, settings.max_presence_state_bytes
        )
        self.lookups = SharedLookups(sessions, hub.store)

    async def handle(self, websocket: WebSocket) -> None:
        """Check origin, token, board and capacity; then hand the socket to a SocketHandler.

        Under `paja serve` this returns once the socket is handed over, and the open socket
        holds no task (uvicorn_socket.py); under another ASGI server it reads until the end.
        """
        await websocket.accept()
        if not origin_allowed(websocket.headers, self.origins):
            await websocket.close(CloseCode.FORBIDDEN, "origin not allowed")
            return
        session_id = websocket.path_params["session_id"]
        board = websocket.path_params["board"]
        hub = self.hub
        try:
            access = await open_board(
                self.lookups,
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
        address = client_address(websocket)
        refusal = self.counts.refusal(
            session_id, address, access.token_hash, facilitator=access.grant.role == FACILITATOR
        )
        if refusal is None and hub.initial_syncs >= hub.settings.max_initial_syncs:
            refusal = "too many joining, retry"
        if refusal is not None:
            await websocket.close(CloseCode.TRY_AGAIN_LATER, refusal)
            return
        slot = JoinSlot(hub)
        # Counted before the board is loaded, as the slot: sockets of one token arriving
        # together cannot all pass the check before any of them is counted.
        self.opened(session_id, address, access.token_hash)
        try:
            document = await hub.open(document_key(session_id, board))
        except BaseException as exc:
            slot.release()
            self.closed(session_id, address, access.token_hash)
            if isinstance(exc, LoadError):
                log.exception("could not load a board")
                await websocket.close(CloseCode.INTERNAL_ERROR, "board could not be loaded")
                return
            if isinstance(exc, Exception):
                await self._unavailable(websocket, "load a board", exc)
                return
            raise
        document.set_limits(self.private_limits if is_private(board) else self.board_limits)
        document.presence_limits = self.presence_limits
        extensions = websocket.scope.get("extensions") or {}
        socket: DirectSocket | AsgiSocket = extensions.get(EXTENSION) or AsgiSocket(websocket)
        handler = SocketHandler(self, socket, document, access, slot, session_id, address)
        await socket.serve(handler)

    def opened(self, session_id: str, address: str, token: str) -> None:
        self.open_connections += 1
        self.hub.counters.connections_total += 1
        self.counts.opened(session_id, address, token)

    def closed(self, session_id: str, address: str, token: str) -> None:
        self.open_connections -= 1
        self.counts.closed(session_id, address, token)

    @staticmethod
    async def _unavailable(websocket: WebSocket, doing: str, exc: Exception) -> None:
        """Stock clients retry after 1013, so an unreachable store costs only a delay."""
        log.warning("cannot %s now (%s); the client will retry", doing, exc)
        await websocket.close(CloseCode.TRY_AGAIN_LATER, "storage unavailable, retry")


class SocketHandler:
    """One accepted socket on its board, from the hand-over to its end.

    Each message is checked, applied (MessageReceiver) and throttled; a joiner holds its
    join slot until its sync step 1 is answered, and is closed if that does not come in
    time. However the socket ends (the client leaves, a bad message, the server closes
    it), the connection leaves its board exactly once. Everything here runs in the
    socket's callbacks and timers: no task per connection, but while its board is loading.
    """

    __slots__ = (
        "_address",
        "_endpoint",
        "_join_timer",
        "_left",
        "_loading",
        "_max_bytes",
        "_session_id",
        "_token",
        "connection",
        "document",
        "receiver",
        "slot",
        "socket",
        "throttle",
    )

    def __init__(
        self,
        endpoint: SyncEndpoint,
        socket: DirectSocket | AsgiSocket,
        document: Document,
        access: BoardAccess,
        slot: JoinSlot,
        session_id: str,
        address: str,
    ) -> None:
        settings = endpoint.hub.settings
        self._endpoint = endpoint
        self._session_id = session_id
        self._address = address
        self._token = access.token_hash
        self._left = False
        self._loading: asyncio.Task[None] | None = None
        self._max_bytes = settings.max_message_bytes
        self.socket = socket
        self.document = document
        self.slot = slot
        self.connection = Connection(
            role=access.grant.role,
            subject=access.grant.subject,
            can_write=access.can_write,
            limit_bytes=settings.send_queue_bytes,
            counters=endpoint.hub.counters,
            socket=socket,
            on_overflow=self._overflow,
            on_terminate=self.close,
        )
        self.connection.guard = access.guard
        self.receiver = MessageReceiver(
            document, self.connection, endpoint.hub.counters, endpoint.hub.backlog
        )
        self.throttle = Throttle(
            messages_per_second=settings.messages_per_second,
            bytes_per_second=settings.bytes_per_second,
            burst_bytes=max(2 * settings.bytes_per_second, settings.max_message_bytes),
            close_after=settings.flood_close_seconds,
        )
        # A joiner holds one of the few initial-sync slots: it must use it.
        loop = asyncio.get_running_loop()
        self._join_timer: asyncio.TimerHandle | None = loop.call_later(
            settings.join_timeout_seconds, self._join_timed_out
        )
        document.add(self.connection)

    def receive(self, data: bytes | None) -> None:
        """One message from the client: None for a text message, which y-websocket never sends."""
        if self._left:
            return
        if self.document.loading:
            self.socket.hold()  # what comes next waits for this one
            self._loading = asyncio.create_task(self._when_loaded(data))
            return
        delay = self._serve(data)
        if delay:
            # Read nothing more for a while: TCP pushes back on the sender, nobody else waits.
            self.socket.hold()
            asyncio.get_running_loop().call_later(delay, self.socket.release)

    async def _when_loaded(self, data: bytes | None) -> None:
        """Serve a message once its board is loaded (a fresh joiner's sync step 1 may be
        answered before, see Hub.finish_loading), then read on."""
        try:
            await self._endpoint.hub.finish_loading(self.document, data or b"")
        except LoadError:  # the hub closes the board's sockets: this one, if not yet
            self.close(CloseCode.INTERNAL_ERROR, "board could not be loaded")
            return
        finally:
            self._loading = None
        delay = self._serve(data)
        if delay:
            asyncio.get_running_loop().call_later(delay, self.socket.release)
        else:
            self.socket.release()

    def _serve(self, data: bytes | None) -> float:
        """Serve one message; returns how long to read nothing more (the throttle)."""
        if self._left:
            return 0.0
        try:
            if data is None:
                raise ProtocolError("text frames are not part of the protocol")
            if len(data) > self._max_bytes:
                raise ProtocolError("message too big", CloseCode.MESSAGE_TOO_BIG)
            self.receiver.receive(data)
            if self._join_timer is not None and self.receiver.synced:
                self._joined()
            return self.throttle.delay_for(len(data))
        except ProtocolError as error:
            self._endpoint.hub.counters.closed_bad += 1
            if error.code == CloseCode.CORRUPT_UPDATE and self.document.broken:
                hub = self._endpoint.hub
                seconds = hub.settings.broken_board_hold_off_seconds
                self._endpoint.counts.hold_off(self._token, seconds)
                hub.bus.publish_held_off(self._token, seconds)
            self.close(error.code, error.reason)
        except Backlogged as full:  # the store is behind: this writer comes back later
            self.close(CloseCode.TRY_AGAIN_LATER, str(full))
        except Exception:
            log.exception("could not serve a message; closing the connection")
            self.close(CloseCode.INTERNAL_ERROR, "internal error")
        return 0.0

    def close(self, code: int, reason: str) -> None:
        """Close from the server side (a bad message, a removed participant, a deleted
        session): the connection leaves its board first, then the close frame goes out."""
        if self._leave():
            self.socket.close(code, reason)

    def closed(self) -> None:
        """The client closed the socket, or it is gone."""
        self._leave()

    def _joined(self) -> None:
        if self._join_timer is not None:
            self._join_timer.cancel()
            self._join_timer = None
        self.slot.release()

    def _join_timed_out(self) -> None:
        self._join_timer = None
        self._endpoint.hub.counters.closed_bad += 1
        self.close(CloseCode.PROTOCOL_ERROR, "no sync step 1 in time")

    def _overflow(self, _: Connection) -> None:
        """Called from inside a fan-out over the board's connections: leave it just after."""
        self._endpoint.hub.counters.closed_slow += 1
        loop = asyncio.get_running_loop()
        loop.call_soon(self.close, CloseCode.TRY_AGAIN_LATER, "too far behind, reconnect")

    def _leave(self) -> bool:
        if self._left:
            return False
        self._left = True
        self._joined()
        self.socket.on_resume = None
        connection = self.connection
        connection.close()
        self.document.remove(connection)
        self._endpoint.hub.release(self.document)
        self._endpoint.closed(self._session_id, self._address, self._token)
        return True
