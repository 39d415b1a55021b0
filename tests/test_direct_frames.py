"""`paja serve` writes each update's frame straight to the sockets (server/wsprotocol.py)."""

from __future__ import annotations

from pycrdt import Map

from support.processes import PajaServer
from support.yclient import YClient, eventually


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
