"""Bearer secrets: random, stored only as hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 24  # 192 bits
ID_BYTES = 9


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_id() -> str:
    """A session or participant id: public in URLs, so it only needs to be unique."""
    return secrets.token_urlsafe(ID_BYTES).replace("-", "x").replace("_", "y")


def token_hash(token: str) -> str:
    """What the stores keep: a leaked database reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
