"""Fires what is due when time passes: timers ending, breakout rounds closing.

One asyncio task knows each session's next deadline and wakes for the earliest. The
deadlines are also kept in the store (`set_wakeup`), so a restarted server picks them up
and fires a deadline it slept through at once. Every server of a deployment runs a
scheduler; the state change is idempotent and each event is claimed on the bus, so it
fires once per deployment. Other code listens with `on_event` (webhooks, logs).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rooms.deadlines import Fired

from ..bus.base import Bus
from ..store.sessions import SessionStore
from .tasks import stop

log = logging.getLogger("paja.scheduler")

RETRY_MS = 5_000
ERROR_BACKOFF_SECONDS = (0.1, 0.5, 1.0, 2.0)


def now_ms() -> int:
    """The server clock every timer is measured against (also served at /api/time)."""
    return int(time.time() * 1000)


@dataclass(frozen=True)
class SessionEvent:
    session_id: str
    kind: str
    id: str
    data: dict[str, Any] = field(default_factory=dict)


class Unsettled(Exception):
    """A deadline's change is applied, but what follows from it is not (the store or the
    bus was away): the events it fired, which are due all the same. The change cannot be
    made twice, so they would be lost if the scheduler only tried again."""

    def __init__(self, fired: list[Fired]) -> None:
        super().__init__(f"{len(fired)} events fired; settling failed")
        self.fired = fired


Advance = Callable[[str, int], Awaitable[list[Fired]]]
EventHook = Callable[[SessionEvent], Awaitable[None] | None]


class Scheduler:
    def __init__(
        self,
        sessions: SessionStore,
        bus: Bus,
        advance: Advance,
        *,
        rescan_seconds: float = 30.0,
        claim_ttl_seconds: float = 24 * 3600,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self._advance = advance
        self._rescan_seconds = rescan_seconds
        self._claim_ttl = claim_ttl_seconds
        self._due: dict[str, int] = {}
        self._wakeup = asyncio.Event()
        self._hooks: list[EventHook] = []
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        # Events whose state change is applied but whose once-per-deployment claim could
        # not be made (the bus was away): claimed again on every pass until it works.
        self._unclaimed: list[tuple[str, Fired]] = []
        self.errors = 0  # passes of the loop that failed (paja_scheduler_errors_total)

    def on_event(self, hook: EventHook) -> None:
        """Call `hook` once per deployment for every event (sync or async callables)."""
        self._hooks.append(hook)

    async def start(self) -> None:
        self._due = await self.sessions.list_wakeups()
        self._task = asyncio.create_task(self._run(), name="paja-scheduler")

    @property
    def running(self) -> bool:
        """False once the loop has ended other than by `close`: /readyz then fails."""
        return self._task is not None and not self._task.done()

    async def close(self) -> None:
        self._closing = True
        await stop([self._task])

    def schedule(self, session_id: str, at_ms: int | None) -> None:
        if at_ms is None:
            self._due.pop(session_id, None)
        else:
            self._due[session_id] = at_ms
        self._wakeup.set()

    async def _run(self) -> None:
        """Run passes until closed. A pass that fails (the store or the bus away, or a bug)
        is logged and counted, and the loop goes on after a short backoff: a dead loop
        would silently stop every timer of this instance."""
        failures = 0
        scanned = asyncio.get_running_loop().time()
        while not self._closing:
            try:
                scanned = await self._pass(scanned)
                failures = 0
            except Exception:
                self.errors += 1
                log.exception("a pass of the scheduler failed; retrying")
                await asyncio.sleep(ERROR_BACKOFF_SECONDS[min(failures, 3)])
                failures += 1

    async def _pass(self, scanned: float) -> float:
        """Fire what is due, then sleep until the next deadline, a change or a rescan; the
        time of the last rescan. The rescan reads deadlines other servers of the deployment
        wrote to the store."""
        loop = asyncio.get_running_loop()
        await self._claim_unclaimed()
        now = now_ms()
        for session_id in [sid for sid, at in self._due.items() if at <= now]:
            await self._fire(session_id, now)
        if loop.time() - scanned >= self._rescan_seconds:
            # The store's deadlines, but never later than one known here: a deadline this
            # server could not store (or a retry) stays. Firing early costs nothing, an
            # advance fires only what is due and settles the true next deadline.
            stored = await self.sessions.list_wakeups()
            for session_id, at in self._due.items():
                stored[session_id] = min(at, stored.get(session_id, at))
            self._due = stored
            return loop.time()
        sleep = self._rescan_seconds - (loop.time() - scanned)
        if self._due:
            sleep = min(sleep, max(0.0, (min(self._due.values()) - now_ms()) / 1000))
        if self._unclaimed:
            sleep = min(sleep, RETRY_MS / 1000)
        self._wakeup.clear()
        # Not asyncio.wait_for: on Python 3.11 it can swallow a cancel() that arrives as
        # the wait ends, and close() would then wait for this loop forever.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(sleep):
                await self._wakeup.wait()
        return scanned

    async def _fire(self, session_id: str, now: int) -> None:
        # A command or a deletion may have changed or dropped the deadline while an
        # earlier session of this pass was firing.
        due = self._due.get(session_id)
        if due is None or due > now:
            return
        del self._due[session_id]
        try:
            fired = await self._advance(session_id, now)
        except Unsettled as unsettled:
            log.warning("session %s: %s; trying again", session_id, unsettled.__cause__)
            self._due.setdefault(session_id, now + RETRY_MS)
            fired = unsettled.fired
        except Exception:
            log.exception("deadline of session %s could not be applied; retrying", session_id)
            self._due.setdefault(session_id, now + RETRY_MS)
            return
        self._unclaimed.extend((session_id, event) for event in fired)
        await self._claim_unclaimed()

    async def _claim_unclaimed(self) -> None:
        """Claim each applied event on the bus and emit the ones this server won. Event
        ids are made from ids inside one session (a timer id, a round id), so the claim
        names the session too; deleting a session removes its claims."""
        while self._unclaimed:
            session_id, event = self._unclaimed[0]
            if await self.bus.claim_once(f"{session_id}:{event.id}", self._claim_ttl):
                await self.emit(SessionEvent(session_id, event.kind, event.id, event.data))
            self._unclaimed.pop(0)

    async def emit(self, event: SessionEvent) -> None:
        """Tell every hook of an event. A deadline's event comes here once per deployment
        through `_fire`; a command's event (a poll closed) once, from the server that ran
        the command."""
        log.info("%s in session %s (%s)", event.kind, event.session_id, event.id)
        for hook in self._hooks:
            try:
                result = hook(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("an event hook failed on %s", event.id)
