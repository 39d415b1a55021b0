"""Session templates: boards with their pre-drawn sections and an agenda whose items may
carry steps (open a breakout round, start the feedback polls, start a dot vote).

Templates are data so that a facilitator (not a programmer) can add one: the built-in ones
are JSON files in `rooms/templates/`, and a facilitator can save a running session's
structure as a new one (`from_session`). Every file is read through the one format in
template_format.py. Titles and instructions come in Finnish, Swedish and English; a
session takes the texts of its language while keeping the others for clients shown in
another language.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pycrdt import Doc, Map

from . import agenda, boards
from .control import Value, plain, table
from .errors import Invalid
from .template_format import SECTION_COLORS, TemplateFile, parse

DIRECTORY = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("fi", "sv", "en")


def names() -> list[str]:
    """The built-in templates' ids."""
    return sorted(path.stem for path in DIRECTORY.glob("*.json"))


@cache
def load(template_id: str) -> TemplateFile:
    """The built-in template of that id; `Invalid` when there is none."""
    if template_id not in names():
        raise Invalid(f"no template {template_id!r}; there are: {', '.join(names())}")
    return parse(json.loads((DIRECTORY / f"{template_id}.json").read_text(encoding="utf-8")))


def board_names(template: TemplateFile) -> list[str]:
    """The boards a template creates (`main` is always there)."""
    return [b.name for b in template.boards if b.name != boards.MAIN]


def apply(doc: Doc[Any], template: TemplateFile, language: str) -> None:
    """Write the template's boards and agenda (with its steps) into a new session's
    control document."""
    for board in template.boards:
        if board.name == boards.MAIN:
            continue
        titles = board.titles.model_dump()
        boards.add(doc, board.name, title=titles[language], open_to_all=True, titles=titles)
    items = [
        {
            "id": f"i{n + 1}",
            "title": getattr(item.titles, language),
            "titles": item.titles.model_dump(),
            "duration_ms": item.minutes * 60_000,
            "board": item.board,
            "instructions": getattr(item.instructions, language),
            "instruction_texts": item.instructions.model_dump(),
            "steps": [step.model_dump(mode="json") for step in item.steps],
        }
        for n, item in enumerate(template.agenda)
    ]
    agenda.replace(doc, items)


def sections(template: TemplateFile, board: str, language: str) -> list[Value]:
    """The sections a template lays out on one of its boards, titled in `language` and
    carrying their titles in every language for clients shown in another."""
    for declared in template.boards:
        if declared.name == board:
            return [
                {
                    **s.model_dump(exclude={"titles"}),
                    "title": getattr(s.titles, language),
                    "titles": s.titles.model_dump(),
                }
                for s in declared.sections
            ]
    return []


def laid_out(template: TemplateFile) -> list[str]:
    """The boards (`main` among them) on which the template draws sections."""
    return [b.name for b in template.boards if b.sections]


def from_session(
    control: Doc[Any],
    drawn: dict[str, list[Value]],
    *,
    titles: dict[str, str],
    descriptions: dict[str, str],
) -> dict[str, Any]:
    """A running session's structure as a template file: its listed boards (not breakout
    rooms) of `drawn` (board -> its sections as stored, docs/schema.md) in the order the
    agenda uses them, each with its sections, and its agenda with its steps. Texts a
    session has only in its own language are written in all three, for the facilitator to
    translate."""
    saved_boards = []
    listed = boards.listed(control)
    used = [item.get("board") for item in agenda.items(control)]
    for name in sorted(drawn, key=lambda b: (used.index(b) if b in used else len(used), b)):
        board = listed.get(name)
        breakout = board is None or board.get("kind") == boards.BREAKOUT_KIND
        if breakout or (name == boards.MAIN and not drawn[name]):
            continue
        assert board is not None
        saved_boards.append(
            {
                "name": name,
                "titles": _texts(board.get("titles"), board.get("title") or name, 200),
                "sections": [_section(s, n) for n, s in enumerate(drawn[name])],
            }
        )
    items = []
    for item in agenda.items(control):
        items.append(
            {
                "titles": _texts(item.get("titles"), item["title"], 200),
                "minutes": round(int(item.get("duration_ms") or 0) / 60_000),
                "board": item.get("board"),
                "instructions": _texts(
                    item.get("instruction_texts"), item.get("instructions") or "", 4000
                ),
                "steps": item.get("steps") or [],
            }
        )
    return {
        "titles": titles,
        "descriptions": descriptions,
        "boards": saved_boards,
        "agenda": items,
    }


def drawn_sections(board: Doc[Any]) -> list[Value]:
    """The sections on a board document, with their ids, oldest position first (top to
    bottom, left to right) so a saved template reads in the order it is laid out."""
    found = [
        {**plain(value), "id": section_id}
        for section_id, value in table(board, "sections").items()
        if isinstance(value, Map)
    ]
    return sorted(found, key=lambda s: (s.get("y") or 0, s.get("x") or 0, s["id"]))


def _section(stored: Value, position: int) -> Value:
    """A section as stored on a board, in the template's shape."""
    out: Value = {
        "id": _section_id(stored.get("id"), position),
        "titles": _texts(stored.get("titles"), stored.get("title") or "-", 200),
        "x": _number(stored.get("x"), 0),
        "y": _number(stored.get("y"), 0),
        "w": max(80.0, _number(stored.get("w"), 400)),
        "h": max(80.0, _number(stored.get("h"), 300)),
    }
    color = stored.get("color")
    if color in SECTION_COLORS:
        out["color"] = color
    return out


def _section_id(value: Any, position: int) -> str:
    text = str(value or "")
    safe = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "-_"))[:64]
    return safe or f"s{position + 1}"


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(max(-100_000, min(100_000, value)))


def _texts(value: Any, fallback: str, limit: int) -> dict[str, str]:
    """{fi, sv, en} from a stored text map, any missing language taking `fallback`."""
    given = value if isinstance(value, dict) else {}
    out = {}
    for language in LANGUAGES:
        text = given.get(language)
        out[language] = (text if isinstance(text, str) and text.strip() else fallback)[:limit]
    return out
