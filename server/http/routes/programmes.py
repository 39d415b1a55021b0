"""Programmes (docs/programmes.md): create one, read and change what everyone sees,
members who join once (one by one or from a CSV) with personal links, co-organisers,
removing a member, and deleting the whole programme for good."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel, ConfigDict, Field

from rooms import programmes
from rooms.control import Value

from ...facilitation.access import FACILITATOR, PARTICIPANT
from ...facilitation.programmes import sessions_of, tokens_for
from ...facilitation.tokens import new_id, new_token, token_hash
from ...store.programmes import ProgrammeGrant
from ...sync.messages import CloseCode
from ..commands import Call, Commands, CreateKey, members, organisers
from ..inputs import Body, bearer, text

PROGRAMMES = "/api/programmes"
PROGRAMME = PROGRAMMES + "/{programme_id}"
MEMBER = PROGRAMME + "/members/{member_id}"
commands = Commands()


class NewProgramme(Body):
    title: Annotated[str, text(200)]
    language: Literal["fi", "sv", "en"] = "fi"


class Phase(Body):
    title: Annotated[str, text(80)]
    starts: Annotated[str, text(32)] | None = Field(None, description="a date, as written")


class Material(Body):
    title: Annotated[str, text(200)]
    language: Literal["fi", "sv", "en"]
    url: Annotated[str, text(2000)] | None = Field(None, pattern=r"^https?://")
    body: Annotated[str, text(4000)] | None = Field(None, description="a short text")


class ProgrammeChange(Body):
    title: Annotated[str, text(200)] | None = None
    phases: Annotated[list[Phase], MaxLen(programmes.MAX_PHASES)] | None = None
    materials: Annotated[list[Material], MaxLen(programmes.MAX_MATERIALS)] | None = None


class NewMember(Body):
    name: Annotated[str, text(80)]
    organisation: Annotated[str, text(80)]
    kind: Annotated[str, text(32)]
    email: Annotated[str, text(254)] | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")


class NewMembers(Body):
    members: Annotated[list[NewMember], MinLen(1), MaxLen(programmes.MAX_MEMBERS)]


class MembersCsv(Body):
    csv: Annotated[str, MaxLen(programmes.MAX_CSV_BYTES)] = Field(
        description="name,organisation,kind[,email] with a header row"
    )


class RoleChange(Body):
    role: Literal["organiser", "member"]


class Created(BaseModel):
    id: str
    title: str
    organiser_token: str
    organiser_url: str


class Member(BaseModel):
    id: str
    name: str
    organisation: str
    kind: str
    role: str
    email: str | None = None


class Joined(Member):
    token: str = Field(description="the member's personal token, shown this once")
    url: str = Field(description="the member's personal link")


class Added(BaseModel):
    members: list[Joined]


class Removed(BaseModel):
    id: str
    tokens_revoked: int


class Programme(BaseModel):
    """What a caller sees of a programme: everything everyone sees; e-mail addresses only
    for organisers; of groups, an organiser sees who is in them and when they met, a
    member their own group whole."""

    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    language: str
    phases: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    materials: list[dict[str, Any]]
    members: list[Member]
    organiser: bool
    me: str | None


class Me(Programme):
    sessions: dict[str, str] = Field(description="session id -> the caller's token for it")


class Deleted(BaseModel):
    id: str
    sessions_deleted: int


def personal_url(base: str, programme_id: str, token: str) -> str:
    """The member's personal link: the token in the fragment no server is sent."""
    return f"{base}/p/{programme_id}#token={token}"


def view(data: Value, member: str, organiser: bool) -> Value:
    people = [
        {"id": mid, **{k: m[k] for k in ("name", "organisation", "kind", "role")}}
        | ({"email": m.get("email")} if organiser else {})
        for mid, m in data["members"].items()
    ]
    out: Value = {
        "id": data["id"],
        "title": data["title"],
        "language": data["language"],
        "phases": data["phases"],
        "timeline": data["timeline"],
        "materials": data["materials"],
        "members": people,
        "organiser": organiser,
        "me": member or None,
        "followups": [
            {"id": p["id"], "question": p["question"], "created_at": p["created_at"]}
            for p in data["followups"]
        ],
    }
    own = programmes.group_of(data, member) if member else None
    if own is not None:
        out["group"] = own
    if organiser:
        out["groups"] = [programmes.group_seen_by_organiser(g) for g in data["groups"]]
        out["groups_draft"] = data.get("groups_draft")
    return out


@commands.post(
    PROGRAMMES,
    "Create a programme; the answer holds the organiser token, shown this once",
    access=CreateKey(),
    body=NewProgramme,
    result=Created,
    status=201,
)
async def create(call: Call[NewProgramme]) -> Value:
    programme_id, token = new_id(), new_token()
    data = programmes.new(
        programme_id, title=call.body.title, language=call.body.language, now=call.now
    )
    await call.context.store.programmes.create_programme(
        programme_id, data, {token_hash(token): ProgrammeGrant(programme_id)}
    )
    return {
        "id": programme_id,
        "title": data["title"],
        "organiser_token": token,
        "organiser_url": personal_url(call.base_url(), programme_id, token),
    }


@commands.get(
    PROGRAMME, "The programme as the caller may see it (member)", access=members, result=Programme
)
async def show(call: Call[None]) -> Value:
    caller = call.programme
    assert caller is not None
    return view(caller.data, caller.member, caller.organiser)


