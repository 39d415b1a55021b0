"""Dot voting: the facilitator opens, closes and reveals; people place and take back dots.

Dots are kept in the server-only ballots document; `control` learns only the totals
while the vote is open, and the ranking when it is revealed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pycrdt import Doc, Map
from pydantic import BaseModel, ConfigDict, Field

from rooms import boards, votes
from rooms.control import Value

from ...facilitation.access import FACILITATOR, PARTICIPANT
from ...facilitation.authority import PRIVATE
from ...facilitation.tokens import new_id
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text, whole

VOTE = SESSION + "/votes/{vote_id}"
Dots = Annotated[int, whole(1, 100)]
commands = Commands()
facilitator = roles(FACILITATOR)
voter = roles(PARTICIPANT, FACILITATOR, person=True)


class NewVote(Body):
    title: Annotated[str, text(200)] | None = None
    board: Annotated[str, text(64)]
    section: Annotated[str, text(128)] | None = None
    per_participant: Dots
    per_note: Dots | None = Field(None, description="default: per_participant")
    anonymous: bool = True


class Dot(Body):
    note: Annotated[str, text(128)]


class Vote(BaseModel):
    """docs/schema.md, votes"""

    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    board: str
    section: str | None
    per_participant: int
    per_note: int
    anonymous: bool
    state: Literal["open", "closed", "revealed"]
    opened_at: int | None = None
    closed_at: int | None = None
    dots_cast: int
    voters: int
    results: list[dict[str, Any]] | None


class OwnDots(BaseModel):
    vote: str
    dots: dict[str, int]
    remaining: int


@commands.post(
    SESSION + "/votes",
    "Open a dot vote on a board's notes (facilitator)",
    access=facilitator,
    body=NewVote,
    result=Vote,
    status=201,
)
async def create(call: Call[NewVote]) -> Value:
    return await open_vote(call, call.body)


async def open_vote(call: Call[Any], body: NewVote) -> Value:
    """Open a dot vote (also an agenda item's dot-vote step, steps.py)."""
    vote_id = new_id()
    per_note = body.per_note if body.per_note is not None else body.per_participant

    def opened(doc: Doc[Any]) -> Value:
        boards.require_listed(doc, body.board)
        return votes.create(
            doc,
            vote_id,
            title=body.title or "",
            board=body.board,
            section=body.section,
            per_participant=body.per_participant,
            per_note=per_note,
            anonymous=body.anonymous,
            now=call.now,
        )

    return await call.change(opened)


@commands.post(
    VOTE + "/dots",
    "Place a dot; over a limit is 409 (a person)",
    access=voter,
    body=Dot,
    result=OwnDots,
    status=201,
)
async def cast(call: Call[Dot]) -> Value:
    return await _dot(call, call.body.note, votes.cast)


@commands.delete(VOTE + "/dots/{note}", "Take a dot back (a person)", access=voter, result=OwnDots)
async def retract(call: Call[None]) -> Value:
    return await _dot(call, call.path("note"), lambda v, b, p, n, _: votes.retract(v, b, p, n))


@commands.get(VOTE + "/dots", "Your own dots (a person)", access=voter, result=OwnDots)
async def mine(call: Call[None]) -> Value:
    vote_id, person_id = call.path("vote_id"), call.person_id
    vote = await call.read(lambda doc: votes.get(doc, vote_id))
    dots = await call.control.read_board(
        call.session_id, PRIVATE, lambda doc: votes.mine(doc, vote_id, person_id)
    )
    return _own(vote, dots)


@commands.post(VOTE + "/close", "Close the vote (facilitator)", access=facilitator, result=Vote)
async def close(call: Call[None]) -> Value:
    vote_id = call.path("vote_id")
    return await call.change(lambda doc: votes.close(doc, vote_id, call.now))


@commands.post(
    VOTE + "/reveal", "Reveal ranked results (facilitator)", access=facilitator, result=Vote
)
async def reveal(call: Call[None]) -> Value:
    vote_id, control = call.path("vote_id"), call.control
    async with control.lock(call.session_id):
        vote = await call.read(lambda doc: votes.get(doc, vote_id))
        ranked = await control.read_board(
            call.session_id, PRIVATE, lambda doc: votes.results(vote, doc)
        )
        return await call.change(lambda doc: votes.reveal(doc, vote_id, ranked))


async def _dot(call: Call[Any], note: str, step: Any) -> Value:
    """Place or take back one dot: check the vote, change the ballot, publish totals."""
    vote_id, person_id, control = call.path("vote_id"), call.person_id, call.control
    async with control.lock(call.session_id):
        vote = await call.read(lambda doc: votes.get(doc, vote_id))
        eligible = await control.read_board(
            call.session_id, vote["board"], lambda doc: _notes_in(doc, vote["section"])
        )
        tally: votes.Tally = await control.change_board(
            call.session_id, PRIVATE, lambda doc: step(vote, doc, person_id, note, eligible)
        )
        await call.change(lambda doc: votes.record(doc, vote_id, tally))
    return _own(vote, tally.mine)


def _notes_in(board: Doc[Any], section: str | None) -> set[str]:
    notes = board.get("notes", type=Map)
    return {
        note_id
        for note_id, note in notes.items()
        if section is None or (isinstance(note, Map) and note.get("section") == section)
    }


def _own(vote: Value, dots: dict[str, int]) -> Value:
    return {
        "vote": vote["id"],
        "dots": dots,
        "remaining": int(vote["per_participant"]) - sum(dots.values()),
    }
