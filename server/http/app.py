"""The ASGI application: routes, and the lifespan that starts and stops store, bus and hub."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from ..bus.base import Bus
from ..bus.local import LocalBus
from ..process.config import Settings
from ..process.memory import MemoryUpkeep
from ..process.metrics import Counters, LiveCollector
from ..store.base import Store
from ..store.sqlite import SQLiteStore
from ..sync.endpoint import SyncEndpoint
from ..sync.hub import Hub
from .api import Api
from .openapi import openapi_spec
from .problems import Problem, handle_error, handle_http_exception, handle_problem
from .security import SecurityHeaders, frame_ancestors

log = logging.getLogger("paja")

CLIENT_DIST = Path(__file__).resolve().parents[2] / "client" / "dist"


def make_store_and_bus(settings: Settings) -> tuple[Store, Bus]:
    """Embedded SQLite and in-process fan-out unless a Redis URL joins a deployment.

    With Redis the SQLite file is not opened at all: every instance reads and writes the
    same Redis, so a token minted or a board created through one works on all.
    """
    if settings.redis_url:
        from ..bus.redis import RedisBus
        from ..store.redis import RedisStore

        redis_store = RedisStore(
            settings.redis_url, compact_after_updates=settings.compact_after_updates
        )
        bus = RedisBus(
            settings.redis_url,
            redis_store.documents,
            instance_ttl_seconds=settings.instance_ttl_seconds,
        )
        return redis_store, bus
    store = SQLiteStore(settings.sqlite_path, compact_after_updates=settings.compact_after_updates)
    return store, LocalBus()


def client_routes(dist: Path) -> list[BaseRoute]:
    """The browser app: static files, with the app's own paths answered by index.html."""
    index = dist / "index.html"
    if not index.exists():
        return [Route("/", lambda r: PlainTextResponse("Paja is running; no client built."))]

    async def app_page(request: Request) -> Response:
        return FileResponse(index)

    return [
        Route("/s/{session_id}", app_page),
        Route("/j/{session_id}", app_page),
        Route("/d/{session_id}", app_page),
        Route("/c/{code}", app_page),
        Route("/p/{programme_id}", app_page),  # a programme: "new", or a personal link
        Route("/p/{programme_id}/poll/{poll_id}", app_page),  # a follow-up poll's link
        Route("/teams/{surface:str}", app_page),  # the Teams tab: config, side, stage
        Mount("/", app=StaticFiles(directory=dist, html=True)),
    ]


def create_app(settings: Settings, store: Store | None = None, bus: Bus | None = None) -> Starlette:
    frame_ancestors(settings.frame_ancestors)  # a wrong list stops the start, not a request
    if store is None or bus is None:
        store, bus = make_store_and_bus(settings)
    registry = CollectorRegistry()
    counters = Counters(registry)
    hub = Hub(store.documents, bus, settings, counters)
    endpoint = SyncEndpoint(hub, store.sessions)
    api = Api(store, settings)
    registry.register(
        LiveCollector(
            counters,
            lambda: endpoint.open_connections,
            lambda: len(hub.documents),
            lambda: 0 if api.scheduler is None else api.scheduler.errors,
            lambda: hub.backlog.total,
        )
    )
    upkeep = MemoryUpkeep(settings.memory_upkeep_seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.start()
        await bus.start()
        await hub.start()
        await api.start(hub)  # the scheduler fires deadlines missed while stopped
        upkeep.start()
        log.info("paja ready (store: %s)", type(store).__name__)
        try:
            yield
        finally:
            await upkeep.close()
            await api.close()
            stored = await hub.close()
            await bus.close()
            await store.close()
            if stored:
                log.info("paja stopped; every edit is stored")
            else:
                log.error("paja stopped with edits the store did not take (see above)")

    routes: list[BaseRoute] = [
        *api.routes(),
        WebSocketRoute("/ws/{session_id}/{board}", endpoint.handle),
        *client_routes(CLIENT_DIST),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders, settings=settings)],
        exception_handlers={
            Problem: handle_problem,
            HTTPException: handle_http_exception,
            Exception: handle_error,
        },
    )
    app.state.hub = hub
    app.state.store = store
    app.state.bus = bus
    app.state.api = api
    app.state.settings = settings
    app.state.registry = registry
    app.state.openapi = openapi_spec()
    return app
