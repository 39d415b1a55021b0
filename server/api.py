"""REST: sessions, joining, templates and the server clock, and the assembly of every
session command (server/routes/). Commands check the caller's token and leave the domain
rules to `rooms/`; their results land in the session's `control` document."""

from __future__ import annotations

import asyncio
import hmac
import re
import time
from functools import partial
from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import boards, notes, rounds, session, templates
from rooms.control import Value

from .access import BOT, FACILITATOR, JOIN, MAIN, OBSERVER, PARTICIPANT
from .config import Settings
from .control import Control
from .hub import Hub
from .inputs import bearer, json_body, required_text, text_field
from .limits import KeyedRate
from .problems import Problem
from .routes import agenda, breakouts, people, polls, summaries, timers, votes
from .routes import boards as board_routes
from .routes.base import SESSION, Context, Endpoints, answer, display_url, route
from .scheduler import now_ms
from .store.base import Grant, SessionRecord, Store
from .tokens import new_id, new_token, token_hash

TAG = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[^\s].{0,63}$")
DEFAULT_BOARDS = ("control", MAIN)


class Sessions(Endpoints):
    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.creations = KeyedRate(self.settings.sessions_per_hour_per_address)

    def routes(self) -> list[Route]:
        return [
            route("/api/sessions", self.create_session, "POST"),
            route(SESSION, self.get_session, "GET"),
            route(SESSION + "/participants", self.join_session, "POST"),
            route("/api/templates", self.list_templates, "GET"),
            route("/api/time", self.server_time, "GET"),
        ]

    async def create_session(self, request: Request) -> JSONResponse:
        key = self.settings.create_key
        if key is not None:
            given = bearer(request) or ""
            if not hmac.compare_digest(given.encode(), key.encode()):
                raise Problem(401, "creating a session needs the server's create key")
        wait = self.creations.retry_after(request.client.host if request.client else "")
        if wait:
            raise Problem(429, "too many sessions created from this address", retry_after=wait)
        body = await json_body(request)
        title = required_text(body, "title", limit=200)
        template_id = text_field(body, "template", required=False, limit=64)
        language = body.get("language", "fi")
        if language not in session.LANGUAGES:
            raise Problem(422, f"'language' is one of {', '.join(session.LANGUAGES)}")
        template = templates.load(template_id) if template_id else None
        record = SessionRecord(new_id(), title, template_id, time.time())
        tokens = {role: new_token() for role in (FACILITATOR, OBSERVER, BOT, JOIN)}
        grants = {token_hash(t): Grant(record.id, role) for role, t in tokens.items()}
        extra = templates.board_names(template) if template else []
        await self.store.create_session(record, grants, [*DEFAULT_BOARDS, *extra])
        await self._prepare(request, record, language, template)
        base = self.base_url(request)
        return JSONResponse(
            {
                "id": record.id,
                "title": record.title,
                "template": record.template,
                "language": language,
                "created_at": record.created_at,
                "facilitator_token": tokens[FACILITATOR],
                "observer_token": tokens[OBSERVER],
                "bot_token": tokens[BOT],
                "join_secret": tokens[JOIN],
                "facilitator_url": f"{base}/s/{record.id}#token={tokens[FACILITATOR]}",
                "participant_url": f"{base}/j/{record.id}#join={tokens[JOIN]}",
                "display_url": display_url(base, record.id, tokens[OBSERVER]),
                "ws_url": base.replace("http", "ws", 1) + f"/ws/{record.id}",
            },
            status_code=201,
        )

    async def _prepare(
        self,
        request: Request,
        record: SessionRecord,
        language: str,
        template: templates.Template | None,
    ) -> None:
        """Write the new session's control document: header, boards and the template."""
        control = await self.control(request)
        now = now_ms()

        def prepare(doc: Doc[Any]) -> None:
            session.start(
                doc, title=record.title, template=record.template, language=language, now=now
            )
            title = boards.MAIN_TITLES[language]
            boards.add(doc, MAIN, title=title, kind=boards.MAIN_KIND, open_to_all=True)
            if template is not None:
                templates.apply(doc, template, language)

        await control.change(record.id, prepare)
        if template is None:
            return
        for board in templates.board_names(template):
            laid_out = templates.sections(template, board, language)
            if laid_out:
                await control.change_board(
                    record.id, board, partial(notes.add_sections, sections=laid_out)
                )

    async def get_session(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        record = await self.store.get_session(session_id)
        assert record is not None
        return JSONResponse(
            {
                "id": record.id,
                "title": record.title,
                "template": record.template,
                "created_at": record.created_at,
                "boards": await self.store.list_boards(session_id),
            }
        )

    async def join_session(self, request: Request) -> JSONResponse:
        """Trade the participant link's join secret for a participant's own token, and
        take a place in the roster (and in the smallest room when a round is running)."""
        session_id, _ = await self.caller(request, JOIN)
        body = await json_body(request)
        name = required_text(body, "name", limit=80)
        tags = body.get("tags", [])
        if not isinstance(tags, list) or len(tags) > 20:
            raise Problem(422, "'tags' must be a list of at most 20 'key:value' strings")
        for tag in tags:
            if not isinstance(tag, str) or not TAG.match(tag):
                raise Problem(422, f"tag {tag!r} is not of the form 'key:value'")
        participant_id = new_id()
        token = new_token()
        await self.store.add_grant(
            token_hash(token), Grant(session_id, PARTICIPANT, participant_id)
        )
        control = await self.control(request)
        now = now_ms()

        def enter(doc: Doc[Any]) -> Value | None:
            session.join(doc, participant_id, name=name, tags=tags, now=now)
            return rounds.place_late_joiner(doc, participant_id, now)

        placed = await control.change(session_id, enter)
        return JSONResponse(
            {
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
        self.context = Context(store, settings, self.control)
        self._control: Control | None = None
        self._started: asyncio.Task[None] | None = None

    async def start(self, hub: Hub) -> Control:
        if self._control is None:
            self._control = Control(hub)
            self._started = asyncio.create_task(self._control.start())
        assert self._started is not None
        await asyncio.shield(self._started)
        return self._control

    async def close(self) -> None:
        if self._control is not None:
            await self._control.close()

    async def control(self, request: Request) -> Control:
        hub: Hub = request.app.state.hub
        return await self.start(hub)

    def routes(self) -> list[Route]:
        parts: list[type[Endpoints]] = [
            Sessions,
            people.People,
            board_routes.Boards,
            timers.Timers,
            agenda.Agenda,
            breakouts.Breakouts,
            votes.Votes,
            polls.Polls,
            summaries.Summaries,
        ]
        return [r for part in parts for r in part(self.context).routes()]
