"""What a busy board sends, gathered over one tick: presence changes and document updates.

Relayed one by one, a workshop's cursors cost every connection a frame per change: 30
cursors at 20 Hz on a board of 90 people is 54,000 frames a second. Instead, a change
that comes within a tick of the board's last send waits for that tick to end and leaves
with everything else that came meanwhile: presence as one standard awareness update that
holds every state changed since the last send (the format carries many clients' entries,
and stock clients apply it as they apply any other), document updates as one merged
update per run of one sender's updates. A change that finds the board quiet (nothing sent
for a tick) goes out at once, so an idle board's latency is unchanged and a busy board's
is bounded by one tick. Removals take the same path, so they too wait at most a tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from pycrdt import merge_updates

from .messages import AwarenessEntry, encode_awareness


class Pacer:
    """Decides when a board's waiting changes leave: now, or when the current tick ends.

    `tick` 0 sends every change at once (outside an event loop too: unit tests)."""

    __slots__ = ("_handle", "_last", "_send", "_tick")

    def __init__(self, tick: float, send: Callable[[], None]) -> None:
        self._tick = tick
        self._send = send
        self._last = float("-inf")
        self._handle: asyncio.TimerHandle | None = None

    def waiting(self) -> None:
        """Something is waiting to be sent: send it now if the board was quiet for a tick,
        else once the tick that began with the last send ends."""
        if self._handle is not None:
            return  # already due at the tick's end
        if self._tick <= 0:
            self._send()
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        due = self._last + self._tick
        if now >= due:
            self._last = now
            self._send()
        else:
            self._handle = loop.call_at(due, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self._last = asyncio.get_running_loop().time()
        self._send()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


class PresenceBatch:
    """Presence changes of one board since its last send: the newest entry per client id.

    Every change goes to the board's connections; the changes of this instance's own
    clients go to the bus too (one message per tick), never those heard from the bus."""

    __slots__ = ("_entries", "_local", "_pacer", "_publish", "_send")

    def __init__(
        self,
        tick: float,
        send: Callable[[bytes], None],
        publish: Callable[[bytes], None],
    ) -> None:
        self._send = send
        self._publish = publish
        self._entries: dict[int, AwarenessEntry] = {}
        self._local: dict[int, AwarenessEntry] = {}
        self._pacer = Pacer(tick, self._flush)

    def add(self, entries: Iterable[AwarenessEntry], local: bool) -> None:
        """Entries the board's awareness accepted (so each is the newest for its id)."""
        for entry in entries:
            self._entries[entry[0]] = entry
            if local:
                self._local[entry[0]] = entry
            else:
                self._local.pop(entry[0], None)  # another instance speaks for it now
        self._pacer.waiting()

    def _flush(self) -> None:
        entries, self._entries = self._entries, {}
        local, self._local = self._local, {}
        if entries:
            self._send(encode_awareness(entries.values()))
        if local:
            self._publish(encode_awareness(local.values()))

    def close(self) -> None:
        self._pacer.cancel()


class UpdateBatch:
    """Document updates of one board waiting for the tick's end, in the order applied.

    A run of consecutive updates from one sender leaves as one merged update: a person
    dragging with an older client writes sixty updates a second, and everyone else is
    sent two or three frames a tick for them instead."""

    __slots__ = ("_pacer", "_send", "_waiting")

    def __init__(self, tick: float, send: Callable[[bytes], None]) -> None:
        self._send = send
        self._waiting: list[tuple[object, bytes]] = []
        self._pacer = Pacer(tick, self._flush)

    def add(self, sender: object, update: bytes) -> None:
        """`sender` is whatever tells senders apart: a connection, or None (the server)."""
        self._waiting.append((sender, update))
        self._pacer.waiting()

    def _flush(self) -> None:
        waiting, self._waiting = self._waiting, []
        run: list[bytes] = []
        run_sender: object = None
        for sender, update in waiting:
            if run and sender is not run_sender:
                self._send(_merged(run))
                run = []
            run.append(update)
            run_sender = sender
        if run:
            self._send(_merged(run))

    def close(self) -> None:
        self._pacer.cancel()


def _merged(updates: list[bytes]) -> bytes:
    return updates[0] if len(updates) == 1 else merge_updates(*updates)
