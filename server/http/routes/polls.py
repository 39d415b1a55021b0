"""Anonymous polls: answers are kept server-side; results reach `control` on close."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pycrdt import Doc
from pydantic import BaseModel, ConfigDict

from rooms import polls, session
from rooms.control import Value
from rooms.events import POLL_CLOSED

from ...facilitation.access import FACILITATOR, PARTICIPANT
from ...facilitation.authority import PRIVATE
from ...facilitation.tokens import new_id
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text

POLL = SESSION + "/polls/{poll_id}"
commands = Commands()


class NewPoll(Body):
    kind: Literal["choice", "scale", "text"] | None = None
    question: Annotated[str, text(300)] | None = None
    options: list[str] | None = None
    preset: Literal["heard", "use"] | None = None


class PollAnswer(Body):
    answer: str | int


class Poll(BaseModel):
    """docs/schema.md, polls"""

    model_config = ConfigDict(extra="allow")
    id: str
    kind: Literal["choice", "scale", "text"]
    question: str
    questions: dict[str, str] | None = None
    preset: Literal["heard", "use"] | None = None
    options: list[str | int] | None
    state: Literal["open", "closed"]
    opened_at: int | None = None
    closed_at: int | None = None
    answers: int
    results: dict[str, Any] | None


class Answered(BaseModel):
    poll: str
    answers: int


@commands.post(
    SESSION + "/polls",
    "Open an anonymous poll or a preset feedback question (facilitator)",
    access=roles(FACILITATOR),
    body=NewPoll,
    result=Poll,
    status=201,
)
async def create(call: Call[NewPoll]) -> Value:
    return await open_poll(call, call.body)


async def open_poll(call: Call[Any], body: NewPoll) -> Value:
    """Open a poll (also an agenda item's feedback-polls step, steps.py)."""
    poll_id = new_id()

    def opened(doc: Doc[Any]) -> Value:
        return polls.create(
            doc,
            poll_id,
            kind=body.kind,
            question=body.question,
            options=body.options,
            preset=body.preset,
            language=session.language(doc),
            now=call.now,
        )

    return await call.change(opened)


@commands.post(
    POLL + "/answers",
    "Answer (again) while open (a person)",
    access=roles(PARTICIPANT, FACILITATOR, person=True),
    body=PollAnswer,
    result=Answered,
    status=201,
)
async def answer(call: Call[PollAnswer]) -> Value:
    poll_id, person_id, given, control = (
        call.path("poll_id"),
        call.person_id,
        call.body.answer,
        call.control,
    )
    async with control.lock(call.session_id):
        poll = await call.read(lambda doc: polls.get(doc, poll_id))
        count = await control.change_board(
            call.session_id, PRIVATE, lambda doc: polls.answer(poll, doc, person_id, given)
        )
        await call.change(lambda doc: polls.record(doc, poll_id, count))
    return {"poll": poll_id, "answers": count}


@commands.post(
    POLL + "/close",
    "Close and publish results (facilitator)",
    access=roles(FACILITATOR),
    result=Poll,
)
async def close(call: Call[None]) -> Value:
    poll_id, control = call.path("poll_id"), call.control
    async with control.lock(call.session_id):
        poll = await call.read(lambda doc: polls.get(doc, poll_id))
        outcome = await control.read_board(
            call.session_id, PRIVATE, lambda doc: polls.results(poll, doc)
        )
        closed = await call.change(lambda doc: polls.close(doc, poll_id, outcome, call.now))
    told = {k: closed.get(k) for k in ("question", "kind", "answers", "results")}
    told["poll"] = poll_id
    await control.emit(call.session_id, POLL_CLOSED, f"{POLL_CLOSED}:{poll_id}", told)
    return closed
