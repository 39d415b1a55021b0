"""Browser-facing defences: security headers on every HTTP response, and the Origin check
that stops another site's page from opening a WebSocket with a visitor's link token."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..process.config import Settings

# Vite emits module scripts as files, so no inline script needs to run. Inline styles are
# allowed because positions of notes and cursors are set as style attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self' ws: wss:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)


# An https origin as CSP writes a source: a host whose first label may be `*`, maybe a port.
FRAME_SOURCE = re.compile(r"https://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]{1,5})?")


def frame_ancestors(listed: str) -> str:
    """The pages' `frame-ancestors`: this site, and the origins an operator names (Teams'
    hosts, docs/teams.md). Only https origins are taken: a `*`, a bare scheme or a `;` that
    would start another directive must not open framing to every site."""
    sources = listed.replace(",", " ").split()
    wrong = [s for s in sources if not FRAME_SOURCE.fullmatch(s.lower())]
    if wrong:
        raise ValueError(f"frame ancestors must be https origins, not {' '.join(wrong)}")
    return " ".join(["'self'", *sources])


class SecurityHeaders:
    """Adds the headers to every HTTP response; API answers are never cached."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        ancestors = frame_ancestors(settings.frame_ancestors)
        self.headers = {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY.format(ancestors=ancestors),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if no_store:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(settings: Settings) -> set[str]:
    origins = {_origin_of(o) for o in settings.allowed_origins.split() if o}
    if settings.public_url:
        origins.add(_origin_of(settings.public_url))
    return origins


def origin_allowed(headers: Headers, allowed: Iterable[str]) -> bool:
    """Browsers always send Origin on a WebSocket handshake; other clients need no check.

    With no configured origins, a page may connect only from the host it was served by.
    """
    origin = headers.get("origin")
    if origin is None:
        return True
    origin = origin.lower()
    allowed = set(allowed)
    if allowed:
        return origin in allowed
    host = headers.get("host", "").lower()
    return origin in (f"http://{host}", f"https://{host}")
