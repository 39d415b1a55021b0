"""Timer transitions on the server clock, without a server: the rules a facilitator relies
on when pausing, adding time and letting a timer run out."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc

from rooms import boards, deadlines, timers
from rooms.errors import Conflict, Invalid, NotFound

MIN = 60_000


def test_a_started_timer_ends_at_a_server_time_and_pauses_with_what_is_left() -> None:
    t = timers.start(timers.new("t", 5 * MIN), now=1_000)
    assert t["state"] == "running" and t["ends_at"] == 1_000 + 5 * MIN
    paused = timers.pause(t, now=1_000 + MIN)
    assert paused["state"] == "paused" and paused["ends_at"] is None
    assert paused["remaining_ms"] == 4 * MIN
    resumed = timers.resume(paused, now=10 * MIN)
    assert resumed["ends_at"] == 14 * MIN


def test_adding_and_taking_time_never_goes_below_zero() -> None:
    t = timers.start(timers.new("t", MIN), now=0)
    assert timers.adjust(t, 0, 2 * MIN)["ends_at"] == 3 * MIN
    assert timers.adjust(t, 30_000, -5 * MIN)["ends_at"] == 30_000
    idle = timers.new("t", MIN)
    assert timers.adjust(idle, 0, 30_000)["duration_ms"] == 90_000


def test_wrong_transitions_are_conflicts_and_bad_durations_invalid() -> None:
    idle = timers.new("t", MIN)
    with pytest.raises(Conflict):
        timers.pause(idle, 0)
    with pytest.raises(Conflict):
        timers.resume(idle, 0)
    with pytest.raises(Conflict):
        timers.adjust(timers.end(idle, 0), 0, MIN)
    with pytest.raises(Invalid):
        timers.new("t", 0)
    with pytest.raises(Invalid):
        timers.start(idle, 0, timers.MAX_MS + 1)


def test_reset_returns_to_idle_with_the_full_duration() -> None:
    t = timers.pause(timers.start(timers.new("t", MIN), 0), 10_000)
    assert timers.reset(t) == timers.new("t", MIN) | {"since": 0}, "still the shown timer"
    assert timers.reset(t, 2 * MIN)["remaining_ms"] == 2 * MIN


def test_since_moves_when_a_timer_starts_or_resumes_only() -> None:
    """`since` picks the timer every screen shows (docs/schema.md): start and resume
    bring a timer to the front; pause, time changes, reset and the end leave it."""
    t = timers.new("t", MIN)
    assert t["since"] is None
    t = timers.start(t, 100)
    assert t["since"] == 100
    for moved in (timers.pause(t, 200), timers.adjust(t, 200, MIN), timers.end(t, 300)):
        assert moved["since"] == 100
    assert timers.resume(timers.pause(t, 200), 400)["since"] == 400


def test_a_due_timer_ends_once_with_one_event_id() -> None:
    doc: Doc[Any] = Doc()
    timers.create(doc, "t", 1_000, 0, label="Break")
    assert deadlines.next_deadline(doc) == 1_000
    assert deadlines.advance(doc, 999) == []
    fired = deadlines.advance(doc, 5_000)
    assert [f.kind for f in fired] == ["timer.ended"]
    assert fired[0].id == "timer.ended:t:1000" and fired[0].data["label"] == "Break"
    ended = timers.get(doc, "t")
    assert ended["state"] == "ended" and ended["ended_at"] == 1_000
    assert deadlines.advance(doc, 6_000) == []
    assert deadlines.next_deadline(doc) is None


def test_a_room_timer_needs_a_board_of_the_session() -> None:
    doc: Doc[Any] = Doc()
    with pytest.raises(NotFound):
        timers.create(doc, "t", MIN, 0, room="breakout-9")
    boards.add(doc, "breakout-9", title="Room", kind=boards.BREAKOUT_KIND)
    assert timers.create(doc, "t", MIN, 0, room="breakout-9")["room"] == "breakout-9"


operations = st.lists(
    st.tuples(
        st.sampled_from(["pause", "resume", "adjust", "wait"]),
        st.integers(min_value=-3 * MIN, max_value=3 * MIN),
    ),
    max_size=30,
)


@given(duration=st.integers(min_value=1, max_value=60 * MIN), steps=operations)
def test_time_left_follows_a_simple_model(duration: int, steps: list[tuple[str, int]]) -> None:
    """Whatever a facilitator clicks, the time left is what a stopwatch would show."""
    now = 0
    t = timers.start(timers.new("t", duration), now)
    left, running = duration, True
    for op, amount in steps:
        if op == "wait":
            now += abs(amount)
            if running:
                left = max(0, left - abs(amount))
        elif op == "pause" and running:
            t, running = timers.pause(t, now), False
        elif op == "resume" and not running:
            t, running = timers.resume(t, now), True
        elif op == "adjust":
            t = timers.adjust(t, now, amount)
            left = max(0, left + amount)
        assert timers.remaining(t, now) == left
        assert t["state"] == ("running" if running else "paused")
        assert timers.due(t, now) == (running and left == 0)
