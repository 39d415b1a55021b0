"""People in a session: removing someone, promoting a co-facilitator, minting a token
for another Lab display."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rooms import rounds, session
from rooms.control import NOTICES, table

from ..access import FACILITATOR, OBSERVER
from ..inputs import json_body, one_of, required_text
from ..protocol import CloseCode
from ..store.sessions import Grant
from ..tokens import display_url, new_token, token_hash
from .base import SESSION, Endpoints, answer, route


class People(Endpoints):
    def routes(self) -> list[Route]:
        return [
            route(SESSION + "/participants/{participant_id}", self.remove, "DELETE"),
            route(SESSION + "/participants/{participant_id}/role", self.set_role, "PUT"),
            route(SESSION + "/observers", self.new_observer, "POST"),
        ]

    async def remove(self, request: Request) -> JSONResponse:
        """Out at once: tokens revoked first (so a reconnect fails), then sockets closed."""
        session_id, _ = await self.caller(request, FACILITATOR)
        person_id = request.path_params["participant_id"]
        control = await self.control(request)
        await control.read(session_id, lambda doc: session.person(doc, person_id))
        revoked = await self.store.sessions.revoke_subject(session_id, person_id)
        closed = control.disconnect(
            session_id, person_id, CloseCode.FORBIDDEN, "removed from the session"
        )

        def forget(doc: Doc[Any]) -> None:
            session.remove(doc, person_id)
            rounds.remove_person(doc, person_id)
            table(doc, NOTICES).pop(person_id, None)

        await control.change(session_id, forget)
        return answer(
            {"participant_id": person_id, "tokens_revoked": revoked, "sockets_closed": closed}
        )

    async def set_role(self, request: Request) -> JSONResponse:
        """A co-facilitator's own token gains facilitator rights (and loses them again)."""
        session_id, _ = await self.caller(request, FACILITATOR)
        person_id = request.path_params["participant_id"]
        role = required_text(await json_body(request), "role", limit=32)
        one_of(role, "role", session.PERSON_ROLES)
        control = await self.control(request)
        await control.read(session_id, lambda doc: session.person(doc, person_id))
        await self.store.sessions.set_role(session_id, person_id, role)
        control.regrant(session_id, person_id, role)
        person = await control.change(
            session_id, lambda doc: session.set_role(doc, person_id, role)
        )
        return answer({"participant_id": person_id, **person})

    async def new_observer(self, request: Request) -> JSONResponse:
        """Another read-only token, e.g. for a second screen in the Lab."""
        session_id, _ = await self.caller(request, FACILITATOR)
        token = new_token()
        await self.store.sessions.add_grant(token_hash(token), Grant(session_id, OBSERVER))
        url = display_url(self.base_url(request), session_id, token)
        return answer({"token": token, "display_url": url}, 201)
