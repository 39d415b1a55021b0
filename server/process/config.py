"""Settings for one `paja serve` process, read from flags first and the environment second.

Every setting has a flag and a `PAJA_*` variable so that the same image runs under a
Procfile, systemd or a container without a wrapper script.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from rooms import posted

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    host: str = field(default="127.0.0.1", metadata={"help": "address to bind"})
    port: int = field(default=8000, metadata={"help": "port to bind (also $PORT)"})
    data_dir: Path = field(
        default=Path("./paja-data"), metadata={"help": "where the SQLite file lives"}
    )
    redis_url: str | None = field(
        default=None, metadata={"help": "join a deployment through this Redis"}
    )
    public_url: str | None = field(
        default=None, metadata={"help": "base URL put in links (default: from the request)"}
    )
    instance_ttl_seconds: float = field(
        default=10.0,
        metadata={
            "help": "heartbeat lifetime of an instance in a Redis deployment: its "
            "clients' presence vanishes elsewhere this long after it dies"
        },
    )
    forwarded_allow_ips: str = field(
        default="",
        metadata={
            "help": "comma-separated addresses or networks of reverse proxies whose "
            "X-Forwarded-For and X-Forwarded-Proto are trusted (default: none)"
        },
    )
    allowed_origins: str = field(
        default="",
        metadata={
            "help": "space-separated origins whose pages may open WebSockets "
            "(default: the public URL's, or the serving host's)"
        },
    )
    frame_ancestors: str = field(
        default="",
        metadata={
            "help": "space-separated origins that may embed Paja in a frame, "
            "e.g. https://teams.microsoft.com"
        },
    )
    create_key: str | None = field(
        default=None, metadata={"help": "if set, creating a session needs this key"}
    )
    max_message_bytes: int = field(
        default=8 * MIB, metadata={"help": "largest WebSocket message accepted (close 1009)"}
    )
    send_queue_bytes: int = field(
        default=16 * MIB,
        metadata={"help": "bytes waiting for one slow reader before it is closed"},
    )
    max_initial_syncs: int = field(
        default=1000,
        metadata={"help": "initial syncs in flight before new joiners get close 1013"},
    )
    join_timeout_seconds: float = field(
        default=10.0,
        metadata={"help": "a joiner that sends no sync step 1 by then is closed (1008)"},
    )
    max_connections_per_session: int = field(
        default=2000, metadata={"help": "open sockets one session may have (close 1013)"}
    )
    max_connections_per_token: int = field(
        default=32,
        metadata={"help": "open sockets one token may have: a person's few tabs (close 1013)"},
    )
    max_connections_per_address: int = field(
        default=1000,
        metadata={"help": "open sockets from one client address; a Lab behind NAT is one"},
    )
    sessions_per_hour_per_address: int = field(
        default=120, metadata={"help": "sessions one client address may create per hour (429)"}
    )
    join_code_lookups_per_hour_per_address: int = field(
        default=600,
        metadata={"help": "join-code lookups one client address may make per hour (429)"},
    )
    joins_per_minute_per_session: int = field(
        default=120,
        metadata={"help": "people one session may take in per minute, by link or code (429)"},
    )
    max_participants_per_session: int = field(
        default=500, metadata={"help": "people one session's roster may hold (409)"}
    )
    max_presence_ids_per_connection: int = field(
        default=4,
        metadata={"help": "awareness client ids one connection may speak for (a client has one)"},
    )
    max_presence_state_bytes: int = field(
        default=4096, metadata={"help": "largest awareness state one client may set, in bytes"}
    )
    messages_per_second: float = field(
        default=200.0, metadata={"help": "messages one connection may send per second"}
    )
    bytes_per_second: int = field(
        default=2 * MIB, metadata={"help": "bytes one connection may send per second"}
    )
    flood_close_seconds: float = field(
        default=10.0,
        metadata={"help": "a connection slowed for this long without pause is closed (1008)"},
    )
    broken_board_hold_off_seconds: float = field(
        default=60.0,
        metadata={
            "help": "a link whose update made pycrdt panic waits this long to connect again "
            "(1013), as the panic makes everyone on that board reconnect"
        },
    )
    idle_unload_seconds: float = field(
        default=30.0, metadata={"help": "how long a board with no connection stays loaded"}
    )
    presence_tick_ms: int = field(
        default=40,
        metadata={
            "help": "a busy board gathers presence changes and updates for at most this long "
            "and sends them together; a change on a quiet board goes out at once (0: never gather)"
        },
    )
    flush_interval_ms: int = field(
        default=50, metadata={"help": "batching window of writes to the store"}
    )
    max_pending_bytes_per_board: int = field(
        default=8 * MIB,
        metadata={
            "help": "bytes of one board's edits waiting for the store (while it fails) past "
            "which the board's writers get close 1013; readers keep reading"
        },
    )
    max_pending_bytes: int = field(
        default=64 * MIB,
        metadata={
            "help": "bytes of edits waiting for the store in the whole process past which "
            "every writer gets close 1013"
        },
    )
    compact_after_updates: int = field(
        default=500, metadata={"help": "log length that triggers compaction into a snapshot"}
    )
    memory_upkeep_seconds: float = field(
        default=60.0,
        metadata={
            "help": "how often to collect garbage fully and hand free heap memory back to the "
            "system (0: never)"
        },
    )
    max_boards_per_session: int = field(
        default=200, metadata={"help": "boards one session may have, breakout rooms included"}
    )
    max_import_bytes: int = field(
        default=16 * MIB,
        metadata={"help": "largest session import, its JSON body as sent (413)"},
    )
    max_import_boards: int = field(
        default=100, metadata={"help": "boards one session import may hold (413)"}
    )
    max_board_bytes: int = field(
        default=8 * MIB,
        metadata={
            "help": "encoded size past which a board is full (read-only but for facilitators); "
            "a loaded board takes some 30 times this in memory"
        },
    )
    max_notes_per_board: int = field(
        default=5000,
        metadata={"help": "notes past which a board is full (read-only but for facilitators)"},
    )
    max_summaries_per_session: int = field(
        default=posted.KEEP,
        metadata={"help": "posted summaries a session keeps; posting more drops the oldest"},
    )
    max_summary_bytes_per_session: int = field(
        default=posted.KEEP_BYTES,
        metadata={
            "help": "bytes of posted summaries a session keeps together; past them the "
            "oldest are dropped"
        },
    )
    summaries_per_minute_per_session: int = field(
        default=10, metadata={"help": "summaries one session may be posted per minute (429)"}
    )
    retention_days: float = field(
        default=0.0,
        metadata={"help": "delete sessions this many days after creation (0: keep them)"},
    )
    webhook_max_attempts: int = field(
        default=8, metadata={"help": "tries of one webhook delivery before it is dead-lettered"}
    )
    webhook_retry_base_seconds: float = field(
        default=5.0,
        metadata={"help": "first retry delay of a failed webhook delivery; doubles each try"},
    )
    webhook_timeout_seconds: float = field(
        default=10.0, metadata={"help": "how long one webhook request may take"}
    )
    webhook_allow_private: bool = field(
        default=False,
        metadata={"help": "let webhooks reach loopback and private addresses (tests, an intranet)"},
    )
    metrics: bool = field(
        default=False,
        metadata={
            "help": "serve Prometheus metrics at /metrics; they tell anyone who can reach them "
            "how busy the server is, so keep that path off the public side of the proxy"
        },
    )
    log_level: str = field(default="info", metadata={"help": "debug, info, warning, error"})

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "paja.sqlite3"


def _env_name(name: str) -> str:
    return "PAJA_" + name.upper()


def _convert(kind: Any, raw: str) -> Any:
    if kind in (int, "int"):
        return int(raw)
    if kind in (float, "float"):
        return float(raw)
    if kind in (bool, "bool"):
        if raw.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ValueError(f"{raw!r} is not a yes/no value")
        return raw.lower() in ("1", "true", "yes", "on")
    if kind in (Path, "Path"):
        return Path(raw)
    return raw


def _kind(f: Any) -> str:
    return str(f.type).replace(" | None", "")


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings given by `PAJA_*` variables (and `PORT`, for a Procfile)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if env.get("PORT"):
        values["port"] = int(env["PORT"])
    for f in fields(Settings):
        raw = env.get(_env_name(f.name))
        if raw:
            values[f.name] = _convert(_kind(f), raw)
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for f in fields(Settings):
        parser.add_argument(
            "--" + f.name.replace("_", "-"),
            dest=f.name,
            default=None,
            help=f"{f.metadata.get('help', '')} [${_env_name(f.name)}]",
        )


def from_arguments(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Settings:
    """Flags win over the environment, which wins over the defaults."""
    values = from_environment(environ)
    for f in fields(Settings):
        raw = getattr(args, f.name, None)
        if raw is not None:
            values[f.name] = _convert(_kind(f), raw)
    return Settings(**values)
