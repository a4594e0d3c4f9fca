"""Which webhook URLs we may call: https to public addresses only (SSRF protection).

Checked twice: when a subscription is registered (the URL's shape and, if it names an IP, the
address) and before every delivery on the addresses the host resolves to then, because a DNS
name can be pointed at an internal address after registration.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000


class UrlRefused(ValueError):
    """The URL may not be called; the message says why."""


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    host: str
    port: int

    @property
    def origin(self) -> str:
        """What concurrency is bounded per: one receiving server."""
        return f"{self.host}:{self.port}"


def parse_webhook_url(url: str, *, allow_private: bool) -> WebhookTarget:
    """Check the URL's shape; ``allow_private`` (development only) also permits plain http."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused("the URL is too long")
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in allowed_schemes:
        raise UrlRefused("the URL must use https")
    if parts.username or parts.password:
        raise UrlRefused("the URL must not carry credentials")
    host = parts.hostname
    if not host:
        raise UrlRefused("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UrlRefused("the URL's port is invalid") from error
    if not allow_private:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise UrlRefused(f"{host} is a local name")
        literal = _ip_literal(host)
        if literal is not None:
            check_addresses([literal], allow_private=False)
    return WebhookTarget(url=url, host=host, port=port)


def check_addresses(addresses: Iterable[str], *, allow_private: bool) -> None:
    """Refuse if any address the host resolves to is not public (loopback, private, link-local,
    multicast, reserved, unspecified, or an IPv4 address mapped into IPv6)."""
    resolved = list(addresses)
    if not resolved:
        raise UrlRefused("the host resolves to no address")
    if allow_private:
        return
    for text in resolved:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise UrlRefused(f"the host resolves to a non-public address ({address})")


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None
