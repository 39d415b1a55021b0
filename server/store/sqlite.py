"""The embedded store: one SQLite file in WAL mode, written by one thread.

All SQL runs on a single worker thread, so writes are serialised without locks and the
event loop never waits on the disk. A document is a compacted snapshot plus an
append-only log of updates; compaction folds the log into the snapshot from the stored
rows themselves, so it is correct even for updates this process never saw. A board
leaving memory is compacted from its loaded copy instead (`compact_from`), which costs
an encode rather than applying the whole snapshot again, so that after a restart it
loads as one snapshot: the bytes a fresh joiner is sent as they are.

Deleting a session must leave nothing readable behind: the file runs with
`secure_delete` (freed content is zeroed) and a deletion truncates the WAL afterwards.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import astuple, replace
from pathlib import Path
from typing import Any, TypeVar

from pycrdt import Doc

from .base import (
    PENDING,
    CodeTaken,
    Delivery,
    Grant,
    LoadError,
    SessionRecord,
    Webhook,
    apply_stored,
    fold,
)

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
CREATE INDEX IF NOT EXISTS sessions_by_age ON sessions (created_at);
CREATE TABLE IF NOT EXISTS join_codes (
    code TEXT PRIMARY KEY,
    session_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS join_codes_by_session ON join_codes (session_id);
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    url TEXT NOT NULL,
    format TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_by_session ON webhooks (session_id);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at REAL NOT NULL,
    last_error TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at);
CREATE INDEX IF NOT EXISTS deliveries_by_session ON deliveries (session_id);
"""

# Tables keyed by session id; documents are deleted by their key prefix instead.
SESSION_TABLES = {
    "sessions": "id",
    "grants": "session_id",
    "boards": "session_id",
    "wakeups": "session_id",
    "join_codes": "session_id",
    "webhooks": "session_id",
    "deliveries": "session_id",
}
# In the order of the dataclasses' fields: rows are read as Delivery(*row).
DELIVERY_COLUMNS = (
    "id, session_id, webhook_id, event, body, state, attempts, next_at, last_error, created_at"
)
WEBHOOK_COLUMNS = "id, session_id, url, format, events, secret, created_at"


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction that takes the write lock at once, so what it reads cannot change
    under it, even from another process on the same file."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # a failed COMMIT (a full disk) may have ended it already
            db.execute("ROLLBACK")
        raise