@commands.post(
    PROGRAMME + "/me",
    "Open the programme from a personal link: the programme, and the caller's token for "
    "each event and for their group's space (member)",
    access=members,
    result=Me,
)
async def me(call: Call[None]) -> Value:
    caller = call.programme
    assert caller is not None
    personal = bearer(call.request)
    assert personal is not None
    tokens = await tokens_for(
        call.context.store.sessions, personal, caller.data, caller.member, caller.organiser
    )
    return view(caller.data, caller.member, caller.organiser) | {"sessions": tokens}


@commands.patch(
    PROGRAMME,
    "Change the title, phases or materials (organiser)",
    access=organisers,
    body=ProgrammeChange,
    result=Programme,
)
async def change(call: Call[ProgrammeChange]) -> Value:
    body, caller = call.body, call.programme
    assert caller is not None

    def write(data: Value) -> Value:
        programmes.set_contents(
            data,
            title=body.title,
            phases=None if body.phases is None else [p.model_dump() for p in body.phases],
            materials=None
            if body.materials is None
            else [m.model_dump(exclude_none=True) for m in body.materials],
        )
        return data

    data = await call.context.store.programmes.update_programme(caller.id, write)
    return view(data, caller.member, caller.organiser)


async def _add(call: Call[Any], people: list[Value]) -> Value:
    caller = call.programme
    assert caller is not None
    ids = [new_id() for _ in people]
    tokens = [new_token() for _ in people]
    store = call.context.store.programmes
    await store.update_programme(
        caller.id, lambda data: programmes.add_members(data, people, ids, call.now)
    )
    await store.add_programme_grants(
        {token_hash(t): ProgrammeGrant(caller.id, mid) for t, mid in zip(tokens, ids, strict=True)}
    )
    base = call.base_url()
    return {
        "members": [
            {
                "id": mid,
                **person,
                "role": programmes.MEMBER,
                "token": token,
                "url": personal_url(base, caller.id, token),
            }
            for mid, person, token in zip(ids, people, tokens, strict=True)
        ]
    }


@commands.post(
    PROGRAMME + "/members",
    "Add members; each gets a personal link, shown this once (organiser)",
    access=organisers,
    body=NewMembers,
    body_limit=programmes.MAX_CSV_BYTES + 4096,  # as many members as a CSV brings
    result=Added,
    status=201,
)
async def add_members(call: Call[NewMembers]) -> Value:
    return await _add(call, [m.model_dump() for m in call.body.members])


@commands.post(
    PROGRAMME + "/members/csv",
    "Import members from a CSV (name, organisation, kind, email); every bad row is named "
    "in one 422 and nobody is added (organiser)",
    access=organisers,
    body=MembersCsv,
    body_limit=programmes.MAX_CSV_BYTES + 4096,
    result=Added,
    status=201,
)
async def import_members(call: Call[MembersCsv]) -> Value:
    people = await asyncio.to_thread(programmes.parse_csv, call.body.csv)
    return await _add(call, people)


@commands.delete(
    MEMBER,
    "Remove a member: their links stop working in the programme and its sessions (organiser)",
    access=organisers,
    result=Removed,
)
async def remove_member(call: Call[None]) -> Value:
    caller, member_id = call.programme, call.path("member_id")
    assert caller is not None
    programmes.member(caller.data, member_id)
    sessions = sessions_of(caller.data, member_id, True)
    revoked = await call.context.store.programmes.revoke_member(caller.id, member_id)
    for session_id in sessions:  # every token first: then no failure leaves one working
        revoked += await call.context.store.sessions.revoke_subject(session_id, member_id)
    for session_id in sessions:
        await call.control.disconnect(session_id, member_id, CloseCode.FORBIDDEN, "removed")
    await call.context.store.programmes.update_programme(
        caller.id, lambda data: programmes.remove_member(data, member_id)
    )
    return {"id": member_id, "tokens_revoked": revoked}


@commands.put(
    MEMBER + "/role",
    "Make a member a co-organiser, or a member again (organiser)",
    access=organisers,
    body=RoleChange,
    result=Member,
)
async def set_role(call: Call[RoleChange]) -> Value:
    caller, member_id, role = call.programme, call.path("member_id"), call.body.role
    assert caller is not None
    person = await call.context.store.programmes.update_programme(
        caller.id, lambda data: programmes.set_role(data, member_id, role)
    )
    # Their tokens for the events change role at once (a group's space keeps its own).
    in_events = FACILITATOR if role == programmes.ORGANISER else PARTICIPANT
    for item in caller.data["timeline"]:
        session_id = item["session_id"]
        await call.context.store.sessions.set_role(session_id, member_id, in_events)
        call.control.regrant(session_id, member_id, in_events)
    return {"id": member_id, **person}


@commands.delete(
    PROGRAMME,
    "Delete the programme for good: its value, every token, and every session of it (its "
    "events and its groups' spaces) (organiser)",
    access=organisers,
    result=Deleted,
)
async def delete(call: Call[None]) -> Value:
    caller = call.programme
    assert caller is not None
    sessions = [e["session_id"] for e in caller.data["timeline"]]
    sessions += [g["session_id"] for g in caller.data["groups"]]
    await call.context.store.programmes.delete_programme(caller.id)
    for session_id in sessions:
        await call.context.retention.delete(session_id, by=f"programme {caller.id}")
    return {"id": caller.id, "sessions_deleted": len(sessions)}
