"""A whole programme out and in: the export holds the programme (members, timeline, phases,
materials, groups and when they met, follow-up counts) and every event as a session export.
A group's space is not in it: what a group wrote leaves the programme only through its
own members (their token exports their space as any session). An import is a new
programme with new links for everyone, its events imported as new sessions and fresh
spaces for its groups.
"""

from __future__ import annotations

import json
from operator import attrgetter
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from rooms import programmes
from rooms.control import Value

from ...facilitation import importing
from ...facilitation.access import FACILITATOR
from ...facilitation.programmes import carry_roster
from ...facilitation.tokens import new_id, new_token, token_hash
from ...store.programmes import ProgrammeGrant
from ..commands import Call, Commands, CreateKey, organisers
from ..inputs import Body, parsed_body, text, validated
from ..problems import Problem
from .exports import attachment, import_into, session_export
from .programmes import PROGRAMME, Joined, Material, Phase, personal_url

FORMAT = "paja-programme"
Id = Annotated[str, text(64)]
commands = Commands()


class ExportedMember(Body):
    name: Annotated[str, text(80)]
    organisation: Annotated[str, text(80)]
    kind: Annotated[str, text(32)]
    email: Annotated[str, text(254)] | None = None
    role: Literal["organiser", "member"] = "member"


class ExportedEvent(Body):
    session_id: Id
    title: Annotated[str, text(200)]
    date: Annotated[str, text(32)] | None = None
    template: Annotated[str, text(64)] | None = None
    created_at: int


class ExportedGroup(Body):
    name: Annotated[str, text(80)]
    members: Annotated[list[Id], MaxLen(programmes.MAX_MEMBERS)]
    meetings: Annotated[list[int], MaxLen(programmes.MAX_MEETINGS)] = Field(default_factory=list)


class ExportedFollowup(Body):
    question: Annotated[str, text(300)]
    preset: Literal["heard", "use"] | None = None
    created_at: int
    counts: Annotated[
        dict[Literal["1", "2", "3", "4", "5"], Annotated[int, Field(ge=0)]], MaxLen(5)
    ]


class ExportedProgramme(Body):
    title: Annotated[str, text(200)]
    language: Literal["fi", "sv", "en"]
    phases: Annotated[list[Phase], MaxLen(programmes.MAX_PHASES)]
    materials: Annotated[list[Material], MaxLen(programmes.MAX_MATERIALS)]
    members: Annotated[dict[Id, ExportedMember], MaxLen(programmes.MAX_MEMBERS)]
    timeline: Annotated[list[ExportedEvent], MaxLen(programmes.MAX_TIMELINE)]
    groups: Annotated[list[ExportedGroup], MaxLen(programmes.MAX_GROUPS)]
    followups: Annotated[list[ExportedFollowup], MaxLen(programmes.MAX_FOLLOWUPS)]


class ProgrammeExport(Body):
    format: Literal["paja-programme"]
    version: Literal[1]
    exported_at: int | None = None
    programme: ExportedProgramme
    events: Annotated[dict[Id, dict[str, Any]], MaxLen(programmes.MAX_TIMELINE)] = Field(
        description="an event's session id -> its session export (paja-session)"
    )


class ImportedProgramme(BaseModel):
    id: str
    title: str
    organiser_token: str
    organiser_url: str
    members: list[Joined]


@commands.get(
    PROGRAMME + "/export",
    "Export the programme: its members, timeline, groups (not their spaces) and follow-up "
    "counts, with every event as a session export (organiser)",
    access=organisers,
    result=ProgrammeExport,
)
async def export(call: Call[None]) -> Response:
    caller = call.programme
    assert caller is not None
    data = caller.data
    exported = {
        "format": FORMAT,
        "version": 1,
        "exported_at": call.now,
        "programme": {
            "title": data["title"],
            "language": data["language"],
            "phases": data["phases"],
            "materials": data["materials"],
            "members": {
                mid: {k: m[k] for k in ("name", "organisation", "kind", "email", "role")}
                for mid, m in data["members"].items()
            },
            "timeline": data["timeline"],
            "groups": [
                {"name": g["name"], "members": g["members"], "meetings": g["meetings"]}
                for g in data["groups"]
            ],
            "followups": [
                {k: p[k] for k in ("question", "preset", "created_at", "counts")}
                for p in data["followups"]
            ],
        },
        "events": {
            e["session_id"]: await session_export(call, e["session_id"]) for e in data["timeline"]
        },
    }
    return JSONResponse(exported, headers=attachment(caller.id, "json"))


