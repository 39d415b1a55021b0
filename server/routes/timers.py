"""Timers: start, pause, resume, add or take away time, reset; session-wide or per room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import timers
from rooms.control import Value

from ..access import FACILITATOR
from ..inputs import bool_field, int_field, json_body, required_int, text_field
from ..scheduler import now_ms
from ..tokens import new_id
from .base import SESSION, Endpoints, answer, route

TIMER = SESSION + "/timers/{timer_id}"
DURATION = {"low": 1, "high": timers.MAX_MS}


class Timers(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/timers", self.create, "POST"),
            route(TIMER, self.delete, "DELETE"),
            route(TIMER + "/start", self.start, "POST"),
            route(TIMER + "/pause", self.pause, "POST"),
            route(TIMER + "/resume", self.resume, "POST"),
            route(TIMER + "/adjust", self.adjust, "POST"),
            route(TIMER + "/reset", self.reset, "POST"),
        ]

    async def create(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        duration = required_int(body, "duration_ms", **DURATION)
        label = text_field(body, "label", required=False, limit=120) or ""
        room = text_field(body, "room", required=False, limit=64)
        running = bool_field(body, "start", default=True)
        timer_id = new_id()
        now = now_ms()
        control = await self.control(request)
        timer = await control.change(
            session_id,
            lambda doc: timers.create(
                doc, timer_id, duration, now, label=label, room=room, running=running
            ),
        )
        return answer(timer, 201)

    async def delete(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        timer_id = request.path_params["timer_id"]
        control = await self.control(request)
        await control.change(session_id, lambda doc: timers.delete(doc, timer_id))
        return answer({"id": timer_id, "deleted": True})

    async def start(self, request: Request) -> JSONResponse:
        body = await json_body(request, optional=True)
        duration = int_field(body, "duration_ms", **DURATION)
        return await self._transition(request, lambda t, now: timers.start(t, now, duration))

    async def pause(self, request: Request) -> JSONResponse:
        return await self._transition(request, timers.pause)

    async def resume(self, request: Request) -> JSONResponse:
        return await self._transition(request, timers.resume)

    async def adjust(self, request: Request) -> JSONResponse:
        delta = required_int(
            await json_body(request), "delta_ms", low=-timers.MAX_MS, high=timers.MAX_MS
        )
        return await self._transition(request, lambda t, now: timers.adjust(t, now, delta))

    async def reset(self, request: Request) -> JSONResponse:
        body = await json_body(request, optional=True)
        duration = int_field(body, "duration_ms", **DURATION)
        return await self._transition(request, lambda t, now: timers.reset(t, duration))

    async def _transition(
        self, request: Request, transition: Callable[[Value, int], Value]
    ) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        timer_id = request.path_params["timer_id"]
        now = now_ms()
        control = await self.control(request)

        def apply(doc: Doc[Any]) -> Value:
            return timers.update(doc, timer_id, lambda timer: transition(timer, now))

        return answer(await control.change(session_id, apply))
