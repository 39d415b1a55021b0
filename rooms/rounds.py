"""A breakout round's life: draft → open → closing → closed, with its rooms in `control`.

`breakouts.py` decides who sits with whom; this module turns that into a round everyone
sees (rooms with boards, members, a timer each), and keeps every change a facilitator
makes while it runs — moves, messages, more time, calls for help — in the same value.
Closed rounds go to `history`, whose pairs keep people from meeting again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from pycrdt import Doc

from . import boards, breakouts, private, session, timers
from .boards import BoardFacts
from .breakouts import Allocation, Pair, Person
from .control import (
    BOARDS,
    BREAKOUTS,
    NOTICES,
    TIMERS,
    Value,
    entry,
    ms,
    optional_ms,
    plain,
    put,
    table,
)
from .errors import Conflict, Invalid, NotFound

DRAFT = "draft"
OPEN = "open"
CLOSING = "closing"
CLOSED = "closed"
LIVE = (OPEN, CLOSING)
STRATEGIES = ("random", "balanced", "keep_apart", "csv", "choose", "reuse", "programme_groups")
PLACING = ("random", "balanced", "keep_apart", "reuse")  # their rooms are made for people
DEFAULT_CLOSING_MS = 60_000
MAX_MESSAGES = 20

ROOM_NAME = {"fi": "Huone {n}", "sv": "Rum {n}", "en": "Room {n}"}
MORE_TIME = {
    "fi": ("{n} minuuttia lisää", "{n} minuuttia vähemmän"),
    "sv": ("{n} minuter till", "{n} minuter mindre"),
    "en": ("{n} more minutes", "{n} minutes less"),
}
MOVED = {
    "fi": "Sinut siirrettiin: {room}",
    "sv": "Du flyttades till {room}",
    "en": "You were moved to {room}",
}


@dataclass(frozen=True)
class Plan:
    """Who goes where before any board exists: the outcome of a strategy."""

    strategy: str
    allocation: Allocation
    names: list[str] | None = None
    unassigned: tuple[str, ...] = ()
    capacity: int | None = None


def plan(
    strategy: str,
    people: Sequence[Person],
    *,
    rng: Random,
    rooms: int | None = None,
    group_size: int | None = None,
    key: str | None = None,
    ratio: Mapping[str, float] | None = None,
    csv_text: str | None = None,
    capacity: int | None = None,
    earlier: Allocation | None = None,
    history: set[Pair] | None = None,
    earlier_names: list[str] | None = None,
) -> Plan:
    """Run one allocation strategy; `history` (pairs of earlier rounds) avoids repeats.
    `reuse` takes the rooms of an earlier round, `programme_groups` the groups of the
    session's programme (rooms/programmes.py), as `earlier` (and `earlier_names`)."""
    sizes = {"rooms": rooms, "group_size": group_size}
    seen = history or set()
    if strategy == "random":
        return Plan(strategy, breakouts.random_groups(people, **sizes, rng=rng, history=seen))
    if strategy == "balanced":
        groups = breakouts.balanced_by_tag(
            people, key=key or "kind", ratio=ratio, **sizes, rng=rng, history=seen
        )
        return Plan(strategy, groups)
    if strategy == "keep_apart":
        groups = breakouts.keep_apart(people, key=key or "org", **sizes, rng=rng, history=seen)
        return Plan(strategy, groups)
    if strategy == "csv":
        if not csv_text:
            raise Invalid("the csv strategy needs 'csv': name,email,group rows")
        assigned = breakouts.from_csv(csv_text, people)
        return Plan(
            strategy, assigned.allocation, assigned.group_names, tuple(assigned.unassigned_ids)
        )
    if strategy == "choose":
        if rooms is None or capacity is None:
            raise Invalid("the choose strategy needs 'rooms' and 'capacity'")
        if not 0 < rooms <= 200 or capacity < 1:
            raise Invalid("give 1-200 rooms and a capacity of at least 1")
        return Plan(strategy, [[] for _ in range(rooms)], capacity=capacity)
    if strategy in ("reuse", "programme_groups"):
        if not earlier:
            raise Invalid(f"the {strategy} strategy needs the groups to reuse")
        present = {p.id for p in people}
        groups = [[pid for pid in room if pid in present] for room in earlier]
        for pid in sorted(present - {pid for room in groups for pid in room}):
            groups = breakouts.place_late_joiner(groups, pid)
        return Plan(strategy, groups, earlier_names)
    raise Invalid(f"strategy is one of {', '.join(STRATEGIES)}")


