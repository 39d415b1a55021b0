"""'Bring everyone to me' and 'follow me' are facilitator commands written into `control`:
everyone sees where they are led, nobody but a facilitator can lead, and bad values are
refused with a problem that names the field."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc

from rooms import boards, lead
from rooms.errors import Invalid, NotFound
from support.commands import Session, section
from support.processes import PajaServer
from support.yclient import eventually

VIEW = {"board": "main", "x": 420.5, "y": -80, "zoom": 0.75}


def control_with_boards(*names: str) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    for name in names:
        boards.add(doc, name, title=name)
    return doc


def test_a_lead_holds_the_board_the_view_who_and_when() -> None:
    doc = control_with_boards("main", "ideas")
    value = lead.start(doc, mode="follow", **VIEW, by="facilitator", now=1_000)
    assert value == {
        "mode": "follow",
        "board": "main",
        "x": 420.5,
        "y": -80,
        "zoom": 0.75,
        "by": "facilitator",
        "at": 1_000,
    }
    assert lead.current(doc) == value
    moved = lead.start(doc, mode="bring", board="ideas", x=0, y=0, zoom=1, by="pid-co", now=2_000)
    assert (moved["mode"], moved["board"], moved["by"], moved["at"]) == (
        "bring",
        "ideas",
        "pid-co",
        2_000,
    )


def test_stopping_keeps_the_last_view_and_is_harmless_twice() -> None:
    doc = control_with_boards("main")
    assert lead.current(doc)["mode"] is None  # nobody has led yet
    lead.start(doc, mode="follow", **VIEW, by="facilitator", now=1_000)
    stopped = lead.stop(doc, by="facilitator", now=3_000)
    assert stopped["mode"] is None and stopped["at"] == 3_000
    assert (stopped["board"], stopped["x"], stopped["zoom"]) == ("main", 420.5, 0.75)
    assert lead.stop(doc, by="facilitator", now=4_000)["mode"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"mode": "drag"},
        {"mode": None},
        {"board": 7},
        {"x": "left"},
        {"x": True},
        {"y": float("nan")},
        {"y": float("inf")},
        {"x": 2 * lead.MAX_COORDINATE},
        {"zoom": 0},
        {"zoom": lead.MAX_ZOOM + 1},
        {"zoom": None},
    ],
)
def test_bad_values_are_invalid_and_change_nothing(change: dict[str, Any]) -> None:
    doc = control_with_boards("main")
    before = lead.current(doc)
    with pytest.raises(Invalid):
        lead.start(doc, **{"mode": "bring", **VIEW, **change}, by="facilitator", now=1)
    assert lead.current(doc) == before


def test_only_a_listed_board_can_be_led_to() -> None:
    with pytest.raises(NotFound):
        lead.start(
            control_with_boards("main"), mode="bring", **{**VIEW, "board": "nowhere"}, by="f", now=1
        )


async def test_the_lead_reaches_everyone_and_only_facilitators_lead(server: PajaServer) -> None:
    s = Session.create(server, "Seuraa")
    pia = s.join("Pia")
    display = await s.open("control", s.created["observer_token"])

    led = s.ok("POST", "/lead", body={"mode": "follow", **VIEW})
    assert led["mode"] == "follow" and led["by"] == "facilitator" and led["at"] > 0
    await eventually(lambda: section(display, "lead").get("x") == 420.5, what="the lead in control")
    assert section(display, "lead") == led

    # a participant (or the display) cannot lead: only a facilitator's token moves screens
    assert s.call("POST", "/lead", pia["token"], {"mode": "bring", **VIEW}).status_code == 403
    assert s.call("DELETE", "/lead", s.created["observer_token"]).status_code == 403

    # bad values are 422 and name the field; a board that is not listed is 404
    refused = s.call("POST", "/lead", body={"mode": "follow", **VIEW, "zoom": 40})
    assert refused.status_code == 422 and "'zoom'" in refused.json()["detail"]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert s.call("POST", "/lead", body={"mode": "sideways", **VIEW}).status_code == 422
    assert (
        s.call("POST", "/lead", body={"mode": "bring", **VIEW, "board": "gone"}).status_code == 404
    )
    # nothing refused reached anyone: a change accepted after them has arrived, they did not
    s.ok("POST", "/boards", body={"name": "later", "title": "Later"})
    await eventually(lambda: "later" in section(display, "boards"), what="a later change")
    assert section(display, "lead") == led

    # a co-facilitator leads under their own id; stopping leaves the last view readable
    s.ok("PUT", f"/participants/{pia['participant_id']}/role", body={"role": "facilitator"})
    brought = s.ok("POST", "/lead", pia["token"], {"mode": "bring", **VIEW, "x": 10})
    assert brought["by"] == pia["participant_id"] and brought["at"] >= led["at"]
    stopped = s.ok("DELETE", "/lead")
    assert stopped["mode"] is None and stopped["x"] == 10 and stopped["by"] == "facilitator"
    await eventually(lambda: section(display, "lead").get("mode", "?") is None)
    await s.close_all()
