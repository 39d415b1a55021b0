"""REST paths that were tested only as units, end to end on a live server: an answer
changed while a poll is open, a board renamed, a round opened with its own duration, the
`csv` and `balanced` strategies."""

from __future__ import annotations

import pytest

from support.commands import Session, current_round, section, write_probe
from support.processes import PajaServer
from support.yclient import eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session


async def test_a_changed_poll_answer_counts_once_as_its_latest(server: PajaServer) -> None:
    s = Session.create(server, language="en")
    pia, olli = s.join("Pia"), s.join("Olli")
    display = await s.open("control", s.created["observer_token"])
    poll = s.ok("POST", "/polls", body={"preset": "heard"})
    answers = f"/polls/{poll['id']}/answers"
    s.ok("POST", answers, pia["token"], {"answer": 2})
    s.ok("POST", answers, pia["token"], {"answer": 5})  # she changes her mind while open
    s.ok("POST", answers, olli["token"], {"answer": 4})
    s.ok("POST", f"/polls/{poll['id']}/close")

    def seen() -> dict[str, object]:
        return dict(section(display, "polls").get(poll["id"], {}))

    await eventually(lambda: seen().get("state") == "closed", what="the closed poll")
    assert seen()["answers"] == 2
    assert seen()["results"] == {
        "counts": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
        "mean": 4.5,
    }
    assert s.call("POST", answers, pia["token"], {"answer": 1}).status_code == 409
    await s.close_all()


async def test_a_board_is_renamed_and_opened_to_all(server: PajaServer) -> None:
    s = Session.create(server, language="en")
    pia = s.join("Pia")
    display = await s.open("control", s.created["observer_token"])
    s.ok("POST", "/boards", body={"name": "ideas", "title": "Ideas"})
    s.ok("PATCH", "/boards/ideas", body={"title": "Ideat", "open_to_all": True})
    await eventually(
        lambda: section(display, "boards").get("ideas", {}).get("title") == "Ideat",
        what="the new title in control",
    )
    assert section(display, "boards")["ideas"]["open_to_all"] is True
    assert s.call("PATCH", "/boards/ideas", pia["token"], {"title": "Mine"}).status_code == 403
    assert s.call("PATCH", "/boards/nope", body={"title": "x"}).status_code == 404
    await s.close_all()


async def test_a_round_opened_with_its_own_duration_and_a_csv_draft(server: PajaServer) -> None:
    s = Session.create(server, language="en")
    people = {name: s.join(name) for name in ("Pia", "Olli", "Sara", "Kim")}
    display = await s.open("control", s.created["observer_token"])
    draft = s.ok(
        "POST",
        "/breakouts",
        body={
            "strategy": "csv",
            "csv": "name,email,group\nPia,,A\nKim,,A\nOlli,,B\nSara,,B\n",
            "duration_ms": 60_000,
        },
    )
    members = sorted(sorted(r["members"]) for r in draft["rooms"])
    ids = {name: p["participant_id"] for name, p in people.items()}
    assert members == sorted([sorted([ids["Pia"], ids["Kim"]]), sorted([ids["Olli"], ids["Sara"]])])
    opened = s.ok("POST", f"/breakouts/{draft['id']}/open", body={"duration_ms": 120_000})
    assert opened["ends_at"] - opened["opened_at"] == 120_000
    await eventually(lambda: (current_round(display) or {}).get("state") == "open")
    assert (current_round(display) or {})["ends_at"] == opened["ends_at"]
    await s.close_all()


async def test_balanced_rooms_share_each_kind_of_person(server: PajaServer) -> None:
    s = Session.create(server, language="en")
    kinds = ["supervisor"] * 2 + ["newcomer"] * 4
    people = [s.join(f"P{i}", [f"kind:{k}"]) for i, k in enumerate(kinds)]
    kind = {p["participant_id"]: p["tags"][0] for p in people}
    draft = s.ok("POST", "/breakouts", body={"strategy": "balanced", "key": "kind", "rooms": 2})
    for room in draft["rooms"]:  # each room: one supervisor, two newcomers
        assert sorted(kind[m] for m in room["members"]) == [
            "kind:newcomer",
            "kind:newcomer",
            "kind:supervisor",
        ]


async def test_a_late_joiner_to_a_draft_is_placed_and_reaches_the_room_once_open(
    server: PajaServer,
) -> None:
    s = Session.create(server, language="en")
    for name in ("Pia", "Olli", "Sara"):
        s.join(name)
    display = await s.open("control", s.created["observer_token"])
    draft = s.ok("POST", "/breakouts", body={"strategy": "random", "rooms": 2, "seed": 7})
    assert sorted(len(r["members"]) for r in draft["rooms"]) == [1, 2]
    smallest = min(draft["rooms"], key=lambda r: len(r["members"]))

    kim = s.join("Kim")  # while the round is only drafted
    kim_id = kim["participant_id"]

    def room_of_kim() -> dict[str, object] | None:
        rounds = current_round(display) or {}
        rooms = rounds.get("rooms") or []
        return next((r for r in rooms if kim_id in r["members"]), None)  # type: ignore[union-attr]

    await eventually(lambda: room_of_kim() is not None, what="Kim placed in the draft")
    assert (current_round(display) or {})["state"] == "draft"
    placed = room_of_kim()
    assert placed is not None and placed["board"] == smallest["board"], "the smallest room"
    assert sorted(len(r["members"]) for r in (current_round(display) or {})["rooms"]) == [2, 2]

    s.ok("POST", f"/breakouts/{draft['id']}/open")
    await eventually(lambda: (current_round(display) or {}).get("state") == "open")
    room = await s.open(str(smallest["board"]), kim["token"])
    assert await write_probe(room, "kim-was-here"), "Kim writes on the room's board"
    other = next(r for r in draft["rooms"] if r["board"] != smallest["board"])
    refused = await s.open(str(other["board"]), kim["token"], synced=False)
    assert await refused.wait_closed() == 4403, "and not on the other room's"
    await s.close_all()
