"""The session's generated summary (JSON or Markdown), built from `control` and every board
it mentions as they are at the moment of asking (`Control.summary`, which exports and
webhooks use too, and which builds it once per version of those boards). People read it
on the Lab display and bots post from it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rooms import session

from ..access import BOT, FACILITATOR, OBSERVER
from ..inputs import one_of
from .base import SESSION, Endpoints, answer, route

FORMATS = ("json", "markdown")
MARKDOWN = "text/markdown; charset=utf-8"


class Summary(Endpoints):
    def routes(self) -> list[Route]:
        return [route(SESSION + "/summary", self.get, "GET")]

    async def get(self, request: Request) -> Response:
        session_id, _ = await self.caller(request, FACILITATOR, BOT, OBSERVER)
        form = one_of(request.query_params.get("format", "json"), "format", FORMATS)
        language = request.query_params.get("language")
        if language is not None:
            one_of(language, "language", session.LANGUAGES)
        control = await self.control(request)
        if form == "markdown":
            markdown = await control.summary_markdown(session_id, language)
            return Response(markdown, media_type=MARKDOWN)
        return answer(await control.summary(session_id, language))
