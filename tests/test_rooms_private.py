"""The reveal as a pure function over board documents (rooms/private.py): what it copies
from a private board that a client wrote, and where the notes land."""

from __future__ import annotations

import random
from typing import Any

from pycrdt import Doc, Map, Text

from rooms import private


def board_with(notes: dict[str, Any]) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map).update(notes)
    return doc


def note(text: str, created_at: float, **extra: Any) -> Map[Any]:
    return Map({"text": Text(text), "created_at": created_at, "color": "pink", **extra})


def test_written_notes_are_checked_cut_and_bounded() -> None:
    hostile = {
        "plain": "not a map",
        "late": note("late", 30),
        "huge": note("x" * 5000, 20, color="y" * 100),
        "no-text": Map({"text": 5, "created_at": "soon"}),
        **{f"n{i}": note(f"n{i}", 100 + i) for i in range(150)},
    }
    written = private.written(board_with(hostile), "p1", "Ann")
    assert len(written.notes) == private.MAX_NOTES_PER_PERSON
    assert written.notes[0] == {"text": "", "color": "yellow", "created_at": 0}
    assert written.notes[1]["text"] == "x" * private.MAX_TEXT
    assert written.notes[1]["color"] == "yellow", "a colour that is no colour name is replaced"
    assert written.notes[2]["text"] == "late"


def test_an_anonymous_reveal_names_nobody_in_a_new_section_below_the_board() -> None:
    shared = board_with({"old": note("already here", 1, x=0, y=0)})
    everyone = [
        private.Written("p1", "Ann", [{"text": "a", "color": "pink", "created_at": 5}]),
        private.Written("p2", "Ben", [{"text": "b", "color": "blue", "created_at": 6}]),
    ]
    count, placed = private.reveal(
        shared,
        everyone,
        ["c1", "c2"],
        anonymous=True,
        section=None,
        section_id="s1",
        language="sv",
        now=99,
        rng=random.Random(1),
    )
    assert count == 2 and placed == "s1"
    notes = shared.get("notes", type=Map)
    revealed = [notes[k] for k in ("c1", "c2")]
    assert {str(n["text"]) for n in revealed} == {"a", "b"}
    for n in revealed:
        assert n["author"] == "" and n["author_name"] == "" and n["created_at"] == 99
        assert n["section"] == "s1" and n["y"] > 120, "below what was on the board"
    assert shared.get("sections", type=Map)["s1"]["title"] == "Avslöjade"


def test_an_attributed_reveal_fills_the_chosen_section_below_its_notes() -> None:
    shared = board_with({"old": note("in it", 1, x=20, y=50, section="sec")})
    sections = shared.get("sections", type=Map)
    sections["sec"] = Map({"title": "Ideas", "x": 0, "y": 0, "w": 420, "h": 200})
    notes = [{"text": f"t{i}", "color": "pink", "created_at": i} for i in range(5)]
    _, placed_in = private.reveal(
        shared,
        [private.Written("p1", "Ann", notes)],
        [f"c{i}" for i in range(5)],
        anonymous=False,
        section="sec",
        section_id="unused",
        language="fi",
        now=99,
        rng=random.Random(1),
    )
    placed = shared.get("notes", type=Map)
    assert placed["c0"]["author_name"] == "Ann" and placed["c0"]["created_at"] == 0
    assert placed["c0"]["y"] >= 50 + 120, "under the note already in the section"
    assert {placed[f"c{i}"]["section"] for i in range(5)} == {"sec"}
    assert sections["sec"]["h"] >= placed["c4"]["y"] + 120, "the section holds them all"
    assert "unused" not in sections and placed_in == "sec"
