"""Stopping the server's background loops, even when a library swallows the cancellation.

redis-py 8 can swallow a `CancelledError` that lands while a pipeline is in flight (about
one cancel in ten, measured against a local `redis-server`): the task then runs on as if
nothing had happened, and a `close()` that cancels once and awaits the task waits forever,
so a SIGTERM would never get to flushing the last edits. Every loop that talks to a store
or the bus is stopped here, by cancelling again until it has ended.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger("paja.tasks")

RECANCEL_SECONDS = 0.1
STOP_WITHIN_SECONDS = 10.0


async def stop(tasks: Iterable[asyncio.Task[Any] | None]) -> bool:
    """Cancel `tasks` and wait until each has ended; True when all did in time.

    A task that ends with an error is logged, not raised: stopping goes on for the rest."""
    pending = {task for task in tasks if task is not None}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STOP_WITHIN_SECONDS
    ended: set[asyncio.Task[Any]] = set()
    while pending and loop.time() < deadline:
        for task in pending:
            task.cancel()
        done, pending = await asyncio.wait(pending, timeout=RECANCEL_SECONDS)
        ended |= done
    for task in ended:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s ended with an error", task.get_name(), exc_info=task.exception())
    for task in pending:
        log.error("%s did not stop within %.0f s", task.get_name(), STOP_WITHIN_SECONDS)
    return not pending
