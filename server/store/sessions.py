"""Sessions and what hangs on them: their records, the grants their tokens carry, their
boards, join codes and scheduler wake-ups, and their deletion for good.

The REST commands, the WebSocket endpoint's access checks, the scheduler and retention
use this; tokens are stored only as SHA-256 hashes (server/facilitation/tokens.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class CodeTaken(Exception):
    """Another session holds the join code; nothing was written, so the caller may pick
    another code and create the session again."""


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


class SessionStore(Protocol):
    async def create_session(
        self, record: SessionRecord, grants: Mapping[str, Grant], boards: Sequence[str]
    ) -> None:
        """The session appears with its grants (by token hash), boards and join code
        (`settings["join_code"]`) at once, or, when another session holds the code
        (CodeTaken), not at all."""
        ...

    async def get_session(self, session_id: str) -> SessionRecord | None: ...

    async def add_grant(self, token_hash: str, grant: Grant) -> None:
        """The token allows `grant`, in place of what it allowed before."""
        ...

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

    async def replace_grants(self, token_hash: str, grant: Grant) -> None:
        """At once: every token of `grant`'s role and subject in its session (e.g. every
        Lab display link) is replaced by `token_hash`; the old ones stop working."""
        ...

    async def rotate_join(self, token_hash: str, grant: Grant, code: str) -> None:
        """At once: every token of `grant`'s role and subject in its session (the
        participant link's join secret) is replaced by `token_hash`, and the session's
        join code (`settings["join_code"]` and its index) by `code`; the old ones stop
        working. CodeTaken, and nothing written, when another session holds `code`."""
        ...

    async def find_join_code(self, code: str) -> str | None:
        """The session whose `settings["join_code"]` (indexed by create_session) is `code`."""
        ...

    async def set_wakeup(self, session_id: str, at_ms: int | None) -> None:
        """When a session next needs the scheduler (a timer or round ending), or None."""
        ...

    async def list_wakeups(self) -> dict[str, int]:
        """Every session that has a wake-up, so a restarted server still fires on time."""
        ...

    async def sessions_created_before(self, cutoff: float) -> list[str]:
        """Ids of sessions whose `created_at` (epoch seconds) is older than `cutoff`."""
        ...

    async def delete_session(self, session_id: str) -> None:
        """Remove every row, key and file the session left: its record, grants, boards and
        their documents (including server-only ones), wake-up, join code, webhooks and
        deliveries. Idempotent."""
        ...
