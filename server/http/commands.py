"""A REST command, declared once: its path, method, who may call it, a typed body and a typed
result, and its status codes. The Starlette route, the body's validation, the access check
and the OpenAPI document (server/http/openapi.py) are all derived from that one declaration, so
they cannot disagree.

A handler holds only its domain call: the framework here checks the caller, reads and
validates the body and the query, fetches the session's `Control`, turns the domain's
refusals into problem JSON and answers with the declared status.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pycrdt import Doc
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rooms.breakouts import AlreadyPlaced, BreakoutError, RoomFull
from rooms.errors import Conflict, NotFound, Refused

from ..facilitation.access import Denied, authenticate
from ..facilitation.tokens import normal_join_code, token_hash
from ..process.scheduler import now_ms
from ..store.programmes import ProgrammeMissing
from ..store.sessions import Grant
from .inputs import MAX_BODY_BYTES, bearer, client_address, json_body, raw_json_body, validated
from .problems import Problem

if TYPE_CHECKING:
    from ..facilitation.authority import Control
    from ..process.config import Settings
    from .routes.base import Context

SESSION = "/api/sessions/{session_id}"
B = TypeVar("B")
T = TypeVar("T")
Q = TypeVar("Q", bound=BaseModel)
BODY_PROBLEMS = (400, 413, 415, 422)
BEARER: dict[str, list[str]] = {"bearer": []}
REFUSALS = (404, 409, 422)  # what the domain's refusals become (`_as_problem`)


class Call(Generic[B]):
    """One request to a command, after its access check and validation: who is calling,
    the validated body, and the session's `Control`."""

    def __init__(self, request: Request, context: Context) -> None:
        self.request = request
        self.context = context
        self.now = now_ms()
        self.session_id = ""
        self.grant: Grant | None = None
        self.programme: ProgrammeCaller | None = None
        self.body: B = None  # type: ignore[assignment]  # set before the handler runs
        self.body_limit = MAX_BODY_BYTES
        self._query: BaseModel | None = None
        self._control: Control | None = None

    @property
    def control(self) -> Control:
        assert self._control is not None
        return self._control

    @property
    def role(self) -> str:
        assert self.grant is not None
        return self.grant.role

    @property
    def person_id(self) -> str:
        """The caller's id in the roster (commands declared with `person=True` have one)."""
        assert self.grant is not None and self.grant.subject
        return self.grant.subject

    async def raw_body(self) -> bytes:
        """The JSON body's bytes, unparsed, for a command declared with `parse_body=False`
        (an import parses and validates its own in a worker process)."""
        return await raw_json_body(self.request, limit=self.body_limit)

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, model: type[Q]) -> Q:
        """The validated query of a command declared with `query=model`."""
        assert isinstance(self._query, model)
        return self._query

    async def change(self, fn: Callable[[Doc[Any]], T]) -> T:
        """Run `fn` on the session's `control` document (Control.change)."""
        return await self.control.change(self.session_id, fn)

    async def read(self, fn: Callable[[Doc[Any]], T]) -> T:
        return await self.control.read(self.session_id, fn)

    def base_url(self) -> str:
        public = self.context.settings.public_url
        return (public or str(self.request.base_url)).rstrip("/")


class Access(Protocol):
    """Who may call a command: checked before the body is read."""

    problems: tuple[int, ...]
    security: tuple[dict[str, list[str]], ...]  # OpenAPI security requirements, () for none

    async def admit(self, call: Call[Any]) -> None: ...


@dataclass(frozen=True)
class Anyone:
    problems: tuple[int, ...] = ()
    security: tuple[dict[str, list[str]], ...] = ()

    async def admit(self, call: Call[Any]) -> None:
        return None


