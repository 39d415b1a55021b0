"""Where a page draws things on its board, and where the board document has them: what
the pointer tests compare while someone drags, moves or resizes."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from support.yclient import YClient

SHOWN_AT = """e => {
  const m = /translate\\(([-\\d.]+)px, ([-\\d.]+)px\\)/.exec(e.style.transform)
  return [Number(m[1]), Number(m[2])]
}"""


def doc_at(client: YClient, note_id: str) -> tuple[float, float]:
    n = client.notes()[note_id]
    return (n["x"], n["y"])


async def shown_at(page: Any, note_id: str) -> tuple[float, float]:
    """Where a page draws a note, in world units."""
    x, y = await page.locator(f"[data-note='{note_id}']").evaluate(SHOWN_AT)
    return (x, y)


async def until_shown(page: Any, note_id: str, where: tuple[float, float]) -> None:
    """Wait until the page draws the note at `where` (a bound as wide as a busy machine needs)."""
    deadline = time.monotonic() + 20
    while (now := await shown_at(page, note_id)) != where:
        assert time.monotonic() < deadline, f"{note_id} drawn at {now}, not {where}"
        await asyncio.sleep(0.05)


async def until_alike(mover: Any, watcher: Any, note_id: str) -> tuple[float, float]:
    """Wait until the watcher draws the note where the mover does, and say where. The
    mover's page may still be drawing its last pointer moves, so both are read again
    each time rather than the mover's once."""
    deadline = time.monotonic() + 20
    while (here := await shown_at(mover, note_id)) != (there := await shown_at(watcher, note_id)):
        assert time.monotonic() < deadline, f"{note_id} drawn at {here} and at {there}"
        await asyncio.sleep(0.05)
    return here


async def centre(page: Any, selector: str) -> tuple[float, float]:
    box = await page.locator(selector).bounding_box()
    assert box is not None
    return (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


async def settled_box(locator: Any) -> dict[str, float]:
    """The element's box once the board has stopped moving it: a board that synced late
    fits its view then, and a click aimed at the box measured before would land elsewhere."""
    deadline = time.monotonic() + 20
    box = await locator.bounding_box()
    while True:
        await asyncio.sleep(0.1)
        again = await locator.bounding_box()
        if again is not None and again == box:
            return again
        assert time.monotonic() < deadline, f"{locator} kept moving: {box} then {again}"
        box = again
