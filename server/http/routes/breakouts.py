"""Breakout rounds: draft with a strategy, open, run (messages, time, moves, help), close,
and harvest the rooms' notes into `main`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from random import Random
from typing import Annotated, Any, Literal

from annotated_types import Gt, MaxLen, MinLen
from pycrdt import Doc
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response

from rooms import notes, rounds, session
from rooms.control import Value
from rooms.notes import MAX_PROMOTED

from ...facilitation.access import FACILITATOR, MAIN, PARTICIPANT
from ...facilitation.programmes import programme_of
from ...facilitation.tokens import new_id
from ...process.limits import BOARD_FULL, BoardLimits, no_room, too_many_boards
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text, whole
from ..problems import Problem
from .timers import Duration, TimeChange

ROUND = SESSION + "/breakouts/{round_id}"
MAX_SEED = 2**53
Count = Annotated[int, whole(1, 200)]
commands = Commands()
facilitator = roles(FACILITATOR)


class NewRound(Body):
    strategy: Literal[
        "random", "balanced", "keep_apart", "csv", "choose", "reuse", "programme_groups"
    ] = Field(description="programme_groups: the groups of the session's programme as rooms")
    rooms: Count | None = None
    group_size: Count | None = None
    names: Annotated[list[Annotated[str, text(80)]], MaxLen(200)] | None = None
    key: Annotated[str, text(32)] | None = Field(
        None, description="tag key: kind (balanced), org (keep_apart)"
    )
    ratio: Annotated[dict[str, Annotated[float, Gt(0)]], MinLen(1)] | None = Field(
        None, description="tag value -> its share of each room (balanced)"
    )
    csv: str | None = Field(None, description="name,email,group rows")
    capacity: Annotated[int, whole(1, 1000)] | None = None
    reuse: Annotated[str, text(16)] | None = Field(None, description="id of an earlier round")
    avoid_repeats: bool = True
    duration_ms: Duration = 600_000
    closing_ms: Annotated[int, whole(0, 600_000)] = rounds.DEFAULT_CLOSING_MS
    seed: Annotated[int, whole(0, MAX_SEED)] | None = None
    confidential: bool = Field(
        False, description="the rooms stay with their members after the round closes"
    )


class Opening(Body):
    duration_ms: Duration | None = None
    confidential: bool | None = Field(
        None,
        description="the rooms stay with their members after the round closes; "
        "absent keeps what the draft said",
    )


class Message(Body):
    text: Annotated[str, text(500)]


class Move(Body):
    participant: Annotated[str, text(64)]
    room: Annotated[str, text(64)]


class Choice(Body):
    room: Annotated[str, text(64)]


class Promotion(Body):
    notes: Annotated[list[Annotated[str, text(128)]], MinLen(1), MaxLen(MAX_PROMOTED)] = Field(
        description="the ids of the notes to promote"
    )


class Room(BaseModel):
    id: str
    name: str
    board: str
    members: list[str]
    help_requested_at: int | None = None
    ends_at: int | None = Field(None, description="open: when this room's time is up")


class Round(BaseModel):
    """docs/schema.md, breakouts.round"""

    model_config = ConfigDict(extra="allow")
    id: str
    number: int
    state: Literal["draft", "open", "closing", "closed"]
    strategy: str
    rooms: list[Room]
    unassigned: list[str] = []
    capacity: int | None = None
    duration_ms: int
    closing_ms: int
    opened_at: int | None = None
    ends_at: int | None = None
    closes_at: int | None = None
    closed_at: int | None = None
    confidential: bool = False


class Discarded(BaseModel):
    id: str
    discarded: bool


class Promoted(BaseModel):
    board: str
    notes: list[str]
    section: str | None = Field(description="null when the notes were promoted before")


@commands.post(
    SESSION + "/breakouts",
    "Draft a round with a strategy; nobody moves until it opens (facilitator)",
    access=facilitator,
    body=NewRound,
    result=Round,
    status=201,
)
async def draft(call: Call[NewRound]) -> Value:
    return await draft_round(call, call.body)


async def draft_round(call: Call[Any], body: NewRound) -> Value:
    """Allocate people with a strategy; nobody moves until the round opens. Also run by
    an agenda item's breakout step (steps.py)."""

    def known(doc: Doc[Any]) -> tuple[Any, ...]:
        earlier = rounds.earlier(doc, body.reuse) if body.reuse else None
        seen = rounds.pairs(doc) if body.avoid_repeats else set()
        return session.people(doc), earlier, seen

    people, earlier, seen = await call.read(known)
    earlier_names = None
    if body.strategy == "programme_groups":
        earlier, earlier_names = await _programme_groups(call)
    rng = Random(body.seed)
    chosen = await asyncio.to_thread(
        lambda: rounds.plan(
            body.strategy,
            people,
            rng=rng,
            rooms=body.rooms,
            group_size=body.group_size,
            key=body.key,
            ratio=body.ratio,
            csv_text=body.csv,
            capacity=body.capacity,
            earlier=earlier,
            history=seen,
            earlier_names=earlier_names,
        )
    )
    existing = await call.context.store.sessions.list_boards(call.session_id)
    limit = call.context.settings.max_boards_per_session

    def write(doc: Doc[Any]) -> Value:
        # In the change that drafts, before it writes: the boards are the ones the draft
        # names. A discarded draft's boards stay stored and count (they are not reused).
        refusal = too_many_boards(existing, rounds.boards_for(doc, chosen), limit)
        if refusal is not None:
            raise Problem(409, refusal)
        return rounds.draft(
            doc,
            chosen,
            duration_ms=body.duration_ms,
            closing_ms=body.closing_ms,
            names=body.names,
            confidential=body.confidential,
        )

    value = await call.change(write)
    for room in value["rooms"]:
        await call.context.store.sessions.add_board(call.session_id, room["board"])
    return value


