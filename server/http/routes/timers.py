"""Timers: start, pause, resume, add or take away time, reset; session-wide or per room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pycrdt import Doc
from pydantic import BaseModel, Field

from rooms import timers
from rooms.control import Value

from ...facilitation.access import FACILITATOR
from ...facilitation.tokens import new_id
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text, whole

TIMER = SESSION + "/timers/{timer_id}"
Duration = Annotated[int, whole(1, timers.MAX_MS), Field(description="milliseconds")]
Delta = Annotated[int, whole(-timers.MAX_MS, timers.MAX_MS), Field(description="milliseconds")]
commands = Commands()
facilitator = roles(FACILITATOR)


class NewTimer(Body):
    duration_ms: Duration
    label: Annotated[str, text(120)] | None = None
    room: Annotated[str, text(64)] | None = Field(None, description="a breakout board")
    start: bool = True


class NewDuration(Body):
    duration_ms: Duration | None = None


class TimeChange(Body):
    delta_ms: Delta


class Timer(BaseModel):
    id: str
    label: str
    room: str | None
    state: Literal["idle", "running", "paused", "ended"]
    duration_ms: int = Field(description="milliseconds")
    remaining_ms: int = Field(description="milliseconds")
    ends_at: int | None = Field(description="server epoch milliseconds")
    ended_at: int | None = Field(None, description="server epoch milliseconds")
    since: int | None = Field(
        None,
        description="when it was last started or resumed (server epoch ms): the shown "
        "timer is the session-wide one with the greatest since",
    )


class Deleted(BaseModel):
    id: str
    deleted: bool


@commands.post(
    SESSION + "/timers",
    "Create a timer, running unless start is false; room: a breakout board (facilitator)",
    access=facilitator,
    body=NewTimer,
    result=Timer,
    status=201,
)
async def create(call: Call[NewTimer]) -> Value:
    body, timer_id = call.body, new_id()
    return await call.change(
        lambda doc: timers.create(
            doc,
            timer_id,
            body.duration_ms,
            call.now,
            label=body.label or "",
            room=body.room,
            running=body.start,
        )
    )


@commands.delete(TIMER, "Delete a timer (facilitator)", access=facilitator, result=Deleted)
async def delete(call: Call[None]) -> Value:
    timer_id = call.path("timer_id")
    await call.change(lambda doc: timers.delete(doc, timer_id))
    return {"id": timer_id, "deleted": True}


@commands.post(
    TIMER + "/start",
    "(Re)start from the full or a new duration (facilitator)",
    access=facilitator,
    body=NewDuration,
    optional_body=True,
    result=Timer,
)
async def start(call: Call[NewDuration]) -> Value:
    duration = call.body.duration_ms
    return await _transition(call, lambda t, now: timers.start(t, now, duration))


@commands.post(TIMER + "/pause", "Pause (facilitator)", access=facilitator, result=Timer)
async def pause(call: Call[None]) -> Value:
    return await _transition(call, timers.pause)


@commands.post(TIMER + "/resume", "Resume (facilitator)", access=facilitator, result=Timer)
async def resume(call: Call[None]) -> Value:
    return await _transition(call, timers.resume)


@commands.post(
    TIMER + "/adjust",
    "Add or take away time (facilitator)",
    access=facilitator,
    body=TimeChange,
    result=Timer,
)
async def adjust(call: Call[TimeChange]) -> Value:
    delta = call.body.delta_ms
    return await _transition(call, lambda t, now: timers.adjust(t, now, delta))


@commands.post(
    TIMER + "/reset",
    "Back to idle (facilitator)",
    access=facilitator,
    body=NewDuration,
    optional_body=True,
    result=Timer,
)
async def reset(call: Call[NewDuration]) -> Value:
    duration = call.body.duration_ms
    return await _transition(call, lambda t, now: timers.reset(t, duration))


async def _transition(call: Call[Any], transition: Callable[[Value, int], Value]) -> Value:
    timer_id = call.path("timer_id")

    def apply(doc: Doc[Any]) -> Value:
        return timers.update(doc, timer_id, lambda timer: transition(timer, call.now))

    return await call.change(apply)
