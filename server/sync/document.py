"""A loaded board: its pycrdt `Doc`, the connections on it and their awareness states.

This is where an update is validated (pycrdt rejects a corrupt one before anything is
forwarded), applied once, and fanned out as one pre-built frame to every connection.

It is also where a board's size is kept in check without costing the per-update path
more than an addition: `size` is the encoded size at the last measurement plus the length
of every update applied since, which can only overestimate. Only when that estimate
passes the limit is the document encoded to measure it, and a change to the set of notes
(an observer on `notes`, silent while people type) is what triggers counting them. A
board over a limit is `full`: read-only for all but facilitators, until it is under again.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from pycrdt import Awareness, Doc, Map, Subscription, get_state

from rooms.boards import Guard

from ..process.limits import BoardLimits, deletes_only
from .connection import Connection
from .messages import (
    EMPTY_STATE_VECTOR,
    AwarenessEntry,
    CloseCode,
    ProtocolError,
    awareness_entries,
    awareness_message,
    sync_step1,
    sync_step2,
    update_message,
)
from .nesting import Malformed, Nesting, TooDeep
from .panics import is_panic
from .presence import REMOVED, PresenceLimits, PresenceOwners
from .shadow import Shadow
from .socket import binary_frame
from .stats import BoardStats
from .ticks import PresenceBatch, UpdateBatch

log = logging.getLogger("paja.document")
T = TypeVar("T")
NOTES = "notes"
SECTIONS = "sections"
UNLIMITED = BoardLimits(max_bytes=sys.maxsize, max_notes=sys.maxsize)
UNLIMITED_PRESENCE = PresenceLimits(max_ids=sys.maxsize, max_state_bytes=sys.maxsize)
# Bytes of updates between two measurements of a board near its limit, as a fraction of
# the limit: the board may pass its limit by this much before it is noticed.
MEASURE_EVERY = 16
# Versions of documents, one sequence for the process: see `Document.version`.
_VERSIONS = itertools.count(1)
FULL_RECHECK_SECONDS = 1.0
_NO_META = {"clock": -1}
REMOTE = "remote"  # the sender of updates heard from the bus, as `UpdateBatch` tells them apart
UpdateListener = Callable[["Document", bytes, bool], None]
AwarenessListener = Callable[["Document", bytes, bool], None]
BrokenListener = Callable[["Document"], None]


class Document:
    def __init__(
        self,
        key: str,
        *,
        on_update: UpdateListener,
        on_awareness: AwarenessListener,
        on_broken: BrokenListener | None = None,
        tick_seconds: float = 0.0,
    ) -> None:
        """`tick_seconds` bounds how long a busy board holds changes to send them together
        (server/sync/ticks.py); 0 sends each at once."""
        self.key = key
        self.doc: Doc[Any] = Doc()
        self.nesting = Nesting()  # every update is checked against it before pycrdt sees it
        self.awareness = Awareness(self.doc)
        # The server has no presence of its own: stock clients would show a ghost user.
        self.awareness.set_local_state(None)
        self.awareness.observe(self._track_awareness)
        self.presence = PresenceOwners()
        self.presence_limits = UNLIMITED_PRESENCE
        self.connections: set[Connection] = set()
        self.pending: list[bytes] = []
        self._on_update = on_update
        self._on_awareness = on_awareness
        self._on_broken = on_broken
        self.broken = False  # pycrdt panicked applying an update: this copy is not to be used
        self._presence_out = PresenceBatch(tick_seconds, self._send_awareness, self._publish)
        self._updates_out = UpdateBatch(tick_seconds, self._send_update)
        self._awareness_frame: bytes | None = None  # every state, for greetings; reset on change
        self._full_state: bytes | None = None
        self._shadow: Shadow | None = None  # a copy to try updates on, while notes are locked
        self._full_frame: bytes | None = None  # `_full_state` framed; reset with it
        self.loading = False  # stored state read, not applied yet: see `begin_load`
        # Taken anew on every change and load, from one sequence for the whole process, so
        # a version names one state of one board even across unloads (for the summary
        # cache, server/facilitation/summary_cache.py).
        self.version = next(_VERSIONS)
        # limits (see the module docstring); the first update after loading measures
        self.limits = UNLIMITED
        self.full: str | None = None  # why the board is read-only for all but facilitators
        self.size = 0
        self._measure_at = sys.maxsize
        self._bytes_over = False
        self._notes_over = False
        self._notes_moved = False
        self._recheck: asyncio.TimerHandle | None = None
        notes: Map[Any] = self.doc.get(NOTES, type=Map)
        self._notes = notes
        self._notes_subscription: Subscription | None = notes.observe(self._note_keys_changed)
        self.stats = BoardStats()

    # connections

    def add(self, connection: Connection) -> None:
        """Greet a new connection as the reference server does: step 1, then presence
        (once the stored state is applied: step 1 carries the state vector)."""
        self.connections.add(connection)
        if not self.loading:
            self._greet(connection)

    def _greet(self, connection: Connection) -> None:
        connection.send_message(sync_step1(self.doc.get_state()))
        if self.awareness.states:
            connection.send_message(self.awareness_frame())

    # loading: the hub reads the stored state, then applies it when someone needs it

    def sanitise_stored(self, stored: Sequence[bytes]) -> list[bytes]:
        """The stored state made safe to apply: anything nested past the bound (stored
        before the bound existed, or by a peer that skipped it) is neutralised and logged,
        so that a poisoned board cannot crash the server that loads it. Slow for a large
        board (pure Python), so the hub runs it in a thread. Raises ValueError (Malformed)
        on bytes that are not an update."""
        clean = []
        for update in stored:
            fixed, count = self.nesting.sanitise(update)
            if count:
                log.warning(
                    "board %s: %d stored items nested too deeply; they are neutralised "
                    "(read as deleted) and the board loads without them",
                    self.key,
                    count,
                )
            clean.append(fixed)
        return clean

    def begin_load(self, stored: Sequence[bytes]) -> None:
        """The stored state is read but not applied yet. When it is one update (a
        snapshot alone) that is the whole board: fresh joiners are sent it as it is
        meanwhile (`answers_fresh_joiners`), without waiting for the apply. It is decoded
        first (a third of an apply's cost), so a corrupt one raises ValueError here and
        is never sent."""
        if len(stored) == 1:
            get_state(stored[0])
            self._full_state = sync_step2(stored[0])
        self.loading = True

    @property
    def answers_fresh_joiners(self) -> bool:
        return self._full_state is not None

    def load(self, stored: Sequence[bytes]) -> None:
        """Apply the stored state in one transaction (much faster than update by update),
        then greet the connections that came meanwhile. pycrdt raises ValueError or
        RuntimeError on a corrupt state; the board then stays `loading`."""
        with self.doc.transaction():
            for update in stored:
                self.doc.apply_update(update)
        self.version = next(_VERSIONS)
        self.loading = False
        for connection in self.connections:
            self._greet(connection)

    def close(self) -> None:
        """Let go of the document when the hub drops this board.

        pycrdt keeps the notes observer on its Rust side, out of sight of Python's garbage
        collector: until it is unobserved, the callback holds this object, and with it the
        board's whole history, for the life of the process.
        """
        if self._notes_subscription is not None:
            self._notes.unobserve(self._notes_subscription)
            self._notes_subscription = None
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        self._presence_out.close()
        self._updates_out.close()

    def remove(self, connection: Connection) -> None:
        """Drop a connection and tell everyone (within a tick) that its presence is gone.

        The clocks of its clients are forgotten too (once the removal is encoded with
        them): pycrdt keeps one for every client it ever saw, so a board that stays
        loaded all day while people come and go would otherwise only grow.
        """
        self.connections.discard(connection)
        self.presence.release(connection)
        ids = [i for i in connection.awareness_ids if i in self.awareness.states]
        connection.awareness_ids.clear()
        if ids:
            self._drop_states(ids, local=True)

    # document updates

    def apply_update(
        self, update: bytes, origin: Connection | None = None, *, remote: bool = False
    ) -> None:
        """Apply one update; fan it out, sender included, then hand it to store and bus.

        `origin` is the connection that sent it (None for the server's own writes);
        `remote` marks an update that another instance already stored and published.
        """
        try:
            scan = self.nesting.check(update)
        except TooDeep as exc:
            raise ProtocolError(f"update too deep: {exc}", CloseCode.CORRUPT_UPDATE) from exc
        except Malformed as exc:
            raise ProtocolError("corrupt update", CloseCode.CORRUPT_UPDATE) from exc
        tried = origin is not None and origin.guard is not None
        if tried:
            assert origin is not None and origin.guard is not None
            self._check_locks(update, origin.guard)
        if self.broken:
            raise ProtocolError("board reloads, reconnect", CloseCode.INTERNAL_ERROR)
        try:
            self.doc.apply_update(update)
        except (ValueError, RuntimeError) as exc:  # pycrdt raises either on a corrupt update
            raise ProtocolError("corrupt update", CloseCode.CORRUPT_UPDATE) from exc
        except BaseException as exc:
            if not is_panic(exc):
                raise
            if origin is not None:  # its sender is told why, before the others reconnect
                origin.terminate(CloseCode.CORRUPT_UPDATE, "corrupt update")
            self._break()
            raise ProtocolError("corrupt update", CloseCode.CORRUPT_UPDATE) from None
        self.nesting.keep(scan)
        self._distribute(update, REMOTE if remote else origin, tried=tried)

    def drop_lock_copy(self) -> None:
        self._shadow = None

    def _check_locks(self, update: bytes, guard: Guard) -> None:
        """Refuse (4403) an update that touches locked notes, tried on the board's copy
        first (server/sync/shadow.py); nothing of a refused one reaches the board."""
        shadow = self._shadow
        if shadow is None or shadow.version != self.version:
            shadow = self._shadow = Shadow(self.doc.get_update(), self.version)
        try:
            refusal = shadow.refusal(self.doc, update, guard)
        except (ValueError, RuntimeError) as exc:
            self._shadow = None
            raise ProtocolError("corrupt update", CloseCode.CORRUPT_UPDATE) from exc
        except BaseException as exc:  # a panic broke the copy, not the board: a new copy
            if not is_panic(exc):
                raise
            self._shadow = None
            raise ProtocolError("corrupt update", CloseCode.CORRUPT_UPDATE) from None
        if refusal is not None:
            self._shadow = None
            raise ProtocolError(refusal, CloseCode.FORBIDDEN)

    def _break(self) -> None:
        """This copy is unusable from now on; the hub stores what it took before and lets
        a fresh copy load from the store, while clients reconnect and re-sync."""
        self.broken = True
        log.error("board %s: pycrdt panicked on an update; the board reloads", self.key)
        if self._on_broken is not None:
            self._on_broken(self)

    def edit(self, change: Callable[[Doc[Any]], T]) -> T:
        """Run a server-side change (e.g. to `control`) and send it out like a client's."""
        updates: list[bytes] = []
        subscription = self.doc.observe(lambda event: updates.append(event.update))
        try:
            with self.doc.transaction():
                result = change(self.doc)
        finally:
            # Even a change that raised half-way has changed the doc: send what it wrote.
            self.doc.unobserve(subscription)
            for update in updates:
                self.nesting.admit(update)  # the server's items may be named by clients later
                self._distribute(update, None)
        return result

    def _distribute(self, update: bytes, sender: object, *, tried: bool = False) -> None:
        """Send an applied update to every connection, sender included (within a tick on a
        busy board), and hand it to the store and the bus at once. `sender` is the
        connection, None for the server's own writes, or REMOTE; `tried`: the update was
        applied to the lock-checking copy already."""
        self._full_state = self._full_frame = None
        old, self.version = self.version, next(_VERSIONS)
        shadow = self._shadow
        if shadow is not None:
            if tried:
                shadow.version = self.version
            else:
                shadow.follow(update, old, self.version)
        self._updates_out.add(sender, update)
        self._on_update(self, update, sender != REMOTE)
        self.stats.edited()
        self.size += len(update)
        if self.size > self._measure_at or self._notes_moved:
            self._check_limits()

    # limits

    def set_limits(self, limits: BoardLimits) -> None:
        """Set by the endpoint that lets clients write; the next update measures anew."""
        if limits != self.limits:
            self.limits = limits
            self._measure_at = 0
            self._notes_moved = True

    def refusal(self, update: bytes, facilitator: bool) -> str | None:
        """Why a full board refuses this update, or None. Facilitators may clean up (and
        write) until the board is twice its size limit; past that, they may only delete."""
        if not facilitator:
            return self.full
        if self.size > 2 * self.limits.max_bytes and not deletes_only(update):
            return "this board is far over its size limit: only deleting is allowed"
        return None

    def _note_keys_changed(self, _: object) -> None:
        self._notes_moved = True

    def _send_update(self, update: bytes) -> None:
        message = update_message(update)
        frame = binary_frame(message)
        for connection in self.connections:
            connection.send_update(update, message, frame)

    def _check_limits(self) -> None:
        if self._notes_moved:
            self._notes_moved = False
            self._notes_over = len(self._notes) > self.limits.max_notes
        if self.size > self._measure_at:
            if self._bytes_over:
                self._recheck_soon()  # only a facilitator's cleanup gets here: batch it
            else:
                self._measure()
        self._set_full()

    def _measure(self) -> None:
        limits = self.limits
        self.size = len(self.doc.get_update())
        self._bytes_over = self.size > limits.max_bytes
        if self._bytes_over:
            self._measure_at = self.size  # every further update asks for a recheck
        else:
            self._measure_at = max(limits.max_bytes, self.size + limits.max_bytes // MEASURE_EVERY)

    def _recheck_soon(self) -> None:
        if self._recheck is None:
            loop = asyncio.get_running_loop()
            self._recheck = loop.call_later(FULL_RECHECK_SECONDS, self._recheck_now)

    def _recheck_now(self) -> None:
        self._recheck = None
        self._measure()
        self._set_full()

    def _set_full(self) -> None:
        limits = self.limits
        full: str | None = None
        if self._bytes_over:
            full = f"this board is over its size limit ({limits.max_bytes} bytes)"
        elif self._notes_over:
            full = f"this board holds more than {limits.max_notes} notes"
        if full == self.full:
            return
        if full is None:
            log.info("board %s is under its limits again; writable", self.key)
            for connection in self.connections:
                connection.denied_once = False  # tell them again if it fills up again
        else:
            log.warning("board %s is full: %s; read-only but for facilitators", self.key, full)
        self.full = full

    def apply_remote_update(self, update: bytes) -> None:
        """An update from another instance: fanned out here but never published again.
        A peer checks what it publishes, so a refusal here means a hostile or broken
        peer (or one that lost data): dropped, and healed by the next catch-up."""
        try:
            self.apply_update(update, remote=True)
        except ProtocolError as refused:
            log.warning("board %s: an update from the bus was refused: %s", self.key, refused)

    def sync_reply(self, state_vector: bytes) -> tuple[bytes, bytes | None]:
        """Sync step 2 for a client, with its frame when that is shared: for every fresh
        joiner the full state is encoded and framed once per document version, and all of
        them are written the same bytes."""
        if state_vector == EMPTY_STATE_VECTOR:
            if self._full_state is None:
                self._full_state = sync_step2(self.doc.get_update())
            if self._full_frame is None:
                self._full_frame = binary_frame(self._full_state)
            return self._full_state, self._full_frame
        try:
            return sync_step2(self.doc.get_update(state_vector)), None
        except ValueError as exc:
            raise ProtocolError("corrupt state vector", CloseCode.CORRUPT_UPDATE) from exc

    def state_vector(self) -> bytes:
        return self.doc.get_state()

    def diff_since(self, state_vector: bytes) -> bytes:
        return self.doc.get_update(state_vector)

    # the facilitator's overview of rooms (stats.py)

    def overview(self, outcome: bool = False) -> dict[str, Any]:
        """Who is here, how busy the board is and its shape, without encoding it; with
        `outcome`, the texts of its first notes too."""
        sections: Map[Any] = self.doc.get(SECTIONS, type=Map)
        facts = {
            "online": sorted(self.online()),
            "notes": len(self._notes),
            "edits_last_minute": self.stats.edits_last_minute(),
            "last_edit_at": self.stats.last_edit_ms,
            "thumbnail": self.stats.thumbnail(self._notes, sections, self.version),
        }
        if outcome:
            facts["outcome"] = self.stats.outcome(self._notes, self.version)
        return facts

    def online(self) -> set[str]:
        """The people on this board: the subjects of its own connections, and the ids that
        people connected through other instances announce in their presence."""
        here = {c.subject for c in self.connections if c.subject}
        local = self._local_ids()
        for client_id, state in self.awareness.states.items():
            user = state.get("user") if client_id not in local and state else None
            if isinstance(user, dict) and isinstance(user.get("id"), str):
                here.add(user["id"][:64])
        return here

    # awareness

    def apply_awareness(
        self, update: bytes, origin: Connection | None = None, *, remote: bool = False
    ) -> None:
        """Apply a client's (or, `origin` None, another instance's) presence change; what
        the awareness accepted is sent on with the board's next presence batch."""
        if origin is None:
            entries = awareness_entries(update)  # raises ProtocolError on a malformed update
        else:  # only what the connection may say for itself (server/sync/presence.py)
            allowed = self.presence.allowed(
                update, origin, self.presence_limits, self.awareness.states
            )
            if allowed is None:
                return
            update, entries = allowed
        try:
            self.awareness.apply_awareness_update(update, origin)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ProtocolError("corrupt awareness state", CloseCode.CORRUPT_UPDATE) from exc
        # An entry older than the state held was ignored: sending it on could overwrite a
        # newer one waiting in the batch.
        meta = self.awareness.meta
        accepted = [e for e in entries if meta.get(e[0], _NO_META)["clock"] == e[1]]
        if accepted:
            self._presence_changed(accepted, local=not remote)

    def apply_remote_awareness(self, update: bytes) -> None:
        try:
            self.apply_awareness(update, remote=True)
        except ProtocolError:
            return

    # presence across instances (the Redis bus)

    def has_presence(self, client_id: int) -> bool:
        return client_id in self.awareness.states

    def local_presence(self) -> bytes:
        """The states of this instance's own clients, for peers that lost track of them."""
        ids = [i for i in self._local_ids() if i in self.awareness.states]
        return self.awareness.encode_awareness_update(ids)

    def drop_presence(self, client_ids: Collection[int]) -> None:
        """Remove remote clients whose instance is gone, and tell the local clients.

        Their clocks are forgotten too: if such a client comes back (through another
        instance, or after its instance's outage) its state is accepted at any clock.
        An id a local connection speaks for is kept: that client has moved here.
        """
        local = self._local_ids()
        ids = [i for i in client_ids if i in self.awareness.states and i not in local]
        if ids:
            self._drop_states(ids, local=False)

    def _drop_states(self, ids: list[int], *, local: bool) -> None:
        """Remove states and send the removals on; their clocks are forgotten once the
        removals are taken (see `remove`). `local`: removals of this instance's clients,
        which the bus hands on too."""
        self.awareness.remove_awareness_states(ids, None)
        meta = self.awareness.meta
        removals = [(i, meta[i]["clock"], REMOVED) for i in ids]
        for client_id in ids:
            meta.pop(client_id, None)
        self._presence_changed(removals, local=local)

    def _local_ids(self) -> set[int]:
        return {i for connection in self.connections for i in connection.awareness_ids}

    def awareness_frame(self) -> bytes:
        """Every state held, for a joiner: encoded once per change of presence, since
        joiners come in crowds (200 at once would otherwise encode 200 states each)."""
        if self._awareness_frame is None:
            ids = list(self.awareness.states)
            self._awareness_frame = awareness_message(self.awareness.encode_awareness_update(ids))
        return self._awareness_frame

    def _presence_changed(self, entries: list[AwarenessEntry], *, local: bool) -> None:
        self._awareness_frame = None
        self._presence_out.add(entries, local)

    def _send_awareness(self, update: bytes) -> None:
        message = awareness_message(update)
        frame = binary_frame(message)
        for connection in self.connections:
            connection.send_message(message, frame)

    def _publish(self, update: bytes) -> None:
        self._on_awareness(self, update, True)

    def _track_awareness(self, topic: str, event: tuple[dict[str, Any], Any]) -> None:
        changes, origin = event
        if topic != "update" or not isinstance(origin, Connection):
            return
        origin.awareness_ids.difference_update(changes["removed"])
        for client_id in changes["removed"]:
            self.presence.forget(client_id)
