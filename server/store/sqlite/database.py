"""The one SQLite connection of a server and the one thread that runs all its SQL.

Writes are serialised without locks and the event loop never waits on the disk: every
part of the SQLite store hands its SQL to `run`, which runs it on the thread with the
connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


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


class Database:
    def __init__(self, path: Path, schema: str) -> None:
        self.path = path
        self.schema = schema
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paja-sqlite")
        self._db: sqlite3.Connection | None = None

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn(connection)` on the database's thread."""

        def call() -> T:
            assert self._db is not None, "store not started"
            return fn(self._db)

        return await self._on_thread(call)

    async def _on_thread(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

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
            db.executescript(self.schema)
            self._db = db

        await self._on_thread(open_db)

    async def close(self) -> None:
        def close_db() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None

        await self._on_thread(close_db)
        self._executor.shutdown(wait=True)

    async def ready(self) -> bool:
        try:
            return await self.run(lambda db: db.execute("SELECT 1").fetchone() is not None)
        except sqlite3.Error:
            return False
