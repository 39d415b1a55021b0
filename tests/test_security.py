"""A page of another site cannot open a board, pages carry security headers, and tokens
stay out of logs (every test's teardown also greps its servers' logs for its tokens)."""

from __future__ import annotations

import httpx
import websockets

from support.processes import PajaServer
from support.yclient import YClient


async def close_code(url: str, origin: str | None) -> int | None:
    headers = {"Origin": origin} if origin else {}
    async with websockets.connect(url, additional_headers=headers) as ws:
        try:
            while True:
                await ws.recv()
        except websockets.ConnectionClosed:
            return ws.close_code


async def test_cross_origin_websocket_is_refused(server: PajaServer) -> None:
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    assert await close_code(url, "https://evil.example") == 4403
    same_origin = await YClient(url).connect()  # no Origin: not a browser
    await same_origin.close()
    async with websockets.connect(url, additional_headers={"Origin": server.http}) as ws:
        assert (await ws.recv())[:2] == b"\x00\x00", "a page of Paja itself may connect"


async def test_configured_origins_are_the_only_ones(server_factory: type[PajaServer]) -> None:
    server = server_factory(env={"PAJA_ALLOWED_ORIGINS": "https://lab.example"}).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    assert await close_code(url, server.http) == 4403
    async with websockets.connect(url, additional_headers={"Origin": "https://lab.example"}) as ws:
        assert (await ws.recv())[:2] == b"\x00\x00"


def test_pages_and_api_carry_security_headers(server_factory: type[PajaServer]) -> None:
    server = server_factory(env={"PAJA_FRAME_ANCESTORS": "https://teams.microsoft.com"}).start()
    for path in ("/", "/api/time", "/healthz"):
        headers = httpx.get(server.http + path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
        assert "frame-ancestors 'self' https://teams.microsoft.com" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert httpx.get(server.http + "/api/time").headers["cache-control"] == "no-store"


def test_cors_is_closed_by_default(server: PajaServer) -> None:
    preflight = httpx.options(
        server.http + "/api/sessions",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    answer = httpx.get(server.http + "/api/time", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_metrics_are_served_only_when_asked_for(server_factory: type[PajaServer]) -> None:
    default = server_factory(env={"PAJA_METRICS": ""}).start()
    closed = httpx.get(default.http + "/metrics")
    assert closed.status_code == 404 and "paja_open_connections" not in closed.text
    assert httpx.get(default.http + "/healthz").status_code == 200
    asked = server_factory(env={"PAJA_METRICS": ""}, args=["--metrics", "true"]).start()
    opened = httpx.get(asked.http + "/metrics")
    assert opened.status_code == 200 and "paja_open_connections" in opened.text