# reading


def current(doc: Doc[Any]) -> Value | None:
    return entry(doc, BREAKOUTS, "round")


def history(doc: Doc[Any]) -> list[Value]:
    return [plain(r) for r in table(doc, BREAKOUTS).get("history") or []]


def get(doc: Doc[Any], round_id: str) -> Value:
    value = current(doc)
    if value is None or value["id"] != round_id:
        if any(r["id"] == round_id for r in history(doc)):
            raise Conflict(f"round {round_id} is over; start a new round to reuse it")
        raise NotFound(f"no breakout round {round_id!r} in this session")
    return value


def earlier(doc: Doc[Any], round_id: str) -> Allocation:
    for value in history(doc):
        if value["id"] == round_id:
            return allocation(value)
    raise NotFound(f"no closed breakout round {round_id!r} to reuse")


def harvested_room(doc: Doc[Any], round_id: str, room_id: str) -> Value:
    """A room of a closed round, whose notes its group may promote to the main board."""
    for value in history(doc):
        if value["id"] == round_id:
            return room(value, room_id)
    get(doc, round_id)
    raise Conflict(
        f"round {round_id} has not closed yet; promote notes after it closes", "round_not_closed"
    )


def allocation(value: Value) -> Allocation:
    return [list(room["members"]) for room in value["rooms"]]


def pairs(doc: Doc[Any]) -> set[Pair]:
    seen: set[Pair] = set()
    for value in history(doc):
        seen |= breakouts.pairs_of(allocation(value))
    return seen


def met(doc: Doc[Any]) -> set[Pair]:
    """Who has met whom in the session's rounds, the one running now included (a draft
    nobody has gone to is not a meeting)."""
    value = current(doc)
    running = allocation(value) if value is not None and value["state"] != "draft" else []
    return pairs(doc) | breakouts.pairs_of(running)


def room(value: Value, room_id: str) -> Value:
    for candidate in value["rooms"]:
        if candidate["id"] == room_id:
            return dict(candidate)
    raise NotFound(f"no room {room_id!r} in round {value['id']}")


def room_of(value: Value, person_id: str) -> Value | None:
    return next((dict(r) for r in value["rooms"] if person_id in r["members"]), None)


def facts(doc: Doc[Any]) -> BoardFacts:
    value = current(doc)
    rooms: dict[str, frozenset[str]] = {}
    drafted: frozenset[str] = frozenset()
    if value is not None and value["state"] in LIVE:
        rooms = {r["board"]: frozenset(r["members"]) for r in value["rooms"]}
    elif value is not None and value["state"] == DRAFT:
        drafted = frozenset(r["board"] for r in value["rooms"])
    kept = dict.fromkeys(discarded(doc), frozenset[str]())
    confidential = [r for r in [*history(doc), value] if r is not None and r.get("confidential")]
    for r in confidential:
        kept |= {room["board"]: frozenset(room["members"]) for room in r["rooms"]}
    writing, writers, written_on = private.facts(doc)
    return BoardFacts(
        boards.open_to_all(doc),
        rooms,
        drafted,
        kept,
        session.ended(doc),
        writing,
        writers,
        written_on,
        boards.locked(doc),
        boards.guards(doc),
    )


def discarded(doc: Doc[Any]) -> list[str]:
    """The boards of discarded drafts: never listed, reused or opened to anyone again."""
    return list(table(doc, BREAKOUTS).get("discarded") or [])


def deadline(doc: Doc[Any]) -> int | None:
    value = current(doc)
    if value is None:
        return None
    if value["state"] == OPEN:
        return optional_ms(value["ends_at"])
    if value["state"] == CLOSING:
        return optional_ms(value["closes_at"])
    return None


# lifecycle