async def _programme_groups(call: Call[Any]) -> tuple[list[list[str]], list[str]]:
    """The groups of the programme this session is an event of, and their names."""
    programme_id = await call.read(programme_of)
    data = await call.context.store.programmes.get_programme(programme_id or "")
    if data is None or not data["groups"]:
        raise Problem(422, "this session is not an event of a programme with groups")
    return [list(g["members"]) for g in data["groups"]], [g["name"] for g in data["groups"]]


@commands.delete(
    ROUND, "Discard a drafted round (facilitator)", access=facilitator, result=Discarded
)
async def discard(call: Call[None]) -> Value:
    round_id = call.path("round_id")
    await call.change(lambda doc: rounds.discard(doc, round_id))
    return {"id": round_id, "discarded": True}


@commands.post(
    ROUND + "/open",
    "Open: everyone to their room, a timer each (facilitator)",
    access=facilitator,
    body=Opening,
    optional_body=True,
    result=Round,
)
async def open_round(call: Call[Opening]) -> Value:
    round_id = call.path("round_id")
    return await open_drafted(call, round_id, call.body.duration_ms, call.body.confidential)


async def open_drafted(
    call: Call[Any], round_id: str, duration: int | None, confidential: bool | None
) -> Value:
    """Everyone to their room of a drafted round (also an agenda item's breakout step)."""
    return await call.change(
        lambda doc: rounds.open_round(doc, round_id, call.now, duration, confidential)
    )


@commands.post(
    ROUND + "/close", "Start the closing countdown (facilitator)", access=facilitator, result=Round
)
async def close(call: Call[None]) -> Value:
    return await _command(call, rounds.close)


@commands.post(
    ROUND + "/messages",
    "Message every room (facilitator)",
    access=facilitator,
    body=Message,
    result=Round,
)
async def broadcast(call: Call[Message]) -> Value:
    text = call.body.text
    return await _command(call, lambda doc, rid, now: rounds.broadcast(doc, rid, text, now))


@commands.post(
    ROUND + "/time",
    "More or less time for every room (facilitator)",
    access=facilitator,
    body=TimeChange,
    result=Round,
)
async def adjust(call: Call[TimeChange]) -> Value:
    delta = call.body.delta_ms
    return await _command(call, lambda doc, rid, now: rounds.adjust(doc, rid, delta, now))


@commands.post(
    ROUND + "/rooms/{room}/time",
    "More or less time for one room alone; the round ends with its last room (facilitator)",
    access=facilitator,
    body=TimeChange,
    result=Round,
)
async def adjust_room(call: Call[TimeChange]) -> Value:
    room, delta = call.path("room"), call.body.delta_ms
    return await _command(
        call, lambda doc, rid, now: rounds.adjust_room(doc, rid, room, delta, now)
    )


