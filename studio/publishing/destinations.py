"""Where a webhook may be sent: an http(s) URL whose host resolves only to public addresses.

A studio that POSTs to any URL an admin types is a way into the network it runs in (SSRF):
`http://169.254.169.254/` is a cloud's metadata service, `http://localhost:5432` its database.
So every address a host resolves to must be globally routable, unless the endpoint was added
with `allow_private` (a receiver on the same machine or network, on purpose). The address that
was checked is the one connected to, so a DNS answer that changes between check and connect
(rebinding) cannot slip a private address through.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

MAX_URL_CHARS = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BadDestination(ValueError):
    """The URL may not be delivered to; the message says why."""


class PrivateDestination(BadDestination):
    """The URL leads inside the network, which only an endpoint allowed to may reach."""


@dataclass(frozen=True)
class Destination:
    url: str
    host: str
    port: int
    address: str  # the resolved, checked address to connect to


def parse(url: str) -> SplitResult:
    """The URL's parts, or BadDestination saying what is wrong with it."""
    if not url or len(url) > MAX_URL_CHARS:
        raise BadDestination(f"a webhook URL has 1 to {MAX_URL_CHARS} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise BadDestination("a webhook URL has no spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        raise BadDestination(f"{url!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise BadDestination(f"{url!r}: webhooks go to http:// or https:// URLs")
    if not parts.hostname:
        raise BadDestination(f"{url!r} names no host")
    if parts.username or parts.password:
        raise BadDestination(f"{url!r}: put no credentials in the URL (deliveries are signed)")
    if parts.fragment:
        raise BadDestination(f"{url!r}: a fragment (#...) is never sent; leave it out")
    return parts


def check_literal(url: str, allow_private: bool) -> None:
    """At add time: refuse a URL that names a private address outright (a host name is checked
    on every delivery, when it is resolved)."""
    host = parse(url).hostname or ""
    address = _as_address(host)
    if host == "localhost" or host.endswith(".localhost"):
        address = ipaddress.ip_address("127.0.0.1")
    if address is not None and not allow_private and not is_public(address):
        raise PrivateDestination(_private_message(host, address))


def resolve(url: str, allow_private: bool) -> Destination:
    """The address to deliver `url` to, after checking every address its host has."""
    parts = parse(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BadDestination(f"cannot resolve {host!r}: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise PrivateDestination(_private_message(host, address))
    return Destination(url=url, host=host, port=port, address=str(addresses[0]))


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, private, link-local, shared (CGNAT), reserved,
    multicast or unspecified, including IPv4 addresses wrapped in IPv6."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _as_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _private_message(host: str, address: IPAddress) -> str:
    return (
        f"{host} is {address}, a loopback, private or link-local address: webhooks are not "
        "sent inside the studio's own network unless an admin adds the endpoint as allowed "
        "to reach private addresses"
    )
