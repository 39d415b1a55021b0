"""What every REST command can reach: the store, the settings, the session's `Control` and
the services around them (server/commands.py hands it to each handler as `call.context`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request

from ..config import Settings
from ..control import Control
from ..importing import Slots
from ..limits import KeyedRate
from ..retention import Retention
from ..sessions import SessionCreator
from ..store.base import Store
from ..webhooks.outbox import Outbox


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
