"""The OpenAPI document served at /api/openapi.json, kept next to the routes it describes.

Session commands share one shape (a Bearer token, problem JSON for 400/401/403/404/409/
413/415/422), so they are declared by `command` with only what differs; schemas mirror
docs/schema.md.
"""

from __future__ import annotations

from typing import Any

from .webhooks.messages import EVENTS

PROBLEM = {"$ref": "#/components/responses/Problem"}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
S = "/api/sessions/{session_id}"

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
MS = {"type": "integer", "description": "milliseconds"}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_MS = {"type": ["integer", "null"], "description": "server epoch milliseconds"}
TEXTS = {"type": "object", "properties": {k: STRING for k in ("fi", "sv", "en")}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def problems(*codes: str) -> dict[str, Any]:
    """Error statuses, each answered with problem JSON."""
    return dict.fromkeys(codes, PROBLEM)


def _op(summary: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": responses, **extra}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _params(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [{"name": n, "in": "path", "required": True, "schema": STRING} for n in names]


def command(
    path: str,
    summary: str,
    result: dict[str, Any],
    body: dict[str, Any] | None = None,
    *,
    status: str = "200",
    optional_body: bool = False,
    also: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A session command: who may run it is said in the summary; errors are problems, and
    `also` the statuses besides `status` it may answer (e.g. 429 of a rate-limited one)."""
    responses = {status: _json(result)}
    responses |= problems("400", "401", "403", "404", "409", "413", "415", "422")
    for code in also:
        responses[code] = PROBLEM if int(code) >= 400 else _json(result)
    operation = _op(summary, responses, parameters=_params(path), security=BEARER)
    if body is not None:
        operation["requestBody"] = _body(body, required=not optional_body)
    return operation


DURATION_BODY = obj({"duration_ms": MS})
JOIN_BODY = obj(
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 80},
        "tags": {"type": "array", "maxItems": 20, "items": STRING},
    },
    ("name",),
)
DELTA_BODY = obj({"delta_ms": MS}, ("delta_ms",))


def session_paths() -> dict[str, dict[str, Any]]:
    timer, rnd = S + "/timers/{timer_id}", S + "/breakouts/{round_id}"
    vote, poll = S + "/votes/{vote_id}", S + "/polls/{poll_id}"
    p = S + "/participants/{participant_id}"
    return {
        p: {
            "delete": command(
                p,
                "Remove a person: tokens revoked, sockets closed with 4403 (facilitator)",
                ref("Removed"),
            )
        },
        p + "/role": {
            "put": command(
                p + "/role",
                "Promote to co-facilitator or back (facilitator)",
                ref("Person"),
                obj({"role": {"enum": ["participant", "facilitator"]}}, ("role",)),
            )
        },
        S + "/observers": {
            "post": command(
                S + "/observers",
                "Mint another Lab display token (facilitator)",
                obj({"token": STRING, "display_url": STRING}),
                status="201",
            )
        },
        S + "/boards": {
            "post": command(
                S + "/boards",
                "Create a board (facilitator)",
                ref("Board"),
                obj({"name": STRING, "title": STRING, "open_to_all": BOOLEAN}, ("name",)),
                status="201",
            )
        },
        S + "/boards/{board}": {
            "patch": command(
                S + "/boards/{board}",
                "Retitle a board or open it to all (facilitator)",
                ref("Board"),
                obj({"title": STRING, "open_to_all": BOOLEAN}),
            )
        },
        S + "/timers": {
            "post": command(
                S + "/timers",
                "Create a timer, running unless start "
                "is false; room: a breakout board (facilitator)",
                ref("Timer"),
                obj(
                    {"duration_ms": MS, "label": STRING, "room": STRING, "start": BOOLEAN},
                    ("duration_ms",),
                ),
                status="201",
            )
        },
        timer: {
            "delete": command(
                timer, "Delete a timer (facilitator)", obj({"id": STRING, "deleted": BOOLEAN})
            )
        },
        timer + "/start": {
            "post": command(
                timer + "/start",
                "(Re)start from the full or a new duration (facilitator)",
                ref("Timer"),
                DURATION_BODY,
                optional_body=True,
            )
        },
        timer + "/pause": {"post": command(timer + "/pause", "Pause (facilitator)", ref("Timer"))},
        timer + "/resume": {
            "post": command(timer + "/resume", "Resume (facilitator)", ref("Timer"))
        },
        timer + "/adjust": {
            "post": command(
                timer + "/adjust", "Add or take away time (facilitator)", ref("Timer"), DELTA_BODY
            )
        },
        timer + "/reset": {
            "post": command(
                timer + "/reset",
                "Back to idle (facilitator)",
                ref("Timer"),
                DURATION_BODY,
                optional_body=True,
            )
        },
        S + "/agenda": {
            "put": command(
                S + "/agenda",
                "Replace the agenda (facilitator)",
                obj({"items": {"type": "array", "items": ref("AgendaItem")}}),
                obj({"items": {"type": "array", "items": ref("AgendaItem")}}, ("items",)),
            )
        },
        S + "/agenda/next": {
            "post": command(
                S + "/agenda/next",
                "Move to the next item, "
                "starting its timer unless start_timer is false "
                "(facilitator)",
                ref("Current"),
                obj({"start_timer": BOOLEAN}),
                optional_body=True,
            )
        },
        S + "/agenda/current": {
            "post": command(
                S + "/agenda/current",
                "Go to an item (null: done) (facilitator)",
                ref("Current"),
                obj({"item": NULLABLE_STRING, "start_timer": BOOLEAN}),
            )
        },
        S + "/breakouts": {
            "post": command(
                S + "/breakouts",
                "Draft a round with a strategy (facilitator)",
                ref("Round"),
                ref("RoundRequest"),
                status="201",
            )
        },
        rnd: {
            "delete": command(
                rnd,
                "Discard a drafted round (facilitator)",
                obj({"id": STRING, "discarded": BOOLEAN}),
            )
        },
        rnd + "/open": {
            "post": command(
                rnd + "/open",
                "Open: everyone to their room, a timer each (facilitator)",
                ref("Round"),
                obj({"duration_ms": MS, "confidential": BOOLEAN}),
                optional_body=True,
            )
        },
        rnd + "/close": {
            "post": command(
                rnd + "/close", "Start the closing countdown (facilitator)", ref("Round")
            )
        },
        rnd + "/messages": {
            "post": command(
                rnd + "/messages",
                "Message every room (facilitator)",
                ref("Round"),
                obj({"text": STRING}, ("text",)),
            )
        },
        rnd + "/time": {
            "post": command(
                rnd + "/time",
                "More or less time for every room (facilitator)",
                ref("Round"),
                DELTA_BODY,
            )
        },
        rnd + "/moves": {
            "post": command(
                rnd + "/moves",
                "Move a person to a room; they get a notice (facilitator)",
                ref("Round"),
                obj({"participant": STRING, "room": STRING}, ("participant", "room")),
            )
        },
        rnd + "/choice": {
            "post": command(
                rnd + "/choice",
                "Choose a room within its capacity (participant)",
                ref("Round"),
                obj({"room": STRING}, ("room",)),
            )
        },
        rnd + "/help": {
            "post": command(
                rnd + "/help", "Ask the facilitator to your room (participant)", ref("Round")
            )
        },
        rnd + "/help/{room}": {
            "delete": command(
                rnd + "/help/{room}", "Clear a room's call for help (facilitator)", ref("Round")
            )
        },
        rnd + "/rooms/{room}/promote": {
            "post": command(
                rnd + "/rooms/{room}/promote",
                "Copy notes of a closed room to main (the room's members or a facilitator); "
                "200 when all were copied before and nothing is added",
                obj(
                    {
                        "board": STRING,
                        "notes": {"type": "array", "items": STRING},
                        "section": NULLABLE_STRING,
                    }
                ),
                obj({"notes": {"type": "array", "maxItems": 200, "items": STRING}}, ("notes",)),
                status="201",
                also=("200",),
            )
        },
        S + "/votes": {
            "post": command(
                S + "/votes",
                "Open a dot vote on a board's notes (facilitator)",
                ref("Vote"),
                ref("VoteRequest"),
                status="201",
            )
        },
        vote + "/dots": {
            "post": command(
                vote + "/dots",
                "Place a dot; over a limit is 409 (a person)",
                ref("OwnDots"),
                obj({"note": STRING}, ("note",)),
                status="201",
            ),
            "get": command(vote + "/dots", "Your own dots (a person)", ref("OwnDots")),
        },
        vote + "/dots/{note}": {
            "delete": command(vote + "/dots/{note}", "Take a dot back (a person)", ref("OwnDots"))
        },
        vote + "/close": {
            "post": command(vote + "/close", "Close the vote (facilitator)", ref("Vote"))
        },
        vote + "/reveal": {
            "post": command(vote + "/reveal", "Reveal ranked results (facilitator)", ref("Vote"))
        },
        S + "/polls": {
            "post": command(
                S + "/polls",
                "Open an anonymous poll or a preset feedback question (facilitator)",
                ref("Poll"),
                ref("PollRequest"),
                status="201",
            )
        },
        poll + "/answers": {
            "post": command(
                poll + "/answers",
                "Answer (again) while open (a person)",
                obj({"poll": STRING, "answers": INTEGER}),
                obj({"answer": {"type": ["string", "integer"]}}, ("answer",)),
                status="201",
            )
        },
        poll + "/close": {
            "post": command(poll + "/close", "Close and publish results (facilitator)", ref("Poll"))
        },
        S + "/summaries": {
            "post": command(
                S + "/summaries",
                "Post a Markdown summary (bot or facilitator); rate-limited per session, and "
                "a session keeps the newest only",
                ref("Summary"),
                obj({"author": STRING, "markdown": STRING}, ("author", "markdown")),
                status="201",
                also=("429",),
            )
        },
    }


def schemas() -> dict[str, Any]:
    return {
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
                k: STRING
                for k in (
                    "id",
                    "title",
                    "language",
                    "facilitator_token",
                    "observer_token",
                    "bot_token",
                    "join_secret",
                    "facilitator_url",
                    "participant_url",
                    "display_url",
                    "ws_url",
                    "join_code",
                    "join_url",
                )
            },
        },
        "Session": obj(
            {
                "id": STRING,
                "title": STRING,
                "template": NULLABLE_STRING,
                "created_at": {"type": "number"},
                "language": STRING,
                "join_code": {**STRING, "description": "XXXX-XXXX, typed at /c/"},
                "join_url": STRING,
                "summary_names": BOOLEAN,
                "ended_at": NULLABLE_MS,
                "boards": {"type": "array", "items": STRING},
            }
        ),
        "SessionHeader": obj(
            {
                "title": STRING,
                "template": NULLABLE_STRING,
                "language": STRING,
                "join_code": STRING,
                "summary_names": BOOLEAN,
                "created_at": MS,
                "ended_at": NULLABLE_MS,
            }
        ),
        "Participant": obj(
            {
                "session_id": STRING,
                "participant_id": STRING,
                "name": STRING,
                "tags": {"type": "array", "items": STRING},
                "token": STRING,
                "room": {**NULLABLE_STRING, "description": "breakout board, if placed"},
            }
        ),
        "Template": obj(
            {
                "id": STRING,
                "titles": TEXTS,
                "descriptions": TEXTS,
                "boards": {"type": "array", "items": STRING},
                "agenda_items": INTEGER,
            }
        ),
        "Person": obj(
            {
                "participant_id": STRING,
                "name": STRING,
                "tags": {"type": "array", "items": STRING},
                "role": STRING,
                "joined_at": MS,
            }
        ),
        "Removed": obj(
            {"participant_id": STRING, "tokens_revoked": INTEGER, "sockets_closed": INTEGER}
        ),
        "Board": obj({"name": STRING, "title": STRING, "kind": STRING, "open_to_all": BOOLEAN}),
        "Timer": obj(
            {
                "id": STRING,
                "label": STRING,
                "room": NULLABLE_STRING,
                "state": {"enum": ["idle", "running", "paused", "ended"]},
                "duration_ms": MS,
                "remaining_ms": MS,
                "ends_at": NULLABLE_MS,
                "ended_at": NULLABLE_MS,
            }
        ),
        "AgendaItem": obj(
            {
                "id": STRING,
                "title": STRING,
                "titles": {**TEXTS, "type": ["object", "null"]},
                "duration_ms": MS,
                "board": NULLABLE_STRING,
                "instructions": STRING,
                "instruction_texts": {**TEXTS, "type": ["object", "null"]},
            },
            ("title",),
        ),
        "Current": obj({"current": {"oneOf": [ref("AgendaItem"), {"type": "null"}]}}),
        "RoundRequest": obj(
            {
                "strategy": {
                    "enum": ["random", "balanced", "keep_apart", "csv", "choose", "reuse"]
                },
                "rooms": INTEGER,
                "group_size": INTEGER,
                "names": {"type": "array", "items": STRING},
                "key": {**STRING, "description": "tag key: kind (balanced), org (keep_apart)"},
                "ratio": {"type": "object", "additionalProperties": {"type": "number"}},
                "csv": {**STRING, "description": "name,email,group rows"},
                "capacity": INTEGER,
                "reuse": {**STRING, "description": "id of an earlier round"},
                "avoid_repeats": BOOLEAN,
                "duration_ms": MS,
                "closing_ms": MS,
                "seed": INTEGER,
                "confidential": {
                    **BOOLEAN,
                    "description": "the rooms stay with their members after the round closes",
                },
            },
            ("strategy",),
        ),
        "Round": {"type": "object", "description": "docs/schema.md, breakouts.round"},
        "VoteRequest": obj(
            {
                "title": STRING,
                "board": STRING,
                "section": STRING,
                "per_participant": INTEGER,
                "per_note": INTEGER,
                "anonymous": BOOLEAN,
            },
            ("board", "per_participant"),
        ),
        "Vote": {"type": "object", "description": "docs/schema.md, votes"},
        "OwnDots": obj(
            {
                "vote": STRING,
                "dots": {"type": "object", "additionalProperties": INTEGER},
                "remaining": INTEGER,
            }
        ),
        "PollRequest": obj(
            {
                "kind": {"enum": ["choice", "scale", "text"]},
                "question": STRING,
                "options": {"type": "array", "items": STRING},
                "preset": {"enum": ["heard", "use"]},
            }
        ),
        "Poll": {"type": "object", "description": "docs/schema.md, polls"},
        "Summary": obj(
            {
                "id": STRING,
                "author": STRING,
                "markdown": STRING,
                "posted_at": MS,
                "by": {"enum": ["bot", "facilitator"]},
            }
        ),
    }


def summary_paths() -> dict[str, dict[str, Any]]:
    """The generated session summary and its settings (server/routes/summary.py)."""
    path = S + "/summary"
    count = {"type": "integer", "minimum": 0}
    texts = {"type": "array", "items": STRING}
    note = obj(
        {"id": STRING, "text": STRING, "section": NULLABLE_STRING, "dots": count, "author": STRING}
    )
    notes = {"type": "array", "items": note}
    summary = obj(
        {
            "title": STRING,
            "language": {"enum": ["fi", "sv", "en"]},
            "join_code": NULLABLE_STRING,
            "names": {**BOOLEAN, "description": "whether people are named (summary_names)"},
            "people": {**texts, "description": "only when names are allowed"},
            "created_at": NULLABLE_MS,
            "ended_at": NULLABLE_MS,
            "counts": obj(
                {k: count for k in ("participants", "notes", "votes", "boards", "polls")}
            ),
            "agenda": {"type": "array", "items": {"type": "object"}},
            "boards": {
                "type": "array",
                "items": obj(
                    {
                        "name": STRING,
                        "title": STRING,
                        "kind": STRING,
                        "sections": {"type": "array", "items": obj({"notes": notes})},
                        "outside_sections": notes,
                    }
                ),
            },
            "top_notes": {
                "type": "array",
                "items": obj(
                    {
                        "board": STRING,
                        "note": STRING,
                        "text": STRING,
                        "dots": count,
                        "rank": INTEGER,
                        "vote": STRING,
                    }
                ),
            },
            "votes": {"type": "array", "items": {"type": "object"}},
            "polls": {"type": "array", "items": {"type": "object"}},
            "breakouts": {"type": "array", "items": {"type": "object"}},
            "posted": {"type": "array", "items": {"type": "object"}},
        },
        ("title", "language", "counts", "top_notes", "polls", "breakouts", "posted"),
    )
    operation = command(path, "The generated summary (facilitator, bot or observer)", summary)
    operation["parameters"] += [
        {"name": "format", "in": "query", "schema": {"enum": ["json", "markdown"]}},
        {"name": "language", "in": "query", "schema": {"enum": ["fi", "sv", "en"]}},
    ]
    operation["responses"]["200"]["content"]["text/markdown"] = {"schema": STRING}
    return {path: {"get": operation}}


def export_paths() -> dict[str, dict[str, Any]]:
    """Export, import and deletion of sessions (server/routes/exports.py)."""
    path = S + "/export"
    exported = obj(
        {
            "format": {"const": "paja-session"},
            "version": {"const": 1},
            "exported_at": MS,
            "session": obj(
                {
                    "id": STRING,
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "template": NULLABLE_STRING,
                    "language": {"enum": ["fi", "sv", "en"]},
                    "created_at": {"type": "number", "description": "epoch seconds"},
                    "ended_at": NULLABLE_MS,
                },
                ("title",),
            ),
            "boards": {
                "type": "object",
                "description": "board name (control, _ballots and every board) -> base64 of "
                "its full Yjs state",
                "additionalProperties": STRING,
                "required": ["control"],
            },
        },
        ("format", "version", "session", "boards"),
    )
    export = _op(
        "Export the session: json (an import recreates it; facilitator), markdown (the "
        "summary) or csv (the notes) (facilitator, observer or bot)",
        {
            "200": {
                "description": "an attachment",
                "content": {
                    "application/json": {"schema": exported},
                    "text/markdown": {"schema": STRING},
                    "text/csv": {"schema": STRING},
                },
            },
            **problems("401", "403", "404", "422"),
        },
        parameters=[
            *_params(path),
            {"name": "format", "in": "query", "schema": {"enum": ["json", "markdown", "csv"]}},
        ],
        security=BEARER,
    )
    imported = _op(
        "Import a JSON export as a new session, with new tokens (with the create key as "
        "Bearer when the server sets one; bodies up to --max-import-bytes, 16 MiB by "
        "default, and --max-import-boards)",
        {
            "201": _json(ref("CreatedSession"), "Created"),
            **problems("400", "401", "413", "415", "422", "429", "503"),
        },
        requestBody=_body(exported),
    )
    return {path: {"get": export}, "/api/sessions/import": {"post": imported}}


def session_delete() -> dict[str, Any]:
    """DELETE on the session's own path, which the session routes share."""
    responses = {"204": {"description": "Deleted, with everything it left in every store"}}
    responses |= problems("401", "403", "404")
    return _op(
        "Delete the session for good: sockets close with 4404 (facilitator)",
        responses,
        parameters=_params(S),
        security=BEARER,
    )


def webhook_paths() -> dict[str, dict[str, Any]]:
    """Outgoing webhooks and their deliveries (server/routes/webhooks.py)."""
    hooks, deliveries = S + "/webhooks", S + "/webhooks/deliveries"
    one, retry = hooks + "/{webhook_id}", deliveries + "/{delivery_id}/retry"
    events = {"type": "array", "items": {"enum": list(EVENTS)}}
    webhook = obj(
        {
            "id": STRING,
            "format": {"enum": ["json", "teams"]},
            "events": events,
            "url": {**STRING, "description": "masked: scheme, host and the last characters"},
            "created_at": {"type": "number", "description": "epoch seconds"},
        }
    )
    created = {
        **webhook,
        "properties": {
            **webhook["properties"],
            "secret": {**STRING, "description": "HMAC key of the json format, shown only here"},
        },
    }
    webhooks = {"type": "array", "items": webhook}
    seconds = {"type": ["number", "null"], "description": "epoch seconds"}
    delivery = obj(
        {
            "id": STRING,
            "webhook_id": STRING,
            "event": STRING,
            "state": {"enum": ["pending", "delivered", "dead"]},
            "attempts": INTEGER,
            "next_at": {**seconds, "description": "epoch seconds of the next try (pending)"},
            "last_error": STRING,
            "created_at": {"type": "number", "description": "epoch seconds"},
        }
    )
    body = obj(
        {
            "url": {**STRING, "description": "https:// (or http:// where private targets are)"},
            "format": {"enum": ["json", "teams"], "default": "json"},
            "events": {**events, "description": "default: all five"},
        },
        ("url",),
    )
    listing = command(
        deliveries,
        "The outbox: deliveries, newest first (facilitator)",
        {"type": "array", "items": delivery},
    )
    listing["parameters"].append(
        {"name": "state", "in": "query", "schema": {"enum": ["pending", "delivered", "dead"]}}
    )
    removal = command(one, "Remove a webhook (facilitator)", {})
    removal["responses"] = {"204": {"description": "Removed"}} | problems("401", "403", "404")
    return {
        hooks: {
            "post": command(
                hooks,
                "Add a webhook; at most 10 per session, more is 409 (facilitator)",
                created,
                body,
                status="201",
            ),
            "get": command(hooks, "The webhooks, URLs masked (facilitator)", webhooks),
        },
        one: {"delete": removal},
        deliveries: {"get": listing},
        retry: {
            "post": command(
                retry, "Send a dead delivery again, tries counted anew (facilitator)", delivery
            )
        },
    }


def lead_paths() -> dict[str, dict[str, Any]]:
    """The facilitator's follow-me (server/routes/lead.py)."""
    path = S + "/lead"
    coordinate = {"type": "number", "minimum": -10_000_000, "maximum": 10_000_000}
    centre = "world coordinates of the centre of the facilitator's view"
    zoom = {"type": "number", "minimum": 0.05, "maximum": 4}
    lead = obj(
        {
            "mode": {"enum": ["follow", "bring", None]},
            "board": NULLABLE_STRING,
            "x": {"type": "number"},
            "y": {"type": "number"},
            "zoom": {"type": "number"},
            "by": {**NULLABLE_STRING, "description": "facilitator id, or 'facilitator'"},
            "at": NULLABLE_MS,
        }
    )
    body = obj(
        {
            "mode": {"enum": ["follow", "bring"]},
            "board": {**STRING, "description": "a listed board"},
            "x": {**coordinate, "description": centre},
            "y": {**coordinate, "description": centre},
            "zoom": zoom,
        },
        ("mode", "board", "x", "y", "zoom"),
    )
    return {
        path: {
            "post": command(
                path,
                "Bring everyone to a board and view once, or have them follow it (facilitator)",
                lead,
                body,
            ),
            "delete": command(path, "Stop leading everyone's view (facilitator)", lead),
        }
    }


def openapi_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Paja",
            "version": "0.1.0",
            "description": "Commands write their results into the session's `control` "
            "document (docs/schema.md); errors are RFC 9457 problem details.",
        },
        "paths": {
            "/api/sessions": {
                "post": _op(
                    "Create a session, optionally from a template (with the create key as "
                    "Bearer when the server sets one)",
                    {
                        "201": _json(ref("CreatedSession"), "Created"),
                        **problems("400", "401", "413", "415", "422", "429"),
                    },
                    requestBody=_body(
                        obj(
                            {
                                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                                "template": {**STRING, "description": "see /api/templates"},
                                "language": {"enum": ["fi", "sv", "en"], "default": "fi"},
                            },
                            ("title",),
                        )
                    ),
                ),
            },
            S: {
                "delete": session_delete(),
                "get": _op(
                    "A session's metadata (facilitator token)",
                    {"200": _json(ref("Session"))} | problems("401", "403", "404"),
                    parameters=_params(S),
                    security=BEARER,
                ),
                "patch": command(
                    S,
                    "Rename the session or allow names in its summary (facilitator)",
                    ref("SessionHeader"),
                    obj(
                        {
                            "title": {"type": "string", "minLength": 1, "maxLength": 200},
                            "summary_names": BOOLEAN,
                        }
                    ),
                ),
            },
            S + "/end": {
                "post": command(
                    S + "/end",
                    "End the session: sends session.ended to its webhooks (facilitator)",
                    obj({"ended_at": MS}),
                )
            },
            "/api/join/{code}": {
                "get": _op(
                    "The session a join code belongs to (rate-limited per address)",
                    {
                        "200": _json(
                            obj({"session_id": STRING, "title": STRING, "language": STRING})
                        ),
                        **problems("404", "429"),
                    },
                    parameters=_params("/api/join/{code}"),
                ),
                "post": _op(
                    "Join with a join code instead of the participant link (409 when the "
                    "roster is full, 429 past the session's joins per minute)",
                    {"201": _json(ref("Participant"), "Joined")}
                    | problems("400", "404", "409", "413", "415", "422", "429"),
                    parameters=_params("/api/join/{code}"),
                    requestBody=_body(JOIN_BODY),
                ),
            },
            S + "/participants": {
                "post": _op(
                    "Join with the participant link's join secret as Bearer (409 when the "
                    "roster is full, 429 past the session's joins per minute)",
                    {"201": _json(ref("Participant"), "Joined")}
                    | problems("400", "401", "403", "404", "409", "413", "415", "422", "429"),
                    parameters=_params(S),
                    security=BEARER,
                    requestBody=_body(JOIN_BODY),
                ),
            },
            S + "/links/rotate": {
                "post": command(
                    S + "/links/rotate",
                    "A new participant link and join code; the old ones stop working at once "
                    "(facilitator)",
                    obj(
                        {
                            "join_secret": STRING,
                            "participant_url": STRING,
                            "join_code": STRING,
                            "join_url": STRING,
                        },
                        ("join_secret", "participant_url", "join_code", "join_url"),
                    ),
                )
            },
            **session_paths(),
            **summary_paths(),
            **export_paths(),
            **webhook_paths(),
            **lead_paths(),
            "/api/templates": {
                "get": _op(
                    "Session templates",
                    {"200": _json({"type": "array", "items": ref("Template")})},
                ),
            },
            "/api/time": {
                "get": _op(
                    "The server clock in epoch milliseconds",
                    {"200": _json(obj({"now": INTEGER}))},
                ),
            },
            "/api/openapi.json": {
                "get": _op("This document", {"200": _json({"type": "object"})}),
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
                "get": _op(
                    "Prometheus metrics, when the server runs with --metrics",
                    {
                        "200": {"description": "text exposition format"},
                        "404": {"description": "metrics are off (the default)"},
                    },
                )
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {
                        "application/problem+json": {
                            "schema": obj(
                                {
                                    "type": STRING,
                                    "title": STRING,
                                    "status": INTEGER,
                                    "detail": STRING,
                                    "code": {
                                        **STRING,
                                        "description": "a refusal's stable name, when it has "
                                        "one (e.g. round_needs_people), for clients to translate",
                                    },
                                    "params": {
                                        "type": "object",
                                        "description": "the values its detail names",
                                    },
                                }
                            )
                        }
                    },
                }
            },
            "schemas": schemas(),
        },
    }
