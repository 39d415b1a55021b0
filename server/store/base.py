"""What every store keeps, behind one small interface: embedded SQLite or a shared Redis.

The hub and the API never ask which store is configured; they call these methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class LoadError(Exception):
    """Stored data of a document could not be read; the document must never be saved."""


@dataclass(frozen=True)
class SessionRecord:
    id: str
    title: str
    template: str | None
    created_at: float
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Grant:
    """What a token allows: one role in one session, optionally for one participant."""

    session_id: str
    role: str
    subject: str = ""


class Store(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def load_document(self, key: str) -> bytes | None:
        """The document's stored state as one update, or None when nothing is stored."""
        ...

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        """Append updates to the logs of several documents in one durable write."""
        ...

    async def create_session(
        self, record: SessionRecord, grants: Mapping[str, Grant], boards: Sequence[str]
    ) -> None: ...

    async def get_session(self, session_id: str) -> SessionRecord | None: ...

    async def add_grant(self, token_hash: str, grant: Grant) -> None: ...

    async def find_grant(self, token_hash: str) -> Grant | None: ...

    async def revoke_subject(self, session_id: str, subject: str) -> int:
        """Revoke every token of one participant; returns how many were revoked."""
        ...

    async def set_role(self, session_id: str, subject: str, role: str) -> int:
        """Give every token of one participant a new role; returns how many changed."""
        ...

    async def list_boards(self, session_id: str) -> list[str]: ...

    async def add_board(self, session_id: str, board: str) -> bool:
        """Record a board; False when it already existed."""
        ...

    async def set_wakeup(self, session_id: str, at_ms: int | None) -> None:
        """When a session next needs the scheduler (a timer or round ending), or None."""
        ...

    async def list_wakeups(self) -> dict[str, int]:
        """Every session that has a wake-up, so a restarted server still fires on time."""
        ...


def document_key(session_id: str, board: str) -> str:
    return f"{session_id}/{board}"
