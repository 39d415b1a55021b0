"""A programme's groups (docs/programmes.md): formed once for the whole process by the
grouping rules, previewed and adjusted by the organiser; each with its own space (a
session of its own: a board, a timer) that only its members can open, their agreed
meeting times and themes, and a live session any member starts without an organiser.

An organiser sees that a group met (when, and how many notes its board holds), never
what it wrote: the space's grants go to its members only (facilitation/programmes.py).
"""

from __future__ import annotations

from random import Random
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pycrdt import Doc
from pydantic import BaseModel, Field

from rooms import breakouts, programmes, rounds, timers
from rooms.control import Value, table

from ...facilitation.access import FACILITATOR, MAIN
from ...facilitation.programmes import carry_roster, session_token, tokens_for
from ...facilitation.tokens import new_id
from ..commands import Call, Commands, members, organisers
from ..inputs import Body, bearer, text, whole
from ..problems import Problem
from .programmes import PROGRAMME
from .timers import Duration

GROUPS = PROGRAMME + "/groups"
GROUP = GROUPS + "/{group_id}"
MAX_SEED = 2**53
commands = Commands()


class GroupsDraft(Body):
    strategy: Literal["keep_apart", "balanced", "random"] = "keep_apart"
    group_size: Annotated[int, whole(2, 20)] = 3
    key: Annotated[str, text(32)] | None = Field(
        None, description="the member field the rule reads: org (keep_apart), kind (balanced)"
    )
    seed: Annotated[int, whole(0, MAX_SEED)] | None = None


class DraftMove(Body):
    member: Annotated[str, text(64)]
    group: Annotated[int, whole(0, programmes.MAX_GROUPS - 1)]


class Keep(Body):
    names: Annotated[list[Annotated[str, text(80)]], MaxLen(programmes.MAX_GROUPS)] | None = None


class Agreement(Body):
    times: Annotated[list[Annotated[str, text(120)]], MaxLen(programmes.MAX_TIMES)] = Field(
        default_factory=list
    )
    themes: Annotated[list[Annotated[str, text(200)]], MaxLen(programmes.MAX_THEMES)] = Field(
        default_factory=list
    )


class LiveStart(Body):
    duration_ms: Duration = 45 * 60_000


class Draft(BaseModel):
    strategy: str
    groups: list[list[str]]
    same_organisation_pairs: int = Field(description="pairs from one organisation in a group")


class SeenGroup(BaseModel):
    id: str
    name: str
    members: list[str]
    meetings: list[int] = Field(description="when a live session was started (ms)")
    notes: int = Field(description="how many notes its board holds, not what they say")


class SeenGroups(BaseModel):
    groups: list[SeenGroup]


class Group(BaseModel):
    id: str
    name: str
    members: list[str]
    session_id: str
    times: list[str]
    themes: list[str]
    meetings: list[int]


class Live(BaseModel):
    session_id: str
    board: str
    token: str = Field(description="the caller's token for the group's session")
    timer: dict[str, Any]


def _draft_answer(data: Value, draft: Value) -> Value:
    who = programmes.people(data)
    same = breakouts.same_tag_pairs(draft["groups"], who, "org")
    return {**draft, "same_organisation_pairs": same}


@commands.post(
    GROUPS + "/draft",
    "Preview groups formed by a grouping rule, avoiding pairs who met in the events' "
    "rounds (organiser)",
    access=organisers,
    body=GroupsDraft,
    result=Draft,
)
async def draft(call: Call[GroupsDraft]) -> Value:
    caller, body = call.programme, call.body
    assert caller is not None
    history: set[Any] = set()
    for item in caller.data["timeline"]:
        history |= await call.control.read(item["session_id"], rounds.met)
    rng = Random(body.seed)

    def form(data: Value) -> Value:
        return programmes.draft_groups(
            data,
            strategy=body.strategy,
            group_size=body.group_size,
            key=body.key,
            rng=rng,
            history=history,
        )

    store = call.context.store.programmes
    formed = await store.update_programme(caller.id, form)
    return _draft_answer(caller.data, formed)


