"""What every REST command can reach: the store, the settings, the session's `Control` and
the services around them (server/http/commands.py hands it to each handler as `call.context`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request

from ...facilitation.authority import Control
from ...facilitation.creation import SessionCreator
from ...facilitation.importing import Slots
from ...process.config import Settings
from ...process.limits import KeyedRate
from ...process.retention import Retention
from ...store.base import Store
from ...webhooks.outbox import Outbox


@dataclass(frozen=True)
class Context:
    store: Store
    settings: Settings
    control: Callable[[Request], Awaitable[Control]]
    outbox: Outbox
    retention: Retention
    creator: SessionCreator  # sessions created (and imported), with their key and rate
    lookups: KeyedRate  # join codes tried per client address
    joins: KeyedRate  # people joining per session per minute
    summaries: KeyedRate  # summaries posted per session per minute
    imports: Slots  # imports running at once
