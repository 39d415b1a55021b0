"""Summaries posted by a bot or a facilitator, appended to `control` for everyone."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from pydantic import BaseModel, Field

from rooms import posted
from rooms.control import Value
from rooms.events import SUMMARY_POSTED

from ...facilitation.access import BOT, FACILITATOR
from ...facilitation.tokens import new_id
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text
from ..problems import Problem

commands = Commands()


class NewSummary(Body):
    author: Annotated[str, text(80)]
    markdown: Annotated[str, MaxLen(posted.MAX_MARKDOWN)] = Field(
        description="the summary's text (not only space)"
    )


class Summary(BaseModel):
    id: str
    author: str
    markdown: str
    posted_at: int = Field(description="server epoch milliseconds")
    by: Literal["bot", "facilitator"]


@commands.post(
    SESSION + "/summaries",
    "Post a Markdown summary (bot or facilitator)",
    access=roles(BOT, FACILITATOR),
    body=NewSummary,
    result=Summary,
    status=201,
    limits=(429,),
)
async def post(call: Call[NewSummary]) -> Value:
    """Append a summary; each one fires `summary.posted`, so posting is rate-limited per
    session, and the session keeps only the newest (rooms/posted.py)."""
    return await publish(call, call.session_id, call.body.author, call.body.markdown, call.role)


async def publish(call: Call[Any], session_id: str, author: str, markdown: str, by: str) -> Value:
    """Append a summary to a session's `control` and fire `summary.posted` (its webhooks);
    a programme posts its summary into an event the same way."""
    wait = call.context.summaries.retry_after(session_id)
    if wait:
        raise Problem(429, "too many summaries posted in this session", retry_after=wait)
    summary_id, settings = new_id(), call.context.settings
    made = await call.control.change(
        session_id,
        lambda doc: posted.post(
            doc,
            summary_id,
            author=author,
            markdown=markdown,
            by=by,
            now=call.now,
            keep=settings.max_summaries_per_session,
            keep_bytes=settings.max_summary_bytes_per_session,
        ),
    )
    told = {"summary": summary_id} | {k: made[k] for k in ("author", "markdown", "by")}
    await call.control.emit(session_id, SUMMARY_POSTED, f"{SUMMARY_POSTED}:{summary_id}", told)
    return made
