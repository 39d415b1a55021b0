"""Sessions: create, read, change and end one; join it by link or by code; the templates
and the server clock. Creation (`store_session`, `created`) is shared with imports."""

from __future__ import annotations

import re
import time
from functools import partial
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pycrdt import Doc
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from rooms import boards, notes, rounds, session, templates
from rooms.control import Value
from rooms.events import SESSION_ENDED

from ..access import BOT, FACILITATOR, JOIN, MAIN, OBSERVER, PARTICIPANT
from ..commands import SESSION, Anyone, Call, Commands, CreateKey, JoinCode, roles
from ..inputs import Body, text
from ..problems import Problem
from ..store.base import CodeTaken, Grant, SessionRecord
from ..tokens import join_url, new_id, new_join_code, new_token, shown_join_code, token_hash
from .base import Context, display_url

TAG = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[^\s].{0,63}$")
DEFAULT_BOARDS = ("control", MAIN)
JOIN_CODE_TRIES = 5
Language = Literal["fi", "sv", "en"]
commands = Commands()


class NewSession(Body):
    title: Annotated[str, text(200)]
    template: Annotated[str, text(64)] | None = Field(None, description="see /api/templates")
    language: Language = "fi"


class SessionChange(Body):
    title: Annotated[str, text(200)] | None = None
    summary_names: bool | None = None


def _tags(tags: list[str]) -> list[str]:
    for tag in tags:
        if not TAG.match(tag):
            raise PydanticCustomError("refused", f"tag {tag!r} is not of the form 'key:value'")
    return tags


class Joining(Body):
    name: Annotated[str, text(80)]
    tags: Annotated[list[str], MaxLen(20), AfterValidator(_tags)] = Field(
        default_factory=list, description="'key:value' strings, e.g. 'org:vm'"
    )


class CreatedSession(BaseModel):
    id: str
    title: str
    template: str | None
    created_at: float
    join_code: str = Field(description="XXXX-XXXX, typed at /c/")
    join_url: str
    language: str
    facilitator_token: str
    observer_token: str
    bot_token: str
    join_secret: str
    facilitator_url: str
    participant_url: str
    display_url: str
    ws_url: str


class Session(BaseModel):
    id: str
    title: str
    template: str | None
    created_at: float
    join_code: str = Field(description="XXXX-XXXX, typed at /c/")
    join_url: str
    language: str | None
    summary_names: bool
    ended_at: int | None = Field(description="server epoch milliseconds")
    boards: list[str]


class SessionHeader(BaseModel):
    title: str | None = None
    template: str | None = None
    language: str | None = None
    join_code: str | None = None
    summary_names: bool | None = None
    created_at: int | None = None
    ended_at: int | None = Field(None, description="server epoch milliseconds")


class Ended(BaseModel):
    ended_at: int = Field(description="server epoch milliseconds")


class Participant(BaseModel):
    session_id: str
    participant_id: str
    name: str
    tags: list[str]
    token: str
    room: str | None = Field(description="breakout board, if placed")


class CodeTarget(BaseModel):
    session_id: str
    title: str
    language: str


class Template(BaseModel):
    id: str
    titles: dict[str, str] = Field(description="by language: fi, sv, en")
    descriptions: dict[str, str] = Field(description="by language: fi, sv, en")
    boards: list[str]
    agenda_items: int


class Clock(BaseModel):
    now: int = Field(description="server epoch milliseconds")


@commands.post(
    "/api/sessions",
    "Create a session, optionally from a template (with the create key as Bearer when the "
    "server sets one)",
    access=CreateKey(),
    body=NewSession,
    result=CreatedSession,
    status=201,
)
async def create_session(call: Call[NewSession]) -> Value:
    body = call.body
    template = templates.load(body.template) if body.template else None
    extra = templates.board_names(template) if template else []
    names = [*DEFAULT_BOARDS, *extra]
    record, tokens = await store_session(call.context, body.title, body.template, names)
    await _prepare(call, record, body.language, template)
    return created(call, record, tokens, body.language)


def created(call: Call[Any], record: SessionRecord, tokens: dict[str, str], language: str) -> Value:
    """The answer to a new session: its links and its tokens, shown this once."""
    base = call.base_url()
    return {
        **_describe(base, record),
        "language": language,
        "facilitator_token": tokens[FACILITATOR],
        "observer_token": tokens[OBSERVER],
        "bot_token": tokens[BOT],
        "join_secret": tokens[JOIN],
        "facilitator_url": f"{base}/s/{record.id}#token={tokens[FACILITATOR]}",
        "participant_url": f"{base}/j/{record.id}#join={tokens[JOIN]}",
        "display_url": display_url(base, record.id, tokens[OBSERVER]),
        "ws_url": base.replace("http", "ws", 1) + f"/ws/{record.id}",
    }


async def store_session(
    context: Context, title: str, template_id: str | None, board_names: list[str]
) -> tuple[SessionRecord, dict[str, str]]:
    """A new session with fresh tokens (by role), its boards and a join code no other
    session has."""
    tokens = {role: new_token() for role in (FACILITATOR, OBSERVER, BOT, JOIN)}
    for _ in range(JOIN_CODE_TRIES):
        settings = {"join_code": new_join_code()}
        record = SessionRecord(new_id(), title, template_id, time.time(), settings)
        grants = {token_hash(t): Grant(record.id, role) for role, t in tokens.items()}
        try:
            await context.store.create_session(record, grants, board_names)
        except CodeTaken:
            continue
        return record, tokens
    raise Problem(503, "no free join code; try again", retry_after=1)


