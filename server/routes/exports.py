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
from typing import Annotated, Any, Literal

from pycrdt import Doc
from pydantic import Field
from starlette.responses import JSONResponse, Response

from rooms import boards, exports, session, summary
from rooms.control import Value, from_state
from rooms.errors import Invalid

from ..access import BOT, CONTROL, FACILITATOR, MAIN, OBSERVER
from ..commands import SESSION, Call, Commands, CreateKey, roles
from ..control import PRIVATE
from ..inputs import Body, text
from ..problems import Problem
from ..protocol import EMPTY_UPDATE
from ..tokens import shown_join_code
from .sessions import CreatedSession, created, store_session
from .summary import MARKDOWN

FORMAT = "paja-session"
VERSION = 1
IMPORT_MAX_BYTES = 32 * 1024 * 1024
CSV = "text/csv; charset=utf-8"
FAILED_IMPORT = "failed import"
commands = Commands()


class ExportQuery(Body):
    format: Literal["json", "markdown", "csv"] = "json"


class ExportedSession(Body):
    id: str | None = None
    title: Annotated[str, text(200)]
    template: Annotated[str, text(64)] | None = None
    language: Literal["fi", "sv", "en"] | None = None
    created_at: float | None = Field(None, description="epoch seconds")
    ended_at: int | None = Field(None, description="server epoch milliseconds")


class SessionExport(Body):
    format: Literal["paja-session"]
    version: Literal[1]
    exported_at: int | None = Field(None, description="server epoch milliseconds")
    session: ExportedSession
    boards: dict[str, str] = Field(
        description="board name (control, _ballots and every board) -> base64 of its full "
        "Yjs state; control is required"
    )


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
        made = summary.to_markdown(await control.summary(session_id))
        return Response(made, media_type=MARKDOWN, headers=attachment(session_id, "md"))
    states = await _states(call)
    if form == "csv":
        notes = {n: s for n, s in states.items() if n != CONTROL}
        # ~0.3 s per 5000 notes, so off the event loop
        made = await asyncio.to_thread(exports.notes_csv, states[CONTROL], notes)
        return Response(made, media_type=CSV, headers=attachment(session_id, "csv"))
    ballots = await control.state(session_id, PRIVATE)
    if ballots != EMPTY_UPDATE:
        states[PRIVATE] = ballots
    record = await call.context.store.get_session(session_id)
    assert record is not None  # the caller's check found it
    header = await call.read(session.header)
    exported = {
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
    return JSONResponse(exported, headers=attachment(session_id, "json"))


async def _states(call: Call[Any]) -> dict[str, bytes]:
    """Every board of the session (control included) as one Yjs update each."""
    return {
        name: await call.control.state(call.session_id, name)
        for name in await call.context.store.list_boards(call.session_id)
    }


@commands.post(
    "/api/sessions/import",
    "Import a JSON export as a new session, with new tokens (with the create key as Bearer "
    "when the server sets one; bodies up to 32 MiB)",
    access=CreateKey(),
    body=SessionExport,
    body_limit=IMPORT_MAX_BYTES,
    result=CreatedSession,
    status=201,
)
async def import_session(call: Call[SessionExport]) -> Value:
    """A JSON export becomes a new session: checked whole before anything is written."""
    title, template = call.body.session.title, call.body.session.template
    max_boards = call.context.settings.max_boards_per_session
    max_bytes = call.context.settings.max_board_bytes
    # Up to 32 MiB of base64 and Yjs to decode: off the event loop.
    states = await asyncio.to_thread(_checked, call.body.boards, max_boards, max_bytes)
    names = [CONTROL, MAIN, *(n for n in states if n not in (CONTROL, MAIN, PRIVATE))]
    record, tokens = await store_session(call.context, title, template, names)
    control = call.control
    code = shown_join_code(str(record.settings["join_code"]))
    try:
        for name, state in states.items():
            if name != CONTROL and state != EMPTY_UPDATE:
                await control.change_board(record.id, name, partial(_apply, state=state))
        language = await control.change(
            record.id, lambda doc: exports.restore_control(doc, states[CONTROL], code)
        )
    except Exception:
        await call.context.retention.delete(record.id, FAILED_IMPORT)
        raise
    return created(call, record, tokens, language)


def _checked(encoded: dict[str, str], max_boards: int, max_bytes: int) -> dict[str, bytes]:
    """The decoded board states of an export, or the problem why it cannot be imported.
    Runs in a worker thread: every Doc it makes stays there."""
    if CONTROL not in encoded:
        raise Problem(422, "'boards' must be an object holding at least 'control'")
    if len(encoded.keys() - {CONTROL, PRIVATE}) > max_boards:
        raise Problem(422, f"a session has at most {max_boards} boards")
    return {name: _decoded(name, state, max_bytes) for name, state in encoded.items()}


def _decoded(name: str, encoded: str, max_bytes: int) -> bytes:
    """One board's state, decoded once: as base64, then as Yjs (and `control` read as the
    server reads it)."""
    shown = repr(name[:64])
    if name not in (CONTROL, PRIVATE):
        try:
            boards.check_name(name)
        except Invalid as invalid:
            raise Problem(422, f"board {shown}: {invalid}") from invalid
    try:
        state = base64.b64decode(encoded, validate=True)
    except ValueError as exc:  # bad base64 (binascii.Error), or not ASCII
        raise Problem(422, f"board {shown} is not valid base64") from exc
    if len(state) > max_bytes:
        raise Problem(422, f"board {shown} is larger than this server allows")
    try:
        doc = from_state(state)
    except (ValueError, RuntimeError) as exc:  # pycrdt refuses a corrupt state
        raise Problem(422, f"board {shown} is not a Yjs document state") from exc
    if name == CONTROL:
        exports.check_control(doc)
    return state


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


def _apply(doc: Doc[Any], state: bytes) -> None:
    doc.apply_update(state)
