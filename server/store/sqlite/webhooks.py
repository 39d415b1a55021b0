"""Webhooks and their outbox in SQLite.

A delivery's id is derived from its webhook and event, so enqueueing it twice keeps one
row (`INSERT OR IGNORE`). A sender claims due deliveries in one `BEGIN IMMEDIATE`
transaction that also moves their `next_at` past a lease, so another process on the
same file never takes the same ones while it sends.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import astuple, replace

from ..webhooks import PENDING, Delivery, Webhook
from .database import Database, immediate

SCHEMA = """
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
# Tables keyed by session id, and the column that holds it (for deleting a session).
SESSION_TABLES = {"webhooks": "session_id", "deliveries": "session_id"}
# In the order of the dataclasses' fields: rows are read as Delivery(*row).
DELIVERY_COLUMNS = (
    "id, session_id, webhook_id, event, body, state, attempts, next_at, last_error, created_at"
)
WEBHOOK_COLUMNS = "id, session_id, url, format, events, secret, created_at"


class SQLiteWebhooks:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add_webhook(self, webhook: Webhook) -> None:
        await self.database.run(
            lambda db: db.execute(
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
        def read(db: sqlite3.Connection) -> list[Webhook]:
            rows = db.execute(
                f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE session_id = ? "
                "ORDER BY created_at, id",
                (session_id,),
            )
            return [
                Webhook(r[0], r[1], r[2], r[3], tuple(json.loads(r[4])), r[5], r[6]) for r in rows
            ]

        return await self.database.run(read)

    async def remove_webhook(self, session_id: str, webhook_id: str) -> bool:
        def remove(db: sqlite3.Connection) -> bool:
            cur = db.execute(
                "DELETE FROM webhooks WHERE session_id = ? AND id = ?", (session_id, webhook_id)
            )
            return cur.rowcount == 1

        return await self.database.run(remove)

    async def enqueue_deliveries(self, deliveries: Sequence[Delivery]) -> int:
        def enqueue(db: sqlite3.Connection) -> int:
            added = 0
            with immediate(db):
                for d in deliveries:
                    cur = db.execute(
                        f"INSERT OR IGNORE INTO deliveries ({DELIVERY_COLUMNS}) "
                        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
                        "WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?)",
                        (*astuple(d), d.session_id),
                    )
                    added += cur.rowcount
            return added

        return await self.database.run(enqueue)

    async def claim_deliveries(
        self, now: float, lease_seconds: float, limit: int
    ) -> list[Delivery]:
        def claim(db: sqlite3.Connection) -> list[Delivery]:
            leased_until = now + lease_seconds
            with immediate(db):
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

        return await self.database.run(claim)

    async def save_delivery(
        self, delivery: Delivery, *, expected_state: str, expected_attempts: int
    ) -> bool:
        def save(db: sqlite3.Connection) -> bool:
            cur = db.execute(
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

        return await self.database.run(save)

    async def get_delivery(self, session_id: str, delivery_id: str) -> Delivery | None:
        def get(db: sqlite3.Connection) -> Delivery | None:
            row = db.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE session_id = ? AND id = ?",
                (session_id, delivery_id),
            ).fetchone()
            return None if row is None else Delivery(*row)

        return await self.database.run(get)

    async def list_deliveries(self, session_id: str, state: str | None = None) -> list[Delivery]:
        def read(db: sqlite3.Connection) -> list[Delivery]:
            rows = db.execute(
                f"SELECT {DELIVERY_COLUMNS} FROM deliveries "
                "WHERE session_id = ? AND (? IS NULL OR state = ?) "
                "ORDER BY created_at DESC, id DESC",
                (session_id, state, state),
            )
            return [Delivery(*r) for r in rows]

        return await self.database.run(read)
