"""The y-websocket wire protocol: strict decoding of what clients send, and frames we send.

pycrdt's `Decoder` trusts its input (it indexes past the end of a truncated varint), so
incoming frames are parsed here, where every malformed frame becomes a `ProtocolError`
that the endpoint turns into a close code. Outgoing messages use pycrdt's helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from pycrdt import (
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_update_message,
    write_var_uint,
)

from .nesting import MAX_DEPTH, json_depth

MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
EMPTY_UPDATE = b"\x00\x00"
EMPTY_STATE_VECTOR = b"\x00"


class CloseCode(IntEnum):
    """The WebSocket close codes clients rely on (docs/protocol.md, "Close codes")."""

    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1008
    CORRUPT_UPDATE = 1007
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    TRY_AGAIN_LATER = 1013
    BAD_TOKEN = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404


class ProtocolError(Exception):
    """A frame that breaks the y-protocols framing; the connection is closed with `code`."""

    def __init__(self, reason: str, code: CloseCode = CloseCode.PROTOCOL_ERROR) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Message:
    """One decoded client message: its type, sync subtype (or -1) and payload."""

    type: int
    subtype: int
    payload: bytes


def _read_var_uint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    shift = 0
    end = len(data)
    while True:
        if pos >= end:
            raise ProtocolError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ProtocolError("varint too long")


def _read_var_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _read_var_uint(data, pos)
    end = pos + length
    if end > len(data):
        raise ProtocolError("length prefix past the end of the frame")
    return data[pos:end], end


def decode(frame: bytes) -> Message:
    """Decode one client frame: exactly one y-protocols message."""
    kind, pos = _read_var_uint(frame, 0)
    if kind == YMessageType.SYNC:
        subtype, pos = _read_var_uint(frame, pos)
        if subtype > YSyncMessageType.SYNC_UPDATE:
            raise ProtocolError("unknown sync message")
        payload, _ = _read_var_bytes(frame, pos)
        return Message(kind, subtype, payload)
    if kind == YMessageType.AWARENESS:
        payload, _ = _read_var_bytes(frame, pos)
        return Message(kind, -1, payload)
    return Message(kind, -1, b"")


AwarenessEntry = tuple[int, int, bytes]  # client id, clock, state (JSON; b"null": removed)


def awareness_entries(update: bytes) -> list[AwarenessEntry]:
    """The entries of an awareness update; raises on a malformed update."""
    count, pos = _read_var_uint(update, 0)
    entries = []
    for _ in range(count):
        client_id, pos = _read_var_uint(update, pos)
        clock, pos = _read_var_uint(update, pos)
        state, pos = _read_var_bytes(update, pos)
        if len(state) > MAX_DEPTH and json_depth(state.decode(errors="replace")) > MAX_DEPTH:
            # every browser parses every state
            raise ProtocolError("awareness state nests too deeply", CloseCode.CORRUPT_UPDATE)
        entries.append((client_id, clock, state))
    return entries


def encode_awareness(entries: Iterable[AwarenessEntry]) -> bytes:
    """An awareness update holding `entries`, each as it was received (no JSON re-encoded)."""
    parts = [b""]
    count = 0
    for client_id, clock, state in entries:
        parts += [write_var_uint(client_id), write_var_uint(clock)]
        parts += [write_var_uint(len(state)), state]
        count += 1
    parts[0] = write_var_uint(count)
    return b"".join(parts)


def awareness_client_ids(update: bytes) -> list[int]:
    """The client ids an awareness update speaks for; raises on a malformed update."""
    return [client_id for client_id, _, _ in awareness_entries(update)]


def sync_step1(state_vector: bytes) -> bytes:
    return bytes((YMessageType.SYNC, YSyncMessageType.SYNC_STEP1)) + _with_length(state_vector)


def sync_step2(update: bytes) -> bytes:
    return bytes((YMessageType.SYNC, YSyncMessageType.SYNC_STEP2)) + _with_length(update)


def update_message(update: bytes) -> bytes:
    return create_update_message(update)


def awareness_message(update: bytes) -> bytes:
    return create_awareness_message(update)


def permission_denied(reason: str) -> bytes:
    """The y-protocols auth message `[2, 0, reason]`, which stock clients log once."""
    return bytes((MESSAGE_AUTH, 0)) + _with_length(reason.encode())


def _with_length(data: bytes) -> bytes:
    return write_var_uint(len(data)) + data
