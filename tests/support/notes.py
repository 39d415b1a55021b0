"""A sticky note as the browser client writes it (docs/schema.md), for tests that fill boards."""

from __future__ import annotations

from typing import Any

from pycrdt import Map, Text


def note_map(
    text: str,
    *,
    author: str,
    author_name: str,
    at: int,
    section: str | None = None,
    x: float = 0,
    y: float = 0,
) -> Map[Any]:
    return Map(
        {
            "text": Text(text),
            "x": x,
            "y": y,
            "color": "#fff59d",
            "section": section,
            "author": author,
            "author_name": author_name,
            "created_at": at,
        }
    )
