"""What happens on its own when time passes: timers end, breakout rounds close.

`advance` is the only place these transitions run, whether the scheduler wakes up on
time or after a restart long past the deadline; `next_deadline` tells it when to wake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc

from . import rounds, timers
from .control import ms
from .events import BREAKOUT_CLOSED, BREAKOUT_CLOSING, TIMER_ENDED


@dataclass(frozen=True)
class Fired:
    """One event; `id` is the same on every server that sees it, so it fires once."""

    kind: str
    id: str
    data: dict[str, Any] = field(default_factory=dict)


def next_deadline(doc: Doc[Any]) -> int | None:
    times = [t for t in (timers.deadline(v) for v in timers.every(doc).values()) if t is not None]
    round_deadline = rounds.deadline(doc)
    if round_deadline is not None:
        times.append(round_deadline)
    return min(times, default=None)


def advance(doc: Doc[Any], now: int) -> list[Fired]:
    """Apply every transition that is due at `now` and return what fired."""
    fired: list[Fired] = []
    for timer in timers.every(doc).values():
        if timers.due(timer, now):
            ends_at = ms(timer["ends_at"])
            timers.save(doc, timers.end(timer, ends_at))
            data = {"timer": timer["id"], "label": timer["label"], "room": timer["room"]}
            fired.append(Fired(TIMER_ENDED, f"{TIMER_ENDED}:{timer['id']}:{ends_at}", data))
    value = rounds.current(doc)
    if value is not None and value["state"] == rounds.OPEN and ms(value["ends_at"]) <= now:
        value = rounds.close(doc, value["id"], now)
        fired.append(_round_event(BREAKOUT_CLOSING, value, ms(value["ends_at"])))
    if value is not None and value["state"] == rounds.CLOSING and ms(value["closes_at"]) <= now:
        closes_at = ms(value["closes_at"])
        value = rounds.finish(doc, now)
        fired.append(_round_event(BREAKOUT_CLOSED, value, closes_at))
    return fired


def _round_event(kind: str, value: dict[str, Any], at: int) -> Fired:
    return Fired(kind, f"{kind}:{value['id']}:{at}", {"round": value["id"]})
