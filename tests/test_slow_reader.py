"""A reader that never reads is closed, and never delays anybody else's updates."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time

from pycrdt import Map

from support.processes import PajaServer
from support.yclient import YClient, eventually


def stalled_socket(port: int, path: str) -> socket.socket:
    """A WebSocket handshake by hand, then a socket that is never read again."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    assert b" 101 " in response.split(b"\r\n")[0]
    return sock


async def test_slow_reader_is_closed_without_delaying_others(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=["--send-queue-bytes", str(512 * 1024)]).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    writer, reader = await YClient(url).connect(), await YClient(url).connect()
    stalled = stalled_socket(server.port, f"/ws/{s['id']}/main?token={s['facilitator_token']}")
    try:
        notes = writer.doc.get("notes", type=Map)
        lags = []
        for i in range(150):  # 150 x 64 KiB: far more than the socket buffers hold
            sent = time.monotonic()
            notes[f"n{i}"] = "x" * 65536
            await eventually(lambda i=i: f"n{i}" in reader.notes(), what=f"update {i}")
            lags.append(time.monotonic() - sent)
        await eventually(
            lambda: server.metric("paja_closed_slow_readers_total") == 1,
            what="the stalled reader is closed",
        )
        lags.sort()
        print(
            f"\nhealthy reader: median {lags[len(lags) // 2] * 1000:.1f} ms, "
            f"max {lags[-1] * 1000:.1f} ms while one reader stalled"
        )
        # The healthy reader kept pace: every update arrived while the stalled one stalled.
        assert len(reader.notes()) == 150
        await eventually(
            lambda: server.metric("paja_open_connections") == 2,
            what="the stalled connection is gone",
        )
    finally:
        stalled.close()
        await writer.close()
        await reader.close()
        await asyncio.sleep(0)
