"""A session export's format (the models the export answers with and the import command
declares as its body), and reading one for an import in a worker process of its own.

An import is up to `max_import_bytes` of JSON, base64 and Yjs to decode. pycrdt holds the
GIL while it decodes, so a worker thread would still stall every other request, and the
decoded documents would stay in the server's heap. A short-lived process does the work
instead, validation against `SessionExport` included: the server only reads the body and
stores the states it is handed back.
"""

from __future__ import annotations

import asyncio
import base64
import multiprocessing
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field

from rooms import boards, exports
from rooms.control import from_state, table
from rooms.errors import Invalid

from ..http.inputs import Body, parsed_body, text, validated
from ..http.problems import Problem
from ..sync.nesting import Nesting, TooDeep
from .access import CONTROL
from .authority import PRIVATE

T = TypeVar("T")
# A fresh interpreter: forking would copy a process that has threads, and a fork server
# holds the event loop while it first starts. Starting one costs the import a second or
# two of its own time, nobody else's.
_CONTEXT = multiprocessing.get_context("spawn")
FORMAT = "paja-session"
VERSION = 1


class ExportedSession(Body):
    id: str | None = None
    title: Annotated[str, text(200)]
    template: Annotated[str, text(64)] | None = None
    language: Literal["fi", "sv", "en"] | None = None
    created_at: float | None = Field(None, description="epoch seconds")
    ended_at: int | None = Field(None, description="server epoch milliseconds")


class SessionExport(Body):
    format: Literal["paja-session"]
    version: Literal[1]
    exported_at: int | None = Field(None, description="server epoch milliseconds")
    session: ExportedSession
    boards: dict[str, str] = Field(
        description="board name (control, _ballots and every board) -> base64 of its full "
        "Yjs state; control is required"
    )


class Slots:
    """At most `count` imports at once on this instance: each holds a worker process and
    a body of up to `max_import_bytes`."""

    def __init__(self, count: int) -> None:
        self.free = count

    @contextmanager
    def taken(self) -> Iterator[None]:
        if self.free <= 0:
            raise Problem(503, "other imports are running; try again", retry_after=5)
        self.free -= 1
        try:
            yield
        finally:
            self.free += 1


@dataclass(frozen=True)
class ImportLimits:
    """The settings an export is checked against, handed to the worker process."""

    max_import_boards: int
    max_boards_per_session: int
    max_board_bytes: int
    max_notes_per_board: int


@dataclass(frozen=True)
class Export:
    title: str
    template: str | None
    states: dict[str, bytes]


@asynccontextmanager
async def worker() -> AsyncIterator[Callable[..., Any]]:
    """A process for one import: `await run(function, *args)` runs there. A refusal
    (`Problem`) raised there is raised here as it was."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_CONTEXT)
    loop = asyncio.get_running_loop()

    async def run(function: Callable[..., T], *args: Any) -> T:
        outcome = await loop.run_in_executor(pool, _refusals_returned, function, *args)
        if isinstance(outcome, _Refusal):
            raise Problem(outcome.status, outcome.detail)
        return outcome

    try:
        yield run
    finally:
        pool.shutdown(wait=False)


@dataclass(frozen=True)
class _Refusal:
    status: int
    detail: str


def _refusals_returned(function: Callable[..., T], *args: Any) -> T | _Refusal:
    """A `Problem` carries keyword fields that do not survive pickling: send its parts."""
    try:
        return function(*args)
    except Problem as problem:
        return _Refusal(problem.status, problem.detail)
    except Invalid as invalid:
        return _Refusal(422, str(invalid))


def read_export(raw: bytes, limits: ImportLimits) -> Export:
    """The title, template and decoded board states of an export's JSON body, or the
    problem why it cannot be imported."""
    export = validated(SessionExport, parsed_body(raw))
    encoded = export.boards
    if CONTROL not in encoded:
        raise Problem(422, "'boards' must be an object holding at least 'control'")
    if len(encoded) > limits.max_import_boards:
        raise Problem(413, f"an import holds at most {limits.max_import_boards} boards")
    if len(encoded.keys() - {CONTROL, PRIVATE}) > limits.max_boards_per_session:
        raise Problem(422, f"a session has at most {limits.max_boards_per_session} boards")
    states = {name: _decoded(name, state, limits) for name, state in encoded.items()}
    return Export(export.session.title, export.session.template, states)


def _decoded(name: str, encoded: str, limits: ImportLimits) -> bytes:
    """One board's state, decoded once: as base64, then as Yjs (and `control` read as the
    server reads it), within the limits a client's writes are held to."""
    shown = repr(name[:64])
    if name not in (CONTROL, PRIVATE):
        try:
            boards.check_name(name)
        except Invalid as invalid:
            raise Problem(422, f"board {shown}: {invalid}") from invalid
    try:
        state = base64.b64decode(encoded, validate=True)
    except ValueError as exc:  # bad base64 (binascii.Error), or not ASCII
        raise Problem(422, f"board {shown} is not valid base64") from exc
    if len(state) > limits.max_board_bytes:
        raise Problem(422, f"board {shown} is larger than this server allows")
    try:
        Nesting().check(state)  # before pycrdt, whose decoder a deep value would crash
        doc = from_state(state)
    except TooDeep as exc:
        raise Problem(422, f"board {shown} nests too deeply: {exc}") from exc
    except (ValueError, RuntimeError) as exc:  # pycrdt refuses a corrupt state
        raise Problem(422, f"board {shown} is not a Yjs document state") from exc
    if name == CONTROL:
        exports.check_control(doc)
    elif len(table(doc, "notes")) > limits.max_notes_per_board:
        raise Problem(422, f"board {shown} holds more notes than this server allows")
    return state
