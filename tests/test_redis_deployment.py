"""Three `paja serve` processes on one Redis behave as one server.

A workshop's participants land on whichever instance the load balancer picks: they all
edit one board, a late joiner anywhere gets all of it, and everybody sees who is there.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from pycrdt import Map

from support.processes import PajaServer
from support.redis import RedisServer
from support.redis import deployment as start_deployment
from support.yclient import YClient, edit_until, eventually

TTL_SECONDS = 3


def deployment(
    server_factory: type[PajaServer], redis_server: RedisServer, n: int = 3
) -> list[PajaServer]:
    return start_deployment(server_factory, redis_server, n, ttl_seconds=TTL_SECONDS)


def names(client: YClient) -> set[str]:
    return {
        st.get("user", {}).get("name", "")
        for i, st in client.awareness.states.items()
        if i != client.awareness.client_id
    }


async def test_clients_on_three_instances_edit_one_board(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    servers = deployment(server_factory, redis_server)
    s = servers[0].create_session()
    # A participant token minted on the second instance opens the board on the third.
    participant = servers[1].join(s, "Ada")
    urls = [srv.board_url(s["id"], "main", s["facilitator_token"]) for srv in servers]
    clients = [await YClient(url).connect() for url in urls for _ in range(2)]
    clients.append(
        await YClient(servers[2].board_url(s["id"], "main", participant["token"])).connect()
    )
    try:
        started = time.monotonic()
        for n, client in enumerate(clients):
            notes = client.doc.get("notes", type=Map)
            for i in range(200):
                notes[f"c{n}-{i}"] = i
        expected = {f"c{n}-{i}" for n in range(len(clients)) for i in range(200)}
        await eventually(
            lambda: all(set(c.notes()) == expected for c in clients),
            timeout=15,
            what="every client on every instance has every note",
        )
        print(f"\n7 clients on 3 instances converged in {time.monotonic() - started:.2f} s")

        late = await YClient(urls[2]).connect()
        assert set(late.notes()) == expected, "a late joiner on the third instance gets it all"
        await late.close()

        # Presence set through the first instance is seen through the other two ...
        await clients[0].set_presence({"user": {"name": "Facilitator"}})
        watchers = [clients[2], clients[4]]
        await eventually(
            lambda: all("Facilitator" in names(w) for w in watchers), what="presence crosses"
        )
        # ... and goes when that client leaves.
        left = time.monotonic()
        await clients[0].close()
        await eventually(
            lambda: all("Facilitator" not in names(w) for w in watchers),
            timeout=2,
            what="presence removed on the other instances",
        )
        print(f"presence removed across instances {time.monotonic() - left:.3f} s after leaving")
    finally:
        for client in clients:
            await client.close()


async def test_kill_9_of_an_instance_loses_nothing_its_presence_goes_and_it_comes_back(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    servers = deployment(server_factory, redis_server)
    s = servers[0].create_session()
    token = s["facilitator_token"]
    urls = [srv.board_url(s["id"], "main", token) for srv in servers]
    survivors = [await YClient(urls[0]).connect(), await YClient(urls[2]).connect()]
    doomed = [await YClient(urls[1]).connect() for _ in range(2)]
    clients = survivors + doomed
    await doomed[0].set_presence({"user": {"name": "On the doomed instance"}})
    await eventually(
        lambda: all("On the doomed instance" in names(c) for c in survivors),
        what="presence of the doomed instance's client",
    )
    edits: list[str] = []
    stop = asyncio.Event()
    editors = [
        asyncio.create_task(edit_until(c, f"c{n}", stop, edits)) for n, c in enumerate(clients)
    ]
    await asyncio.sleep(1.5)
    servers[1].kill9()
    killed_at = time.monotonic()
    for client in doomed:
        await client.wait_closed()

    # The presence of the dead instance's clients disappears within the heartbeat bound.
    await eventually(
        lambda: all("On the doomed instance" not in names(c) for c in survivors),
        timeout=TTL_SECONDS + 3,
        what="presence of the dead instance's clients removed",
    )
    gone_after = time.monotonic() - killed_at
    print(f"\npresence of a kill -9'd instance gone after {gone_after:.2f} s (TTL {TTL_SECONDS} s)")
    assert servers[1].readiness() is None
    assert servers[0].readiness() == 200 and servers[2].readiness() == 200
    assert all("is gone; removed the presence of 1 clients" in servers[i].log() for i in (0, 2))

    # It is restarted; one of its clients comes back to it, the other went to another
    # instance meanwhile; both with what they hold, and they go on editing.
    servers[1].start()
    assert servers[1].readiness() == 200
    moved = [
        await YClient(urls[1], doc=doomed[0].doc).connect(),
        await YClient(urls[2], doc=doomed[1].doc).connect(),
    ]
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*editors)
    everyone = [*survivors, *moved]
    try:
        await eventually(
            lambda: all(set(edits) <= set(c.notes()) for c in everyone),
            timeout=10,
            what="every edit on every client after the kill",
        )
        fresh = await YClient(urls[0]).connect()
        assert set(edits) <= set(fresh.notes())
        await fresh.close()
    finally:
        for client in everyone:
            await client.close()


async def test_a_restart_with_a_fresh_data_dir_serves_every_board_from_redis(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    first = deployment(server_factory, redis_server, n=1)[0]
    s = first.create_session()
    boards = ["main", "ideas"]
    for board in boards:
        writer = await YClient(first.board_url(s["id"], board, s["facilitator_token"])).connect()
        writer.doc.get("notes", type=Map)["board"] = board
        await eventually(lambda w=writer: any(f[:2] == b"\x00\x02" for f in w.frames))
        await writer.close()
    assert first.terminate()
    assert not (first.data_dir / "paja.sqlite3").exists(), "with Redis, SQLite is not used"

    second = deployment(server_factory, redis_server, n=1)[0]  # a new, empty data dir
    assert second.data_dir != first.data_dir
    r = httpx.get(
        f"{second.http}/api/sessions/{s['id']}",
        headers={"Authorization": f"Bearer {s['facilitator_token']}"},
        timeout=10,
    )
    assert r.status_code == 200 and set(boards) <= set(r.json()["boards"])
    for board in boards:
        reader = await YClient(second.board_url(s["id"], board, s["observer_token"])).connect()
        assert reader.notes() == {"board": board}
        await reader.close()
