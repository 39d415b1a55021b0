"""Programmes in SQLite: one row per programme holding its JSON value, and the hashes of
its tokens. A change reads and writes the row in one IMMEDIATE transaction."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..programmes import MAX_PROGRAMME_BYTES, ProgrammeGrant, ProgrammeMissing
from .database import Database, immediate

T = TypeVar("T")
SCHEMA = """
CREATE TABLE IF NOT EXISTS programmes (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS programme_grants (
    token_hash TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL,
    member TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS programme_grants_by_member ON programme_grants (programme_id, member);
"""


def dumped(data: dict[str, Any]) -> str:
    """The stored text of a programme; a value past the bound is refused, not stored."""
    text = json.dumps(data, separators=(",", ":"))
    if len(text) > MAX_PROGRAMME_BYTES:
        raise ValueError("the programme would be larger than the store allows")
    return text


class SQLiteProgrammes:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def create_programme(
        self, programme_id: str, data: dict[str, Any], grants: Mapping[str, ProgrammeGrant]
    ) -> None:
        text = dumped(data)

        def create(db: sqlite3.Connection) -> None:
            with immediate(db):
                db.execute(
                    "INSERT INTO programmes (id, created_at, data) VALUES (?, ?, ?)",
                    (programme_id, time.time(), text),
                )
                _insert_grants(db, grants)

        await self.database.run(create)

    async def get_programme(self, programme_id: str) -> dict[str, Any] | None:
        def get(db: sqlite3.Connection) -> dict[str, Any] | None:
            row = db.execute("SELECT data FROM programmes WHERE id = ?", (programme_id,)).fetchone()
            return None if row is None else dict(json.loads(row[0]))

        return await self.database.run(get)

    async def update_programme(self, programme_id: str, change: Callable[[dict[str, Any]], T]) -> T:
        def update(db: sqlite3.Connection) -> T:
            with immediate(db):
                row = db.execute(
                    "SELECT data FROM programmes WHERE id = ?", (programme_id,)
                ).fetchone()
                if row is None:
                    raise ProgrammeMissing(programme_id)
                data = json.loads(row[0])
                result = change(data)
                db.execute(
                    "UPDATE programmes SET data = ? WHERE id = ?", (dumped(data), programme_id)
                )
                return result

        return await self.database.run(update)

    async def add_programme_grants(self, grants: Mapping[str, ProgrammeGrant]) -> None:
        await self.database.run(lambda db: _insert_grants(db, grants))

    async def find_programme_grant(self, token_hash: str) -> ProgrammeGrant | None:
        def find(db: sqlite3.Connection) -> ProgrammeGrant | None:
            row = db.execute(
                "SELECT programme_id, member FROM programme_grants WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
            return None if row is None else ProgrammeGrant(row[0], row[1])

        return await self.database.run(find)

    async def take_programme_grant(self, token_hash: str) -> ProgrammeGrant | None:
        def take(db: sqlite3.Connection) -> ProgrammeGrant | None:
            row = db.execute(
                "DELETE FROM programme_grants WHERE token_hash = ? RETURNING programme_id, member",
                (token_hash,),
            ).fetchone()
            return None if row is None else ProgrammeGrant(row[0], row[1])

        return await self.database.run(take)

    async def revoke_member(self, programme_id: str, member: str) -> int:
        def revoke(db: sqlite3.Connection) -> int:
            return db.execute(
                "DELETE FROM programme_grants WHERE programme_id = ? AND member = ?",
                (programme_id, member),
            ).rowcount

        return await self.database.run(revoke)

    async def delete_programme(self, programme_id: str) -> None:
        def delete(db: sqlite3.Connection) -> None:
            with immediate(db):
                db.execute("DELETE FROM programmes WHERE id = ?", (programme_id,))
                db.execute("DELETE FROM programme_grants WHERE programme_id = ?", (programme_id,))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        await self.database.run(delete)


def _insert_grants(db: sqlite3.Connection, grants: Mapping[str, ProgrammeGrant]) -> None:
    db.executemany(
        "INSERT INTO programme_grants (token_hash, programme_id, member) VALUES (?, ?, ?)",
        [(h, g.programme_id, g.member) for h, g in grants.items()],
    )
