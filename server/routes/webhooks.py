"""Outgoing webhooks of a session, and the deliveries in its outbox (facilitator only).

A webhook's URL is answered masked, always; its signing secret once, in the answer that
created it. The outbox itself is server/webhooks/outbox.py.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..access import FACILITATOR
from ..inputs import json_body, one_of, text_field
from ..problems import Problem
from ..store.webhooks import DEAD, DELIVERED, PENDING, Delivery, Webhook
from ..tokens import new_id
from ..webhooks import messages, urls
from ..webhooks.outbox import Outbox
from .base import SESSION, Context, Endpoints, answer, route

WEBHOOKS = SESSION + "/webhooks"
DELIVERIES = WEBHOOKS + "/deliveries"
MAX_WEBHOOKS = 10
STATES = (PENDING, DELIVERED, DEAD)
SECRET_BYTES = 32


class Webhooks(Endpoints):
    def __init__(self, context: Context, outbox: Outbox) -> None:
        super().__init__(context)
        self.outbox = outbox

    def routes(self) -> list[Route]:
        return [
            route(WEBHOOKS, self.create, "POST"),
            route(WEBHOOKS, self.list_all, "GET"),
            route(DELIVERIES, self.deliveries, "GET"),
            route(DELIVERIES + "/{delivery_id}/retry", self.retry, "POST"),
            route(WEBHOOKS + "/{webhook_id}", self.remove, "DELETE"),
        ]

    async def create(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        body = await json_body(request)
        url = text_field(body, "url", required=True, limit=urls.MAX_URL_CHARS)
        assert url is not None
        wrong = urls.problem(url, allow_private=self.settings.webhook_allow_private)
        if wrong:
            raise Problem(422, wrong)
        form = one_of(body.get("format", messages.JSON_FORMAT), "format", messages.FORMATS)
        events = body.get("events", list(messages.EVENTS))
        if (
            not isinstance(events, list)
            or not events
            or not all(isinstance(e, str) and e in messages.EVENTS for e in events)
        ):
            raise Problem(422, f"'events' is a non-empty list of: {', '.join(messages.EVENTS)}")
        if len(await self.store.webhooks.list_webhooks(session_id)) >= MAX_WEBHOOKS:
            raise Problem(409, f"a session has at most {MAX_WEBHOOKS} webhooks")
        secret = secrets.token_hex(SECRET_BYTES) if form == messages.JSON_FORMAT else ""
        webhook = Webhook(
            id=new_id(),
            session_id=session_id,
            url=url,
            format=form,
            events=tuple(e for e in messages.EVENTS if e in events),
            secret=secret,
            created_at=time.time(),
        )
        await self.store.webhooks.add_webhook(webhook)
        self.outbox.remember_base(session_id, self.base_url(request))
        shown = _webhook(webhook)
        if secret:
            shown["secret"] = secret
        return answer(shown, 201)

    async def list_all(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        self.outbox.remember_base(session_id, self.base_url(request))
        return answer([_webhook(w) for w in await self.store.webhooks.list_webhooks(session_id)])

    async def remove(self, request: Request) -> Response:
        session_id, _ = await self.caller(request, FACILITATOR)
        if not await self.store.webhooks.remove_webhook(
            session_id, request.path_params["webhook_id"]
        ):
            raise Problem(404, "no such webhook")
        return Response(status_code=204)

    async def deliveries(self, request: Request) -> JSONResponse:
        session_id, _ = await self.caller(request, FACILITATOR)
        state = request.query_params.get("state")
        if state is not None:
            one_of(state, "state", STATES)
        listed = await self.store.webhooks.list_deliveries(session_id, state)
        return answer([_delivery(d) for d in listed])

    async def retry(self, request: Request) -> JSONResponse:
        """A dead-lettered delivery goes out again now, with a fresh count of tries."""
        session_id, _ = await self.caller(request, FACILITATOR)
        delivery = await self.store.webhooks.get_delivery(
            session_id, request.path_params["delivery_id"]
        )
        if delivery is None:
            raise Problem(404, "no such delivery")
        if delivery.state != DEAD:
            raise Problem(409, f"only dead deliveries are retried; this one is {delivery.state}")
        again = replace(delivery, state=PENDING, attempts=0, next_at=time.time(), last_error="")
        if not await self.store.webhooks.save_delivery(
            again, expected_state=DEAD, expected_attempts=delivery.attempts
        ):
            raise Problem(409, "the delivery changed meanwhile; list the deliveries again")
        self.outbox.wake()
        return answer(_delivery(again))


def _webhook(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "format": webhook.format,
        "events": list(webhook.events),
        "url": urls.mask(webhook.url),
        "created_at": webhook.created_at,
    }


def _delivery(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "webhook_id": delivery.webhook_id,
        "event": delivery.event,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_at": delivery.next_at if delivery.state == PENDING else None,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
    }
