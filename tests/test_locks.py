"""Locks a facilitator sets on a board hold against a participant's stock pycrdt client:
a locked board, a locked section and locked positions. A refused edit reaches neither the
other clients nor the store (checked after a restart), and the facilitator still edits."""

from __future__ import annotations

from typing import Any

from pycrdt import Map

from support.commands import Session
from support.notes import note_map
from support.processes import PajaServer
from support.yclient import YClient, eventually


def notes(client: YClient) -> Map[Any]:
    return client.doc.get("notes", type=Map)


async def draw(s: Session) -> YClient:
    """A facilitator's board with a section "keep" (0,0 400×300) holding note `inside`,
    and note `outside` at 1000,1000."""
    s.ok("POST", "/boards", body={"name": "wall", "open_to_all": True})
    lead = await s.open("wall")
    lead.doc.get("sections", type=Map)["keep"] = Map(
        {"title": "Keep", "x": 0, "y": 0, "w": 400, "h": 300, "color": "blue"}
    )
    notes(lead)["inside"] = note_map("fixed", author="f", author_name="F", at=1, x=10, y=10)
    notes(lead)["outside"] = note_map("free", author="f", author_name="F", at=1, x=1000, y=1000)
    return lead


async def test_a_locked_board_refuses_a_participants_stock_client(server: PajaServer) -> None:
    s = Session.create(server)
    pia = s.join("Pia")
    lead = await draw(s)
    s.ok("PATCH", "/boards/wall", body={"locked": True})
    mine = await s.open("wall", pia["token"])
    await eventually(lambda: "outside" in mine.notes(), what="the board reaches Pia")
    before = len(mine.frames)
    notes(mine)["sneaked"] = "in"
    await eventually(lambda: any(f[0] == 2 for f in mine.frames[before:]), what="a refusal")
    notes(lead)["after"] = "lead writes"
    await eventually(lambda: "after" in mine.notes(), what="the facilitator's edit")
    assert "sneaked" not in lead.notes()

    s.ok("PATCH", "/boards/wall", body={"locked": False})
    notes(mine)["allowed"] = "again"
    await eventually(lambda: "allowed" in lead.notes(), what="writing once unlocked")
    await s.close_all()


async def test_a_locked_section_and_positions_hold(server: PajaServer) -> None:
    s = Session.create(server)
    pia = s.join("Pia")
    lead = await draw(s)
    s.ok("PATCH", "/boards/wall", body={"locked_sections": ["keep"]})
    watcher = await s.open("wall", s.join("Ville")["token"])

    async def refused(edit: Any) -> None:
        mine = await s.open("wall", pia["token"])
        await eventually(lambda: "outside" in mine.notes(), what="the board")
        edit(mine)
        assert await mine.wait_closed() == 4403

    await refused(lambda c: notes(c)["inside"]["text"].insert(0, "changed "))
    await refused(lambda c: notes(c)["inside"].__setitem__("x", 900))  # out of the section
    await refused(lambda c: notes(c)["outside"].update({"x": 50, "y": 50}))  # into it
    await refused(lambda c: notes(c).pop("inside"))
    await refused(
        lambda c: notes(c).__setitem__(
            "new", note_map("added", author="p", author_name="P", at=2, x=20, y=20)
        )
    )
    await refused(lambda c: c.doc.get("sections", type=Map)["keep"].__setitem__("w", 90))

    free = await s.open("wall", pia["token"])
    await eventually(lambda: "outside" in free.notes(), what="the board")
    free_text = notes(free)["outside"]["text"]
    free_text.insert(len(free_text), " still")
    notes(free)["outside"]["x"] = 1200
    await eventually(lambda: watcher.notes()["outside"]["x"] == 1200, what="a free note moved")

    s.ok("PATCH", "/boards/wall", body={"locked_sections": [], "positions_locked": True})
    free_text.insert(len(free_text), " and edited")
    notes(free)["placed"] = note_map("new", author="p", author_name="P", at=3, x=600, y=600)
    await eventually(lambda: "placed" in watcher.notes(), what="a new note under locked positions")
    assert "and edited" in watcher.notes()["outside"]["text"]
    notes(free)["outside"]["y"] = 5
    assert await free.wait_closed() == 4403
    notes(lead)["outside"]["y"] = 7  # facilitators still move notes
    await eventually(lambda: watcher.notes()["outside"]["y"] == 7, what="the facilitator's move")

    inside = watcher.notes()["inside"]
    assert (inside["text"], inside["x"]) == ("fixed", 10), "no refused edit reached Pia's peer"
    assert "new" not in watcher.notes()
    await s.close_all()
    server.stop()
    server.start()
    again = await s.open("wall")
    stored = again.notes()
    assert (stored["inside"]["text"], stored["inside"]["x"]) == ("fixed", 10)
    assert stored["outside"]["y"] == 7 and "new" not in stored
    await again.close()
