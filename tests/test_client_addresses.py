"""Per-address limits key on the real client: X-Forwarded-For counts only from proxies
the operator trusts (`--forwarded-allow-ips`, none by default), and an IPv6 client is
keyed by its /64, within which it could otherwise rotate addresses freely."""

from __future__ import annotations

import httpx

from server.http.inputs import address_key
from support.processes import PajaServer

LOOKUPS = ["--join-code-lookups-per-hour-per-address", "3"]


def look_up(server: PajaServer, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for}
    return httpx.get(f"{server.http}/api/join/ABCD-EFGH", headers=headers).status_code


def test_forged_forwarded_addresses_from_an_untrusted_peer_do_not_escape_the_limit(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=LOOKUPS).start()
    answers = [look_up(server, f"198.51.100.{i}") for i in range(1, 7)]
    assert answers == [404, 404, 404, 429, 429, 429], "all of them are the one peer"


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    server_factory: type[PajaServer],
) -> None:
    server = server_factory(args=[*LOOKUPS, "--forwarded-allow-ips", "127.0.0.1"]).start()
    assert [look_up(server, "203.0.113.5") for _ in range(4)] == [404, 404, 404, 429]
    assert look_up(server, "203.0.113.6") == 404, "another client behind the same proxy"
    # One IPv6 client rotating within its /64 is one client.
    v6 = [look_up(server, f"2001:db8:0:7::{i}") for i in range(1, 5)]
    assert v6 == [404, 404, 404, 429]
    assert look_up(server, "2001:db8:0:8::1") == 404


def test_an_ipv6_client_is_keyed_by_its_64() -> None:
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.7") == address_key("192.0.2.7") == "192.0.2.7"
    assert address_key("192.0.2.7") != address_key("192.0.2.8")
