"""The agenda: set its items, move to the next one or to any one, optionally timed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import agenda

from ..access import FACILITATOR
from ..inputs import bool_field, json_body, text_field
from ..scheduler import now_ms
from .base import SESSION, Endpoints, answer, route


class Agenda(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/agenda", self.replace, "PUT"),
            route(SESSION + "/agenda/next", self.next, "POST"),
            route(SESSION + "/agenda/current", self.go_to, "POST"),
        ]

    async def replace(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        raw = (await json_body(request)).get("items")
        control = await self.control(request)
        return answer({"items": await control.change(session_id, lambda d: agenda.replace(d, raw))})

    async def next(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        start_timer = bool_field(
            await json_body(request, optional=True), "start_timer", default=True
        )
        now = now_ms()
        control = await self.control(request)
        current = await control.change(
            session_id, lambda doc: agenda.advance(doc, now, start_timer=start_timer)
        )
        return answer({"current": current})

    async def go_to(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        item_id = text_field(body, "item", required=False, limit=64)
        start_timer = bool_field(body, "start_timer", default=True)
        now = now_ms()
        control = await self.control(request)
        current = await control.change(
            session_id, lambda doc: agenda.go_to(doc, item_id, now, start_timer=start_timer)
        )
        return answer({"current": current})
