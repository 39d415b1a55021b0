"""A small client for Paja bots: the session's REST API (`PajaClient`) and a read-only,
live copy of any board (`LiveBoard`). docs/bots.md shows a whole bot."""

from .live import BoardClosed, LiveBoard
from .rest import PajaClient, PajaError, SessionLink, parse_link

__all__ = ["BoardClosed", "LiveBoard", "PajaClient", "PajaError", "SessionLink", "parse_link"]
