"""REST: sessions (create, change, end), joining by link or by code, templates and the
server clock, and the assembly of every session command (server/routes/). Commands check
the caller's token and leave the domain rules to `rooms/`; their results land in the
session's `control` document. What creating a session writes is server/sessions.py."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import rounds, session, templates
from rooms.control import Value
from rooms.events import SESSION_ENDED

from .access import FACILITATOR, JOIN, PARTICIPANT
from .config import Settings
from .control import Control
from .hub import Hub
from .inputs import (
    bearer,
    bool_field,
    client_address,
    json_body,
    one_of,
    required_text,
    text_field,
)
from .limits import Rates
from .problems import Problem
from .retention import Retention
from .routes import (
    agenda,
    breakouts,
    exports,
    lead,
    people,
    polls,
    summaries,
    summary,
    timers,
    votes,
    webhooks,
)
from .routes import boards as board_routes
from .routes.base import SESSION, Context, Endpoints, answer, route
from .scheduler import Scheduler, now_ms
from .sessions import JOIN_CODE_TRIES, SessionCreator, describe
from .store.base import Store
from .store.sessions import CodeTaken, Grant
from .tokens import (
    join_url,
    new_id,
    new_join_code,
    new_token,
    normal_join_code,
    participant_url,
    shown_join_code,
    token_hash,
)
from .webhooks.outbox import Outbox

TAG = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[^\s].{0,63}$")


class Sessions(Endpoints):
    def __init__(self, context: Context, creator: SessionCreator) -> None:
        super().__init__(context)
        self.creator = creator
        rates = context.rates
        self.lookups = rates.keyed(
            "join-code-lookups", self.settings.join_code_lookups_per_hour_per_address
        )
        self.joins = rates.keyed("joins", self.settings.joins_per_minute_per_session, period=60)

    def routes(self) -> list[Route]:
        return [
            route("/api/sessions", self.create_session, "POST"),
            route(SESSION, self.get_session, "GET"),
            route(SESSION, self.change_session, "PATCH"),
            route(SESSION + "/end", self.end_session, "POST"),
            route(SESSION + "/participants", self.join_session, "POST"),
            route(SESSION + "/links/rotate", self.rotate_links, "POST"),
            route("/api/join/{code}", self.find_by_code, "GET"),
            route("/api/join/{code}", self.join_by_code, "POST"),
            route("/api/templates", self.list_templates, "GET"),
            route("/api/time", self.server_time, "GET"),
        ]

    async def create_session(self, request: Request) -> JSONResponse:
        self.creator.admit(bearer(request), client_address(request))
        body = await json_body(request)
        title = required_text(body, "title", limit=200)
        template_id = text_field(body, "template", required=False, limit=64)
        language = one_of(body.get("language", "fi"), "language", session.LANGUAGES)
        control = await self.control(request)
        new = await self.creator.create(control, title, template_id, language)
        return JSONResponse(new.answer(self.base_url(request), language), status_code=201)

    async def get_session(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        record = await self.store.sessions.get_session(session_id)
        if record is None:  # deleted since the caller's check
            raise Problem(404, "no such session")
        control = await self.control(request)
        header = await control.read(session_id, session.header)
        return JSONResponse(
            {
                **describe(self.base_url(request), record),
                "title": header.get("title", record.title),
                "language": header.get("language"),
                "summary_names": header.get("summary_names", False),
                "ended_at": header.get("ended_at"),
                "boards": await self.store.sessions.list_boards(session_id),
            }
        )

    async def change_session(self, request: Request) -> JSONResponse:
        """Rename the session, or allow (or stop) names in its generated summary."""
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        title = text_field(body, "title", required=False, limit=200)
        names = bool_field(body, "summary_names", default=None)
        control = await self.control(request)
        changed = await control.change(
            session_id, lambda doc: session.change(doc, title=title, summary_names=names)
        )
        return answer(changed)

    async def end_session(self, request: Request) -> JSONResponse:
        """The facilitator closes the workshop: `session.ended` goes to the webhooks (with
        the summary). Boards stay readable and editable; ending is a milestone, not a lock."""
        session_id, _ = await self.caller(request, FACILITATOR)
        now = now_ms()
        control = await self.control(request)
        ended_at = await control.change(session_id, lambda doc: session.end(doc, now))
        await control.emit(
            session_id, SESSION_ENDED, f"{SESSION_ENDED}:{ended_at}", {"ended_at": ended_at}
        )
        return answer({"ended_at": ended_at})

    async def join_session(self, request: Request) -> JSONResponse:
        """Trade the participant link's join secret for a participant's own token."""
        session_id, _ = await self.caller(request, JOIN)
        return await self._enter(request, session_id)

    async def find_by_code(self, request: Request) -> JSONResponse:
        """What a join-code page shows before asking for a name."""
        session_id = await self._session_of_code(request)
        control = await self.control(request)
        header = await control.read(session_id, session.header)
        return answer(
            {
                "session_id": session_id,
                "title": header.get("title"),
                "language": header.get("language"),
            }
        )

    async def join_by_code(self, request: Request) -> JSONResponse:
        """Join with the code read off the Lab screen instead of the participant link."""
        return await self._enter(request, await self._session_of_code(request))

    async def _session_of_code(self, request: Request) -> str:
        wait = self.lookups.retry_after(client_address(request))
        if wait:
            raise Problem(429, "too many join codes tried from this address", retry_after=wait)
        code = normal_join_code(request.path_params["code"])
        session_id = await self.store.sessions.find_join_code(code) if code else None
        if session_id is None:
            raise Problem(404, "no session has this join code")
        return session_id

    async def rotate_links(self, request: Request) -> JSONResponse:
        """A new participant link and join code; the old ones stop working at once, so a
        removed person cannot simply join again. People already in keep their tokens."""
        session_id, _ = await self.caller(request, FACILITATOR)
        secret = new_token()
        for _ in range(JOIN_CODE_TRIES):
            code = new_join_code()
            try:
                await self.store.sessions.rotate_join(
                    token_hash(secret), Grant(session_id, JOIN), code
                )
            except CodeTaken:
                continue
            break
        else:
            raise Problem(503, "no free join code; try again", retry_after=1)
        shown = shown_join_code(code)
        control = await self.control(request)
        await control.change(session_id, lambda doc: session.set_join_code(doc, shown))
        base = self.base_url(request)
        return answer(
            {
                "join_secret": secret,
                "participant_url": participant_url(base, session_id, secret),
                "join_code": shown,
                "join_url": join_url(base, code),
            }
        )

    async def _enter(self, request: Request, session_id: str) -> JSONResponse:
        """Mint a participant's own token and take a place in the roster (and in the
        smallest room when a round is running), within the joins a session may take per
        minute and the people its roster may hold."""
        wait = self.joins.retry_after(session_id)
        if wait:
            raise Problem(429, "too many people joined this session just now", retry_after=wait)
        body = await json_body(request)
        name = required_text(body, "name", limit=80)
        tags = body.get("tags", [])
        if not isinstance(tags, list) or len(tags) > 20:
            raise Problem(422, "'tags' must be a list of at most 20 'key:value' strings")
        for tag in tags:
            if not isinstance(tag, str) or not TAG.match(tag):
                raise Problem(422, f"tag {tag!r} is not of the form 'key:value'")
        control = await self.control(request)
        most = self.settings.max_participants_per_session
        full = f"this session holds at most {most} people"
        # Checked before a token is minted, and again in the change that takes the place.
        if len(await control.read(session_id, session.roster)) >= most:
            raise Problem(409, full)
        participant_id = new_id()
        token = new_token()
        await self.store.sessions.add_grant(
            token_hash(token), Grant(session_id, PARTICIPANT, participant_id)
        )
        now = now_ms()

        def enter(doc: Doc[Any]) -> Value | None:
            if len(session.roster(doc)) >= most:
                raise Problem(409, full)
            session.join(doc, participant_id, name=name, tags=tags, now=now)
            return rounds.place_late_joiner(doc, participant_id, now)

        placed = await control.change(session_id, enter)
        return JSONResponse(
            {
                "session_id": session_id,
                "participant_id": participant_id,
                "name": name,
                "tags": tags,
                "token": token,
                "room": placed["board"] if placed else None,
            },
            status_code=201,
        )

    async def list_templates(self, request: Request) -> JSONResponse:
        listed = []
        for template_id in templates.names():
            template = templates.load(template_id)
            listed.append(
                {
                    "id": template.id,
                    "titles": template.titles,
                    "descriptions": template.descriptions,
                    "boards": templates.board_names(template),
                    "agenda_items": len(template.agenda),
                }
            )
        return answer(listed)

    async def server_time(self, request: Request) -> JSONResponse:
        """Clients measure their clock offset against this to show timers correctly."""
        return JSONResponse({"now": now_ms()})


class Api:
    """Every REST route, and the `Control` (with its scheduler) that commands write through.

    The app's lifespan calls `start`, so that deadlines fire after a restart before any
    request arrives.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        rates = Rates(store.counts)  # in one place: per process, or per deployment
        self.context = Context(store, settings, self.control, rates)
        self.creator = SessionCreator(store.sessions, settings, rates)
        self.outbox = Outbox(store.webhooks, store.sessions, settings)
        self.retention = Retention(store.sessions, settings)
        self._control: Control | None = None
        self._started: asyncio.Task[None] | None = None

    async def start(self, hub: Hub) -> Control:
        if self._control is None:
            self._control = Control(hub, self.context.store.sessions)
            self._started = asyncio.create_task(self._control.start())
            self.outbox.start(self._control)
            self.retention.start(self._control)
        assert self._started is not None
        await asyncio.shield(self._started)
        return self._control

    @property
    def scheduler(self) -> Scheduler | None:
        return None if self._control is None else self._control.scheduler

    async def close(self) -> None:
        await self.outbox.close()
        await self.retention.close()
        if self._control is not None:
            await self._control.close()

    async def control(self, request: Request) -> Control:
        hub: Hub = request.app.state.hub
        return await self.start(hub)

    def routes(self) -> list[Route]:
        sessions = Sessions(self.context, self.creator)
        parts: list[type[Endpoints]] = [
            people.People,
            board_routes.Boards,
            timers.Timers,
            agenda.Agenda,
            breakouts.Breakouts,
            votes.Votes,
            polls.Polls,
            summaries.Summaries,
            summary.Summary,
            lead.Lead,
        ]
        hooks = webhooks.Webhooks(self.context, self.outbox)
        data = exports.Exports(self.context, self.creator, self.retention)
        return [
            *sessions.routes(),
            *data.routes(),
            *(r for part in parts for r in part(self.context).routes()),
            *hooks.routes(),
        ]
