"""Raised hands and quick reactions: a participant's signal to the facilitator's list and,
briefly, the Lab display. One entry per person in control's `reactions` (docs/schema.md),
replaced whole: `hand` (epoch ms when raised, or null) and the latest `emoji` with its `at`.
The display shows an emoji for a few seconds after `at`; nothing has to expire here."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from .control import REACTIONS, Value, entry, put
from .errors import Conflict, Invalid
from .session import ended, person

EMOJIS = ("👍", "❤️", "😂", "❓")
# One reaction per person per this many milliseconds: a burst of taps is one signal.
MIN_GAP_MS = 2_000


def _mine(doc: Doc[Any], person_id: str) -> Value:
    person(doc, person_id)  # a removed person raises nothing
    if ended(doc):
        raise Conflict("the session has ended")
    return entry(doc, REACTIONS, person_id) or {"hand": None, "emoji": None, "at": None}


def raise_hand(doc: Doc[Any], person_id: str, raised: bool, now: int) -> Value:
    value = _mine(doc, person_id)
    return put(doc, REACTIONS, person_id, {**value, "hand": now if raised else None})


def lower_hand(doc: Doc[Any], person_id: str) -> Value:
    """The facilitator lowers someone's hand once they have had their turn."""
    person(doc, person_id)
    value = entry(doc, REACTIONS, person_id) or {"hand": None, "emoji": None, "at": None}
    return put(doc, REACTIONS, person_id, {**value, "hand": None})


def react(doc: Doc[Any], person_id: str, emoji: str, now: int) -> Value | int:
    """The new entry, or how many milliseconds to wait before the next reaction."""
    if emoji not in EMOJIS:
        raise Invalid(f"a reaction is one of {' '.join(EMOJIS)}")
    value = _mine(doc, person_id)
    last = value.get("at")
    if isinstance(last, int) and now - last < MIN_GAP_MS:
        return MIN_GAP_MS - (now - last)
    return put(doc, REACTIONS, person_id, {**value, "emoji": emoji, "at": now})
