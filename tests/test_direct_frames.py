"""`paja serve` writes each update's frame straight to the sockets and serves what they send
from the socket's callbacks once it is handed over (server/sync/uvicorn_socket.py)."""

from __future__ import annotations

import asyncio

import websockets
from pycrdt import Doc, Map, create_update_message

from support.processes import PajaServer
from support.yclient import YClient, eventually

FRESH_SYNC_STEP1 = b"\x00\x00\x01\x00"


async def test_updates_of_every_size_go_out_as_direct_frames(server: PajaServer) -> None:
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    writer, reader = await YClient(url).connect(), await YClient(url).connect()
    try:
        before = server.metric("paja_frames_direct_total")
        notes = writer.doc.get("notes", type=Map)
        # Payload lengths on both sides of the 7-bit, 16-bit and 64-bit frame length forms.
        for i, size in enumerate((10, 120, 130, 65_000, 66_000, 300_000)):
            notes[f"n{i}"] = "x" * size
            await eventually(lambda i=i, size=size: reader.notes().get(f"n{i}") == "x" * size)
        assert server.metric("paja_frames_direct_total") >= before + 12  # 6 updates x 2
    finally:
        await writer.close()
        await reader.close()


async def test_what_a_client_sends_before_the_hand_over_is_served_in_order(
    server: PajaServer,
) -> None:
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    doc: Doc = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    doc.get("notes", type=Map)["early"] = "sent-with-the-handshake"
    async with websockets.connect(url, max_size=None) as ws:
        # Both go out while the server still checks the token: an update, then step 1.
        await ws.send(create_update_message(updates[0]))
        await ws.send(FRESH_SYNC_STEP1)
        async with asyncio.timeout(10):
            async for frame in ws:
                assert isinstance(frame, bytes)
                if frame[:2] == b"\x00\x01":  # the answer to step 1 holds the update before it
                    assert b"sent-with-the-handshake" in frame
                    break
            else:
                raise AssertionError("the socket closed before step 1 was answered")


async def test_a_throttled_burst_is_served_whole_and_the_sender_stays(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--messages-per-second", "20"]).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    writer, reader = await YClient(url).connect(), await YClient(url).connect()
    notes = writer.doc.get("notes", type=Map)
    for i in range(100):  # 100 messages at once: reading pauses while they are served
        notes[f"n{i}"] = i
    await eventually(lambda: len(reader.notes()) == 100, timeout=20, what="the whole burst")
    assert reader.notes() == writer.notes()
    assert writer.close_code is None and not writer.closed.is_set()
    await writer.close()
    await reader.close()
