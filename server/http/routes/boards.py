"""Boards beyond `main`: created and titled by a facilitator, optionally open to all."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from pydantic import BaseModel, Field

from rooms import boards
from rooms.control import Value

from ...facilitation.access import FACILITATOR
from ...process.limits import too_many_boards
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text
from ..problems import Problem
from .base import Context

commands = Commands()


class NewBoard(Body):
    name: Annotated[str, text(64)]
    title: Annotated[str, text(200)] | None = None
    open_to_all: bool = False


class BoardChange(Body):
    title: Annotated[str, text(200)] | None = None
    open_to_all: bool | None = None
    locked: bool | None = Field(None, description="only facilitators write the board")
    positions_locked: bool | None = Field(None, description="no participant moves a note")
    locked_sections: Annotated[list[Annotated[str, text(200)]], Field(max_length=200)] | None = (
        Field(None, description="section ids whose notes only facilitators change")
    )


class Board(BaseModel):
    name: str
    title: str
    kind: str
    open_to_all: bool
    round: str | None = None
    locked: bool = False
    positions_locked: bool = False
    locked_sections: list[str] = []


@commands.post(
    SESSION + "/boards",
    "Create a board (facilitator)",
    access=roles(FACILITATOR),
    body=NewBoard,
    result=Board,
    status=201,
)
async def create(call: Call[NewBoard]) -> Value:
    name = boards.check_name(call.body.name)
    title, open_to_all = call.body.title or name, call.body.open_to_all
    if name in await call.read(boards.listed):
        raise Problem(409, f"board {name!r} exists; PATCH it to change it")
    await make_room(call.context, call.session_id, [name])
    await call.context.store.sessions.add_board(call.session_id, name)
    info = await call.change(
        lambda doc: boards.add(doc, name, title=title, open_to_all=open_to_all)
    )
    return {"name": name, **info}


@commands.patch(
    SESSION + "/boards/{board}",
    "Retitle a board, open it to all, or lock it, its notes' positions or sections (facilitator)",
    access=roles(FACILITATOR),
    body=BoardChange,
    result=Board,
)
async def change(call: Call[BoardChange]) -> Value:
    name, body = call.path("board"), call.body
    info = await call.change(
        lambda doc: boards.change(
            doc,
            name,
            title=body.title,
            open_to_all=body.open_to_all,
            locked=body.locked,
            positions_locked=body.positions_locked,
            locked_sections=body.locked_sections,
        )
    )
    return {"name": name, **info}


async def make_room(context: Context, session_id: str, names: Collection[str]) -> None:
    """Refuse (409) boards that would take the session past `max_boards_per_session`.

    Checked before the boards are written, not in one transaction with them: two
    facilitators creating boards at the same instant may pass the limit by one each.
    """
    existing = await context.store.sessions.list_boards(session_id)
    refusal = too_many_boards(existing, names, context.settings.max_boards_per_session)
    if refusal is not None:
        raise Problem(409, refusal)
