"""Cross-instance fan-out behind one small interface: embedded (one process) or Redis.

A document's hub subscribes while the document is loaded. Publishing never blocks the
caller: a bus batches and sends on its own task.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

SessionDeleted = Callable[[str], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class SocketClose:
    """Sockets of one session to close on every instance: one person's (`subject`), or
    those opened with a token of `role` (with `subject` empty), as a removal or a
    re-issued link asks. Their tokens are revoked first, so a reconnect is refused."""

    session_id: str
    subject: str
    role: str | None
    code: int
    reason: str


SocketsClosed = Callable[[SocketClose], object]
HeldOff = Callable[[str, float], object]  # a token's hash, for how many seconds


class BusReceiver(Protocol):
    """What a loaded document exposes to the bus."""

    key: str

    def apply_remote_update(self, update: bytes) -> None: ...

    def apply_remote_awareness(self, update: bytes) -> None: ...

    def state_vector(self) -> bytes: ...

    def diff_since(self, state_vector: bytes) -> bytes: ...


class Bus(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...

    async def subscribe(self, receiver: BusReceiver) -> None: ...

    async def unsubscribe(self, receiver: BusReceiver) -> None:
        """Stop delivering to `receiver`; a no-op when another copy of its document has
        subscribed since (a board reloaded while its old copy was still compacting)."""
        ...

    def publish_update(self, key: str, update: bytes) -> None: ...

    def publish_awareness(self, key: str, update: bytes) -> None: ...

    async def claim_once(self, event_id: str, ttl_seconds: float) -> bool:
        """True for exactly one caller across the deployment for this event id."""
        ...

    def on_session_deleted(self, callback: SessionDeleted) -> None:
        """Call `callback(session_id)` when another instance deletes a session, so this
        one closes its sockets and drops its documents too."""
        ...

    async def publish_session_deleted(self, session_id: str) -> None:
        """Tell every other instance of the deployment that a session is gone."""
        ...

    def on_sockets_closed(self, callback: SocketsClosed) -> None:
        """Call `callback(order)` when another instance closes sockets of a session, so
        this one closes its own matching sockets too."""
        ...

    async def publish_sockets_closed(self, order: SocketClose) -> None:
        """Tell every other instance to close the sockets `order` names."""
        ...

    def on_held_off(self, callback: HeldOff) -> None:
        """Call `callback(token_hash, seconds)` when another instance refuses a token's
        new sockets for a while (server/process/limits.py `ConnectionCounts.hold_off`)."""
        ...

    def publish_held_off(self, token_hash: str, seconds: float) -> None:
        """Tell every other instance to refuse the token's new sockets for `seconds`."""
        ...
