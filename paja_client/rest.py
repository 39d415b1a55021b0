"""A session's REST API as seen by a bot: one token, one session, errors as `PajaError`.

The client is asynchronous (httpx.AsyncClient) because a bot usually does two things at
once: it listens to a board over a WebSocket (live.py) and calls the API when something
happens there. With a blocking client every REST call would stall the board it listens to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

import httpx

SESSION = "/api/sessions/{}"
# The links Paja prints (`/s/`, `/d/`, `/j/`), the REST path and the WebSocket base all
# carry the session id right after a fixed segment; whatever precedes it is the server's
# base, a reverse proxy's path prefix included.
SESSION_PATH = re.compile(
    r"^(?P<prefix>.*?)/(?:s|d|j|api/sessions|ws)/(?P<id>[A-Za-z0-9]+)(?:/.*)?$"
)
SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}


class PajaError(Exception):
    """The server refused (`status` and the problem JSON's `detail`), or did not answer
    (`status` None). Messages never contain the token."""

    def __init__(self, status: int | None, detail: str, problem: dict[str, Any] | None = None):
        super().__init__(detail if status is None else f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.problem = problem or {}


@dataclass(frozen=True)
class SessionLink:
    """What a session link tells: the server's base URL, the session, and a token when the
    link carried one in its fragment (`#token=`; a participant link's `#join=` is not one)."""

    base: str
    session_id: str | None
    token: str | None


def parse_link(url: str) -> SessionLink:
    """Read a link as Paja prints it (`https://host/s/ID#token=...`) or a bare base URL."""
    parts = urlsplit(url.strip())
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise ValueError("give the session link as printed by Paja, e.g. https://host/s/ID")
    found = SESSION_PATH.match(parts.path)
    prefix = found["prefix"] if found else parts.path.rstrip("/")
    tokens = parse_qs(parts.fragment).get("token")
    return SessionLink(
        base=urlunsplit((scheme, parts.netloc, prefix, "", "")),
        session_id=found["id"] if found else None,
        token=tokens[0] if tokens else None,
    )


class PajaClient:
    """The REST API of one session, called with one token (usually the bot token).

    `url` is a session link (`https://host/s/ID#token=...`, `/d/ID`, `/j/ID`) or the
    server's base URL together with `session_id`. Use it as `async with PajaClient(...)`.
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        session_id: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        link = parse_link(url)
        if session_id and link.session_id and session_id != link.session_id:
            raise ValueError("the link is of another session than session_id")
        chosen = session_id or link.session_id
        if not chosen:
            raise ValueError("the URL names no session: give a session link or session_id")
        secret = token or link.token
        if not secret:
            raise ValueError("a token is needed: the session's bot token, for example")
        self.base_url = link.base
        self.session_id = chosen
        self._token = secret
        self._http = httpx.AsyncClient(
            base_url=link.base,
            headers={"Authorization": f"Bearer {secret}"},
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"PajaClient({self.base_url!r}, session_id={self.session_id!r})"

    async def __aenter__(self) -> PajaClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def redact(self, text: str) -> str:
        """`text` with the token blanked out, for messages that might quote a URL."""
        return text.replace(self._token, "[redacted]").replace(quote(self._token), "[redacted]")

    def ws_url(self, board: str) -> str:
        """The y-websocket address of one board, with the token as the server expects it."""
        base = self.base_url.replace("http", "ws", 1)
        return f"{base}/ws/{self.session_id}/{board}?token={quote(self._token)}"

    async def session(self) -> dict[str, Any]:
        """The session's metadata and boards (`GET /api/sessions/{id}`: facilitator tokens)."""
        found: dict[str, Any] = await self.command("GET", "")
        return found

    async def summary(self, format: str = "json", language: str | None = None) -> Any:
        """The generated summary: a JSON object, or Markdown text with `format="markdown"`.
        `language` (fi, sv, en) overrides the session's own."""
        params = {"format": format, **({"language": language} if language else {})}
        response = await self._send("GET", "/summary", params=params)
        return response.text if format == "markdown" else response.json()

    async def post_summary(self, author: str, markdown: str) -> dict[str, Any]:
        """Append a summary to `control` for everyone in the session; returns the entry."""
        posted: dict[str, Any] = await self.command(
            "POST", "/summaries", {"author": author, "markdown": markdown}
        )
        return posted

    async def command(self, method: str, path: str, body: Any = None) -> Any:
        """Any session command, e.g. `command("POST", "/timers", {"duration_ms": 60000})`:
        `path` is relative to /api/sessions/{id}. Returns the answer's JSON (None if empty)."""
        response = await self._send(method, path, json=body)
        return response.json() if response.content else None

    async def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        url = SESSION.format(self.session_id) + path
        try:
            response = await self._http.request(method, url, **options)
        except httpx.HTTPError as error:
            reason = self.redact(str(error) or type(error).__name__)
            raise PajaError(None, f"no answer from {self.base_url}: {reason}") from None
        if response.is_success:
            return response
        raise problem_error(response)


def problem_error(response: httpx.Response) -> PajaError:
    """The refusal as the server explained it (RFC 9457 problem JSON), or its status line."""
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if isinstance(problem, dict) and isinstance(problem.get("detail"), str):
        return PajaError(response.status_code, problem["detail"], problem)
    return PajaError(response.status_code, response.reason_phrase or "request failed")
