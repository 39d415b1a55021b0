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
from functools import partial
from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rooms import boards, exports, session
from rooms.control import Value, from_state
from rooms.errors import Invalid

from ..access import BOT, CONTROL, FACILITATOR, MAIN, OBSERVER
from ..control import PRIVATE, Control
from ..inputs import bearer, client_address, json_body, one_of, required_text, text_field
from ..nesting import Nesting, TooDeep
from ..problems import Problem
from ..protocol import EMPTY_UPDATE
from ..retention import Retention
from ..scheduler import now_ms
from ..sessions import SessionCreator
from ..tokens import shown_join_code
from .base import SESSION, Context, Endpoints, route
from .summary import MARKDOWN

FORMAT = "paja-session"
VERSION = 1
FORMATS = ("json", "markdown", "csv")
IMPORT_MAX_BYTES = 32 * 1024 * 1024
CSV = "text/csv; charset=utf-8"
FAILED_IMPORT = "failed import"


class Exports(Endpoints):
    def __init__(self, context: Context, creator: SessionCreator, retention: Retention) -> None:
        super().__init__(context)
        self.creator = creator
        self.retention = retention

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
        """A JSON export becomes a new session: checked whole before anything is written."""
        self.creator.admit(bearer(request), client_address(request))
        body = await json_body(request, limit=IMPORT_MAX_BYTES)
        # Up to 32 MiB of base64 and Yjs to decode: off the event loop.
        title, template, states = await asyncio.to_thread(self._checked, body)
        names = [CONTROL, MAIN, *(n for n in states if n not in (CONTROL, MAIN, PRIVATE))]
        new = await self.creator.store_session(title, template, names)
        record = new.record
        control = await self.control(request)
        code = shown_join_code(str(record.settings["join_code"]))
        try:
            for name, state in states.items():
                if name != CONTROL and state != EMPTY_UPDATE:
                    await control.change_board(record.id, name, partial(_apply, state=state))
            language = await control.change(
                record.id, lambda doc: exports.restore_control(doc, states[CONTROL], code)
            )
        except Exception:
            await self.retention.delete(record.id, FAILED_IMPORT)
            raise
        return JSONResponse(new.answer(self.base_url(request), language), status_code=201)

    def _checked(self, body: Value) -> tuple[str, str | None, dict[str, bytes]]:
        """The title, template and decoded board states of an export, or the problem why
        it cannot be imported. Runs in a worker thread: every Doc it makes stays there."""
        if body.get("format") != FORMAT or body.get("version") != VERSION:
            raise Problem(422, f"not a session export ('format': {FORMAT!r}, 'version': 1)")
        header = body.get("session")
        if not isinstance(header, dict):
            raise Problem(422, "'session' must be an object with the session's title")
        title = required_text(header, "title", limit=200)
        template = text_field(header, "template", required=False, limit=64)
        encoded = body.get("boards")
        if not isinstance(encoded, dict) or CONTROL not in encoded:
            raise Problem(422, "'boards' must be an object holding at least 'control'")
        if len(encoded.keys() - {CONTROL, PRIVATE}) > self.settings.max_boards_per_session:
            raise Problem(
                422, f"a session has at most {self.settings.max_boards_per_session} boards"
            )
        return (
            title,
            template,
            {name: self._decoded(name, state) for name, state in encoded.items()},
        )

    def _decoded(self, name: str, encoded: Any) -> bytes:
        """One board's state, decoded once: as base64, then as Yjs (and `control` read as
        the server reads it)."""
        shown = repr(name[:64])
        if name not in (CONTROL, PRIVATE):
            try:
                boards.check_name(name)
            except Invalid as invalid:
                raise Problem(422, f"board {shown}: {invalid}") from invalid
        if not isinstance(encoded, str):
            raise Problem(422, f"board {shown} must be a base64 string")
        try:
            state = base64.b64decode(encoded, validate=True)
        except ValueError as exc:  # bad base64 (binascii.Error), or not ASCII
            raise Problem(422, f"board {shown} is not valid base64") from exc
        if len(state) > self.settings.max_board_bytes:
            raise Problem(422, f"board {shown} is larger than this server allows")
        try:
            Nesting().check(state)  # before pycrdt, whose decoder a deep value would crash
            doc = from_state(state)
        except TooDeep as exc:
            raise Problem(422, f"board {shown} nests too deeply: {exc}") from exc
        except (ValueError, RuntimeError) as exc:  # pycrdt refuses a corrupt state
            raise Problem(422, f"board {shown} is not a Yjs document state") from exc
        if name == CONTROL:
            exports.check_control(doc)
        return state

    async def delete(self, request: Request) -> Response:
        session_id, _ = await self.caller(request, FACILITATOR)
        await self.control(request)  # started, so that the deletion reaches the hub
        await self.retention.delete(session_id, FACILITATOR)
        return Response(status_code=204)


def attachment(session_id: str, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="paja-{session_id}.{extension}"'}


def _apply(doc: Doc[Any], state: bytes) -> None:
    doc.apply_update(state)
