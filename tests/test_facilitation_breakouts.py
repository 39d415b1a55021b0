"""A breakout round as everyone sees it in `control`: drafted, opened, run, counted
down and closed back to main, on its own clock."""

from __future__ import annotations

from support.commands import Session, current_round, section
from support.processes import PajaServer
from support.yclient import eventually


async def test_a_round_opens_moves_everyone_counts_down_and_closes_back_to_main(
    server: PajaServer,
) -> None:
    s = Session.create(server, language="en")
    people = [s.join(f"P{i}", [f"org:o{i % 2}"]) for i in range(4)]
    ids = {p["participant_id"] for p in people}
    display = await s.open("control", s.created["observer_token"])

    draft = s.ok(
        "POST",
        "/breakouts",
        body={
            "strategy": "keep_apart",
            "key": "org",
            "group_size": 2,
            "duration_ms": 1_500,
            "closing_ms": 1_000,
            "names": ["Aalto", "Bonde"],
        },
    )
    assert draft["state"] == "draft" and [r["name"] for r in draft["rooms"]] == ["Aalto", "Bonde"]
    org = {p["participant_id"]: p["tags"][0] for p in people}
    for room in draft["rooms"]:  # keep apart: each room has one person of each organisation
        assert sorted(org[m] for m in room["members"]) == ["org:o0", "org:o1"]
    await eventually(lambda: (current_round(display) or {}).get("state") == "draft")

    opened = s.ok("POST", "/breakouts/r1/open")
    assert opened["ends_at"] - opened["opened_at"] == 1_500
    await eventually(lambda: (current_round(display) or {}).get("state") == "open")
    seen = current_round(display)
    assert seen is not None
    assert {m for r in seen["rooms"] for m in r["members"]} == ids, "everyone has a room"
    room_timers = section(display, "timers")
    assert {t["room"] for t in room_timers.values()} == {"breakout-1", "breakout-2"}

    s.ok("POST", "/breakouts/r1/messages", body={"text": "Halfway"})
    asker = next(p for p in people if p["participant_id"] in seen["rooms"][1]["members"])
    s.ok("POST", "/breakouts/r1/help", asker["token"])
    late = s.join("Late")
    assert late["room"] in ("breakout-1", "breakout-2")

    def running() -> dict[str, object]:
        return current_round(display) or {}

    await eventually(lambda: "Halfway" in str(running()["messages"]))
    await eventually(lambda: running()["rooms"][1]["help_requested_at"] is not None)
    await eventually(lambda: late["participant_id"] in str(running()["rooms"]))

    await eventually(lambda: running()["state"] == "closing", 15, "the countdown")
    closing = running()
    assert closing["closes_at"] - closing["ends_at"] >= 1_000 - 50
    assert all(r["help_requested_at"] is None for r in closing["rooms"]), "no help after time"
    await eventually(lambda: running()["state"] == "closed", 15, "back in main")
    history = section(display, "breakouts")["history"]
    assert [h["id"] for h in history] == ["r1"]
    assert not any(t.get("room") for t in section(display, "timers").values())
    await eventually(lambda: "breakout.closed in session" in server.log())
    await s.close_all()


