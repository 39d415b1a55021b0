"""A facilitator's, participant's or bot's view of one session in end-to-end tests: REST
commands with their token, and live `control` and board documents over WebSockets."""

from __future__ import annotations

from typing import Any

import httpx
from pycrdt import Map

from support.processes import PajaServer
from support.yclient import YClient, eventually


class Session:
    def __init__(self, server: PajaServer, created: dict[str, Any]) -> None:
        self.server = server
        self.created = created
        self.id: str = created["id"]
        self.facilitator: str = created["facilitator_token"]
        self.clients: list[YClient] = []

    @classmethod
    def create(cls, server: PajaServer, title: str = "Workshop", **extra: Any) -> Session:
        return cls(server, server.create_session(title, **extra))

    def join(self, name: str, tags: list[str] | None = None) -> dict[str, Any]:
        return self.server.join(self.created, name, tags)  # type: ignore[return-value]

    def call(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> httpx.Response:
        """A command under /api/sessions/{id}; the facilitator's token unless told."""
        return httpx.request(
            method,
            f"{self.server.http}/api/sessions/{self.id}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token or self.facilitator}"},
            timeout=10,
        )

    def ok(self, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
        response = self.call(method, path, token, body)
        assert response.is_success, (method, path, response.status_code, response.text)
        return response.json()

    async def open(
        self,
        board: str,
        token: str | None = None,
        *,
        synced: bool = True,
        via: PajaServer | None = None,
    ) -> YClient:
        """A socket on `board`, through `via` (another instance of the deployment) or the
        session's own server."""
        server = via or self.server
        client = YClient(server.board_url(self.id, board, token or self.facilitator))
        self.clients.append(client)
        return await client.connect(wait_synced=synced)

    async def close_all(self) -> None:
        for client in self.clients:
            await client.close()


def section(client: YClient, name: str) -> dict[str, Any]:
    """One top-level map of a control document as plain data."""
    return dict(client.doc.get(name, type=Map).to_py() or {})


def current_round(control: YClient) -> dict[str, Any] | None:
    value = section(control, "breakouts").get("round")
    return dict(value) if value else None


async def write_probe(client: YClient, key: str) -> bool:
    """Write one note and tell whether the server took it: it echoes an accepted update
    to the sender, and answers a refused one with a permission-denied message."""
    before = len(client.frames)
    client.doc.get("notes", type=Map)[key] = key

    def answered() -> bool:
        return any(f[0] == 2 or f[:2] == b"\x00\x02" for f in client.frames[before:])

    await eventually(answered, what=f"an answer to the write {key}")
    return not any(f[0] == 2 for f in client.frames[before:])
