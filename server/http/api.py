"""REST: every command declared in server/http/routes/ becomes a route here, bound to the
`Control` (with its scheduler), the webhook outbox, the retention and the session creator
that commands use. What creating a session writes is server/facilitation/creation.py."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.routing import Route

from ..facilitation.authority import Control
from ..facilitation.creation import SessionCreator
from ..facilitation.importing import Slots
from ..process.config import Settings
from ..process.limits import Rates
from ..process.retention import Retention
from ..process.scheduler import Scheduler
from ..store.base import Store
from ..sync.hub import Hub
from ..webhooks.outbox import Outbox
from .routes import COMMANDS
from .routes.base import Context

IMPORTS_AT_ONCE = 2  # each holds a worker process and a body of up to --max-import-bytes


class Api:
    """Every REST route, and the `Control` (with its scheduler) that commands write through.

    The app's lifespan calls `start`, so that deadlines fire after a restart before any
    request arrives.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.outbox = Outbox(store.webhooks, store.sessions, settings)
        self.retention = Retention(store.sessions, settings)
        rates = Rates(store.counts)  # in one place: per process, or per deployment
        self.context = Context(
            store,
            settings,
            self.control,
            self.outbox,
            self.retention,
            creator=SessionCreator(store.sessions, store.templates, settings, rates),
            lookups=rates.keyed(
                "join-code-lookups", settings.join_code_lookups_per_hour_per_address
            ),
            joins=rates.keyed("joins", settings.joins_per_minute_per_session, period=60),
            summaries=rates.keyed(
                "summaries", settings.summaries_per_minute_per_session, period=60
            ),
            imports=Slots(IMPORTS_AT_ONCE),
        )
        self._control: Control | None = None
        self._started: asyncio.Task[None] | None = None

    async def start(self, hub: Hub) -> Control:
        if self._control is None:
            self._control = Control(hub, self.context.store.sessions)
            self._started = asyncio.create_task(self._control.start())
            self.outbox.start(self._control)
            self.retention.start(self._control)
        assert self._started is not None
        await asyncio.shield(self._started)
        return self._control

    @property
    def scheduler(self) -> Scheduler | None:
        return None if self._control is None else self._control.scheduler

    async def close(self) -> None:
        await self.outbox.close()
        await self.retention.close()
        if self._control is not None:
            await self._control.close()

    async def control(self, request: Request) -> Control:
        hub: Hub = request.app.state.hub
        return await self.start(hub)

    def routes(self) -> list[Route]:
        return [command.route(self.context) for command in COMMANDS]