@commands.post(
    ROUND + "/moves",
    "Move a person to a room; they get a notice (facilitator)",
    access=facilitator,
    body=Move,
    result=Round,
)
async def move(call: Call[Move]) -> Value:
    person_id, room = call.body.participant, call.body.room

    def moved(doc: Doc[Any], round_id: str, now: int) -> Value:
        session.person(doc, person_id)
        return rounds.move(doc, round_id, person_id, room, now)

    return await _command(call, moved)


@commands.delete(
    ROUND + "/help/{room}",
    "Clear a room's call for help (facilitator)",
    access=facilitator,
    result=Round,
)
async def clear_help(call: Call[None]) -> Value:
    room = call.path("room")
    return await _command(call, lambda doc, rid, now: rounds.clear_help(doc, rid, room))


@commands.post(
    ROUND + "/choice",
    "Choose a room within its capacity (participant)",
    access=roles(PARTICIPANT, person=True),
    body=Choice,
    result=Round,
)
async def choose(call: Call[Choice]) -> Value:
    round_id, person_id, room = call.path("round_id"), call.person_id, call.body.room
    return await call.change(lambda doc: rounds.choose(doc, round_id, person_id, room))


@commands.post(
    ROUND + "/help",
    "Ask the facilitator to your room (participant)",
    access=roles(PARTICIPANT, person=True),
    result=Round,
)
async def ask_help(call: Call[None]) -> Value:
    """A participant calls the facilitator to their room."""
    round_id, person_id = call.path("round_id"), call.person_id
    return await call.change(lambda doc: rounds.ask_help(doc, round_id, person_id, call.now))


@commands.post(
    ROUND + "/rooms/{room}/promote",
    "Copy notes of a closed room to main as new, editable notes (the room's members or a "
    "facilitator); 200 when all were copied before and nothing is added, 409 (reason "
    "board_full) when main has no room for them",
    access=roles(FACILITATOR, PARTICIPANT),
    body=Promotion,
    result=Promoted,
    status=201,
    also=(200,),
)
async def promote(call: Call[Promotion]) -> Response:
    """Copy chosen notes of a closed room to `main` as new, editable notes.

    Held to `main`'s limits like a client's write, and idempotent: a note of this room
    already on `main` is not copied again, so repeating a promotion adds nothing."""
    round_id, room_id = call.path("round_id"), call.path("room")
    chosen = list(dict.fromkeys(call.body.notes))
    room = await call.read(lambda doc: rounds.harvested_room(doc, round_id, room_id))
    assert call.grant is not None
    if call.grant.role == PARTICIPANT and call.grant.subject not in room["members"]:
        raise Problem(403, "only the room's own group promotes its notes")
    copies = await call.control.read_board(
        call.session_id, room["board"], lambda doc: notes.copies(doc, chosen)
    )
    settings = call.context.settings
    limits = BoardLimits(settings.max_board_bytes, settings.max_notes_per_board)

    def promote(doc: Doc[Any]) -> tuple[list[str], str | None, bool]:
        done = notes.promoted_from(doc, room["board"])
        fresh = [copy for copy in copies if copy["id"] not in done]
        if not fresh:
            return [done[c["id"]][0] for c in copies], done[copies[0]["id"]][1], False
        refusal = no_room(doc, [copy["text"] for copy in fresh], limits)
        if refusal is not None:
            raise Problem(409, refusal, reason=BOARD_FULL)
        section_id = new_id()
        added = {copy["id"]: new_id() for copy in fresh}
        notes.paste(
            doc,
            fresh,
            list(added.values()),
            room["board"],
            section_id=section_id,
            title=room["name"],
        )
        return [added.get(c["id"]) or done[c["id"]][0] for c in copies], section_id, True

    ids, section_id, added = await call.control.change_board(call.session_id, MAIN, promote)
    promoted = {"board": MAIN, "notes": ids, "section": section_id}
    return JSONResponse(promoted, status_code=201 if added else 200)


async def _command(call: Call[Any], command: Callable[[Doc[Any], str, int], Value]) -> Value:
    """A facilitator's command on one round: `command(doc, round_id, now)`."""
    round_id = call.path("round_id")
    return await call.change(lambda doc: command(doc, round_id, call.now))