def read_programme(raw: bytes) -> tuple[Value, dict[str, bytes]]:
    """In the import's worker: the programme validated whole, every member it names known,
    and each event's session export as JSON bytes for the session import."""
    export = validated(ProgrammeExport, parsed_body(raw))
    programme = export.programme
    known = set(programme.members)
    if any(m not in known for g in programme.groups for m in g.members):
        raise Problem(422, "a group names someone who is not a member")
    events = [e.session_id for e in programme.timeline]
    if len(set(events)) != len(events) or set(events) != set(export.events):
        raise Problem(422, "'events' must hold one export for each event of the timeline")
    raws = {sid: json.dumps(export.events[sid]).encode() for sid in events}
    return programme.model_dump(), raws


@commands.post(
    "/api/programmes/import",
    "Import a programme export as a new programme: new links for everyone (answered this "
    "once), its events as new sessions, fresh spaces for its groups (with the create key "
    "as Bearer when the server sets one; up to --max-import-bytes: 413; two at once: 503)",
    access=CreateKey(),
    body=ProgrammeExport,
    body_limit=attrgetter("max_import_bytes"),
    parse_body=False,
    result=ImportedProgramme,
    status=201,
    limits=(413, 503),
)
async def import_programme(call: Call[None]) -> Value:
    created: list[str] = []
    with call.context.imports.taken():
        raw = await call.raw_body()
        async with importing.worker() as run:
            given, events = await run(read_programme, raw)
            del raw
            try:
                return await _install(call, run, given, events, created)
            except BaseException:
                for session_id in created:
                    await call.context.retention.delete(session_id, "failed import")
                raise


async def _install(
    call: Call[None], run: Any, given: Value, events: dict[str, bytes], created: list[str]
) -> Value:
    programme_id, organiser = new_id(), new_token()
    data = programmes.new(
        programme_id, title=given["title"], language=given["language"], now=call.now
    )
    data["phases"], data["materials"] = given["phases"], given["materials"]
    members = {mid: m | {"joined_at": call.now} for mid, m in given["members"].items()}
    data["members"] = members
    people = {mid: m for mid, m in members.items() if m["role"] == programmes.MEMBER}
    for item in given["timeline"]:
        new, _ = await import_into(call, run, events[item["session_id"]])
        created.append(new.record.id)
        await carry_roster(call.control, new.record.id, programme_id, {}, call.now)
        data["timeline"].append(item | {"session_id": new.record.id})
    for n, group in enumerate(given["groups"]):
        space = await call.context.creator.create(
            call.control, f"{data['title']}: {group['name']}", None, data["language"]
        )
        created.append(space.record.id)
        inside = {mid: people[mid] for mid in group["members"] if mid in people}
        await carry_roster(
            call.control, space.record.id, programme_id, inside, call.now, role=FACILITATOR
        )
        data["groups"].append(
            {
                "id": space.record.id,
                "name": group["name"] or f"{n + 1}",
                "members": list(inside),
                "session_id": space.record.id,
                "times": [],
                "themes": [],
                "meetings": group["meetings"],
            }
        )
    data["followups"] = [p | {"id": new_id()} for p in given["followups"]]
    tokens = {mid: new_token() for mid in members}
    grants = {token_hash(t): ProgrammeGrant(programme_id, mid) for mid, t in tokens.items()}
    grants[token_hash(organiser)] = ProgrammeGrant(programme_id)
    await call.context.store.programmes.create_programme(programme_id, data, grants)
    base = call.base_url()
    return {
        "id": programme_id,
        "title": data["title"],
        "organiser_token": organiser,
        "organiser_url": personal_url(base, programme_id, organiser),
        "members": [
            {
                "id": mid,
                **{k: m[k] for k in ("name", "organisation", "kind", "email", "role")},
                "token": tokens[mid],
                "url": personal_url(base, programme_id, tokens[mid]),
            }
            for mid, m in members.items()
        ],
    }
