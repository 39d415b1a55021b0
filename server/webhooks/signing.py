"""The `Paja-Signature` header: HMAC-SHA256 over the send time and the exact body bytes.

A receiver recomputes the HMAC with the webhook's secret and refuses a stale timestamp,
so a captured request cannot be replayed later and a forged one never verifies. The
format follows the widespread `t=...,v1=...` convention, so a second `v1` can be added
while a secret is rotated. Receivers and the bot client import this module as it is.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Paja-Signature"
EVENT_HEADER = "Paja-Event"
DELIVERY_HEADER = "Paja-Delivery"
REPLAY_WINDOW_SECONDS = 300


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _bytes(body: str | bytes) -> bytes:
    return body.encode() if isinstance(body, str) else body


def sign(secret: str, timestamp: int, body: str | bytes) -> str:
    """The header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_digest(secret, timestamp, _bytes(body))}"


def headers(
    secret: str, event: str, delivery_id: str, body: str | bytes, now: float
) -> dict[str, str]:
    """The headers of a request carrying `body`: what it is, and its signature at `now`
    when there is a secret (Teams messages have none). The outbox and the bot client both
    send these, so a receiver cannot tell which of them sent an event."""
    sent = {"Content-Type": "application/json", EVENT_HEADER: event, DELIVERY_HEADER: delivery_id}
    if secret:
        sent[SIGNATURE_HEADER] = sign(secret, int(now), body)
    return sent


def verify(
    secret: str,
    header: str,
    body: str | bytes,
    now: float,
    window_seconds: float = REPLAY_WINDOW_SECONDS,
) -> bool:
    """Whether `header` signs `body` with `secret` within `window_seconds` of `now`.

    Pass the body exactly as received (bytes), before any JSON parsing.
    """
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures or abs(now - timestamp) > window_seconds:
        return False
    expected = _digest(secret, timestamp, _bytes(body))
    # Every candidate is compared, so the time taken does not tell which one matched.
    matches = [hmac.compare_digest(expected.encode(), s.encode()) for s in signatures]
    return any(matches)
