"""What an open socket costs the server, and the same sync under any ASGI server.

Under `paja serve` an accepted socket is handed over to callbacks (server/sync/uvicorn_socket.py):
an idle connection holds no asyncio task. Joiners that arrive together share the store's
answers about their session, boards and token, without anyone getting another's rights.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycrdt import Map

from support.commands import Session, write_probe
from support.processes import ROOT, PajaServer, free_port, wait_http
from support.yclient import YClient, eventually

# Loaded by `paja serve` at start-up (sitecustomize): on SIGUSR1 the server writes how many
# asyncio tasks it runs to the file named in TASK_COUNT_FILE.
TASK_PROBE = """
import asyncio, os, signal

def _count_tasks(*_):
    with open(os.environ["TASK_COUNT_FILE"] + ".tmp", "w") as f:
        f.write(str(len(asyncio.all_tasks())))
    os.replace(os.environ["TASK_COUNT_FILE"] + ".tmp", os.environ["TASK_COUNT_FILE"])

signal.signal(signal.SIGUSR1, _count_tasks)
"""

# The app under uvicorn's own WebSocket protocol, as under any ASGI server without Paja's.
PLAIN_ASGI = """
import sys
from pathlib import Path
import uvicorn
from server.http.app import create_app
from server.process.config import Settings
app = create_app(Settings(data_dir=Path(sys.argv[2])))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), ws="websockets-sansio",
            lifespan="on", log_level="warning")