async def test_time_is_extended_for_every_room_and_a_later_round_avoids_old_pairs(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    for i in range(6):
        s.join(f"P{i}")
    s.ok(
        "POST",
        "/breakouts",
        body={"strategy": "random", "group_size": 2, "duration_ms": 60_000, "closing_ms": 500},
    )
    opened = s.ok("POST", "/breakouts/r1/open")
    longer = s.ok("POST", "/breakouts/r1/time", body={"delta_ms": 120_000})
    assert longer["ends_at"] == opened["ends_at"] + 120_000
    assert longer["messages"][-1] == {
        "text": "2 minuuttia lisää",
        "at": longer["messages"][-1]["at"],
        "kind": "time",
        "delta_ms": 120_000,
    }
    assert s.call("POST", "/breakouts", body={"strategy": "random", "rooms": 2}).status_code == 409
    s.ok("POST", "/breakouts/r1/close")
    assert s.call("POST", "/breakouts/r1/close").status_code == 409
    control = await s.open("control")
    await eventually(lambda: (current_round(control) or {}).get("state") == "closed", 5)
    first = {frozenset(r["members"]) for r in (current_round(control) or {})["rooms"]}

    second = s.ok("POST", "/breakouts", body={"strategy": "random", "group_size": 2})
    assert second["id"] == "r2" and second["rooms"][0]["board"] == "breakout-4"
    assert not first & {frozenset(r["members"]) for r in second["rooms"]}
    s.ok("DELETE", "/breakouts/r2")
    again = s.ok("POST", "/breakouts", body={"strategy": "reuse", "reuse": "r1"})
    assert {frozenset(r["members"]) for r in again["rooms"]} == first
    assert s.call("POST", "/breakouts", body={"strategy": "shuffle"}).status_code == 422
    assert s.call("POST", "/breakouts", body={"strategy": "random", "rooms": 2}).status_code == 409
    await s.close_all()


async def test_a_call_for_help_reaches_the_facilitator_who_clears_it(server: PajaServer) -> None:
    s = Session.create(server, language="en")
    people = [s.join(f"P{i}") for i in range(4)]
    display = await s.open("control", s.created["observer_token"])
    s.ok("POST", "/breakouts", body={"strategy": "random", "group_size": 2, "duration_ms": 600_000})
    s.ok("POST", "/breakouts/r1/open")
    await eventually(lambda: (current_round(display) or {}).get("state") == "open")

    def calls() -> list[object]:
        """When each room asked for help (None: it did not), as the display sees it."""
        return [r["help_requested_at"] for r in (current_round(display) or {})["rooms"]]

    first, _ = (current_round(display) or {})["rooms"]
    asker = next(p for p in people if p["participant_id"] in first["members"])
    asked = s.ok("POST", "/breakouts/r1/help", asker["token"])
    assert [r["help_requested_at"] is not None for r in asked["rooms"]] == [True, False]
    await eventually(lambda: calls()[0] is not None, what="the call in control")
    assert calls()[1] is None, "only the asker's room calls"

    # only a facilitator clears it; clearing leaves the other room as it was
    refused = s.call("DELETE", f"/breakouts/r1/help/{first['board']}", asker["token"])
    assert refused.status_code == 403
    cleared = s.ok("DELETE", f"/breakouts/r1/help/{first['board']}")
    assert [r["help_requested_at"] for r in cleared["rooms"]] == [None, None]
    await eventually(lambda: calls() == [None, None], what="the call cleared in control")


async def test_refusals_carry_a_code_and_tags_keep_their_first_spelling(
    server: PajaServer,
) -> None:
    """A round with nobody to place is refused as `round_needs_people` (not "a round needs
    at least one room"), with its English detail kept; "KELA" typed after "Kela" is Kela."""
    s = Session.create(server, language="fi")
    refused = s.call("POST", "/breakouts", body={"strategy": "keep_apart", "group_size": 3})
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "round_needs_people" and problem["params"] == {}
    assert problem["detail"] == "a round needs at least one participant"

    first = s.join("Pia", ["org:Kela", "kind:supervisor"])
    second = s.join("Olli", ["org:KELA", "kind:newcomer"])
    control = await s.open("control")
    await eventually(lambda: len(section(control, "roster")) == 2, what="both joined")
    tags = {p["name"]: p["tags"] for p in section(control, "roster").values()}
    assert tags == {"Pia": ["org:Kela", "kind:supervisor"], "Olli": ["org:Kela", "kind:newcomer"]}
    assert first["participant_id"] != second["participant_id"]

    s.ok("POST", "/breakouts", body={"strategy": "keep_apart", "key": "org", "rooms": 2})
    again = s.call("POST", "/breakouts", body={"strategy": "random", "rooms": 2})
    assert again.status_code == 409
    assert again.json()["code"] == "round_in_progress" and again.json()["params"] == {"round": 1}
    await s.close_all()
