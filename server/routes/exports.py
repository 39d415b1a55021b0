"""Whole sessions in and out: export (JSON that an import recreates, Markdown, a CSV of the
notes), import as a new session, and deletion for good.

The JSON export carries every board as its full Yjs state, read through the hub so edits
not yet stored are in it, and the server-only ballots, so open votes and polls go on
after an import. The ballots name who gave which dot and answer, anonymous ones too, so
only a facilitator gets the JSON; a bot or the Lab display may take the Markdown and the
CSV, which tell only what the boards and revealed results show. An import is a new
session: new id, new tokens, a new join code; nothing of the exported session's secrets
is reused.
"""

from __future__ import annotations

import asyncio
import base64

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rooms import exports, session

from .. import importing
from ..access import BOT, CONTROL, FACILITATOR, MAIN, OBSERVER
from ..control import PRIVATE, Control
from ..importing import FORMAT, VERSION, ImportLimits
from ..inputs import bearer, client_address, one_of, raw_json_body
from ..problems import Problem
from ..protocol import EMPTY_UPDATE
from ..retention import Retention
from ..scheduler import now_ms
from ..sessions import SessionCreator
from ..tokens import shown_join_code
from .base import SESSION, Context, Endpoints, route
from .summary import MARKDOWN

FORMATS = ("json", "markdown", "csv")
CSV = "text/csv; charset=utf-8"
FAILED_IMPORT = "failed import"
IMPORTS_AT_ONCE = 2


class Exports(Endpoints):
    def __init__(self, context: Context, creator: SessionCreator, retention: Retention) -> None:
        super().__init__(context)
        self.creator = creator
        self.retention = retention
        self._importing = 0  # imports in flight, each with a worker process

    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/export", self.export, "GET"),
            route("/api/sessions/import", self.import_session, "POST"),
            route(SESSION, self.delete, "DELETE"),
        ]

    async def export(self, request: Request) -> Response:
        session_id, grant = await self.caller(request, FACILITATOR, BOT, OBSERVER)
        form = one_of(request.query_params.get("format", "json"), "format", FORMATS)
        if form == "json" and grant.role != FACILITATOR:
            raise Problem(403, "the JSON export holds every ballot: it needs a facilitator token")
        control = await self.control(request)
        if form == "markdown":
            made = await control.summary_markdown(session_id)
            return Response(made, media_type=MARKDOWN, headers=attachment(session_id, "md"))
        states = await self._states(control, session_id)
        if form == "csv":
            notes = {n: s for n, s in states.items() if n != CONTROL}
            # ~0.3 s per 5000 notes, so off the event loop
            made = await asyncio.to_thread(exports.notes_csv, states[CONTROL], notes)
            return Response(made, media_type=CSV, headers=attachment(session_id, "csv"))
        ballots = await control.state(session_id, PRIVATE)
        if ballots != EMPTY_UPDATE:
            states[PRIVATE] = ballots
        record = await self.store.sessions.get_session(session_id)
        if record is None:  # deleted while the boards were read
            raise Problem(404, "no such session")
        header = await control.read(session_id, session.header)
        exported = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": now_ms(),
            "session": {
                "id": record.id,
                "title": header.get("title", record.title),
                "template": record.template,
                "language": header.get("language"),
                "created_at": record.created_at,
                "ended_at": header.get("ended_at"),
            },
            "boards": {n: base64.b64encode(s).decode("ascii") for n, s in states.items()},
        }
        return JSONResponse(exported, headers=attachment(session_id, "json"))

    async def _states(self, control: Control, session_id: str) -> dict[str, bytes]:
        """Every board of the session (control included) as one Yjs update each."""
        return {
            name: await control.state(session_id, name)
            for name in await self.store.sessions.list_boards(session_id)
        }

    async def import_session(self, request: Request) -> JSONResponse:
        """A JSON export becomes a new session: checked whole before anything is written.

        Counted as a session creation and bounded in bytes and boards. The body is
        parsed and decoded in a worker process (server/importing.py), and the boards go
        to the store as they are, never applied here: an import stalls no other request."""
        self.creator.admit(bearer(request), client_address(request))
        if self._importing >= IMPORTS_AT_ONCE:
            raise Problem(503, "other imports are running; try again", retry_after=5)
        self._importing += 1
        try:
            return await self._import(request)
        finally:
            self._importing -= 1

    async def _import(self, request: Request) -> JSONResponse:
        raw = await raw_json_body(request, limit=self.settings.max_import_bytes)
        settings = self.settings
        limits = ImportLimits(
            max_import_boards=settings.max_import_boards,
            max_boards_per_session=settings.max_boards_per_session,
            max_board_bytes=settings.max_board_bytes,
            max_notes_per_board=settings.max_notes_per_board,
        )
        async with importing.worker() as run:
            export = await run(importing.read_export, raw, limits)
            del raw
            states = export.states
            names = [CONTROL, MAIN, *(n for n in states if n not in (CONTROL, MAIN, PRIVATE))]
            new = await self.creator.store_session(export.title, export.template, names)
            record = new.record
            control = await self.control(request)
            code = shown_join_code(str(record.settings["join_code"]))
            try:
                restored, language, deadline = await run(
                    exports.restored_control, states[CONTROL], code
                )
                boards = {n: s for n, s in states.items() if s != EMPTY_UPDATE}
                await control.install(record.id, boards | {CONTROL: restored}, deadline)
            except Exception:
                await self.retention.delete(record.id, FAILED_IMPORT)
                raise
        return JSONResponse(new.answer(self.base_url(request), language), status_code=201)

    async def delete(self, request: Request) -> Response:
        session_id, _ = await self.caller(request, FACILITATOR)
        await self.control(request)  # started, so that the deletion reaches the hub
        await self.retention.delete(session_id, FACILITATOR)
        return Response(status_code=204)


def attachment(session_id: str, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="paja-{session_id}.{extension}"'}
