"""Server-side writes to a board's content (schema fixed in docs/schema.md): promoting a
breakout group's notes to `main`, and the sections a template lays out.

Copies are real notes (a Y.Text each), so they stay editable on the main board.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pycrdt import Doc, Map, Text

from .control import Value, table
from .errors import Invalid, NotFound

MAX_PROMOTED = 200


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


def paste(main: Doc[Any], copied: Sequence[Value], new_ids: Sequence[str], board: str) -> list[str]:
    """Add copies as new notes, remembering which board and note each came from."""
    notes = table(main, "notes")
    for note, new_id in zip(copied, new_ids, strict=True):
        notes[new_id] = Map(
            {
                "text": Text(note["text"]),
                "x": note.get("x", 0),
                "y": note.get("y", 0),
                "color": note.get("color", "#fff59d"),
                "section": None,
                "author": note.get("author", ""),
                "author_name": note.get("author_name", ""),
                "created_at": note.get("created_at", 0),
                "from": {"board": board, "note": note["id"]},
            }
        )
    return list(new_ids)


def add_sections(board: Doc[Any], sections: Sequence[Value]) -> None:
    target = table(board, "sections")
    for s in sections:
        target[s["id"]] = Map({k: s[k] for k in ("title", "x", "y", "w", "h", "color")})
