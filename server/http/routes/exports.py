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
from collections.abc import Awaitable, Callable
from operator import attrgetter
from typing import Any, Literal

from starlette.responses import JSONResponse, Response

from rooms import exports, session
from rooms.control import Value

from ...facilitation import importing
from ...facilitation.access import BOT, CONTROL, FACILITATOR, MAIN, OBSERVER
from ...facilitation.authority import PRIVATE
from ...facilitation.creation import NewSession
from ...facilitation.importing import FORMAT, VERSION, SessionExport
from ...facilitation.tokens import shown_join_code
from ...store.documents import LoadError
from ...sync.messages import EMPTY_UPDATE
from ..commands import SESSION, Call, Commands, CreateKey, roles
from ..inputs import Body
from ..problems import Problem
from .sessions import CreatedSession
from .summary import MARKDOWN

CSV = "text/csv; charset=utf-8"
FAILED_IMPORT = "failed import"
commands = Commands()


class ExportQuery(Body):
    format: Literal["json", "markdown", "csv"] = "json"


@commands.get(
    SESSION + "/export",
    "Export the session: json (an import recreates it; facilitator), markdown (the summary) "
    "or csv (the notes) (facilitator, observer or bot)",
    access=roles(FACILITATOR, BOT, OBSERVER),
    query=ExportQuery,
    result=SessionExport,
    media=("text/markdown", "text/csv"),
    refusals=(),
)
async def export(call: Call[None]) -> Response:
    form, session_id, control = call.query(ExportQuery).format, call.session_id, call.control
    if form == "json" and call.role != FACILITATOR:
        raise Problem(403, "the JSON export holds every ballot: it needs a facilitator token")
    if form == "markdown":
        made = await control.summary_markdown(session_id)
        return Response(made, media_type=MARKDOWN, headers=attachment(session_id, "md"))
    states = await _states(call, session_id)
    if form == "csv":
        notes = {n: s for n, s in states.items() if n != CONTROL}
        # ~0.3 s per 5000 notes, so off the event loop
        made = await asyncio.to_thread(exports.notes_csv, states[CONTROL], notes)
        return Response(made, media_type=CSV, headers=attachment(session_id, "csv"))
    exported = await session_export(call, session_id, states)
    return JSONResponse(exported, headers=attachment(session_id, "json"))


async def session_export(
    call: Call[Any], session_id: str, states: dict[str, bytes] | None = None
) -> Value:
    """The JSON export of one session (a programme's export holds its events' too)."""
    control = call.control
    sessions = call.context.store.sessions
    try:
        if states is None:
            states = await _states(call, session_id)
        ballots = await control.state(session_id, PRIVATE)
    except LoadError:  # the boards of a session deleted meanwhile are forgotten, not loaded
        if await sessions.get_session(session_id) is None:
            raise Problem(404, "no such session") from None
        raise
    if ballots != EMPTY_UPDATE:
        states[PRIVATE] = ballots
    record = await sessions.get_session(session_id)
    if record is None:  # deleted while the boards were read
        raise Problem(404, "no such session")
    header = await control.read(session_id, session.header)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": call.now,
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


async def _states(call: Call[Any], session_id: str) -> dict[str, bytes]:
    """Every board of the session (control included) as one Yjs update each."""
    return {
        name: await call.control.state(session_id, name)
        for name in await call.context.store.sessions.list_boards(session_id)
    }


@commands.post(
    "/api/sessions/import",
    "Import a JSON export as a new session, with new tokens (with the create key as Bearer "
    "when the server sets one; bodies up to --max-import-bytes, boards up to "
    "--max-import-boards: 413; two at once per instance: 503)",
    access=CreateKey(),
    body=SessionExport,
    body_limit=attrgetter("max_import_bytes"),
    parse_body=False,
    result=CreatedSession,
    status=201,
    limits=(413, 503),
)
async def import_session(call: Call[None]) -> Value:
    """A JSON export becomes a new session: checked whole before anything is written.

    Counted as a session creation and bounded in bytes and boards. The body is parsed,
    validated and decoded in a worker process (server/facilitation/importing.py), and the
    boards go to the store as they are, never applied here: an import stalls no other
    request."""
    with call.context.imports.taken():
        raw = await call.raw_body()
        async with importing.worker() as run:
            new, language = await import_into(call, run, raw)
    return new.answer(call.base_url(), language)


def import_limits(call: Call[Any]) -> importing.ImportLimits:
    settings = call.context.settings
    return importing.ImportLimits(
        max_import_boards=settings.max_import_boards,
        max_boards_per_session=settings.max_boards_per_session,
        max_board_bytes=settings.max_board_bytes,
        max_notes_per_board=settings.max_notes_per_board,
    )


async def import_into(
    call: Call[Any], run: Callable[..., Awaitable[Any]], raw: bytes
) -> tuple[NewSession, str]:
    """One session export (its JSON bytes) as a new session, read in the worker `run`;
    a session that cannot be completed is deleted again."""
    export = await run(importing.read_export, raw, import_limits(call))
    del raw
    states = export.states
    names = [CONTROL, MAIN, *(n for n in states if n not in (CONTROL, MAIN, PRIVATE))]
    new = await call.context.creator.store_session(export.title, export.template, names)
    record = new.record
    code = shown_join_code(str(record.settings["join_code"]))
    try:
        restored, language, deadline = await run(exports.restored_control, states[CONTROL], code)
        boards = {n: s for n, s in states.items() if s != EMPTY_UPDATE}
        await call.control.install(record.id, boards | {CONTROL: restored}, deadline)
    except Exception:
        await call.context.retention.delete(record.id, FAILED_IMPORT)
        raise
    return new, str(language)


@commands.delete(
    SESSION,
    "Delete the session for good, with everything it left in every store: sockets close "
    "with 4404 (facilitator)",
    access=roles(FACILITATOR),
    status=204,
    refusals=(),
)
async def delete(call: Call[None]) -> None:
    # call.control is started, so that the deletion reaches the hub
    await call.context.retention.delete(call.session_id, FACILITATOR)


def attachment(session_id: str, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="paja-{session_id}.{extension}"'}
