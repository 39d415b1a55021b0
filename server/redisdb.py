"""Paja's Redis, as the Redis stores and the Redis bus share it: the key space (`Keys`),
how a client connects, the two ways commands are sent (a pipeline retried once on a dead
connection, a transaction that WATCHes what it read), and positions in a board's stream.

The keys of one board share the hash tag `{session_id/board}` and the keys of one
session the tag `{session_id}`, so they keep to one slot under Redis Cluster. The key
space is described in docs/operations.md; `Keys` is the one place that names keys.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import ConstantBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError, WatchError

START = "0-0"  # the stream position before any entry
WATCH_TRIES = 10
# KEYS: a key. ARGV: the value it must hold to be deleted (a lock's token, a code's owner).
DELETE_IF_HOLDS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def open_client(url: str, *, name: str, subscriber: bool = False) -> Redis:
    """A client that fails fast instead of retrying for seconds: callers have their own
    retry (the hub keeps edits pending, the bus reconnects with backoff), and a request
    that waits ten retries while Redis is down only holds a socket open.

    One quick retry still hides a pooled connection that a Redis restart left dead. The
    subscriber gets none: a dropped subscription must surface so the bus can heal.
    """
    return Redis.from_url(
        url,
        socket_timeout=3,
        socket_connect_timeout=2,
        retry=Retry(ConstantBackoff(0.05), 0 if subscriber else 1),
        health_check_interval=0 if subscriber else 10,
        client_name=name,
    )


async def pipelined(
    client: Redis, stage: Callable[[Pipeline], object], *, transaction: bool = False
) -> list[Any]:
    """Run the commands `stage` queues as one pipeline, once more if the connection died.

    redis-py retries a single command on a pooled connection that a Redis restart left
    dead, but not a pipeline. Every pipeline here may run twice: its commands are
    idempotent or (XADD, PUBLISH) harmless to repeat, since a Yjs update applies once.
    A stage may be async, because queueing a script call is.
    """
    for attempt in (1, 2):
        try:
            async with client.pipeline(transaction=transaction) as pipe:
                staged = stage(pipe)
                if inspect.isawaitable(staged):
                    await staged
                return await execute(pipe)
        except RedisConnectionError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def execute(pipe: Pipeline) -> list[Any]:
    """`pipe.execute()`, but a command that Redis refuses (out of memory, read-only) is named
    without its arguments. redis-py names it with them, and they hold what people wrote
    (an XADD's update, a PUBLISH, a snapshot): the error is logged, and logs must not
    carry notes. The error keeps its class, so callers tell the refusals apart as before."""
    try:
        return list(await pipe.execute())
    except ResponseError as exc:
        exc.args = (_named_only(exc), *exc.args[1:])  # in place: some classes parse theirs
        raise exc from None


_PIPELINE_ERROR = " of pipeline caused error: "


def _named_only(exc: ResponseError) -> str:
    """The message with the command's name alone: `Command # 1 (XADD) of pipeline caused
    error: …` where redis-py wrote `(XADD key * u <the update>)`."""
    text = str(exc.args[0]) if exc.args else ""
    head, found, error = text.rpartition(_PIPELINE_ERROR)  # the arguments may hold it too
    if not found:
        return text
    number, _, command = head.partition(" (")
    return f"{number} ({command.split(' ', 1)[0]}){_PIPELINE_ERROR}{error}"


async def watched(
    client: Redis, keys: Sequence[str], plan: Callable[[Pipeline], Awaitable[None]]
) -> list[Any]:
    """Run `plan` (reads, then `pipe.multi()` and the writes those reads decided) as one
    MULTI that Redis refuses if a key in `keys` changed after it was read; plan again then.

    Not retried on a lost connection: whether EXEC ran is unknown, and the caller's next
    call reads the outcome.
    """
    for _ in range(WATCH_TRIES):
        async with client.pipeline(transaction=True) as pipe:
            await pipe.watch(*keys)
            await plan(pipe)
            try:
                return await execute(pipe)
            except WatchError:
                continue
    raise WatchError(f"{keys[0]} kept changing")


def as_bytes(value: object) -> bytes:
    """Replies are bytes (the clients do not decode); this tells the type checker so."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise TypeError(f"unexpected Redis reply {value!r}")


@dataclass
class Replay:
    """What a board's stream holds after a position: the updates, the new position, and
    whether the entry at the old position is gone without a compaction having folded it
    (Redis lost history, e.g. restarted without its AOF). The document store reads it,
    the bus heals from it."""

    updates: list[bytes] = field(default_factory=list)
    position: str = START
    lost: bool = False


class Keys:
    """The names of every Redis key and channel Paja uses (see docs/operations.md)."""

    @staticmethod
    def log(doc: str) -> str:
        return f"paja:{{{doc}}}:log"

    @staticmethod
    def snapshot(doc: str) -> str:
        return f"paja:{{{doc}}}:snapshot"

    @staticmethod
    def tally(doc: str) -> str:
        return f"paja:{{{doc}}}:tally"

    @staticmethod
    def compaction_lock(doc: str) -> str:
        return f"paja:{{{doc}}}:compacting"

    @staticmethod
    def channel(doc: str) -> str:
        return f"paja:{{{doc}}}:bus"

    @staticmethod
    def session(session_id: str) -> str:
        return f"paja:{{{session_id}}}:session"

    @staticmethod
    def boards(session_id: str) -> str:
        return f"paja:{{{session_id}}}:boards"

    @staticmethod
    def subject(session_id: str, subject: str) -> str:
        return f"paja:{{{session_id}}}:subject:{subject}"

    @staticmethod
    def grant(token_hash: str) -> str:
        return f"paja:grant:{token_hash}"

    @staticmethod
    def programme(programme_id: str) -> str:
        return f"paja:programme:{{{programme_id}}}"

    @staticmethod
    def programme_tokens(programme_id: str) -> str:
        """The hash of every token of a programme, each mapped to its member."""
        return f"paja:programme:{{{programme_id}}}:tokens"

    @staticmethod
    def programme_grant(token_hash: str) -> str:
        return f"paja:programme-grant:{token_hash}"

    @staticmethod
    def instance(instance_id: str) -> str:
        return f"paja:instance:{instance_id}"

    @staticmethod
    def templates() -> str:
        """The deployment's saved templates (server/store/redis/templates.py)."""
        return "paja:templates"

    @staticmethod
    def inbox(instance_id: str) -> str:
        return f"paja:instance:{instance_id}:inbox"

    @staticmethod
    def once(event_id: str) -> str:
        return f"paja:once:{event_id}"

    @staticmethod
    def rate(kind: str, key: str, window: int) -> str:
        """A deployment's count of events of `kind` for `key` (a client address, a
        session) in one window: under the session's tag when the key is a session, so
        that deleting the session deletes it."""
        return f"paja:{{{key}}}:rate:{kind}:{window}"

    @staticmethod
    def wakeups() -> str:
        return "paja:wakeups"

    @staticmethod
    def sessions() -> str:
        return "paja:sessions"

    @staticmethod
    def code(code: str) -> str:
        return f"paja:code:{code}"

    @staticmethod
    def webhooks(session_id: str) -> str:
        return f"paja:{{{session_id}}}:webhooks"

    @staticmethod
    def deliveries(session_id: str) -> str:
        return f"paja:{{{session_id}}}:deliveries"

    @staticmethod
    def outbox_due() -> str:
        return "paja:outbox:due"

    @staticmethod
    def sessions_deleted() -> str:
        """The deployment-wide channel naming each deleted session."""
        return "paja:sessions:deleted"

    @staticmethod
    def socket_orders() -> str:
        """The deployment-wide channel of orders about sockets: close a person's (a removal,
        a new link), hold a link off (its update broke a board)."""
        return "paja:sessions:socket-orders"

    @staticmethod
    def of_session(session_id: str) -> tuple[str, ...]:
        """SCAN patterns for every key of a session: its own, its boards' and its one-time
        event claims (scheduler claims are `session_id:event`). Each pattern ends the id
        with a delimiter, so no other session's keys match by prefix."""
        sid = "".join("\\" + c if c in "*?[]\\" else c for c in session_id)
        return (f"paja:{{{sid}}}:*", f"paja:{{{sid}/*", f"paja:once:{sid}:*")
