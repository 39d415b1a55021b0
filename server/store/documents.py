"""The document log: what the sync core stores of a board, and all it asks of a store.

A board is stored as a snapshot plus the updates logged after it. The hub reads that
state when it loads a board, appends updates in batches, and hands a board leaving
memory back for compaction; access checks read `control` as one update.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pycrdt import Doc

from ..sync.nesting import sanitise_values
from ..sync.panics import is_panic


class LoadError(Exception):
    """Stored data of a document could not be read; the document must never be saved."""


class DocumentLog(Protocol):
    async def read_document(self, key: str) -> list[bytes]:
        """The document as stored, oldest first: its snapshot, then the updates logged
        after it; empty when nothing is stored. The hub applies them to the live document
        itself, so a load applies the stored state once and encodes nothing."""
        ...

    async def load_document(self, key: str) -> bytes | None:
        """The document's stored state as one update (see `fold`), or None when nothing is
        stored."""
        ...

    async def compact_from(self, key: str, doc: Doc[Any]) -> None:
        """Fold the document's log into a new snapshot encoded from `doc`: a board leaving
        memory, whose copy nobody changes any more and which holds every update this
        process read or stored for it. The log is applied to it, which costs little as it
        holds nearly all of it, instead of applying the whole snapshot to a scratch Doc;
        the next load is then one update, ready to send. A store that cannot tell whether
        `doc` holds its snapshot (another process may have compacted) leaves the log to
        its own compaction."""
        ...

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None:
        """Append updates to the logs of several documents in one durable write."""
        ...

    async def set_tallies(self, tallies: Mapping[str, int]) -> None:
        """Store one small number per document beside its log (how many notes a private
        board holds), so that it is read without loading the document, by any instance
        and after a restart; deleted with the session like the log."""
        ...

    async def read_tallies(self, keys: Sequence[str]) -> dict[str, int]:
        """The stored tallies of `keys`; a document never tallied is left out."""
        ...


def fold(updates: Sequence[bytes]) -> bytes:
    """Stored updates as one update. Several are applied in one transaction of a scratch
    Doc, which is much faster than `pycrdt.merge_updates` (superlinear in their number)
    and drops what later updates deleted; a single one is the whole state already."""
    if len(updates) == 1:
        try:
            return sanitise_values(updates[0])
        except ValueError as exc:
            raise LoadError("stored updates are corrupt") from exc
    doc: Doc[Any] = Doc()
    try:
        apply_stored(doc, updates)
    except LoadError:
        return replayed(updates)  # see `Hub._apply`
    return doc.get_update()


def apply_stored(doc: Doc[Any], updates: Sequence[bytes]) -> None:
    """Apply stored updates in one transaction; LoadError when one is corrupt. Values
    nested past the bound are neutralised first (`nesting.sanitise_values`): pycrdt's
    decoder would crash the process on them."""
    try:
        with doc.transaction():
            for update in updates:
                doc.apply_update(sanitise_values(update))
    except (ValueError, RuntimeError) as exc:  # pycrdt raises either on a corrupt update
        raise LoadError("stored updates are corrupt") from exc
    except BaseException as exc:  # or panics (an update applied twice, say: a compaction)
        if not is_panic(exc):
            raise
        raise LoadError("stored updates made pycrdt panic") from None


def replayed(updates: Sequence[bytes]) -> bytes:
    """Stored updates applied one transaction each, as the live board took them, as one
    update; LoadError when one still fails. For a log that fails in one transaction
    (`Hub._apply`): pycrdt integrates items waiting for a missing parent differently
    there. Slow for a long log, hence only then."""
    doc: Doc[Any] = Doc()
    for update in updates:
        apply_stored(doc, [update])
    return doc.get_update()


def document_key(session_id: str, board: str) -> str:
    return f"{session_id}/{board}"
