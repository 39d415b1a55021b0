"""Webhook URLs: which ones are accepted, where they may lead, and how they are shown.

A webhook URL is a secret (a Teams Workflows URL carries its own signature), so it is
shown only masked, in answers and in logs alike. A webhook must not become a way to make
the server call into its own network: unless the operator allows private targets, a URL
whose host is, or resolves to, a loopback, private or link-local address is refused, and
a delivery connects to the very address that was checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

MAX_URL_CHARS = 2000
SHOWN_TAIL = 4


def mask(url: str) -> str:
    """`scheme://host/…` and the last few characters: enough to tell two webhooks apart."""
    parsed = httpx.URL(url)
    rest = parsed.raw_path.decode()
    tail = rest[-SHOWN_TAIL:] if len(rest) > 3 * SHOWN_TAIL else ""
    return f"{parsed.scheme}://{parsed.netloc.decode()}/…{tail}"


def problem(url: str, *, allow_private: bool) -> str | None:
    """Why `url` cannot be a webhook, or None. Checks its form only; `addresses` checks
    where its host resolves when a delivery is sent."""
    if len(url) > MAX_URL_CHARS:
        return f"'url' is limited to {MAX_URL_CHARS} characters"
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "'url' is not a URL"
    schemes = ("https", "http") if allow_private else ("https",)
    if parsed.scheme not in schemes or not parsed.host:
        return "'url' must be an https:// URL" + (" (or http://)" if allow_private else "")
    if parsed.userinfo:
        return "'url' must not carry a user name or password"
    if not allow_private and (parsed.host == "localhost" or _private_literal(parsed.host)):
        return "'url' must not lead to a loopback, private or link-local address"
    return None


class Refused(Exception):
    """The host resolves to an address the server does not send to; trying again later
    would not help."""


async def addresses(url: httpx.URL, *, allow_private: bool) -> list[str]:
    """Every address the host of `url` resolves to, all of them checked.

    The sender connects to one of these itself (`at_address`) and never lets the name be
    resolved again, so a name that answers a public address first and a private one the
    next time cannot lead past the check. Raises `Refused` when an address is not global
    and private targets are not allowed, and OSError when the name does not resolve (a
    failure like any other connection error, tried again later).
    """
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(url.host, url.port, type=socket.SOCK_STREAM)
    found = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not found:
        raise OSError(f"{url.host} resolves to no address")
    if not allow_private and not all(_global(address) for address in found):
        raise Refused("refused: the host resolves to a loopback, private or link-local address")
    return found


def at_address(url: httpx.URL, address: str) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """What to request to reach `url` at `address`: the URL with the address as its host,
    the `Host` header of the name, and for https the name for TLS. httpx sends the name
    as SNI and Python's ssl checks the certificate against it, not against the address,
    so the receiver must still prove the name."""
    name = url.raw_host.decode("ascii")
    tls = {"sni_hostname": name} if url.scheme == "https" else {}
    return url.copy_with(host=address), {"Host": url.netloc.decode("ascii")}, tls


def _private_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return not _global(host)


def _global(address: str) -> bool:
    """Whether the server may send to `address`: a public address, in IPv6 also none that
    carries a non-public IPv4 address inside it, through which a gateway or tunnel could
    lead back into the private network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return ip.is_global
    if any(ip in network for network in _NEVER):
        return False
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        return embedded.is_global
    return ip.is_global and not (ip.is_site_local or ip.is_multicast)


# Ranges no webhook leads to, whatever they carry: Teredo tunnels (2001::/32, whose client
# address is hidden) and NAT64 for local use (RFC 8215), a gateway into a private network.
_NEVER = (ipaddress.IPv6Network("2001::/32"), ipaddress.IPv6Network("64:ff9b:1::/48"))
# IPv4 carried in the last 32 bits: IPv4-mapped, IPv4-compatible (RFC 4291) and the NAT64
# well-known prefix (RFC 6052).
_LAST_32 = (
    ipaddress.IPv6Network("::ffff:0:0/96"),
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("64:ff9b::/96"),
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that `ip` stands for, if it is one of the forms that carry one."""
    if ip.sixtofour is not None:  # 2002::/16 (RFC 3056)
        return ip.sixtofour
    if any(ip in network for network in _LAST_32):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
