"""Timers on the server clock: commands, the agenda's timer, and a timer that keeps its
end time across a server restart and still fires (once) after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry

from rooms import timers
from server.bus.local import LocalBus
from server.http.api import Api
from server.process.config import Settings
from server.process.metrics import Counters
from server.process.scheduler import SessionEvent, now_ms
from server.store.sqlite import SQLiteStore
from server.sync.hub import Hub
from support.commands import Session, section
from support.processes import PajaServer
from support.yclient import eventually


async def test_timer_commands_follow_the_server_clock(server: PajaServer) -> None:
    s = Session.create(server)
    created = s.ok("POST", "/timers", body={"duration_ms": 600_000, "label": "Pairs"})
    tid = created["id"]
    assert created["state"] == "running"
    assert abs(created["ends_at"] - (now_ms() + 600_000)) < 5_000
    paused = s.ok("POST", f"/timers/{tid}/pause")
    assert paused["state"] == "paused" and 590_000 < paused["remaining_ms"] <= 600_000
    assert (
        s.ok("POST", f"/timers/{tid}/adjust", body={"delta_ms": 60_000})["remaining_ms"] > 650_000
    )
    resumed = s.ok("POST", f"/timers/{tid}/resume")
    assert resumed["state"] == "running" and resumed["ends_at"] > now_ms() + 600_000
    assert s.ok("POST", f"/timers/{tid}/reset", body={"duration_ms": 5_000})["state"] == "idle"
    assert s.ok("POST", f"/timers/{tid}/start")["ends_at"] <= now_ms() + 5_000

    refused = s.call("POST", f"/timers/{tid}/resume")
    assert (
        refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    )
    assert s.call("POST", "/timers/nope/pause").status_code == 404
    assert s.call("POST", "/timers", body={"duration_ms": 0}).status_code == 422
    assert (
        s.call("POST", "/timers", body={"duration_ms": 1000, "room": "breakout-5"}).status_code
        == 404
    )

    display = await s.open("control", s.created["observer_token"])
    await eventually(lambda: section(display, "timers").get(tid, {}).get("state") == "running")
    s.ok("DELETE", f"/timers/{tid}")
    await eventually(lambda: tid not in section(display, "timers"))
    await s.close_all()


async def test_moving_on_in_the_agenda_starts_the_items_timer(server: PajaServer) -> None:
    s = Session.create(server, template="development-path", language="fi")
    display = await s.open("control", s.created["observer_token"])
    agenda = section(display, "agenda")
    assert [i["title"] for i in agenda["items"]][1:6] == [
        "Kiinnostu",
        "Kartoita",
        "Kokeile",
        "Kehitä",
        "Käytä",
    ]
    assert {"get-interested", "map", "experiment", "develop", "use"} <= set(
        section(display, "boards")
    )
    first = s.ok("POST", "/agenda/next")["current"]
    assert first["title"] == "Tervetuloa"
    await eventually(lambda: section(display, "agenda")["current"] == first["id"])
    timer = section(display, "timers")[timers.AGENDA_TIMER]
    assert timer["label"] == "Tervetuloa" and timer["duration_ms"] == 10 * 60_000
    chosen = s.ok("POST", "/agenda/current", body={"item": "i3", "start_timer": False})
    assert chosen["current"]["board"] == "map"
    s.ok("PUT", "/agenda", body={"items": [{"title": "Only", "duration_ms": 1000}]})
    await eventually(lambda: section(display, "agenda")["current"] is None)
    await s.close_all()


async def test_a_timer_keeps_its_end_time_across_a_restart_and_fires_after_it(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()
    s = Session.create(server)
    laptop = await s.open("control")
    timer = s.ok("POST", "/timers", body={"duration_ms": 4_000, "label": "Back at"})
    await laptop.close()  # the facilitator's laptop goes away; nothing changes
    assert server.terminate()
    server.start()
    s.join("Arrives after the restart")
    display = await s.open("control", s.created["observer_token"])
    kept = section(display, "timers")[timer["id"]]
    # still running, or (on a busy machine the restart may take longer) ended on time
    if kept["state"] == "running":
        assert kept["ends_at"] == timer["ends_at"]
    else:
        assert kept["state"] == "ended" and kept["ended_at"] == timer["ends_at"]
    await eventually(lambda: section(display, "timers")[timer["id"]]["state"] == "ended", 15)
    ended = section(display, "timers")[timer["id"]]
    assert ended["ended_at"] == timer["ends_at"] and ended["remaining_ms"] == 0
    fired = f"timer.ended:{timer['id']}:{timer['ends_at']}"
    await eventually(lambda: fired in server.log())
    # A later timer's end proves the scheduler has passed again since: still one firing.
    later = s.ok("POST", "/timers", body={"duration_ms": 300, "label": "Later"})
    await eventually(lambda: f"timer.ended:{later['id']}:" in server.log())
    assert server.log().count(fired) == 1
    assert httpx.get(server.http + "/readyz").status_code == 200
    await s.close_all()


async def test_the_scheduler_fires_a_deadline_it_slept_through_at_startup(tmp_path: Path) -> None:
    """What the app's lifespan does at start: read the store's wake-ups and fire what is
    due, with no request and no client."""
    settings = Settings(data_dir=tmp_path)
    events: list[SessionEvent] = []

    async def run(work: Any) -> Any:
        store = SQLiteStore(settings.sqlite_path)
        await store.start()
        hub = Hub(
            store.documents,
            LocalBus(),
            settings,
            Counters(CollectorRegistry()),
        )
        await hub.start()
        api = Api(store, settings)
        control = await api.start(hub)
        control.scheduler.on_event(events.append)
        try:
            return await work(control)
        finally:
            await api.close()
            await hub.close()
            await store.close()

    started = now_ms()
    await run(
        lambda control: control.change(
            "s1", lambda doc: timers.create(doc, "t", 2_000, started, label="Tea")
        )
    )
    assert events == []
    # the server is down when the timer ends
    await eventually(lambda: now_ms() > started + 2_100, 10, what="the timer's end passed")

    async def wait_for_event(control: Any) -> None:
        await eventually(lambda: len(events) == 1, 15)

    await run(wait_for_event)
    assert events[0].kind == "timer.ended" and events[0].session_id == "s1"
    assert events[0].data == {"timer": "t", "label": "Tea", "room": None}


async def test_the_shown_timer_is_the_session_timer_started_or_resumed_last(
    server: PajaServer,
) -> None:
    """The sequence of issue 13: the agenda item's timer, then a coffee break; pausing the
    coffee break keeps it shown; resuming the agenda's timer shows that one again."""
    s = Session.create(server, template="development-path", language="fi")
    display = await s.open("control", s.created["observer_token"])
    s.ok("POST", "/agenda/next")
    coffee = s.ok("POST", "/timers", body={"duration_ms": 300_000, "label": "Kahvitauko"})

    def shown() -> str:
        values = section(display, "timers").values()
        started = [t for t in values if t["room"] is None and t["since"] is not None]
        return str(max(started, key=lambda t: t["since"])["id"])

    await eventually(lambda: coffee["id"] in section(display, "timers"))
    agenda_since = section(display, "timers")[timers.AGENDA_TIMER]["since"]
    assert coffee["since"] >= agenda_since and shown() == coffee["id"]
    s.ok("POST", f"/timers/{coffee['id']}/pause")
    s.ok("POST", f"/timers/{timers.AGENDA_TIMER}/pause")
    await eventually(lambda: section(display, "timers")[coffee["id"]]["state"] == "paused")
    assert shown() == coffee["id"], "pausing does not change which timer is shown"
    resumed = s.ok("POST", f"/timers/{timers.AGENDA_TIMER}/resume")
    assert resumed["since"] >= coffee["since"]
    await eventually(lambda: shown() == timers.AGENDA_TIMER)
    idle = s.ok("POST", "/timers", body={"duration_ms": 1000, "start": False})
    assert idle["since"] is None, "a timer not yet started is shown by nobody"
    await s.close_all()
