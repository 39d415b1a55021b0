"""The OpenAPI document, derived from the commands' declarations (server/http/commands.py): paths
and methods from their routes, request bodies, queries and results from their pydantic
models' JSON Schema (field limits included), problems from their access, body and
refusals. Nothing here describes a command by hand.

`python -m server.openapi` prints the document, so that the client's types
(scripts/api-types) are made without a running server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from .commands import Command

REFS = "#/components/schemas/{model}"
PARAMETER = re.compile(r"{(\w+)}")
DESCRIPTIONS = {200: "OK", 201: "Created", 204: "No content", 503: "Service unavailable"}
PROBLEM = {"$ref": "#/components/responses/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "retry_after": {"type": "number", "description": "seconds, with 429 and 503"},
        "reason": {
            "type": "string",
            "description": "a stable reason a client may act on, e.g. board_full (409)",
        },
        "code": {
            "type": "string",
            "description": "a refusal's stable name, when it has one (e.g. round_needs_people), "
            "for clients to translate (docs/api.md)",
        },
        "params": {"type": "object", "description": "the values its detail names"},
    },
}


@cache
def openapi_spec() -> dict[str, Any]:
    from .routes import COMMANDS  # the routes import the commands module this one reads

    return document(COMMANDS)


def document(commands: Iterable[Command]) -> dict[str, Any]:
    commands = list(commands)
    keys: list[tuple[str, Any, TypeAdapter[Any]]] = []
    for command in commands:
        if command.body is not None:
            keys.append((_key(command, "body"), "validation", TypeAdapter(command.body)))
        if command.result is not None:
            keys.append((_key(command, "result"), "serialization", TypeAdapter(command.result)))
    schemas, definitions = TypeAdapter.json_schemas(keys, ref_template=REFS)
    found = {key: schema for (key, _), schema in schemas.items()}
    paths: dict[str, dict[str, Any]] = {}
    for command in commands:
        paths.setdefault(command.path, {})[command.method.lower()] = _operation(command, found)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Paja",
            "version": "0.1.0",
            "description": "Commands write their results into the session's `control` "
            "document (docs/schema.md); errors are RFC 9457 problem details.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details",
                    "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
                }
            },
            "schemas": definitions.get("$defs", {}),
        },
    }


def _key(command: Command, part: str) -> str:
    return f"{command.method} {command.path} {part}"


def _operation(command: Command, schemas: dict[str, Any]) -> dict[str, Any]:
    module = command.handler.__module__.rsplit(".", 1)[-1]
    operation: dict[str, Any] = {
        "operationId": f"{module}_{command.handler.__name__}",
        "summary": command.summary,
        "responses": _responses(command, schemas),
    }
    parameters = _path_parameters(command.path)
    if command.query is not None:
        parameters += _query_parameters(command.query)
    if parameters:
        operation["parameters"] = parameters
    if command.access.security:
        operation["security"] = list(command.access.security)
    if command.body is not None:
        operation["requestBody"] = {
            "required": not command.optional_body,
            "content": {"application/json": {"schema": schemas[_key(command, "body")]}},
        }
    return operation


def _responses(command: Command, schemas: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if command.result is not None:
        content["application/json"] = {"schema": schemas[_key(command, "result")]}
    for media in command.media:
        content[media] = {"schema": {"type": "string"}}
    responses: dict[str, Any] = {}
    for status in (command.status, *command.also):
        answer: dict[str, Any] = {"description": DESCRIPTIONS.get(status, "OK")}
        if content:
            answer["content"] = content
        responses[str(status)] = answer
    if command.etag:
        responses["304"] = {"description": "Not modified: If-None-Match names the current ETag"}
    for status in command.problems:
        responses[str(status)] = PROBLEM
    return responses


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in PARAMETER.findall(path)
    ]


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    properties = model.model_json_schema(ref_template=REFS)["properties"]
    return [
        {
            "name": name,
            "in": "query",
            "required": field.is_required(),
            "schema": _present(properties[name]),
        }
        for name, field in model.model_fields.items()
    ]


def _present(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: absent is its null, so only the other alternative."""
    shown = {k: v for k, v in schema.items() if k not in ("title", "anyOf")}
    options = [o for o in schema.get("anyOf", ()) if o.get("type") != "null"]
    if len(options) == 1:
        return {**shown, **options[0]}
    if options:
        shown["anyOf"] = options
    return shown


if __name__ == "__main__":
    print(json.dumps(openapi_spec(), indent=2, sort_keys=True))
