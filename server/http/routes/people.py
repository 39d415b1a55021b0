"""People in a session: removing someone, promoting a co-facilitator, minting a token
for another Lab display."""

from __future__ import annotations

from typing import Any, Literal

from pycrdt import Doc
from pydantic import BaseModel, Field

from rooms import rounds, session
from rooms.control import NOTICES, Value, table

from ...facilitation.access import FACILITATOR, OBSERVER
from ...facilitation.tokens import display_url, new_token, token_hash
from ...store.sessions import Grant
from ...sync.messages import CloseCode
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body

PERSON = SESSION + "/participants/{participant_id}"
commands = Commands()


class RoleChange(Body):
    role: Literal["participant", "facilitator"]


class Removed(BaseModel):
    participant_id: str
    tokens_revoked: int
    sockets_closed: int = Field(
        description="the sockets this instance closed; other instances close theirs too"
    )


class Person(BaseModel):
    participant_id: str
    name: str
    tags: list[str]
    role: str
    joined_at: int | None = None


class Observer(BaseModel):
    token: str
    display_url: str


@commands.delete(
    PERSON,
    "Remove a person: tokens revoked, sockets closed with 4403 (facilitator)",
    access=roles(FACILITATOR),
    result=Removed,
)
async def remove(call: Call[None]) -> Value:
    """Out at once: tokens revoked first (so a reconnect fails), then sockets closed."""
    person_id = call.path("participant_id")
    await call.read(lambda doc: session.person(doc, person_id))
    revoked = await call.context.store.sessions.revoke_subject(call.session_id, person_id)
    closed = await call.control.disconnect(
        call.session_id, person_id, CloseCode.FORBIDDEN, "removed from the session"
    )

    def forget(doc: Doc[Any]) -> None:
        session.remove(doc, person_id)
        rounds.remove_person(doc, person_id)
        table(doc, NOTICES).pop(person_id, None)

    await call.change(forget)
    return {"participant_id": person_id, "tokens_revoked": revoked, "sockets_closed": closed}


@commands.put(
    PERSON + "/role",
    "Promote to co-facilitator or back (facilitator)",
    access=roles(FACILITATOR),
    body=RoleChange,
    result=Person,
)
async def set_role(call: Call[RoleChange]) -> Value:
    """A co-facilitator's own token gains facilitator rights (and loses them again)."""
    person_id, role = call.path("participant_id"), call.body.role
    await call.read(lambda doc: session.person(doc, person_id))
    await call.context.store.sessions.set_role(call.session_id, person_id, role)
    call.control.regrant(call.session_id, person_id, role)
    person = await call.change(lambda doc: session.set_role(doc, person_id, role))
    return {"participant_id": person_id, **person}


@commands.post(
    SESSION + "/observers",
    "Mint another read-only Lab display token, e.g. for a second screen (facilitator)",
    access=roles(FACILITATOR),
    result=Observer,
    status=201,
    refusals=(),
)
async def new_observer(call: Call[None]) -> Value:
    token = new_token()
    await call.context.store.sessions.add_grant(token_hash(token), Grant(call.session_id, OBSERVER))
    return {"token": token, "display_url": display_url(call.base_url(), call.session_id, token)}
