"""The document log in SQLite: a compacted snapshot per document plus an append-only
log of updates.

Compaction folds the log into the snapshot from the stored rows themselves, so it is
correct even for updates this process never saw. It runs after the append, not in it:
the rows are read on the database's thread, folded in a worker process (folding.py: a
fold in this process would hold the GIL, and so the event loop, for as long as it takes),
and the snapshot written only if nothing replaced the old one or deleted the rows
meanwhile. A board leaving memory is compacted from its loaded copy instead
(`compact_from`), which costs an encode rather than applying the whole snapshot again, so
that after a restart it loads as one snapshot: the bytes a fresh joiner is sent as they
are.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pycrdt import Doc

from ..documents import LoadError, apply_stored, fold
from ..folding import Folder
from .database import Database, immediate

SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    doc TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_by_doc ON updates (doc, id);
CREATE TABLE IF NOT EXISTS tallies (
    doc TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
"""
log = logging.getLogger("paja.store.sqlite")
# Keyed by document (`session_id/board`): a session's rows are those under its prefix.
TABLES = ("snapshots", "updates", "tallies")
TALLIES_PER_QUERY = 500  # below SQLite's limit of bound parameters


class SQLiteDocuments:
    def __init__(self, database: Database, *, compact_after_updates: int = 500) -> None:
        self.database = database
        self.compact_after_updates = compact_after_updates
        self._log_lengths: dict[str, int] = {}
        # When each document's snapshot was written, as this process last saw it.
        self._snapshot_times: dict[str, float | None] = {}
        self.folder = Folder()
        self._compactions: dict[str, asyncio.Task[bool]] = {}

    async def close(self) -> None:
        """Let compactions under way finish, then stop the worker."""
        await asyncio.gather(*self._compactions.values(), return_exceptions=True)
        self.folder.close()

    async def read_document(self, key: str) -> list[bytes]:
        updates, last_id, known = await self.database.run(lambda db: self._read_now(db, key))
        if self._log_lengths[key] < self.compact_after_updates:
            return updates
        # A log left long by a crash: loaded as one snapshot, stored as one too.
        state = await self.folder.fold(updates)
        await self.database.run(lambda db: self._replace(db, key, state, last_id, known))
        return [state]

    async def load_document(self, key: str) -> bytes | None:
        updates = await self.read_document(key)
        # Small boards (`control`, for access checks): folded here, without a worker's
        # round trip.
        return await asyncio.to_thread(fold, updates) if updates else None

    def _read_stored(self, db: sqlite3.Connection, key: str) -> tuple[list[bytes], int]:
        """The snapshot and the log rows after it, and the id of the last row (0: none)."""
        snapshot = db.execute(
            "SELECT data, updated_at FROM snapshots WHERE doc = ?", (key,)
        ).fetchone()
        rows = db.execute(
            "SELECT id, data FROM updates WHERE doc = ? ORDER BY id", (key,)
        ).fetchall()
        self._log_lengths[key] = len(rows)
        self._snapshot_times[key] = None if snapshot is None else snapshot[1]
        updates = [data for _, data in rows]
        if snapshot is not None:
            updates.insert(0, snapshot[0])
        return updates, (rows[-1][0] if rows else 0)

    def _read_now(self, db: sqlite3.Connection, key: str) -> tuple[list[bytes], int, float | None]:
        """`_read_stored`, and when the snapshot read was written."""
        updates, last_id = self._read_stored(db, key)
        return updates, last_id, self._snapshot_times[key]

    def _put_snapshot(self, db: sqlite3.Connection, key: str, state: bytes, last_id: int) -> None:
        """Within a write transaction: the new snapshot, and the log rows it holds gone."""
        updated_at = time.time()
        db.execute(
            "INSERT INTO snapshots (doc, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (doc) DO UPDATE SET data = excluded.data, "
            "updated_at = excluded.updated_at",
            (key, state, updated_at),
        )
        db.execute("DELETE FROM updates WHERE doc = ? AND id <= ?", (key, last_id))
        (left,) = db.execute("SELECT COUNT(*) FROM updates WHERE doc = ?", (key,)).fetchone()
        self._log_lengths[key] = left  # appended while this snapshot was folded
        self._snapshot_times[key] = updated_at

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        await self.database.run(lambda db: self._append(db, batch))
        for key in batch:
            if self._log_lengths.get(key, 0) >= self.compact_after_updates:
                self._schedule_compaction(key)

    def _append(self, db: sqlite3.Connection, batch: Mapping[str, Sequence[bytes]]) -> None:
        with immediate(db):
            for key, updates in batch.items():
                db.executemany(
                    "INSERT INTO updates (doc, data) VALUES (?, ?)", [(key, u) for u in updates]
                )
        for key, updates in batch.items():
            self._log_lengths[key] = self._log_lengths.get(key, 0) + len(updates)

    async def set_tallies(self, tallies: Mapping[str, int]) -> None:
        def put(db: sqlite3.Connection) -> None:
            with immediate(db):
                db.executemany(
                    "INSERT INTO tallies (doc, n) VALUES (?, ?)"
                    " ON CONFLICT (doc) DO UPDATE SET n = excluded.n",
                    list(tallies.items()),
                )

        await self.database.run(put)

    async def read_tallies(self, keys: Sequence[str]) -> dict[str, int]:
        def get(db: sqlite3.Connection) -> dict[str, int]:
            found: dict[str, int] = {}
            for start in range(0, len(keys), TALLIES_PER_QUERY):
                chunk = keys[start : start + TALLIES_PER_QUERY]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT doc, n FROM tallies WHERE doc IN ({marks})", chunk)
                found.update((doc, int(n)) for doc, n in rows)
            return found

        return await self.database.run(get)

    def _schedule_compaction(self, key: str) -> None:
        if key in self._compactions:
            return
        task = asyncio.create_task(self.compact(key), name=f"paja-compact-{key}")
        self._compactions[key] = task
        task.add_done_callback(lambda _: self._compacted(key, task))

    def _compacted(self, key: str, task: asyncio.Task[bool]) -> None:
        """A log that grew long again while it was folded is compacted again; one whose
        compaction failed waits for the next append."""
        self._compactions.pop(key, None)
        if task.cancelled() or not task.result():
            return
        if self._log_lengths.get(key, 0) >= self.compact_after_updates:
            self._schedule_compaction(key)

    async def compact(self, key: str) -> bool:
        """Fold the stored snapshot and log (not the in-memory doc) into a new snapshot, so
        that updates another process logged are folded too. The log grows meanwhile; only
        the rows folded are deleted. True when a snapshot was stored."""
        try:
            updates, last_id, known = await self.database.run(lambda db: self._read_now(db, key))
            if not last_id:
                return False
            state = await self.folder.fold(updates)
        except LoadError:
            log.error("not compacting %s: its stored updates are corrupt", key)
            self._log_lengths[key] = 0  # keep a corrupt log as it is for an operator
            return False
        except Exception as exc:  # the disk, or the worker: the next append tries again
            log.warning("could not compact %s (%s); its log stays", key, exc)
            return False
        try:
            return await self.database.run(lambda db: self._replace(db, key, state, last_id, known))
        except sqlite3.Error as exc:
            log.warning("could not compact %s (%s); its log stays", key, exc)
            return False

    def _replace(
        self, db: sqlite3.Connection, key: str, state: bytes, last_id: int, known: float | None
    ) -> bool:
        """Store `state`, folded from the snapshot written at `known` and the log up to
        `last_id`, unless that snapshot was replaced or those rows deleted meanwhile."""
        with immediate(db):
            snapshot = db.execute(
                "SELECT updated_at FROM snapshots WHERE doc = ?", (key,)
            ).fetchone()
            if (None if snapshot is None else snapshot[0]) != known:
                return False  # another compaction (or a deletion) came first
            folded = db.execute("SELECT 1 FROM updates WHERE id = ? AND doc = ?", (last_id, key))
            if last_id and folded.fetchone() is None:
                return False  # the board was deleted
            self._put_snapshot(db, key, state, last_id)
            return True

    async def compact_from(self, key: str, doc: Doc[Any]) -> None:
        if self._log_lengths.get(key):
            # `doc` holds the snapshot this process last read or wrote, as of now: a later
            # one (another process's, or a reloaded copy's) may hold what `doc` lacks.
            known = self._snapshot_times.get(key)
            await self.database.run(lambda db: self._compact_from(db, key, doc, known))

    def _compact_from(
        self, db: sqlite3.Connection, key: str, doc: Doc[Any], known: float | None
    ) -> None:
        with immediate(db):
            snapshot = db.execute(
                "SELECT updated_at FROM snapshots WHERE doc = ?", (key,)
            ).fetchone()
            if (None if snapshot is None else snapshot[0]) != known:
                return  # replaced since: leave the log to the next compaction
            rows = db.execute(
                "SELECT id, data FROM updates WHERE doc = ? ORDER BY id", (key,)
            ).fetchall()
            if not rows:
                return
            try:
                apply_stored(doc, [data for _, data in rows])
            except LoadError:
                return  # a corrupt row: keep the log as it is for an operator
            self._put_snapshot(db, key, doc.get_update(), rows[-1][0])

    def forget(self, prefix: str) -> None:
        """On the database's thread, once the documents under `prefix` are deleted: what
        this process remembered of them goes too."""
        for known in (self._log_lengths, self._snapshot_times):
            for key in [k for k in known if k.startswith(prefix)]:
                del known[key]
