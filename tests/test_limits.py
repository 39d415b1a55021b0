"""Each abuse limit stops only the abuser, with its documented code; others carry on."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import websockets
from pycrdt import Map, create_awareness_message

from server.limits import ConnectionCounts, KeyedRate, Throttle
from server.protocol import ProtocolError
from support.processes import PajaServer
from support.yclient import YClient, eventually


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_throttle_slows_then_closes_only_a_sustained_flood() -> None:
    clock = FakeClock()
    throttle = Throttle(
        messages_per_second=10, bytes_per_second=1000, burst_bytes=2000, close_after=5, clock=clock
    )
    assert all(throttle.delay_for(10) == 0 for _ in range(20))  # the burst allowance
    delay = throttle.delay_for(10)
    assert 0 < delay <= 0.1
    clock.now += 10  # a pause refills the buckets and forgives
    assert throttle.delay_for(10) == 0
    assert throttle.delay_for(1900) == 0
    assert throttle.delay_for(1000) == pytest.approx(0.91)  # 2000 - 10 - 1900 - 1000 bytes
    with pytest.raises(ProtocolError) as flood:
        for _ in range(1000):
            clock.now += 0.01  # ten times the allowed rate, for up to ten seconds
            throttle.delay_for(10)
    assert flood.value.code == 1008


def test_connection_counts_per_session_and_address() -> None:
    counts = ConnectionCounts(per_session=2, per_address=3)
    counts.opened("s1", "10.0.0.1")
    counts.opened("s1", "10.0.0.2")
    assert counts.refusal("s1", "10.0.0.3") == "this session is full"
    assert counts.refusal("s2", "10.0.0.1") is None
    counts.opened("s2", "10.0.0.1")
    counts.opened("s3", "10.0.0.1")
    assert counts.refusal("s4", "10.0.0.1") == "too many connections from this address"
    counts.closed("s1", "10.0.0.1")
    assert counts.refusal("s1", "10.0.0.3") is None


async def test_a_flooding_connection_is_closed_and_nobody_else_notices(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(
        env={"PAJA_MESSAGES_PER_SECOND": "50", "PAJA_FLOOD_CLOSE_SECONDS": "2"}
    ).start()
    s = server.create_session()
    url = server.board_url(s["id"], "main", s["facilitator_token"])
    alice, bob = await YClient(url).connect(), await YClient(url).connect()
    flooder = await YClient(url).connect()
    state = flooder.awareness.encode_awareness_update([flooder.awareness.client_id])

    async def flood() -> None:
        try:
            for _ in range(5000):
                await flooder.send_raw(create_awareness_message(state))
        except websockets.ConnectionClosed:
            pass

    task = asyncio.create_task(flood())
    for i in range(20):  # alice and bob keep working while the flood goes on
        alice.doc.get("notes", type=Map)[f"n{i}"] = i
        await asyncio.sleep(0.1)
    await eventually(lambda: len(bob.notes()) == 20, what="healthy clients unaffected")
    assert await flooder.wait_closed(timeout=15) == 1008
    assert "too fast" in flooder.close_reason
    task.cancel()
    assert not alice.closed.is_set() and not bob.closed.is_set()
    for c in (alice, bob):
        await c.close()


async def test_a_full_session_and_a_busy_address_get_1013(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(
        env={"PAJA_MAX_CONNECTIONS_PER_SESSION": "3", "PAJA_MAX_CONNECTIONS_PER_ADDRESS": "5"}
    ).start()
    a, b = server.create_session("A"), server.create_session("B")
    url_a = server.board_url(a["id"], "main", a["facilitator_token"])
    url_b = server.board_url(b["id"], "main", b["facilitator_token"])
    in_a = [await YClient(url_a).connect() for _ in range(3)]
    extra = await YClient(url_a).connect(wait_synced=False)
    assert await extra.wait_closed() == 1013
    assert extra.close_reason == "this session is full"
    in_b = [await YClient(url_b).connect() for _ in range(2)]  # another session still opens
    sixth = await YClient(url_b).connect(wait_synced=False)
    assert await sixth.wait_closed() == 1013
    assert sixth.close_reason == "too many connections from this address"
    in_a[0].doc.get("notes", type=Map)["still"] = "fine"
    await eventually(lambda: in_a[2].notes().get("still") == "fine")
    await in_a[0].close()
    again = await YClient(url_b).connect()  # a freed place can be taken again
    for c in [*in_a[1:], *in_b, again]:
        await c.close()


def test_session_creation_is_limited_per_address(server_factory: type[PajaServer]) -> None:
    server = server_factory(env={"PAJA_SESSIONS_PER_HOUR_PER_ADDRESS": "3"}).start()
    for _ in range(3):
        server.create_session()
    refused = httpx.post(server.http + "/api/sessions", json={"title": "one too many"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["retry_after"] > 0


def test_keyed_rate_refills_over_the_hour() -> None:
    clock = FakeClock()
    rate = KeyedRate(per_hour=2, clock=clock)
    assert rate.retry_after("a") == 0 and rate.retry_after("a") == 0
    assert rate.retry_after("a") == pytest.approx(1800)
    assert rate.retry_after("b") == 0
    clock.now += 1800
    assert rate.retry_after("a") == 0
