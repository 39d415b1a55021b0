"""A busy board sends presence and updates once a tick: nobody misses a latest state.

Movers send cursor states as fast as they can, so the server gathers them over ticks and
sends one awareness update per tick holding many clients' entries. Stock clients (the Yjs
`WebsocketProvider` and pycrdt) must still end with every mover's latest cursor, and lose
every mover's presence when it leaves; a burst of updates merged per sender must arrive
whole. The same holds across two instances on one Redis, where the bus carries one
presence message per board per tick.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pycrdt import Map, YMessageType, YSyncMessageType, read_message
from redis.asyncio import Redis

from server.bus import wire
from server.sync.messages import awareness_entries
from support.nodeclient import NodeClient
from support.processes import PajaServer
from support.redis import RedisServer
from support.redis import deployment as start_deployment
from support.yclient import YClient, eventually

MOVERS = 5
MOVES = 40  # cursor states each mover sends, back to back
WRITES = 150  # updates each writer sends, back to back


def mover_names(states: dict[int, dict[str, Any]]) -> dict[str, int]:
    """Each mover's cursor sequence number as a client sees it."""
    return {
        st["user"]["name"]: st.get("cursor", {}).get("seq", -1)
        for st in states.values()
        if isinstance(st, dict) and st.get("user", {}).get("name", "").startswith("mover")
    }


def awareness_frames(client: YClient) -> list[int]:
    """How many entries each awareness frame the client received held."""
    return [
        len(awareness_entries(read_message(f[1:])))
        for f in client.frames
        if f[0] == YMessageType.AWARENESS
    ]


def update_frames(client: YClient) -> int:
    updates = [f for f in client.frames if f[0] == YMessageType.SYNC]
    return sum(1 for f in updates if f[1] == YSyncMessageType.SYNC_UPDATE)


async def move(mover: YClient, name: str) -> None:
    for seq in range(MOVES):
        await mover.set_presence({"user": {"name": name}, "cursor": {"seq": seq, "x": seq * 3}})


async def write(writer: YClient, prefix: str) -> None:
    notes = writer.doc.get("notes", type=Map)
    for i in range(WRITES):
        notes[f"{prefix}-{i}"] = i  # one update each


async def check_board(
    mover_urls: list[str],
    watcher_url: str,
    node_base: str,
    node_token: str,
) -> tuple[YClient, list[YClient]]:
    """Movers and writers busy at once; the watchers (pycrdt at `watcher_url`, a stock
    provider at `node_base`) must see every latest cursor, every note and every removal."""
    watcher = await YClient(watcher_url).connect()
    stock = await NodeClient(node_base, "main", node_token).start()
    movers = [await YClient(url).connect() for url in mover_urls]
    try:
        await asyncio.gather(
            *(move(m, f"mover{k}") for k, m in enumerate(movers)),
            *(write(m, f"w{k}") for k, m in enumerate(movers)),
        )
        latest = {f"mover{k}": MOVES - 1 for k in range(MOVERS)}
        expected_notes = {f"w{k}-{i}" for k in range(MOVERS) for i in range(WRITES)}

        async def stock_sees_all() -> bool:
            peers = {int(k): v for k, v in (await stock.call("peers")).items()}
            return mover_names(peers) == latest

        await eventually(
            lambda: mover_names(watcher.awareness.states) == latest,
            what="the pycrdt watcher has every mover's latest cursor",
        )
        for _ in range(100):
            if await stock_sees_all():
                break
            await asyncio.sleep(0.05)
        assert await stock_sees_all(), "the stock provider has every mover's latest cursor"
        await eventually(
            lambda: set(watcher.notes()) == expected_notes, what="every update reached pycrdt"
        )
        for _ in range(100):
            if set((await stock.snapshot())["notes"]) == expected_notes:
                break
            await asyncio.sleep(0.05)
        assert set((await stock.snapshot())["notes"]) == expected_notes, "the stock provider too"

        # They were sent gathered: frames holding several movers' states, and far fewer
        # update frames than updates.
        sizes = awareness_frames(watcher)
        assert max(sizes) > 1, f"no awareness frame held several states: {sizes}"
        assert sum(sizes) < MOVERS * MOVES, "cursor states were relayed one by one"
        assert update_frames(watcher) < MOVERS * WRITES, "updates were relayed one by one"

        # One mover clears its state (null), the others leave: all gone everywhere.
        await movers[0].set_presence(None)
        for m in movers[1:]:
            await m.close()
        await eventually(
            lambda: mover_names(watcher.awareness.states) == {},
            timeout=2,
            what="every mover's presence removed for the pycrdt watcher",
        )
        for _ in range(40):
            if mover_names({int(k): v for k, v in (await stock.call("peers")).items()}) == {}:
                break
            await asyncio.sleep(0.05)
        peers = await stock.call("peers")
        assert mover_names({int(k): v for k, v in peers.items()}) == {}, peers
        return watcher, movers
    finally:
        await stock.close()
        await watcher.close()
        for m in movers:
            await m.close()


async def test_coalesced_presence_and_updates_on_one_instance(server: PajaServer) -> None:
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    await check_board([url] * MOVERS, url, f"{server.ws}/ws/{s['id']}", s["observer_token"])


async def test_coalesced_presence_and_updates_across_two_instances(
    redis_server: RedisServer, server_factory: type[PajaServer]
) -> None:
    first, second = start_deployment(server_factory, redis_server, 2, ttl_seconds=3)
    s = first.create_session()
    here = first.board_url(s["id"], "main", s["facilitator_token"])
    there = second.board_url(s["id"], "main", s["observer_token"])
    # Every presence message the instances exchange, as Redis delivers it to any subscriber.
    listener = Redis.from_url(redis_server.url)
    pubsub = listener.pubsub()
    await pubsub.psubscribe("*")
    presence_messages = 0

    async def count() -> None:
        nonlocal presence_messages
        async for message in pubsub.listen():
            if message["type"] == "pmessage" and message["data"][0] == wire.AWARENESS:
                presence_messages += 1

    counting = asyncio.create_task(count())
    try:
        await check_board([here] * MOVERS, there, f"{second.ws}/ws/{s['id']}", s["observer_token"])
    finally:
        counting.cancel()
        await asyncio.gather(counting, return_exceptions=True)
        await pubsub.aclose()
        await listener.aclose()
    # MOVERS * MOVES changes and MOVERS removals, sent back to back: relayed one by one
    # they would be as many bus messages.
    assert 0 < presence_messages < MOVERS * MOVES / 2, f"{presence_messages} presence messages"
