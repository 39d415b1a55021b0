"""What a webhook receives: a generic JSON event, or a Microsoft Teams Workflows message.

Both are built once, when the event happens, and stored in the outbox as text, so a
retry days later sends the same bytes. The Teams message is an Adaptive Card 1.4 in the
session's language that stays under Teams' size limit (about 28 KB): the longest parts
(top notes, answers, summary lines) are shortened or left out until it fits, and the
JSON is never cut. The bot client builds its cards with the same functions.

Cards render Markdown, so what people typed (titles, notes, answers, names) is escaped
after it is shortened, to show as typed: no link, emphasis or list of theirs reaches a
channel under the workflow's name. A posted summary is Markdown by its author (the
summary bot's escapes people's text the same way); it is told by its structure
(server/webhooks/cards.py): headings bold, figures as FactSets, list items as items.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

# Re-exported ("as"): the outbox and the bot client name events through this module.
from rooms.events import BREAKOUT_CLOSED
from rooms.events import POLL_CLOSED as POLL_CLOSED
from rooms.events import SESSION_ENDED as SESSION_ENDED
from rooms.events import SUMMARY_POSTED as SUMMARY_POSTED
from rooms.events import TIMER_ENDED as TIMER_ENDED
from rooms.summary import TEXTS, escape

from . import cards
from .cards import Part

BREAKOUTS_CLOSED = "breakouts.closed"

# The server's event kinds that webhooks hear, by their public names.
PUBLIC_NAMES = {
    SESSION_ENDED: SESSION_ENDED,
    BREAKOUT_CLOSED: BREAKOUTS_CLOSED,
    TIMER_ENDED: TIMER_ENDED,
    SUMMARY_POSTED: SUMMARY_POSTED,
    POLL_CLOSED: POLL_CLOSED,
}
EVENTS = tuple(PUBLIC_NAMES.values())
# Sent to one webhook when a facilitator asks (`POST S/webhooks/{wid}/test`); no webhook
# subscribes to it.
WEBHOOK_TEST = "webhook.test"

JSON_FORMAT = "json"
TEAMS_FORMAT = "teams"
FORMATS = (JSON_FORMAT, TEAMS_FORMAT)

TEAMS_LIMIT_BYTES = 28_000
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FACT_CHARS = 300
LINE_CAPS = (1_000, 200, 60)  # characters of one line, tried in turn
WANTED_LINES = 10

# What only messages say. A fact title is a label, so "answers" is not the summary's
# (which follows a number: "3 vastausta").
WORDS: dict[str, dict[str, str]] = {
    "fi": {
        SESSION_ENDED: "Tilaisuus päättyi",
        BREAKOUTS_CLOSED: "Pienryhmät päättyivät",
        TIMER_ENDED: "Ajastin päättyi",
        SUMMARY_POSTED: "Yhteenveto julkaistiin",
        POLL_CLOSED: "Kysely suljettiin",
        WEBHOOK_TEST: "Testiviesti: webhook toimii",
        "open": "Avaa taulu",
        "timer": "Ajastin",
        "room": "Huone",
        "round": "Kierros",
        "question": "Kysymys",
        "answers": "Vastauksia",
        "author": "Laatija",
        "results": "Tulokset",
        "more": "… ja {n} muuta",
    },
    "sv": {
        SESSION_ENDED: "Evenemanget har avslutats",
        BREAKOUTS_CLOSED: "Smågrupperna har avslutats",
        TIMER_ENDED: "Timern är slut",
        SUMMARY_POSTED: "En sammanfattning har publicerats",
        POLL_CLOSED: "Enkäten har stängts",
        WEBHOOK_TEST: "Testmeddelande: webhooken fungerar",
        "open": "Öppna tavlan",
        "timer": "Timer",
        "room": "Rum",
        "round": "Omgång",
        "question": "Fråga",
        "answers": "Svar",
        "author": "Författare",
        "results": "Resultat",
        "more": "… och {n} till",
    },
    "en": {
        SESSION_ENDED: "The session has ended",
        BREAKOUTS_CLOSED: "Breakout rooms closed",
        TIMER_ENDED: "Timer ended",
        SUMMARY_POSTED: "A summary was posted",
        POLL_CLOSED: "Poll closed",
        WEBHOOK_TEST: "Test message: the webhook works",
        "open": "Open board",
        "timer": "Timer",
        "room": "Room",
        "round": "Round",
        "question": "Question",
        "answers": "Answers",
        "author": "Author",
        "results": "Results",
        "more": "… and {n} more",
    },
}
# What messages and the summary's Markdown both show is named as the summary names it
# (rooms/summary.TEXTS), by the key a message uses.
FROM_SUMMARY = {
    "participants": "participants",
    "notes": "notes",
    "votes": "dots_cast",
    "boards": "boards",
    "polls": "polls",
    "top_notes": "top_notes",
    "mean": "mean",
    "poll_results": "poll_results",
}
COUNTS = ("participants", "notes", "votes", "boards", "polls")


@dataclass(frozen=True)
class SessionInfo:
    """What a message says about its session; `link` is where "Open board" leads."""

    id: str
    title: str
    language: str
    link: str


@dataclass(frozen=True)
class Event:
    id: str
    type: str  # one of EVENTS
    occurred_at: int  # epoch ms
    data: dict[str, Any]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def body(format: str, event: Event, session: SessionInfo) -> str:
    """The text to POST for a webhook of `format`."""
    return teams(event, session) if format == TEAMS_FORMAT else generic(event, session)


def generic(event: Event, session: SessionInfo) -> str:
    return _dumps(
        {
            "id": event.id,
            "type": event.type,
            "occurred_at": event.occurred_at,
            "session": {"id": session.id, "title": session.title, "url": session.link},
            "data": event.data,
        }
    )


def teams(event: Event, session: SessionInfo) -> str:
    """A Teams Workflows message of at most TEAMS_LIMIT_BYTES bytes (UTF-8).

    Long lines are clipped harder until at least WANTED_LINES of them fit; past that,
    lines are left out from the end and the card says how many more there were.
    """
    words = _words(session.language)
    facts = [(t, escape(cards.clip(v, FACT_CHARS))) for t, v in _facts(event, words)]
    parts = _parts(event, words)
    wanted = min(len(parts), WANTED_LINES)
    for cap in LINE_CAPS:
        rendered = [part.render(cap) for part in parts]
        build = partial(_message, event, session, words, facts, rendered)
        text, shown = _fit(build, len(parts))
        if shown >= wanted:
            break
    return text


def _words(language: str) -> dict[str, str]:
    """Every label of a message in `language` (English for any other)."""
    chosen = language if language in WORDS else "en"
    shared = {key: TEXTS[text][chosen] for key, text in FROM_SUMMARY.items()}
    return {key: text[:1].upper() + text[1:] for key, text in shared.items()} | WORDS[chosen]


def _fit(build: Callable[[int], dict[str, Any]], count: int) -> tuple[str, int]:
    """The message with the most of `count` lines that fits, and how many it shows.

    Title and facts are clipped, so the message without lines always fits.
    """
    low, high, best = 0, count, _dumps(build(0))
    while low < high:  # the largest n whose message fits, by bisection
        middle = (low + high + 1) // 2
        text = _dumps(build(middle))
        if len(text.encode()) <= TEAMS_LIMIT_BYTES:
            low, best = middle, text
        else:
            high = middle - 1
    return best, low


def _message(
    event: Event,
    session: SessionInfo,
    words: dict[str, str],
    facts: list[tuple[str, str]],
    parts: list[dict[str, Any]],
    shown: int,
) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        _text(escape(cards.clip(session.title, FACT_CHARS)), weight="Bolder", size="Medium"),
        _text(words[event.type], spacing="None", isSubtle=True),
    ]
    if facts:
        items.append({"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]})
    items.extend(parts[:shown])
    if shown < len(parts):
        items.append(_text(words["more"].format(n=len(parts) - shown), isSubtle=True))
    card = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "lang": session.language,
        "body": items,
        "actions": [{"type": "Action.OpenUrl", "title": words["open"], "url": session.link}],
    }
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _facts(event: Event, words: dict[str, str]) -> list[tuple[str, str]]:
    data = event.data
    if event.type == TIMER_ENDED:
        facts = [(words["timer"], str(data.get("label") or data.get("timer") or ""))]
        if data.get("room"):
            facts.append((words["room"], str(data["room"])))
        return facts
    if event.type == BREAKOUTS_CLOSED:
        return [(words["round"], str(data.get("round", "")))]
    if event.type == POLL_CLOSED:
        facts = [
            (words["question"], str(data.get("question", ""))),
            (words["answers"], str(data.get("answers", 0))),
        ]
        mean = (data.get("results") or {}).get("mean")
        if mean is not None:
            facts.append((words["mean"], str(mean)))
        return facts
    if event.type == SUMMARY_POSTED:
        return [(words["author"], str(data.get("author", "")))]
    counts = (data.get("summary") or {}).get("counts") or {}
    return [(words[k], str(counts[k])) for k in COUNTS if k in counts]


def _parts(event: Event, words: dict[str, str]) -> list[Part]:
    """The part of the card that may be shortened, from the event's structure: a poll's
    figures as a FactSet (its text answers as items), a posted summary by its Markdown,
    and an ended session's top notes as items and its polls' figures as FactSets."""
    data = event.data
    if event.type == POLL_CLOSED:
        results = data.get("results") or {}
        texts = [cards.item(str(t)) for t in results.get("texts") or []]
        counts = [(str(option), str(n)) for option, n in (results.get("counts") or {}).items()]
        table = [cards.facts(counts)] if counts else []
        shown = texts or table
        return [cards.heading(words["results"]), *shown] if shown else []
    if event.type == SUMMARY_POSTED:
        return cards.from_markdown(str(data.get("markdown", "")))
    if event.type == SESSION_ENDED:
        summary = data.get("summary") or {}
        notes = [cards.item(_top_note(n)) for n in summary.get("top_notes") or [] if n]
        parts = [cards.heading(words["top_notes"]), *notes] if notes else []
        polls = [p for p in summary.get("polls") or [] if isinstance(p, dict)]
        if any(_figures(p, words) for p in polls):
            parts.append(cards.heading(words["poll_results"]))
        for poll in polls:
            shares = _figures(poll, words)
            if shares:
                parts += [cards.heading(str(poll.get("question", "")), level=3)]
                parts.append(cards.facts(shares))
        return parts
    return []


def _figures(poll: dict[str, Any], words: dict[str, str]) -> list[tuple[str, str]]:
    """A summary's poll as figures: each option's count and share, and the mean."""
    out = [
        (str(o.get("option", "")), f"{o.get('count', 0)} ({o.get('percent', 0):g} %)")
        for o in poll.get("options") or []
        if isinstance(o, dict)
    ]
    if poll.get("mean") is not None:
        out.append((words["mean"], str(poll["mean"])))
    return out


def _top_note(note: dict[str, Any]) -> str:
    dots = note.get("dots")
    text = str(note.get("text", ""))  # its spacing is evened out with the line's clipping
    return f"{text} ({dots})" if dots else text
