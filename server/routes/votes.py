"""Dot voting: the facilitator opens, closes and reveals; people place and take back dots.

Dots are kept in the server-only ballots document; `control` learns only the totals
while the vote is open, and the ranking when it is revealed.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import boards, votes
from rooms.control import Value

from ..access import FACILITATOR, PARTICIPANT
from ..control import PRIVATE
from ..inputs import bool_field, int_field, json_body, required_int, required_text, text_field
from ..scheduler import now_ms
from ..tokens import new_id
from .base import SESSION, Endpoints, answer, route

VOTE = SESSION + "/votes/{vote_id}"
VOTERS = (PARTICIPANT, FACILITATOR)


class Votes(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/votes", self.create, "POST"),
            route(VOTE + "/dots", self.cast, "POST"),
            route(VOTE + "/dots", self.mine, "GET"),
            route(VOTE + "/dots/{note}", self.retract, "DELETE"),
            route(VOTE + "/close", self.close, "POST"),
            route(VOTE + "/reveal", self.reveal, "POST"),
        ]

    async def create(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        title = text_field(body, "title", required=False, limit=200) or ""
        board = required_text(body, "board", limit=64)
        section = text_field(body, "section", required=False, limit=128)
        per_participant = required_int(body, "per_participant", low=1, high=100)
        per_note = int_field(body, "per_note", default=per_participant, low=1, high=100)
        anonymous = bool_field(body, "anonymous", default=True)
        assert per_note is not None
        vote_id = new_id()
        now = now_ms()
        control = await self.control(request)

        def create(doc: Doc[Any]) -> Value:
            boards.require_listed(doc, board)
            return votes.create(
                doc,
                vote_id,
                title=title,
                board=board,
                section=section,
                per_participant=per_participant,
                per_note=per_note,
                anonymous=anonymous,
                now=now,
            )

        return answer(await control.change(session_id, create), 201)

    async def cast(self, request: Request) -> JSONResponse:
        note = required_text(await json_body(request), "note", limit=128)
        return await self._dot(request, note, votes.cast, 201)

    async def retract(self, request: Request) -> JSONResponse:
        note = request.path_params["note"]
        return await self._dot(request, note, lambda v, b, p, n, _: votes.retract(v, b, p, n), 200)

    async def mine(self, request: Request) -> JSONResponse:
        session_id, person_id = await self.person(request, *VOTERS)
        vote_id = request.path_params["vote_id"]
        control = await self.control(request)
        vote = await control.read(session_id, lambda doc: votes.get(doc, vote_id))
        dots = await control.read_board(
            session_id, PRIVATE, lambda doc: votes.mine(doc, vote_id, person_id)
        )
        return answer(_own(vote, dots))

    async def close(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        vote_id = request.path_params["vote_id"]
        now = now_ms()
        control = await self.control(request)
        return answer(await control.change(session_id, lambda doc: votes.close(doc, vote_id, now)))

    async def reveal(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        vote_id = request.path_params["vote_id"]
        control = await self.control(request)
        async with control.lock(session_id):
            vote = await control.read(session_id, lambda doc: votes.get(doc, vote_id))
            ranked = await control.read_board(
                session_id, PRIVATE, lambda doc: votes.results(vote, doc)
            )
            revealed = await control.change(
                session_id, lambda doc: votes.reveal(doc, vote_id, ranked)
            )
        return answer(revealed)

    async def _dot(self, request: Request, note: str, step: Any, status: int) -> JSONResponse:
        """Place or take back one dot: check the vote, change the ballot, publish totals."""
        session_id, person_id = await self.person(request, *VOTERS)
        vote_id = request.path_params["vote_id"]
        control = await self.control(request)
        async with control.lock(session_id):
            vote = await control.read(session_id, lambda doc: votes.get(doc, vote_id))
            eligible = await control.read_board(
                session_id, vote["board"], lambda doc: _notes_in(doc, vote["section"])
            )
            tally: votes.Tally = await control.change_board(
                session_id, PRIVATE, lambda doc: step(vote, doc, person_id, note, eligible)
            )
            await control.change(session_id, lambda doc: votes.record(doc, vote_id, tally))
        return answer(_own(vote, tally.mine), status)


def _notes_in(board: Doc[Any], section: str | None) -> set[str]:
    notes = board.get("notes", type=Map)
    return {
        note_id
        for note_id, note in notes.items()
        if section is None or (isinstance(note, Map) and note.get("section") == section)
    }


def _own(vote: Value, dots: dict[str, int]) -> Value:
    return {
        "vote": vote["id"],
        "dots": dots,
        "remaining": int(vote["per_participant"]) - sum(dots.values()),
    }
