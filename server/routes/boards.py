"""Boards beyond `main`: created and titled by a facilitator, optionally open to all."""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import boards

from ..access import FACILITATOR
from ..inputs import bool_field, json_body, required_text, text_field
from ..limits import too_many_boards
from ..problems import Problem
from .base import SESSION, Endpoints, answer, route


class Boards(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/boards", self.create, "POST"),
            route(SESSION + "/boards/{board}", self.change, "PATCH"),
        ]

    async def create(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        name = boards.check_name(required_text(body, "name", limit=64))
        title = text_field(body, "title", required=False, limit=200) or name
        open_to_all = bool_field(body, "open_to_all", default=False)
        control = await self.control(request)
        if name in await control.read(session_id, boards.listed):
            raise Problem(409, f"board {name!r} exists; PATCH it to change it")
        await make_room(self, session_id, [name])
        await self.store.sessions.add_board(session_id, name)
        info = await control.change(
            session_id, lambda doc: boards.add(doc, name, title=title, open_to_all=open_to_all)
        )
        return answer({"name": name, **info}, 201)

    async def change(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        name = request.path_params["board"]
        body = await json_body(request)
        title = text_field(body, "title", required=False, limit=200)
        open_to_all = bool_field(body, "open_to_all", default=None)
        control = await self.control(request)
        info = await control.change(
            session_id,
            lambda doc: boards.change(doc, name, title=title, open_to_all=open_to_all),
        )
        return answer({"name": name, **info})


async def make_room(endpoints: Endpoints, session_id: str, names: Collection[str]) -> None:
    """Refuse (409) boards that would take the session past `max_boards_per_session`.

    Checked before the boards are written, not in one transaction with them: two
    facilitators creating boards at the same instant may pass the limit by one each.
    """
    existing = await endpoints.store.sessions.list_boards(session_id)
    refusal = too_many_boards(existing, names, endpoints.settings.max_boards_per_session)
    if refusal is not None:
        raise Problem(409, refusal)
