"""`paja bot summary`: print a session's summary, post it into the session, send it out.

The messages that leave are the server's own (server/webhooks/messages.py, with the
headers of server/webhooks/signing.py): a Teams Workflows card or the signed generic
`summary.posted` event, so a receiver cannot tell a summary the bot sent from one the
server's webhooks delivered. Secrets (the token, the
webhook secret, webhook URLs, which often embed a signature) are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from rooms.session import LANGUAGES
from rooms.summary import to_markdown
from server.facilitation.tokens import join_url
from server.process.scheduler import now_ms
from server.webhooks import messages, signing

from .rest import PajaClient, PajaError, parse_link

AUTHOR = "Paja bot"
FORMATS = ("markdown", "json")
TOKEN_VARIABLE = "PAJA_TOKEN"
SECRET_VARIABLE = "PAJA_WEBHOOK_SECRET"
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "url", metavar="SESSION_URL", help="the session link, e.g. https://host/s/ID"
    )
    parser.add_argument(
        "--token",
        help=f"the session's bot (or facilitator) token; else #token= in the link, "
        f"or ${TOKEN_VARIABLE}",
    )
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="what to print")
    parser.add_argument("--language", choices=LANGUAGES, help="default: the session's language")
    parser.add_argument("--post", action="store_true", help="post the summary into the session")
    parser.add_argument("--author", default=AUTHOR, help=f"the posted summary's author ({AUTHOR})")
    parser.add_argument("--teams-webhook", metavar="URL", help="send it to a Teams Workflows URL")
    parser.add_argument("--webhook", metavar="URL", help="send it as a signed summary.posted event")
    parser.add_argument("--secret", help=f"the --webhook signing secret; else ${SECRET_VARIABLE}")


@dataclass(frozen=True)
class Job:
    url: str
    token: str
    format: str
    language: str | None
    post: bool
    author: str
    teams_webhook: str | None
    webhook: str | None
    secret: str | None

    @property
    def sends(self) -> bool:
        return bool(self.teams_webhook or self.webhook)


def run(args: argparse.Namespace) -> int:
    """The exit status: 0 done, 1 the server or a webhook refused, 2 a usage error."""
    try:
        job = _job(args)
    except ValueError as usage:
        print(f"paja bot summary: error: {usage}", file=sys.stderr)
        return EXIT_USAGE
    try:
        print(asyncio.run(summarize(job)), end="")
    except PajaError as problem:
        print(f"paja bot summary: {problem}", file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK


def _job(args: argparse.Namespace) -> Job:
    link = parse_link(args.url)
    if not link.session_id:
        raise ValueError("the link names no session; give it as printed, e.g. https://host/s/ID")
    token = args.token or link.token or os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise ValueError(f"give the bot token with --token, ${TOKEN_VARIABLE} or #token=")
    secret = args.secret or os.environ.get(SECRET_VARIABLE)
    if args.webhook and not secret:
        raise ValueError(f"--webhook needs --secret or ${SECRET_VARIABLE} to sign with")
    return Job(
        args.url,
        token,
        args.format,
        args.language,
        args.post,
        args.author,
        args.teams_webhook,
        args.webhook,
        secret,
    )


async def summarize(job: Job) -> str:
    """Fetch the summary, post and send it as asked, and return the text to print.

    The server builds the summary once, as JSON; its Markdown is rendered here with the
    server's own function, so both tell the same story.
    """
    async with PajaClient(job.url, job.token) as client:
        summary = await client.summary("json", job.language)
        markdown = to_markdown(summary)
        posted = await client.post_summary(job.author, markdown) if job.post else None
        if job.sends:
            session = messages.SessionInfo(
                client.session_id,
                str(summary.get("title", "")),
                str(summary.get("language", "en")),
                _link(client, summary),
            )
            await send(job, _event(job, markdown, posted), session)
    if job.format == "json":
        return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
    return markdown


def _link(client: PajaClient, summary: dict[str, Any]) -> str:
    """Where a message's "Open board" leads: the join-code page, as in the server's own
    messages (a summary from a server that does not tell the code links to the session)."""
    code = summary.get("join_code")
    if not code:
        return f"{client.base_url}/s/{client.session_id}"
    return join_url(client.base_url, str(code))


def _event(job: Job, markdown: str, posted: dict[str, Any] | None) -> messages.Event:
    """The event the server emits when a summary is posted; a summary only sent, not
    posted, has no id in the session (`data.summary` is null)."""
    summary_id = posted["id"] if posted else None
    data = {"summary": summary_id, "author": job.author, "markdown": markdown, "by": "bot"}
    if posted:
        data |= {k: posted[k] for k in ("author", "markdown", "by")}
    event_id = f"{messages.SUMMARY_POSTED}:{summary_id or secrets.token_urlsafe(9)}"
    return messages.Event(event_id, messages.SUMMARY_POSTED, now_ms(), data)


async def send(job: Job, event: messages.Event, session: messages.SessionInfo) -> None:
    async with httpx.AsyncClient(timeout=10) as http:  # no Authorization: the token stays home
        if job.teams_webhook:
            body = messages.teams(event, session)
            await _deliver(http, "the Teams webhook", job.teams_webhook, body, event, "")
        if job.webhook:
            assert job.secret is not None
            body = messages.generic(event, session)
            await _deliver(http, "the webhook", job.webhook, body, event, job.secret)


async def _deliver(
    http: httpx.AsyncClient, name: str, url: str, body: str, event: messages.Event, secret: str
) -> None:
    """POST with the headers the server's outbox sends (signed when there is a secret)."""
    headers = signing.headers(secret, event.type, event.id, body, time.time())
    try:
        response = await http.post(url, content=body.encode(), headers=headers)
    except httpx.HTTPError as error:
        raise PajaError(None, f"{name} did not answer ({type(error).__name__})") from None
    if not response.is_success:
        raise PajaError(response.status_code, f"{name} answered {response.status_code}")
