"""Who may open and write which board. Every check of a token against a board lives here.

The rules (docs/schema.md, "Access") depend on the session state in `control`: which
breakout round is running and who sits where, and which boards are open to all. They are
decided by `rights` from `BoardFacts`, both when a socket opens and whenever the state
changes (then for every open socket of the session, see server/facilitation/authority.py).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from pycrdt import Doc

from rooms import control, private, rounds
from rooms.boards import BoardFacts, Guard

from ..process.limits import BoardLimits, too_many_boards
from ..store.documents import DocumentLog, document_key
from ..store.sessions import Grant, SessionRecord, SessionStore
from ..sync.messages import CloseCode
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
# A store's method and its argument: one thing to look up.
Lookup = tuple[Callable[[str], Awaitable[Any]], str]


NO_ACCESS = "this board belongs to another breakout room"


def is_private(board: str) -> bool:
    """One person's private board (rooms/private.py)."""
    return private.is_private(board)


def private_limits(limits: BoardLimits) -> BoardLimits:
    """A private board holds one person's notes of one round: far less than a board."""
    return BoardLimits(
        min(limits.max_bytes, private.MAX_PRIVATE_BYTES),
        min(limits.max_notes, private.MAX_NOTES_PER_PERSON),
    )


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
    token_hash: str
    guard: Guard | None = None  # the key of the cap on sockets per token


async def authenticate(sessions: SessionStore, token: str | None, session_id: str) -> Grant:
    """The grant of a token in this session; a token of another session is no token here."""
    return _granted(await sessions.find_grant(_hash(token)), session_id)


def _hash(token: str | None) -> str:
    if not token:
        raise Denied(CloseCode.BAD_TOKEN, "missing token")
    return token_hash(token)


def _granted(grant: Grant | None, session_id: str) -> Grant:
    if grant is None or grant.session_id != session_id:
        raise Denied(CloseCode.BAD_TOKEN, "bad token")
    return grant


def rights(role: str, subject: str, board: str, facts: BoardFacts) -> Rights:
    """Only the server writes `control`; a private board is its writer's alone;
    facilitators write every board; a board kept for
    its members (a confidential round's room, a discarded draft's) is no one else's;
    observers and bots only read; a participant writes `main`
    (but for the board of private writing while it is on), boards open to all and
    their own breakout room while the round runs, and may not look into another room
    (or a drafted one). Once the session has ended, or a facilitator locked the board, a
    participant only reads what they could write."""
    if board == CONTROL:
        return Rights.READ
    if is_private(board):
        return _private_rights(subject, board, facts)
    if role == FACILITATOR:
        return Rights.WRITE
    if board in facts.kept and subject not in facts.kept[board]:
        return Rights.NONE
    if role in (OBSERVER, BOT):
        return Rights.READ
    if board == facts.written_on:
        return Rights.READ  # while private writing is on, a participant's notes are private
    if board == MAIN or board in facts.open_to_all:
        return _unless_ended(facts, board)
    if board in facts.rooms:
        return _unless_ended(facts, board) if subject in facts.rooms[board] else Rights.NONE
    if board in facts.drafted:
        return Rights.NONE
    return Rights.READ


def _private_rights(subject: str, board: str, facts: BoardFacts) -> Rights:
    """A private board is its writer's alone, while their private writing is on: no
    facilitator, observer or bot opens it, and nobody at all once it has ended."""
    if facts.writing is None or subject not in facts.writers:
        return Rights.NONE
    if board != private.board_name(facts.writing, subject):
        return Rights.NONE
    return _unless_ended(facts, board)


def _unless_ended(facts: BoardFacts, board: str) -> Rights:
    return Rights.READ if facts.ended or board in facts.locked else Rights.WRITE


def guard(role: str, board: str, facts: BoardFacts) -> Guard | None:
    """The locked notes a connection's updates are checked against (docs/security.md,
    "Locks"): facilitators are never held by them."""
    return None if role == FACILITATOR else facts.guards.get(board)


async def stored_facts(documents: DocumentLog, session_id: str) -> BoardFacts:
    """The board facts from the stored `control` document.

    The store rather than a loaded copy: every command that changes access has flushed
    its change before answering, and the store is the one copy every server of a
    deployment shares.
    """
    state = await documents.load_document(document_key(session_id, CONTROL))
    return rounds.facts(Doc() if state is None else control.from_state(state))