def draft(
    doc: Doc[Any],
    chosen: Plan,
    *,
    duration_ms: int,
    closing_ms: int,
    names: Sequence[str] | None,
    confidential: bool = False,
) -> Value:
    """A round the facilitator previews and adjusts before anyone moves. The rooms of a
    `confidential` round stay with their members after it closes (no harvest by others)."""
    value = current(doc)
    if value is not None and value["state"] != CLOSED:
        raise Conflict(
            f"round {value['id']} is {value['state']}; close or discard it first",
            "round_in_progress",
            round=value["number"],
        )
    timers.check_duration(duration_ms)
    if not 0 <= closing_ms <= 600_000:
        raise Invalid("the closing countdown is 0-600 000 ms")
    if not chosen.allocation:
        if chosen.strategy in PLACING:  # groups of a size, and nobody to fill one
            raise Invalid("a round needs at least one participant", "round_needs_people")
        raise Invalid("a round needs at least one room", "round_needs_room")
    labels = list(names or chosen.names or [])
    if len(labels) > len(chosen.allocation):
        raise Invalid(f"{len(labels)} names for {len(chosen.allocation)} rooms")
    language = session.language(doc)
    number = len(history(doc)) + 1
    round_id = f"r{number}"
    room_boards = boards_for(doc, chosen)
    rooms = []
    for i, members in enumerate(chosen.allocation):
        board = room_boards[i]
        named = i < len(labels)
        name = labels[i] if named else ROOM_NAME[language].format(n=i + 1)
        titles = None if named else {k: v.format(n=i + 1) for k, v in ROOM_NAME.items()}
        boards.add(
            doc, board, title=name, kind=boards.BREAKOUT_KIND, round_id=round_id, titles=titles
        )
        room_value = {"id": board, "name": name, "board": board, "members": list(members)}
        rooms.append(room_value | {"help_requested_at": None})
    return _save(
        doc,
        {
            "id": round_id,
            "number": number,
            "state": DRAFT,
            "strategy": chosen.strategy,
            "rooms": rooms,
            "unassigned": list(chosen.unassigned),
            "capacity": chosen.capacity,
            "duration_ms": duration_ms,
            "opened_at": None,
            "ends_at": None,
            "closing_ms": closing_ms,
            "closes_at": None,
            "closed_at": None,
            "messages": [],
            "confidential": confidential,
        },
    )


def boards_for(doc: Doc[Any], chosen: Plan) -> list[str]:
    """The boards a draft of `chosen` would create, one per room: numbered after the
    highest listed or discarded, so a new round never reuses an earlier round's board."""
    first = _next_board_number(doc)
    return [f"breakout-{first + i}" for i in range(len(chosen.allocation))]


def discard(doc: Doc[Any], round_id: str) -> None:
    """The draft's boards leave the list, and are remembered so that nobody but
    facilitators opens them again and the next draft numbers its boards past them."""
    value = _in_state(doc, round_id, DRAFT)
    for r in value["rooms"]:
        del table(doc, BOARDS)[r["board"]]
    dropped = [r["board"] for r in value["rooms"]]
    table(doc, BREAKOUTS)["discarded"] = [*discarded(doc), *dropped]
    del table(doc, BREAKOUTS)["round"]


def open_round(
    doc: Doc[Any],
    round_id: str,
    now: int,
    duration_ms: int | None = None,
    confidential: bool | None = None,
) -> Value:
    """Everyone goes to their room; each room gets a timer ending with the round.
    `confidential` None keeps what the draft said."""
    value = _in_state(doc, round_id, DRAFT)
    if confidential is not None:
        value["confidential"] = confidential
    duration = timers.check_duration(duration_ms or ms(value["duration_ms"]))
    for r in value["rooms"]:
        timers.create(doc, _timer_id(value, r), duration, now, label=r["name"], room=r["board"])
    rooms = [dict(r) | {"ends_at": now + duration} for r in value["rooms"]]
    value |= {
        "state": OPEN,
        "duration_ms": duration,
        "opened_at": now,
        "ends_at": now + duration,
        "rooms": rooms,
    }
    return _save(doc, value)


def close(doc: Doc[Any], round_id: str, now: int) -> Value:
    """Start the closing countdown (also reached on its own when the time is up)."""
    value = _in_state(doc, round_id, OPEN)
    for r in value["rooms"]:
        timer = timers.every(doc).get(_timer_id(value, r))
        if timer is not None and timer["state"] != timers.ENDED:
            timers.save(doc, timers.end(timer, now))
    value |= {"state": CLOSING, "closes_at": now + ms(value["closing_ms"])}
    return _save(doc, _without_help(value))


