"""REST: sessions, participants and the server clock. Commands that change a session's
state check the caller's token here and leave the domain rules to `rooms/`."""

from __future__ import annotations

import hmac
import json
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .access import BOT, FACILITATOR, JOIN, MAIN, OBSERVER, PARTICIPANT, Denied, authenticate
from .config import Settings
from .problems import Problem
from .store.base import Grant, SessionRecord, Store
from .tokens import new_id, new_token, token_hash

MAX_BODY_BYTES = 64 * 1024
TAG = re.compile(r"^[a-z][a-z0-9_-]{0,31}:[^\s].{0,63}$")
DEFAULT_BOARDS = ("control", MAIN)


async def json_body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Problem(415, "send a JSON body with Content-Type: application/json")
    declared = request.headers.get("content-length")
    if declared is not None and int(declared) > MAX_BODY_BYTES:
        raise Problem(413, f"bodies are limited to {MAX_BODY_BYTES} bytes")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise Problem(413, f"bodies are limited to {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Problem(400, f"body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Problem(422, "body must be a JSON object")
    return body


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def text_field(body: dict[str, Any], name: str, *, required: bool, limit: int) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise Problem(422, f"'{name}' is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise Problem(422, f"'{name}' must be a non-empty string")
    value = value.strip()
    if len(value) > limit:
        raise Problem(422, f"'{name}' is limited to {limit} characters")
    return value


class Api:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def routes(self) -> list[Route]:
        return [
            Route("/api/sessions", self.create_session, methods=["POST"]),
            Route("/api/sessions/{session_id}", self.get_session, methods=["GET"]),
            Route("/api/sessions/{session_id}/participants", self.join_session, methods=["POST"]),
            Route("/api/time", self.server_time, methods=["GET"]),
        ]

    async def require(self, request: Request, session_id: str, *roles: str) -> Grant:
        """The caller's grant in this session, or the problem that explains why not."""
        try:
            grant = await authenticate(self.store, bearer(request), session_id)
        except Denied as denied:
            raise Problem(401, denied.reason) from denied
        if grant.role not in roles:
            raise Problem(403, f"this needs a {' or '.join(roles)} token")
        if await self.store.get_session(session_id) is None:
            raise Problem(404, "no such session")
        return grant

    def base_url(self, request: Request) -> str:
        return (self.settings.public_url or str(request.base_url)).rstrip("/")

    async def create_session(self, request: Request) -> JSONResponse:
        key = self.settings.create_key
        if key is not None:
            given = bearer(request) or ""
            if not hmac.compare_digest(given.encode(), key.encode()):
                raise Problem(401, "creating a session needs the server's create key")
        body = await json_body(request)
        title = text_field(body, "title", required=True, limit=200)
        template = text_field(body, "template", required=False, limit=64)
        assert title is not None
        record = SessionRecord(new_id(), title, template, time.time())
        tokens = {role: new_token() for role in (FACILITATOR, OBSERVER, BOT, JOIN)}
        grants = {token_hash(t): Grant(record.id, role) for role, t in tokens.items()}
        await self.store.create_session(record, grants, DEFAULT_BOARDS)
        base = self.base_url(request)
        return JSONResponse(
            {
                "id": record.id,
                "title": record.title,
                "template": record.template,
                "created_at": record.created_at,
                "facilitator_token": tokens[FACILITATOR],
                "observer_token": tokens[OBSERVER],
                "bot_token": tokens[BOT],
                "join_secret": tokens[JOIN],
                "facilitator_url": f"{base}/s/{record.id}#token={tokens[FACILITATOR]}",
                "participant_url": f"{base}/j/{record.id}#join={tokens[JOIN]}",
                "display_url": f"{base}/d/{record.id}#token={tokens[OBSERVER]}",
                "ws_url": base.replace("http", "ws", 1) + f"/ws/{record.id}",
            },
            status_code=201,
        )

    async def get_session(self, request: Request) -> JSONResponse:
        session_id = request.path_params["session_id"]
        await self.require(request, session_id, FACILITATOR)
        record = await self.store.get_session(session_id)
        assert record is not None
        return JSONResponse(
            {
                "id": record.id,
                "title": record.title,
                "template": record.template,
                "created_at": record.created_at,
                "boards": await self.store.list_boards(session_id),
            }
        )

    async def join_session(self, request: Request) -> JSONResponse:
        """Trade the participant link's join secret for a participant's own token."""
        session_id = request.path_params["session_id"]
        await self.require(request, session_id, JOIN)
        body = await json_body(request)
        name = text_field(body, "name", required=True, limit=80)
        tags = body.get("tags", [])
        if not isinstance(tags, list) or len(tags) > 20:
            raise Problem(422, "'tags' must be a list of at most 20 'key:value' strings")
        for tag in tags:
            if not isinstance(tag, str) or not TAG.match(tag):
                raise Problem(422, f"tag {tag!r} is not of the form 'key:value'")
        participant_id = new_id()
        token = new_token()
        await self.store.add_grant(
            token_hash(token), Grant(session_id, PARTICIPANT, participant_id)
        )
        return JSONResponse(
            {"participant_id": participant_id, "name": name, "tags": tags, "token": token},
            status_code=201,
        )

    async def server_time(self, request: Request) -> JSONResponse:
        """Clients measure their clock offset against this to show timers correctly."""
        return JSONResponse({"now": int(time.time() * 1000)})
