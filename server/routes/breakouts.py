"""Breakout rounds: draft with a strategy, open, run (messages, time, moves, help), close,
and harvest the rooms' notes into `main`."""

from __future__ import annotations

import asyncio
from random import Random
from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import notes, rounds, session, timers
from rooms.control import Value

from ..access import FACILITATOR, MAIN, PARTICIPANT
from ..inputs import (
    bool_field,
    int_field,
    json_body,
    required_int,
    required_text,
    text_field,
    text_list,
)
from ..limits import BOARD_FULL, BoardLimits, no_room, too_many_boards
from ..problems import Problem
from ..scheduler import now_ms
from ..tokens import new_id
from .base import SESSION, Endpoints, answer, route

ROUND = SESSION + "/breakouts/{round_id}"
MAX_SEED = 2**53


class Breakouts(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/breakouts", self.draft, "POST"),
            route(ROUND, self.discard, "DELETE"),
            route(ROUND + "/open", self.open, "POST"),
            route(ROUND + "/close", self.close, "POST"),
            route(ROUND + "/messages", self.broadcast, "POST"),
            route(ROUND + "/time", self.adjust, "POST"),
            route(ROUND + "/moves", self.move, "POST"),
            route(ROUND + "/choice", self.choose, "POST"),
            route(ROUND + "/help", self.ask_help, "POST"),
            route(ROUND + "/help/{room}", self.clear_help, "DELETE"),
            route(ROUND + "/rooms/{room}/promote", self.promote, "POST"),
        ]

    async def draft(self, request: Request) -> JSONResponse:
        """Allocate people with a strategy; nobody moves until the round opens."""
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        strategy = required_text(body, "strategy", limit=32)
        reuse = text_field(body, "reuse", required=False, limit=16)
        avoid_repeats = bool_field(body, "avoid_repeats", default=True)
        names = text_list(body, "names", limit=80, items=200)
        duration = int_field(body, "duration_ms", default=600_000, low=1, high=timers.MAX_MS)
        closing = int_field(
            body, "closing_ms", default=rounds.DEFAULT_CLOSING_MS, low=0, high=600_000
        )
        seed = int_field(body, "seed", low=0, high=MAX_SEED)
        csv_text = body.get("csv")
        if csv_text is not None and not isinstance(csv_text, str):
            raise Problem(422, "'csv' is the text of a CSV file")
        rooms = int_field(body, "rooms", low=1, high=200)
        group_size = int_field(body, "group_size", low=1, high=200)
        capacity = int_field(body, "capacity", low=1, high=1000)
        key = text_field(body, "key", required=False, limit=32)
        ratio = _ratio(body.get("ratio"))
        confidential = bool_field(body, "confidential", default=False)
        control = await self.control(request)

        def known(doc: Doc[Any]) -> tuple[Any, ...]:
            earlier = rounds.earlier(doc, reuse) if reuse else None
            seen = rounds.pairs(doc) if avoid_repeats else set()
            return session.people(doc), earlier, seen

        people, earlier, seen = await control.read(session_id, known)
        rng = Random(seed)
        chosen = await asyncio.to_thread(
            lambda: rounds.plan(
                strategy,
                people,
                rng=rng,
                rooms=rooms,
                group_size=group_size,
                key=key,
                ratio=ratio,
                csv_text=csv_text,
                capacity=capacity,
                earlier=earlier,
                history=seen,
            )
        )
        assert duration is not None and closing is not None
        existing = await self.store.sessions.list_boards(session_id)
        limit = self.settings.max_boards_per_session

        def draft(doc: Doc[Any]) -> Value:
            # In the change that drafts, before it writes: the boards are the ones the draft
            # names. A discarded draft's boards stay stored and count (they are not reused).
            refusal = too_many_boards(existing, rounds.boards_for(doc, chosen), limit)
            if refusal is not None:
                raise Problem(409, refusal)
            return rounds.draft(
                doc,
                chosen,
                duration_ms=duration,
                closing_ms=closing,
                names=names,
                confidential=confidential,
            )

        value = await control.change(session_id, draft)
        for room in value["rooms"]:
            await self.store.sessions.add_board(session_id, room["board"])
        return answer(value, 201)

    async def discard(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        round_id = request.path_params["round_id"]
        control = await self.control(request)
        await control.change(session_id, lambda doc: rounds.discard(doc, round_id))
        return answer({"id": round_id, "discarded": True})

    async def open(self, request: Request) -> JSONResponse:
        body = await json_body(request, optional=True)
        duration = int_field(body, "duration_ms", low=1, high=timers.MAX_MS)
        confidential = bool_field(body, "confidential", default=None)
        return await self._command(
            request,
            lambda doc, rid, now: rounds.open_round(doc, rid, now, duration, confidential),
        )

    async def close(self, request: Request) -> JSONResponse:
        return await self._command(request, rounds.close)

    async def broadcast(self, request: Request) -> JSONResponse:
        text = required_text(await json_body(request), "text", limit=500)
        return await self._command(
            request, lambda doc, rid, now: rounds.broadcast(doc, rid, text, now)
        )

    async def adjust(self, request: Request) -> JSONResponse:
        delta = required_int(
            await json_body(request), "delta_ms", low=-timers.MAX_MS, high=timers.MAX_MS
        )
        return await self._command(
            request, lambda doc, rid, now: rounds.adjust(doc, rid, delta, now)
        )

    async def move(self, request: Request) -> JSONResponse:
        body = await json_body(request)
        person_id = required_text(body, "participant", limit=64)
        room = required_text(body, "room", limit=64)

        def move(doc: Doc[Any], round_id: str, now: int) -> Value:
            session.person(doc, person_id)
            return rounds.move(doc, round_id, person_id, room, now)

        return await self._command(request, move)

    async def clear_help(self, request: Request) -> JSONResponse:
        room = request.path_params["room"]
        return await self._command(request, lambda doc, rid, now: rounds.clear_help(doc, rid, room))

    async def choose(self, request: Request) -> JSONResponse:
        session_id, person_id = await self.person(request, PARTICIPANT)
        room = required_text(await json_body(request), "room", limit=64)
        round_id = request.path_params["round_id"]
        control = await self.control(request)
        value = await control.change(
            session_id, lambda doc: rounds.choose(doc, round_id, person_id, room)
        )
        return answer(value)

    async def ask_help(self, request: Request) -> JSONResponse:
        """A participant calls the facilitator to their room."""
        session_id, person_id = await self.person(request, PARTICIPANT)
        round_id = request.path_params["round_id"]
        now = now_ms()
        control = await self.control(request)
        value = await control.change(
            session_id, lambda doc: rounds.ask_help(doc, round_id, person_id, now)
        )
        return answer(value)

    async def promote(self, request: Request) -> JSONResponse:
        """Copy chosen notes of a closed room to `main` as new, editable notes.

        Held to `main`'s limits like a client's write, and idempotent: a note of this room
        already on `main` is not copied again, so repeating a promotion adds nothing."""
        session_id, grant = await self.caller(request, FACILITATOR, PARTICIPANT)
        round_id = request.path_params["round_id"]
        room_id = request.path_params["room"]
        listed = text_list(await json_body(request), "notes", limit=128, items=notes.MAX_PROMOTED)
        if not listed:
            raise Problem(422, "'notes' lists the ids of the notes to promote")
        chosen = list(dict.fromkeys(listed))
        control = await self.control(request)
        room = await control.read(
            session_id, lambda doc: rounds.harvested_room(doc, round_id, room_id)
        )
        if grant.role == PARTICIPANT and grant.subject not in room["members"]:
            raise Problem(403, "only the room's own group promotes its notes")
        copies = await control.read_board(
            session_id, room["board"], lambda doc: notes.copies(doc, chosen)
        )
        limits = BoardLimits(self.settings.max_board_bytes, self.settings.max_notes_per_board)

        def promote(doc: Doc[Any]) -> tuple[list[str], str | None, bool]:
            done = notes.promoted_from(doc, room["board"])
            fresh = [copy for copy in copies if copy["id"] not in done]
            if not fresh:
                return [done[c["id"]][0] for c in copies], done[copies[0]["id"]][1], False
            refusal = no_room(doc, [copy["text"] for copy in fresh], limits)
            if refusal is not None:
                raise Problem(409, refusal, reason=BOARD_FULL)
            section_id = new_id()
            added = {copy["id"]: new_id() for copy in fresh}
            notes.paste(
                doc,
                fresh,
                list(added.values()),
                room["board"],
                section_id=section_id,
                title=room["name"],
            )
            return [added.get(c["id"]) or done[c["id"]][0] for c in copies], section_id, True

        ids, section_id, added = await control.change_board(session_id, MAIN, promote)
        return answer({"board": MAIN, "notes": ids, "section": section_id}, 201 if added else 200)

    async def _command(self, request: Request, command: Any) -> JSONResponse:
        """A facilitator's command on one round: `command(doc, round_id, now)`."""
        session_id, _ = await self.caller(request, FACILITATOR)
        round_id = request.path_params["round_id"]
        now = now_ms()
        control = await self.control(request)
        return answer(await control.change(session_id, lambda doc: command(doc, round_id, now)))


def _ratio(raw: Any) -> dict[str, float] | None:
    if raw is None:
        return None
    if (
        not isinstance(raw, dict)
        or not raw
        or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in raw.values()
        )
    ):
        raise Problem(422, "'ratio' maps tag values to positive numbers")
    return {str(k): float(v) for k, v in raw.items()}
