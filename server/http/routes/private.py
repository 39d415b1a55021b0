"""Private writing, then reveal (rooms/private.py): turned on and ended by a facilitator,
who sees how many notes each person has written, never their text."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Literal, TypeVar

from pycrdt import Doc
from pydantic import BaseModel

from rooms import private, session
from rooms.control import Value

from ...facilitation.access import FACILITATOR, MAIN
from ...facilitation.tokens import new_id
from ...process.limits import BOARD_FULL, BoardLimits, no_room
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text
from ..problems import Problem

PRIVATE = SESSION + "/private"
T = TypeVar("T")
commands = Commands()
facilitator = roles(FACILITATOR)
_shuffle = random.SystemRandom()  # the order of anonymous notes must not be guessable


class NewPrivateWriting(Body):
    board: Annotated[str, text(64)] = MAIN
    section: Annotated[str, text(private.MAX_SECTION_ID)] | None = None


class Reveal(Body):
    anonymous: bool = False


class PrivateWriting(BaseModel):
    """docs/schema.md, private"""

    id: str
    board: str
    section: str | None
    state: Literal["open", "revealed", "discarded"]
    started_at: int
    ended_at: int | None
    anonymous: bool | None


class Written(BaseModel):
    id: str
    name: str
    notes: int


class PrivateCounts(BaseModel):
    writing: PrivateWriting | None
    people: list[Written]
    total: int


class Revealed(BaseModel):
    writing: PrivateWriting
    board: str
    revealed: int
    section: str | None


@commands.post(
    PRIVATE,
    "Turn private writing on for a board (or one of its sections): each person's new notes "
    "are seen only by them until the reveal (facilitator)",
    access=facilitator,
    body=NewPrivateWriting,
    result=PrivateWriting,
    status=201,
)
async def start(call: Call[NewPrivateWriting]) -> Value:
    board, section = call.body.board, call.body.section
    return await call.change(lambda doc: private.start(doc, board, section, call.now))


@commands.get(
    PRIVATE,
    "How many notes each person has written privately, never their text, as stored (at "
    "most a flush interval behind the writer); no private board is loaded (facilitator)",
    access=facilitator,
    result=PrivateCounts,
)
async def counts(call: Call[None]) -> Value:
    writing, writers = await call.read(lambda doc: (private.current(doc), private.writers(doc)))
    if writing is None or writing["state"] != private.OPEN:
        return {"writing": writing, "people": [], "total": 0}
    boards = {pid: private.board_name(writing["id"], pid) for pid in writers}
    tallies = await call.control.tallies(call.session_id, list(boards.values()))
    people = [
        {"id": pid, "name": name, "notes": tallies.get(boards[pid], 0)}
        for pid, name in writers.items()
    ]
    return {"writing": writing, "people": people, "total": sum(p["notes"] for p in people)}


@commands.post(
    PRIVATE + "/reveal",
    "Reveal every private note on the shared board at once, as ordinary notes, attributed "
    "or anonymous; private writing ends (facilitator)",
    access=facilitator,
    body=Reveal,
    result=Revealed,
)
async def reveal(call: Call[Reveal]) -> Value:
    """End the writing first, so that no private board takes an edit any more (their
    sockets close, on every instance), then, once every private board has caught up with
    what other instances applied to it just before, read them all and write their notes
    onto the shared board in one server transaction, then empty the private boards. A
    shared board that cannot take them all puts the writing back on (409) and changes
    nothing else."""
    anonymous = call.body.anonymous
    async with call.control.lock(call.session_id):
        writing, writers, language = await call.read(
            lambda doc: (private.require_open(doc), private.writers(doc), session.language(doc))
        )
        ended = await call.change(lambda doc: private.end(doc, call.now, anonymous=anonymous))
        async with call.control.caught_up(call.session_id, _boards(writing, writers)):
            return await _reveal(call, writing, writers, ended, language)


async def _reveal(
    call: Call[Reveal], writing: Value, writers: dict[str, str], ended: Value, language: str
) -> Value:
    """The reveal's copy, once every private board is caught up (`Control.caught_up`)."""
    anonymous = call.body.anonymous
    everyone = [
        await _read(call, writing, pid, partial(private.written, person_id=pid, name=name))
        for pid, name in writers.items()
    ]
    texts = [note["text"] for w in everyone for note in w.notes]
    settings = call.context.settings
    limits = BoardLimits(settings.max_board_bytes, settings.max_notes_per_board)
    new_ids = [new_id() for _ in texts]
    section_id = new_id()

    def write(doc: Doc[Any]) -> tuple[int, str | None]:
        refusal = no_room(doc, texts, limits)
        if refusal is not None:
            raise Problem(409, refusal, reason=BOARD_FULL)
        return private.reveal(
            doc,
            everyone,
            new_ids,
            anonymous=anonymous,
            section=writing["section"],
            section_id=section_id,
            language=language,
            now=call.now,
            rng=_shuffle,
        )

    try:
        revealed, placed = await call.control.change_board(call.session_id, writing["board"], write)
    except Problem:
        await call.change(lambda doc: private.reopen(doc, writing))
        raise
    await _clear(call, writing, writers)
    return {"writing": ended, "board": writing["board"], "revealed": revealed, "section": placed}


@commands.delete(
    PRIVATE,
    "End private writing without a reveal: every private note is deleted (facilitator)",
    access=facilitator,
    result=PrivateWriting,
)
async def discard(call: Call[None]) -> Value:
    async with call.control.lock(call.session_id):
        writing, writers = await call.read(
            lambda doc: (private.require_open(doc), private.writers(doc))
        )
        ended = await call.change(lambda doc: private.end(doc, call.now, anonymous=None))
        async with call.control.caught_up(call.session_id, _boards(writing, writers)):
            await _clear(call, writing, writers)
    return ended


def _boards(writing: Value, writers: dict[str, str]) -> list[str]:
    return [private.board_name(writing["id"], person_id) for person_id in writers]


async def _read(
    call: Call[Any], writing: Value, person_id: str, reader: Callable[[Doc[Any]], T]
) -> T:
    board = private.board_name(writing["id"], person_id)
    return await call.control.read_board(call.session_id, board, reader)


async def _clear(call: Call[Any], writing: Value, writers: dict[str, str]) -> None:
    """Empty every private board of an ended writing, and store that at once."""
    for board in _boards(writing, writers):
        await call.control.change_board(call.session_id, board, private.clear)
    await call.control.hub.flush()