@dataclass(frozen=True)
class Roles:
    """A token of one of `roles` in the session of the path; with `person`, the token of
    someone in the roster (not the shared facilitator or bot token)."""

    roles: tuple[str, ...]
    person: bool = False
    problems: tuple[int, ...] = (401, 403, 404)
    security: tuple[dict[str, list[str]], ...] = (BEARER,)

    async def admit(self, call: Call[Any]) -> None:
        session_id = call.path("session_id")
        store = call.context.store
        try:
            grant = await authenticate(store.sessions, bearer(call.request), session_id)
        except Denied as denied:
            raise Problem(401, denied.reason) from denied
        if grant.role not in self.roles:
            raise Problem(403, f"this needs a {' or '.join(self.roles)} token")
        if await store.sessions.get_session(session_id) is None:
            raise Problem(404, "no such session")
        if self.person and not grant.subject:
            raise Problem(403, "only people who joined the session can do this")
        call.session_id, call.grant = session_id, grant


def roles(*names: str, person: bool = False) -> Roles:
    return Roles(names, person)


@dataclass(frozen=True)
class ProgrammeCaller:
    """Who calls a programme command: the programme's value as it was read, the member
    ("" for the programme's creator) and whether they organise it."""

    id: str
    data: dict[str, Any]
    member: str
    organiser: bool


@dataclass(frozen=True)
class InProgramme:
    """A token of the programme in the path: an organiser's, or (not `organisers_only`)
    any member's personal token."""

    organisers_only: bool = True
    problems: tuple[int, ...] = (401, 403, 404)
    security: tuple[dict[str, list[str]], ...] = (BEARER,)

    async def admit(self, call: Call[Any]) -> None:
        programme_id = call.path("programme_id")
        store = call.context.store.programmes
        token = bearer(call.request)
        grant = await store.find_programme_grant(token_hash(token)) if token else None
        if grant is None or grant.programme_id != programme_id:
            raise Problem(401, "this needs a token of this programme")
        data = await store.get_programme(programme_id)
        if data is None:
            raise Problem(404, "no such programme")
        role = data["members"].get(grant.member, {}).get("role") if grant.member else "organiser"
        if role is None:
            raise Problem(401, "this member has left the programme")
        organiser = role == "organiser"
        if self.organisers_only and not organiser:
            raise Problem(403, "only the programme's organisers can do this")
        call.programme = ProgrammeCaller(programme_id, data, grant.member, organiser)


organisers = InProgramme(True)
members = InProgramme(False)


@dataclass(frozen=True)
class CreateKey:
    """Creating a session, or importing one, needs the server's create key when it sets
    one, and stays within the creations allowed per client address."""

    problems: tuple[int, ...] = (401, 429)
    security: tuple[dict[str, list[str]], ...] = ({}, BEARER)  # the key, when a server sets one

    async def admit(self, call: Call[Any]) -> None:
        call.context.creator.admit(bearer(call.request), client_address(call.request))


@dataclass(frozen=True)
class JoinCode:
    """The session of the join code in the path; lookups are limited per address."""

    problems: tuple[int, ...] = (404, 429)
    security: tuple[dict[str, list[str]], ...] = ()

    async def admit(self, call: Call[Any]) -> None:
        wait = call.context.lookups.retry_after(client_address(call.request))
        if wait:
            raise Problem(429, "too many join codes tried from this address", retry_after=wait)
        code = normal_join_code(call.path("code"))
        session_id = await call.context.store.sessions.find_join_code(code) if code else None
        if session_id is None:
            raise Problem(404, "no session has this join code")
        call.session_id = session_id