"""


async def tasks_running(server: PajaServer, path: Path) -> int:
    ask_task_count(server, path)
    await eventually(path.exists, what="the server's task count")
    return read_count(path)


def ask_task_count(server: PajaServer, path: Path) -> None:
    path.unlink(missing_ok=True)
    assert server.proc is not None
    server.proc.send_signal(signal.SIGUSR1)


def read_count(path: Path) -> int:
    return int(path.read_text())


async def test_idle_connections_hold_no_task(
    server_factory: type[PajaServer], tmp_path: Path
) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(TASK_PROBE)
    count = tmp_path / "tasks"
    path = os.pathsep.join(p for p in (str(probe), os.environ.get("PYTHONPATH", "")) if p)
    server = server_factory(env={"PYTHONPATH": path, "TASK_COUNT_FILE": str(count)}).start()
    s = Session.create(server)
    first = await s.open("main")
    await asyncio.sleep(0.5)  # the joiner's own work is done
    before = await tasks_running(server, count)
    idle = [await s.open("main") for _ in range(30)]
    await asyncio.sleep(0.5)
    with_idle = await tasks_running(server, count)
    assert with_idle - before <= 2, f"{with_idle - before} more tasks for 30 idle sockets"
    # They are served all the same: an edit reaches every one of them.
    first.doc.get("notes", type=Map)["hello"] = "all"
    for client in idle:
        await eventually(lambda c=client: c.notes().get("hello") == "all")
    await s.close_all()
    await eventually(lambda: server.metric("paja_open_connections") == 0)
    # Closing leaves short-lived work behind (the last flush, an unload timer's task):
    # wait until it is done, and then no task of the idle sockets is left.
    deadline = asyncio.get_running_loop().time() + 20
    left = await tasks_running(server, count)
    while left > before and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.2)
        left = await tasks_running(server, count)
    assert left <= before, f"{left - before} tasks left after the sockets closed"


async def test_joiners_together_share_lookups_but_never_rights(server: PajaServer) -> None:
    s = Session.create(server)
    joined = [s.join(name) for name in ("Ann", "Bob", "Cid", "Dee")]
    s.ok("POST", "/boards", body={"name": "wall", "open_to_all": True})
    rounds = {"strategy": "random", "rooms": 2, "duration_ms": 60_000, "closing_ms": 1_000}
    drafted = s.ok("POST", "/breakouts", body=rounds)
    s.ok("POST", "/breakouts/r1/open")
    people = {p["participant_id"]: p for p in joined}
    inside = people[drafted["rooms"][0]["members"][0]]
    outside = people[drafted["rooms"][1]["members"][0]]
    room = drafted["rooms"][0]["board"]
    joiners = (
        [("wall", s.facilitator)] * 10
        + [("wall", inside["token"])] * 10
        + [("wall", s.created["observer_token"])] * 10
        + [(room, inside["token"]), (room, outside["token"]), ("wall", "not-a-token")]
    )
    clients = [YClient(server.board_url(s.id, board, token)) for board, token in joiners]
    await asyncio.gather(*(c.connect(wait_synced=False) for c in clients))
    facilitators, participants, observers = clients[:10], clients[10:20], clients[20:30]
    in_room, not_in_room, stranger = clients[30:]
    for client in [*facilitators, *participants, *observers, in_room]:
        await asyncio.wait_for(client.synced.wait(), 10)
    assert await not_in_room.wait_closed() == 4403, "another room's board"
    assert await stranger.wait_closed() == 4401
    assert await write_probe(facilitators[-1], "facilitator-writes")
    assert await write_probe(participants[-1], "participant-writes")
    assert not await write_probe(observers[-1], "observer-reads-only")
    assert await write_probe(in_room, "participant-in-their-room")
    for client in clients:
        await client.close()


async def test_an_answer_is_never_older_than_the_question_mid_storm(server: PajaServer) -> None:
    s = Session.create(server)
    pia = s.join("Pia")
    url = server.board_url(s.id, "main", pia["token"])
    stop = asyncio.Event()

    async def storm() -> None:  # Pia's token and the session's boards, asked for all along
        while not stop.is_set():
            clients = [YClient(url) for _ in range(10)]
            await asyncio.gather(*(c.connect(wait_synced=False) for c in clients))
            await asyncio.gather(*(c.close() for c in clients))

    storming = asyncio.create_task(storm())
    try:
        for i in range(5):
            s.ok("POST", "/boards", body={"name": f"late-{i}", "open_to_all": True})
            late = await s.open(f"late-{i}", pia["token"], synced=False)
            await eventually(lambda c=late: c.synced.is_set() or c.closed.is_set())
            assert late.synced.is_set(), f"late-{i} refused with {late.close_code}"
        s.ok("DELETE", f"/participants/{pia['participant_id']}")
        again = await s.open("main", pia["token"], synced=False)
        assert await again.wait_closed() == 4401, "a token revoked before it was asked for"
    finally:
        stop.set()
        await storming
        await s.close_all()


@pytest.fixture
def plain_asgi(tmp_path: Path) -> Iterator[PajaServer]:
    port = free_port()
    log = (tmp_path / "plain.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-c", PLAIN_ASGI, str(port), str(tmp_path / "data")],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    server = PajaServer(tmp_path / "data", tmp_path / "plain.log")
    server.port, server.proc = port, proc
    try:
        wait_http(server.http + "/healthz", proc=proc)
        yield server
    finally:
        server.stop()


async def test_plain_asgi_syncs_throttles_and_closes(plain_asgi: PajaServer) -> None:
    s = Session.create(plain_asgi)
    eve = s.join("Eve")
    writer, reader = await s.open("main"), await s.open("main", eve["token"])
    notes = writer.doc.get("notes", type=Map)
    for i in range(50):
        notes[f"n{i}"] = "x" * 20_000  # 1 MB in all: the writes queue behind one another
    await eventually(lambda: len(reader.notes()) == 50, what="every note under plain ASGI")
    assert await write_probe(reader, "a-participant-writes")
    text = await s.open("main")
    await text.send_raw("hello")
    assert await text.wait_closed() == 1008
    s.ok("DELETE", f"/participants/{eve['participant_id']}")
    assert await reader.wait_closed() == 4403, "closed from the server side"
    assert await write_probe(writer, "the-others-carry-on")
    await s.close_all()
