"""The embedded store: one SQLite file in WAL mode, written by one thread.

All SQL runs on a single worker thread, so writes are serialised without locks and the
event loop never waits on the disk. A document is a compacted snapshot plus an
append-only log of updates; compaction folds the log into the snapshot from the stored
rows themselves, so it is correct even for updates this process never saw.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from pycrdt import Doc

from .base import Grant, LoadError, SessionRecord

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    template TEXT,
    created_at REAL NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS grants (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS grants_by_subject ON grants (session_id, subject);
CREATE TABLE IF NOT EXISTS boards (
    session_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (session_id, name)
);
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
CREATE TABLE IF NOT EXISTS wakeups (
    session_id TEXT PRIMARY KEY,
    at_ms INTEGER NOT NULL
);
"""


class SQLiteStore:
    def __init__(self, path: Path, *, compact_after_updates: int = 500) -> None:
        self.path = path
        self.compact_after_updates = compact_after_updates
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paja-sqlite")
        self._db: sqlite3.Connection | None = None
        self._log_lengths: dict[str, int] = {}

    async def _run(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    @property
    def db(self) -> sqlite3.Connection:
        assert self._db is not None, "store not started"
        return self._db

    async def start(self) -> None:
        def open_db() -> None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process; only power loss can drop the
            # last transactions, which the operator's guide states.
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=5000")
            db.executescript(SCHEMA)
            self._db = db

        await self._run(open_db)

    async def close(self) -> None:
        def close_db() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await self._run(close_db)
        self._executor.shutdown(wait=True)

    async def ready(self) -> bool:
        def probe() -> bool:
            self.db.execute("SELECT 1").fetchone()
            return True

        try:
            return await self._run(probe)
        except sqlite3.Error:
            return False

    # documents

    async def load_document(self, key: str) -> bytes | None:
        return await self._run(lambda: self._load(key))

    def _load(self, key: str) -> bytes | None:
        state, last_id, rows = self._read_state(key)
        self._log_lengths[key] = rows
        if state is not None and rows >= self.compact_after_updates:
            self._write_snapshot(key, state, last_id)  # a log left long by a crash
        return state

    def _read_state(self, key: str) -> tuple[bytes | None, int, int]:
        """Snapshot + log folded into one compact update, the last log id and the log length.

        Applying every row in one transaction is much faster than pycrdt's merge_updates,
        which grows superlinearly with the number of updates.
        """
        row = self.db.execute("SELECT data FROM snapshots WHERE doc = ?", (key,)).fetchone()
        rows = self.db.execute(
            "SELECT id, data FROM updates WHERE doc = ? ORDER BY id", (key,)
        ).fetchall()
        if row is None and not rows:
            return None, 0, 0
        doc: Doc[Any] = Doc()
        try:
            with doc.transaction():
                if row is not None:
                    doc.apply_update(row[0])
                for _, data in rows:
                    doc.apply_update(data)
        except ValueError as exc:
            raise LoadError(f"stored updates of {key} are corrupt") from exc
        return doc.get_update(), (rows[-1][0] if rows else 0), len(rows)

    def _write_snapshot(self, key: str, state: bytes, last_id: int) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO snapshots (doc, data, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (doc) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                (key, state, time.time()),
            )
            db.execute("DELETE FROM updates WHERE doc = ? AND id <= ?", (key, last_id))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._log_lengths[key] = 0

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        await self._run(lambda: self._append(batch))

    def _append(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for key, updates in batch.items():
                db.executemany(
                    "INSERT INTO updates (doc, data) VALUES (?, ?)", [(key, u) for u in updates]
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for key, updates in batch.items():
            length = self._log_lengths.get(key, 0) + len(updates)
            self._log_lengths[key] = length
            if length >= self.compact_after_updates:
                self._compact(key)

    def _compact(self, key: str) -> None:
        """Fold the stored snapshot and log (not the in-memory doc) into a new snapshot, so
        that updates another process logged are folded too."""
        try:
            state, last_id, _ = self._read_state(key)
        except LoadError:
            self._log_lengths[key] = 0  # keep a corrupt log as it is for an operator
            return
        if state is not None and last_id:
            self._write_snapshot(key, state, last_id)

    # sessions, grants and boards

    async def create_session(
        self, record: SessionRecord, grants: Mapping[str, Grant], boards: Sequence[str]
    ) -> None:
        def create() -> None:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT INTO sessions (id, title, template, created_at, settings) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (
                        record.id,
                        record.title,
                        record.template,
                        record.created_at,
                        json.dumps(record.settings),
                    ),
                )
                db.executemany(
                    "INSERT INTO grants (token_hash, session_id, role, subject) "
                    "VALUES (?, ?, ?, ?)",
                    [(h, g.session_id, g.role, g.subject) for h, g in grants.items()],
                )
                db.executemany(
                    "INSERT INTO boards (session_id, name, created_at) VALUES (?, ?, ?)",
                    [(record.id, b, record.created_at) for b in boards],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

        await self._run(create)

    async def get_session(self, session_id: str) -> SessionRecord | None:
        def get() -> SessionRecord | None:
            row = self.db.execute(
                "SELECT id, title, template, created_at, settings FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            return SessionRecord(row[0], row[1], row[2], row[3], json.loads(row[4]))

        return await self._run(get)

    async def add_grant(self, token_hash: str, grant: Grant) -> None:
        await self._run(
            lambda: self.db.execute(
                "INSERT INTO grants (token_hash, session_id, role, subject) VALUES (?, ?, ?, ?)",
                (token_hash, grant.session_id, grant.role, grant.subject),
            )
        )

    async def find_grant(self, token_hash: str) -> Grant | None:
        def find() -> Grant | None:
            row = self.db.execute(
                "SELECT session_id, role, subject FROM grants WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
            return Grant(row[0], row[1], row[2]) if row else None

        return await self._run(find)

    async def revoke_subject(self, session_id: str, subject: str) -> int:
        def revoke() -> int:
            cur = self.db.execute(
                "DELETE FROM grants WHERE session_id = ? AND subject = ?", (session_id, subject)
            )
            return cur.rowcount

        return await self._run(revoke)

    async def set_role(self, session_id: str, subject: str, role: str) -> int:
        def change() -> int:
            cur = self.db.execute(
                "UPDATE grants SET role = ? WHERE session_id = ? AND subject = ?",
                (role, session_id, subject),
            )
            return cur.rowcount

        return await self._run(change)

    async def list_boards(self, session_id: str) -> list[str]:
        def boards() -> list[str]:
            rows = self.db.execute(
                "SELECT name FROM boards WHERE session_id = ? ORDER BY created_at, name",
                (session_id,),
            )
            return [r[0] for r in rows]

        return await self._run(boards)

    async def add_board(self, session_id: str, board: str) -> bool:
        def add() -> bool:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO boards (session_id, name, created_at) VALUES (?, ?, ?)",
                (session_id, board, time.time()),
            )
            return cur.rowcount == 1

        return await self._run(add)

    # the scheduler's index

    async def set_wakeup(self, session_id: str, at_ms: int | None) -> None:
        def store() -> None:
            if at_ms is None:
                self.db.execute("DELETE FROM wakeups WHERE session_id = ?", (session_id,))
            else:
                self.db.execute(
                    "INSERT INTO wakeups (session_id, at_ms) VALUES (?, ?) "
                    "ON CONFLICT (session_id) DO UPDATE SET at_ms = excluded.at_ms",
                    (session_id, at_ms),
                )

        await self._run(store)

    async def list_wakeups(self) -> dict[str, int]:
        def read() -> dict[str, int]:
            return {
                sid: int(at) for sid, at in self.db.execute("SELECT session_id, at_ms FROM wakeups")
            }

        return await self._run(read)
