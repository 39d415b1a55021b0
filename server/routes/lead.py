"""The facilitator's "bring everyone to me" and "follow me": where everyone's view is led,
written into `control` (rooms/lead.py) so only a facilitator's token can move screens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import lead

from ..access import FACILITATOR
from ..inputs import json_body
from ..scheduler import now_ms
from .base import SESSION, Endpoints, answer, route


class Lead(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/lead", self.start, "POST"),
            route(SESSION + "/lead", self.stop, "DELETE"),
        ]

    async def start(self, request: Request) -> JSONResponse:
        """Bring everyone to a board and viewport once, or have them follow it."""
        session_id, grant = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        by = grant.subject or FACILITATOR
        now = now_ms()
        control = await self.control(request)
        value = await control.change(
            session_id,
            lambda doc: lead.start(
                doc,
                mode=body.get("mode"),
                board=body.get("board"),
                x=body.get("x"),
                y=body.get("y"),
                zoom=body.get("zoom"),
                by=by,
                now=now,
            ),
        )
        return answer(value)

    async def stop(self, request: Request) -> JSONResponse:
        session_id, grant = await self.caller(request, FACILITATOR)
        by = grant.subject or FACILITATOR
        now = now_ms()
        control = await self.control(request)
        return answer(await control.change(session_id, lambda doc: lead.stop(doc, by=by, now=now)))
