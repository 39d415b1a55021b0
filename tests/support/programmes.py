"""An organiser's and members' view of one programme in end-to-end tests: REST commands
with a programme token, a CSV of members from organisations, and the WebSocket URL of a
programme's session for a member's derived token."""

from __future__ import annotations

from typing import Any

import httpx

from support.processes import PajaServer


def members_csv(organisations: int, per_organisation: int) -> str:
    """`organisations` × `per_organisation` members; every third one a newcomer."""
    rows = ["name,organisation,kind,email"]
    for n in range(organisations * per_organisation):
        org, kind = f"Agency {n % organisations}", "newcomer" if n % 3 == 2 else "supervisor"
        rows.append(f"Member {n},{org},{kind},member{n}@example.fi")
    return "\n".join(rows) + "\n"


class Programme:
    def __init__(self, server: PajaServer, created: dict[str, Any]) -> None:
        self.server = server
        self.id: str = created["id"]
        self.organiser: str = created["organiser_token"]
        server.remember_secrets(created)

    @classmethod
    def create(cls, server: PajaServer, title: str = "Mentoring 2026", **extra: Any) -> Programme:
        r = httpx.post(server.http + "/api/programmes", json={"title": title, **extra}, timeout=10)
        assert r.status_code == 201, r.text
        return cls(server, r.json())

    def call(
        self, method: str, path: str, token: str | None = None, body: Any = None, **kw: Any
    ) -> httpx.Response:
        """A command under /api/programmes/{id}; the organiser's token unless told."""
        return httpx.request(
            method,
            f"{self.server.http}/api/programmes/{self.id}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token or self.organiser}"},
            timeout=30,
            **kw,
        )

    def ok(self, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
        response = self.call(method, path, token, body)
        assert response.is_success, (method, path, response.status_code, response.text)
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text

    def import_csv(self, text: str) -> list[dict[str, Any]]:
        added = self.ok("POST", "/members/csv", body={"csv": text})["members"]
        for member in added:
            self.server.secrets.add(member["token"])
        return list(added)

    def me(self, token: str) -> dict[str, Any]:
        opened = self.ok("POST", "/me", token)
        self.server.secrets.update(opened["sessions"].values())
        return dict(opened)
