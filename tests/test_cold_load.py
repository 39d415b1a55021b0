"""The first sync after a restart: a board is served while its stored state loads.

A stopped server leaves each board as one stored snapshot; the first joiner after the
restart is sent those bytes as they are, before the server has applied them, and whatever
a joiner sends meanwhile waits for the load instead of being lost. A board whose stored
state is corrupt is never served from it or saved over, and troubles nobody else.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from pycrdt import Map

from support.processes import PajaServer
from support.redis import RedisServer
from support.yclient import YClient, eventually, reconnecting
from support.yupdates import sync_update

SYNC_STEP1 = b"\x00\x00"
SYNC_STEP2 = b"\x00\x01"
FRESH_STEP1 = b"\x00\x00\x01\x00"  # sync step 1 with an empty state vector


@pytest.fixture(params=["sqlite", "redis"])
def store_args(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """`paja serve` arguments for each store: the embedded SQLite file, or a real Redis."""
    if request.param == "sqlite":
        yield []
        return
    redis = RedisServer(tmp_path / "redis").start()
    yield ["--redis-url", redis.url]
    redis.stop()


def stored_rows(server: PajaServer, key: str) -> tuple[int, int]:
    """Log rows and snapshots stored for a board (read beside the server: WAL mode)."""
    with contextlib.closing(sqlite3.connect(server.data_dir / "paja.sqlite3")) as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM updates WHERE doc = ?", (key,)).fetchone()
        (snapshots,) = db.execute("SELECT COUNT(*) FROM snapshots WHERE doc = ?", (key,)).fetchone()
    return int(rows), int(snapshots)


def main_board(server: PajaServer) -> tuple[dict[str, str], str, str]:
    """A new session on `server`: the session, its main board's key and facilitator URL."""
    s = server.create_session()
    return s, f"{s['id']}/main", server.board_url(s["id"], "main", s["facilitator_token"])


async def fill(url: str, notes: int = 4000, per_update: int = 100) -> dict[str, Any]:
    """A board of `notes` notes, written in updates of `per_update`; returns its notes once
    the server holds them all (a second client has them, through the server)."""
    writer = await YClient(url).connect()
    board = writer.doc.get("notes", type=Map)
    for start in range(0, notes, per_update):
        with writer.doc.transaction():
            for i in range(start, start + per_update):
                board[f"n{i}"] = f"idea {i}: worth a workshop of its own"
    expected = writer.notes()
    watcher = await YClient(url).connect()
    await eventually(lambda: watcher.notes() == expected, timeout=30, what="the board served")
    for client in (writer, watcher):
        await client.close()
    return expected


async def first_sync_frames(client: YClient) -> list[bytes]:
    """The kinds of the first two sync messages the server sent: its step 1 and step 2."""

    def kinds() -> list[bytes]:
        return [f[:2] for f in client.frames if f[:2] in (SYNC_STEP1, SYNC_STEP2)]

    await eventually(lambda: len(kinds()) >= 2, what="the server's step 1 and step 2")
    return kinds()[:2]


async def test_a_joiner_after_a_restart_gets_the_whole_board_and_keeps_what_it_sent_while_it_loaded(
    server_factory: type[PajaServer], store_args: list[str]
) -> None:
    server = server_factory(args=store_args).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    expected = await fill(url)
    assert server.terminate()

    server.start()
    # The joiner writes at once, before its sync: the edit reaches the server while the
    # board is still being loaded.
    joiner = await YClient(url).connect(wait_synced=False)
    joiner.doc.get("notes", type=Map)["joiner"] = "written while the board loads"
    # the edit is out before the server has answered the sync: its board was not served yet
    assert SYNC_STEP2 not in [f[:2] for f in joiner.frames], "the edit came too late to prove it"
    whole = {**expected, "joiner": "written while the board loads"}
    await eventually(joiner.synced.is_set, what="the joiner synced")
    await eventually(lambda: joiner.notes() == whole, what="the joiner has the whole board")

    other = await YClient(url).connect()
    await eventually(lambda: "joiner" in other.notes(), what="the joiner's edit served")
    assert other.notes() == joiner.notes()
    for client in (joiner, other):
        await client.close()
    assert server.terminate()
    server.start()
    fresh = await YClient(url).connect()
    assert fresh.notes() == whole
    await fresh.close()


async def test_a_reconnecting_client_gets_what_it_missed_and_gives_what_it_wrote_offline(
    server_factory: type[PajaServer], store_args: list[str]
) -> None:
    server = server_factory(args=store_args).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    expected = await fill(url, notes=1000)
    laptop = await YClient(url).connect()
    laptop.go_offline()
    laptop.doc.get("notes", type=Map)["offline"] = "written on the train"
    colleague = await YClient(url).connect()
    colleague.doc.get("notes", type=Map)["colleague"] = "written meanwhile"
    watcher = await YClient(url).connect()
    await eventually(lambda: "colleague" in watcher.notes(), what="the colleague's edit served")
    for client in (colleague, watcher):
        await client.close()
    assert server.terminate()
    await laptop.wait_closed()

    server.start()
    await laptop.connect()  # its state vector holds nearly all of the board
    whole = {**expected, "offline": "written on the train", "colleague": "written meanwhile"}
    await eventually(lambda: laptop.notes() == whole, what="the laptop has the whole board")
    fresh = await YClient(url).connect()
    await eventually(lambda: fresh.notes() == whole, what="the laptop's offline edit served")
    for client in (laptop, fresh):
        await client.close()


