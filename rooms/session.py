"""Who the session is and who is in it: the `session` header and the `roster` of people.

Only people who joined with the participant link are in the roster; the session's
creator and the display and bot tokens are roles, not people. Online status is presence
(awareness on the boards), so it is not kept here.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from . import timers
from .breakouts import Person, fold
from .control import ROSTER, SESSION, Value, entries, plain, put, require, table
from .errors import Conflict, Invalid

LANGUAGES = ("fi", "sv", "en")
PARTICIPANT = "participant"
FACILITATOR = "facilitator"
PERSON_ROLES = (PARTICIPANT, FACILITATOR)


def start(
    doc: Doc[Any], *, title: str, template: str | None, language: str, join_code: str, now: int
) -> None:
    if language not in LANGUAGES:
        raise Invalid(f"language is one of {', '.join(LANGUAGES)}")
    header = table(doc, SESSION)
    header["title"] = title
    header["template"] = template
    header["language"] = language
    header["join_code"] = join_code
    header["summary_names"] = False
    header["created_at"] = now
    header["ended_at"] = None


def set_join_code(doc: Doc[Any], join_code: str) -> None:
    """A session's own join code; an imported session gets a new one (the exported
    session's code still leads to that session)."""
    table(doc, SESSION)["join_code"] = join_code


def header(doc: Doc[Any]) -> Value:
    return {k: plain(v) for k, v in table(doc, SESSION).items()}


def change(doc: Doc[Any], *, title: str | None, summary_names: bool | None) -> Value:
    """What a facilitator may change after creation: the title, and whether the generated
    summary names people (it never does unless they say so)."""
    target = table(doc, SESSION)
    if title is not None:
        target["title"] = title
    if summary_names is not None:
        target["summary_names"] = summary_names
    return header(doc)


def pin_display(doc: Doc[Any], board: str | None) -> Value:
    """Keep the Lab display on one board (None: it follows the session again). The caller
    checks that the board is listed and not a breakout room."""
    table(doc, SESSION)["display_board"] = board
    return header(doc)


def names_allowed(doc: Doc[Any]) -> bool:
    return table(doc, SESSION).get("summary_names") is True


def end(doc: Doc[Any], now: int) -> int:
    """A session ends once: ending it again is refused, so `session.ended` goes out once.
    Its timers stop with it; participants may only read from now on (`ended`)."""
    target = table(doc, SESSION)
    if target.get("ended_at") is not None:
        raise Conflict("the session has already ended", "session_ended")
    target["ended_at"] = now
    timers.stop_all(doc, now)
    return now


def ended(doc: Doc[Any]) -> bool:
    return table(doc, SESSION).get("ended_at") is not None


def language(doc: Doc[Any]) -> str:
    value = table(doc, SESSION).get("language")
    return value if isinstance(value, str) else "en"


def join(doc: Doc[Any], person_id: str, *, name: str, tags: list[str], now: int) -> Value:
    person = {"name": name, "tags": spelled(doc, tags), "role": PARTICIPANT, "joined_at": now}
    return put(doc, ROSTER, person_id, person)


def spelled(doc: Doc[Any], tags: list[str]) -> list[str]:
    """Tags trimmed, each value spelled as the first person in the roster wrote it: one
    who types "KELA" after someone wrote "Kela" is shown (and grouped) as "Kela"."""
    first: dict[tuple[str, str], str] = {}
    for p in sorted(roster(doc).values(), key=lambda p: int(p.get("joined_at") or 0)):
        for tag in p.get("tags") or ():
            key, _, value = str(tag).partition(":")
            first.setdefault((key, fold(value)), value)
    out = []
    for tag in tags:
        key, colon, value = tag.partition(":")
        key, value = key.strip(), " ".join(value.split())
        out.append(f"{key}{colon}{first.get((key, fold(value)), value)}")
    return out


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
