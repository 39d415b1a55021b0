"""Why a facilitation command was refused. The server maps each kind to one HTTP status;
the message is written for the person who sent the command and can be shown as it is."""

from __future__ import annotations


class Refused(Exception):
    """A command that the session's current state or its input does not allow."""


class NotFound(Refused):
    """The command names a timer, round, room, vote, poll or person the session lacks."""


class Conflict(Refused):
    """The thing exists but is in the wrong state, or a limit is reached (e.g. dots)."""


class Invalid(Refused):
    """The input itself is wrong, whatever the state (a negative duration, an empty name)."""
