"""Private writing, then reveal: each person writes notes that only they see, and the
facilitator reveals them all on a shared board at once (docs/architecture.md, "Private
writing").

A person's private notes live on a board of their own, `private-{round}-{person}`, that
only that person may open (server/facilitation/access.py). The shared board never holds
a private note before the reveal: the reveal is the server writing new notes there, so
the shared board's history has nothing to give away. `control` says only that private
writing is on, where, and how it ended; who wrote how much is answered by REST to
facilitators (never text).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, Text

from . import boards, session
from .control import Value, entry, number, table
from .errors import Conflict, Invalid, NotFound
from .notes import COLUMNS, GAP, NOTE_H, NOTE_W, PADDING, TITLE_H, free_space, section_box

PRIVATE = "private"  # the top-level map of `control`
ROUND = "round"
COUNT = "count"
PREFIX = boards.PRIVATE_PREFIX
OPEN = "open"
REVEALED = "revealed"
DISCARDED = "discarded"
MAX_NOTES_PER_PERSON = 100  # a private board holds no more (server/sync/endpoint.py)
MAX_PRIVATE_BYTES = 256 * 1024  # nor more bytes
MAX_TEXT = 2000  # characters of one revealed note; a longer one is cut
MAX_SECTION_ID = 100
SECTION_TITLES = {"fi": "Paljastetut", "sv": "Avslöjade", "en": "Revealed"}
DEFAULT_COLOR = "yellow"
COLORS = frozenset({"yellow", "pink", "blue", "green", "orange", "purple"})  # lib/board.ts


@dataclass(frozen=True)
class Written:
    """One person's private notes, plain, as the reveal copies them."""

    person_id: str
    name: str
    notes: list[Value]


def board_name(round_id: str, person_id: str) -> str:
    """The private board of one person in one round. Participant ids are letters and
    digits (server/facilitation/tokens.py); board names are lower case, and ids that
    differ only in case are as unlikely as any two equal ids."""
    return f"{PREFIX}{round_id}-{person_id.lower()}"


def is_private(board: str) -> bool:
    return board.startswith(PREFIX)


def current(doc: Doc[Any]) -> Value | None:
    """The latest private writing of the session (open or ended), or None."""
    return entry(doc, PRIVATE, ROUND)


def open_round(doc: Doc[Any]) -> Value | None:
    found = current(doc)
    return found if found is not None and found.get("state") == OPEN else None


def writers(doc: Doc[Any]) -> dict[str, str]:
    """Who may write privately: the participants, id -> name. Facilitators (co-facilitators
    too) run the writing and count it; the display and bot tokens are no people."""
    return {
        pid: str(p.get("name", ""))
        for pid, p in session.roster(doc).items()
        if p.get("role") == session.PARTICIPANT
    }


def facts(doc: Doc[Any]) -> tuple[str | None, frozenset[str], str | None]:
    """The open private writing's id, who may write in it and its shared board, for
    `BoardFacts`."""
    found = open_round(doc)
    if found is None:
        return None, frozenset(), None
    return str(found["id"]), frozenset(writers(doc)), str(found["board"])


def start(doc: Doc[Any], board: str, section: str | None, now: int) -> Value:
    """Turn private writing on for `board` (its notes land in `section` on reveal)."""
    if session.ended(doc):
        raise Conflict("the session has ended", code="session_ended")
    if open_round(doc) is not None:
        raise Conflict(
            "private writing is already on; reveal or discard it first", code="private_open"
        )
    if board != boards.MAIN:
        boards.require_listed(doc, board)
        if boards.listed(doc)[board].get("kind") == boards.BREAKOUT_KIND:
            raise Invalid("private writing is for the main board or a board of the session")
    if section is not None and not 1 <= len(section) <= MAX_SECTION_ID:
        raise Invalid(f"a section id is 1-{MAX_SECTION_ID} characters")
    count = int(number(table(doc, PRIVATE).get(COUNT)) or 0) + 1
    value = {
        "id": f"w{count}",
        "board": board,
        "section": section,
        "state": OPEN,
        "started_at": now,
        "ended_at": None,
        "anonymous": None,
    }
    table(doc, PRIVATE)[COUNT] = count
    table(doc, PRIVATE)[ROUND] = value
    return value


def require_open(doc: Doc[Any]) -> Value:
    found = open_round(doc)
    if found is None:
        raise NotFound("private writing is not on", code="private_not_open")
    return found


def end(doc: Doc[Any], now: int, *, anonymous: bool | None) -> Value:
    """Private writing ends: revealed (`anonymous` says how) or discarded (None). From
    here on nobody opens its private boards (server/facilitation/access.py)."""
    value = require_open(doc)
    value |= {
        "state": DISCARDED if anonymous is None else REVEALED,
        "ended_at": now,
        "anonymous": anonymous,
    }
    table(doc, PRIVATE)[ROUND] = value
    return value


