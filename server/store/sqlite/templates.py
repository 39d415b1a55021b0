"""Saved templates in SQLite: one row each; the count is checked in the transaction that
inserts, so two saves at once cannot pass the bound together."""

from __future__ import annotations

import sqlite3

from ..templates import StoredTemplate
from .database import Database, immediate

SCHEMA = """
CREATE TABLE IF NOT EXISTS templates (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""


class SQLiteTemplates:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add_template(self, template: StoredTemplate, *, most: int) -> bool:
        def add(db: sqlite3.Connection) -> bool:
            with immediate(db):
                (count,) = db.execute("SELECT COUNT(*) FROM templates").fetchone()
                if count >= most:
                    return False
                db.execute(
                    "INSERT INTO templates (id, body, created_at) VALUES (?, ?, ?)",
                    (template.id, template.body, template.created_at),
                )
                return True

        return await self.database.run(add)

    async def list_templates(self) -> list[StoredTemplate]:
        rows = await self.database.run(
            lambda db: db.execute(
                "SELECT id, body, created_at FROM templates ORDER BY created_at, id"
            ).fetchall()
        )
        return [StoredTemplate(*row) for row in rows]

    async def get_template(self, template_id: str) -> StoredTemplate | None:
        row = await self.database.run(
            lambda db: db.execute(
                "SELECT id, body, created_at FROM templates WHERE id = ?", (template_id,)
            ).fetchone()
        )
        return StoredTemplate(*row) if row else None
