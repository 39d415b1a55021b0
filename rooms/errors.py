"""Why a facilitation command was refused. The server maps each kind to one HTTP status;
the message is written for the person who sent the command and can be shown as it is.

A refusal a person can meet in the browser also carries a stable `code` (snake_case) and
the `params` its message names, so a client can say it in the viewer's own language
instead of showing English inside a Finnish sentence."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A command that the session's current state or its input does not allow."""

    def __init__(self, message: str, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class NotFound(Refused):
    """The command names a timer, round, room, vote, poll or person the session lacks."""


class Conflict(Refused):
    """The thing exists but is in the wrong state, or a limit is reached (e.g. dots)."""


class Invalid(Refused):
    """The input itself is wrong, whatever the state (a negative duration, an empty name)."""
