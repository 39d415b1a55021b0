"""Programmes: the one bounded JSON value each programme is (rooms/programmes.py), and the
personal tokens of its members, stored only as SHA-256 hashes.

The sessions a programme holds (its events and its groups' spaces) are ordinary sessions
in the SessionStore; a programme's value names them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
MAX_PROGRAMME_BYTES = 2 * 1024 * 1024  # a full programme of 500 members is a tenth of this


class ProgrammeMissing(Exception):
    """The programme is not stored (any more)."""


@dataclass(frozen=True)
class ProgrammeGrant:
    """What a programme token allows: the programme, as one member (their personal link),
    or as its creator (member "")."""

    programme_id: str
    member: str = ""


class ProgrammeStore(Protocol):
    async def create_programme(
        self, programme_id: str, data: dict[str, Any], grants: Mapping[str, ProgrammeGrant]
    ) -> None: ...

    async def get_programme(self, programme_id: str) -> dict[str, Any] | None: ...

    async def update_programme(self, programme_id: str, change: Callable[[dict[str, Any]], T]) -> T:
        """Read, change and write the programme as one step that no other change
        interleaves with (across instances too); ProgrammeMissing when it is not stored,
        and nothing written when `change` raises."""
        ...

    async def add_programme_grants(self, grants: Mapping[str, ProgrammeGrant]) -> None: ...

    async def find_programme_grant(self, token_hash: str) -> ProgrammeGrant | None: ...

    async def take_programme_grant(self, token_hash: str) -> ProgrammeGrant | None:
        """Find and remove a grant in one step: a one-use token (a follow-up poll's link)
        is taken by exactly one of two requests that race with it."""
        ...

    async def revoke_member(self, programme_id: str, member: str) -> int:
        """Every token of one member stops working; returns how many there were."""
        ...

    async def delete_programme(self, programme_id: str) -> None:
        """The programme's value and every token of it; its sessions are deleted by the
        caller (each through retention). Idempotent."""
        ...
