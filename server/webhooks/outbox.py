"""The outbox: every event a webhook listens to becomes a stored delivery, sent until the
receiver takes it.

A delivery is written to the store before anything is sent, so a restart loses none;
its id is derived from the webhook and the event, so two servers of a deployment that
both hear an event keep one delivery. Any server may send it: `claim_deliveries` leases
it atomically to one of them for longer than a request may take. A receiver that fails
(5xx, 429, a timeout, no connection) is tried again later, each wait twice the one
before, until `webhook_max_attempts`; then, or at once for any other answer outside
2xx, the delivery is dead-lettered for the facilitator to see and retry.

Webhook URLs and secrets never reach a log: deliveries are logged by webhook id and
masked URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import logging
import random
import time
from collections import OrderedDict
from dataclasses import replace

import httpx

from rooms import session

from ..facilitation.authority import Control
from ..facilitation.tokens import join_url, new_id
from ..process.config import Settings
from ..process.scheduler import SessionEvent, now_ms
from ..process.tasks import stop
from ..store.sessions import SessionStore
from ..store.webhooks import DEAD, DELIVERED, PENDING, Delivery, Webhook, WebhookStore
from . import messages, signing, urls

log = logging.getLogger("paja.webhooks")
# httpx logs every request with its full URL at INFO, and a webhook URL is a secret.
logging.getLogger("httpx").setLevel(logging.WARNING)

POLL_SECONDS = 1.0  # how soon a delivery enqueued by another server is seen
CLAIM_LIMIT = 20
MAX_DELAY_SECONDS = 3600.0
JITTER = 0.1  # up to this fraction is added to a retry delay
USER_AGENT = "Paja-Webhooks/1"
MAX_BASES = 10_000  # sessions whose address is remembered; the least recent goes first


def delivery_id(webhook_id: str, event_id: str) -> str:
    """The same on every server, so an event enqueued twice is one delivery."""
    return hashlib.sha256(f"{webhook_id}\n{event_id}".encode()).hexdigest()[:32]


def retry_delay(attempts: int, base: float) -> float:
    """The wait after the `attempts`-th failed try: base, 2 base, 4 base ... plus jitter, so
    deliveries that failed together do not all come back at the same moment."""
    delay: float = base * 2 ** (attempts - 1)
    return min(MAX_DELAY_SECONDS, delay * (1 + random.uniform(0, JITTER)))


def retry_after(response: httpx.Response) -> float:
    """The receiver's Retry-After in seconds (either form), or 0."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return min(MAX_DELAY_SECONDS, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return min(MAX_DELAY_SECONDS, max(0.0, when.timestamp() - time.time()))


