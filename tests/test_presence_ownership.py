"""A connection speaks only for the awareness client ids it introduced: it cannot
overwrite or remove another person's presence, add thousands of fake people, or relay a
huge state, even over a read-only socket, where its own presence still shows."""

from __future__ import annotations

import json
from typing import Any

from pycrdt import create_awareness_message, write_var_uint

from support.processes import PajaServer
from support.yclient import YClient, eventually


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


async def test_presence_cannot_be_spoofed_removed_or_flooded(server: PajaServer) -> None:
    s = server.create_session()
    alice_token = server.join(s, "Alice")["token"]
    alice = await YClient(server.board_url(s["id"], "main", alice_token)).connect()
    watcher = await YClient(server.board_url(s["id"], "main", s["facilitator_token"])).connect()
    # A read-only socket: a display's token.
    mallory = await YClient(server.board_url(s["id"], "main", s["observer_token"])).connect()
    await alice.set_presence({"user": {"name": "Alice", "role": "participant"}})
    victim = alice.awareness.client_id
    await eventually(lambda: others(watcher).get(victim, {}).get("user", {}).get("name") == "Alice")
    await marked(mallory, watcher, 1)  # her own presence shows, read-only as she is

    forged = {"user": {"name": "Alice", "role": "facilitator"}}
    await mallory.send_raw(create_awareness_message(awareness_update([(victim, 50, forged)])))
    await marked(mallory, watcher, 2)
    assert others(watcher)[victim]["user"]["role"] == "participant", "overwrite relayed"

    await mallory.send_raw(create_awareness_message(awareness_update([(victim, 60, None)])))
    await marked(mallory, watcher, 3)
    assert victim in others(watcher), "removal of another's presence relayed"

    fakes = [(10_000_000 + i, 1, {"user": {"name": f"fake {i}"}}) for i in range(50_000)]
    await mallory.send_raw(create_awareness_message(awareness_update(fakes)))
    await marked(mallory, watcher, 4)
    assert len(others(watcher)) <= 2 + 4, f"{len(others(watcher))} people on the board"

    huge = {"user": {"name": "x" * (4 * 1024 * 1024)}}
    await mallory.send_raw(create_awareness_message(awareness_update([(77, 1, huge)])))
    await marked(mallory, watcher, 5)
    assert 77 not in others(watcher), "a 4 MB state relayed"
    assert all(len(json.dumps(state)) < 10_000 for state in others(watcher).values())

    # Alice herself still sets and removes her own presence.
    await alice.set_presence({"user": {"name": "Alice again"}})
    await eventually(
        lambda: others(watcher).get(victim, {}).get("user", {}).get("name") == "Alice again"
    )
    assert not mallory.closed.is_set() and not alice.closed.is_set()
    for client in (alice, watcher, mallory):
        await client.close()
