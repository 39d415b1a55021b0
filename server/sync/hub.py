"""Loaded documents: load on first use, batch their updates to the store, unload when idle.

The hub is the one place that knows both the store and the bus; a `Document` only knows
its connections. Writes to the store leave in batches from one flusher task, so a
document is never saved twice at once and a burst of edits costs one transaction.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pycrdt import Doc

from ..bus.base import Bus
from ..process.config import Settings
from ..process.metrics import Counters
from ..process.tasks import stop
from ..store.documents import DocumentLog, LoadError, replayed
from .backlog import Backlog
from .connection import Connection
from .document import Document
from .messages import EMPTY_STATE_VECTOR, CloseCode, sync_step1
from .panics import is_panic

log = logging.getLogger("paja.hub")
T = TypeVar("T")
MAX_RETRY_SECONDS = 1.0
CLOSE_RETRY_SECONDS = 5.0
FRESH_SYNC_STEP1 = sync_step1(EMPTY_STATE_VECTOR)  # what a joiner with no state sends first
CONTROL = "control"


class Hub:
    def __init__(
        self, store: DocumentLog, bus: Bus, settings: Settings, counters: Counters
    ) -> None:
        self.store = store
        self.bus = bus
        self.settings = settings
        self.counters = counters
        self.documents: dict[str, Document] = {}
        self._loading: dict[str, asyncio.Task[Document]] = {}
        # Documents whose stored state is read but not applied: the state, and when the
        # load began; then the task applying it.
        self._unapplied: dict[Document, tuple[list[bytes], float]] = {}
        self._applies: dict[Document, asyncio.Task[None]] = {}
        self._unload_handles: dict[str, asyncio.TimerHandle] = {}
        self._unloading: set[asyncio.Task[None]] = set()
        self._dirty: set[Document] = set()
        # Documents whose batch is being written right now (two flushes may overlap: a
        # command's and the flusher's), with how many batches of theirs are in flight.
        self._flushing: collections.Counter[Document] = collections.Counter()
        self._forgotten: weakref.WeakSet[Document] = weakref.WeakSet()
        self._flush_wakeup = asyncio.Event()
        self._flusher: asyncio.Task[None] | None = None
        self.store_healthy = True
        self.backlog = Backlog(settings.max_pending_bytes_per_board, settings.max_pending_bytes)
        self.initial_syncs = 0
        # Told the session of each `control` change another instance made (control.py).
        self.on_remote_control: Callable[[str], None] | None = None
        # A document's tally, stored with each batch of its updates, or None: untallied
        # (control.py tallies the notes of private boards).
        self.tally: Callable[[str, Doc[Any]], int | None] = lambda key, doc: None

    async def start(self) -> None:
        # pycrdt imports anyio's event loop backend for the first Doc made in a running loop
        # (tens of ms): pay that here rather than in the first joiner's sync.
        Doc()
        self._flusher = asyncio.create_task(self._flush_loop(), name="paja-flusher")

    async def close(self) -> bool:
        """Flush everything before exit: a SIGTERM must not lose an edit. True when every
        edit is stored."""
        for handle in self._unload_handles.values():
            handle.cancel()
        await stop([self._flusher])
        # A shared store may be away for a moment: keep trying briefly before giving up.
        deadline = time.monotonic() + CLOSE_RETRY_SECONDS
        for _ in range(int(CLOSE_RETRY_SECONDS / 0.25)):
            if await self.flush():
                for document in list(self.documents.values()):
                    if not document.loading and not document.connections:
                        await self._compact(document)
                return True
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.25)
        return False

    # loading and unloading

    async def acquire(self, key: str) -> Document:
        """The loaded document for `key`; concurrent callers share one load."""
        document = await self.open(key)
        await self.loaded(document)
        return document

    async def open(self, key: str) -> Document:
        """The document for `key` as soon as its stored state is read, maybe still
        `loading`: the stored state is applied by the first caller of `loaded` (or
        `finish_loading`), so a fresh joiner can be answered from the stored bytes first."""
        handle = self._unload_handles.pop(key, None)
        if handle is not None:
            handle.cancel()
        document = self.documents.get(key)
        if document is not None:
            return document
        task = self._loading.get(key)
        if task is None:
            task = asyncio.create_task(self._read(key))
            self._loading[key] = task
        document = await asyncio.shield(task)
        if self.documents.get(key) is not document:  # it failed to load, or was forgotten
            raise LoadError(f"{key} could not be loaded")
        return document

    async def _read(self, key: str, replay: bool = False) -> Document:
        """Read the stored state into a new `Document`, to be applied later (`loaded`);
        with `replay`, the state as pycrdt takes it update by update (`store.replayed`)."""
        try:
            started = time.perf_counter()
            stored = await self.store.read_document(key)
            document = Document(
                key,
                on_update=self._updated,
                on_awareness=self._aware,
                on_broken=self._broken,
                tick_seconds=self.settings.presence_tick_ms / 1000,
            )
            if stored:
                try:
                    stored = await asyncio.to_thread(document.sanitise_stored, stored)
                    if replay:
                        stored = [await asyncio.to_thread(replayed, stored)]
                    document.begin_load(stored)
                except (ValueError, RuntimeError) as exc:
                    raise LoadError(f"stored state of {key} is corrupt") from exc
                self._unapplied[document] = (stored, started)
            self.documents[key] = document
            if not stored:
                await self.bus.subscribe(document)
            return document
        finally:
            del self._loading[key]

    async def loaded(self, document: Document) -> None:
        """Apply the document's stored state unless done; LoadError when that failed."""
        applying = self._applying(document)
        if applying is not None:
            await asyncio.shield(applying)
        if document.loading:  # its stored state is corrupt, or its session was deleted
            raise LoadError(f"{document.key} could not be loaded")

    async def finish_loading(self, document: Document, frame: bytes) -> None:
        """Called with each frame a connection sends while its board is `loading`: holds
        the frame until the stored state is applied, but for a fresh joiner's sync step 1
        when the stored state is one update (`Document.answers_fresh_joiners`): that is
        answered at once, and the apply, started here, runs once the answer is written.
        A board that fails to load has closed its connections (1011) by then."""
        if frame == FRESH_SYNC_STEP1 and document.answers_fresh_joiners:
            self._applying(document)
        else:
            await self.loaded(document)

    def _applying(self, document: Document) -> asyncio.Task[None] | None:
        """The task applying the document's stored state, started on first call; None
        once there is nothing (more) to apply."""
        task = self._applies.get(document)
        unapplied = self._unapplied.pop(document, None)
        if task is None and unapplied is not None:
            task = asyncio.create_task(self._apply(document, *unapplied))
            self._applies[document] = task
            task.add_done_callback(lambda _: self._applies.pop(document, None))
        return task

    async def _apply(self, document: Document, stored: list[bytes], started: float) -> None:
        """Apply the stored state in one transaction. pycrdt was seen to refuse so a log it
        had taken update by update, as it came (items waiting for a parent another update
        then gave): such a board is read again and replayed, which makes it one update. One
        that fails either way (or a single update that fails) is corrupt: never served,
        never saved over."""
        try:
            document.load(stored)
        except BaseException as exc:
            if not isinstance(exc, ValueError | RuntimeError) and not is_panic(exc):
                raise
            known = self.documents.get(document.key) is document
            if known:
                del self.documents[document.key]  # never saved over the stored state
            document.close()
            replay = known and len(stored) > 1
            if replay:
                log.warning("board %s: its stored log is replayed update by update", document.key)
                self._loading[document.key] = asyncio.create_task(
                    self._read(document.key, replay=True)
                )
            else:
                log.exception("could not load board %s: its stored state is corrupt", document.key)
            for connection in list(document.connections):
                connection.terminate(
                    CloseCode.INTERNAL_ERROR,
                    "board reloads, reconnect" if replay else "board could not be loaded",
                )
            return
        if self.documents.get(document.key) is document:  # not forgotten meanwhile
            await self.bus.subscribe(document)
        self.counters.load_seconds.observe(time.perf_counter() - started)

    def _broken(self, document: Document) -> None:
        """pycrdt panicked applying an update to this copy (`Document.apply_update`): its
        people reconnect (1011) and re-sync, and whoever opens the board meanwhile waits
        for a fresh copy, loaded once what the broken one took before is stored."""
        if self.documents.get(document.key) is not document:
            return
        del self.documents[document.key]
        handle = self._unload_handles.pop(document.key, None)
        if handle is not None:
            handle.cancel()
        for connection in list(document.connections):
            connection.terminate(CloseCode.INTERNAL_ERROR, "board reloads, reconnect")
        self._loading[document.key] = asyncio.create_task(self._reload(document))

    async def _reload(self, document: Document) -> Document:
        interval = self.settings.flush_interval_ms / 1000
        while document in self._dirty or document in self._flushing:
            stored = await self.flush()
            await asyncio.sleep(0.05 if stored else min(interval * 4, MAX_RETRY_SECONDS))
        document.close()
        self.backlog.drop(document)
        await self.bus.unsubscribe(document)
        return await self._read(document.key)  # which lets go of `_loading` for the key

    async def change(self, key: str, change: Callable[[Doc[Any]], T]) -> T:
        """Apply a server-side change to a document, loaded for the moment if need be."""
        document = await self.acquire(key)
        try:
            return document.edit(change)
        finally:
            self.release(document)

    async def read(self, key: str, reader: Callable[[Doc[Any]], T]) -> T:
        document = await self.acquire(key)
        try:
            return reader(document.doc)
        finally:
            self.release(document)

    async def version(self, key: str) -> int:
        """The loaded document's version (`Document.version`), loading it if need be."""
        document = await self.acquire(key)
        try:
            return document.version
        finally:
            self.release(document)

    async def overview(self, key: str, outcome: bool = False) -> dict[str, Any]:
        """A board's facts for the facilitator's overview of rooms (`Document.overview`).
        A board that no connection here holds is loaded once and then kept live by the
        bus like any other; it unloads when the overview stops asking for it."""
        document = await self.acquire(key)
        try:
            return document.overview(outcome)
        finally:
            self.release(document)

    def connections_in(self, session_id: str) -> Iterator[tuple[Document, Connection]]:
        """Every open connection of a session, with its document (for access changes)."""
        prefix = session_id + "/"
        for key, document in list(self.documents.items()):
            if key.startswith(prefix):
                for connection in list(document.connections):
                    yield document, connection

    async def forget(self, session_id: str) -> None:
        """A deleted session: close its sockets (4404) and drop its documents with their
        pending edits unsaved, so nothing of it is written again."""
        prefix = session_id + "/"
        loading = [task for key, task in self._loading.items() if key.startswith(prefix)]
        if loading:  # a load in flight would otherwise add a document after this
            await asyncio.wait(loading)
        forgotten = [d for key, d in self.documents.items() if key.startswith(prefix)]
        self._forgotten.update(forgotten)
        for document in forgotten:
            del self.documents[document.key]
            handle = self._unload_handles.pop(document.key, None)
            if handle is not None:
                handle.cancel()
            self._dirty.discard(document)
            self._unapplied.pop(document, None)
            document.pending = []
            self.backlog.drop(document)
            document.close()
            for connection in list(document.connections):
                connection.terminate(CloseCode.NOT_FOUND, "session deleted")
        for document in forgotten:
            await self.bus.unsubscribe(document)

    def release(self, document: Document) -> None:
        """Called when a connection leaves; an idle document unloads after a grace period."""
        if document.connections or self.documents.get(document.key) is not document:
            return
        loop = asyncio.get_running_loop()
        old = self._unload_handles.pop(document.key, None)
        if old is not None:
            old.cancel()
        self._unload_handles[document.key] = loop.call_later(
            self.settings.idle_unload_seconds, self._schedule_unload, document
        )

    def _schedule_unload(self, document: Document) -> None:
        self._unload_handles.pop(document.key, None)
        task = asyncio.create_task(self._unload(document))
        self._unloading.add(task)
        task.add_done_callback(self._unloading.discard)

    async def _unload(self, document: Document) -> None:
        busy = document in self._dirty or document in self._flushing or document in self._applies
        if document.connections or busy:
            if not document.connections:
                self.release(document)  # try again once its edits are stored (or it is loaded)
            return
        if self.documents.get(document.key) is document:
            del self.documents[document.key]
            document.close()
            if self._unapplied.pop(document, None) is None:  # it was loaded
                # Compacted first: no new copy of the board can have stored anything yet.
                await self._compact(document)
                await self.bus.unsubscribe(document)

    async def _compact(self, document: Document) -> None:
        """A board leaving memory is stored as one snapshot if the store can do that from the
        loaded copy (cheap), so that its next load is one update: what a fresh joiner is
        sent while it is applied."""
        try:
            await self.store.compact_from(document.key, document.doc)
        except Exception as exc:
            log.warning("could not compact %s (%s); its log stays", document.key, exc)

    # updates flow from documents to the store and the bus

    def _updated(self, document: Document, update: bytes, local: bool) -> None:
        if not local and self.on_remote_control is not None:
            session_id, _, board = document.key.partition("/")
            if board == CONTROL:
                self.on_remote_control(session_id)
        if not local or self.documents.get(document.key) is not document:
            return  # remote, or a document of a deleted session: never stored
        document.pending.append(update)
        self.backlog.taken(document, update)
        self._dirty.add(document)
        self.bus.publish_update(document.key, update)

    def _aware(self, document: Document, update: bytes, local: bool) -> None:
        if local:
            self.bus.publish_awareness(document.key, update)

    async def _flush_loop(self) -> None:
        """Flush every interval; while the store fails, back off up to a second."""
        interval = self.settings.flush_interval_ms / 1000
        delay = interval
        while True:
            await asyncio.sleep(delay)
            if self._dirty:
                stored = await self.flush()
                delay = interval if stored else min(delay * 2, MAX_RETRY_SECONDS)

    async def flush(self) -> bool:
        """Write every pending update in one batch; on failure keep them for the next try.

        True when the batch was stored (or nothing was pending).
        """
        if not self._dirty:
            return True
        # While the batch is written its documents are neither dirty nor clean: `_flushing`
        # keeps them from unloading, so that a failed write is retried from the copy that
        # everyone still uses, never from one that left memory while a new copy loaded.
        dirty, self._dirty = self._dirty, set()
        self._flushing.update(dirty)
        batch = {d.key: d.pending for d in dirty}
        # a broken copy (a pycrdt panic) is not read again: its edits are stored untallied
        tallies = {
            d.key: n for d in dirty if not d.broken and (n := self.tally(d.key, d.doc)) is not None
        }
        for document in dirty:
            document.pending = []
        started = time.perf_counter()
        try:
            await self.store.append_updates(batch)
            if tallies:  # after the updates: a tally never runs ahead of what is stored
                await self.store.set_tallies(tallies)
        except BaseException as exc:
            for document in dirty:
                if document not in self._forgotten:  # its session was deleted meanwhile
                    document.pending[:0] = batch[document.key]
                    self._dirty.add(document)
            if not isinstance(exc, Exception):
                raise  # cancelled mid-write (shutdown): close() writes them again
            if self.store_healthy:
                log.exception("store write failed; edits kept in memory and retried")
            else:
                log.warning("store still failing (%s); %d documents pending", exc, len(batch))
            self.store_healthy = False
            return False
        finally:
            self._flushing.subtract(dirty)
            for document in dirty:
                if self._flushing[document] <= 0:
                    del self._flushing[document]
        for document in dirty:
            self.backlog.stored(document, sum(map(len, batch[document.key])))
        if not self.store_healthy:
            log.info("store writes resumed; pending edits stored")
        self.store_healthy = True
        self.counters.store_write_seconds.observe(time.perf_counter() - started)
        return True
