"""Reading a REST request: its JSON body, its bearer token, and the body or query validated
against a command's pydantic model.

Every malformed input becomes a `Problem` here, with a message that names the field.
"""

from __future__ import annotations

import ipaddress
import json
from functools import cache
from typing import Any, TypeVar

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import HTTPConnection, Request

from .problems import Problem

MAX_BODY_BYTES = 64 * 1024
# No command takes more than a few levels; json.loads recurses once per level, so a deeper
# body is refused before it can exhaust the stack of the parser or of what reads it.
MAX_DEPTH = 32
TOO_DEEP = f"body nests deeper than {MAX_DEPTH} levels"
M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    """A request body or query: JSON types taken strictly ("5" is not 5, true is not 1),
    unknown fields ignored. Field limits live here, so the OpenAPI document carries them."""

    model_config = ConfigDict(strict=True)


def text(limit: int) -> StringConstraints:
    """A non-empty text of at most `limit` characters once surrounding space is stripped:
    `Annotated[str, text(200)]`."""
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=limit)


def whole(low: int, high: int) -> Interval:
    """`Annotated[int, whole(low, high)]`: an integer within [low, high]."""
    return Interval(ge=low, le=high)


async def json_body(
    request: Request, *, optional: bool = False, limit: int = MAX_BODY_BYTES
) -> dict[str, Any]:
    """The body as a JSON object; with `optional`, a request without a body reads as {}."""
    if optional and not request.headers.get("content-type") and not await request.body():
        return {}
    return parsed_body(await raw_json_body(request, limit=limit))


async def raw_json_body(request: Request, *, limit: int = MAX_BODY_BYTES) -> bytes:
    """The bytes of a JSON body, not parsed yet: a session import parses its own in a
    worker process. `limit` is raised only by routes that take whole documents."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise Problem(415, "send a JSON body with Content-Type: application/json")
    declared = request.headers.get("content-length")
    if declared is not None and int(declared) > limit:
        raise Problem(413, f"bodies are limited to {limit} bytes")
    raw = bytearray()  # appending to bytes would copy a large body once per chunk
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise Problem(413, f"bodies are limited to {limit} bytes")
    return bytes(raw)


def parsed_body(raw: bytes) -> dict[str, Any]:
    """A JSON body as an object, or the problem why it is not one."""
    try:
        body = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Problem(400, f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:  # the parser stops itself at the interpreter's limit
        raise Problem(400, TOO_DEEP) from exc
    if _deeper_than(body, MAX_DEPTH):
        raise Problem(400, TOO_DEEP)
    if not isinstance(body, dict):
        raise Problem(422, "body must be a JSON object")
    return body


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest in `value` more than `limit` levels deep; walked
    with a stack of its own, never by recursion."""
    waiting = [(value, 1)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > limit:
                return True
            waiting.extend((child, depth + 1) for child in item)
    return False


def client_address(connection: HTTPConnection) -> str:
    """The key of per-address limits: the client's address ("" when it is not known).

    It is the peer's address, or the address a trusted proxy forwarded
    (`--forwarded-allow-ips`; uvicorn puts it in the scope)."""
    return address_key(connection.client.host) if connection.client else ""


def address_key(host: str) -> str:
    """One key per client: an IPv4 address (also when mapped into IPv6), or an IPv6
    client's /64 network, which one household or host gets whole and can rotate within."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def validated(model: type[M], raw: dict[str, Any]) -> M:
    """`raw` as an instance of `model`, or a 422 problem that names the first bad field."""
    try:
        return model.model_validate(raw)
    except ValidationError as invalid:
        raise Problem(422, _message(model, invalid.errors()[0])) from invalid


def _message(model: type[BaseModel], error: ErrorDetails) -> str:
    """The problem's detail for one pydantic error, worded as the API always has been."""
    where = error["loc"]
    name = f"'{where[0]}'" if where else "body"
    kind = error["type"]
    schema = _field_schema(model, str(where[0])) if len(where) == 1 else {}
    if kind == "missing":
        return f"{name} is required"
    if kind in ("string_type", "string_too_short") and len(where) == 1:
        return f"{name} must be a non-empty string"
    if kind == "string_too_long" and len(where) == 1:
        return f"{name} is limited to {error.get('ctx', {}).get('max_length')} characters"
    if kind == "bool_type":
        return f"{name} must be true or false"
    if kind == "literal_error" and "enum" in schema:
        return f"{name} is one of {', '.join(map(str, schema['enum']))}"
    bounded = "minimum" in schema and "maximum" in schema
    if kind.startswith(("int", "float", "greater", "less")) and bounded:
        low, high = schema["minimum"], schema["maximum"]
        if schema.get("type") == "integer":
            return f"{name} must be a whole number from {low} to {high}"
        return f"{name} is a number from {low} to {high}"
    if kind.startswith("refused"):  # a model's own check said it in full
        return error["msg"]
    return f"{name}: {error['msg'][:1].lower()}{error['msg'][1:]}"


def _field_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The JSON Schema of one field, without its `null` alternative."""
    schema: dict[str, Any] = _schema(model).get("properties", {}).get(name, {})
    for option in schema.get("anyOf", ()):
        if option.get("type") != "null":
            return {**schema, **option}
    return schema


@cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()
