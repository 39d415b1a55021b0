"""What every REST command shares: who is calling, the session's `Control`, and how a
refused command becomes problem JSON."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rooms.breakouts import AlreadyPlaced, BreakoutError, RoomFull
from rooms.errors import Conflict, NotFound, Refused

from ..access import Denied, authenticate
from ..config import Settings
from ..control import Control
from ..inputs import bearer
from ..limits import Rates
from ..problems import Problem
from ..store.base import Store
from ..store.sessions import Grant

SESSION = "/api/sessions/{session_id}"
Handler = Callable[[Request], Awaitable[Response]]


def refusals_as_problems(handler: Handler) -> Handler:
    """The one place where the domain's refusals meet HTTP: 404, 409 or 422."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except NotFound as refused:
            raise Problem(404, str(refused)) from refused
        except Conflict as refused:
            raise Problem(409, str(refused)) from refused
        except Refused as refused:
            raise Problem(422, str(refused)) from refused
        except (RoomFull, AlreadyPlaced) as error:
            raise Problem(409, str(error)) from error
        except BreakoutError as error:
            raise Problem(422, str(error)) from error

    return endpoint


def route(path: str, handler: Handler, method: str) -> Route:
    return Route(path, refusals_as_problems(handler), methods=[method])


def answer(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(value, status_code=status)


@dataclass(frozen=True)
class Context:
    store: Store
    settings: Settings
    control: Callable[[Request], Awaitable[Control]]
    rates: Rates


class Endpoints:
    def __init__(self, context: Context) -> None:
        self.store = context.store
        self.settings = context.settings
        self.control = context.control

    def routes(self) -> list[Route]:
        raise NotImplementedError

    async def caller(self, request: Request, *roles: str) -> tuple[str, Grant]:
        """The session of the path and the caller's grant in it, or the problem why not."""
        session_id = request.path_params["session_id"]
        try:
            grant = await authenticate(self.store.sessions, bearer(request), session_id)
        except Denied as denied:
            raise Problem(401, denied.reason) from denied
        if grant.role not in roles:
            raise Problem(403, f"this needs a {' or '.join(roles)} token")
        if await self.store.sessions.get_session(session_id) is None:
            raise Problem(404, "no such session")
        return session_id, grant

    async def person(self, request: Request, *roles: str) -> tuple[str, str]:
        """The session and the participant id of a caller who is a person in the roster."""
        session_id, grant = await self.caller(request, *roles)
        if not grant.subject:
            raise Problem(403, "only people who joined the session can do this")
        return session_id, grant.subject

    def base_url(self, request: Request) -> str:
        return (self.settings.public_url or str(request.base_url)).rstrip("/")
