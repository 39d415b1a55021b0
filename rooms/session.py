"""Who the session is and who is in it: the `session` header and the `roster` of people.

Only people who joined with the participant link are in the roster; the session's
creator and the display and bot tokens are roles, not people. Online status is presence
(awareness on the boards), so it is not kept here.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from .breakouts import Person
from .control import ROSTER, SESSION, Value, entries, put, require, table
from .errors import Invalid

LANGUAGES = ("fi", "sv", "en")
PARTICIPANT = "participant"
FACILITATOR = "facilitator"
PERSON_ROLES = (PARTICIPANT, FACILITATOR)


def start(doc: Doc[Any], *, title: str, template: str | None, language: str, now: int) -> None:
    if language not in LANGUAGES:
        raise Invalid(f"language is one of {', '.join(LANGUAGES)}")
    header = table(doc, SESSION)
    header["title"] = title
    header["template"] = template
    header["language"] = language
    header["created_at"] = now


def language(doc: Doc[Any]) -> str:
    value = table(doc, SESSION).get("language")
    return value if isinstance(value, str) else "en"


def join(doc: Doc[Any], person_id: str, *, name: str, tags: list[str], now: int) -> Value:
    person = {"name": name, "tags": list(tags), "role": PARTICIPANT, "joined_at": now}
    return put(doc, ROSTER, person_id, person)


def person(doc: Doc[Any], person_id: str) -> Value:
    return require(doc, ROSTER, person_id, "participant")


def set_role(doc: Doc[Any], person_id: str, role: str) -> Value:
    if role not in PERSON_ROLES:
        raise Invalid(f"a person's role is one of {', '.join(PERSON_ROLES)}")
    return put(doc, ROSTER, person_id, {**person(doc, person_id), "role": role})


def remove(doc: Doc[Any], person_id: str) -> None:
    person(doc, person_id)
    del table(doc, ROSTER)[person_id]


def roster(doc: Doc[Any]) -> dict[str, Value]:
    return entries(doc, ROSTER)


def people(doc: Doc[Any]) -> list[Person]:
    """The participants a breakout round places; facilitators move between rooms freely."""
    return [
        Person(pid, str(p["name"]), tuple(p.get("tags") or ()))
        for pid, p in roster(doc).items()
        if p.get("role") == PARTICIPANT
    ]
