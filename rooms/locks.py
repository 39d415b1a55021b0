"""What a participant may not change on a board whose notes are partly locked: pure
decisions over two states of one board, before and after an update (the server tries the
update on a copy first, server/sync/shadow.py).

A note is locked when it belongs to a locked section (the geometry rule of docs/schema.md,
`notes.section_at`) before or after the change, so a locked section's notes can be neither
edited, moved, deleted nor added to, and none can be moved into or out of it. With
positions locked, no note that existed before may change its `x` or `y`; new notes may be
placed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pycrdt import Doc, Map

from .boards import Guard
from .control import number
from .notes import Box, section_at, section_box

NOTES = "notes"
SECTIONS = "sections"
POSITION = ("x", "y")


def refusal(
    before: Doc[Any],
    after: Doc[Any],
    notes: Collection[str],
    sections: Collection[str],
    guard: Guard,
) -> str | None:
    """Why the change from `before` to `after` is refused under `guard`, or None.
    `notes` and `sections` are the ids the change touched (only they are read, so the
    cost follows the update, not the board)."""
    if guard.sections & set(sections):
        return "this section is locked"
    old_notes, new_notes = _table(before, NOTES), _table(after, NOTES)
    if guard.positions:
        for note_id in notes:
            old, new = old_notes.get(note_id), new_notes.get(note_id)
            if isinstance(old, Map) and isinstance(new, Map) and _moved(old, new):
                return "notes' positions are locked"
    if guard.sections:
        old_boxes, new_boxes = _boxes(before), _boxes(after)
        for note_id in notes:
            if _held(old_notes.get(note_id), old_boxes, guard) or _held(
                new_notes.get(note_id), new_boxes, guard
            ):
                return "this section is locked"
    return None


def _table(doc: Doc[Any], name: str) -> Map[Any]:
    table: Map[Any] = doc.get(name, type=Map)
    return table


def _moved(old: Map[Any], new: Map[Any]) -> bool:
    return any(number(old.get(key)) != number(new.get(key)) for key in POSITION)


def _boxes(doc: Doc[Any]) -> dict[str, Box]:
    """Every section's box: the smallest holding a note decides, locked or not."""
    return {
        section_id: section_box(value)
        for section_id, value in _table(doc, SECTIONS).items()
        if isinstance(value, Map)
    }


def _held(note: Any, boxes: dict[str, Box], guard: Guard) -> bool:
    if not isinstance(note, Map):
        return False
    x, y = number(note.get("x")), number(note.get("y"))
    if x is None or y is None:
        return note.get("section") in guard.sections
    return section_at(boxes, x, y) in guard.sections
