"""Which instance speaks for which awareness client id, per board.

Presence of remote clients lives in each instance's pycrdt `Awareness` like any other;
this ledger only remembers where each id came from, so that when an instance dies (its
heartbeat key expires) the ids it spoke for can be removed everywhere, and when an
instance sends its full presence after a reconnect, ids it no longer has are dropped.
The latest instance to speak for an id owns it: a client that moved keeps its presence.
"""

from __future__ import annotations

from collections.abc import Iterable


class PresenceLedger:
    def __init__(self) -> None:
        self._owners: dict[str, dict[int, str]] = {}

    def heard(self, key: str, instance: str, present: Iterable[int], absent: Iterable[int]) -> None:
        """An awareness update from `instance`: `present` ids now have a state there."""
        owners = self._owners.setdefault(key, {})
        for client_id in present:
            owners[client_id] = instance
        for client_id in absent:
            if owners.get(client_id) == instance:
                del owners[client_id]

    def replace(self, key: str, instance: str, present: Iterable[int]) -> list[int]:
        """The full presence of `instance` on a board; returns ids it no longer has."""
        current = set(present)
        owners = self._owners.setdefault(key, {})
        stale = [i for i, owner in owners.items() if owner == instance and i not in current]
        for client_id in stale:
            del owners[client_id]
        for client_id in current:
            owners[client_id] = instance
        return stale

    def instances(self) -> set[str]:
        return {owner for owners in self._owners.values() for owner in owners.values()}

    def forget_instance(self, instance: str) -> dict[str, list[int]]:
        """Every id `instance` owned, by board, removed from the ledger."""
        gone: dict[str, list[int]] = {}
        for key, owners in self._owners.items():
            ids = [i for i, owner in owners.items() if owner == instance]
            for client_id in ids:
                del owners[client_id]
            if ids:
                gone[key] = ids
        return gone

    def forget_document(self, key: str) -> None:
        self._owners.pop(key, None)
