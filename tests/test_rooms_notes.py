"""The harvest, without a server: a breakout group's chosen notes land on `main` in a new
section titled after their room, in free space below the work already there, laid out in
a grid that overlaps neither the notes nor anything else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc, Map, Text

from rooms import notes
from rooms.errors import Invalid, NotFound

Box = tuple[float, float, float, float]


def board_with(
    items: dict[str, tuple[float, float]], sections: dict[str, Box] | None = None
) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    for note_id, (x, y) in items.items():
        doc.get("notes", type=Map)[note_id] = Map(
            {
                "text": Text(f"text of {note_id}"),
                "x": x,
                "y": y,
                "color": "pink",
                "section": None,
                "author": "pid-pia",
                "author_name": "Pia",
                "created_at": 7,
            }
        )
    for section_id, (x, y, w, h) in (sections or {}).items():
        doc.get("sections", type=Map)[section_id] = Map(
            {"title": section_id, "x": x, "y": y, "w": w, "h": h, "color": "grey"}
        )
    return doc


def promote(main: Doc[Any], count: int, title: str = "Huone 2") -> list[str]:
    room = board_with({f"n{i}": (i * 7, -i * 3) for i in range(count)})
    copied = notes.copies(room, [f"n{i}" for i in range(count)])
    return notes.paste(
        main, copied, [f"m{i}" for i in range(count)], "breakout-2", section_id="s", title=title
    )


def note_box(main: Doc[Any], note_id: str) -> Box:
    note = main.get("notes", type=Map)[note_id]
    return (note["x"], note["y"], notes.NOTE_W, notes.NOTE_H)


def section_box(main: Doc[Any], section_id: str) -> Box:
    s = main.get("sections", type=Map)[section_id]
    return (s["x"], s["y"], s["w"], s["h"])


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(inner: Box, outer: Box) -> bool:
    return (
        outer[0] <= inner[0]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and outer[1] <= inner[1]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


def test_promoted_notes_get_a_section_titled_after_the_room_below_everything() -> None:
    main = board_with({"old1": (100, 50), "old2": (600, 400)}, {"ideas": (-200, 0, 500, 900)})
    assert promote(main, 3, title="Room 2") == ["m0", "m1", "m2"]
    section = main.get("sections", type=Map)["s"].to_py()
    assert section["title"] == "Room 2" and section["color"] == notes.HARVEST_COLOR
    # below the lowest thing on main (the section ending at y=900), from its left edge
    assert section["x"] == -200 and section["y"] == 900 + notes.MARGIN
    for i in range(3):
        pasted = main.get("notes", type=Map)[f"m{i}"]
        assert pasted["section"] == "s"
        assert pasted["from"] == {"board": "breakout-2", "note": f"n{i}"}
        assert isinstance(pasted["text"], Text) and str(pasted["text"]) == f"text of n{i}"
        assert (pasted["color"], pasted["author"], pasted["author_name"]) == (
            "pink",
            "pid-pia",
            "Pia",
        )
        assert inside(note_box(main, f"m{i}"), section_box(main, "s"))
    # one row of three, left to right, under the title
    xs = [main.get("notes", type=Map)[f"m{i}"]["x"] for i in range(3)]
    ys = {main.get("notes", type=Map)[f"m{i}"]["y"] for i in range(3)}
    assert xs == sorted(xs) and len(ys) == 1
    assert ys.pop() >= section["y"] + notes.TITLE_H


def test_many_notes_wrap_into_rows_of_a_few_columns() -> None:
    main = board_with({})
    promote(main, 9)
    section = main.get("sections", type=Map)["s"].to_py()
    assert (section["x"], section["y"]) == (0, 0)  # an empty main: the origin
    positions = {(n["x"], n["y"]) for n in main.get("notes", type=Map).to_py().values()}
    assert len({x for x, _ in positions}) == notes.COLUMNS
    assert len({y for _, y in positions}) == 3  # 4 + 4 + 1
    boxes = [note_box(main, f"m{i}") for i in range(9)]
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_a_promoted_note_stays_editable_on_main() -> None:
    main = board_with({})
    promote(main, 1)
    text = main.get("notes", type=Map)["m0"]["text"]
    text += " (edited)"
    assert str(main.get("notes", type=Map)["m0"]["text"]) == "text of n0 (edited)"


def test_what_clients_wrote_badly_is_not_trusted_for_free_space() -> None:
    main = board_with({"ok": (10, 20)})
    main.get("notes", type=Map)["junk"] = Map({"x": "far", "y": None})
    main.get("notes", type=Map)["flag"] = Map({"x": True, "y": 10**9})
    main.get("notes", type=Map)["plain"] = "not a note"
    main.get("sections", type=Map)["no-height"] = Map({"x": 0, "y": 0})
    # the note ends at 20 + NOTE_H; the section without a height is drawn 300 high
    assert notes.free_space(main) == (0, 300 + notes.MARGIN)


def test_choosing_nothing_or_a_missing_note_is_refused() -> None:
    room = board_with({"n1": (0, 0)})
    with pytest.raises(Invalid):
        notes.copies(room, [])
    with pytest.raises(NotFound):
        notes.copies(room, ["n1", "gone"])
    with pytest.raises(Invalid):
        notes.paste(board_with({}), [], [], "breakout-1", section_id="s", title="Room 1")


@given(
    st.lists(
        st.tuples(st.integers(-5000, 5000), st.integers(-5000, 5000)), min_size=0, max_size=12
    ),
    st.lists(
        st.tuples(
            st.integers(-5000, 5000),
            st.integers(-5000, 5000),
            st.integers(80, 2000),
            st.integers(80, 2000),
        ),
        max_size=4,
    ),
    st.integers(1, 30),
)
def test_the_harvest_never_covers_what_is_on_main(
    existing: list[tuple[int, int]], sections: list[Box], count: int
) -> None:
    main = board_with(
        {f"old{i}": xy for i, xy in enumerate(existing)},
        {f"sec{i}": box for i, box in enumerate(sections)},
    )
    before = [note_box(main, f"old{i}") for i in range(len(existing))]
    before += [section_box(main, f"sec{i}") for i in range(len(sections))]
    promote(main, count)
    harvest = section_box(main, "s")
    assert not any(overlap(harvest, box) for box in before)
    pasted = [note_box(main, f"m{i}") for i in range(count)]
    assert all(inside(box, harvest) for box in pasted)
    assert not any(overlap(a, b) for i, a in enumerate(pasted) for b in pasted[i + 1 :])
