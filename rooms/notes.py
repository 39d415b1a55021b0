"""Server-side writes to a board's content (schema fixed in docs/schema.md): promoting a
breakout group's notes to `main`, and the sections a template lays out.

Copies are real notes (a Y.Text each), so they stay editable on the main board.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pycrdt import Doc, Map, Text

from .control import Value, number, table
from .errors import Invalid, NotFound

MAX_PROMOTED = 200
# Sizes as every client draws them (client/src/lib/board.ts): the grid is laid out in the
# same world units, so promoted notes overlap neither each other nor their section's title.
NOTE_W = 180
NOTE_H = 120
SECTION_W = 400  # a section without a width
SECTION_H = 300  # a section without a height
MIN_SECTION_H = 80  # no side of a section is shorter
GAP = 20
PADDING = 20
TITLE_H = 50
COLUMNS = 4
MARGIN = 80
HARVEST_COLOR = "blue"


def copies(board: Doc[Any], note_ids: Sequence[str]) -> list[Value]:
    """Plain copies of the chosen notes, in the order chosen."""
    if not note_ids or len(note_ids) > MAX_PROMOTED:
        raise Invalid(f"choose 1-{MAX_PROMOTED} notes")
    notes = table(board, "notes")
    out = []
    for note_id in note_ids:
        note = notes.get(note_id)
        if not isinstance(note, Map):
            raise NotFound(f"no note {note_id!r} on this board")
        fields = {k: v for k, v in note.items() if k != "text"}
        out.append({**fields, "id": note_id, "text": str(note.get("text", ""))})
    return out


def promoted_from(main: Doc[Any], board: str) -> dict[str, tuple[str, str | None]]:
    """The notes of `board` already copied to `main`: the source note's id -> (the copy's
    id, its section). Promotion is idempotent: a note promoted again is not copied again."""
    found: dict[str, tuple[str, str | None]] = {}
    for copy_id, note in table(main, "notes").items():
        origin = note.get("from") if isinstance(note, Map) else None
        if isinstance(origin, dict) and origin.get("board") == board:
            section = note.get("section")
            found.setdefault(
                str(origin.get("note")), (copy_id, section if isinstance(section, str) else None)
            )
    return found


def paste(
    main: Doc[Any],
    copied: Sequence[Value],
    new_ids: Sequence[str],
    board: str,
    *,
    section_id: str,
    title: str,
) -> list[str]:
    """Add copies as new notes in a new section titled after their room, in free space
    below everything already on `main`: a harvest lands where the group sees it as theirs
    and never on top of work that is there. Each note remembers where it came from."""
    if not copied:
        raise Invalid(f"choose 1-{MAX_PROMOTED} notes")
    columns = min(COLUMNS, len(copied))
    rows = math.ceil(len(copied) / columns)
    left, top = free_space(main)
    section = {
        "title": title,
        "x": left,
        "y": top,
        "w": 2 * PADDING + columns * NOTE_W + (columns - 1) * GAP,
        "h": TITLE_H + PADDING + rows * NOTE_H + (rows - 1) * GAP,
        "color": HARVEST_COLOR,
    }
    table(main, "sections")[section_id] = Map(section)
    notes = table(main, "notes")
    for n, (note, new_id) in enumerate(zip(copied, new_ids, strict=True)):
        row, column = divmod(n, columns)
        notes[new_id] = Map(
            {
                "text": Text(note["text"]),
                "x": left + PADDING + column * (NOTE_W + GAP),
                "y": top + TITLE_H + row * (NOTE_H + GAP),
                "color": note.get("color", "#fff59d"),
                "section": section_id,
                "author": note.get("author", ""),
                "author_name": note.get("author_name", ""),
                "created_at": note.get("created_at", 0),
                "from": {"board": board, "note": note["id"]},
            }
        )
    return list(new_ids)


def free_space(board: Doc[Any]) -> tuple[int, int]:
    """The top-left corner of the free space below everything on a board: the left edge
    of its content and a margin under its lowest note or section ((0, 0) when empty)."""
    boxes = [
        *_boxes(table(board, "notes").values(), NOTE_H),
        *_boxes(table(board, "sections").values(), None),
    ]
    if not boxes:
        return 0, 0
    return min(left for left, _ in boxes), max(bottom for _, bottom in boxes) + MARGIN


def _boxes(values: Iterable[Any], height: int | None) -> list[tuple[int, int]]:
    """(left, bottom) of each note (of `height`) or section (its own `h`) as clients draw
    it; clients write boards, so a position that is not a finite number is skipped."""
    out = []
    for value in values:
        if not isinstance(value, Map):
            continue
        x, y = number(value.get("x")), number(value.get("y"))
        if x is None or y is None:
            continue
        h = section_box(value)[3] if height is None else height
        out.append((math.floor(x), math.ceil(y + h)))
    return out


Box = tuple[float, float, float, float]


def section_box(section: Map[Any]) -> Box:
    """(x, y, w, h) of a section as clients draw it (client/src/lib/board.ts readSection):
    a missing size takes the default and no side is shorter than MIN_SECTION_H."""
    w, h = number(section.get("w")), number(section.get("h"))
    return (
        number(section.get("x")) or 0.0,
        number(section.get("y")) or 0.0,
        max(MIN_SECTION_H, SECTION_W if w is None else w),
        max(MIN_SECTION_H, SECTION_H if h is None else h),
    )


def section_at(boxes: Mapping[str, Box], x: float, y: float) -> str | None:
    """The section a note at (x, y) belongs to: the one holding the note's centre, the
    smallest when several do (a section drawn inside another is the one meant), then the
    first by id. The one rule of membership (docs/schema.md); the client applies the same
    one (client/src/lib/board.ts sectionAt) when a note or section is drawn or moved."""
    cx, cy = x + NOTE_W / 2, y + NOTE_H / 2
    holding = [
        (w * h, section_id)
        for section_id, (left, top, w, h) in boxes.items()
        if left <= cx <= left + w and top <= cy <= top + h
    ]
    return min(holding)[1] if holding else None


def add_sections(board: Doc[Any], sections: Sequence[Value]) -> None:
    target = table(board, "sections")
    for s in sections:
        keys = ("title", "titles", "x", "y", "w", "h", "color")
        target[s["id"]] = Map({k: s[k] for k in keys if k in s})
