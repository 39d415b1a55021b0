"""A board's overview facts (server/sync/stats.py) cost an addition per update: edits are
counted per second over the last minute, and the thumbnail is read from the document at
most once a second, only when it changed, and never past its bound."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from server.sync.stats import MAX_THUMBNAIL_NOTES, BoardStats


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def board(notes: int) -> tuple[Doc[Any], Map[Any], Map[Any]]:
    doc: Doc[Any] = Doc()
    table = doc.get("notes", type=Map)
    for i in range(notes):
        table[f"n{i}"] = Map({"x": i * 10.4, "y": 5, "color": "#abc"})
    return doc, table, doc.get("sections", type=Map)


def test_edits_are_counted_over_the_last_minute_only() -> None:
    clock = Clock()
    stats = BoardStats(clock)
    for _ in range(5):
        stats.edited()
    clock.now += 30
    stats.edited()
    assert stats.edits_last_minute() == 6
    assert stats.last_edit_ms == int(clock.now * 1000)
    clock.now += 30.5
    assert stats.edits_last_minute() == 1, "the first five are over a minute old"
    clock.now += 60
    assert stats.edits_last_minute() == 0


def test_the_thumbnail_is_read_at_most_once_a_second_and_only_when_changed() -> None:
    clock = Clock()
    stats = BoardStats(clock)
    _, notes, sections = board(2)
    first = stats.thumbnail(notes, sections, version=1)
    assert sorted(first["notes"]) == [[0, 5, "#abc"], [10, 5, "#abc"]]
    notes["n9"] = Map({"x": 1.0, "y": 2.0, "color": "#fff"})
    assert stats.thumbnail(notes, sections, version=2) is first, "within the second: as it was"
    clock.now += 1
    second = stats.thumbnail(notes, sections, version=2)
    assert len(second["notes"]) == 3
    clock.now += 5
    assert stats.thumbnail(notes, sections, version=2) is second, "unchanged: not read again"


def test_the_thumbnail_is_bounded_and_skips_what_has_no_place() -> None:
    stats = BoardStats(Clock())
    _, notes, sections = board(MAX_THUMBNAIL_NOTES + 50)
    notes["odd"] = Map({"x": float("nan"), "y": 1.0})
    notes["plain"] = "not a note"
    sections["s"] = Map({"x": 1, "y": 2, "w": float("inf"), "h": 300, "color": "x" * 100})
    shapes = stats.thumbnail(notes, sections, version=1)
    assert len(shapes["notes"]) == MAX_THUMBNAIL_NOTES
    assert all(isinstance(n[0], int) for n in shapes["notes"])
    assert shapes["sections"] == [[1, 2, None, 300, "x" * 32]]
