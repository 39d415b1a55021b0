"""What a programme needs of sessions: its events and its groups' spaces are ordinary
sessions, and a member's one personal link opens every one of them they belong to.

A member's token for one of those sessions is derived from their personal token
(HMAC-SHA256 keyed by it, over the session id), so the server never stores the personal
token or any derived token, only their hashes, and a member's client gets the same
token for a session every time it asks. The grant behind it is written when the member
(or organiser) asks for it: an event grants its facilitator role to organisers and its
participant role to members; a group's space grants the facilitator role to its members
and nothing to anyone else, so an organiser's tokens cannot open a group's boards or
read them over REST: the ordinary access checks of the sessions enforce the
confidentiality.
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

from pycrdt import Doc

from rooms import programmes, session
from rooms.control import SESSION, table

from ..store.sessions import Grant, SessionStore
from .access import FACILITATOR, PARTICIPANT
from .authority import Control
from .tokens import token_hash

PROGRAMME_KEY = "programme"  # in an event's or group's `session` header: the programme id


def session_token(personal_token: str, session_id: str) -> str:
    """The member's token for one session of their programme."""
    digest = hmac.new(personal_token.encode(), b"paja-session:" + session_id.encode(), "sha256")
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def sessions_of(data: dict[str, Any], member: str, organiser: bool) -> dict[str, str]:
    """Every session of the programme the caller may open, with the role they have in it."""
    role = FACILITATOR if organiser else PARTICIPANT
    found = {e["session_id"]: role for e in data["timeline"]}
    if member:
        own = programmes.group_of(data, member)
        if own is not None:
            found[own["session_id"]] = FACILITATOR
    return found


async def tokens_for(
    sessions: SessionStore,
    personal_token: str,
    data: dict[str, Any],
    member: str,
    organiser: bool,
) -> dict[str, str]:
    """The caller's token for each session they may open, its grant written if missing."""
    out = {}
    for session_id, role in sessions_of(data, member, organiser).items():
        token = session_token(personal_token, session_id)
        hashed = token_hash(token)
        grant = Grant(session_id, role, member)
        if await sessions.find_grant(hashed) != grant:
            await sessions.add_grant(hashed, grant)
        out[session_id] = token
    return out


async def carry_roster(
    control: Control,
    session_id: str,
    programme_id: str,
    people: dict[str, dict[str, Any]],
    now: int,
    *,
    role: str = PARTICIPANT,
) -> None:
    """Members enter a session of the programme as if they had joined it: nobody joins
    again, and the roster's tags (org, kind) serve the grouping rules of its rounds."""

    def write(doc: Doc[Any]) -> None:
        table(doc, SESSION)[PROGRAMME_KEY] = programme_id
        for member_id, member in people.items():
            session.join(
                doc,
                member_id,
                name=member["name"],
                tags=list(programmes.member_tags(member)),
                now=now,
            )
            if role != PARTICIPANT:
                session.set_role(doc, member_id, role)

    await control.change(session_id, write)


def programme_of(doc: Doc[Any]) -> str | None:
    value = table(doc, SESSION).get(PROGRAMME_KEY)
    return value if isinstance(value, str) else None