def finish(doc: Doc[Any], now: int) -> Value:
    """Everyone is back in main; the round's boards stay readable for the harvest, but
    for a confidential round's, which stay with their members."""
    value = current(doc)
    if value is None or value["state"] != CLOSING:
        raise Conflict("no round is closing")
    for r in value["rooms"]:
        table(doc, TIMERS).pop(_timer_id(value, r), None)
    value = _without_help(value) | {"state": CLOSED, "closed_at": now}
    rooms = [{k: r[k] for k in ("id", "name", "board", "members")} for r in value["rooms"]]
    past = {
        "id": value["id"],
        "number": value["number"],
        "closed_at": now,
        "rooms": rooms,
        "confidential": bool(value.get("confidential")),
    }
    table(doc, BREAKOUTS)["history"] = [*history(doc), past]
    return _save(doc, value)


# while it runs


def adjust(doc: Doc[Any], round_id: str, delta_ms: int, now: int) -> Value:
    """More or less time for every room at once; every room is told."""
    value = _in_state(doc, round_id, OPEN)
    return _retimed(doc, value, range(len(value["rooms"])), delta_ms, now)


def adjust_room(doc: Doc[Any], round_id: str, room_id: str, delta_ms: int, now: int) -> Value:
    """More or less time for one room alone: its timer moves, and the round ends with its
    last room (rooms whose time is up keep their board until then). Only that room is
    told (the message names it)."""
    value = _in_state(doc, round_id, OPEN)
    return _retimed(doc, value, [_index(value, room_id)], delta_ms, now)


def _retimed(doc: Doc[Any], value: Value, indices: Iterable[int], delta_ms: int, now: int) -> Value:
    rooms = [dict(r) for r in value["rooms"]]
    chosen = list(indices)
    for i in chosen:
        r = rooms[i]
        r["ends_at"] = max(now, _room_end(value, r) + delta_ms)
        timer = timers.every(doc).get(_timer_id(value, r))
        if timer is not None and timer["state"] != timers.ENDED:
            timers.save(doc, timers.adjust(timer, now, delta_ms))
    ends_at = max(_room_end(value, r) for r in rooms)
    more, less = MORE_TIME[session.language(doc)]
    minutes = round(abs(delta_ms) / 60_000, 1)
    text = (more if delta_ms >= 0 else less).format(n=f"{minutes:g}")
    # delta_ms too, so a client says it in its own language; a room's own change names it
    alone = {"room": rooms[chosen[0]]["id"]} if len(chosen) < len(rooms) else {}
    said = _said(value, text, "time", now, delta_ms=delta_ms, **alone)
    value |= {"ends_at": ends_at, "messages": said, "rooms": rooms}
    return _save(doc, value)


def _room_end(value: Value, room: Value) -> int:
    """When a room's time is up: its own end, or (rounds opened before rooms had one) the
    round's."""
    return ms(room.get("ends_at") or value["ends_at"])


def broadcast(doc: Doc[Any], round_id: str, text: str, now: int) -> Value:
    value = _in_state(doc, round_id, *LIVE)
    return _save(doc, value | {"messages": _said(value, text, "broadcast", now)})


def move(doc: Doc[Any], round_id: str, person_id: str, room_id: str, now: int) -> Value:
    """The facilitator moves someone (or places someone not yet placed); once the round
    is open they get a notice."""
    value = _in_state(doc, round_id, DRAFT, OPEN)
    index = _index(value, room_id)
    groups = allocation(value)
    if room_of(value, person_id) is None:
        groups[index].append(person_id)
        value["unassigned"] = [p for p in value["unassigned"] if p != person_id]
    else:
        groups = breakouts.move(groups, person_id, index)
    return _placed(doc, value, groups, person_id, index, now)


