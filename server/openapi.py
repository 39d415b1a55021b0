"""The OpenAPI document served at /api/openapi.json, kept next to the routes it describes."""

from __future__ import annotations

from typing import Any

PROBLEM = {"$ref": "#/components/responses/Problem"}


def _op(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": responses, **extra}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SESSION_ID = {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def openapi_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Paja", "version": "0.1.0"},
        "paths": {
            "/api/sessions": {
                "post": _op(
                    "Create a session (with the create key as Bearer when the server sets one)",
                    {
                        "201": _json({"$ref": "#/components/schemas/CreatedSession"}, "Created"),
                        "401": PROBLEM,
                        "413": PROBLEM,
                        "415": PROBLEM,
                        "422": PROBLEM,
                    },
                    requestBody=_body(
                        {
                            "type": "object",
                            "required": ["title"],
                            "properties": {
                                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                                "template": {"type": "string", "maxLength": 64},
                            },
                        }
                    ),
                ),
            },
            "/api/sessions/{session_id}": {
                "get": _op(
                    "A session's metadata (facilitator token)",
                    {
                        "200": _json({"$ref": "#/components/schemas/Session"}),
                        "401": PROBLEM,
                        "403": PROBLEM,
                        "404": PROBLEM,
                    },
                    parameters=[SESSION_ID],
                    security=BEARER,
                ),
            },
            "/api/sessions/{session_id}/participants": {
                "post": _op(
                    "Join with the participant link's join secret as Bearer",
                    {
                        "201": _json({"$ref": "#/components/schemas/Participant"}, "Joined"),
                        "401": PROBLEM,
                        "403": PROBLEM,
                        "404": PROBLEM,
                        "422": PROBLEM,
                    },
                    parameters=[SESSION_ID],
                    security=BEARER,
                    requestBody=_body(
                        {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": {"type": "string", "minLength": 1, "maxLength": 80},
                                "tags": {
                                    "type": "array",
                                    "maxItems": 20,
                                    "items": {"type": "string"},
                                },
                            },
                        }
                    ),
                ),
            },
            "/api/time": {
                "get": _op(
                    "The server clock in epoch milliseconds",
                    {"200": _json({"type": "object", "properties": {"now": {"type": "integer"}}})},
                ),
            },
            "/healthz": {"get": _op("Liveness", {"200": _json({"type": "object"})})},
            "/readyz": {
                "get": _op(
                    "Readiness of store and bus",
                    {
                        "200": _json({"type": "object"}),
                        "503": _json({"type": "object"}, "Not ready"),
                    },
                )
            },
            "/metrics": {
                "get": _op("Prometheus metrics", {"200": {"description": "text exposition format"}})
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {
                        "application/problem+json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "type": {"type": "string"},
                                    "title": {"type": "string"},
                                    "status": {"type": "integer"},
                                    "detail": {"type": "string"},
                                },
                            }
                        }
                    },
                }
            },
            "schemas": {
                "CreatedSession": {
                    "type": "object",
                    "required": [
                        "id",
                        "facilitator_token",
                        "facilitator_url",
                        "participant_url",
                        "display_url",
                        "bot_token",
                    ],
                    "properties": {
                        k: {"type": "string"}
                        for k in (
                            "id",
                            "title",
                            "facilitator_token",
                            "observer_token",
                            "bot_token",
                            "join_secret",
                            "facilitator_url",
                            "participant_url",
                            "display_url",
                            "ws_url",
                        )
                    },
                },
                "Session": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "template": {"type": ["string", "null"]},
                        "created_at": {"type": "number"},
                        "boards": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "Participant": {
                    "type": "object",
                    "properties": {
                        "participant_id": {"type": "string"},
                        "name": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "token": {"type": "string"},
                    },
                },
            },
        },
    }