class SharedLookups:
    """The store's answers to the lookups of `open_board`, shared by the sockets that ask
    for the same thing at the same time.

    In a join storm every joiner asks for the same session, its boards and (on a breakout
    board) its control state, a person's browser opens several boards with one token at
    once, and every lookup waits its turn at the store (one thread for SQLite). So there
    is at most one lookup of a thing at a time: who asks for it meanwhile waits for the
    next one, which starts as soon as that one ends and answers them all. A lookup is
    shared only by those who asked before it started: nobody gets an answer older than
    its question. Each asker waits on a future of its own, answered straight from the
    lookup, so a busy event loop adds few turns to a joiner's wait, and an asker that is
    cancelled cancels nobody else's wait.
    """

    def __init__(self, sessions: SessionStore, documents: DocumentLog) -> None:
        self.sessions = sessions
        self.documents = documents
        self._asked: dict[Lookup, list[asyncio.Future[Any]]] = {}  # for the next lookup
        self._running: dict[Lookup, asyncio.Task[None]] = {}

    def grant(self, token_hash: str) -> asyncio.Future[Grant | None]:
        return self._ask((self.sessions.find_grant, token_hash))

    def session(self, session_id: str) -> asyncio.Future[SessionRecord | None]:
        return self._ask((self.sessions.get_session, session_id))

    def boards(self, session_id: str) -> asyncio.Future[list[str]]:
        return self._ask((self.sessions.list_boards, session_id))

    def facts(self, session_id: str) -> asyncio.Future[BoardFacts]:
        return self._ask((self._stored_facts, session_id))

    async def _stored_facts(self, session_id: str) -> BoardFacts:
        return await stored_facts(self.documents, session_id)

    def _ask(self, lookup: Lookup) -> asyncio.Future[Any]:
        answer = asyncio.get_running_loop().create_future()
        answer.add_done_callback(_retrieved)  # a failure nobody waits for any more
        self._asked.setdefault(lookup, []).append(answer)
        if lookup not in self._running:
            # It starts when the loop gets to it, for everyone who asked until then.
            self._running[lookup] = asyncio.create_task(self._look_up(lookup))
        return answer

    async def _look_up(self, lookup: Lookup) -> None:
        fetch, key = lookup
        try:
            while lookup in self._asked:
                answers = self._asked.pop(lookup)
                try:
                    found = await fetch(key)
                except Exception as exc:
                    for answer in answers:
                        if not answer.done():
                            answer.set_exception(exc)
                    continue
                except BaseException:
                    for answer in answers:
                        answer.cancel()
                    raise
                for answer in answers:
                    if not answer.done():
                        answer.set_result(found)
        finally:
            del self._running[lookup]


def _retrieved(answer: asyncio.Future[Any]) -> None:
    if not answer.cancelled():
        answer.exception()


async def open_board(
    lookups: SharedLookups, token: str | None, session_id: str, board: str, *, max_boards: int
) -> BoardAccess:
    """Check a WebSocket's token against a board; a facilitator creates a board by opening
    it, unless the session already has `max_boards` boards.

    The token, the session and its boards are asked for at once, so a joiner waits for the
    store once, not three times.
    """
    hashed = _hash(token)
    asked_grant = lookups.grant(hashed)
    asked_session = lookups.session(session_id)
    asked_boards = lookups.boards(session_id)
    grant = _granted(await asked_grant, session_id)
    if grant.role not in ROLES:
        raise Denied(CloseCode.BAD_TOKEN, "a join secret opens no board; join first")
    if not BOARD_NAME.match(board):
        raise Denied(CloseCode.NOT_FOUND, "no such board")
    if await asked_session is None:
        raise Denied(CloseCode.NOT_FOUND, "no such session")
    boards = await asked_boards
    # A private board is never listed (nor exported): the rights below decide alone.
    if board not in boards and not is_private(board):
        if grant.role != FACILITATOR:
            raise Denied(CloseCode.NOT_FOUND, "no such board")
        refusal = too_many_boards(boards, [board], max_boards)
        if refusal is not None:
            raise Denied(CloseCode.FORBIDDEN, refusal)
        await lookups.sessions.add_board(session_id, board)
    # main too: an ended session leaves participants reading it
    needs_state = board != CONTROL and (grant.role != FACILITATOR or is_private(board))
    facts = await lookups.facts(session_id) if needs_state else BoardFacts()
    granted = rights(grant.role, grant.subject, board, facts)
    if granted is Rights.NONE:
        raise Denied(CloseCode.FORBIDDEN, NO_ACCESS)
    return BoardAccess(grant, granted is Rights.WRITE, hashed, guard(grant.role, board, facts))
