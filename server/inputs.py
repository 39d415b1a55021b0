"""Reading a REST request: its JSON body, its bearer token and typed fields of the body.

Every malformed input becomes a `Problem` here, with a message that names the field.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from typing import Any, overload

from starlette.requests import HTTPConnection, Request

from .problems import Problem

MAX_BODY_BYTES = 64 * 1024
# No command takes more than a few levels; json.loads recurses once per level, so a deeper
# body is refused before it can exhaust the stack of the parser or of what reads it.
MAX_DEPTH = 32
TOO_DEEP = f"body nests deeper than {MAX_DEPTH} levels"


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


def required_text(body: dict[str, Any], name: str, *, limit: int) -> str:
    value = text_field(body, name, required=True, limit=limit)
    assert value is not None
    return value


def one_of(value: Any, name: str, options: Sequence[str]) -> str:
    """A field or query parameter that must be one of a few names."""
    if value not in options:
        raise Problem(422, f"'{name}' is one of {', '.join(options)}")
    return str(value)


def int_field(
    body: dict[str, Any], name: str, *, default: int | None = None, low: int, high: int
) -> int | None:
    """An integer within [low, high]; `default` when absent (None means optional)."""
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Problem(422, f"'{name}' must be a whole number from {low} to {high}")
    return value


def required_int(body: dict[str, Any], name: str, *, low: int, high: int) -> int:
    value = int_field(body, name, low=low, high=high)
    if value is None:
        raise Problem(422, f"'{name}' is required")
    return value


@overload
def bool_field(body: dict[str, Any], name: str, *, default: bool) -> bool: ...


@overload
def bool_field(body: dict[str, Any], name: str, *, default: None) -> bool | None: ...


def bool_field(body: dict[str, Any], name: str, *, default: bool | None) -> bool | None:
    """A true/false field; with `default=None`, None when it is absent or null (a change
    command leaves what is not given as it is)."""
    value = body.get(name, default)
    if value is None and default is None:
        return None
    if not isinstance(value, bool):
        raise Problem(422, f"'{name}' must be true or false")
    return value


def text_list(body: dict[str, Any], name: str, *, limit: int, items: int) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > items
        or not all(isinstance(v, str) and 0 < len(v.strip()) <= limit for v in value)
    ):
        raise Problem(422, f"'{name}' is a list of at most {items} texts of 1-{limit} characters")
    return [v.strip() for v in value]
