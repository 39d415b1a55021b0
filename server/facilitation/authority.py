"""The server's hand on each session's `control` document and its server-only documents.

Every command's change goes through `change`, which then settles what the new state
implies: open sockets get the access the state now gives them (a socket that lost its
board is closed, 4403, and its client goes where control says), the scheduler (and
the store's wake-up index) learn the next deadline, and the change is flushed to the
store before the command answers, so a socket opened right after sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from pycrdt import Doc

from rooms import deadlines, private, rounds, summary
from rooms.boards import BoardFacts
from rooms.control import Value, from_state
from rooms.deadlines import Fired

from ..bus.base import SocketClose
from ..process.scheduler import Scheduler, SessionEvent, Unsettled
from ..store.documents import document_key
from ..store.sessions import SessionStore
from ..sync.document import Document
from ..sync.hub import Hub
from ..sync.messages import CloseCode
from .access import CONTROL, NO_ACCESS, Rights, guard, rights
from .summary_cache import Summary, SummaryCache

T = TypeVar("T")
log = logging.getLogger("paja.control")

# Ballots and poll answers. "_" is not allowed in a board name, so no socket reaches it.
PRIVATE = "_ballots"
# How long boards written through other instances are held before they are read (caught_up):
# a few flush intervals, within these bounds.
CATCH_UP_FLUSHES = 4
CATCH_UP_SECONDS = (0.2, 2.0)


class Control:
    def __init__(self, hub: Hub, sessions: SessionStore) -> None:
        self.hub = hub
        self.sessions = sessions
        self.scheduler = Scheduler(sessions, hub.bus, self._advance)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.summaries = SummaryCache(self._count_summary)
        self._resettling: dict[str, asyncio.Task[None]] = {}
        hub.on_remote_control = self._changed_elsewhere
        hub.bus.on_sockets_closed(self._close)
        hub.tally = _tally

    async def start(self) -> None:
        await self.scheduler.start()

    async def close(self) -> None:
        await self.scheduler.close()

    def lock(self, session_id: str) -> asyncio.Lock:
        """Held by commands that read one document and then write another (votes, polls)."""
        lock = self._locks.get(session_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[session_id] = lock
        return lock

    async def change(self, session_id: str, change: Callable[[Doc[Any]], T]) -> T:
        result = await self.hub.change(document_key(session_id, CONTROL), change)
        await self.settle(session_id)
        return result

    async def read(self, session_id: str, reader: Callable[[Doc[Any]], T]) -> T:
        return await self.hub.read(document_key(session_id, CONTROL), reader)

    async def change_board(self, session_id: str, board: str, change: Callable[[Doc[Any]], T]) -> T:
        return await self.hub.change(document_key(session_id, board), change)

    @contextlib.asynccontextmanager
    async def caught_up(self, session_id: str, boards: list[str]) -> AsyncIterator[None]:
        """Hold `boards` loaded here until what other instances of a deployment applied to
        them a moment ago has arrived, for a command that reads them once and for all (the
        reveal of private writing). Loading a board asks the peers for what they hold, and
        their answers, live edits and last flushes come within a few flush intervals; an
        instance alone has nothing to wait for."""
        documents: list[Document] = []
        try:
            for board in boards:
                documents.append(await self.hub.acquire(document_key(session_id, board)))
            if documents and self.hub.settings.redis_url is not None:
                low, high = CATCH_UP_SECONDS
                interval = self.hub.settings.flush_interval_ms / 1000
                await asyncio.sleep(min(high, max(low, CATCH_UP_FLUSHES * interval)))
            yield
        finally:
            for document in documents:
                self.hub.release(document)

    async def read_board(self, session_id: str, board: str, reader: Callable[[Doc[Any]], T]) -> T:
        return await self.hub.read(document_key(session_id, board), reader)

    async def tallies(self, session_id: str, boards: list[str]) -> dict[str, int]:
        """The stored tallies of boards (`_tally`), by board, never loading one: a board
        with none stored (never written) is left out."""
        keys = {document_key(session_id, board): board for board in boards}
        stored = await self.hub.store.read_tallies(list(keys))
        return {keys[key]: n for key, n in stored.items()}

    async def state(self, session_id: str, board: str) -> bytes:
        """A board's full state as one Yjs update, with edits not yet stored."""
        return await self.read_board(session_id, board, lambda doc: doc.get_update())

    async def install(
        self, session_id: str, states: dict[str, bytes], deadline: int | None
    ) -> None:
        """A new session's documents, given whole (an import): stored as they are, each
        one update, and never loaded here, so nothing of them is applied on the event loop.
        The first socket or command on a board loads it like any stored board."""
        batch = {document_key(session_id, name): [state] for name, state in states.items()}
        await self.hub.store.append_updates(batch)
        self.scheduler.schedule(session_id, deadline)
        await self.sessions.set_wakeup(session_id, deadline)

    async def summary(self, session_id: str, language: str | None = None) -> Value:
        """The generated summary from `control` and every board it names, as they are now;
        `language` None is the session's own. The summary route, exports and the
        `session.ended` webhook all tell the session through this one method (or
        `summary_markdown`). The result is shared: callers must not change it."""
        made = await self._summary(session_id, language, markdown=False)
        assert isinstance(made, dict)
        return made

    async def summary_markdown(self, session_id: str, language: str | None = None) -> str:
        """The generated summary as Markdown (`rooms.summary.to_markdown`)."""
        made = await self._summary(session_id, language, markdown=True)
        assert isinstance(made, str)
        return made

    async def _summary(self, session_id: str, language: str | None, *, markdown: bool) -> Summary:
        """Built once per version of the boards it reads (server/facilitation/summary_cache.py): the
        versions are read first, and the states only when nothing is kept for them.
        Building takes long on big boards, so it runs in a worker thread."""
        names = await self.read(session_id, summary.board_names)
        keys = [CONTROL, *names]
        versions = tuple(
            [(name, await self.hub.version(document_key(session_id, name))) for name in keys]
        )

        async def build() -> Summary:
            states = {name: await self.state(session_id, name) for name in keys}
            return await asyncio.to_thread(_build_summary, states, language, markdown)

        form = "markdown" if markdown else "json"
        return await self.summaries.get((session_id, form, language), versions, build)

    def _count_summary(self) -> None:
        self.hub.counters.summaries_built += 1

    async def settle(self, session_id: str) -> None:
        facts, deadline = await self.read(
            session_id, lambda doc: (rounds.facts(doc), deadlines.next_deadline(doc))
        )
        self._grant(session_id, facts)
        self.scheduler.schedule(session_id, deadline)  # first: it cannot fail, the store can
        await self.sessions.set_wakeup(session_id, deadline)
        await self.hub.flush()

    def _changed_elsewhere(self, session_id: str) -> None:
        """Another instance changed `control`: this one's sockets follow, once per burst."""
        if session_id not in self._resettling:
            task = asyncio.get_running_loop().create_task(self._regrant(session_id))
            self._resettling[session_id] = task
            task.add_done_callback(lambda _: self._resettling.pop(session_id, None))

    async def _regrant(self, session_id: str) -> None:
        try:
            self._grant(session_id, await self.read(session_id, rounds.facts))
        except Exception:
            log.exception("could not apply a change of access made elsewhere")

    def _grant(self, session_id: str, facts: BoardFacts) -> None:
        """Every open socket of the session gets the access `facts` give it, and a board
        whose notes are no longer locked stops trying updates on a copy."""
        unguarded = {}
        for document, connection in self.hub.connections_in(session_id):
            board = document.key.partition("/")[2]
            if board not in facts.guards:
                unguarded[document.key] = document
            granted = rights(connection.role, connection.subject, board, facts)
            if granted is Rights.NONE:
                connection.terminate(CloseCode.FORBIDDEN, NO_ACCESS)
                continue
            writable = granted is Rights.WRITE
            if writable and not connection.can_write:
                connection.denied_once = False  # tell them again if they lose it later
            connection.can_write = writable
            connection.guard = guard(connection.role, board, facts)
        for document in unguarded.values():
            document.drop_lock_copy()  # its locks were lifted: no update is tried any more

    def regrant(self, session_id: str, subject: str, role: str) -> None:
        """A promoted (or demoted) person's open sockets take their new role now."""
        for _, connection in self.hub.connections_in(session_id):
            if connection.subject == subject:
                connection.role = role

    async def disconnect(
        self, session_id: str, subject: str, code: int, reason: str, role: str | None = None
    ) -> int:
        """Close one person's sockets (or one role's tokens', `role`) on every instance of
        the deployment; returns how many of them this instance held."""
        order = SocketClose(session_id, subject, role, code, reason)
        closed = self._close(order)
        await self.hub.bus.publish_sockets_closed(order)
        return closed

    def _close(self, order: SocketClose) -> int:
        closed = 0
        for _, connection in self.hub.connections_in(order.session_id):
            if connection.subject == order.subject and order.role in (None, connection.role):
                connection.terminate(order.code, order.reason)
                closed += 1
        return closed

    async def emit(self, session_id: str, kind: str, event_id: str, data: dict[str, Any]) -> None:
        """An event that a command caused (a poll closed, a summary posted)."""
        await self.scheduler.emit(SessionEvent(session_id, kind, event_id, data))

    async def _advance(self, session_id: str, now: int) -> list[Fired]:
        fired = await self.hub.change(
            document_key(session_id, CONTROL), lambda doc: deadlines.advance(doc, now)
        )
        try:
            await self.settle(session_id)
        except Exception as exc:
            raise Unsettled(fired) from exc
        return fired


def _tally(key: str, doc: Doc[Any]) -> int | None:
    """How many notes a private board holds, stored with its updates so that the
    facilitator's counts (polled every few seconds) load no board; None for other boards."""
    return private.count(doc) if private.is_private(key.partition("/")[2]) else None


def _build_summary(states: dict[str, bytes], language: str | None, markdown: bool) -> Summary:
    """The summary from full states (`control` first); runs in a worker thread, on Docs
    made and dropped there."""
    boards = {name: from_state(state) for name, state in states.items() if name != CONTROL}
    made = summary.build(from_state(states[CONTROL]), boards, language=language)
    return summary.to_markdown(made) if markdown else made
