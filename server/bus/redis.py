"""Cross-instance fan-out through Redis pub/sub, and the healing pub/sub alone lacks.

One channel per loaded board. Local updates are queued by `publish_update` (never
awaited on the per-message path) and a publisher task sends them: the updates waiting
for one board are merged (at most `MERGE_CAP` at a time; `merge_updates` is superlinear)
and go out as exactly one PUBLISH per batch, all batches in one pipeline.

Pub/sub is at-most-once, so an instance heals whenever its subscription (re)starts and
whenever it loads a board: it replays the board's Redis stream from the last entry it
read, then asks its peers for what it still lacks (sync step 1 with its state vector;
they answer with the diff and their own state vector, and it answers them in turn, so
edits made on either side while apart cross both ways). A subscription that silently
stops delivering is caught by a ping the instance sends itself every heartbeat. A batch
that fails to publish is not retried: the instance resubscribes and heals instead, and
the heal covers whatever the batch held, healing answers included.

Presence: awareness updates travel on the same channels. Each instance keeps a key with
a TTL alive in Redis; peers remember which client ids came from which instance, and
when an instance's key expires they remove its clients' presence and tell their own
clients. Nothing here awaits Redis on behalf of a client message; Redis being away only
makes the instance not ready until it returns.

Deleted sessions: every instance also listens on one deployment-wide channel where the
instance that deletes a session names it (message kind `D`, body: the session id), so
the others close its sockets and drop its documents (server/process/retention.py).
Closed sockets: on another such channel an instance that removes a person or re-issues a
link names the sockets to close (kind `C`), so the person's sockets held by other
instances close at once, as its own do (server/facilitation/authority.py); and one that
holds a token off after its update broke a board names it (kind `H`), so the token
cannot go on breaking the board's copy on every other instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import secrets
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from pycrdt import merge_updates
from redis.asyncio.client import Pipeline, PubSub
from redis.exceptions import RedisError

from ..process.tasks import stop
from ..redisdb import START, Keys, Replay, open_client, pipelined
from ..sync.messages import EMPTY_STATE_VECTOR, EMPTY_UPDATE, ProtocolError, awareness_client_ids
from . import wire
from .base import BusReceiver, HeldOff, SessionDeleted, SocketClose, SocketsClosed
from .presence import PresenceLedger

log = logging.getLogger("paja.bus.redis")

MERGE_CAP = 100  # updates merged into one PUBLISH at most
BACKOFF_START = 0.1
BACKOFF_CAP = 1.0  # reconnect attempts at most a second apart: healing is fast after an outage
LISTEN_TIMEOUT = 0.5
# Bytes, as channels arrive: compared on every message received.
SESSIONS_DELETED = Keys.sessions_deleted().encode()
SOCKET_ORDERS = Keys.socket_orders().encode()


@runtime_checkable
class PresenceReceiver(BusReceiver, Protocol):
    """What a board exposes beyond `BusReceiver` so presence can cross instances."""

    def has_presence(self, client_id: int) -> bool: ...

    def local_presence(self) -> bytes:
        """An awareness update holding the states of this instance's own clients."""
        ...

    def drop_presence(self, client_ids: Collection[int]) -> None:
        """Remove remote clients' states (their instance died) and tell local clients."""
        ...


class StreamLog(Protocol):
    """The part of the Redis document log the bus heals from."""

    def take_position(self, key: str) -> str: ...

    async def read_since(self, key: str, position: str) -> Replay: ...

    async def append_updates(self, batch: Mapping[str, Sequence[bytes]]) -> None: ...


class _Resubscribe(Exception):
    """The subscription can no longer be trusted to have delivered everything."""