def _describe(base: str, record: SessionRecord) -> dict[str, Any]:
    code = str(record.settings["join_code"])
    return {
        "id": record.id,
        "title": record.title,
        "template": record.template,
        "created_at": record.created_at,
        "join_code": shown_join_code(code),
        "join_url": join_url(base, code),
    }


async def _prepare(
    call: Call[Any], record: SessionRecord, language: str, template: templates.Template | None
) -> None:
    """Write the new session's control document: header, boards and the template."""

    def prepare(doc: Doc[Any]) -> None:
        session.start(
            doc,
            title=record.title,
            template=record.template,
            language=language,
            join_code=shown_join_code(str(record.settings["join_code"])),
            now=call.now,
        )
        title = boards.MAIN_TITLES[language]
        boards.add(doc, MAIN, title=title, kind=boards.MAIN_KIND, open_to_all=True)
        if template is not None:
            templates.apply(doc, template, language)

    await call.control.change(record.id, prepare)
    if template is None:
        return
    for board in templates.board_names(template):
        laid_out = templates.sections(template, board, language)
        if laid_out:
            await call.control.change_board(
                record.id, board, partial(notes.add_sections, sections=laid_out)
            )


@commands.get(
    SESSION,
    "A session's metadata (facilitator token)",
    access=roles(FACILITATOR),
    result=Session,
    refusals=(),
)
async def get_session(call: Call[None]) -> Value:
    record = await call.context.store.get_session(call.session_id)
    assert record is not None
    header = await call.read(session.header)
    return {
        **_describe(call.base_url(), record),
        "title": header.get("title", record.title),
        "language": header.get("language"),
        "summary_names": header.get("summary_names", False),
        "ended_at": header.get("ended_at"),
        "boards": await call.context.store.list_boards(call.session_id),
    }


@commands.patch(
    SESSION,
    "Rename the session or allow names in its summary (facilitator)",
    access=roles(FACILITATOR),
    body=SessionChange,
    result=SessionHeader,
)
async def change_session(call: Call[SessionChange]) -> Value:
    title, names = call.body.title, call.body.summary_names
    return await call.change(lambda doc: session.change(doc, title=title, summary_names=names))


@commands.post(
    SESSION + "/end",
    "End the session: sends session.ended to its webhooks (facilitator). Boards stay "
    "readable and editable; ending is a milestone, not a lock",
    access=roles(FACILITATOR),
    result=Ended,
)
async def end_session(call: Call[None]) -> Value:
    ended_at = await call.change(lambda doc: session.end(doc, call.now))
    await call.control.emit(
        call.session_id, SESSION_ENDED, f"{SESSION_ENDED}:{ended_at}", {"ended_at": ended_at}
    )
    return {"ended_at": ended_at}


@commands.post(
    SESSION + "/participants",
    "Join with the participant link's join secret as Bearer",
    access=roles(JOIN),
    body=Joining,
    result=Participant,
    status=201,
)
async def join_session(call: Call[Joining]) -> Value:
    return await _enter(call)


@commands.get(
    "/api/join/{code}",
    "The session a join code belongs to (rate-limited per address)",
    access=JoinCode(),
    result=CodeTarget,
    refusals=(),
)
async def find_by_code(call: Call[None]) -> Value:
    """What a join-code page shows before asking for a name."""
    header = await call.read(session.header)
    return {
        "session_id": call.session_id,
        "title": header.get("title"),
        "language": header.get("language"),
    }


@commands.post(
    "/api/join/{code}",
    "Join with a join code instead of the participant link",
    access=JoinCode(),
    body=Joining,
    result=Participant,
    status=201,
)
async def join_by_code(call: Call[Joining]) -> Value:
    return await _enter(call)


async def _enter(call: Call[Joining]) -> Value:
    """Mint a participant's own token and take a place in the roster (and in the smallest
    room when a round is running)."""
    name, tags = call.body.name, call.body.tags
    participant_id = new_id()
    token = new_token()
    await call.context.store.add_grant(
        token_hash(token), Grant(call.session_id, PARTICIPANT, participant_id)
    )

    def enter(doc: Doc[Any]) -> Value | None:
        session.join(doc, participant_id, name=name, tags=tags, now=call.now)
        return rounds.place_late_joiner(doc, participant_id, call.now)

    placed = await call.change(enter)
    return {
        "session_id": call.session_id,
        "participant_id": participant_id,
        "name": name,
        "tags": tags,
        "token": token,
        "room": placed["board"] if placed else None,
    }


@commands.get(
    "/api/templates", "Session templates", access=Anyone(), result=list[Template], refusals=()
)
async def list_templates(call: Call[None]) -> list[Value]:
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
    return listed


@commands.get(
    "/api/time",
    "The server clock in epoch milliseconds: clients measure their offset against it",
    access=Anyone(),
    result=Clock,
    refusals=(),
)
async def server_time(call: Call[None]) -> Value:
    return {"now": call.now}
