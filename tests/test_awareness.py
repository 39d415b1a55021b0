"""Presence: states reach others, late joiners get them, and a closed socket's vanish."""

from __future__ import annotations

import asyncio
import time

import pytest
from pycrdt import read_message

from server.sync.messages import awareness_client_ids
from support.nodeclient import NodeClient
from support.processes import PajaServer
from support.yclient import YClient, eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session


async def test_presence_reaches_others_and_vanishes_on_close(server: PajaServer) -> None:
    s = server.create_session()
    base = f"{server.ws}/ws/{s['id']}"
    alice = await NodeClient(base, "main", s["facilitator_token"]).start()
    bob = await NodeClient(base, "main", s["facilitator_token"]).start()
    watcher = await YClient(server.board_url(s["id"], "main", s["observer_token"])).connect()
    try:
        await alice.call("presence", state={"user": {"name": "Alice"}})

        async def bob_sees_alice() -> bool:
            peers = await bob.call("peers")
            return any(p.get("user", {}).get("name") == "Alice" for p in peers.values())

        for _ in range(100):
            if await bob_sees_alice():
                break
            await asyncio.sleep(0.05)
        assert await bob_sees_alice()

        late = await NodeClient(base, "main", s["observer_token"]).start()
        for _ in range(100):
            peers = await late.call("peers")
            if any(p.get("user", {}).get("name") == "Alice" for p in peers.values()):
                break
            await asyncio.sleep(0.05)
        assert any(p.get("user", {}).get("name") == "Alice" for p in peers.values())
        await late.close()

        # The server itself shows no presence of its own.
        others = {
            i: st for i, st in watcher.awareness.states.items() if i != watcher.awareness.client_id
        }
        assert [st.get("user", {}).get("name") for st in others.values()] == ["Alice"]

        started = time.monotonic()
        await alice.close()
        await eventually(
            lambda: all(
                st.get("user", {}).get("name") != "Alice"
                for st in watcher.awareness.states.values()
            ),
            timeout=1.0,
            what="Alice's presence removed within 1 s",
        )
        assert time.monotonic() - started < 1.0
        peers = await bob.call("peers")
        assert all(p.get("user", {}).get("name") != "Alice" for p in peers.values())
    finally:
        await bob.close()
        await watcher.close()


async def test_query_awareness_and_read_only_presence(server: PajaServer) -> None:
    s = server.create_session()
    display = await YClient(server.board_url(s["id"], "main", s["observer_token"])).connect()
    other = await YClient(server.board_url(s["id"], "main", s["facilitator_token"])).connect()
    try:
        await display.set_presence({"user": {"name": "Lab screen"}})
        await eventually(
            lambda: any(
                st.get("user", {}).get("name") == "Lab screen"
                for st in other.awareness.states.values()
            ),
            what="read-only client's presence",
        )
        count = len(other.frames)
        await other.send_raw(b"\x03")

        def answered() -> bool:
            """An awareness message after the query that speaks for the display's client."""
            return any(
                f[0] == 1
                and display.awareness.client_id in awareness_client_ids(read_message(f[1:]))
                for f in other.frames[count:]
            )

        await eventually(answered, what="the display's presence in the answer to a query")
    finally:
        await display.close()
        await other.close()


# Longer than everything that could drop a quiet socket: the stock provider reconnects after
# 30 s without a message (messageReconnectTimeout) and renews its presence every 15 s; the
# server pings every 20 s and gives up 20 s after an unanswered ping. 65 s covers two of the
# provider's timeouts and a ping's whole round.
QUIET_SECONDS = 65


@pytest.mark.slow
async def test_lone_stock_client_keeps_one_connection_while_nobody_else_speaks(
    server: PajaServer,
) -> None:
    s = server.create_session()
    lone = await NodeClient(f"{server.ws}/ws/{s['id']}", "main", s["facilitator_token"]).start()
    try:
        await lone.call("presence", state={"user": {"name": "alone"}})
        deadline = time.monotonic() + QUIET_SECONDS
        while time.monotonic() < deadline:  # a drop fails at once, not at the end
            stats = await lone.call("stats")
            assert stats["connects"] == 1 and stats["disconnects"] == 0, stats
            await asyncio.sleep(1)
        stats = await lone.call("stats")
        assert stats["connects"] == 1, stats
        assert stats["disconnects"] == 0, stats
        assert stats["wsconnected"] is True
    finally:
        await lone.close()
