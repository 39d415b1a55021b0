"""Raised hands and quick reactions (rooms/reactions.py): a participant signals, the
facilitator's list and the Lab display show it through `control`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from rooms import reactions
from rooms.control import Value

from ...facilitation.access import FACILITATOR, PARTICIPANT
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body
from ..problems import Problem

commands = Commands()
REACTIONS = SESSION + "/reactions"


class Hand(Body):
    raised: bool


if TYPE_CHECKING:
    Emoji = str
else:  # listed once, in rooms/reactions.py
    Emoji = Literal[reactions.EMOJIS]


class Reaction(Body):
    emoji: Emoji


class Signal(BaseModel):
    hand: int | None
    emoji: str | None
    at: int | None


@commands.put(
    REACTIONS + "/hand",
    "Raise or lower your hand (participant)",
    access=roles(PARTICIPANT, FACILITATOR, person=True),
    body=Hand,
    result=Signal,
)
async def hand(call: Call[Hand]) -> Value:
    raised, person_id = call.body.raised, call.person_id
    return await call.change(lambda doc: reactions.raise_hand(doc, person_id, raised, call.now))


@commands.delete(
    REACTIONS + "/{participant_id}/hand",
    "Lower someone's hand (facilitator)",
    access=roles(FACILITATOR),
    result=Signal,
)
async def lower(call: Call[None]) -> Value:
    person_id = call.path("participant_id")
    return await call.change(lambda doc: reactions.lower_hand(doc, person_id))


@commands.post(
    REACTIONS,
    f"Send a quick reaction; one per {reactions.MIN_GAP_MS // 1000} s a person, faster is "
    "429 (participant)",
    access=roles(PARTICIPANT, FACILITATOR, person=True),
    body=Reaction,
    result=Signal,
    limits=(429,),
)
async def react(call: Call[Reaction]) -> Value:
    emoji, person_id = call.body.emoji, call.person_id
    done = await call.change(lambda doc: reactions.react(doc, person_id, emoji, call.now))
    if isinstance(done, int):
        raise Problem(
            429, "one reaction at a time", code="reaction_wait", retry_after=math.ceil(done / 1000)
        )
    return done
