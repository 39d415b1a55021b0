"""Reading a Paja SQLite file from outside, as an operator (or an attacker with the disk) would."""

from __future__ import annotations

from pathlib import Path

# The largest file a server may write while its disk is "full": above the fresh SQLite file
# (about 140 KiB with every table) and its write-ahead log, below what a few seconds of
# edits add to the log.
FULL_DISK_BYTES = 384 * 1024


def database_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, raw: what a deleted note must be gone from."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
