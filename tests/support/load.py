"""A steady editing load for fault tests, and which of its edits were acknowledged.

Client `n` keeps adding notes `c{n}-0`, `c{n}-1`, … to its own copy of one board. An edit
counts as **acknowledged** once a client other than its author holds it: the server took
it and passed it on, so a server that then loses it has lost something a user saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from support.yclient import YClient, edit_until, eventually


class SteadyLoad:
    def __init__(self, clients: Sequence[YClient], every: float = 0.02) -> None:
        self.clients = list(clients)
        self.every = every
        self.edits: list[str] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> SteadyLoad:
        self._tasks = [
            asyncio.create_task(edit_until(c, f"c{n}", self._stop, self.edits, self.every))
            for n, c in enumerate(self.clients)
        ]
        return self

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def acknowledged(self) -> set[str]:
        """Every edit some client holds that another client made."""
        return {
            key
            for n, client in enumerate(self.clients)
            for key in client.notes()
            if not key.startswith(f"c{n}-")
        }

    async def until_acknowledged(self, count: int, timeout: float = 10) -> None:
        """Wait until `count` edits are acknowledged: the load is really flowing."""
        await eventually(
            lambda: len(self.acknowledged()) >= count, timeout, f"{count} acknowledged edits"
        )
