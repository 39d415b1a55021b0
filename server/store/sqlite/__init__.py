"""The embedded store: one SQLite file in WAL mode (`DATA_DIR/paja.sqlite3`), written by
one thread (database.py), seen as the document log (documents.py), the sessions
(sessions.py), the webhook outbox (webhooks.py), the programmes (programmes.py) and the saved
templates (templates.py).
docs/storage.md describes the tables.
"""

from __future__ import annotations

from pathlib import Path

from . import documents, programmes, sessions, templates, webhooks
from .database import Database
from .documents import SQLiteDocuments
from .programmes import SQLiteProgrammes
from .sessions import SQLiteSessions
from .templates import SQLiteTemplates
from .webhooks import SQLiteWebhooks


class SQLiteStore:
    def __init__(self, path: Path, *, compact_after_updates: int = 500) -> None:
        schema = (
            documents.SCHEMA
            + sessions.SCHEMA
            + webhooks.SCHEMA
            + programmes.SCHEMA
            + templates.SCHEMA
        )
        self.database = Database(path, schema)
        self.documents = SQLiteDocuments(self.database, compact_after_updates=compact_after_updates)
        self.sessions = SQLiteSessions(self.database, self.documents)
        self.webhooks = SQLiteWebhooks(self.database)
        self.programmes = SQLiteProgrammes(self.database)
        self.templates = SQLiteTemplates(self.database)
        self.counts = None  # one process: its rate limits count in memory

    async def start(self) -> None:
        await self.database.start()

    async def close(self) -> None:
        await self.documents.close()
        await self.database.close()

    async def ready(self) -> bool:
        return await self.database.ready()
