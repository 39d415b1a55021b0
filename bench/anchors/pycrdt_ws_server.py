"""Anchor server for the benchmarks: pycrdt-websocket served by uvicorn.

Every WebSocket path is a room (``ws://HOST:PORT/{room}``), as in the reference y-websocket
server. ``GET /healthz`` answers ``ok`` so the bench knows when the server is up.

pycrdt-websocket creates and starts a room on the first connection to it; two clients
joining a new room at the same moment can both try to start it, and one of them then hangs.
Room creation is therefore serialised with a lock.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from anyio import Lock
from pycrdt.websocket import ASGIServer, WebsocketServer, YRoom

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class LockedWebsocketServer(WebsocketServer):
    """A WebsocketServer whose rooms are created and started one at a time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._room_lock = Lock()

    async def get_room(self, name: str) -> YRoom:
        async with self._room_lock:
            return await super().get_room(name)


def build_app(websocket_server: WebsocketServer) -> Callable[..., Awaitable[None]]:
    """An ASGI app: WebSockets go to pycrdt-websocket, HTTP answers health checks."""
    websocket_app = ASGIServer(websocket_server)

    @asynccontextmanager
    async def serving() -> Any:
        async with websocket_server:
            yield

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            async with serving():
                await _lifespan(receive, send)
        elif scope["type"] == "websocket":
            await websocket_app(scope, receive, send)
        else:
            await _health(send)

    return app


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _health(send: Send) -> None:
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1234)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    server = LockedWebsocketServer(auto_clean_rooms=False, log=logging.getLogger("pycrdt-ws"))
    uvicorn.run(
        build_app(server),
        host=args.host,
        port=args.port,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
