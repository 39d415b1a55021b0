"""A connection speaks only for the awareness client ids it introduced: it cannot
overwrite or remove another person's presence, add thousands of fake people, or relay a
huge state, even over a read-only socket, where its own presence still shows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pycrdt import create_awareness_message, write_var_uint

from support.processes import PajaServer
from support.yclient import YClient, eventually

pytestmark = pytest.mark.shared_server  # each test makes its own session


def awareness_update(entries: list[tuple[int, int, Any]]) -> bytes:
    """An awareness update of (client id, clock, state) entries; state None removes."""
    parts = [write_var_uint(len(entries))]
    for client_id, clock, state in entries:
        body = json.dumps(state).encode()
        parts += [write_var_uint(client_id), write_var_uint(clock), write_var_uint(len(body)), body]
    return b"".join(parts)


def others(client: YClient) -> dict[int, dict[str, Any]]:
    own = client.awareness.client_id
    return {i: s for i, s in client.awareness.states.items() if i != own and s}


async def marked(mallory: YClient, watcher: YClient, n: int) -> None:
    """Mallory sets her own presence to a marker, and the watcher sees it: everything she
    sent before has been served."""
    await mallory.set_presence({"user": {"name": "Mallory"}, "marker": n})
    mine = mallory.awareness.client_id
    await eventually(lambda: others(watcher).get(mine, {}).get("marker") == n, what=f"marker {n}")


class Board:
    """Alice on `main` with her presence set, a facilitator watching, and Mallory on a
    read-only socket (a display's token) whose own presence shows."""

    async def start(self, server: PajaServer) -> Board:
        s = server.create_session()
        alice_token = server.join(s, "Alice")["token"]
        self.alice = await YClient(server.board_url(s["id"], "main", alice_token)).connect()
        url = server.board_url(s["id"], "main", s["facilitator_token"])
        self.watcher = await YClient(url).connect()
        url = server.board_url(s["id"], "main", s["observer_token"])
        self.mallory = await YClient(url).connect()
        await self.alice.set_presence({"user": {"name": "Alice", "role": "participant"}})
        self.victim = self.alice.awareness.client_id
        await eventually(lambda: self.alice_seen().get("name") == "Alice")
        await marked(self.mallory, self.watcher, 1)
        return self

    def alice_seen(self) -> dict[str, Any]:
        return dict(others(self.watcher).get(self.victim, {}).get("user", {}))

    async def mallory_sends(self, entries: list[tuple[int, int, Any]], marker: int) -> None:
        await self.mallory.send_raw(create_awareness_message(awareness_update(entries)))
        await marked(self.mallory, self.watcher, marker)

    async def close(self) -> None:
        # Alice herself still sets her own presence, and nobody was closed.
        await self.alice.set_presence({"user": {"name": "Alice again"}})
        await eventually(lambda: self.alice_seen().get("name") == "Alice again")
        assert not self.mallory.closed.is_set() and not self.alice.closed.is_set()
        for client in (self.alice, self.watcher, self.mallory):
            await client.close()


async def test_another_persons_presence_is_not_overwritten(server: PajaServer) -> None:
    board = await Board().start(server)
    forged = {"user": {"name": "Alice", "role": "facilitator"}}
    await board.mallory_sends([(board.victim, 50, forged)], 2)
    assert board.alice_seen()["role"] == "participant", "overwrite relayed"
    await board.close()


async def test_another_persons_presence_is_not_removed(server: PajaServer) -> None:
    board = await Board().start(server)
    await board.mallory_sends([(board.victim, 60, None)], 2)
    assert board.alice_seen().get("name") == "Alice", "removal of another's presence relayed"
    await board.close()


async def test_50000_fake_people_are_capped(server: PajaServer) -> None:
    board = await Board().start(server)
    fakes = [(10_000_000 + i, 1, {"user": {"name": f"fake {i}"}}) for i in range(50_000)]
    await board.mallory_sends(fakes, 2)
    people = len(others(board.watcher))
    assert people <= 2 + 4, f"{people} people on the board"
    await board.close()


async def test_a_4_mb_state_is_refused(server: PajaServer) -> None:
    board = await Board().start(server)
    huge = {"user": {"name": "x" * (4 * 1024 * 1024)}}
    await board.mallory_sends([(77, 1, huge)], 2)
    assert 77 not in others(board.watcher), "a 4 MB state relayed"
    assert all(len(json.dumps(state)) < 10_000 for state in others(board.watcher).values())
    await board.close()
