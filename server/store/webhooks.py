"""A session's outgoing webhooks and their outbox: one delivery per event and webhook,
stored before anything is sent, and claimed under a lease by one server at a time.

The webhook routes and the sender (server/webhooks/outbox.py) use this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


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


class WebhookStore(Protocol):
    async def add_webhook(self, webhook: Webhook) -> None: ...

    async def list_webhooks(self, session_id: str) -> list[Webhook]:
        """Oldest first."""
        ...

    async def remove_webhook(self, session_id: str, webhook_id: str) -> bool: ...

    async def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """Add deliveries whose id is not stored yet, for sessions that exist (an event
        that fires while its session is deleted must not leave deliveries that nothing
        would ever remove); returns how many were added."""
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
