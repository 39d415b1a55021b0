"""Deleting sessions for good: when a facilitator asks, and when retention runs out.

One path serves both. The session's sockets on this instance close with 4404 and the hub
drops its documents with their unsaved edits; every other instance of a deployment is
told on the bus and does the same; then the store removes every row and key. An instance
may flush an edit in the moment before it hears, which would write part of the session
back, so the store delete runs a second time a moment later. The log says which session
went and why, never its title or content.
"""

from __future__ import annotations

import asyncio
import logging
import time

from ..facilitation.authority import Control
from ..store.sessions import SessionStore
from .config import Settings
from .tasks import stop

log = logging.getLogger("paja.retention")

RETENTION = "retention"
AFTERMATH_SECONDS = 1.0  # when the delete runs again, after every instance has heard
LONGEST_CHECK_SECONDS = 3600.0
SHORTEST_CHECK_SECONDS = 1.0
FIRST_CHECK_SECONDS = 10.0
DAY_SECONDS = 86400.0


class Retention:
    def __init__(self, sessions: SessionStore, settings: Settings) -> None:
        self.sessions = sessions
        self.days = settings.retention_days
        self._control: Control | None = None
        self._purger: asyncio.Task[None] | None = None
        self._aftermath: set[asyncio.Task[None]] = set()

    def start(self, control: Control) -> None:
        """Listen for deletions made through other instances; purge old sessions when a
        retention period is set."""
        self._control = control
        control.hub.bus.on_session_deleted(self._forget)
        if self.days > 0:
            self._purger = asyncio.create_task(self._purge_loop(), name="paja-retention")

    async def close(self) -> None:
        await stop([self._purger])
        if self._aftermath:  # at most a second away: let them finish what they promised
            await asyncio.wait(self._aftermath, timeout=AFTERMATH_SECONDS + 5)

    async def delete(self, session_id: str, by: str) -> None:
        """Remove the session everywhere: sockets, loaded documents, deadlines, store."""
        control = self._started()
        await self._forget(session_id)
        await control.hub.bus.publish_session_deleted(session_id)
        await self.sessions.delete_session(session_id)
        log.info("session %s deleted (by %s)", session_id, by)
        task = asyncio.create_task(self._delete_again(session_id))
        self._aftermath.add(task)
        task.add_done_callback(self._aftermath.discard)

    async def _forget(self, session_id: str) -> None:
        control = self._started()
        control.scheduler.schedule(session_id, None)
        control.summaries.forget(session_id)
        await control.hub.forget(session_id)

    async def _delete_again(self, session_id: str) -> None:
        await asyncio.sleep(AFTERMATH_SECONDS)
        try:
            await self._forget(session_id)
            await self.sessions.delete_session(session_id)
        except Exception as exc:
            log.warning("second delete of session %s failed (%s)", session_id, exc)

    def _started(self) -> Control:
        assert self._control is not None, "Retention.start comes first"
        return self._control

    async def _purge_loop(self) -> None:
        """Check hourly, or twice per retention period when that is shorter. The checks
        fall in numbered periods of wall-clock time, the same on every instance, and the
        first instance to claim a period runs its check: a deployment of many instances
        scans the store once per period, not once per instance."""
        keep = self.days * DAY_SECONDS
        every = min(LONGEST_CHECK_SECONDS, max(SHORTEST_CHECK_SECONDS, keep / 2))
        await asyncio.sleep(min(every, FIRST_CHECK_SECONDS))
        while True:
            now = time.time()
            # The period this wake-up aimed at, not the one it woke in: asyncio runs a timer
            # up to its clock's resolution early, and a check numbered for the period before
            # ran beside the next period's check on another instance (both deleted).
            tick = round(now / every)
            await self._purge(now - keep, tick=tick, every=every)
            await asyncio.sleep(max(0.0, (tick + 1) * every - time.time()))  # the next start

    async def _purge(self, cutoff: float, *, tick: int, every: float) -> None:
        try:
            # Kept two periods, so an instance whose clock lags still finds it taken.
            if not await self._started().hub.bus.claim_once(f"{RETENTION}:{tick}", 2 * every):
                return  # another instance checks this period
            for session_id in await self.sessions.sessions_created_before(cutoff):
                await self.delete(session_id, RETENTION)
        except Exception as exc:  # the store or Redis is away: the next period tries again
            log.warning("could not purge expired sessions now (%s); trying later", exc)
