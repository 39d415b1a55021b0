"""Ending a session: participants only read from then on, timers stop, and the end is in
`control` for every screen to show."""

from __future__ import annotations

from support.commands import Session, section, write_probe
from support.processes import PajaServer
from support.yclient import eventually


async def test_an_ended_session_is_read_only_for_participants_and_its_timers_stop(
    server: PajaServer,
) -> None:
    s = Session.create(server)
    anna = s.join("Anna")
    main = await s.open("main", anna["token"])
    facilitator = await s.open("main")
    display = await s.open("control", s.created["observer_token"])
    running = s.ok("POST", "/timers", body={"duration_ms": 600_000, "label": "Pairs"})
    paused = s.ok("POST", "/timers", body={"duration_ms": 600_000, "label": "Coffee"})
    s.ok("POST", f"/timers/{paused['id']}/pause")
    assert await write_probe(main, "before-the-end")

    ended_at = s.ok("POST", "/end")["ended_at"]
    assert not await write_probe(main, "after-the-end"), "an open socket loses write at once"
    later = await s.open("main", anna["token"])
    assert not await write_probe(later, "reopened"), "a socket opened after the end reads only"
    assert await write_probe(facilitator, "facilitator-tidies-up")

    await eventually(lambda: section(display, "session").get("ended_at") == ended_at)
    stopped = section(display, "timers")
    assert {t["state"] for t in stopped.values()} == {"ended"}
    assert all(t["ended_at"] == ended_at for t in stopped.values())
    assert stopped[running["id"]]["remaining_ms"] == 0
    assert s.call("POST", "/end").status_code == 409
    await s.close_all()
