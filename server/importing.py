"""Reading a session export for an import, in a worker process of its own.

An import is up to `max_import_bytes` of JSON, base64 and Yjs to decode. pycrdt holds the
GIL while it decodes, so a worker thread would still stall every other request, and the
decoded documents would stay in the server's heap. A short-lived process does the work
instead: the server only reads the body and stores the states it is handed back.
"""

from __future__ import annotations

import asyncio
import base64
import multiprocessing
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from rooms import boards, exports
from rooms.control import from_state, table
from rooms.errors import Invalid

from .access import CONTROL
from .control import PRIVATE
from .inputs import parsed_body, required_text, text_field
from .nesting import Nesting, TooDeep
from .problems import Problem

T = TypeVar("T")
# A fresh interpreter: forking would copy a process that has threads, and a fork server
# holds the event loop while it first starts. Starting one costs the import a second or
# two of its own time, nobody else's.
_CONTEXT = multiprocessing.get_context("spawn")
FORMAT = "paja-session"
VERSION = 1


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
    body = parsed_body(raw)
    if body.get("format") != FORMAT or body.get("version") != VERSION:
        raise Problem(422, f"not a session export ('format': {FORMAT!r}, 'version': 1)")
    header = body.get("session")
    if not isinstance(header, dict):
        raise Problem(422, "'session' must be an object with the session's title")
    title = required_text(header, "title", limit=200)
    template = text_field(header, "template", required=False, limit=64)
    encoded = body.get("boards")
    if not isinstance(encoded, dict) or CONTROL not in encoded:
        raise Problem(422, "'boards' must be an object holding at least 'control'")
    if len(encoded) > limits.max_import_boards:
        raise Problem(413, f"an import holds at most {limits.max_import_boards} boards")
    if len(encoded.keys() - {CONTROL, PRIVATE}) > limits.max_boards_per_session:
        raise Problem(422, f"a session has at most {limits.max_boards_per_session} boards")
    states = {name: _decoded(name, state, limits) for name, state in encoded.items()}
    return Export(title, template, states)


def _decoded(name: str, encoded: Any, limits: ImportLimits) -> bytes:
    """One board's state, decoded once: as base64, then as Yjs (and `control` read as the
    server reads it), within the limits a client's writes are held to."""
    shown = repr(name[:64])
    if name not in (CONTROL, PRIVATE):
        try:
            boards.check_name(name)
        except Invalid as invalid:
            raise Problem(422, f"board {shown}: {invalid}") from invalid
    if not isinstance(encoded, str):
        raise Problem(422, f"board {shown} must be a base64 string")
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
