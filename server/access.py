"""Who may open and write which board. Every check of a token against a board lives here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .protocol import CloseCode
from .store.base import Grant, Store
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


def may_write(grant: Grant, board: str) -> bool:
    """Only the server writes `control`; observers and bots only read."""
    if board == CONTROL:
        return False
    return grant.role in (FACILITATOR, PARTICIPANT)


async def open_board(store: Store, token: str | None, session_id: str, board: str) -> BoardAccess:
    """Check a WebSocket's token against a board; a facilitator creates a board by opening it."""
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
        await store.add_board(session_id, board)
    return BoardAccess(grant, may_write(grant, board))
