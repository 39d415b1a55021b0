"""The session's generated summary (JSON or Markdown), built from `control` and every board
it mentions as they are at the moment of asking (`Control.summary`, which exports and
webhooks use too, and which builds it once per version of those boards). People read it
on the Lab display and bots post from it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import Ge
from pydantic import BaseModel, Field
from starlette.responses import Response

from rooms.control import Value

from ...facilitation.access import BOT, FACILITATOR, OBSERVER
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body

MARKDOWN = "text/markdown; charset=utf-8"
Count = Annotated[int, Ge(0)]
commands = Commands()


class SummaryQuery(Body):
    format: Literal["json", "markdown"] = "json"
    language: Literal["fi", "sv", "en"] | None = None


class SummaryNote(BaseModel):
    id: str | None = None
    text: str | None = None
    section: str | None = None
    dots: Count | None = None
    author: str | None = None


class SummarySection(BaseModel):
    notes: list[SummaryNote] | None = None


class SummaryBoard(BaseModel):
    name: str | None = None
    title: str | None = None
    kind: str | None = None
    sections: list[SummarySection] | None = None
    outside_sections: list[SummaryNote] | None = None


class Counts(BaseModel):
    participants: Count | None = None
    notes: Count | None = None
    votes: Count | None = None
    boards: Count | None = None
    polls: Count | None = None


class TopNote(BaseModel):
    board: str | None = None
    note: str | None = None
    text: str | None = None
    dots: Count | None = None
    rank: int | None = None
    vote: str | None = None


class GeneratedSummary(BaseModel):
    title: str
    language: Literal["fi", "sv", "en"]
    join_code: str | None = None
    names: bool | None = Field(None, description="whether people are named (summary_names)")
    people: list[str] | None = Field(None, description="only when names are allowed")
    created_at: int | None = Field(None, description="server epoch milliseconds")
    ended_at: int | None = Field(None, description="server epoch milliseconds")
    counts: Counts
    agenda: list[dict[str, Any]] | None = None
    boards: list[SummaryBoard] | None = None
    top_notes: list[TopNote]
    votes: list[dict[str, Any]] | None = None
    polls: list[dict[str, Any]]
    breakouts: list[dict[str, Any]]
    posted: list[dict[str, Any]]


@commands.get(
    SESSION + "/summary",
    "The generated summary (facilitator, bot or observer)",
    access=roles(FACILITATOR, BOT, OBSERVER),
    query=SummaryQuery,
    result=GeneratedSummary,
    media=("text/markdown",),
    refusals=(),
)
async def get(call: Call[None]) -> Value | Response:
    asked = call.query(SummaryQuery)
    if asked.format == "markdown":
        markdown = await call.control.summary_markdown(call.session_id, asked.language)
        return Response(markdown, media_type=MARKDOWN)
    return await call.control.summary(call.session_id, asked.language)
