"""The session's boards as control lists them: title, kind and whether everyone may write.

The store keeps which boards exist (the WebSocket endpoint checks that); this registry
is what clients show in their board list, and `BoardFacts` is what access decisions
need from the session state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc

from .control import BOARDS, Value, entries, put, require
from .errors import Invalid

MAIN = "main"
CONTROL = "control"
MAIN_KIND = "main"
BREAKOUT_KIND = "breakout"
BOARD_KIND = "board"
MAIN_TITLES = {"fi": "Yhteinen taulu", "sv": "Gemensam tavla", "en": "Main board"}
PRIVATE_PREFIX = "private-"  # one person's private board (rooms/private.py)
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class BoardFacts:
    """Who may use which board right now, as far as the session state says.

    `rooms` maps each breakout board of a round that is running (open or closing) to its
    members; `drafted` holds breakout boards of a round still in draft. `kept` maps the
    boards that stay with their members alone, in any state of their round, to those
    members: the rooms of a confidential round, and (with nobody) a discarded draft's.
    `ended` says the facilitator ended the session (participants only read from then on).
    `writing` is the id of the private writing that is on, `writers` the people who may
    each open their own private board in it, and `written_on` the shared board that
    participants only read meanwhile (their notes go to their private boards).

    `locked` holds the boards only facilitators write; `guards` the boards where some
    notes are locked (a section's, or every note's position), with what is locked.
    """

    open_to_all: frozenset[str] = frozenset()
    rooms: dict[str, frozenset[str]] = field(default_factory=dict)
    drafted: frozenset[str] = frozenset()
    kept: dict[str, frozenset[str]] = field(default_factory=dict)
    ended: bool = False
    writing: str | None = None  # the private writing that is on (rooms/private.py)
    writers: frozenset[str] = frozenset()  # who may write privately in it
    written_on: str | None = None  # the shared board its notes will be revealed on
    locked: frozenset[str] = frozenset()
    guards: dict[str, Guard] = field(default_factory=dict)


@dataclass(frozen=True)
class Guard:
    """What a participant may not change on a board whose notes are partly locked: the
    notes in `sections` (by the geometry rule of docs/schema.md), and with `positions`
    where any note stands."""

    sections: frozenset[str] = frozenset()
    positions: bool = False


def check_name(name: str) -> str:
    if not NAME.match(name) or name == CONTROL:
        raise Invalid("a board name is 1-64 lower-case letters, digits and dashes")
    if name.startswith(PRIVATE_PREFIX):
        raise Invalid(f"board names starting {PRIVATE_PREFIX!r} are kept for private writing")
    return name


def add(
    doc: Doc[Any],
    name: str,
    *,
    title: str,
    kind: str = BOARD_KIND,
    open_to_all: bool = False,
    round_id: str | None = None,
    titles: dict[str, str] | None = None,
) -> Value:
    """List a board; `titles` (fi, sv, en) when its title was made for the session's
    language rather than written by someone, so each client shows its viewer's own."""
    check_name(name)
    info = {"title": title, "kind": kind, "open_to_all": open_to_all, "round": round_id}
    if titles is not None:
        info["titles"] = titles
    return put(doc, BOARDS, name, info)


def change(
    doc: Doc[Any],
    name: str,
    *,
    title: str | None = None,
    open_to_all: bool | None = None,
    locked: bool | None = None,
    positions_locked: bool | None = None,
    locked_sections: list[str] | None = None,
) -> Value:
    """Change what is given; the locks (`locked`, `positions_locked`, `locked_sections`)
    bind participants only, and the server enforces them (docs/security.md, "Locks")."""
    info = require_listed(doc, name)
    for key, value in (
        ("locked", locked),
        ("positions_locked", positions_locked),
        ("locked_sections", locked_sections),
    ):
        if value is not None:
            info[key] = sorted(set(value)) if isinstance(value, list) else value
    if title is not None:
        info["title"] = title
        info.pop("titles", None)  # written by someone now: shown as written
    if open_to_all is not None:
        info["open_to_all"] = open_to_all
    return put(doc, BOARDS, name, info)


def require_listed(doc: Doc[Any], name: str) -> Value:
    return require(doc, BOARDS, name, "board")


def listed(doc: Doc[Any]) -> dict[str, Value]:
    return entries(doc, BOARDS)


def open_to_all(doc: Doc[Any]) -> frozenset[str]:
    return frozenset(name for name, info in listed(doc).items() if info.get("open_to_all"))


def locked(doc: Doc[Any]) -> frozenset[str]:
    return frozenset(name for name, info in listed(doc).items() if info.get("locked"))


def guards(doc: Doc[Any]) -> dict[str, Guard]:
    """The boards with locked sections or positions, and what is locked on each."""
    found = {}
    for name, info in listed(doc).items():
        sections = frozenset(info.get("locked_sections") or ())
        if sections or info.get("positions_locked"):
            found[name] = Guard(sections, bool(info.get("positions_locked")))
    return found
