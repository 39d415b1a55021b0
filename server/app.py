"""The ASGI application: routes, and the lifespan that starts and stops store, bus and hub."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from .api import Api
from .bus.base import Bus
from .bus.local import LocalBus
from .config import Settings
from .hub import Hub
from .memory import MemoryUpkeep
from .metrics import Counters, LiveCollector
from .openapi import openapi_spec
from .problems import Problem, handle_error, handle_http_exception, handle_problem
from .security import SecurityHeaders
from .store.base import Store
from .store.sqlite import SQLiteStore
from .sync import SyncEndpoint

log = logging.getLogger("paja")

CLIENT_DIST = Path(__file__).resolve().parent.parent / "client" / "dist"


def make_store_and_bus(settings: Settings) -> tuple[Store, Bus]:
    """Embedded SQLite and in-process fan-out unless a Redis URL joins a deployment.

    With Redis the SQLite file is not opened at all: every instance reads and writes the
    same Redis, so a token minted or a board created through one works on all.
    """
    if settings.redis_url:
        from .bus.redis import RedisBus
        from .store.redis import RedisStore

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
        Mount("/", app=StaticFiles(directory=dist, html=True)),
    ]


def create_app(settings: Settings, store: Store | None = None, bus: Bus | None = None) -> Starlette:
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

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks = {
            "store": await store.ready() and hub.store_healthy,
            "bus": await bus.ready(),
            # a scheduler whose loop ended would never fire a timer here again
            "scheduler": api.scheduler is not None and api.scheduler.running,
        }
        status = 200 if all(checks.values()) else 503
        return JSONResponse({"ready": status == 200, "checks": checks}, status_code=status)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_spec())

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
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *([Route("/metrics", metrics)] if settings.metrics else []),
        Route("/api/openapi.json", openapi),
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
    app.state.settings = settings
    return app
