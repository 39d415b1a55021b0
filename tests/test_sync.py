"""Stock Yjs clients and pycrdt clients editing one board converge, late or offline."""

from __future__ import annotations

import asyncio

import pytest
from pycrdt import Array, Map, Text

from support.nodeclient import NodeClient
from support.processes import PajaServer
from support.yclient import YClient, eventually, snapshot

pytestmark = pytest.mark.shared_server  # each test makes its own session


async def test_two_pycrdt_and_two_stock_clients_converge(server: PajaServer) -> None:
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    py = [await YClient(url).connect() for _ in range(2)]
    js = [
        await NodeClient(f"{server.ws}/ws/{s['id']}", "main", s["facilitator_token"]).start()
        for _ in range(2)
    ]
    try:
        # Concurrent edits to a map, an array and a text from all four at once.
        for i, client in enumerate(py):
            client.doc.get("notes", type=Map)[f"py{i}"] = {"text": f"note from py{i}"}
            client.doc.get("items", type=Array).append(f"py{i}")
            client.doc.get("text", type=Text).insert(0, f"[py{i}]")
        for i, node in enumerate(js):
            await node.call("set", key=f"js{i}", value={"text": f"note from js{i}"})
            await node.call("push", value=f"js{i}")
            await node.call("insert", index=0, value=f"[js{i}]")
        # 1,000 rapid edits from each kind of client.
        await js[0].call("burst", n=1000, prefix="jsburst")
        notes = py[0].doc.get("notes", type=Map)
        for i in range(1000):
            notes[f"pyburst-{i}"] = i

        async def converged() -> bool:
            states = [snapshot(c.doc) for c in py] + [await n.snapshot() for n in js]
            return all(state == states[0] for state in states)

        for _ in range(300):
            if await converged():
                break
            await asyncio.sleep(0.05)
        final = snapshot(py[0].doc)
        assert await converged(), "clients did not converge"
        assert {"py0", "py1", "js0", "js1", "pyburst-999", "jsburst-999"} <= set(final["notes"])
        assert len(final["items"]) == 4 + 333
        for tag in ("[py0]", "[py1]", "[js0]", "[js1]", "jsburst998;"):
            assert tag in final["text"]

        late = await YClient(url).connect()
        assert snapshot(late.doc) == final, "a late joiner gets the full state"
        await late.close()
    finally:
        for c in py:
            await c.close()
        for n in js:
            await n.close()


async def test_offline_edits_converge_after_reconnect(server: PajaServer) -> None:
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    online = await YClient(url).connect()
    roaming = NodeClient(f"{server.ws}/ws/{s['id']}", "main", s["facilitator_token"])
    await roaming.start()
    try:
        await roaming.call("disconnect")
        await roaming.call("set", key="written-offline", value="on the train")
        online.doc.get("notes", type=Map)["written-online"] = "in the Lab"
        await asyncio.sleep(0.3)
        assert "written-offline" not in online.notes()
        await roaming.call("connect")
        await eventually(lambda: "written-offline" in online.notes(), what="offline edit")
        for _ in range(100):
            if (await roaming.snapshot())["notes"].get("written-online") == "in the Lab":
                break
            await asyncio.sleep(0.05)
        assert (await roaming.snapshot())["notes"] == online.notes()
    finally:
        await online.close()
        await roaming.close()


async def test_updates_are_echoed_to_the_sender(server: PajaServer) -> None:
    """Stock v3 clients rely on the echo to avoid their silence timeout."""
    s = server.create_session()
    client = await YClient(server.board_url(s["id"], "main", s["facilitator_token"])).connect()
    try:
        before = len(client.frames)
        client.doc.get("notes", type=Map)["a"] = 1
        await eventually(
            lambda: any(f[:2] == b"\x00\x02" for f in client.frames[before:]), what="echo"
        )
    finally:
        await client.close()
