"""Sessions, participants and tokens over REST: fields, problems, scopes and secrecy."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import httpx
import pytest

from support.processes import PajaServer
from support.yclient import YClient

pytestmark = pytest.mark.shared_server  # each test makes its own session


def test_creating_a_session_returns_every_link_and_token(server: PajaServer) -> None:
    r = httpx.post(server.http + "/api/sessions", json={"title": "Wellbeing economy"})
    assert r.status_code == 201
    s = r.json()
    for field in (
        "id",
        "facilitator_token",
        "facilitator_url",
        "participant_url",
        "display_url",
        "bot_token",
    ):
        assert s[field], field
    for token in (s["facilitator_token"], s["bot_token"], s["observer_token"], s["join_secret"]):
        assert len(token) >= 32  # 192 random bits, url-safe base64
    assert len({s["facilitator_token"], s["bot_token"], s["observer_token"]}) == 3
    assert s["participant_url"].startswith(server.http + f"/j/{s['id']}#join=")
    assert s["facilitator_url"].startswith(server.http + f"/s/{s['id']}#token=")

    own = httpx.get(
        f"{server.http}/api/sessions/{s['id']}",
        headers={"Authorization": f"Bearer {s['facilitator_token']}"},
    )
    assert own.status_code == 200
    assert own.json()["title"] == "Wellbeing economy"
    assert own.json()["boards"] == ["control", "main"]


def test_errors_are_problem_json(server: PajaServer) -> None:
    cases = [
        (
            httpx.post(
                server.http + "/api/sessions",
                content=b"{nope",
                headers={"content-type": "application/json"},
            ),
            400,
        ),
        (httpx.post(server.http + "/api/sessions", json={"title": ""}), 422),
        (httpx.post(server.http + "/api/sessions", json=["title"]), 422),
        (httpx.post(server.http + "/api/sessions", content=b"title=x"), 415),
        (httpx.post(server.http + "/api/sessions", json={"title": "x" * 70_000}), 413),
        (httpx.get(server.http + "/api/sessions/nope"), 401),
        (httpx.get(server.http + "/api/nothing-here"), 404),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == status and body["title"] and body["detail"]


def test_tokens_are_scoped_by_session_and_role(server: PajaServer) -> None:
    a, b = server.create_session("A"), server.create_session("B")
    url = f"{server.http}/api/sessions/{a['id']}"
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {b['facilitator_token']}"}).status_code
        == 401
    )
    for token in (a["bot_token"], a["observer_token"], a["join_secret"]):
        r = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403, r.text
    person = server.join(a, "Pia", ["org:Valtori", "kind:newcomer"])
    assert person["name"] == "Pia" and person["tags"] == ["org:Valtori", "kind:newcomer"]
    assert httpx.get(url, headers={"Authorization": f"Bearer {person['token']}"}).status_code == 403
    bad_join = httpx.post(
        url + "/participants",
        json={"name": "Eve"},
        headers={"Authorization": f"Bearer {b['join_secret']}"},
    )
    assert bad_join.status_code == 401
    bad_tags = httpx.post(
        url + "/participants",
        json={"name": "Eve", "tags": ["no colon"]},
        headers={"Authorization": f"Bearer {a['join_secret']}"},
    )
    assert bad_tags.status_code == 422


def test_create_key_restricts_session_creation(server_factory: type[PajaServer]) -> None:
    server = server_factory(env={"PAJA_CREATE_KEY": "lab-secret"}).start()
    assert httpx.post(server.http + "/api/sessions", json={"title": "x"}).status_code == 401
    ok = httpx.post(
        server.http + "/api/sessions",
        json={"title": "x"},
        headers={"Authorization": "Bearer lab-secret"},
    )
    assert ok.status_code == 201


async def test_tokens_are_stored_hashed_and_never_logged(server: PajaServer) -> None:
    s = server.create_session()
    person = server.join(s, "Pia")
    client = await YClient(server.board_url(s["id"], "main", person["token"])).connect()
    await client.close()
    bad = await YClient(server.board_url(s["id"], "main", "guess")).connect(wait_synced=False)
    await bad.wait_closed()
    await asyncio.sleep(0.2)
    secrets = [
        s["facilitator_token"],
        s["bot_token"],
        s["observer_token"],
        s["join_secret"],
        person["token"],
    ]
    db = server.data_dir / "paja.sqlite3"
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    log = server.log()
    assert "/ws/" in log, "the log does show WebSocket paths"
    for secret in secrets:
        assert secret not in dump
        assert secret not in log


def test_health_time_metrics_and_openapi(server: PajaServer) -> None:
    assert httpx.get(server.http + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.http + "/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    now = httpx.get(server.http + "/api/time").json()["now"]
    assert abs(now - time.time() * 1000) < 5000
    metrics = httpx.get(server.http + "/metrics").text
    for name in (
        "paja_open_connections",
        "paja_loaded_documents",
        "paja_messages_in_total",
        "paja_bytes_out_total",
        "paja_store_write_seconds_bucket",
    ):
        assert name in metrics
    spec = httpx.get(server.http + "/api/openapi.json").json()
    assert {
        "/api/sessions",
        "/api/sessions/{session_id}",
        "/api/sessions/{session_id}/participants",
        "/api/time",
    } <= set(spec["paths"])
