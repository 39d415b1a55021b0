"""Outgoing webhooks of a session, and the deliveries in its outbox (facilitator only).

A webhook's URL is answered masked, always; its signing secret once, in the answer that
created it. The outbox itself is server/webhooks/outbox.py.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from annotated_types import MinLen
from pydantic import BaseModel, Field

from rooms.control import Value

from ...facilitation.access import FACILITATOR
from ...facilitation.tokens import new_id
from ...store.webhooks import DEAD, PENDING, Delivery, Webhook
from ...webhooks import messages, urls
from ..commands import SESSION, Call, Commands, roles
from ..inputs import Body, text
from ..problems import Problem

WEBHOOKS = SESSION + "/webhooks"
DELIVERIES = WEBHOOKS + "/deliveries"
MAX_WEBHOOKS = 10
SECRET_BYTES = 32
if TYPE_CHECKING:
    Event = str
else:  # the names of messages.EVENTS, listed once there
    Event = Literal[messages.EVENTS]
State = Literal["pending", "delivered", "dead"]
SECONDS = "epoch seconds"
commands = Commands()
facilitator = roles(FACILITATOR)


class NewWebhook(Body):
    url: Annotated[str, text(urls.MAX_URL_CHARS)] = Field(
        description="https:// (or http:// where private targets are allowed)"
    )
    format: Literal["json", "teams"] = "json"
    events: Annotated[list[Event], MinLen(1)] = Field(
        default_factory=lambda: list(messages.EVENTS), description="default: all of them"
    )


class DeliveriesQuery(Body):
    state: State | None = None


class WebhookInfo(BaseModel):
    id: str
    format: Literal["json", "teams"]
    events: list[Event]
    url: str = Field(description="masked: scheme, host and the last characters")
    created_at: float = Field(description=SECONDS)


class CreatedWebhook(WebhookInfo):
    secret: str | None = Field(None, description="HMAC key of the json format, shown only here")


class DeliveryInfo(BaseModel):
    id: str
    webhook_id: str
    event: str
    state: State
    attempts: int
    next_at: float | None = Field(description="epoch seconds of the next try (pending)")
    last_error: str
    created_at: float = Field(description=SECONDS)


@commands.post(
    WEBHOOKS,
    f"Add a webhook; at most {MAX_WEBHOOKS} per session, more is 409 (facilitator)",
    access=facilitator,
    body=NewWebhook,
    result=CreatedWebhook,
    status=201,
)
async def create(call: Call[NewWebhook]) -> Value:
    body, context = call.body, call.context
    wrong = urls.problem(body.url, allow_private=context.settings.webhook_allow_private)
    if wrong:
        raise Problem(422, wrong)
    if len(await context.store.webhooks.list_webhooks(call.session_id)) >= MAX_WEBHOOKS:
        raise Problem(409, f"a session has at most {MAX_WEBHOOKS} webhooks")
    secret = secrets.token_hex(SECRET_BYTES) if body.format == messages.JSON_FORMAT else ""
    webhook = Webhook(
        id=new_id(),
        session_id=call.session_id,
        url=body.url,
        format=body.format,
        events=tuple(e for e in messages.EVENTS if e in body.events),
        secret=secret,
        created_at=time.time(),
    )
    await context.store.webhooks.add_webhook(webhook)
    context.outbox.remember_base(call.session_id, call.base_url())
    shown = _webhook(webhook)
    if secret:
        shown["secret"] = secret
    return shown


@commands.get(
    WEBHOOKS,
    "The webhooks, URLs masked (facilitator)",
    access=facilitator,
    result=list[WebhookInfo],
    refusals=(),
)
async def list_all(call: Call[None]) -> list[Value]:
    call.context.outbox.remember_base(call.session_id, call.base_url())
    return [_webhook(w) for w in await call.context.store.webhooks.list_webhooks(call.session_id)]


@commands.delete(
    WEBHOOKS + "/{webhook_id}",
    "Remove a webhook (facilitator)",
    access=facilitator,
    status=204,
    refusals=(404,),
)
async def remove(call: Call[None]) -> None:
    if not await call.context.store.webhooks.remove_webhook(
        call.session_id, call.path("webhook_id")
    ):
        raise Problem(404, "no such webhook")


@commands.post(
    WEBHOOKS + "/{webhook_id}/test",
    "Send a webhook.test event to this webhook now; it shows in the deliveries (facilitator)",
    access=facilitator,
    result=DeliveryInfo,
    status=202,
    refusals=(404,),
)
async def test(call: Call[None]) -> Value:
    wanted = call.path("webhook_id")
    webhooks = await call.context.store.webhooks.list_webhooks(call.session_id)
    webhook = next((w for w in webhooks if w.id == wanted), None)
    if webhook is None:
        raise Problem(404, "no such webhook")
    call.context.outbox.remember_base(call.session_id, call.base_url())
    delivery = await call.context.outbox.send_test(webhook)
    if delivery is None:
        raise Problem(404, "no such session")
    return _delivery(delivery)


@commands.get(
    DELIVERIES,
    "The outbox: deliveries, newest first (facilitator)",
    access=facilitator,
    query=DeliveriesQuery,
    result=list[DeliveryInfo],
    refusals=(),
)
async def deliveries(call: Call[None]) -> list[Value]:
    state = call.query(DeliveriesQuery).state
    listed = await call.context.store.webhooks.list_deliveries(call.session_id, state)
    return [_delivery(d) for d in listed]


@commands.post(
    DELIVERIES + "/{delivery_id}/retry",
    "Send a dead delivery again, tries counted anew (facilitator)",
    access=facilitator,
    result=DeliveryInfo,
    refusals=(404, 409),
)
async def retry(call: Call[None]) -> Value:
    """A dead-lettered delivery goes out again now, with a fresh count of tries."""
    store = call.context.store
    delivery = await store.webhooks.get_delivery(call.session_id, call.path("delivery_id"))
    if delivery is None:
        raise Problem(404, "no such delivery")
    if delivery.state != DEAD:
        raise Problem(409, f"only dead deliveries are retried; this one is {delivery.state}")
    again = replace(delivery, state=PENDING, attempts=0, next_at=time.time(), last_error="")
    if not await store.webhooks.save_delivery(
        again, expected_state=DEAD, expected_attempts=delivery.attempts
    ):
        raise Problem(409, "the delivery changed meanwhile; list the deliveries again")
    call.context.outbox.wake()
    return _delivery(again)


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
