"""An agenda item's steps, run with one click when the item comes: open a breakout round,
start the feedback polls, start a dot vote. Each step runs through the same code as the
REST command a facilitator would otherwise send (breakouts.py, polls.py, votes.py), so a
step is refused exactly when that command would be."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from rooms import agenda, session
from rooms.control import Value

from ...facilitation.access import FACILITATOR
from ..commands import SESSION, Call, Commands, roles
from ..problems import Problem
from . import breakouts, polls, votes

commands = Commands()


class StepRun(BaseModel):
    item: str
    index: int
    kind: Literal["breakout", "feedback_polls", "dot_vote"]
    round: str | None = Field(None, description="the breakout round opened")
    polls: list[str] = Field(default_factory=list, description="the polls started")
    vote: str | None = Field(None, description="the dot vote started")


@commands.post(
    SESSION + "/agenda/{item_id}/steps/{index}/run",
    "Run one step of an agenda item (index from 0): open its breakout round, start its "
    "feedback polls or its dot vote, as the breakouts, polls and votes commands do; 409 "
    "when it has run already (facilitator)",
    access=roles(FACILITATOR),
    result=StepRun,
)
async def run_step(call: Call[None]) -> Value:
    item_id = call.path("item_id")
    index = _index(call.path("index"))
    step = await call.change(lambda doc: agenda.claim_step(doc, item_id, index, call.now))
    try:
        done = await _run(call, step)
    except Exception:
        await call.change(lambda doc: agenda.release_step(doc, item_id, index))
        raise
    return {"item": item_id, "index": index, "kind": step["kind"], **done}


async def _run(call: Call[Any], step: Value) -> Value:
    kind = step["kind"]
    if kind == "breakout":
        size = {k: step[k] for k in ("group_size", "rooms", "key") if step.get(k) is not None}
        drafted = await breakouts.draft_round(
            call,
            breakouts.NewRound.model_validate(
                {"strategy": step["strategy"], "duration_ms": step["minutes"] * 60_000, **size}
            ),
        )
        opened = await breakouts.open_drafted(call, drafted["id"], None, None)
        return {"round": opened["id"]}
    if kind == "feedback_polls":
        opened_polls = [
            await polls.open_poll(call, polls.NewPoll.model_validate({"preset": preset}))
            for preset in step["presets"]
        ]
        return {"polls": [p["id"] for p in opened_polls]}
    language = await call.read(session.language)
    vote = await votes.open_vote(
        call,
        votes.NewVote.model_validate(
            {
                "title": step["titles"][language],
                "board": step["board"],
                "section": step.get("section"),
                "per_participant": step["per_participant"],
            }
        ),
    )
    return {"vote": vote["id"]}


def _index(text: str) -> int:
    if not text.isdigit() or len(text) > 3:
        raise Problem(404, "a step's index is a whole number from 0")
    return int(text)
