"""The agenda: set its items, move to the next one or to any one, optionally timed."""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import MaxLen
from pydantic import BaseModel, Field, StringConstraints

from rooms import agenda, timers
from rooms.control import Value
from rooms.template_format import MAX_STEPS, Step

from ...facilitation.access import FACILITATOR
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text, whole

commands = Commands()
facilitator = roles(FACILITATOR)


class AgendaItem(Body):
    title: Annotated[str, text(200)]
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        None, description="default: i1, i2, ... by position"
    )
    titles: dict[Literal["fi", "sv", "en"], str] | None = None
    duration_ms: Annotated[int, whole(0, timers.MAX_MS)] = 0
    board: Annotated[str, text(64)] | None = None
    instructions: Annotated[str, MaxLen(4000)] = ""
    instruction_texts: dict[Literal["fi", "sv", "en"], Annotated[str, MaxLen(4000)]] | None = None
    steps: Annotated[list[Step], MaxLen(MAX_STEPS)] = Field(
        default_factory=list,
        description="what the facilitator runs with one click when the item comes "
        "(docs/templates.md): POST .../agenda/{item_id}/steps/{index}/run",
    )


class NewAgenda(Body):
    items: Annotated[list[AgendaItem], MaxLen(agenda.MAX_ITEMS)]


class Agenda(BaseModel):
    items: list[AgendaItem]


class AgendaMove(Body):
    item: Annotated[str, text(64)] | None = Field(None, description="null: the agenda is done")
    start_timer: bool = True


class AgendaNext(Body):
    start_timer: bool = True


class Current(BaseModel):
    current: AgendaItem | None


@commands.put(
    SESSION + "/agenda",
    "Replace the agenda (facilitator)",
    access=facilitator,
    body=NewAgenda,
    result=Agenda,
)
async def replace(call: Call[NewAgenda]) -> Value:
    raw = [item.model_dump(exclude_unset=True) for item in call.body.items]
    return {"items": await call.change(lambda doc: agenda.replace(doc, raw))}


@commands.post(
    SESSION + "/agenda/next",
    "Move to the next item, starting its timer unless start_timer is false (facilitator)",
    access=facilitator,
    body=AgendaNext,
    optional_body=True,
    result=Current,
)
async def next_item(call: Call[AgendaNext]) -> Value:
    start_timer = call.body.start_timer
    current = await call.change(lambda doc: agenda.advance(doc, call.now, start_timer=start_timer))
    return {"current": current}


@commands.post(
    SESSION + "/agenda/current",
    "Go to an item (null: done) (facilitator)",
    access=facilitator,
    body=AgendaMove,
    result=Current,
)
async def go_to(call: Call[AgendaMove]) -> Value:
    item_id, start_timer = call.body.item, call.body.start_timer
    current = await call.change(
        lambda doc: agenda.go_to(doc, item_id, call.now, start_timer=start_timer)
    )
    return {"current": current}
