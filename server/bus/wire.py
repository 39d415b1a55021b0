"""The messages instances exchange over Redis pub/sub, and their byte layout.

Every message is `kind (1 byte) | sender instance id (16 ASCII bytes) | body`. The
sender id lets an instance ignore its own messages and know whose presence it holds.

    U  on a board's channel   body: one Yjs update (several merged)
    A  on a board's channel   body: one awareness update of the sender's clients: every
                              change of one tick (server/sync/ticks.py)
    1  on a board's channel   "what do you have that I lack?": sync step 1 between
                              instances; body: state vector, full presence of the sender
    2  on an instance inbox   the answer: board key, the diff, and (when the answerer wants
                              the same) its own state vector, and its full presence
    P  on the sender's inbox  a ping to itself: proves the subscription still delivers
    D  on the deletions channel   body: the id of a session deleted
    C  on the sockets channel     sockets to close (bus.base.SocketClose): session id,
                                  subject, role (empty: any), close code, reason
    H  on the sockets channel     a token whose new sockets are refused for a while:
                                  its hash (hex), seconds

Fields of a body are length-prefixed (4 bytes, big endian). An empty presence field
means "no presence information"; an awareness update with no clients means "none".
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .base import SocketClose

INSTANCE_ID_LENGTH = 16
UPDATE = ord("U")
AWARENESS = ord("A")
SYNC_REQUEST = ord("1")
SYNC_REPLY = ord("2")
PING = ord("P")
DELETED = ord("D")
SOCKETS_CLOSED = ord("C")
HELD_OFF = ord("H")
MAX_HOLD_OFF_SECONDS = 3600.0
# What a socket-close order may ask for: a token refused, access withdrawn. Nothing else
# is taken from the bus, whoever could publish on it.
CLOSE_CODES = frozenset({4401, 4403})
CLOSE_FIELD_BYTES = 256  # a session id, subject or role at most
CLOSE_REASON_BYTES = 123  # what a WebSocket close frame can carry
_LENGTH = struct.Struct(">I")


class WireError(ValueError):
    """A message no Paja instance sends; it is ignored."""


@dataclass(frozen=True, slots=True)
class Message:
    kind: int
    sender: str
    body: bytes


def encode(kind: int, sender: str, *fields: bytes) -> bytes:
    """`fields` are length-prefixed, except a single raw body for U and A messages."""
    head = bytes((kind,)) + sender.encode("ascii")
    if kind in (UPDATE, AWARENESS, PING):
        return head + b"".join(fields)
    return head + b"".join(_LENGTH.pack(len(f)) + f for f in fields)


def decode(data: bytes) -> Message:
    if len(data) < 1 + INSTANCE_ID_LENGTH:
        raise WireError("message too short")
    try:
        sender = data[1 : 1 + INSTANCE_ID_LENGTH].decode("ascii")
    except UnicodeDecodeError as exc:
        raise WireError("sender is not an instance id") from exc
    return Message(data[0], sender, data[1 + INSTANCE_ID_LENGTH :])


def fields(body: bytes, count: int) -> list[bytes]:
    """Split a body into exactly `count` length-prefixed fields."""
    out: list[bytes] = []
    pos = 0
    for _ in range(count):
        if pos + _LENGTH.size > len(body):
            raise WireError("truncated field length")
        (length,) = _LENGTH.unpack_from(body, pos)
        pos += _LENGTH.size
        if pos + length > len(body):
            raise WireError("field past the end of the message")
        out.append(body[pos : pos + length])
        pos += length
    return out


def encode_close(sender: str, order: SocketClose) -> bytes:
    texts = (order.session_id, order.subject, order.role or "", str(order.code), order.reason)
    return encode(SOCKETS_CLOSED, sender, *(t.encode() for t in texts))


def decode_close(message: Message) -> SocketClose:
    """The order a `C` message carries, bounded like any other input."""
    raw = fields(message.body, 5)
    if any(len(f) > CLOSE_FIELD_BYTES for f in raw) or len(raw[4]) > CLOSE_REASON_BYTES:
        raise WireError("a socket-close field is too long")
    session_id, subject, role, code, reason = (f.decode() for f in raw)
    if not code.isdigit() or int(code) not in CLOSE_CODES or not session_id:
        raise WireError("not a socket-close order an instance sends")
    return SocketClose(session_id, subject, role or None, int(code), reason)


def encode_held_off(sender: str, token_hash: str, seconds: float) -> bytes:
    return encode(HELD_OFF, sender, token_hash.encode(), repr(float(seconds)).encode())


def decode_held_off(message: Message) -> tuple[str, float]:
    """A token hash (SHA-256, hex) and a hold-off of at most an hour."""
    raw_hash, raw_seconds = fields(message.body, 2)
    token_hash = raw_hash.decode("ascii")
    if len(token_hash) != 64 or token_hash.strip("0123456789abcdef"):
        raise WireError("not a token hash")
    if len(raw_seconds) > 32:
        raise WireError("a hold-off is a short number")
    seconds = float(raw_seconds)
    if not 0 <= seconds <= MAX_HOLD_OFF_SECONDS:  # also refuses nan
        raise WireError("a hold-off of 0 to 3600 seconds")
    return token_hash, seconds
