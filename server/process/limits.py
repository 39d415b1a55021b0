"""Abuse limits: how fast one connection may send, how many sockets a session or a client
address may hold, how many boards a session may have and how big one board may grow (for
a client's writes and the server's own alike). Each breach affects only the one who
breaches."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

from pycrdt import Doc

from rooms.boards import CONTROL
from rooms.control import table

from ..sync.messages import CloseCode, ProtocolError

log = logging.getLogger("paja.limits")


class Throttle:
    """Token buckets for the messages and bytes of one connection.

    A connection over its rate is slowed first: the endpoint waits before reading its next
    frame, so TCP pushes back on the sender and nobody else notices. Only a connection
    that stays over its rate for `close_after` seconds is closed (1008).
    """

    __slots__ = (
        "_bytes",
        "_clock",
        "_last",
        "_messages",
        "_over_since",
        "burst_bytes",
        "burst_messages",
        "bytes_per_second",
        "close_after",
        "messages_per_second",
    )

    def __init__(
        self,
        *,
        messages_per_second: float,
        bytes_per_second: float,
        burst_bytes: float,
        close_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.messages_per_second = messages_per_second
        self.bytes_per_second = bytes_per_second
        self.burst_messages = messages_per_second * 2
        self.burst_bytes = burst_bytes
        self.close_after = close_after
        self._clock = clock
        self._messages = self.burst_messages
        self._bytes = burst_bytes
        self._last = clock()
        self._over_since: float | None = None

    def delay_for(self, size: int) -> float:
        """Seconds to wait before handling a message of `size` bytes (0 when within limits)."""
        now = self._clock()
        elapsed = now - self._last
        self._last = now
        self._messages = min(
            self.burst_messages, self._messages + elapsed * self.messages_per_second
        )
        self._bytes = min(self.burst_bytes, self._bytes + elapsed * self.bytes_per_second)
        self._messages -= 1
        self._bytes -= size
        delay = max(
            -self._messages / self.messages_per_second, -self._bytes / self.bytes_per_second
        )
        if delay <= 0:
            self._over_since = None
            return 0.0
        if self._over_since is None:
            self._over_since = now
        elif now - self._over_since > self.close_after:
            raise ProtocolError("sending too fast for too long", CloseCode.PROTOCOL_ERROR)
        return delay


MAX_HELD_OFF = 10_000  # tokens held off at once


class ConnectionCounts:
    """Open sockets per token, per client address and per session, with their caps.

    A person needs a few tabs, not hundreds: the cap per token keeps one link from filling
    a session. Facilitators are never refused for a full session (their tokens are still
    capped), so whoever runs it can always get in.
    """

    def __init__(self, per_session: int, per_address: int, per_token: int) -> None:
        self.per_session = per_session
        self.per_address = per_address
        self.per_token = per_token
        self._sessions: Counter[str] = Counter()
        self._addresses: Counter[str] = Counter()
        self._tokens: Counter[str] = Counter()
        self._held_off: dict[str, float] = {}

    def hold_off(self, token: str, seconds: float) -> None:
        """Refuse the token's sockets for a while: one of them sent an update that made
        pycrdt panic, which makes everyone on that board reconnect (`Hub._broken`). The
        instance it broke a board on tells the others (`Bus.publish_held_off`)."""
        now = time.monotonic()
        self._held_off = {t: until for t, until in self._held_off.items() if until > now}
        if len(self._held_off) >= MAX_HELD_OFF and token not in self._held_off:
            return  # a flood of them (a hostile bus): those held already stay held
        self._held_off[token] = max(self._held_off.get(token, 0.0), now + seconds)

    def refusal(
        self, session_id: str, address: str, token: str, *, facilitator: bool
    ) -> str | None:
        """Why a new socket is refused, or None when it may open."""
        if self._held_off and self._held_off.get(token, 0.0) > time.monotonic():
            return "an update from this link broke a board, retry later"
        if self._tokens[token] >= self.per_token:
            return "too many connections with this link"
        if self._addresses[address] >= self.per_address:
            return "too many connections from this address"
        if not facilitator and self._sessions[session_id] >= self.per_session:
            return "this session is full"
        return None

    def opened(self, session_id: str, address: str, token: str) -> None:
        self._sessions[session_id] += 1
        self._addresses[address] += 1
        self._tokens[token] += 1

    def closed(self, session_id: str, address: str, token: str) -> None:
        for counter, key in (
            (self._sessions, session_id),
            (self._addresses, address),
            (self._tokens, token),
        ):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]


class KeyedRate:
    """At most `count` events per key in `period` seconds, an hour unless told (e.g.
    sessions created per client address), with the whole allowance available at once. Per
    process: a deployment of N instances allows up to N times as many, which bounds abuse
    without needing Redis (`Rates` makes the kind that counts across a deployment).

    Keys are kept in the order they last acted, so each call forgets, from the oldest end,
    the keys whose allowance is whole again: constant work per call however many keys
    there are. Past `max_keys` the oldest is forgotten anyway (it starts afresh if it
    comes back), so a flood of addresses costs bounded memory."""

    def __init__(
        self,
        count: int,
        period: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.capacity = float(count)
        self.rate = count / period
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may act again; 0 means it may act now (and it is counted)."""
        now = self._clock()
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
        self._forget_oldest(now)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)

    def _forget_oldest(self, now: float) -> None:
        buckets = self._buckets
        for _ in range(2):  # two per call: the map shrinks faster than it grows
            if not buckets:
                return
            oldest, (tokens, at) = next(iter(buckets.items()))
            if len(buckets) > self.max_keys or tokens + (now - at) * self.rate >= self.capacity:
                del buckets[oldest]
            else:
                return


