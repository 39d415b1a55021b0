"""Whose presence a connection may set: the awareness client ids it introduced.

A y-websocket client speaks for one client id per board, and its first awareness update
on a connection claims that id. Entries for an id that another connection owns are
dropped (an overwrite or a removal of someone else's presence), as are entries past a
connection's few ids, states past the size limit, and ids that another instance's
client holds. A person reconnecting (the same role and subject) takes their id over from
the old connection, which may linger until its pings time out. Read-only connections
have presence too: people watching are shown.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

from .connection import Connection
from .messages import AwarenessEntry, awareness_entries, encode_awareness

REMOVED = b"null"  # the state of an entry that removes a client's presence


@dataclass(frozen=True, slots=True)
class PresenceLimits:
    """Client ids one connection may speak for, and the largest state (JSON bytes)."""

    max_ids: int
    max_state_bytes: int


class PresenceOwners:
    """Which local connection owns which awareness client id, on one board."""

    __slots__ = ("_owners",)

    def __init__(self) -> None:
        self._owners: dict[int, Connection] = {}

    def allowed(
        self,
        update: bytes,
        connection: Connection,
        limits: PresenceLimits,
        present: Container[int],
    ) -> tuple[bytes, list[AwarenessEntry]] | None:
        """The part of `update` that `connection` may say (claiming new ids as it goes),
        encoded and as entries, or None when nothing; raises ProtocolError on a malformed
        update."""
        entries = awareness_entries(update)
        kept = [e for e in entries if self._may_say(e, connection, limits, present)]
        if not kept:
            return None
        return (update if len(kept) == len(entries) else encode_awareness(kept)), kept

    def _may_say(
        self,
        entry: AwarenessEntry,
        connection: Connection,
        limits: PresenceLimits,
        present: Container[int],
    ) -> bool:
        client_id, _, state = entry
        if len(state) > limits.max_state_bytes:
            return False
        owner = self._owners.get(client_id)
        if owner is connection:
            return True
        if owner is not None:
            if (owner.role, owner.subject) != (connection.role, connection.subject):
                return False
        elif state == REMOVED or client_id in present:
            return False  # nothing of its own to remove, or another instance's client
        if len(connection.awareness_ids) >= limits.max_ids:
            return False
        if owner is not None:
            owner.awareness_ids.discard(client_id)
        self._owners[client_id] = connection
        connection.awareness_ids.add(client_id)
        return True

    def release(self, connection: Connection) -> None:
        """A connection leaves: its ids are free again."""
        for client_id in connection.awareness_ids:
            if self._owners.get(client_id) is connection:
                del self._owners[client_id]

    def forget(self, client_id: int) -> None:
        """A client's presence was removed: its id is free again."""
        self._owners.pop(client_id, None)
