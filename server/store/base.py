"""What the app opens and closes: one database, embedded SQLite or a shared Redis, seen
through the narrow stores its users need.

Each user is handed only its part: the hub the document log (`documents`), the REST
commands, access checks, scheduler and retention the sessions (`sessions`), the webhook
routes and sender the outbox (`webhooks`), the programme routes the programmes
(`programmes`), the template routes the saved templates
(`templates`), the rate limits the shared counters (`counts`, none when embedded). The
parts share one connection underneath (one SQLite thread, one Redis client); none of their
users asks which is configured.
"""

from __future__ import annotations

from typing import Protocol

from ..process.limits import SharedCounts
from .documents import DocumentLog
from .programmes import ProgrammeStore
from .sessions import SessionStore
from .templates import TemplateStore
from .webhooks import WebhookStore


class Store(Protocol):
    @property
    def documents(self) -> DocumentLog: ...

    @property
    def sessions(self) -> SessionStore: ...

    @property
    def webhooks(self) -> WebhookStore: ...

    @property
    def programmes(self) -> ProgrammeStore: ...

    @property
    def templates(self) -> TemplateStore: ...

    @property
    def counts(self) -> SharedCounts | None:
        """Counters shared by a deployment's instances; None when there is one process."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ready(self) -> bool: ...
