"""Each REST command is declared once (server/http/commands.py): every HTTP route of the app but
the browser app's pages comes from a declaration, every declaration is served, the OpenAPI
document lists exactly them, and the limits of the models reach both the validation and
the document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from starlette.routing import Route

from server.http.app import CLIENT_DIST, client_routes, create_app
from server.http.openapi import openapi_spec
from server.http.routes import COMMANDS
from server.process.config import Settings
from support.processes import PajaServer


def test_every_route_is_a_declared_command_and_every_command_a_route(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    pages = {r.path for r in client_routes(CLIENT_DIST) if isinstance(r, Route)}
    served = {
        (r.path, method)
        for r in app.routes
        if isinstance(r, Route) and r.path not in pages
        for method in r.methods or ()
        if method != "HEAD"
    }
    declared = {(c.path, c.method) for c in COMMANDS}
    assert len(declared) == len(COMMANDS), "a path and method declared twice"
    assert served - declared == set(), "routes without a declaration"
    assert declared - served == set(), "declarations without a route"
    documented = {(p, m.upper()) for p, ops in openapi_spec()["paths"].items() for m in ops}
    assert documented == declared


def _schema(spec: dict[str, Any], path: str, method: str, part: str) -> dict[str, Any]:
    """The component schema of an operation's body ("requestBody") or answer (a status)."""
    operation = spec["paths"][path][method]
    content = operation[part] if part == "requestBody" else operation["responses"][part]
    ref = content["content"]["application/json"]["schema"]["$ref"]
    schema: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def test_field_limits_are_in_the_document_and_enforced(server: PajaServer) -> None:
    spec = httpx.get(server.http + "/api/openapi.json").json()
    new_session = _schema(spec, "/api/sessions", "post", "requestBody")
    assert new_session["properties"]["title"]["maxLength"] == 200
    assert new_session["required"] == ["title"]
    created = _schema(spec, "/api/sessions", "post", "201")
    assert {"id", "facilitator_token", "participant_url", "bot_token"} <= set(created["required"])
    timer = _schema(spec, "/api/sessions/{session_id}/timers", "post", "requestBody")
    assert timer["properties"]["duration_ms"]["maximum"] == 24 * 3600 * 1000
    vote = _schema(spec, "/api/sessions/{session_id}/votes", "post", "requestBody")
    assert vote["properties"]["per_participant"]["maximum"] == 100
    round_ = _schema(spec, "/api/sessions/{session_id}/breakouts", "post", "201")
    assert {"id", "state", "rooms"} <= set(round_["required"])

    too_long = httpx.post(server.http + "/api/sessions", json={"title": "x" * 201})
    assert too_long.status_code == 422
    assert too_long.headers["content-type"] == "application/problem+json"
    assert too_long.json()["detail"] == "'title' is limited to 200 characters"
    spaced = httpx.post(server.http + "/api/sessions", json={"title": "  " + "x" * 200 + "  "})
    assert spaced.status_code == 201 and spaced.json()["title"] == "x" * 200
    server.remember_secrets(spaced.json())
    for wrong, detail in (
        ({}, "'title' is required"),
        ({"title": "   "}, "'title' must be a non-empty string"),
        ({"title": 7}, "'title' must be a non-empty string"),
        ({"title": "x", "language": "de"}, "'language' is one of fi, sv, en"),
    ):
        refused = httpx.post(server.http + "/api/sessions", json=wrong)
        assert (refused.status_code, refused.json()["detail"]) == (422, detail), wrong


def test_limits_held_by_handlers_and_new_fields_are_in_the_document() -> None:
    """A status a handler answers for a limit of its own (a rate, a roster cap, imports at
    once) is declared with its command, and so documented like the framework's."""
    spec = openapi_spec()
    session = "/api/sessions/{session_id}"
    statuses = {
        (session + "/participants", "post"): {"201", "409", "429"},
        ("/api/join/{code}", "post"): {"201", "409", "429"},
        (session + "/summaries", "post"): {"201", "429"},
        (session + "/breakouts/{round_id}/rooms/{room}/promote", "post"): {"200", "201", "409"},
        ("/api/sessions/import", "post"): {"201", "413", "429", "503"},
        ("/api/sessions", "post"): {"201", "401", "429", "503"},
        (session + "/links/rotate", "post"): {"200", "401", "403", "503"},
        ("/metrics", "get"): {"200", "404"},
        ("/readyz", "get"): {"200", "503"},
    }
    for (path, method), expected in statuses.items():
        answered = set(spec["paths"][path][method]["responses"])
        assert expected <= answered, (path, method, expected - answered)
    for path in (session + "/breakouts", session + "/breakouts/{round_id}/open"):
        body = _schema(spec, path, "post", "requestBody")
        assert "confidential" in body["properties"], path
    rotated = _schema(spec, session + "/links/rotate", "post", "200")
    assert set(rotated["required"]) == {"join_secret", "participant_url", "join_code", "join_url"}