def choose(doc: Doc[Any], round_id: str, person_id: str, room_id: str) -> Value:
    value = _in_state(doc, round_id, DRAFT, OPEN)
    if value["capacity"] is None:
        raise Conflict(
            "in this round the facilitator places people; ask them to move you", "round_placed"
        )
    index = _index(value, room_id)
    groups = breakouts.choose(allocation(value), person_id, index, ms(value["capacity"]))
    value["unassigned"] = [p for p in value["unassigned"] if p != person_id]
    return _save(doc, _with(value, groups))


def place_late_joiner(doc: Doc[Any], person_id: str, now: int) -> Value | None:
    """Someone joins while a round is drafted or open: the smallest room takes them."""
    value = current(doc)
    if value is None or value["state"] not in (DRAFT, OPEN) or value["capacity"] is not None:
        return None
    groups = breakouts.place_late_joiner(allocation(value), person_id)
    index = next(i for i, g in enumerate(groups) if person_id in g)
    return dict(_placed(doc, value, groups, person_id, index, now)["rooms"][index])


def remove_person(doc: Doc[Any], person_id: str) -> None:
    value = current(doc)
    if value is None or value["state"] == CLOSED:
        return
    groups = [[p for p in g if p != person_id] for g in allocation(value)]
    value["unassigned"] = [p for p in value["unassigned"] if p != person_id]
    _save(doc, _with(value, groups))


def ask_help(doc: Doc[Any], round_id: str, person_id: str, now: int) -> Value:
    value = _in_state(doc, round_id, *LIVE)
    mine = room_of(value, person_id)
    if mine is None:
        raise Conflict("you are not in a room of this round", "not_in_room")
    return _set_help(doc, value, mine["id"], now)


def clear_help(doc: Doc[Any], round_id: str, room_id: str) -> Value:
    value = _in_state(doc, round_id, *LIVE)
    return _set_help(doc, value, room_id, None)


# helpers


def _save(doc: Doc[Any], value: Value) -> Value:
    table(doc, BREAKOUTS)["round"] = value
    return value


def _in_state(doc: Doc[Any], round_id: str, *states: str) -> Value:
    value = get(doc, round_id)
    if value["state"] not in states:
        raise Conflict(f"round {round_id} is {value['state']}; this needs {' or '.join(states)}")
    return value


def _index(value: Value, room_id: str) -> int:
    for i, r in enumerate(value["rooms"]):
        if r["id"] == room_id:
            return i
    raise NotFound(f"no room {room_id!r} in round {value['id']}")


def _with(value: Value, groups: Allocation) -> Value:
    rooms = [dict(r) | {"members": g} for r, g in zip(value["rooms"], groups, strict=True)]
    return value | {"rooms": rooms}


def _placed(
    doc: Doc[Any], value: Value, groups: Allocation, person_id: str, index: int, now: int
) -> Value:
    value = _save(doc, _with(value, groups))
    if value["state"] == OPEN:
        target = value["rooms"][index]
        text = MOVED[session.language(doc)].format(room=target["name"])
        put(
            doc,
            NOTICES,
            person_id,
            {"kind": "moved", "text": text, "room": target["board"], "at": now},
        )
    return value


def _set_help(doc: Doc[Any], value: Value, room_id: str, at: int | None) -> Value:
    index = _index(value, room_id)
    rooms = [dict(r) for r in value["rooms"]]
    rooms[index]["help_requested_at"] = at
    return _save(doc, value | {"rooms": rooms})


def _without_help(value: Value) -> Value:
    """A call for help ends with the round's time: nobody is left to answer it."""
    return value | {"rooms": [dict(r) | {"help_requested_at": None} for r in value["rooms"]]}


def _said(value: Value, text: str, kind: str, now: int, **extra: Any) -> list[Value]:
    if not text.strip() or len(text) > 500:
        raise Invalid("a message is 1-500 characters", "message_length", max=500)
    said = {"text": text, "at": now, "kind": kind, **extra}
    return [*value["messages"], said][-MAX_MESSAGES:]


def _timer_id(value: Value, r: Value) -> str:
    return f"{value['id']}-{r['id']}"


def _next_board_number(doc: Doc[Any]) -> int:
    taken = [
        int(name.removeprefix("breakout-"))
        for name in [*boards.listed(doc), *discarded(doc)]
        if name.startswith("breakout-") and name.removeprefix("breakout-").isdigit()
    ]
    return max(taken, default=0) + 1
