"""The generated summary, built once per version of the boards it tells.

Building the summary of a big session takes long (about half a second for 5,000 notes),
and the Lab display, a bot and an export may each ask for it again and again while
nothing changes. So each (session, format, language) keeps the summary of the last board
versions it was built from, and a request for the same versions gets the same result;
requests that come while it is being built wait for that one build. A version is a
process-wide number that every loaded document takes anew on each change and on each
load (server/sync/document.py), so it never repeats, even when a board is unloaded and loaded
again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from rooms.control import Value

Summary: TypeAlias = Value | str  # the JSON, or its Markdown
Key: TypeAlias = tuple[str, str, str | None]  # session, format, language
Versions: TypeAlias = tuple[tuple[str, int], ...]  # (board, version) of every board read

MAX_KEPT = 32  # (session, format, language) kept; a big session's summary is a few MB


class SummaryCache:
    def __init__(self, built: Callable[[], None]) -> None:
        self._built = built  # counts builds, for the metrics
        self._kept: OrderedDict[Key, tuple[Versions, asyncio.Task[Summary]]] = OrderedDict()

    async def get(
        self, key: Key, versions: Versions, build: Callable[[], Awaitable[Summary]]
    ) -> Summary:
        """The summary for `key` at `versions`: kept, being built, or built now by
        `build`. The result is shared: callers must not change it."""
        kept = self._kept.get(key)
        if kept is None or kept[0] != versions:
            kept = (versions, asyncio.create_task(self._build(build)))
            self._kept[key] = kept
        self._kept.move_to_end(key)
        while len(self._kept) > MAX_KEPT:
            self._kept.popitem(last=False)
        task = kept[1]
        try:
            return await asyncio.shield(task)
        except Exception:
            if self._kept.get(key) == kept:  # a failed build is not kept
                del self._kept[key]
            raise

    async def _build(self, build: Callable[[], Awaitable[Summary]]) -> Summary:
        made = await build()
        self._built()
        return made

    def forget(self, session_id: str) -> None:
        """A deleted session's summaries go with it."""
        for key in [k for k in self._kept if k[0] == session_id]:
            del self._kept[key]
