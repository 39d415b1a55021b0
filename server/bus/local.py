"""The embedded bus: one process is the whole deployment, so there is nobody to tell."""

from __future__ import annotations

import time

from .base import BusReceiver, HeldOff, SessionDeleted, SocketClose, SocketsClosed


class LocalBus:
    def __init__(self) -> None:
        self._claimed: dict[str, float] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ready(self) -> bool:
        return True

    async def subscribe(self, receiver: BusReceiver) -> None:
        return None

    async def unsubscribe(self, receiver: BusReceiver) -> None:
        return None

    def publish_update(self, key: str, update: bytes) -> None:
        return None

    def publish_awareness(self, key: str, update: bytes) -> None:
        return None

    async def claim_once(self, event_id: str, ttl_seconds: float) -> bool:
        now = time.monotonic()
        self._claimed = {k: t for k, t in self._claimed.items() if t > now}
        if event_id in self._claimed:
            return False
        self._claimed[event_id] = now + ttl_seconds
        return True

    def on_session_deleted(self, callback: SessionDeleted) -> None:
        return None  # no other instance can delete a session

    async def publish_session_deleted(self, session_id: str) -> None:
        return None

    def on_sockets_closed(self, callback: SocketsClosed) -> None:
        return None  # no other instance holds sockets

    async def publish_sockets_closed(self, order: SocketClose) -> None:
        return None

    def on_held_off(self, callback: HeldOff) -> None:
        return None

    def publish_held_off(self, token_hash: str, seconds: float) -> None:
        return None
