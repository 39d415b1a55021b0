"""Dot votes and polls through REST with a live `control`: limits enforced by the server,
nothing individual visible while open, results only when revealed or closed."""

from __future__ import annotations

import pytest
from pycrdt import Map, Text

from support.commands import Session, section
from support.processes import PajaServer
from support.yclient import eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session


async def test_votes_over_the_limit_are_refused_and_ballots_stay_secret(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    pia, olli = s.join("Pia"), s.join("Olli")
    board = await s.open("main", pia["token"])
    notes = board.doc.get("notes", type=Map)
    for key, area in (("a", "top"), ("b", "top"), ("c", None)):
        notes[key] = Map({"text": Text(key), "x": 0, "y": 0, "section": area})
    await eventually(lambda: len(board.notes()) == 3)
    display = await s.open("control", s.created["observer_token"])

    vote = s.ok(
        "POST",
        "/votes",
        body={
            "title": "Best",
            "board": "main",
            "section": "top",
            "per_participant": 2,
            "per_note": 1,
        },
    )
    path = f"/votes/{vote['id']}"
    mine = s.ok("POST", path + "/dots", pia["token"], {"note": "a"})
    assert mine == {"vote": vote["id"], "dots": {"a": 1}, "remaining": 1}
    same_note = s.call("POST", path + "/dots", pia["token"], {"note": "a"})
    assert same_note.status_code == 409 and "one note" in same_note.json()["detail"]
    outside = s.call("POST", path + "/dots", pia["token"], {"note": "c"})
    assert outside.status_code == 422, "c is outside the voting area"
    s.ok("POST", path + "/dots", pia["token"], {"note": "b"})
    over = s.call("POST", path + "/dots", pia["token"], {"note": "b"})
    assert over.status_code == 409 and over.headers["content-type"] == "application/problem+json"
    s.ok("POST", path + "/dots", olli["token"], {"note": "b"})
    s.ok("DELETE", path + "/dots/a", pia["token"])
    assert s.ok("GET", path + "/dots", pia["token"])["dots"] == {"b": 1}

    def public() -> dict[str, object]:
        return dict(section(display, "votes").get(vote["id"], {}))

    await eventually(lambda: public().get("dots_cast") == 2 and public().get("voters") == 2)
    assert public()["results"] is None
    assert pia["participant_id"] not in str(display.doc.get("votes", type=Map).to_py())
    assert s.call("POST", path + "/reveal").status_code == 409, "close before revealing"
    s.ok("POST", path + "/close")
    assert s.call("POST", path + "/dots", olli["token"], {"note": "a"}).status_code == 409
    s.ok("POST", path + "/reveal")
    await eventually(lambda: public().get("state") == "revealed")
    assert public()["results"] == [{"note": "b", "dots": 2, "rank": 1, "voters": None}]
    await s.close_all()


async def test_poll_results_stay_hidden_until_closed(server: PajaServer) -> None:
    s = Session.create(server, language="en")
    people = [s.join(f"P{i}") for i in range(3)]
    display = await s.open("control", s.created["observer_token"])
    heard = s.ok("POST", "/polls", body={"preset": "heard"})
    assert heard["question"] == "I felt heard" and heard["questions"]["fi"] == "Tulin kuulluksi"
    choice = s.ok(
        "POST", "/polls", body={"kind": "choice", "question": "Next?", "options": ["Map", "Try"]}
    )
    for person, score in zip(people, (5, 4, 4), strict=True):
        s.ok("POST", f"/polls/{heard['id']}/answers", person["token"], {"answer": score})
    s.ok("POST", f"/polls/{choice['id']}/answers", people[0]["token"], {"answer": "Try"})
    bad = s.call("POST", f"/polls/{heard['id']}/answers", people[0]["token"], {"answer": 9})
    assert bad.status_code == 422

    def poll(poll_id: str) -> dict[str, object]:
        return dict(section(display, "polls").get(poll_id, {}))

    await eventually(lambda: poll(heard["id"]).get("answers") == 3)
    assert poll(heard["id"])["results"] is None and poll(choice["id"])["results"] is None
    hidden = await s.open("_ballots", synced=False)
    assert await hidden.wait_closed() == 4404, "answers live in a document no socket reaches"
    closed = s.ok("POST", f"/polls/{heard['id']}/close")
    assert closed["results"] == {"counts": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}, "mean": 4.33}
    await eventually(lambda: poll(heard["id"]).get("state") == "closed")
    assert poll(choice["id"])["results"] is None, "closing one poll reveals only that one"
    late = s.call("POST", f"/polls/{heard['id']}/answers", people[1]["token"], {"answer": 1})
    assert late.status_code == 409
    no_person = s.call("POST", f"/polls/{choice['id']}/answers", body={"answer": "Map"})
    assert no_person.status_code == 403, "the session's creator is not a person in the roster"
    await s.close_all()
