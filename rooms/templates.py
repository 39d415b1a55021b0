"""Session templates: an agenda and boards from a JSON file in `rooms/templates/`.

Templates are data so that a facilitator (not a programmer) can add one; titles and
instructions come in Finnish, Swedish and English, and a session takes the texts of its
language while keeping the others for clients shown in another language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pycrdt import Doc

from . import agenda, boards
from .control import Value
from .errors import Invalid

DIRECTORY = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class Template:
    id: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    boards: tuple[Value, ...]
    agenda: tuple[Value, ...]


def names() -> list[str]:
    return sorted(path.stem for path in DIRECTORY.glob("*.json"))


@cache
def load(template_id: str) -> Template:
    """The template of that id; `Invalid` when there is none (or its file is broken)."""
    if template_id not in names():
        raise Invalid(f"no template {template_id!r}; there are: {', '.join(names())}")
    raw = json.loads((DIRECTORY / f"{template_id}.json").read_text(encoding="utf-8"))
    template = Template(
        template_id,
        _texts(raw["titles"]),
        _texts(raw["descriptions"]),
        tuple(raw["boards"]),
        tuple(raw["agenda"]),
    )
    declared = {b["name"] for b in template.boards} | {boards.MAIN}
    for board in template.boards:
        boards.check_name(board["name"])
        _texts(board["titles"])
    for item in template.agenda:
        if item["board"] is not None and item["board"] not in declared:
            raise Invalid(f"template {template_id}: agenda board {item['board']!r} is not declared")
    return template


def board_names(template: Template) -> list[str]:
    return [b["name"] for b in template.boards]


def apply(doc: Doc[Any], template: Template, language: str) -> None:
    """Write the template's boards and agenda into a new session's control document."""
    for board in template.boards:
        titles = _texts(board["titles"])
        boards.add(doc, board["name"], title=titles[language], open_to_all=True, titles=titles)
    items = [
        {
            "id": f"i{n + 1}",
            "title": item["titles"][language],
            "titles": _texts(item["titles"]),
            "duration_ms": int(item["minutes"]) * 60_000,
            "board": item["board"],
            "instructions": item["instructions"][language],
            "instruction_texts": _texts(item["instructions"]),
        }
        for n, item in enumerate(template.agenda)
    ]
    agenda.replace(doc, items)


def sections(template: Template, board: str, language: str) -> list[Value]:
    """The sections a template lays out on one of its boards, titled in `language` and
    carrying their titles in every language for clients shown in another."""
    for declared in template.boards:
        if declared["name"] == board:
            return [
                {**s, "title": s["titles"][language], "titles": _texts(s["titles"])}
                for s in declared.get("sections", [])
            ]
    return []


def _texts(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        raise Invalid("template texts come in fi, sv and en")
    return {k: str(v) for k, v in value.items()}
