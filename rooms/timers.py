"""Timers that run on the server's clock, so every screen shows the same time left and a
timer ends even when the facilitator's laptop has gone to sleep.

A timer is a plain value in control's `timers` map. Each transition is a pure function
from one value to the next (easy to test exhaustively); `update` applies one to the
document.

Several session-wide timers may exist (the agenda item's, a coffee break's); the one every
screen shows is the one started or resumed last. `since` records when that happened, so
a client picks the shown timer from the values alone (docs/schema.md, "timers").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Doc

from . import boards
from .control import TIMERS, Value, entries, ms, optional_ms, put, require, table
from .errors import Conflict, Invalid, NotFound

IDLE = "idle"
RUNNING = "running"
PAUSED = "paused"
ENDED = "ended"

MAX_MS = 24 * 3600 * 1000
AGENDA_TIMER = "agenda"


def check_duration(duration_ms: int) -> int:
    if not 0 < duration_ms <= MAX_MS:
        raise Invalid(f"a duration is between 1 ms and {MAX_MS} ms")
    return duration_ms


def new(timer_id: str, duration_ms: int, *, label: str = "", room: str | None = None) -> Value:
    check_duration(duration_ms)
    return {
        "id": timer_id,
        "label": label,
        "room": room,
        "state": IDLE,
        "duration_ms": duration_ms,
        "remaining_ms": duration_ms,
        "ends_at": None,
        "ended_at": None,
        "since": None,
    }


def remaining(timer: Value, now: int) -> int:
    if timer["state"] == RUNNING:
        return max(0, ms(timer["ends_at"]) - now)
    return ms(timer["remaining_ms"])


def start(timer: Value, now: int, duration_ms: int | None = None) -> Value:
    """Run from the full duration, whatever the state: a restart is a start."""
    duration = check_duration(duration_ms) if duration_ms is not None else ms(timer["duration_ms"])
    return {
        **timer,
        "state": RUNNING,
        "duration_ms": duration,
        "remaining_ms": duration,
        "ends_at": now + duration,
        "ended_at": None,
        "since": now,
    }


def pause(timer: Value, now: int) -> Value:
    if timer["state"] != RUNNING:
        raise Conflict(f"only a running timer can be paused; this one is {timer['state']}")
    return {**timer, "state": PAUSED, "remaining_ms": remaining(timer, now), "ends_at": None}


def resume(timer: Value, now: int) -> Value:
    if timer["state"] != PAUSED:
        raise Conflict(f"only a paused timer can be resumed; this one is {timer['state']}")
    left = ms(timer["remaining_ms"])
    return {**timer, "state": RUNNING, "ends_at": now + left, "since": now}


def adjust(timer: Value, now: int, delta_ms: int) -> Value:
    """Add (or with a negative delta, take away) time; never below zero left."""
    if abs(delta_ms) > MAX_MS:
        raise Invalid(f"time can change by at most {MAX_MS} ms at once")
    state = timer["state"]
    if state == ENDED:
        raise Conflict("the timer has ended; start or reset it", "timer_ended")
    if state == RUNNING:
        left = max(0, remaining(timer, now) + delta_ms)
        return {**timer, "ends_at": now + left, "remaining_ms": left}
    if state == IDLE:
        duration = max(1, ms(timer["duration_ms"]) + delta_ms)
        return {**timer, "remaining_ms": duration, "duration_ms": duration}
    return {**timer, "remaining_ms": max(0, ms(timer["remaining_ms"]) + delta_ms)}


def reset(timer: Value, duration_ms: int | None = None) -> Value:
    duration = check_duration(duration_ms) if duration_ms is not None else ms(timer["duration_ms"])
    return {
        **timer,
        "state": IDLE,
        "duration_ms": duration,
        "remaining_ms": duration,
        "ends_at": None,
        "ended_at": None,
    }


def end(timer: Value, now: int) -> Value:
    return {**timer, "state": ENDED, "remaining_ms": 0, "ends_at": None, "ended_at": now}


def due(timer: Value, now: int) -> bool:
    return timer["state"] == RUNNING and ms(timer["ends_at"]) <= now


def deadline(timer: Value) -> int | None:
    return optional_ms(timer["ends_at"]) if timer["state"] == RUNNING else None


# on the document


def get(doc: Doc[Any], timer_id: str) -> Value:
    return require(doc, TIMERS, timer_id, "timer")


def every(doc: Doc[Any]) -> dict[str, Value]:
    return entries(doc, TIMERS)


def save(doc: Doc[Any], timer: Value) -> Value:
    return put(doc, TIMERS, timer["id"], timer)


def update(doc: Doc[Any], timer_id: str, transition: Callable[[Value], Value]) -> Value:
    return save(doc, transition(get(doc, timer_id)))


def stop_all(doc: Doc[Any], now: int) -> None:
    """The session ended: every running or paused timer ends now, whatever it had left
    (no `timer.ended` event fires for these: the session's own end is the news)."""
    for timer in every(doc).values():
        if timer["state"] in (RUNNING, PAUSED):
            save(doc, end(timer, now))


def delete(doc: Doc[Any], timer_id: str) -> None:
    get(doc, timer_id)
    del table(doc, TIMERS)[timer_id]


def create(
    doc: Doc[Any],
    timer_id: str,
    duration_ms: int,
    now: int,
    *,
    label: str = "",
    room: str | None = None,
    running: bool = True,
) -> Value:
    """A new timer (replacing one of the same id): session-wide, or for one room's board."""
    if room is not None and room not in boards.listed(doc):
        raise NotFound(f"no board {room!r} to run a room timer in")
    timer = new(timer_id, duration_ms, label=label, room=room)
    return save(doc, start(timer, now) if running else timer)