def reopen(doc: Doc[Any], value: Value) -> None:
    """Put back private writing that a reveal ended but could not complete."""
    table(doc, PRIVATE)[ROUND] = {**value, "state": OPEN, "ended_at": None, "anonymous": None}


def count(board: Doc[Any]) -> int:
    return len(table(board, "notes"))


def written(board: Doc[Any], person_id: str, name: str) -> Written:
    """A person's private notes in the order written, at most MAX_NOTES_PER_PERSON, each
    cut to MAX_TEXT characters: the board is written by a client, so nothing in it is
    trusted beyond the fields copied, and those are checked."""
    found: list[Value] = []
    for note in table(board, "notes").values():
        if not isinstance(note, Map):
            continue
        text = note.get("text")
        created = number(note.get("created_at")) or 0
        color = note.get("color")
        found.append(
            {
                "text": str(text)[:MAX_TEXT] if isinstance(text, Text) else "",
                "color": color if color in COLORS else DEFAULT_COLOR,
                "created_at": int(created),
            }
        )
    found.sort(key=lambda n: int(n["created_at"]))
    return Written(person_id, name, found[:MAX_NOTES_PER_PERSON])


def clear(board: Doc[Any]) -> None:
    """Empty a private board after its round ended: its notes are on the shared board
    (or were discarded), and nothing of them is kept beside it."""
    notes = table(board, "notes")
    for key in list(notes.keys()):
        del notes[key]


def reveal(
    shared: Doc[Any],
    everyone: Sequence[Written],
    new_ids: Sequence[str],
    *,
    anonymous: bool,
    section: str | None,
    section_id: str,
    language: str,
    now: int,
    rng: random.Random,
) -> tuple[int, str | None]:
    """Write every private note onto the shared board as an ordinary note, all in one
    transaction. Attributed: grouped by person, named. Anonymous: no author, in an order
    shuffled so that neither place nor order tells who wrote what.

    The notes go into the facilitator's `section` when it is on the board (which grows
    to hold them), else into a new section `section_id` below everything on the board.
    Answers how many notes it wrote, and into which section (None: none written)."""
    notes = [(w, n) for w in everyone for n in w.notes]
    if anonymous:
        rng.shuffle(notes)
    if not notes:
        return 0, None
    sections = table(shared, "sections")
    target = sections.get(section) if section is not None else None
    if isinstance(target, Map):
        x, y, w, h = section_box(target)
        columns = max(1, math.floor((w - 2 * PADDING + GAP) / (NOTE_W + GAP)))
        used = _rows_in(shared, section or "", y)
        left, top, section_id = x + PADDING, y + TITLE_H + used * (NOTE_H + GAP), section or ""
        rows = used + math.ceil(len(notes) / columns)
        target["h"] = max(h, TITLE_H + PADDING + rows * NOTE_H + (rows - 1) * GAP)
    else:
        columns = min(COLUMNS, len(notes))
        rows = math.ceil(len(notes) / columns)
        left, top = free_space(shared)
        sections[section_id] = Map(
            {
                "title": SECTION_TITLES.get(language, SECTION_TITLES["en"]),
                "titles": dict(SECTION_TITLES),
                "x": left,
                "y": top,
                "w": 2 * PADDING + columns * NOTE_W + (columns - 1) * GAP,
                "h": TITLE_H + PADDING + rows * NOTE_H + (rows - 1) * GAP,
                "color": "green",
            }
        )
        left, top = left + PADDING, top + TITLE_H
    board_notes = table(shared, "notes")
    for n, ((person, note), new_id) in enumerate(zip(notes, new_ids, strict=False)):
        row, column = divmod(n, columns)
        board_notes[new_id] = Map(
            {
                "text": Text(note["text"]),
                "x": left + column * (NOTE_W + GAP),
                "y": top + row * (NOTE_H + GAP),
                "color": note["color"],
                "section": section_id,
                "author": "" if anonymous else person.person_id,
                "author_name": "" if anonymous else person.name,
                "created_at": now if anonymous else note["created_at"],
            }
        )
    return len(notes), section_id


def _rows_in(shared: Doc[Any], section_id: str, y: float) -> int:
    """Rows of notes already in a section, so revealed notes go below them."""
    bottom = y + TITLE_H
    for note in table(shared, "notes").values():
        if isinstance(note, Map) and note.get("section") == section_id:
            top = number(note.get("y"))
            if top is not None:
                bottom = max(bottom, top + NOTE_H + GAP)
    return max(0, math.ceil((bottom - y - TITLE_H) / (NOTE_H + GAP)))
