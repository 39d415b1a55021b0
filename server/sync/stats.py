"""Cheap facts about one loaded board, for the facilitator's overview of breakout rooms.

The overview polls every room of a round (30 rooms of 3 people is a normal round), so
nothing here may read a room's whole document per change. An applied update costs one
addition to a per-second bucket (`edited`); the note count is the length of the `notes`
map, which pycrdt keeps; the thumbnail (each note's position and colour, each section's
box) is read from the live document only when asked for, at most once per
`THUMBNAIL_SECONDS` per board and only if the board changed since, and stops after
`MAX_THUMBNAIL_NOTES` notes. Who is online comes from the board's connections and, for
people connected through another instance, from the presence they announce.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from pycrdt import Map

Value = dict[str, Any]
EDIT_WINDOW_SECONDS = 60
THUMBNAIL_SECONDS = 1.0
MAX_THUMBNAIL_NOTES = 200
MAX_THUMBNAIL_SECTIONS = 40
MAX_OUTCOME_NOTES = 12
MAX_OUTCOME_CHARS = 140


class BoardStats:
    """Kept by a `Document`: `edited` on every applied update, read by `snapshot`."""

    __slots__ = (
        "_clock",
        "_edits",
        "_last_edit_ms",
        "_outcome",
        "_thumbnail",
        "_thumbnail_at",
        "_version",
    )

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._edits: deque[list[int]] = deque()  # [second, updates applied in it], oldest first
        self._last_edit_ms: int | None = None
        self._thumbnail: Value | None = None
        self._thumbnail_at = 0.0
        self._version = -1  # the document version the thumbnail was read at
        self._outcome: tuple[int, list[str]] | None = None  # (version, texts)

    def edited(self) -> None:
        """One applied update: a few integer operations, nothing read from the document."""
        now = self._clock()
        second = int(now)
        self._last_edit_ms = int(now * 1000)
        if self._edits and self._edits[-1][0] == second:
            self._edits[-1][1] += 1
            return
        self._edits.append([second, 1])
        self._forget_before(second - EDIT_WINDOW_SECONDS)

    def edits_last_minute(self) -> int:
        self._forget_before(int(self._clock()) - EDIT_WINDOW_SECONDS)
        return sum(count for _, count in self._edits)

    def _forget_before(self, second: int) -> None:
        while self._edits and self._edits[0][0] <= second:
            self._edits.popleft()

    def thumbnail(self, notes: Map[Any], sections: Map[Any], version: int) -> Value:
        """The board's shape: read again only when it changed and the last read is at least
        `THUMBNAIL_SECONDS` old, so a busy room costs one read a second however many
        facilitators poll it."""
        now = self._clock()
        fresh = version == self._version or now - self._thumbnail_at < THUMBNAIL_SECONDS
        if self._thumbnail is None or not fresh:
            self._thumbnail = {
                "notes": _shapes(notes.values(), ("x", "y", "color"), MAX_THUMBNAIL_NOTES),
                "sections": _shapes(
                    sections.values(), ("x", "y", "w", "h", "color"), MAX_THUMBNAIL_SECTIONS
                ),
            }
            self._thumbnail_at, self._version = now, version
        return self._thumbnail

    def outcome(self, notes: Map[Any], version: int) -> list[str]:
        """The texts of the first notes, for the harvest once a round is over (its rooms
        are then rarely edited): read again only when the board changed."""
        if self._outcome is None or self._outcome[0] != version:
            texts: list[str] = []
            for note in notes.values():
                if len(texts) >= MAX_OUTCOME_NOTES:
                    break
                text = note.get("text") if isinstance(note, Map) else None
                if text is not None and str(text).strip():
                    texts.append(str(text).strip()[:MAX_OUTCOME_CHARS])
            self._outcome = (version, texts)
        return self._outcome[1]

    @property
    def last_edit_ms(self) -> int | None:
        return self._last_edit_ms


def _shapes(items: Iterable[Any], keys: tuple[str, ...], limit: int) -> list[list[Any]]:
    """`keys` of the first `limit` entries that have a finite position, as short lists."""
    shapes: list[list[Any]] = []
    for item in items:
        if len(shapes) >= limit:
            break
        if not isinstance(item, Map):
            continue
        values = [_plain(item.get(key)) for key in keys]
        if values[0] is None or values[1] is None:
            continue
        shapes.append(values)
    return shapes


def _plain(value: Any) -> int | str | None:
    """A coordinate as a whole number, a colour as a short string; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return round(value) if abs(value) < 1e9 else None  # NaN fails the comparison too
    if isinstance(value, str):
        return value[:32]
    return None
