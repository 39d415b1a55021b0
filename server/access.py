"""Who may open and write which board. Every check of a token against a board lives here.

The rules (docs/schema.md, "Access") depend on the session state in `control`: which
breakout round is running and who sits where, and which boards are open to all. They are
decided by `rights` from `BoardFacts`, both when a socket opens and whenever the state
changes (then for every open socket of the session, see server/control.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from pycrdt import Doc

from rooms import rounds
from rooms.boards import BoardFacts

from .limits import too_many_boards
from .protocol import CloseCode
from .store.base import Grant, Store, document_key
from .tokens import token_hash

FACILITATOR = "facilitator"
PARTICIPANT = "participant"
OBSERVER = "observer"
BOT = "bot"
JOIN = "join"  # the secret of the participant link: it mints participant tokens, nothing else
ROLES = (FACILITATOR, PARTICIPANT, OBSERVER, BOT)

CONTROL = "control"
MAIN = "main"
BOARD_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Rights(IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2


class Denied(Exception):
    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class BoardAccess:
    grant: Grant
    can_write: bool


async def authenticate(store: Store, token: str | None, session_id: str) -> Grant:
    """The grant of a token in this session; a token of another session is no token here."""
    if not token:
        raise Denied(CloseCode.BAD_TOKEN, "missing token")
    grant = await store.find_grant(token_hash(token))
    if grant is None or grant.session_id != session_id:
        raise Denied(CloseCode.BAD_TOKEN, "bad token")
    return grant


def rights(role: str, subject: str, board: str, facts: BoardFacts) -> Rights:
    """Only the server writes `control`; observers and bots only read; facilitators write
    every board; a participant writes `main`, boards open to all and their own breakout
    room while the round runs, and may not look into another room (or a drafted one)."""
    if board == CONTROL or role in (OBSERVER, BOT):
        return Rights.READ
    if role == FACILITATOR:
        return Rights.WRITE
    if board == MAIN or board in facts.open_to_all:
        return Rights.WRITE
    if board in facts.rooms:
        return Rights.WRITE if subject in facts.rooms[board] else Rights.NONE
    if board in facts.drafted:
        return Rights.NONE
    return Rights.READ


async def stored_facts(store: Store, session_id: str) -> BoardFacts:
    """The board facts from the stored `control` document.

    The store rather than a loaded copy: every command that changes access has flushed
    its change before answering, and the store is the one copy every server of a
    deployment shares.
    """
    state = await store.load_document(document_key(session_id, CONTROL))
    doc: Doc[Any] = Doc()
    if state is not None:
        doc.apply_update(state)
    return rounds.facts(doc)


async def open_board(
    store: Store, token: str | None, session_id: str, board: str, *, max_boards: int
) -> BoardAccess:
    """Check a WebSocket's token against a board; a facilitator creates a board by opening
    it, unless the session already has `max_boards` boards."""
    grant = await authenticate(store, token, session_id)
    if grant.role not in ROLES:
        raise Denied(CloseCode.BAD_TOKEN, "a join secret opens no board; join first")
    if not BOARD_NAME.match(board):
        raise Denied(CloseCode.NOT_FOUND, "no such board")
    if await store.get_session(session_id) is None:
        raise Denied(CloseCode.NOT_FOUND, "no such session")
    boards = await store.list_boards(session_id)
    if board not in boards:
        if grant.role != FACILITATOR:
            raise Denied(CloseCode.NOT_FOUND, "no such board")
        refusal = too_many_boards(boards, [board], max_boards)
        if refusal is not None:
            raise Denied(CloseCode.FORBIDDEN, refusal)
        await store.add_board(session_id, board)
    needs_state = grant.role == PARTICIPANT and board not in (CONTROL, MAIN)
    facts = await stored_facts(store, session_id) if needs_state else BoardFacts()
    granted = rights(grant.role, grant.subject, board, facts)
    if granted is Rights.NONE:
        raise Denied(CloseCode.FORBIDDEN, "this board belongs to another breakout room")
    return BoardAccess(grant, granted is Rights.WRITE)
