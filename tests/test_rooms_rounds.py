"""A breakout round's life on a control document: draft, open, closing, closed, and
everything a facilitator does while it runs. Allocation itself is tested in
test_breakouts.py."""

from __future__ import annotations

from random import Random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc

from rooms import deadlines, rounds, session, timers
from rooms.control import NOTICES, entry
from rooms.errors import Conflict, Invalid, NotFound

MIN = 60_000


def workshop(n: int = 6) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    session.start(doc, title="W", template=None, language="en", join_code="ABCD-EFGH", now=0)
    for i in range(n):
        session.join(doc, f"p{i}", name=f"P{i}", tags=[f"org:o{i % 3}"], now=0)
    return doc


def drafted(doc: Doc[Any], strategy: str = "keep_apart", **options: Any) -> dict[str, Any]:
    if "group_size" not in options:
        options.setdefault("rooms", 2)
    chosen = rounds.plan(strategy, session.people(doc), rng=Random(1), **options)
    return rounds.draft(doc, chosen, duration_ms=10 * MIN, closing_ms=MIN, names=None)


def test_a_round_goes_draft_open_closing_closed_and_everyone_returns() -> None:
    doc = workshop()
    value = drafted(doc)
    assert value["state"] == "draft" and [r["board"] for r in value["rooms"]] == [
        "breakout-1",
        "breakout-2",
    ]
    assert sorted(p for r in value["rooms"] for p in r["members"]) == [f"p{i}" for i in range(6)]
    facts = rounds.facts(doc)
    assert facts.drafted == {"breakout-1", "breakout-2"} and not facts.rooms

    opened = rounds.open_round(doc, "r1", 1_000)
    assert opened["ends_at"] == 1_000 + 10 * MIN
    assert {t["room"] for t in timers.every(doc).values()} == {"breakout-1", "breakout-2"}
    assert rounds.facts(doc).rooms["breakout-1"] == set(value["rooms"][0]["members"])
    assert deadlines.next_deadline(doc) == 1_000 + 10 * MIN

    fired = deadlines.advance(doc, 1_000 + 10 * MIN)
    assert [f.kind for f in fired] == ["timer.ended", "timer.ended", "breakout.closing"]
    closing = rounds.current(doc)
    assert closing is not None and closing["state"] == "closing"
    assert closing["closes_at"] == 1_000 + 11 * MIN

    fired = deadlines.advance(doc, 1_000 + 11 * MIN)
    assert [f.kind for f in fired] == ["breakout.closed"]
    closed = rounds.current(doc)
    assert closed is not None and closed["state"] == "closed"
    assert not rounds.facts(doc).rooms and not timers.every(doc)
    assert [h["id"] for h in rounds.history(doc)] == ["r1"]


def test_the_facilitator_can_close_early_and_only_one_round_runs_at_a_time() -> None:
    doc = workshop()
    drafted(doc)
    with pytest.raises(Conflict):
        drafted(doc)
    with pytest.raises(Conflict):
        rounds.close(doc, "r1", 0)
    rounds.open_round(doc, "r1", 0)
    rounds.close(doc, "r1", 5_000)
    assert all(t["state"] == "ended" for t in timers.every(doc).values())
    deadlines.advance(doc, 5_000 + MIN)
    second = drafted(doc, "random", rooms=3)
    assert second["id"] == "r2" and second["rooms"][0]["board"] == "breakout-3"
    with pytest.raises(Conflict):
        rounds.get(doc, "r1")
    with pytest.raises(NotFound):
        rounds.get(doc, "r9")


def test_moves_tell_the_person_once_the_round_is_open() -> None:
    doc = workshop()
    value = drafted(doc)
    person = value["rooms"][0]["members"][0]
    rounds.move(doc, "r1", person, "breakout-2", 0)
    assert entry(doc, NOTICES, person) is None
    rounds.open_round(doc, "r1", 0)
    rounds.move(doc, "r1", person, "breakout-1", 7)
    notice = entry(doc, NOTICES, person)
    assert notice == {
        "kind": "moved",
        "text": "You were moved to Room 1",
        "room": "breakout-1",
        "at": 7,
    }
    assert person in rounds.facts(doc).rooms["breakout-1"]
    assert person not in rounds.facts(doc).rooms["breakout-2"]
    with pytest.raises(NotFound):
        rounds.move(doc, "r1", person, "breakout-7", 0)


def test_late_joiners_go_to_the_smallest_room() -> None:
    doc = workshop(5)
    drafted(doc)
    rounds.open_round(doc, "r1", 0)
    session.join(doc, "late", name="Late", tags=[], now=1)
    placed = rounds.place_late_joiner(doc, "late", 1)
    assert placed is not None and placed["board"] == "breakout-2"
    assert len(placed["members"]) == 3


