"""Drives the stock Yjs `WebsocketProvider` (tests/js/yclient.mjs) as a real peer."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[1] / "js" / "yclient.mjs"


class NodeClient:
    def __init__(self, server_url: str, room: str, token: str) -> None:
        self.args = [server_url, room, token]
        self.proc: asyncio.subprocess.Process | None = None
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.synced = asyncio.Event()

    async def start(self, *, wait_synced: bool = True, timeout: float = 15) -> NodeClient:
        self.proc = await asyncio.create_subprocess_exec(
            "node",
            str(SCRIPT),
            *self.args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        if wait_synced:
            await asyncio.wait_for(self.synced.wait(), timeout)
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for line in self.proc.stdout:
            msg = json.loads(line)
            if "id" in msg:
                future = self._waiting.pop(msg["id"])
                if msg["ok"]:
                    future.set_result(msg["result"])
                else:
                    future.set_exception(RuntimeError(msg["error"]))
            else:
                self.events.append(msg)
                if msg.get("event") == "sync" and msg.get("synced"):
                    self.synced.set()

    async def call(self, cmd: str, **args: Any) -> Any:
        assert self.proc is not None and self.proc.stdin is not None
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        self.proc.stdin.write((json.dumps({"id": request_id, "cmd": cmd, **args}) + "\n").encode())
        await self.proc.stdin.drain()
        return await asyncio.wait_for(future, 15)

    async def snapshot(self) -> dict[str, Any]:
        return dict(await self.call("snapshot"))

    async def close(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.call("exit"), 2)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        await self.proc.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