Handler = Callable[[Call[Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Command:
    """One REST command. `result` is the type of a JSON answer (None: no content, or only
    the `media` types); a handler may return a Response for a non-JSON answer."""

    method: str
    path: str
    summary: str
    access: Access
    handler: Handler
    body: type[BaseModel] | None = None
    optional_body: bool = False
    body_limit: int | Callable[[Settings], int] = MAX_BODY_BYTES  # bytes, or a setting's
    parse_body: bool = True  # False: the handler validates `await call.raw_body()` itself
    query: type[BaseModel] | None = None
    result: Any = None
    status: int = 200
    also: tuple[int, ...] = ()  # other statuses answered with `result`, e.g. 503
    media: tuple[str, ...] = ()
    refusals: tuple[int, ...] = REFUSALS
    limits: tuple[int, ...] = ()  # problems of limits its handler holds, e.g. 429 of a rate
    etag: bool = False  # answers 304 with no body when If-None-Match names its current ETag

    @property
    def problems(self) -> list[int]:
        """Every problem status this command can answer with."""
        codes = {*self.access.problems, *self.refusals, *self.limits}
        if self.body is not None:
            codes |= set(BODY_PROBLEMS)
        if self.query is not None:
            codes.add(422)
        return sorted(codes)

    def route(self, context: Context) -> Route:
        async def endpoint(request: Request) -> Response:
            call: Call[Any] = Call(request, context)
            await self.access.admit(call)
            if self.query is not None:
                call._query = validated(self.query, dict(request.query_params))
            if self.body is not None:
                limit = self.body_limit
                call.body_limit = limit if isinstance(limit, int) else limit(context.settings)
                if self.parse_body:
                    raw = await json_body(
                        request, optional=self.optional_body, limit=call.body_limit
                    )
                    call.body = validated(self.body, raw)
            call._control = await context.control(request)
            try:
                answer = await self.handler(call)
            except _REFUSALS as refusal:
                raise _as_problem(refusal) from refusal
            if isinstance(answer, Response):
                return answer
            if self.result is None:
                return Response(status_code=self.status)
            if self.etag:
                return tagged(request, answer, self.status)
            return JSONResponse(answer, status_code=self.status)

        return Route(self.path, endpoint, methods=[self.method], name=self.handler.__name__)


def tagged(request: Request, answer: Any, status: int) -> Response:
    """The answer with an ETag of its bytes, or 304 with none when the caller has them:
    a client that polls is sent only what changed."""
    response = JSONResponse(answer, status_code=status)
    etag = '"' + hashlib.blake2b(response.body, digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    asked = request.headers.get("if-none-match", "")
    if etag in (tag.strip().removeprefix("W/") for tag in asked.split(",")):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


# The one place where the domain's refusals meet HTTP, in this order (a NotFound is also a
# Refused): 404, 409 or 422.
_REFUSAL_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (Refused, 422),
    (RoomFull, 409),
    (AlreadyPlaced, 409),
    (BreakoutError, 422),
    (ProgrammeMissing, 404),
)
_REFUSALS = tuple(kind for kind, _ in _REFUSAL_STATUS)


def _as_problem(refusal: Exception) -> Problem:
    status = next(status for kind, status in _REFUSAL_STATUS if isinstance(refusal, kind))
    return Problem(status, str(refusal))


@dataclass
class Commands:
    """The commands of one module, declared with the decorators below."""

    declared: list[Command] = field(default_factory=list)

    def __iter__(self) -> Iterator[Command]:
        return iter(self.declared)

    def declare(
        self, method: str, path: str, summary: str, *, access: Access, **shape: Any
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.declared.append(Command(method, path, summary, access, handler, **shape))
            return handler

        return register

    def get(self, path: str, summary: str, **shape: Any) -> Callable[[Handler], Handler]:
        return self.declare("GET", path, summary, **shape)

    def post(self, path: str, summary: str, **shape: Any) -> Callable[[Handler], Handler]:
        return self.declare("POST", path, summary, **shape)

    def put(self, path: str, summary: str, **shape: Any) -> Callable[[Handler], Handler]:
        return self.declare("PUT", path, summary, **shape)

    def patch(self, path: str, summary: str, **shape: Any) -> Callable[[Handler], Handler]:
        return self.declare("PATCH", path, summary, **shape)

    def delete(self, path: str, summary: str, **shape: Any) -> Callable[[Handler], Handler]:
        return self.declare("DELETE", path, summary, **shape)
