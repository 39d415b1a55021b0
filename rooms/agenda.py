"""The agenda everyone sees: items with a planned duration, and the one the group is on.

Moving on can start the item's timer (the timer with id `agenda`), so the big screen
shows both where the group is and how long this part has left.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from . import boards, template_format, timers
from .control import AGENDA, Value, plain, table
from .errors import Conflict, Invalid, NotFound

MAX_ITEMS = 100
MAX_HISTORY = 500
LANGUAGES = ("fi", "sv", "en")


def item(raw: Any, position: int) -> Value:
    """One agenda item from untrusted JSON, with every field checked."""
    if not isinstance(raw, dict):
        raise Invalid(f"agenda item {position + 1} must be an object")
    title = raw.get("title")
    if not isinstance(title, str) or not 0 < len(title.strip()) <= 200:
        raise Invalid(f"agenda item {position + 1} needs a title of 1-200 characters")
    duration = raw.get("duration_ms", 0)
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int)
        or not 0 <= duration <= timers.MAX_MS
    ):
        raise Invalid(f"agenda item {position + 1}: duration_ms is 0-{timers.MAX_MS}")
    board = raw.get("board")
    if board is not None:
        if not isinstance(board, str):
            raise Invalid(f"agenda item {position + 1}: board must be a board name")
        boards.check_name(board)
    instructions = raw.get("instructions", "")
    if not isinstance(instructions, str) or len(instructions) > 4000:
        raise Invalid(
            f"agenda item {position + 1}: instructions are text of at most 4000 characters"
        )
    titles = raw.get("titles")
    if not _texts(titles, 200):
        raise Invalid(f"agenda item {position + 1}: titles map fi, sv and en to text")
    instruction_texts = raw.get("instruction_texts")
    if not _texts(instruction_texts, 4000):
        raise Invalid(f"agenda item {position + 1}: instruction_texts map fi, sv and en to text")
    item_id = raw.get("id", f"i{position + 1}")
    if not isinstance(item_id, str) or not 0 < len(item_id) <= 64:
        raise Invalid(f"agenda item {position + 1}: id is a string of 1-64 characters")
    try:
        steps = template_format.steps(raw.get("steps") or [])
    except Invalid as invalid:
        raise Invalid(f"agenda item {position + 1}: steps{invalid}") from invalid
    return {
        "id": item_id,
        "steps": steps,
        "title": title.strip(),
        "titles": titles,
        "duration_ms": duration,
        "board": board,
        "instructions": instructions,
        "instruction_texts": instruction_texts,
    }


def _texts(value: Any, limit: int) -> bool:
    """Whether `value` is absent or maps some of fi, sv and en to texts of at most `limit`."""
    return value is None or (
        isinstance(value, dict)
        and not set(value) - set(LANGUAGES)
        and all(isinstance(t, str) and len(t) <= limit for t in value.values())
    )


def items(doc: Doc[Any]) -> list[Value]:
    return [plain(i) for i in table(doc, AGENDA).get("items") or []]


def current(doc: Doc[Any]) -> str | None:
    value = table(doc, AGENDA).get("current")
    return value if isinstance(value, str) else None


def replace(doc: Doc[Any], raw_items: Any) -> list[Value]:
    """Set the whole agenda; the current item stays current if it is still there."""
    if not isinstance(raw_items, list) or len(raw_items) > MAX_ITEMS:
        raise Invalid(f"'items' is a list of at most {MAX_ITEMS} agenda items")
    new = [item(raw, i) for i, raw in enumerate(raw_items)]
    ids = [i["id"] for i in new]
    if len(set(ids)) != len(ids):
        raise Invalid("agenda item ids must be unique")
    agenda = table(doc, AGENDA)
    agenda["items"] = new
    if current(doc) not in ids:
        agenda["current"] = None
        agenda["started_at"] = None
    return new


def go_to(doc: Doc[Any], item_id: str | None, now: int, *, start_timer: bool) -> Value | None:
    """Make an item current (None: the agenda is done); optionally run its timer."""
    chosen = None
    if item_id is not None:
        chosen = next((i for i in items(doc) if i["id"] == item_id), None)
        if chosen is None:
            raise NotFound(f"no agenda item {item_id!r}")
    agenda = table(doc, AGENDA)
    agenda["history"] = _entered(doc, item_id, now)
    agenda["current"] = item_id
    agenda["started_at"] = now if chosen is not None else None
    if chosen is not None and start_timer and chosen["duration_ms"] > 0:
        timers.create(
            doc,
            timers.AGENDA_TIMER,
            int(chosen["duration_ms"]),
            now,
            label=chosen["title"],
            room=None,
        )
    return chosen


def advance(doc: Doc[Any], now: int, *, start_timer: bool) -> Value | None:
    """The next item (the first when none is current); after the last, the agenda is done."""
    ids = [i["id"] for i in items(doc)]
    if not ids:
        raise Conflict("the agenda is empty", "agenda_empty")
    at = current(doc)
    if at is None:
        following: str | None = ids[0]
    else:
        position = ids.index(at)
        following = ids[position + 1] if position + 1 < len(ids) else None
    return go_to(doc, following, now, start_timer=start_timer)


def history(doc: Doc[Any]) -> list[Value]:
    return [plain(v) for v in table(doc, AGENDA).get("history") or []]


def _entered(doc: Doc[Any], item_id: str | None, now: int) -> list[Value]:
    """The items as run, for the summary: the item being left ends now, the one entered
    starts now. Only the latest visits are kept, so control stays small."""
    visits = history(doc)
    if visits and visits[-1]["ended_at"] is None:
        visits[-1] = visits[-1] | {"ended_at": now}
    if item_id is not None:
        visits.append({"item": item_id, "started_at": now, "ended_at": None})
    return visits[-MAX_HISTORY:]


def claim_step(doc: Doc[Any], item_id: str, index: int, now: int) -> Value:
    """An agenda item's step, marked as run (`agenda.ran`, "item/index" -> epoch ms) before
    the server runs it, so a second click (or a second facilitator) cannot run it twice."""
    chosen = next((i for i in items(doc) if i["id"] == item_id), None)
    if chosen is None:
        raise NotFound(f"no agenda item {item_id!r}")
    steps = chosen.get("steps") or []
    if not 0 <= index < len(steps):
        raise NotFound(f"agenda item {item_id!r} has no step {index}")
    key = f"{item_id}/{index}"
    ran = dict(table(doc, AGENDA).get("ran") or {})
    if key in ran:
        raise Conflict(f"step {index} of agenda item {item_id!r} has run already")
    ran[key] = now
    table(doc, AGENDA)["ran"] = ran
    step: Value = steps[index]
    return step


def release_step(doc: Doc[Any], item_id: str, index: int) -> None:
    """Unmark a step whose run was refused, so it can be tried again."""
    ran = dict(table(doc, AGENDA).get("ran") or {})
    ran.pop(f"{item_id}/{index}", None)
    table(doc, AGENDA)["ran"] = ran
