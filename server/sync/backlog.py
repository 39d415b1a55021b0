"""Edits taken but not stored yet, in bytes per board and for the process, with bounds.

While the store fails (Redis away, a full disk) the hub keeps every edit it took and
retries; without a bound that is memory without end. Past a bound the board takes no more
writes: a writer's update is refused with close 1013 before it is applied, so its client
keeps it and sends it again when it re-syncs, and readers go on reading. Edits already
taken stay until they are stored: nothing acknowledged is dropped. A board may pass its
bound by one message at most (the one that crossed it was taken)."""

from __future__ import annotations

from .document import Document


class Backlogged(Exception):
    """A write refused because the board's edits wait for the store: close 1013."""


class Backlog:
    def __init__(self, per_board: int, per_process: int) -> None:
        self.per_board = per_board
        self.per_process = per_process
        self.total = 0
        self._boards: dict[Document, int] = {}

    def taken(self, document: Document, update: bytes) -> None:
        """An update the store has yet to hold."""
        self._boards[document] = self._boards.get(document, 0) + len(update)
        self.total += len(update)

    def stored(self, document: Document, size: int) -> None:
        """`size` bytes of the board's updates are stored now."""
        held = self._boards.get(document)
        if held is None:  # dropped meanwhile (its session was deleted)
            return
        if held <= size:
            del self._boards[document]
        else:
            self._boards[document] = held - size
        self.total -= min(held, size)

    def drop(self, document: Document) -> None:
        """The board's pending updates are let go unstored (its session was deleted)."""
        self.total -= self._boards.pop(document, 0)

    def held(self, document: Document) -> int:
        return self._boards.get(document, 0)

    def check(self, document: Document) -> None:
        """Raise Backlogged when the board takes no more writes now."""
        if self._boards.get(document, 0) >= self.per_board:
            raise Backlogged("this board's edits are waiting for the store, retry")
        if self.total >= self.per_process:
            raise Backlogged("edits are waiting for the store, retry")
