"""A session as files: every note as a row of a CSV file, and an exported `control` read
back into a new session.

Both work on full document states (bytes), so the server can run them off its event loop
on Docs made and dropped in one thread.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from pycrdt import Doc

from . import deadlines, rounds, session, summary, votes
from .control import VOTES, entries, from_state, plain
from .errors import Invalid

COLUMNS = (
    "board",
    "section",
    "note",
    "text",
    "color",
    "x",
    "y",
    "author_name",
    "created_at",
    "dots",
)
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def notes_csv(control_state: bytes, board_states: Mapping[str, bytes]) -> str:
    """One row per note of every board, oldest first. Author names only where the session
    allows names in its summary; dots on boards where a revealed vote counted them."""
    control = from_state(control_state)
    revealed = [v for v in entries(control, VOTES).values() if v["state"] == votes.REVEALED]
    counted = {v["board"] for v in revealed}
    dots = summary.note_dots(revealed)
    names = session.names_allowed(control)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for name, state in board_states.items():
        board = summary.read_board(from_state(state))
        for note in sorted(board.notes.values(), key=lambda n: (n.created_at, n.id)):
            section = board.sections.get(note.section) if note.section is not None else None
            row = (
                name,
                section.title if section is not None else None,
                note.id,
                note.text,
                note.color,
                note.x,
                note.y,
                note.author_name if names else None,
                note.created_at,
                dots.get((name, note.id), 0) if name in counted else None,
            )
            writer.writerow([_cell(plain(value)) for value in row])
    return out.getvalue()


def check_control(doc: Doc[Any]) -> None:
    """Only the server writes `control`, so the domain reads it without doubt; an imported
    one must therefore read as the server reads it: its access facts, its next deadline
    and everything the summary tells."""
    try:
        rounds.facts(doc)
        deadlines.next_deadline(doc)
        summary.build(doc, {})
    except Exception as exc:
        raise Invalid("board 'control' does not hold a session this server can read") from exc


def restore_control(doc: Doc[Any], state: bytes, join_code: str) -> str:
    """The exported `control`, with the new session's own join code; returns its language."""
    doc.apply_update(state)
    session.set_join_code(doc, join_code)
    return session.language(doc)


def restored_control(state: bytes, join_code: str) -> tuple[bytes, str, int | None]:
    """An imported session's `control` as it is to be stored: its state with the new join
    code, its language and its next deadline; on a Doc of its own, for a worker process."""
    doc: Doc[Any] = Doc()
    language = restore_control(doc, state, join_code)
    return doc.get_update(), language, deadlines.next_deadline(doc)


def _cell(value: Any) -> Any:
    """Plain text and numbers only: a text that a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return ""