class SQLiteStore:
    def __init__(self, path: Path, *, compact_after_updates: int = 500) -> None:
        self.path = path
        self.compact_after_updates = compact_after_updates
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paja-sqlite")
        self._db: sqlite3.Connection | None = None
        self._log_lengths: dict[str, int] = {}
        # When each document's snapshot was written, as this process last saw it.
        self._snapshot_times: dict[str, float | None] = {}

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
            db.execute("PRAGMA secure_delete=ON")
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

    async def read_document(self, key: str) -> list[bytes]:
        return await self._run(lambda: self._read(key))

    async def load_document(self, key: str) -> bytes | None:
        updates = await self.read_document(key)
        return await asyncio.to_thread(fold, updates) if updates else None

    def _read(self, key: str) -> list[bytes]:
        updates, last_id = self._read_stored(key)
        if self._log_lengths[key] >= self.compact_after_updates:  # a log left long by a crash
            state = fold(updates)
            with immediate(self.db) as db:
                self._put_snapshot(db, key, state, last_id)
            return [state]
        return updates

    def _read_stored(self, key: str) -> tuple[list[bytes], int]:
        """The snapshot and the log rows after it, and the id of the last row (0: none)."""
        snapshot = self.db.execute(
            "SELECT data, updated_at FROM snapshots WHERE doc = ?", (key,)
        ).fetchone()
        rows = self.db.execute(
            "SELECT id, data FROM updates WHERE doc = ? ORDER BY id", (key,)
        ).fetchall()
        self._log_lengths[key] = len(rows)
        self._snapshot_times[key] = None if snapshot is None else snapshot[1]
        updates = [data for _, data in rows]
        if snapshot is not None:
            updates.insert(0, snapshot[0])
        return updates, (rows[-1][0] if rows else 0)

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
        self._log_lengths[key] = 0
        self._snapshot_times[key] = updated_at

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        await self._run(lambda: self._append(batch))

    def _append(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        with immediate(self.db) as db:
            for key, updates in batch.items():
                db.executemany(
                    "INSERT INTO updates (doc, data) VALUES (?, ?)", [(key, u) for u in updates]
                )
        for key, updates in batch.items():
            length = self._log_lengths.get(key, 0) + len(updates)
            self._log_lengths[key] = length
            if length >= self.compact_after_updates:
                self._compact(key)

    def _compact(self, key: str) -> None:
        """Fold the stored snapshot and log (not the in-memory doc) into a new snapshot, so
        that updates another process logged are folded too."""
        try:
            updates, last_id = self._read_stored(key)
            if last_id:
                state = fold(updates)
                with immediate(self.db) as db:
                    self._put_snapshot(db, key, state, last_id)
        except LoadError:
            self._log_lengths[key] = 0  # keep a corrupt log as it is for an operator

    async def compact_from(self, key: str, doc: Doc[Any]) -> None:
        if self._log_lengths.get(key):
            # `doc` holds the snapshot this process last read or wrote, as of now: a later
            # one (another process's, or a reloaded copy's) may hold what `doc` lacks.
            known = self._snapshot_times.get(key)
            await self._run(lambda: self._compact_from(key, doc, known))

    def _compact_from(self, key: str, doc: Doc[Any], known: float | None) -> None:
        with immediate(self.db) as db:
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

    # sessions, grants and boards

    async def create_session(
        self, record: SessionRecord, grants: Mapping[str, Grant], boards: Sequence[str]
    ) -> None:
        """One transaction: the session appears with its tokens, boards and join code, or
        (CodeTaken) not at all."""

        def create() -> None:
            with immediate(self.db) as db:
                code = record.settings.get("join_code")
                if code is not None:
                    taken = db.execute(
                        "INSERT OR IGNORE INTO join_codes (code, session_id) VALUES (?, ?)",
                        (code, record.id),
                    )
                    if taken.rowcount == 0:
                        raise CodeTaken(code)
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

    async def rotate_join(self, token_hash: str, grant: Grant, code: str) -> None:
        def rotate() -> None:
            with immediate(self.db) as db:
                row = db.execute(
                    "SELECT settings FROM sessions WHERE id = ?", (grant.session_id,)
                ).fetchone()
                if row is None:
                    return
                taken = db.execute(
                    "INSERT OR IGNORE INTO join_codes (code, session_id) VALUES (?, ?)",
                    (code, grant.session_id),
                )
                if taken.rowcount == 0:
                    raise CodeTaken(code)
                db.execute(
                    "DELETE FROM join_codes WHERE session_id = ? AND code != ?",
                    (grant.session_id, code),
                )
                settings = {**json.loads(row[0]), "join_code": code}
                db.execute(
                    "UPDATE sessions SET settings = ? WHERE id = ?",
                    (json.dumps(settings), grant.session_id),
                )
                db.execute(
                    "DELETE FROM grants WHERE session_id = ? AND role = ? AND subject = ?",
                    (grant.session_id, grant.role, grant.subject),
                )
                db.execute(
                    "INSERT INTO grants (token_hash, session_id, role, subject) "
                    "VALUES (?, ?, ?, ?)",
                    (token_hash, grant.session_id, grant.role, grant.subject),
                )

        await self._run(rotate)

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

    # the session lifecycle

    async def delete_session(self, session_id: str) -> None:
        """Delete in one transaction, then truncate the WAL: with `secure_delete` the freed
        pages are zeroed, so no deleted content stays readable in either file."""
        prefix = session_id + "/"
        # Every key that starts with `prefix` sorts in [prefix, end): "0" follows "/".
        end = session_id + "0"

        def delete() -> None:
            with immediate(self.db) as db:
                for table, column in SESSION_TABLES.items():
                    db.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))
                for table in ("snapshots", "updates"):
                    db.execute(f"DELETE FROM {table} WHERE doc >= ? AND doc < ?", (prefix, end))
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for known in (self._log_lengths, self._snapshot_times):
                for key in [k for k in known if k.startswith(prefix)]:
                    del known[key]

        await self._run(delete)

    async def sessions_created_before(self, cutoff: float) -> list[str]:
        def find() -> list[str]:
            rows = self.db.execute(
                "SELECT id FROM sessions WHERE created_at < ? ORDER BY created_at", (cutoff,)
            )
            return [r[0] for r in rows]

        return await self._run(find)

    async def find_join_code(self, code: str) -> str | None:
        def find() -> str | None:
            row = self.db.execute(
                "SELECT session_id FROM join_codes WHERE code = ?", (code,)
            ).fetchone()
            return None if row is None else str(row[0])

        return await self._run(find)

    # webhooks and their outbox

    async def add_webhook(self, webhook: Webhook) -> None:
        await self._run(
            lambda: self.db.execute(
                f"INSERT OR REPLACE INTO webhooks ({WEBHOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    webhook.id,
                    webhook.session_id,
                    webhook.url,
                    webhook.format,
                    json.dumps(list(webhook.events)),
                    webhook.secret,
                    webhook.created_at,
                ),
            )
        )

    async def list_webhooks(self, session_id: str) -> list[Webhook]:
        def read() -> list[Webhook]:
            rows = self.db.execute(
                f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE session_id = ? "
                "ORDER BY created_at, id",
                (session_id,),
            )
            return [
                Webhook(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], r[6]) for r in rows
            ]

        return await self._run(read)

    async def remove_webhook(self, session_id: str, webhook_id: str) -> bool:
        def remove() -> bool:
            cur = self.db.execute(
                "DELETE FROM webhooks WHERE session_id = ? AND id = ?", (session_id, webhook_id)
            )
            return cur.rowcount == 1

        return await self._run(remove)

    async def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        """Only for sessions that exist: an event that fires while its session is deleted
        must not leave deliveries that nothing would ever remove."""

        def enqueue() -> int:
            added = 0
            with immediate(self.db) as db:
                for d in deliveries:
                    cur = db.execute(
                        f"INSERT OR IGNORE INTO deliveries ({DELIVERY_COLUMNS}) "
                        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                        "WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?)",
                        (*astuple(d), d.session_id),
                    )
                    added += cur.rowcount
            return added

        return await self._run(enqueue)

    async def claim_deliveries(
        self, now: float, lease_seconds: float, limit: int
    ) -> list[Delivery]:
        def claim() -> list[Delivery]:
            leased_until = now + lease_seconds
            with immediate(self.db) as db:
                rows = db.execute(
                    f"SELECT {DELIVERY_COLUMNS} FROM deliveries "
                    "WHERE state = ? AND next_at <= ? ORDER BY next_at, id LIMIT ?",
                    (PENDING, now, limit),
                ).fetchall()
                db.executemany(
                    "UPDATE deliveries SET next_at = ? WHERE id = ?",
                    [(leased_until, r[0]) for r in rows],
                )
            return [replace(Delivery(*r), next_at=leased_until) for r in rows]

        return await self._run(claim)

    async def save_delivery(
        self, delivery: Delivery, *, expected_state: str, expected_attempts: int
    ) -> bool:
        def save() -> bool:
            cur = self.db.execute(
                "UPDATE deliveries SET state = ?, attempts = ?, next_at = ?, last_error = ? "
                "WHERE session_id = ? AND id = ? AND state = ? AND attempts = ?",
                (
                    delivery.state,
                    delivery.attempts,
                    delivery.next_at,
                    delivery.last_error,
                    delivery.session_id,
                    delivery.id,
                    expected_state,
                    expected_attempts,
                ),
            )
            return cur.rowcount == 1

        return await self._run(save)

    async def get_delivery(self, session_id: str, delivery_id: str) -> Delivery | None:
        def get() -> Delivery | None:
            row = self.db.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE session_id = ? AND id = ?",
                (session_id, delivery_id),
            ).fetchone()
            return None if row is None else Delivery(*row)

        return await self._run(get)

    async def list_deliveries(self, session_id: str, state: str | None = None) -> list[Delivery]:
        def read() -> list[Delivery]:
            rows = self.db.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries "
                "WHERE session_id = ? AND (? IS NULL OR state = ?) "
                "ORDER BY created_at DESC, id DESC",
                (session_id, state, state),
            )
            return [Delivery(*r) for r in rows]

        return await self._run(read)
