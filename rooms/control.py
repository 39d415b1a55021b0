"""The names of the `control` document's top-level types and the one way to read them.

Every value below a top-level type is plain JSON that the server replaces whole, so a
TypeScript client and a Python bot read it without knowing Yjs internals (docs/schema.md).
Yjs hands every number back as a float; `plain` makes whole ones ints again, so a value
read back equals the value written (and REST answers show 60000, not 60000.0).
"""

from __future__ import annotations

import math
from typing import Any

from pycrdt import Array, Doc, Map

from .errors import NotFound

SESSION = "session"
ROSTER = "roster"
AGENDA = "agenda"
TIMERS = "timers"
BREAKOUTS = "breakouts"
NOTICES = "notices"
VOTES = "votes"
POLLS = "polls"
BOARDS = "boards"
SUMMARIES = "summaries"
LEAD = "lead"
REACTIONS = "reactions"

Value = dict[str, Any]


def table(doc: Doc[Any], name: str) -> Map[Any]:
    """A top-level map of any document (control, a board, the server-only ballots)."""
    found: Map[Any] = doc.get(name, type=Map)
    return found


def from_state(state: bytes) -> Doc[Any]:
    """A fresh Doc holding a full state, for work off the server's event loop: a Doc is
    made and dropped in one thread. pycrdt refuses a corrupt state (ValueError or
    RuntimeError)."""
    doc: Doc[Any] = Doc()
    doc.apply_update(state)
    return doc


def summaries(doc: Doc[Any]) -> Array[Any]:
    found: Array[Any] = doc.get(SUMMARIES, type=Array)
    return found


def plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def entry(doc: Doc[Any], name: str, key: str) -> Value | None:
    value = table(doc, name).get(key)
    return plain(value) if isinstance(value, dict) else None


def require(doc: Doc[Any], name: str, key: str, what: str) -> Value:
    value = entry(doc, name, key)
    if value is None:
        raise NotFound(f"no {what} {key!r} in this session")
    return value


def entries(doc: Doc[Any], name: str) -> dict[str, Value]:
    return {k: plain(v) for k, v in table(doc, name).items() if isinstance(v, dict)}


def put(doc: Doc[Any], name: str, key: str, value: Value) -> Value:
    table(doc, name)[key] = value
    return value


def number(value: Any) -> float | None:
    """A finite number as a float, or None. Clients write boards, so a coordinate or time
    may be anything; a bool is no number here (Python counts True as 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def ms(value: Any) -> int:
    return int(value)


def optional_ms(value: Any) -> int | None:
    return None if value is None else int(value)