class Outbox:
    """Enqueues deliveries on events and sends due ones, on every server of a deployment."""

    def __init__(self, store: WebhookStore, sessions: SessionStore, settings: Settings) -> None:
        self.store = store
        self.sessions = sessions
        self.settings = settings
        self._control: Control | None = None
        self._bases: OrderedDict[str, str] = OrderedDict()
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        # A lease outlives the longest attempt, so nobody else takes a delivery mid-send.
        self._lease = 2 * settings.webhook_timeout_seconds + 30

    def start(self, control: Control) -> None:
        self._control = control
        control.scheduler.on_event(self.on_event)
        self._client = httpx.AsyncClient(
            timeout=self.settings.webhook_timeout_seconds,
            follow_redirects=False,  # a redirect could lead past the address check
            headers={"User-Agent": USER_AGENT},
            # Requests go to an address, so the pool knows connections by address alone: a
            # connection kept open for one name could carry another name's request without
            # that name's certificate ever being checked. One connection per attempt.
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._task = asyncio.create_task(self._run(), name="paja-outbox")

    async def close(self) -> None:
        """Stop claiming and let attempts under way finish (within the request timeout),
        so a delivery that reached its receiver is not sent again after a restart."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.webhook_timeout_seconds + 1):
                    await asyncio.shield(self._task)
            await stop([self._task])
        if self._client is not None:
            await self._client.aclose()

    def remember_base(self, session_id: str, base: str) -> None:
        """The address a facilitator reached this server at: links in messages use it
        when no public URL is configured. Only the most recent sessions' are kept; a
        session forgotten here links to this server's own address, as after a restart."""
        self._bases[session_id] = base.rstrip("/")
        self._bases.move_to_end(session_id)
        while len(self._bases) > MAX_BASES:
            self._bases.popitem(last=False)

    def wake(self) -> None:
        self._wake.set()

    async def on_event(self, event: SessionEvent) -> None:
        name = messages.PUBLIC_NAMES.get(event.kind)
        if name is None:
            return
        webhooks = [w for w in await self.store.list_webhooks(event.session_id) if name in w.events]
        if not webhooks:
            return
        about = await self._session(event.session_id)
        if about is None:
            return
        happened = await self._event(name, event)
        now = time.time()
        deliveries = [
            Delivery(
                id=delivery_id(webhook.id, event.id),
                session_id=event.session_id,
                webhook_id=webhook.id,
                event=name,
                body=messages.body(webhook.format, happened, about),
                state=PENDING,
                attempts=0,
                next_at=now,
                last_error="",
                created_at=now,
            )
            for webhook in webhooks
        ]
        if await self.store.enqueue_deliveries(deliveries):
            self._wake.set()

    async def send_test(self, webhook: Webhook) -> Delivery | None:
        """A `webhook.test` event to this one webhook, delivered (and dead-lettered) like
        any other, so a facilitator sees at once whether the receiver takes it."""
        about = await self._session(webhook.session_id)
        if about is None:
            return None
        happened = messages.Event(new_id(), messages.WEBHOOK_TEST, now_ms(), {})
        now = time.time()
        delivery = Delivery(
            id=delivery_id(webhook.id, happened.id),
            session_id=webhook.session_id,
            webhook_id=webhook.id,
            event=messages.WEBHOOK_TEST,
            body=messages.body(webhook.format, happened, about),
            state=PENDING,
            attempts=0,
            next_at=now,
            last_error="",
            created_at=now,
        )
        await self.store.enqueue_deliveries([delivery])
        self._wake.set()
        return delivery

    async def _session(self, session_id: str) -> messages.SessionInfo | None:
        record = await self.sessions.get_session(session_id)
        if record is None or self._control is None:
            return None
        header = await self._control.read(session_id, session.header)
        base = self.settings.public_url or self._bases.get(session_id)
        base = (base or f"http://{self.settings.host}:{self.settings.port}").rstrip("/")
        return messages.SessionInfo(
            id=session_id,
            title=str(header.get("title") or record.title),
            language=str(header.get("language") or "en"),
            link=join_url(base, str(record.settings["join_code"])),
        )

    async def _event(self, name: str, event: SessionEvent) -> messages.Event:
        data = dict(event.data)
        occurred_at = now_ms()
        if name == messages.SESSION_ENDED and self._control is not None:
            occurred_at = int(data.get("ended_at") or occurred_at)
            data["summary"] = await self._control.summary(event.session_id)
        return messages.Event(event.id, name, occurred_at, data)

    async def _run(self) -> None:
        store_failing = False
        while not self._closing:
            self._wake.clear()
            try:
                claimed = await self.store.claim_deliveries(time.time(), self._lease, CLAIM_LIMIT)
            except Exception as exc:
                if not store_failing:
                    log.warning("the outbox cannot reach the store (%s); retrying", exc)
                store_failing, claimed = True, []
            else:
                store_failing = False
            if claimed:
                await asyncio.gather(*(self._attempt(d) for d in claimed))
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()

    async def _attempt(self, delivery: Delivery) -> None:
        try:
            webhook = next(
                (
                    w
                    for w in await self.store.list_webhooks(delivery.session_id)
                    if w.id == delivery.webhook_id
                ),
                None,
            )
            outcome = await self._send(delivery, webhook)
            saved = await self.store.save_delivery(
                outcome, expected_state=delivery.state, expected_attempts=delivery.attempts
            )
        except Exception:
            # The lease runs out and another try comes; the log names ids only.
            log.exception("delivery %s could not be attempted", delivery.id)
            return
        if not saved:
            # Another server took it after this one's lease ran out, a facilitator retried
            # it, or its session was deleted: what is stored stands, and nothing is retried.
            log.debug("delivery %s changed while it was tried here; outcome dropped", delivery.id)
            return
        shown = urls.mask(webhook.url) if webhook else "-"
        log.info(
            "delivery %s of %s to webhook %s (%s): %s after %d attempt(s)%s",
            delivery.id,
            delivery.event,
            delivery.webhook_id,
            shown,
            outcome.state,
            outcome.attempts,
            f", {outcome.last_error}" if outcome.last_error else "",
        )

    async def _send(self, delivery: Delivery, webhook: Webhook | None) -> Delivery:
        """One try; returns the delivery as it is to be saved."""
        attempts = delivery.attempts + 1
        if webhook is None:
            return replace(
                delivery, state=DEAD, attempts=attempts, last_error="the webhook was removed"
            )
        wait = 0.0
        try:
            # The name is resolved inside the timeout too: a slow lookup must not outlast
            # the lease.
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                response = await self._post(delivery, webhook)
        except urls.Refused as refused:
            return replace(delivery, state=DEAD, attempts=attempts, last_error=str(refused))
        except (TimeoutError, httpx.TimeoutException):
            error = "timed out"
        except httpx.TransportError as exc:
            error = _reason(exc, webhook.url)
        except OSError as exc:  # the name did not resolve
            error = f"the host did not resolve ({exc.strerror or type(exc).__name__})"
        except Exception as exc:
            # A request httpx cannot even make would fail the same way every time; its
            # message may quote the URL, so only the kind of error is kept.
            error = f"could not send: {type(exc).__name__}"
            return replace(delivery, state=DEAD, attempts=attempts, last_error=error)
        else:
            status = response.status_code
            if 200 <= status < 300:
                return replace(delivery, state=DELIVERED, attempts=attempts, last_error="")
            error = f"HTTP {status}"
            if status != 429 and status < 500:
                return replace(delivery, state=DEAD, attempts=attempts, last_error=error)
            wait = retry_after(response)
        if attempts >= self.settings.webhook_max_attempts:
            return replace(delivery, state=DEAD, attempts=attempts, last_error=error)
        delay = max(wait, retry_delay(attempts, self.settings.webhook_retry_base_seconds))
        return replace(
            delivery,
            state=PENDING,
            attempts=attempts,
            next_at=time.time() + delay,
            last_error=error,
        )

    async def _post(self, delivery: Delivery, webhook: Webhook) -> httpx.Response:
        """POST the delivery to an address its host resolved to and that passed the check,
        never letting httpx resolve the name again. The addresses are tried in the
        resolver's order, so a name whose first address cannot be reached still works."""
        assert self._client is not None
        url = httpx.URL(webhook.url)
        found = await urls.addresses(url, allow_private=self.settings.webhook_allow_private)
        body = delivery.body.encode()
        headers = signing.headers(webhook.secret, delivery.event, delivery.id, body, time.time())
        failure: httpx.ConnectError | None = None
        for address in found:
            target, host, tls = urls.at_address(url, address)
            try:
                return await self._client.post(
                    target, content=body, headers={**headers, **host}, extensions=tls
                )
            except httpx.ConnectError as exc:
                failure = exc
        assert failure is not None  # `addresses` found at least one
        raise failure


def _reason(error: httpx.TransportError, url: str) -> str:
    """The error, with the URL masked wherever it is quoted: as given, or as requested
    (at an address)."""
    text = f"{type(error).__name__}: {error}"
    shown = urls.mask(url)
    with contextlib.suppress(RuntimeError):  # an error raised before any request has none
        text = text.replace(str(error.request.url), shown)
    return text.replace(url, shown)
