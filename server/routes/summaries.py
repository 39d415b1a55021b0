"""Summaries posted by a bot or a facilitator, appended to `control` for everyone."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import summaries
from rooms.events import SUMMARY_POSTED

from ..access import BOT, FACILITATOR
from ..inputs import json_body, required_text
from ..limits import KeyedRate
from ..problems import Problem
from ..scheduler import now_ms
from ..tokens import new_id
from .base import SESSION, Context, Endpoints, answer, route


class Summaries(Endpoints):
    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.posts = KeyedRate(self.settings.summaries_per_minute_per_session, period=60)

    def routes(self) -> list[Route]:
        return [route(SESSION + "/summaries", self.post, "POST")]

    async def post(self, request: Request) -> JSONResponse:
        """Append a summary; each one fires `summary.posted`, so posting is rate-limited
        per session, and the session keeps only the newest (rooms/summaries.py)."""
        session_id, grant = await self.caller(request, BOT, FACILITATOR)
        wait = self.posts.retry_after(session_id)
        if wait:
            raise Problem(429, "too many summaries posted in this session", retry_after=wait)
        body = await json_body(request)
        author = required_text(body, "author", limit=80)
        markdown = body.get("markdown")
        if not isinstance(markdown, str):
            raise Problem(422, "'markdown' is the summary's text")
        summary_id = new_id()
        now = now_ms()
        control = await self.control(request)
        posted = await control.change(
            session_id,
            lambda doc: summaries.post(
                doc,
                summary_id,
                author=author,
                markdown=markdown,
                by=grant.role,
                now=now,
                keep=self.settings.max_summaries_per_session,
                keep_bytes=self.settings.max_summary_bytes_per_session,
            ),
        )
        told = {"summary": summary_id} | {k: posted[k] for k in ("author", "markdown", "by")}
        await control.emit(session_id, SUMMARY_POSTED, f"{SUMMARY_POSTED}:{summary_id}", told)
        return answer(posted, 201)