def test_messages_time_and_help_reach_every_room() -> None:
    doc = workshop()
    value = drafted(doc)
    rounds.open_round(doc, "r1", 0)
    rounds.broadcast(doc, "r1", "Five minutes left", 10)
    longer = rounds.adjust(doc, "r1", 2 * MIN, 20)
    assert longer["ends_at"] == 12 * MIN
    assert [m["kind"] for m in longer["messages"]] == ["broadcast", "time"]
    assert longer["messages"][-1]["text"] == "+2:00"
    assert all(t["ends_at"] == 12 * MIN for t in timers.every(doc).values())
    shorter = rounds.adjust(doc, "r1", -30 * MIN, 30)
    assert shorter["ends_at"] == 30
    asker = value["rooms"][1]["members"][0]
    helped = rounds.ask_help(doc, "r1", asker, 40)
    assert helped["rooms"][1]["help_requested_at"] == 40
    cleared = rounds.clear_help(doc, "r1", "breakout-2")
    assert cleared["rooms"][1]["help_requested_at"] is None
    with pytest.raises(Invalid):
        rounds.broadcast(doc, "r1", " ", 0)


def test_participants_choose_rooms_up_to_the_capacity() -> None:
    doc = workshop(3)
    value = drafted(doc, "choose", rooms=2, capacity=1)
    assert value["rooms"][0]["members"] == []
    rounds.choose(doc, "r1", "p0", "breakout-1")
    with pytest.raises(Exception, match="full"):
        rounds.choose(doc, "r1", "p1", "breakout-1")
    rounds.choose(doc, "r1", "p0", "breakout-2")
    rounds.choose(doc, "r1", "p1", "breakout-1")
    assert rounds.allocation(rounds.get(doc, "r1")) == [["p1"], ["p0"]]


def test_a_later_round_reuses_an_earlier_one_or_avoids_its_pairs() -> None:
    doc = workshop(6)
    drafted(doc, "keep_apart", group_size=2)
    rounds.open_round(doc, "r1", 0)
    rounds.close(doc, "r1", 1)
    rounds.finish(doc, 2)
    first = rounds.allocation(rounds.history(doc)[0])
    again = rounds.plan("reuse", session.people(doc), rng=Random(2), earlier=first)
    assert again.allocation == first
    fresh = rounds.plan(
        "random", session.people(doc), rng=Random(3), group_size=2, history=rounds.pairs(doc)
    )
    assert not rounds.pairs(doc) & {frozenset(r) for r in fresh.allocation}


def test_a_draft_can_be_discarded_and_a_person_removed() -> None:
    doc = workshop(4)
    value = drafted(doc)
    gone = value["rooms"][0]["members"][0]
    rounds.remove_person(doc, gone)
    assert gone not in {p for r in rounds.allocation(rounds.get(doc, "r1")) for p in r}
    boards = [r["board"] for r in value["rooms"]]
    rounds.discard(doc, "r1")
    assert rounds.current(doc) is None
    assert rounds.facts(doc).kept == dict.fromkeys(boards, frozenset())
    assert drafted(doc)["rooms"][0]["board"] == f"breakout-{len(boards) + 1}", "never reused"


def test_unknown_strategies_and_missing_inputs_are_invalid() -> None:
    doc = workshop(2)
    people = session.people(doc)
    for strategy, options in [
        ("nope", {"rooms": 1}),
        ("csv", {}),
        ("choose", {"rooms": 2}),
        ("reuse", {}),
    ]:
        with pytest.raises(Invalid):
            rounds.plan(strategy, people, rng=Random(0), **options)


@settings(max_examples=40, deadline=None)
@given(
    people=st.integers(min_value=1, max_value=12),
    rooms=st.integers(min_value=1, max_value=5),
    moves=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 4)), max_size=10),
)
def test_everyone_is_in_exactly_one_room_whatever_the_moves(
    people: int, rooms: int, moves: list[tuple[int, int]]
) -> None:
    doc = workshop(people)
    value = drafted(doc, "random", rooms=rooms)
    rounds.open_round(doc, value["id"], 0)
    for who, where in moves:
        if who < people and where < rooms:
            rounds.move(doc, "r1", f"p{who}", f"breakout-{where + 1}", 1)
    placed = [p for r in rounds.allocation(rounds.get(doc, "r1")) for p in r]
    assert sorted(placed) == sorted(f"p{i}" for i in range(people))
