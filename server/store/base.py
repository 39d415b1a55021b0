"""What every store keeps, behind one small interface: embedded SQLite or a shared Redis.

The hub and the API never ask which store is configured; they call these methods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pycrdt import Doc


class LoadError(Exception):
    """Stored data of a document could not be read; the document must never be saved."""


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


@dataclass(frozen=True)
class Webhook:
    """An outgoing webhook of one session. `url` and `secret` are secrets: never logged,
    never answered back in full (see server/webhooks/)."""

    id: str
    session_id: str
    url: str
    format: str  # "json" (signed generic body) or "teams" (Workflows Adaptive Card)
    events: tuple[str, ...]
    secret: str  # HMAC-SHA256 key of the "json" format
    created_at: float


PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one webhook: the outbox row. Its id is derived from the
    webhook and the event, so enqueueing the same event twice keeps one delivery."""

    id: str
    session_id: str
    webhook_id: str
    event: str  # e.g. "timer.ended"
    body: str  # the JSON text to POST; signed when sent
    state: str  # PENDING, DELIVERED or DEAD
    attempts: int
    next_at: float  # epoch seconds of the next attempt (PENDING)
    last_error: str
    created_at: float


class LifecycleStore(Protocol):
    """Deleting sessions for good, finding them by join code, and their webhook outbox."""

    async def delete_session(self, session_id: str) -> None:
        """Remove every row, key and file the session left: its record, grants, boards and
        their documents (including server-only ones), wake-up, join code, webhooks and
        deliveries. Idempotent."""
        ...

    async def sessions_created_before(self, cutoff: float) -> list[str]:
        """Ids of sessions whose `created_at` (epoch seconds) is older than `cutoff`."""
        ...

    async def find_join_code(self, code: str) -> str | None:
        """The session whose `settings["join_code"]` (indexed by create_session) is `code`."""
        ...

    async def add_webhook(self, webhook: Webhook) -> None: ...

    async def list_webhooks(self, session_id: str) -> list[Webhook]:
        """Oldest first."""
        ...

    async def remove_webhook(self, session_id: str, webhook_id: str) -> bool: ...

    async def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """Add deliveries whose id is not stored yet; returns how many were added."""
        ...

    async def claim_deliveries(
        self, now: float, lease_seconds: float, limit: int
    ) -> list[Delivery]:
        """Atomically take up to `limit` PENDING deliveries with `next_at <= now` (oldest
        `next_at` first) and move their `next_at` to `now + lease_seconds`, so no other
        process of the deployment takes them while this one tries."""
        ...

    async def save_delivery(
        self, delivery: Delivery, *, expected_state: str, expected_attempts: int
    ) -> bool:
        """Replace a stored delivery's state, attempts, next_at and last_error, but only
        while it is still in `expected_state` after `expected_attempts` tries, as the
        caller read it: False, and nothing written, when another server (whose lease came
        after this one's ran out) or a facilitator's retry changed it meanwhile, or when it
        is gone with its session, which is never revived. One atomic compare-and-set, so a
        delivery already delivered is never made pending, and sent, again."""
        ...

    async def get_delivery(self, session_id: str, delivery_id: str) -> Delivery | None: ...

    async def list_deliveries(self, session_id: str, state: str | None = None) -> list[Delivery]:
        """Newest first; only those in `state` when given."""
        ...


class Store(LifecycleStore, Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def read_document(self, key: str) -> list[bytes]:
        """The document as stored, oldest first: its snapshot, then the updates logged
        after it; empty when nothing is stored. The hub applies them to the live document
        itself, so a load applies the stored state once and encodes nothing."""
        ...

    async def load_document(self, key: str) -> bytes | None:
        """The document's stored state as one update (see `fold`), or None when nothing is
        stored."""
        ...

    async def compact_from(self, key: str, doc: Doc[Any]) -> None:
        """Fold the document's log into a new snapshot encoded from `doc`: a board leaving
        memory, whose copy nobody changes any more and which holds every update this
        process read or stored for it. The log is applied to it, which costs little as it
        holds nearly all of it, instead of applying the whole snapshot to a scratch Doc;
        the next load is then one update, ready to send. A store that cannot tell whether
        `doc` holds its snapshot (another process may have compacted) leaves the log to
        its own compaction."""
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

    async def rotate_join(self, token_hash: str, grant: Grant, code: str) -> None:
        """At once: every token of `grant`'s role and subject in its session (the
        participant link's join secret) is replaced by `token_hash`, and the session's
        join code (`settings["join_code"]` and its index) by `code`; the old ones stop
        working. CodeTaken, and nothing written, when another session holds `code`."""
        ...

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


def fold(updates: Sequence[bytes]) -> bytes:
    """Stored updates as one update. Several are applied in one transaction of a scratch
    Doc, which is much faster than `pycrdt.merge_updates` (superlinear in their number)
    and drops what later updates deleted; a single one is the whole state already."""
    if len(updates) == 1:
        return updates[0]
    doc: Doc[Any] = Doc()
    apply_stored(doc, updates)
    return doc.get_update()


def apply_stored(doc: Doc[Any], updates: Sequence[bytes]) -> None:
    """Apply stored updates in one transaction; LoadError when one is corrupt."""
    try:
        with doc.transaction():
            for update in updates:
                doc.apply_update(update)
    except (ValueError, RuntimeError) as exc:  # pycrdt raises either on a corrupt update
        raise LoadError("stored updates are corrupt") from exc


def document_key(session_id: str, board: str) -> str:
    return f"{session_id}/{board}"
