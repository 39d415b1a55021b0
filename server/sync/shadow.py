"""The copy of a board that a participant's update is tried on before it may reach the
board, when some of the board's notes are locked (rooms/locks.py, docs/security.md "Locks").

A Yjs update cannot be taken back once applied, and which note an item belongs to is known
only by integrating it against the document. So the update is applied to this copy first,
with the copy's observers noting which notes and sections it touched; the decision compares
those few entries in the board (before) and the copy (after). Accepted, the board applies
the update and the copy is the board again. Refused, the copy has diverged and is dropped;
the next check makes it anew from the board.

The cost is bounded: one more apply per checked update, and every other update of the
board applied to the copy too while it is in step (`follow`), so no update re-reads the
whole board; a full copy is made only when the first lock check comes, after a refusal, or
after the board changed in a way the copy did not follow (a load). Boards without locks
have no copy: it is dropped when their locks are lifted (Control._grant).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map

from rooms import locks
from rooms.boards import Guard


class Shadow:
    """A board's copy, in step with the board at `version` (Document.version)."""

    __slots__ = ("doc", "version")

    def __init__(self, state: bytes, version: int) -> None:
        self.doc: Doc[Any] = Doc()
        self.doc.apply_update(state)
        self.version = version

    def follow(self, update: bytes, old: int, new: int) -> None:
        """The board applied `update`, going from version `old` to `new`."""
        if self.version == old:
            self.doc.apply_update(update)
            self.version = new

    def refusal(self, board: Doc[Any], update: bytes, guard: Guard) -> str | None:
        """Try `update` here; why it breaks a lock, or None. Either way it is applied here:
        the caller drops the copy on a refusal."""
        notes: set[str] = set()
        sections: set[str] = set()
        watched = [
            (self.doc.get(locks.NOTES, type=Map), notes),
            (self.doc.get(locks.SECTIONS, type=Map), sections),
        ]
        subscriptions = [(table, table.observe_deep(_touching(into))) for table, into in watched]
        try:
            self.doc.apply_update(update)
        finally:
            for table, subscription in subscriptions:
                table.unobserve(subscription)
        return locks.refusal(board, self.doc, notes, sections, guard)


def _touching(into: set[str]) -> Callable[[list[Any]], None]:
    """An observer adding to `into` the top-level keys (note or section ids) that a
    transaction's events name (pycrdt passes an observer as many arguments as it takes)."""

    def touched(events: list[Any]) -> None:
        for event in events:
            path = event.path
            if path:
                into.add(str(path[0]))
            else:
                into.update(str(key) for key in event.keys)

    return touched
