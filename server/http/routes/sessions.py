"""Sessions: create, read, change and end one; join it by link or by code, and rotate
those; the templates and the server clock. What creating a session writes is
server/facilitation/creation.py, shared with imports."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pycrdt import Doc
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from rooms import boards, rounds, session
from rooms.control import Value
from rooms.errors import Refused
from rooms.events import SESSION_ENDED

from ...facilitation.access import BOT, FACILITATOR, JOIN, OBSERVER, PARTICIPANT
from ...facilitation.creation import JOIN_CODE_TRIES, describe
from ...facilitation.tokens import (
    display_url,
    join_url,
    new_id,
    new_join_code,
    new_token,
    participant_url,
    shown_join_code,
    token_hash,
)
from ...store.sessions import CodeTaken, Grant
from ...sync.messages import CloseCode
from ..commands import SESSION, Anyone, Call, Commands, CreateKey, JoinCode, roles
from ..inputs import Body, text
from ..problems import Problem

TAG = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[^\s].{0,63}$")
Language = Literal["fi", "sv", "en"]
commands = Commands()


class NewSession(Body):
    title: Annotated[str, text(200)]
    template: Annotated[str, text(64)] | None = Field(
        None, description="a template id from GET /api/templates"
    )
    language: Language = "fi"


class SessionChange(Body):
    title: Annotated[str, text(200)] | None = None
    summary_names: bool | None = None
    display_board: Annotated[str, text(64)] | None = Field(
        None, description="pin the Lab display to a listed board (not a breakout room); null unpins"
    )


class ReissuedLink(BaseModel):
    observer_token: str | None = None
    display_url: str | None = None
    bot_token: str | None = None


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
    display_board: str | None = Field(None, description="the board the Lab display is pinned to")


class Ended(BaseModel):
    ended_at: int = Field(description="server epoch milliseconds")


class Participant(BaseModel):
    session_id: str
    participant_id: str
    name: str
    tags: list[str]
    token: str
    room: str | None = Field(description="breakout board, if placed")


class RotatedLinks(BaseModel):
    join_secret: str
    participant_url: str
    join_code: str = Field(description="XXXX-XXXX, typed at /c/")
    join_url: str


class CodeTarget(BaseModel):
    session_id: str
    title: str
    language: str


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
    limits=(503,),
)
async def create_session(call: Call[NewSession]) -> Value:
    body = call.body
    new = await call.context.creator.create(call.control, body.title, body.template, body.language)
    return new.answer(call.base_url(), body.language)


@commands.get(
    SESSION,
    "A session's metadata (facilitator token)",
    access=roles(FACILITATOR),
    result=Session,
    refusals=(),
)
async def get_session(call: Call[None]) -> Value:
    record = await call.context.store.sessions.get_session(call.session_id)
    if record is None:  # deleted since the caller's check
        raise Problem(404, "no such session")
    header = await call.read(session.header)
    return {
        **describe(call.base_url(), record),
        "title": header.get("title", record.title),
        "language": header.get("language"),
        "summary_names": header.get("summary_names", False),
        "ended_at": header.get("ended_at"),
        "boards": await call.context.store.sessions.list_boards(call.session_id),
    }


@commands.patch(
    SESSION,
    "Rename the session, allow names in its summary, or pin the Lab display to a board "
    "(display_board; null unpins it) (facilitator)",
    access=roles(FACILITATOR),
    body=SessionChange,
    result=SessionHeader,
)
async def change_session(call: Call[SessionChange]) -> Value:
    title, names = call.body.title, call.body.summary_names
    pin = "display_board" in call.body.model_fields_set
    pinned = call.body.display_board

    def change(doc: Doc[Any]) -> Value:
        if pin:
            if pinned is not None and boards.require_listed(doc, pinned)["kind"] == "breakout":
                raise Refused("the Lab display shows main or a board, not a breakout room")
            session.pin_display(doc, pinned)
        return session.change(doc, title=title, summary_names=names)

    return await call.change(change)


@commands.post(
    SESSION + "/end",
    "End the session: sends session.ended to its webhooks (facilitator); its timers stop, "
    "and participants only read the boards from now on",
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
    limits=(409, 429),
)
async def join_session(call: Call[Joining]) -> Value:
    return await _enter(call)


@commands.post(
    SESSION + "/links/rotate",
    "A new participant link and join code; the old ones stop working at once, so a removed "
    "person cannot simply join again. People already in keep their tokens (facilitator)",
    access=roles(FACILITATOR),
    result=RotatedLinks,
    limits=(503,),
)
async def rotate_links(call: Call[None]) -> Value:
    secret = new_token()
    for _ in range(JOIN_CODE_TRIES):
        code = new_join_code()
        try:
            await call.context.store.sessions.rotate_join(
                token_hash(secret), Grant(call.session_id, JOIN), code
            )
        except CodeTaken:
            continue
        break
    else:
        raise Problem(503, "no free join code; try again", retry_after=1)
    shown = shown_join_code(code)
    await call.change(lambda doc: session.set_join_code(doc, shown))
    base = call.base_url()
    return {
        "join_secret": secret,
        "participant_url": participant_url(base, call.session_id, secret),
        "join_code": shown,
        "join_url": join_url(base, code),
    }


@commands.post(
    SESSION + "/links/{link}/rotate",
    "A new Lab display link (link: display) or bot token (link: bot): every old token of "
    "that role stops working at once, and the sockets opened with one close with 4401 on "
    "every instance (facilitator)",
    access=roles(FACILITATOR),
    result=ReissuedLink,
)
async def rotate_link(call: Call[None]) -> Value:
    link = call.request.path_params["link"]
    links = {"display": OBSERVER, "bot": BOT}
    if link not in links:
        raise Problem(404, "the links that can be re-issued are 'display' and 'bot'")
    token = new_token()
    sessions = call.context.store.sessions
    await sessions.replace_grants(token_hash(token), Grant(call.session_id, links[link]))
    await call.control.disconnect(
        call.session_id, "", CloseCode.BAD_TOKEN, "link re-issued", links[link]
    )
    if link == "bot":
        return {"bot_token": token}
    return {
        "observer_token": token,
        "display_url": display_url(call.base_url(), call.session_id, token),
    }


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
    limits=(409, 429),
)
async def join_by_code(call: Call[Joining]) -> Value:
    return await _enter(call)


async def _enter(call: Call[Joining]) -> Value:
    """Mint a participant's own token and take a place in the roster (and in the smallest
    room when a round is running), within the joins a session may take per minute and the
    people its roster may hold."""
    wait = call.context.joins.retry_after(call.session_id)
    if wait:
        raise Problem(429, "too many people joined this session just now", retry_after=wait)
    name, tags = call.body.name, call.body.tags
    most = call.context.settings.max_participants_per_session
    full = f"this session holds at most {most} people"
    # Checked before a token is minted, and again in the change that takes the place.
    if len(await call.read(session.roster)) >= most:
        raise Problem(409, full)
    participant_id = new_id()
    token = new_token()
    await call.context.store.sessions.add_grant(
        token_hash(token), Grant(call.session_id, PARTICIPANT, participant_id)
    )

    def enter(doc: Doc[Any]) -> Value | None:
        if len(session.roster(doc)) >= most:
            raise Problem(409, full)
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
    "/api/time",
    "The server clock in epoch milliseconds: clients measure their offset against it",
    access=Anyone(),
    result=Clock,
    refusals=(),
)
async def server_time(call: Call[None]) -> Value:
    return {"now": call.now}
