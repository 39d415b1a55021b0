"""Where a facilitator leads everyone's view: "bring everyone to me" moves each
participant's view once to the facilitator's board and viewport; "follow me" keeps them
on it, as it moves, until the facilitator stops (or a participant chooses to stop).

It is a command written into `control`, not a Yjs awareness field: awareness is not
authenticated, and only a facilitator may move other people's screens.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from . import boards
from .control import LEAD, Value, number, plain, table
from .errors import Invalid

MODES = ("follow", "bring")
# The zoom range every client allows (client/src/lib/viewport.ts).
MIN_ZOOM = 0.05
MAX_ZOOM = 4.0
# World coordinates of a viewport's centre: far beyond any board people can work on.
MAX_COORDINATE = 10_000_000
NOBODY: Value = {"mode": None, "board": None, "x": 0, "y": 0, "zoom": 1, "by": None, "at": None}


def start(
    doc: Doc[Any], *, mode: Any, board: Any, x: Any, y: Any, zoom: Any, by: str, now: int
) -> Value:
    """Lead everyone to a listed board, centred on (x, y) at `zoom`. Each call is news to
    the clients (a new `at`), so following a moving view is this command repeated."""
    if mode not in MODES:
        raise Invalid(f"'mode' is one of {', '.join(MODES)}")
    if not isinstance(board, str):
        raise Invalid("'board' is the name of a board of this session")
    boards.require_listed(doc, board)
    value = {
        "mode": mode,
        "board": board,
        "x": _bounded("x", x, -MAX_COORDINATE, MAX_COORDINATE),
        "y": _bounded("y", y, -MAX_COORDINATE, MAX_COORDINATE),
        "zoom": _bounded("zoom", zoom, MIN_ZOOM, MAX_ZOOM),
        "by": by,
        "at": now,
    }
    return _write(doc, value)


def stop(doc: Doc[Any], *, by: str, now: int) -> Value:
    """Nobody follows any more; the last view stays readable. Stopping twice is harmless."""
    return _write(doc, {**current(doc), "mode": None, "by": by, "at": now})


def current(doc: Doc[Any]) -> Value:
    return {**NOBODY, **{k: plain(v) for k, v in table(doc, LEAD).items()}}


def _write(doc: Doc[Any], value: Value) -> Value:
    target = table(doc, LEAD)
    for key, item in value.items():
        target[key] = item
    return current(doc)


def _bounded(name: str, value: Any, low: float, high: float) -> float:
    found = number(value)
    if found is None or not low <= found <= high:
        raise Invalid(f"'{name}' is a number from {low} to {high}")
    return found
