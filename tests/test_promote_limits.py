"""Promoting a room's notes is a server-side write into `main`: held to the limits a
client's write is held to, and idempotent, so a group member repeating a promotion (by
mistake or to flood the board) adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pycrdt import Map, Text

from support.commands import Session, current_round
from support.processes import PajaServer
from support.yclient import YClient, eventually

FAST = {"duration_ms": 60_000, "closing_ms": 1_000}
MAX_BOARD_BYTES = 2 * 1024 * 1024
BIG_TEXT = "x" * 300_000


def rss_bytes(server: PajaServer) -> int:
    assert server.proc is not None
    for line in Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def closed_room_with_notes(
    s: Session, texts: dict[str, str]
) -> tuple[dict[str, Any], YClient]:
    """One participant's room with the given notes (written by the facilitator, who may
    fill a board past its limits), its round closed: the member, and `main` live."""
    person = s.join("Pia")
    s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 1, **FAST})
    s.ok("POST", "/breakouts/r1/open")
    room = await s.open("breakout-1")
    for note_id, text in texts.items():
        room.doc.get("notes", type=Map)[note_id] = Map(
            {"text": Text(text), "x": 0, "y": 0, "color": "#fff59d", "section": None}
        )
        await eventually(lambda n=note_id: n in room.notes(), what=f"note {note_id} stored")
    control = await s.open("control")
    s.ok("POST", "/breakouts/r1/close")
    await eventually(lambda: (current_round(control) or {}).get("state") == "closed", 5)
    main = await s.open("main")
    return person, main


def promote(s: Session, token: str, note_ids: list[str]) -> Any:
    return s.call("POST", "/breakouts/r1/rooms/breakout-1/promote", token, {"notes": note_ids})


async def test_the_same_note_promoted_again_and_again_leaves_main_under_its_limit(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-board-bytes", str(MAX_BOARD_BYTES)]).start()
    s = Session.create(server)
    person, main = await closed_room_with_notes(s, {"big": BIG_TEXT})
    before = rss_bytes(server)
    answers = [promote(s, person["token"], ["big"] * 200) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200], [a.text for a in answers]
    first = answers[0].json()
    assert len(first["notes"]) == 1, "ids are de-duplicated"
    assert all(a.json() == first for a in answers[1:]), "promoting again adds nothing"
    await eventually(lambda: len(main.notes()) == 1, what="the one copy on main")
    sections = main.doc.get("sections", type=Map).to_py() or {}
    assert list(sections) == [first["section"]], "one section, not one per promotion"
    assert len(main.doc.get_update()) < MAX_BOARD_BYTES
    assert rss_bytes(server) - before < 64 * 1024 * 1024
    rooms = s.ok("GET", "/summary")["breakouts"][0]["rooms"]
    assert rooms[0]["promoted"] == [BIG_TEXT], "the summary lists the promoted note once"
    await s.close_all()


async def test_a_promotion_that_would_pass_mains_limit_is_refused_and_writes_nothing(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-board-bytes", str(MAX_BOARD_BYTES)]).start()
    s = Session.create(server)
    texts = {f"big{n}": BIG_TEXT for n in range(8)}  # 2.4 MB of notes for a 2 MiB board
    person, main = await closed_room_with_notes(s, texts)
    refused = promote(s, person["token"], list(texts))
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["reason"] == "board_full"
    fits = promote(s, person["token"], ["big0", "big1"])
    assert fits.status_code == 201, "what fits is still promoted"
    await eventually(lambda: len(main.notes()) == 2, what="the two copies on main")
    assert len(main.doc.get_update()) < MAX_BOARD_BYTES
    await s.close_all()


async def test_a_promotion_past_the_notes_limit_is_refused(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--max-notes-per-board", "3"]).start()
    s = Session.create(server)
    texts = {f"n{n}": f"idea {n}" for n in range(5)}
    person, main = await closed_room_with_notes(s, texts)
    refused = promote(s, person["token"], list(texts))
    assert refused.status_code == 409 and refused.json()["reason"] == "board_full"
    assert promote(s, person["token"], ["n0", "n1", "n2"]).status_code == 201
    assert promote(s, person["token"], ["n3"]).status_code == 409
    await eventually(lambda: len(main.notes()) == 3, what="three copies on main")
    await s.close_all()
