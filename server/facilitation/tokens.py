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
    """Never starting with "-", so `paja bot summary URL --token T` cannot read it as a
    flag (this spares 1 token in 64 and costs 0.02 bits)."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if not token.startswith("-"):
            return token


def new_id() -> str:
    """A session or participant id: public in URLs, so it only needs to be unique."""
    return secrets.token_urlsafe(ID_BYTES).replace("-", "x").replace("_", "y")


JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a screen
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    """A short code people type from the Lab screen (about 40 bits). It only finds the
    session; lookups are rate-limited per address, so guessing one is not practical."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normal_join_code(typed: str) -> str | None:
    """The stored form of a code as typed ("k7qm-4x2p", "K7QM 4X2P"), or None if it cannot
    be one."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != JOIN_CODE_LENGTH or not set(code) <= set(JOIN_CODE_ALPHABET):
        return None
    return code


def shown_join_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def join_url(base: str, code: str) -> str:
    """The page people join by, from the code as stored or as shown. Session answers,
    webhook messages and the bot client's cards all link here; it carries no secret."""
    return f"{base}/c/{code.replace('-', '')}"


def participant_url(base: str, session_id: str, join_secret: str) -> str:
    """The participant link: the join secret in the fragment no server is sent."""
    return f"{base}/j/{session_id}#join={join_secret}"


def display_url(base: str, session_id: str, token: str) -> str:
    """The Lab screen's page: an observer token, in the fragment no server is sent."""
    return f"{base}/d/{session_id}#token={token}"


def token_hash(token: str) -> str:
    """What the stores keep: a leaked database reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
