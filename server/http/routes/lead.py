"""The facilitator's "bring everyone to me" and "follow me": where everyone's view is led,
written into `control` (rooms/lead.py) so only a facilitator's token can move screens."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Interval
from pydantic import BaseModel, Field

from rooms import lead
from rooms.control import Value

from ...facilitation.access import FACILITATOR
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body

CENTRE = "world coordinates of the centre of the facilitator's view"
Coordinate = Annotated[
    float, Interval(ge=-lead.MAX_COORDINATE, le=lead.MAX_COORDINATE), Field(description=CENTRE)
]
commands = Commands()
facilitator = roles(FACILITATOR)


class Leading(Body):
    mode: Literal["follow", "bring"]
    board: str = Field(description="a listed board")
    x: Coordinate
    y: Coordinate
    zoom: Annotated[float, Interval(ge=lead.MIN_ZOOM, le=lead.MAX_ZOOM)]


class Lead(BaseModel):
    mode: Literal["follow", "bring"] | None
    board: str | None
    x: float
    y: float
    zoom: float
    by: str | None = Field(description="facilitator id, or 'facilitator'")
    at: int | None = Field(description="server epoch milliseconds")


@commands.post(
    SESSION + "/lead",
    "Bring everyone to a board and view once, or have them follow it (facilitator)",
    access=facilitator,
    body=Leading,
    result=Lead,
)
async def start(call: Call[Leading]) -> Value:
    body, by = call.body, _by(call)
    return await call.change(
        lambda doc: lead.start(
            doc,
            mode=body.mode,
            board=body.board,
            x=body.x,
            y=body.y,
            zoom=body.zoom,
            by=by,
            now=call.now,
        )
    )


@commands.delete(
    SESSION + "/lead", "Stop leading everyone's view (facilitator)", access=facilitator, result=Lead
)
async def stop(call: Call[None]) -> Value:
    by = _by(call)
    return await call.change(lambda doc: lead.stop(doc, by=by, now=call.now))


def _by(call: Call[Any]) -> str:
    """Who leads: a co-facilitator's id, or the session's own facilitator token."""
    return call.grant.subject if call.grant and call.grant.subject else FACILITATOR