class SharedCounts(Protocol):
    """Counters every instance of a deployment sees (Redis)."""

    async def add(self, kind: str, key: str, window: int, ttl_seconds: float) -> int:
        """Count one event of `kind` for `key` in `window`; the count goes `ttl_seconds`
        after its first event. Returns the count so far."""
        ...


class DeploymentRate(KeyedRate):
    """A `KeyedRate` that also holds across a deployment: at most `count` events per key in
    each window of `period` seconds, counted in `SharedCounts` by every instance.

    The answer stays synchronous (the routes ask without awaiting): it comes from the
    deployment's count as this instance last heard it plus its own events since, and each
    event is added to the shared count just after. So another instance's events are seen
    once this one counts its next: the deployment may pass the limit by one event per
    other instance in a window, not by N times. While the counters are unreachable the
    per-process allowance still holds."""

    def __init__(
        self,
        name: str,
        count: int,
        period: float,
        shared: SharedCounts,
        clock: Callable[[], float] = time.time,
        max_keys: int = 100_000,
    ) -> None:
        super().__init__(count, period, max_keys=max_keys)
        self.name = name
        self.count = count
        self.period = period
        self.shared = shared
        self._wall = clock
        # key -> (window, the deployment's count in it as last heard, own events included)
        self._seen: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._adding: set[asyncio.Task[None]] = set()
        self._failing = False

    def retry_after(self, key: str) -> float:
        now = self._wall()
        window = int(now // self.period)
        seen_window, seen = self._seen.pop(key, (window, 0))
        seen = seen if seen_window == window else 0
        if seen >= self.count:
            self._seen[key] = (window, seen)
            return (window + 1) * self.period - now
        wait = super().retry_after(key)
        if wait == 0:
            seen += 1
            task = asyncio.get_running_loop().create_task(self._add(key, window))
            self._adding.add(task)
            task.add_done_callback(self._adding.discard)
        self._seen[key] = (window, seen)
        self._forget_past(window)
        return wait

    async def _add(self, key: str, window: int) -> None:
        try:
            total = await self.shared.add(self.name, key, window, self.period)
        except Exception as exc:  # unreachable: this process's allowance still holds
            if not self._failing:
                log.warning("cannot count %s across the deployment (%s)", self.name, exc)
            self._failing = True
            return
        self._failing = False
        seen_window, seen = self._seen.get(key, (window, 0))
        if seen_window == window and total > seen:
            self._seen[key] = (window, total)

    def _forget_past(self, window: int) -> None:
        seen = self._seen
        for _ in range(2):  # two per call, oldest first, as `KeyedRate` does
            if not seen:
                return
            oldest, (at, _) = next(iter(seen.items()))
            if at < window or len(seen) > self.max_keys:
                del seen[oldest]
            else:
                return


class Rates:
    """Makes the keyed rates of the REST routes, in one place: in-process when embedded,
    counted across the deployment when the store shares counters (Redis)."""

    def __init__(self, shared: SharedCounts | None) -> None:
        self.shared = shared

    def keyed(self, name: str, count: int, period: float = 3600.0) -> KeyedRate:
        if self.shared is None:
            return KeyedRate(count, period)
        return DeploymentRate(name, count, period, self.shared)


def too_many_boards(existing: Collection[str], adding: Collection[str], limit: int) -> str | None:
    """Why a session may not get the boards `adding`, or None when it may.

    `control` does not count: it is the session's state, not a board anyone creates. A
    request that adds nothing new is never refused, even where a lowered limit is passed.
    """
    boards = set(existing)
    if set(adding) <= boards:
        return None
    if len((boards | set(adding)) - {CONTROL}) > limit:
        return f"a session may have at most {limit} boards"
    return None


@dataclass(frozen=True, slots=True)
class BoardLimits:
    """How big one board may grow: its encoded size in bytes and its number of notes."""

    max_bytes: int
    max_notes: int


# Bytes a note adds to a board's encoding besides its text: its fields and their keys.
NOTE_OVERHEAD_BYTES = 256
BOARD_FULL = "board_full"  # the stable `reason` of a server-side write a board has no room for


def no_room(board: Doc[Any], texts: Collection[str], limits: BoardLimits) -> str | None:
    """Why a server-side write of notes with `texts` would take `board` past the limits
    a client's write is held to, or None when there is room. The board is encoded to
    measure it: server-side writes are rare commands, not the per-update path."""
    notes = len(table(board, "notes"))
    if notes + len(texts) > limits.max_notes:
        return f"the board would hold more than {limits.max_notes} notes"
    adding = sum(len(text.encode()) + NOTE_OVERHEAD_BYTES for text in texts)
    if len(board.get_update()) + adding > limits.max_bytes:
        return f"the board would pass its size limit ({limits.max_bytes} bytes)"
    return None


def deletes_only(update: bytes) -> bool:
    """A Yjs v1 update that adds nothing: it opens with zero client groups of new structs,
    so all it carries is a delete set."""
    return update[:1] == b"\x00"
