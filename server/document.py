"""A loaded board: its pycrdt `Doc`, the connections on it and their awareness states.

This is where an update is validated (pycrdt rejects a corrupt one before anything is
forwarded), applied once, and fanned out as one pre-built frame to every connection.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from pycrdt import Awareness, Doc

from .connection import Connection
from .protocol import (
    EMPTY_STATE_VECTOR,
    CloseCode,
    ProtocolError,
    awareness_client_ids,
    awareness_message,
    sync_step1,
    sync_step2,
    update_message,
)
from .wsprotocol import binary_frame

T = TypeVar("T")
UpdateListener = Callable[["Document", bytes, bool], None]
AwarenessListener = Callable[["Document", bytes, bool], None]


class Document:
    def __init__(
        self,
        key: str,
        *,
        on_update: UpdateListener,
        on_awareness: AwarenessListener,
    ) -> None:
        self.key = key
        self.doc: Doc[Any] = Doc()
        self.awareness = Awareness(self.doc)
        # The server has no presence of its own: stock clients would show a ghost user.
        self.awareness.set_local_state(None)
        self.awareness.observe(self._track_awareness)
        self.connections: set[Connection] = set()
        self.pending: list[bytes] = []
        self._on_update = on_update
        self._on_awareness = on_awareness
        self._full_state: bytes | None = None

    # connections

    def add(self, connection: Connection) -> None:
        """Greet a new connection as the reference server does: step 1, then presence."""
        self.connections.add(connection)
        connection.send_message(sync_step1(self.doc.get_state()))
        if self.awareness.states:
            connection.send_message(self.awareness_frame())

    def remove(self, connection: Connection) -> None:
        """Drop a connection and tell everyone at once that its presence is gone."""
        self.connections.discard(connection)
        ids = [i for i in connection.awareness_ids if i in self.awareness.states]
        connection.awareness_ids.clear()
        if ids:
            self.awareness.remove_awareness_states(ids, None)
            update = self.awareness.encode_awareness_update(ids)
            self._broadcast_awareness(update)
            self._on_awareness(self, update, True)

    # document updates

    def apply_update(
        self, update: bytes, origin: Connection | None = None, *, remote: bool = False
    ) -> None:
        """Apply one update; fan it out, sender included, then hand it to store and bus.

        `origin` is the connection that sent it (None for the server's own writes);
        `remote` marks an update that another instance already stored and published.
        """
        try:
            self.doc.apply_update(update)
        except ValueError as exc:
            raise ProtocolError("corrupt update", CloseCode.CORRUPT_UPDATE) from exc
        self._distribute(update, remote)

    def edit(self, change: Callable[[Doc[Any]], T]) -> T:
        """Run a server-side change (e.g. to `control`) and send it out like a client's."""
        updates: list[bytes] = []
        subscription = self.doc.observe(lambda event: updates.append(event.update))
        try:
            with self.doc.transaction():
                result = change(self.doc)
        finally:
            # Even a change that raised half-way has changed the doc: send what it wrote.
            self.doc.unobserve(subscription)
            for update in updates:
                self._distribute(update, False)
        return result

    def _distribute(self, update: bytes, remote: bool) -> None:
        self._full_state = None
        message = update_message(update)
        frame = binary_frame(message)
        for connection in self.connections:
            connection.send_update(update, message, frame)
        self._on_update(self, update, not remote)

    def apply_remote_update(self, update: bytes) -> None:
        """An update from another instance: fanned out here but never published again."""
        try:
            self.apply_update(update, remote=True)
        except ProtocolError:
            return

    def sync_reply(self, state_vector: bytes) -> bytes:
        """Sync step 2 for a client; the full state is encoded once per document version."""
        if state_vector == EMPTY_STATE_VECTOR:
            if self._full_state is None:
                self._full_state = sync_step2(self.doc.get_update())
            return self._full_state
        try:
            return sync_step2(self.doc.get_update(state_vector))
        except ValueError as exc:
            raise ProtocolError("corrupt state vector", CloseCode.CORRUPT_UPDATE) from exc

    def state_vector(self) -> bytes:
        return self.doc.get_state()

    def diff_since(self, state_vector: bytes) -> bytes:
        return self.doc.get_update(state_vector)

    # awareness

    def apply_awareness(
        self, update: bytes, origin: Connection | None = None, *, remote: bool = False
    ) -> None:
        awareness_client_ids(update)  # raises ProtocolError on a malformed update
        try:
            self.awareness.apply_awareness_update(update, origin)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProtocolError("corrupt awareness state", CloseCode.CORRUPT_UPDATE) from exc
        self._broadcast_awareness(update)
        self._on_awareness(self, update, not remote)

    def apply_remote_awareness(self, update: bytes) -> None:
        try:
            self.apply_awareness(update, remote=True)
        except ProtocolError:
            return

    # presence across instances (the Redis bus)

    def has_presence(self, client_id: int) -> bool:
        return client_id in self.awareness.states

    def local_presence(self) -> bytes:
        """The states of this instance's own clients, for peers that lost track of them."""
        ids = [i for i in self._local_ids() if i in self.awareness.states]
        return self.awareness.encode_awareness_update(ids)

    def drop_presence(self, client_ids: Collection[int]) -> None:
        """Remove remote clients whose instance is gone, and tell the local clients.

        Their clocks are forgotten too: if such a client comes back (through another
        instance, or after its instance's outage) its state is accepted at any clock.
        An id a local connection speaks for is kept: that client has moved here.
        """
        local = self._local_ids()
        ids = [i for i in client_ids if i in self.awareness.states and i not in local]
        if not ids:
            return
        self.awareness.remove_awareness_states(ids, None)
        update = self.awareness.encode_awareness_update(ids)
        for client_id in ids:
            self.awareness.meta.pop(client_id, None)
        self._broadcast_awareness(update)

    def _local_ids(self) -> set[int]:
        return {i for connection in self.connections for i in connection.awareness_ids}

    def awareness_frame(self) -> bytes:
        ids = list(self.awareness.states)
        return awareness_message(self.awareness.encode_awareness_update(ids))

    def _broadcast_awareness(self, update: bytes) -> None:
        message = awareness_message(update)
        frame = binary_frame(message)
        for connection in self.connections:
            connection.send_message(message, frame)

    def _track_awareness(self, topic: str, event: tuple[dict[str, Any], Any]) -> None:
        changes, origin = event
        if topic != "update" or not isinstance(origin, Connection):
            return
        origin.awareness_ids.update(changes["added"], changes["updated"])
        origin.awareness_ids.difference_update(changes["removed"])
