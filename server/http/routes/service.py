"""The server's own endpoints: liveness, readiness, Prometheus metrics and the OpenAPI
document. They read what they report from the app's state (server/http/app.py)."""

from __future__ import annotations

from typing import Any

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from ..commands import Anyone, Call, Commands
from ..problems import Problem

commands = Commands()


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, bool]


@commands.get("/healthz", "Liveness", access=Anyone(), result=Health, refusals=())
async def healthz(call: Call[None]) -> dict[str, Any]:
    return {"status": "ok"}


@commands.get(
    "/readyz",
    "Readiness of store, bus and scheduler (503 with the same body when not ready)",
    access=Anyone(),
    result=Readiness,
    also=(503,),
    refusals=(),
)
async def readyz(call: Call[None]) -> Response:
    state = call.request.app.state
    checks = {
        "store": await state.store.ready() and state.hub.store_healthy,
        "bus": await state.bus.ready(),
        # a scheduler whose loop ended would never fire a timer here again
        "scheduler": state.api.scheduler is not None and state.api.scheduler.running,
    }
    status = 200 if all(checks.values()) else 503
    return JSONResponse({"ready": status == 200, "checks": checks}, status_code=status)


@commands.get(
    "/metrics",
    "Prometheus metrics (text exposition format), served only with --metrics",
    access=Anyone(),
    media=("text/plain",),
    refusals=(404,),
)
async def metrics(call: Call[None]) -> Response:
    if not call.context.settings.metrics:  # off by default: they tell how busy the server is
        raise Problem(404, "metrics are not served here")
    registry = call.request.app.state.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@commands.get(
    "/api/openapi.json",
    "This document",
    access=Anyone(),
    result=dict[str, Any],
    refusals=(),
)
async def openapi(call: Call[None]) -> dict[str, Any]:
    document: dict[str, Any] = call.request.app.state.openapi
    return document
