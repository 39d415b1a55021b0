"""The facilitator's overview of a round's rooms: who is in each and online, how busy it
is, its notes and a thumbnail of its board; calls for help first. Polled with an ETag.

The facts of each board come from its live copy in the hub (server/sync/stats.py keeps
them as updates are applied), never from reading the rooms' documents per request.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from rooms import rounds
from rooms.control import Value

from ...facilitation.access import FACILITATOR
from ...store.documents import document_key
from ..commands import Call, Commands, roles
from .breakouts import ROUND

commands = Commands()

Shape = list[int | str | None]


class Thumbnail(BaseModel):
    notes: list[Shape] = Field(description="[x, y, color] of each note, at most 200")
    sections: list[Shape] = Field(description="[x, y, w, h, color] of each section, at most 40")


class RoomFacts(BaseModel):
    id: str
    name: str
    board: str
    members: list[str]
    help_requested_at: int | None = None
    ends_at: int | None = None
    online: list[str] = Field(description="ids of the people on the room's board now")
    notes: int
    edits_last_minute: int
    last_edit_at: int | None = Field(description="server epoch ms of the last edit seen")
    thumbnail: Thumbnail
    outcome: list[str] | None = Field(
        None, description="closed rounds: the texts of the room's first notes, at most 12"
    )


class RoomsOverview(BaseModel):
    id: str
    number: int
    state: Literal["draft", "open", "closing", "closed"]
    ends_at: int | None = None
    closes_at: int | None = None
    closed_at: int | None = None
    rooms: list[RoomFacts] = Field(description="calls for help first, the oldest first")


@commands.get(
    ROUND + "/overview",
    "Every room of a round at once: presence, activity, notes, thumbnails; ETag (facilitator)",
    access=roles(FACILITATOR),
    result=RoomsOverview,
    etag=True,
)
async def overview(call: Call[None]) -> Value:
    round_id = call.path("round_id")
    value = await call.read(lambda doc: rounds.get(doc, round_id))
    hub = call.control.hub
    rooms: list[Value] = []
    closed = value["state"] == "closed"
    for room in value["rooms"]:
        facts = await hub.overview(document_key(call.session_id, room["board"]), closed)
        rooms.append(_room(room) | facts)
    rooms.sort(key=_help_first)
    return {
        "id": value["id"],
        "number": value["number"],
        "state": value["state"],
        "ends_at": value.get("ends_at"),
        "closes_at": value.get("closes_at"),
        "closed_at": value.get("closed_at"),
        "rooms": rooms,
    }


def _room(room: Value) -> Value:
    keys = ("id", "name", "board", "members", "help_requested_at", "ends_at")
    return {key: room.get(key) for key in keys}


def _help_first(room: Value) -> tuple[bool, Any]:
    """Rooms calling for help first, the longest waiting first; the others keep their order
    (the sort is stable)."""
    called = room["help_requested_at"]
    return called is None, called or 0