@commands.post(
    GROUPS + "/draft/moves",
    "Adjust the preview: move a member to another group (organiser)",
    access=organisers,
    body=DraftMove,
    result=Draft,
)
async def move(call: Call[DraftMove]) -> Value:
    caller, body = call.programme, call.body
    assert caller is not None
    moved = await call.context.store.programmes.update_programme(
        caller.id, lambda data: programmes.move_in_draft(data, body.member, body.group)
    )
    return _draft_answer(caller.data, moved)


@commands.post(
    GROUPS,
    "Keep the preview: the groups are formed, each with a space of its own (organiser)",
    access=organisers,
    body=Keep,
    optional_body=True,
    result=SeenGroups,
    status=201,
)
async def keep(call: Call[Keep]) -> Value:
    caller = call.programme
    assert caller is not None
    data = caller.data
    planned = (data.get("groups_draft") or {}).get("groups")
    if data["groups"]:
        raise Problem(409, "the programme's groups are formed already")
    if not planned:
        raise Problem(409, "there is no draft of groups to keep")
    planned = [g for g in planned if g]
    given = call.body.names or []
    names = [given[i] if i < len(given) else f"{i + 1}" for i in range(len(planned))]
    session_ids = []
    for name, group in zip(names, planned, strict=True):
        new = await call.context.creator.create(
            call.control, f"{data['title']}: {name}", None, data["language"]
        )
        people = {mid: data["members"][mid] for mid in group if mid in data["members"]}
        await carry_roster(
            call.control, new.record.id, caller.id, people, call.now, role=FACILITATOR
        )
        session_ids.append(new.record.id)
    groups = await call.context.store.programmes.update_programme(
        caller.id, lambda d: programmes.keep_draft(d, session_ids, names)
    )
    return {"groups": [programmes.group_seen_by_organiser(g) | {"notes": 0} for g in groups]}


def _note_count(doc: Doc[Any]) -> int:
    return len(table(doc, "notes"))


@commands.get(
    GROUPS,
    "What an organiser sees of the groups: who, when they met, how many notes (organiser)",
    access=organisers,
    result=SeenGroups,
)
async def seen(call: Call[None]) -> Value:
    caller = call.programme
    assert caller is not None
    out = []
    for group in caller.data["groups"]:
        count = await call.control.read_board(group["session_id"], MAIN, _note_count)
        out.append(programmes.group_seen_by_organiser(group) | {"notes": count})
    return {"groups": out}


def _own_group(call: Call[Any]) -> Value:
    """The group of the path, when the caller is one of its members (organisers are not)."""
    caller = call.programme
    assert caller is not None
    group = programmes.group(caller.data, call.path("group_id"))
    if caller.member not in group["members"]:
        raise Problem(403, "only the group's own members can do this")
    return group


@commands.put(
    GROUP + "/agreement",
    "The group's agreed meeting times and themes (a member of the group)",
    access=members,
    body=Agreement,
    result=Group,
)
async def agree(call: Call[Agreement]) -> Value:
    caller, body = call.programme, call.body
    assert caller is not None
    group = _own_group(call)
    return await call.context.store.programmes.update_programme(
        caller.id,
        lambda data: programmes.agree(data, group["id"], times=body.times, themes=body.themes),
    )


@commands.post(
    GROUP + "/live",
    "Start the group's live session: its board and a running timer, no organiser needed; "
    "the others join it from their personal links (a member of the group)",
    access=members,
    body=LiveStart,
    optional_body=True,
    result=Live,
    status=201,
)
async def start_live(call: Call[LiveStart]) -> Value:
    caller = call.programme
    assert caller is not None
    group = _own_group(call)
    session_id = group["session_id"]
    personal = bearer(call.request)
    assert personal is not None
    await tokens_for(
        call.context.store.sessions, personal, caller.data, caller.member, caller.organiser
    )
    duration = call.body.duration_ms
    timer = await call.control.change(
        session_id, lambda doc: timers.create(doc, new_id(), duration, call.now, label="")
    )
    await call.context.store.programmes.update_programme(
        caller.id, lambda data: programmes.met(data, group["id"], call.now)
    )
    return {
        "session_id": session_id,
        "board": MAIN,
        "token": session_token(personal, session_id),
        "timer": timer,
    }