class RedisBus:
    def __init__(self, url: str, log_store: StreamLog, *, instance_ttl_seconds: float) -> None:
        self.instance = secrets.token_hex(wire.INSTANCE_ID_LENGTH // 2)
        self.log = log_store
        self.ttl_ms = max(1000, int(instance_ttl_seconds * 1000))
        self.heartbeat_seconds = min(1.0, instance_ttl_seconds / 3)
        self.client = open_client(url, name=f"paja-bus-{self.instance}")
        self._subscriber = open_client(url, name=f"paja-sub-{self.instance}", subscriber=True)
        self._inbox = Keys.inbox(self.instance)
        self._receivers: dict[str, PresenceReceiver] = {}
        self._channels: dict[bytes, str] = {}
        self._positions: dict[str, str] = {}
        self.presence = PresenceLedger()
        self._updates: dict[str, list[bytes]] = {}
        self._messages: list[tuple[str, bytes]] = []
        self._wakeup = asyncio.Event()
        self._pubsub: PubSub | None = None
        self._subscribed = False
        self._resubscribe = False
        self._beating = False
        self._heard_at = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        self._deleted_hooks: list[SessionDeleted] = []
        self._closed_hooks: list[SocketsClosed] = []
        self._held_off_hooks: list[HeldOff] = []
        self._forgetting: set[asyncio.Task[None]] = set()
        self.stats = {
            "subscriptions": 0,
            "published": 0,
            "dropped": 0,
            "replayed": 0,
            "peer_diffs": 0,
            "instances_gone": 0,
        }

    # lifecycle

    async def start(self) -> None:
        """Start without waiting for Redis: the supervisor connects and heals when it can."""
        for name, loop in (
            ("subscriber", self._supervise),
            ("publisher", self._publish_loop),
            ("heartbeat", self._heartbeat_loop),
        ):
            self._tasks.append(asyncio.create_task(loop(), name=f"paja-bus-{name}"))

    async def close(self) -> None:
        """Publish what is queued, delete our heartbeat key (peers drop our clients' presence
        within a second instead of a TTL), stop."""
        connected = self._subscribed
        await stop(self._tasks)
        if connected:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(self._send_batch(connected=True), 2)
                await asyncio.wait_for(self.client.delete(Keys.instance(self.instance)), 2)
        await self.client.aclose()
        await self._subscriber.aclose()

    async def ready(self) -> bool:
        return self._subscribed and self._beating

    # boards

    async def subscribe(self, receiver: BusReceiver) -> None:
        if not isinstance(receiver, PresenceReceiver):
            raise TypeError("the Redis bus needs a receiver that exposes presence")
        key = receiver.key
        self._receivers[key] = receiver
        self._positions[key] = self.log.take_position(key)
        channel = Keys.channel(key)
        self._channels[channel.encode()] = key
        pubsub = self._pubsub
        if pubsub is None:
            return  # the supervisor subscribes and heals every board when it connects
        try:
            await pubsub.subscribe(channel)
        except (RedisError, OSError):
            return  # the listener sees the same failure and resubscribes everything
        self._ask_peers(key)

    async def unsubscribe(self, receiver: BusReceiver) -> None:
        key = receiver.key
        if self._receivers.get(key) is not receiver:
            return  # a newer copy of the document holds the subscription now
        del self._receivers[key]
        self._positions.pop(key, None)
        self.presence.forget_document(key)
        channel = Keys.channel(key)
        self._channels.pop(channel.encode(), None)
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.unsubscribe(channel)

    # publishing: queued here, sent by the publisher task

    def publish_update(self, key: str, update: bytes) -> None:
        self._updates.setdefault(key, []).append(update)
        self._wakeup.set()

    def publish_awareness(self, key: str, update: bytes) -> None:
        self._queue(Keys.channel(key), wire.encode(wire.AWARENESS, self.instance, update))

    def _queue(self, channel: str, message: bytes) -> None:
        self._messages.append((channel, message))
        self._wakeup.set()

    async def _publish_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            try:
                await self._send_batch(connected=self._subscribed)
            except Exception as exc:
                # A lost batch may hold updates or a healing answer. Dropping it is safe
                # only if a heal follows, so start one: resubscribe, replay, ask peers.
                if isinstance(exc, (RedisError, OSError, TimeoutError)):
                    log.warning("publishing to Redis failed (%s); healing", exc)
                else:
                    log.exception("a batch could not be published; healing")
                self._resubscribe = True

    async def _send_batch(self, *, connected: bool) -> None:
        updates, self._updates = self._updates, {}
        messages, self._messages = self._messages, []
        if not updates and not messages:
            return
        if not connected:  # the heal that follows the reconnection covers these
            self.stats["dropped"] += sum(map(len, updates.values())) + len(messages)
            return
        outgoing = list(messages)
        for key, batch in updates.items():
            channel = Keys.channel(key)
            for start in range(0, len(batch), MERGE_CAP):
                chunk = batch[start : start + MERGE_CAP]
                merged = chunk[0] if len(chunk) == 1 else merge_updates(*chunk)
                outgoing.append((channel, wire.encode(wire.UPDATE, self.instance, merged)))

        def stage(pipe: Pipeline) -> None:
            for channel, message in outgoing:
                pipe.publish(channel, message)

        await pipelined(self.client, stage)
        self.stats["published"] += sum(map(len, updates.values()))

    # once per deployment

    async def claim_once(self, event_id: str, ttl_seconds: float) -> bool:
        """SET NX PX: the first instance to ask wins; Redis errors propagate to the caller,
        which must not fire an event it could not claim."""
        claimed = await self.client.set(
            Keys.once(event_id), self.instance, nx=True, px=max(1, int(ttl_seconds * 1000))
        )
        return bool(claimed)

    # sessions deleted through any instance

    def on_session_deleted(self, callback: SessionDeleted) -> None:
        self._deleted_hooks.append(callback)

    async def publish_session_deleted(self, session_id: str) -> None:
        """Sent at once, not batched: peers must stop writing the session's documents."""
        await self.client.publish(
            SESSIONS_DELETED, wire.encode(wire.DELETED, self.instance, session_id.encode())
        )

    def _on_deleted(self, message: wire.Message) -> None:
        (session_id,) = wire.fields(message.body, 1)
        for hook in self._deleted_hooks:
            task = asyncio.create_task(hook(session_id.decode()))
            self._forgetting.add(task)
            task.add_done_callback(self._forget_done)

    def _forget_done(self, task: asyncio.Task[None]) -> None:
        self._forgetting.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("forgetting a deleted session failed", exc_info=task.exception())

    # sockets closed through any instance

    def on_sockets_closed(self, callback: SocketsClosed) -> None:
        self._closed_hooks.append(callback)

    async def publish_sockets_closed(self, order: SocketClose) -> None:
        """Sent at once, not batched: a removed person must lose every socket now. Best
        effort, as pub/sub is: the person's tokens are already revoked, so a lost order
        costs a socket left open until it drops, never a new one, and must not fail the
        command that revoked them."""
        try:
            await self.client.publish(SOCKET_ORDERS, wire.encode_close(self.instance, order))
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("could not tell the other instances to close sockets (%s)", exc)

    def _on_sockets_closed(self, message: wire.Message) -> None:
        order = wire.decode_close(message)
        for hook in self._closed_hooks:
            self._run_hook(hook, order)

    def on_held_off(self, callback: HeldOff) -> None:
        self._held_off_hooks.append(callback)

    def publish_held_off(self, token_hash: str, seconds: float) -> None:
        self._queue(Keys.socket_orders(), wire.encode_held_off(self.instance, token_hash, seconds))

    def _on_held_off(self, message: wire.Message) -> None:
        token_hash, seconds = wire.decode_held_off(message)
        for hook in self._held_off_hooks:
            self._run_hook(hook, token_hash, seconds)

    @staticmethod
    def _run_hook(hook: Callable[..., object], *args: Any) -> None:
        """A hook that fails (a socket that will not close) must not end the subscription."""
        try:
            hook(*args)
        except Exception:
            log.exception("an order from another instance failed here")

    # the subscription and its healing

    async def _supervise(self) -> None:
        delay = BACKOFF_START
        while True:
            pubsub = self._subscriber.pubsub()
            try:
                await self._connect(pubsub)
                delay = BACKOFF_START
                await self._listen(pubsub)
            except (RedisError, OSError, TimeoutError, _Resubscribe) as exc:
                if self._subscribed:
                    log.warning("Redis subscription lost (%s); reconnecting", exc or type(exc))
            except Exception:
                # A bug must not end the subscription for good: start over and heal.
                log.exception("Redis subscriber failed; reconnecting")
            finally:
                self._subscribed = False
                self._pubsub = None
                with contextlib.suppress(Exception):
                    if pubsub.connection is not None:
                        pubsub.connection.deregister_connect_callback(self._reconnected)
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            delay = min(delay * 2, BACKOFF_CAP)

    async def _connect(self, pubsub: PubSub) -> None:
        # Be known alive before peers can hear of our clients.
        await self.client.set(Keys.instance(self.instance), b"1", px=self.ttl_ms)
        self._resubscribe = False
        await pubsub.subscribe(self._inbox, SESSIONS_DELETED, SOCKET_ORDERS)
        assert pubsub.connection is not None
        pubsub.connection.register_connect_callback(self._reconnected)
        self._pubsub = pubsub
        keys = list(self._receivers)
        if keys:
            await pubsub.subscribe(*(Keys.channel(k) for k in keys))
        self._subscribed = True
        self._heard_at = time.monotonic()
        self.stats["subscriptions"] += 1
        if self.stats["subscriptions"] > 1:
            log.info("Redis subscription restored; healing %d boards", len(keys))
        for key in keys:
            await self._heal(key)

    async def _reconnected(self, connection: Any) -> None:
        """redis-py reconnected the subscriber on its own: messages may have been lost."""
        self._resubscribe = True

    async def _listen(self, pubsub: PubSub) -> None:
        stale_after = max(3.0, 3 * self.heartbeat_seconds)
        while True:
            message = await pubsub.get_message(timeout=LISTEN_TIMEOUT)
            if self._resubscribe:
                raise _Resubscribe("subscriber connection was re-established")
            now = time.monotonic()
            if message is None:
                if now - self._heard_at > stale_after:
                    raise _Resubscribe(f"no ping came back in {stale_after:.0f} s")
                continue
            self._heard_at = now
            if message["type"] == "message":
                self._dispatch(message["channel"], message["data"])

    async def _heal(self, key: str) -> None:
        """Replay the board's stream from the last entry read, then ask the peers."""
        receiver = self._receivers.get(key)
        if receiver is None:
            return
        replay = await self.log.read_since(key, self._positions.get(key, START))
        if self._receivers.get(key) is not receiver:
            return  # unloaded meanwhile
        self._positions[key] = replay.position
        for start in range(0, len(replay.updates), MERGE_CAP):
            chunk = replay.updates[start : start + MERGE_CAP]
            merged = chunk[0] if len(chunk) == 1 else merge_updates(*chunk)
            receiver.apply_remote_update(merged)
        self.stats["replayed"] += len(replay.updates)
        if replay.updates:
            log.info("healed %s with %d updates from its stream", key, len(replay.updates))
        if replay.lost:
            # Redis lost entries this instance had read (restarted without its AOF):
            # what we hold is the best copy left, so store it again.
            log.warning("Redis lost history of %s; storing this instance's copy", key)
            await self.log.append_updates({key: [receiver.diff_since(EMPTY_STATE_VECTOR)]})
        self._ask_peers(key)

    def _ask_peers(self, key: str) -> None:
        receiver = self._receivers[key]
        message = wire.encode(
            wire.SYNC_REQUEST, self.instance, receiver.state_vector(), receiver.local_presence()
        )
        self._queue(Keys.channel(key), message)

    # receiving

    def _dispatch(self, channel: bytes, data: bytes) -> None:
        try:
            message = wire.decode(data)
            if message.sender == self.instance:
                return
            if channel == SESSIONS_DELETED:
                if message.kind == wire.DELETED:
                    self._on_deleted(message)
                return
            if channel == SOCKET_ORDERS:
                if message.kind == wire.SOCKETS_CLOSED:
                    self._on_sockets_closed(message)
                elif message.kind == wire.HELD_OFF:
                    self._on_held_off(message)
                return
            if message.kind == wire.SYNC_REPLY:
                self._on_sync_reply(message)
                return
            key = self._channels.get(channel)
            receiver = self._receivers.get(key) if key is not None else None
            if key is None or receiver is None:
                return
            if message.kind == wire.UPDATE:
                receiver.apply_remote_update(message.body)
            elif message.kind == wire.AWARENESS:
                self._on_presence(key, receiver, message.sender, message.body, full=False)
            elif message.kind == wire.SYNC_REQUEST:
                self._on_sync_request(key, receiver, message)
        except (wire.WireError, ValueError):
            log.warning("ignored a malformed bus message on %r", channel)

    def _on_sync_request(self, key: str, receiver: PresenceReceiver, message: wire.Message) -> None:
        state_vector, presence = wire.fields(message.body, 2)
        self._on_presence(key, receiver, message.sender, presence, full=True)
        reply = wire.encode(
            wire.SYNC_REPLY,
            self.instance,
            key.encode(),
            receiver.diff_since(state_vector),
            receiver.state_vector(),
            receiver.local_presence(),
        )
        self._queue(Keys.inbox(message.sender), reply)

    def _on_sync_reply(self, message: wire.Message) -> None:
        raw_key, diff, state_vector, presence = wire.fields(message.body, 4)
        key = raw_key.decode()
        receiver = self._receivers.get(key)
        if receiver is None:
            return
        if diff != EMPTY_UPDATE:
            self.stats["peer_diffs"] += 1
            receiver.apply_remote_update(diff)
        if presence:
            self._on_presence(key, receiver, message.sender, presence, full=True)
        if state_vector:
            # The peer lacks what we have, too: answer once, without asking again.
            answer = wire.encode(
                wire.SYNC_REPLY,
                self.instance,
                raw_key,
                receiver.diff_since(state_vector),
                b"",
                b"",
            )
            self._queue(Keys.inbox(message.sender), answer)

    def _on_presence(
        self, key: str, receiver: PresenceReceiver, sender: str, update: bytes, *, full: bool
    ) -> None:
        try:
            ids = awareness_client_ids(update)
        except ProtocolError:
            return
        if ids:
            receiver.apply_remote_awareness(update)
        present = [i for i in ids if receiver.has_presence(i)]
        if full:
            stale = self.presence.replace(key, sender, present)
            if stale:
                receiver.drop_presence(stale)
        else:
            self.presence.heard(key, sender, present, [i for i in ids if i not in present])

    # heartbeat: our key stays alive, our subscription is probed, dead peers are found

    async def _heartbeat_loop(self) -> None:
        ping = wire.encode(wire.PING, self.instance)
        while True:
            others = sorted(self.presence.instances())
            try:
                results = await pipelined(self.client, functools.partial(self._beat, ping, others))
            except (RedisError, OSError, TimeoutError) as exc:
                if self._beating:
                    log.warning("Redis heartbeat failed (%s); not ready until it returns", exc)
                self._beating = False
            else:
                if not self._beating:
                    log.info("Redis heartbeat ok (instance %s)", self.instance)
                self._beating = True
                for other, alive in zip(others, results[2:], strict=True):
                    if not alive:
                        try:
                            self._instance_gone(other)
                        except Exception:
                            log.exception("could not remove the presence of %s", other)
            await asyncio.sleep(self.heartbeat_seconds)

    def _beat(self, ping: bytes, others: list[str], pipe: Pipeline) -> None:
        """Renew our key, ping our own inbox, and ask whether the others' keys live."""
        pipe.set(Keys.instance(self.instance), b"1", px=self.ttl_ms)
        pipe.publish(self._inbox, ping)
        for other in others:
            pipe.exists(Keys.instance(other))

    def _instance_gone(self, instance: str) -> None:
        self.stats["instances_gone"] += 1
        gone = self.presence.forget_instance(instance)
        for key, ids in gone.items():
            receiver = self._receivers.get(key)
            if receiver is not None:
                receiver.drop_presence(ids)
        log.info(
            "instance %s is gone; removed the presence of %d clients",
            instance,
            sum(map(len, gone.values())),
        )