async def test_a_stopped_or_idle_board_is_stored_as_one_snapshot_sent_before_it_loads(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()
    _, key, url = main_board(server)
    expected = await fill(url)
    # Served before it is stored: the flusher writes within its batching window.
    await eventually(lambda: stored_rows(server, key)[0] > 0, what="the edits logged")
    assert server.terminate()
    assert stored_rows(server, key) == (0, 1)

    server.start()
    joiner = await YClient(url).connect()
    assert joiner.notes() == expected
    # Answered from the stored snapshot before the server's own step 1, which waits for
    # the load: it carries the state vector of the applied board.
    assert await first_sync_frames(joiner) == [SYNC_STEP2, SYNC_STEP1]

    joiner.doc.get("notes", type=Map)["late"] = "one more"
    await eventually(lambda: stored_rows(server, key)[0] > 0, what="the edit logged")
    await joiner.close()
    # Every connection gone: the board unloads (after 2 s in tests) as one snapshot again.
    await eventually(lambda: stored_rows(server, key) == (0, 1), what="compacted on unload")
    again = await YClient(url).connect()
    assert again.notes() == {**expected, "late": "one more"}
    assert await first_sync_frames(again) == [SYNC_STEP2, SYNC_STEP1]
    await again.close()


def stored_state(server: PajaServer, key: str) -> tuple[list[bytes], list[bytes]]:
    with contextlib.closing(sqlite3.connect(server.data_dir / "paja.sqlite3")) as db:
        snapshots = db.execute("SELECT data FROM snapshots WHERE doc = ?", (key,)).fetchall()
        rows = db.execute("SELECT data FROM updates WHERE doc = ? ORDER BY id", (key,)).fetchall()
    return [bytes(r[0]) for r in snapshots], [bytes(r[0]) for r in rows]


@pytest.mark.parametrize("where", ["snapshot", "log"])
async def test_a_board_with_a_corrupt_stored_state_closes_its_joiners_and_stays_as_stored(
    server_factory: type[PajaServer], where: str
) -> None:
    server = server_factory().start()
    s, key, url = main_board(server)
    ideas = server.board_url(s["id"], "ideas", s["facilitator_token"])
    expected = await fill(ideas, notes=200)
    if where == "log":
        await fill(url, notes=200)  # a good snapshot, the garbage logged after it
    assert server.terminate()
    garbage = b"\x05\xff\xff\xff not an update of anything"
    with contextlib.closing(sqlite3.connect(server.data_dir / "paja.sqlite3")) as db, db:
        if where == "snapshot":
            db.execute(
                "INSERT INTO snapshots (doc, data, updated_at) VALUES (?, ?, 0)", (key, garbage)
            )
        else:
            db.execute("INSERT INTO updates (doc, data) VALUES (?, ?)", (key, garbage))
    before = stored_state(server, key)

    server.start()
    # Neither a fresh joiner nor one with a state of its own is sent anything of it.
    async with websockets.connect(url, max_size=None) as ws:
        received: list[bytes] = []
        # The server may refuse the board before the step 1 is out: the close is the answer.
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send(FRESH_STEP1)
            async for frame in ws:
                received.append(bytes(frame))
    assert ws.close_code == 1011
    assert not [f for f in received if f[:2] == SYNC_STEP2]
    writer = YClient(url)
    writer.doc.get("notes", type=Map)["mine"] = "kept by the client"
    await writer.connect(wait_synced=False)
    assert await writer.wait_closed() == 1011

    # The session's other boards are untouched, and the bad one is never saved over.
    neighbour = await YClient(ideas).connect()
    assert neighbour.notes() == expected
    await neighbour.close()
    assert server.terminate()
    assert stored_state(server, key) == before


# Found by the fuzz test (tests/test_fuzz_updates.py): a note, another client's note over it
# (deleting the first), and an item under the first note. pycrdt takes them update by update,
# as a live board does, but refuses them in one transaction, the way a board is loaded.
TAKEN_ONLY_ONE_BY_ONE = [
    bytes.fromhex(update)
    for update in (
        "010200002801056e6f746573016b017e2801056e6f746573016b017e00",
        "01018501002801056e6f746573016b01750000",
        "0102ffffffffffffff0fdf1128000000016b017e2801056e6f746573016b017e00",
    )
]


async def test_a_stored_log_that_applies_only_update_by_update_is_replayed(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory().start()
    s, key, url = main_board(server)
    expected = await fill(url, notes=50, per_update=10)
    participant = server.join(s, "Pia")
    sender = await websockets.connect(server.board_url(s["id"], "main", participant["token"]))
    logged, _ = stored_rows(server, key)
    await sender.send(FRESH_STEP1)
    for update in TAKEN_ONLY_ONE_BY_ONE:
        await sender.send(sync_update(update))
    await eventually(
        lambda: stored_rows(server, key)[0] == logged + len(TAKEN_ONLY_ONE_BY_ONE),
        what="the three updates stored",
    )
    server.kill9()  # no compaction: the next load reads the log

    server.start()
    client = await reconnecting(url)
    assert {k: v for k, v in client.notes().items() if k in expected} == expected
    client.doc.get("notes", type=Map)["after"] = "written on the replayed board"
    watcher = await reconnecting(url)
    await eventually(lambda: "after" in watcher.notes(), what="an edit on the replayed board")
    await client.close()
    await watcher.close()
    assert server.terminate()
    assert server.log_path.read_text().count("replayed update by update") == 1
    # Compacted as it left memory, from the replayed copy: the next load is an ordinary one.
    assert stored_rows(server, key) == (0, 1)
    server.start()
    again = await YClient(url).connect()
    assert again.notes() == watcher.notes()
    await again.close()
    assert server.terminate()
    assert server.log_path.read_text().count("replayed update by update") == 1
