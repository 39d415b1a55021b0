"""Bearer secrets: random, and stored only as SHA-256 hashes.

A token is found by its hash, never compared as text: the time a lookup takes depends on
the hash, which tells an attacker nothing about any stored token, so the comparison is
as good as constant-time. (The server's create key, which is compared, uses hmac.)
"""

from __future__ import annotations

import hashlib
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
