"""Dot voting on a board's notes, with limits the server enforces.

A vote's settings and state live in `control`; the dots themselves live in a server-only
document (`ballots`), so while a vote is open nobody can see who voted for what — control
shows only how many dots were cast. Revealing writes the ranked results to control.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from . import boards
from .control import VOTES, Value, ms, put, require, table
from .errors import Conflict, Invalid

OPEN = "open"
CLOSED = "closed"
REVEALED = "revealed"
BALLOTS = "ballots"


@dataclass(frozen=True)
class Tally:
    """What a dot changed: the public counts, and the voter's own dots (for them only)."""

    dots_cast: int
    voters: int
    mine: dict[str, int]


def create(
    doc: Doc[Any],
    vote_id: str,
    *,
    title: str,
    board: str,
    section: str | None,
    per_participant: int,
    per_note: int,
    anonymous: bool,
    now: int,
) -> Value:
    boards.check_name(board)
    if not 1 <= per_participant <= 100:
        raise Invalid("per_participant is 1-100 dots")
    if not 1 <= per_note <= per_participant:
        raise Invalid("per_note is at least 1 and at most per_participant")
    vote = {
        "id": vote_id,
        "title": title,
        "board": board,
        "section": section,
        "per_participant": per_participant,
        "per_note": per_note,
        "anonymous": anonymous,
        "state": OPEN,
        "opened_at": now,
        "dots_cast": 0,
        "voters": 0,
        "results": None,
    }
    return put(doc, VOTES, vote_id, vote)


def get(doc: Doc[Any], vote_id: str) -> Value:
    return require(doc, VOTES, vote_id, "vote")


def mine(ballots: Doc[Any], vote_id: str, person_id: str) -> dict[str, int]:
    value = table(ballots, BALLOTS).get(f"{vote_id}/{person_id}")
    return {note: int(n) for note, n in (value or {}).items()}


def cast(
    vote: Value, ballots: Doc[Any], person_id: str, note: str, eligible: Collection[str]
) -> Tally:
    """Place one dot, within the vote's limits; `eligible` are the notes in its area."""
    _require_open(vote)
    if note not in eligible:
        where = f"section {vote['section']!r} of " if vote["section"] else ""
        raise Invalid(f"{note!r} is not a note in {where}board {vote['board']!r}")
    dots = mine(ballots, vote["id"], person_id)
    if sum(dots.values()) >= ms(vote["per_participant"]):
        raise Conflict(
            f"you have placed all your {ms(vote['per_participant'])} dots",
            "dots_used",
            n=ms(vote["per_participant"]),
        )
    if dots.get(note, 0) >= ms(vote["per_note"]):
        raise Conflict(
            f"at most {ms(vote['per_note'])} of your dots can go on one note",
            "dots_per_note",
            n=ms(vote["per_note"]),
        )
    dots[note] = dots.get(note, 0) + 1
    return _store(vote, ballots, person_id, dots)


def retract(vote: Value, ballots: Doc[Any], person_id: str, note: str) -> Tally:
    _require_open(vote)
    dots = mine(ballots, vote["id"], person_id)
    if not dots.get(note):
        raise Conflict(f"you have no dot on {note!r}")
    dots[note] -= 1
    return _store(vote, ballots, person_id, {k: n for k, n in dots.items() if n})


def tally(ballots: Doc[Any], vote_id: str) -> tuple[int, int]:
    """(dots cast, voters) of one vote."""
    totals = [sum(mine(ballots, vote_id, pid).values()) for pid in _voter_ids(ballots, vote_id)]
    return sum(totals), sum(1 for t in totals if t)


def record(doc: Doc[Any], vote_id: str, result: Tally) -> Value:
    vote = get(doc, vote_id)
    return put(doc, VOTES, vote_id, vote | {"dots_cast": result.dots_cast, "voters": result.voters})


def close(doc: Doc[Any], vote_id: str, now: int) -> Value:
    vote = _require_open(get(doc, vote_id))
    return put(doc, VOTES, vote_id, vote | {"state": CLOSED, "closed_at": now})


def results(vote: Value, ballots: Doc[Any]) -> list[Value]:
    """Notes by dots, most first; ties share a rank. Voters are named unless anonymous."""
    dots: Counter[str] = Counter()
    voters: dict[str, list[str]] = {}
    for pid in sorted(_voter_ids(ballots, vote["id"])):
        for note, n in mine(ballots, vote["id"], pid).items():
            dots[note] += n
            voters.setdefault(note, []).append(pid)
    ranked = sorted(dots.items(), key=lambda item: (-item[1], item[0]))
    out: list[Value] = []
    for position, (note, n) in enumerate(ranked):
        rank = out[-1]["rank"] if out and out[-1]["dots"] == n else position + 1
        named = None if vote["anonymous"] else voters[note]
        out.append({"note": note, "dots": n, "rank": rank, "voters": named})
    return out


def reveal(doc: Doc[Any], vote_id: str, ranked: list[Value]) -> Value:
    vote = get(doc, vote_id)
    if vote["state"] != CLOSED:
        raise Conflict(f"close the vote before revealing it (it is {vote['state']})")
    return put(doc, VOTES, vote_id, vote | {"state": REVEALED, "results": ranked})


def _require_open(vote: Value) -> Value:
    if vote["state"] != OPEN:
        raise Conflict(f"vote {vote['id']} is {vote['state']}")
    return vote


def _voter_ids(ballots: Doc[Any], vote_id: str) -> list[str]:
    prefix = f"{vote_id}/"
    return [
        key.removeprefix(prefix) for key in table(ballots, BALLOTS).keys() if key.startswith(prefix)
    ]


def _store(vote: Value, ballots: Doc[Any], person_id: str, dots: dict[str, int]) -> Tally:
    table(ballots, BALLOTS)[f"{vote['id']}/{person_id}"] = dots
    cast_total, voters = tally(ballots, vote["id"])
    return Tally(cast_total, voters, dots)
