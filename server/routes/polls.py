"""Anonymous polls: answers are kept server-side; results reach `control` on close."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import polls, session
from rooms.control import Value
from rooms.events import POLL_CLOSED

from ..access import FACILITATOR, PARTICIPANT
from ..control import PRIVATE
from ..inputs import json_body, text_field
from ..problems import Problem
from ..scheduler import now_ms
from ..tokens import new_id
from .base import SESSION, Endpoints, answer, route

POLL = SESSION + "/polls/{poll_id}"


class Polls(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/polls", self.create, "POST"),
            route(POLL + "/answers", self.answer, "POST"),
            route(POLL + "/close", self.close, "POST"),
        ]

    async def create(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        kind = text_field(body, "kind", required=False, limit=16)
        question = text_field(body, "question", required=False, limit=300)
        preset = text_field(body, "preset", required=False, limit=16)
        poll_id = new_id()
        now = now_ms()
        control = await self.control(request)

        def create(doc: Doc[Any]) -> Value:
            return polls.create(
                doc,
                poll_id,
                kind=kind,
                question=question,
                options=body.get("options"),
                preset=preset,
                language=session.language(doc),
                now=now,
            )

        return answer(await control.change(session_id, create), 201)

    async def answer(self, request: Request) -> JSONResponse:
        session_id, person_id = await self.person(request, PARTICIPANT, FACILITATOR)
        body = await json_body(request)
        if "answer" not in body:
            raise Problem(422, "'answer' is required")
        poll_id = request.path_params["poll_id"]
        control = await self.control(request)
        async with control.lock(session_id):
            poll = await control.read(session_id, lambda doc: polls.get(doc, poll_id))
            count = await control.change_board(
                session_id, PRIVATE, lambda doc: polls.answer(poll, doc, person_id, body["answer"])
            )
            await control.change(session_id, lambda doc: polls.record(doc, poll_id, count))
        return answer({"poll": poll_id, "answers": count}, 201)

    async def close(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        poll_id = request.path_params["poll_id"]
        now = now_ms()
        control = await self.control(request)
        async with control.lock(session_id):
            poll = await control.read(session_id, lambda doc: polls.get(doc, poll_id))
            outcome = await control.read_board(
                session_id, PRIVATE, lambda doc: polls.results(poll, doc)
            )
            closed = await control.change(
                session_id, lambda doc: polls.close(doc, poll_id, outcome, now)
            )
        told = {k: closed.get(k) for k in ("question", "kind", "answers", "results")}
        told["poll"] = poll_id
        await control.emit(session_id, POLL_CLOSED, f"{POLL_CLOSED}:{poll_id}", told)
        return answer(closed)
