"""Quick anonymous polls: one choice, a 1-5 scale or a short text, with results hidden
until the poll closes so early answers do not sway later ones.

Answers live in the server-only `ballots` document, keyed by person only so that each
person answers once (answering again replaces the answer); results carry no names.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pycrdt import Doc

from .control import POLLS, Value, put, require, table
from .errors import Conflict, Invalid

CHOICE = "choice"
SCALE = "scale"
TEXT = "text"
KINDS = (CHOICE, SCALE, TEXT)
OPEN = "open"
CLOSED = "closed"
ANSWERS = "answers"
SCALE_OPTIONS = [1, 2, 3, 4, 5]
MAX_TEXT = 500

PRESETS: dict[str, dict[str, str]] = {
    "heard": {"fi": "Tulin kuulluksi", "sv": "Jag blev hörd", "en": "I felt heard"},
    "use": {
        "fi": "Aion käyttää sitä, mitä teimme",
        "sv": "Jag tänker använda det vi gjorde",
        "en": "I intend to use what we made",
    },
}


def create(
    doc: Doc[Any],
    poll_id: str,
    *,
    kind: str | None,
    question: str | None,
    options: Any,
    preset: str | None,
    language: str,
    now: int,
) -> Value:
    """A poll from a question, or a ready-made feedback question (a 1-5 scale)."""
    questions = None
    if preset is not None:
        if preset not in PRESETS:
            raise Invalid(f"preset is one of {', '.join(PRESETS)}")
        questions = PRESETS[preset]
        kind, question = kind or SCALE, question or questions[language]
    if kind not in KINDS:
        raise Invalid(f"kind is one of {', '.join(KINDS)}")
    if not question:
        raise Invalid("a poll needs a question (or a preset)")
    poll = {
        "id": poll_id,
        "kind": kind,
        "question": question,
        "questions": questions,
        "preset": preset,
        "options": _options(kind, options),
        "state": OPEN,
        "opened_at": now,
        "answers": 0,
        "results": None,
    }
    return put(doc, POLLS, poll_id, poll)


def get(doc: Doc[Any], poll_id: str) -> Value:
    return require(doc, POLLS, poll_id, "poll")


def answer(poll: Value, answers: Doc[Any], person_id: str, raw: Any) -> int:
    """Record (or replace) one person's answer; returns how many have answered."""
    if poll["state"] != OPEN:
        raise Conflict(f"poll {poll['id']} is closed", "poll_closed")
    table(answers, ANSWERS)[f"{poll['id']}/{person_id}"] = _checked(poll, raw)
    return len(_given(answers, poll["id"]))


def record(doc: Doc[Any], poll_id: str, count: int) -> Value:
    return put(doc, POLLS, poll_id, get(doc, poll_id) | {"answers": count})


def results(poll: Value, answers: Doc[Any]) -> Value:
    given = _given(answers, poll["id"])
    if poll["kind"] == TEXT:
        return {"texts": sorted(str(a) for a in given)}
    counts = Counter(str(a if poll["kind"] == CHOICE else int(a)) for a in given)
    labels = [str(o) for o in poll["options"]]
    out: Value = {"counts": {label: counts.get(label, 0) for label in labels}}
    if poll["kind"] == SCALE:
        out["mean"] = round(sum(int(a) for a in given) / len(given), 2) if given else None
    return out


def close(doc: Doc[Any], poll_id: str, outcome: Value, now: int) -> Value:
    poll = get(doc, poll_id)
    if poll["state"] != OPEN:
        raise Conflict(f"poll {poll_id} is already closed")
    return put(doc, POLLS, poll_id, poll | {"state": CLOSED, "closed_at": now, "results": outcome})


def _options(kind: str, options: Any) -> list[Any] | None:
    if kind == SCALE:
        return list(SCALE_OPTIONS)
    if kind == TEXT:
        return None
    if (
        not isinstance(options, list)
        or not 2 <= len(options) <= 12
        or not all(isinstance(o, str) and 0 < len(o.strip()) <= 200 for o in options)
        or len({o.strip() for o in options}) != len(options)
    ):
        raise Invalid("a choice poll needs 2-12 different options of 1-200 characters")
    return [o.strip() for o in options]


def _checked(poll: Value, raw: Any) -> str | int:
    kind = poll["kind"]
    if kind == SCALE:
        if isinstance(raw, bool) or raw not in SCALE_OPTIONS:
            raise Invalid("answer with a whole number from 1 to 5")
        return int(raw)
    if kind == CHOICE:
        if not isinstance(raw, str) or raw not in poll["options"]:
            raise Invalid(f"answer with one of: {', '.join(poll['options'])}")
        return raw
    if not isinstance(raw, str) or not 0 < len(raw.strip()) <= MAX_TEXT:
        raise Invalid(f"answer with text of 1-{MAX_TEXT} characters")
    return raw.strip()


def _given(answers: Doc[Any], poll_id: str) -> list[Any]:
    prefix = f"{poll_id}/"
    return [v for k, v in table(answers, ANSWERS).items() if k.startswith(prefix)]
