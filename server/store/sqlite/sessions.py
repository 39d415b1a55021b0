"""Sessions in SQLite: records, grants, boards, join codes and wake-ups, and deleting a
session for good.

Deletion is the one operation that spans every part of the store, so it runs here, in
one transaction over every table that holds the session's rows (the documents' and the
webhook outbox's too). The file runs with `secure_delete` (freed content is zeroed) and
a deletion truncates the WAL afterwards, so nothing deleted stays readable.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence

from ..sessions import CodeTaken, Grant, SessionRecord
from .database import Database, immediate
from .documents import TABLES as DOCUMENT_TABLES
from .documents import SQLiteDocuments
from .webhooks import SESSION_TABLES as WEBHOOK_TABLES

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    template TEXT,
    created_at REAL NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS sessions_by_age ON sessions (created_at);
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
CREATE TABLE IF NOT EXISTS wakeups (
    session_id TEXT PRIMARY KEY,
    at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS join_codes (
    code TEXT PRIMARY KEY,
    session_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS join_codes_by_session ON join_codes (session_id);
"""
# Tables keyed by session id, and the column that holds it; documents are deleted by
# their key prefix instead.
SESSION_TABLES = {
    "sessions": "id",
    "grants": "session_id",
    "boards": "session_id",
    "wakeups": "session_id",
    "join_codes": "session_id",
    **WEBHOOK_TABLES,
}


class SQLiteSessions:
    def __init__(self, database: Database, documents: SQLiteDocuments) -> None:
        self.database = database
        self.documents = documents

    async def create_session(
        self, record: SessionRecord, grants: Mapping[str, Grant], boards: Sequence[str]
    ) -> None:
        """One transaction: the session appears with its tokens, boards and join code, or
        (CodeTaken) not at all."""

        def create(db: sqlite3.Connection) -> None:
            with immediate(db):
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

        await self.database.run(create)

    async def get_session(self, session_id: str) -> SessionRecord | None:
        def get(db: sqlite3.Connection) -> SessionRecord | None:
            row = db.execute(
                "SELECT id, title, template, created_at, settings FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            return SessionRecord(row[0], row[1], row[2], row[3], json.loads(row[4]))

        return await self.database.run(get)

    async def add_grant(self, token_hash: str, grant: Grant) -> None:
        await self.database.run(
            lambda db: db.execute(
                "INSERT OR REPLACE INTO grants (token_hash, session_id, role, subject) "
                "VALUES (?, ?, ?, ?)",
                (token_hash, grant.session_id, grant.role, grant.subject),
            )
        )

    async def find_grant(self, token_hash: str) -> Grant | None:
        def find(db: sqlite3.Connection) -> Grant | None:
            row = db.execute(
                "SELECT session_id, role, subject FROM grants WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
            return Grant(row[0], row[1], row[2]) if row else None

        return await self.database.run(find)

    async def revoke_subject(self, session_id: str, subject: str) -> int:
        def revoke(db: sqlite3.Connection) -> int:
            cur = db.execute(
                "DELETE FROM grants WHERE session_id = ? AND subject = ?", (session_id, subject)
            )
            return cur.rowcount

        return await self.database.run(revoke)

    async def set_role(self, session_id: str, subject: str, role: str) -> int:
        def change(db: sqlite3.Connection) -> int:
            cur = db.execute(
                "UPDATE grants SET role = ? WHERE session_id = ? AND subject = ?",
                (role, session_id, subject),
            )
            return cur.rowcount

        return await self.database.run(change)

    async def list_boards(self, session_id: str) -> list[str]:
        def boards(db: sqlite3.Connection) -> list[str]:
            rows = db.execute(
                "SELECT name FROM boards WHERE session_id = ? ORDER BY created_at, name",
                (session_id,),
            )
            return [r[0] for r in rows]

        return await self.database.run(boards)

    async def add_board(self, session_id: str, board: str) -> bool:
        def add(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "INSERT OR IGNORE INTO boards (session_id, name, created_at) VALUES (?, ?, ?)",
                (session_id, board, time.time()),
            )
            return cur.rowcount == 1

        return await self.database.run(add)

    async def replace_grants(self, token_hash: str, grant: Grant) -> None:
        def replace(db: sqlite3.Connection) -> None:
            with immediate(db):
                _replace_grants(db, token_hash, grant)

        await self.database.run(replace)

    async def rotate_join(self, token_hash: str, grant: Grant, code: str) -> None:
        def rotate(db: sqlite3.Connection) -> None:
            with immediate(db):
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
                _replace_grants(db, token_hash, grant)

        await self.database.run(rotate)

    async def find_join_code(self, code: str) -> str | None:
        def find(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT session_id FROM join_codes WHERE code = ?", (code,)).fetchone()
            return None if row is None else str(row[0])

        return await self.database.run(find)

    # the scheduler's index

    async def set_wakeup(self, session_id: str, at_ms: int | None) -> None:
        def store(db: sqlite3.Connection) -> None:
            if at_ms is None:
                db.execute("DELETE FROM wakeups WHERE session_id = ?", (session_id,))
            else:
                db.execute(
                    "INSERT INTO wakeups (session_id, at_ms) VALUES (?, ?) "
                    "ON CONFLICT (session_id) DO UPDATE SET at_ms = excluded.at_ms",
                    (session_id, at_ms),
                )

        await self.database.run(store)

    async def list_wakeups(self) -> dict[str, int]:
        def read(db: sqlite3.Connection) -> dict[str, int]:
            return {sid: int(at) for sid, at in db.execute("SELECT session_id, at_ms FROM wakeups")}

        return await self.database.run(read)

    # the session lifecycle

    async def sessions_created_before(self, cutoff: float) -> list[str]:
        def find(db: sqlite3.Connection) -> list[str]:
            rows = db.execute(
                "SELECT id FROM sessions WHERE created_at < ? ORDER BY created_at", (cutoff,)
            )
            return [r[0] for r in rows]

        return await self.database.run(find)

    async def delete_session(self, session_id: str) -> None:
        """Delete in one transaction, then truncate the WAL: with `secure_delete` the freed
        pages are zeroed, so no deleted content stays readable in either file."""
        prefix = session_id + "/"
        # Every key that starts with `prefix` sorts in [prefix, end): "0" follows "/".
        end = session_id + "0"

        def delete(db: sqlite3.Connection) -> None:
            with immediate(db):
                for table, column in SESSION_TABLES.items():
                    db.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))
                for table in DOCUMENT_TABLES:
                    db.execute(f"DELETE FROM {table} WHERE doc >= ? AND doc < ?", (prefix, end))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.documents.forget(prefix)

        await self.database.run(delete)


def _replace_grants(db: sqlite3.Connection, token_hash: str, grant: Grant) -> None:
    """Within the caller's transaction: the tokens of one role and subject give way to one."""
    db.execute(
        "DELETE FROM grants WHERE session_id = ? AND role = ? AND subject = ?",
        (grant.session_id, grant.role, grant.subject),
    )
    db.execute(
        "INSERT INTO grants (token_hash, session_id, role, subject) VALUES (?, ?, ?, ?)",
        (token_hash, grant.session_id, grant.role, grant.subject),
    )
