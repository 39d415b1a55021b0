"""What every REST command can reach: the store, the settings, the session's `Control` and
the services around them (server/commands.py hands it to each handler as `call.context`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request

from ..config import Settings
from ..control import Control
from ..limits import KeyedRate
from ..retention import Retention
from ..store.base import Store
from ..webhooks.outbox import Outbox


@dataclass(frozen=True)
class Context:
    store: Store
    settings: Settings
    control: Callable[[Request], Awaitable[Control]]
    outbox: Outbox
    retention: Retention
    creations: KeyedRate  # sessions created (and imported) per client address
    lookups: KeyedRate  # join codes tried per client address


def display_url(base: str, session_id: str, token: str) -> str:
    return f"{base}/d/{session_id}#token={token}"
