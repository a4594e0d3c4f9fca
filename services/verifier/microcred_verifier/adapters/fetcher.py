"""Fetching a URL someone else chose, safely (SSRF): https only, public addresses only, DNS
resolved once and the connection pinned to the address we checked, redirects re-checked, a
size and a time limit."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from ..service_layer.ports import FetchError

ACCEPT = "application/vc+ld+json, application/ld+json, application/json, application/vc+jwt"


class SafeFetcher:
    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout_seconds: float = 5.0,
        max_bytes: int = 1_000_000,
        max_redirects: int = 3,
    ) -> None:
        self._allow_private = allow_private
        self._timeout = timeout_seconds
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects

    async def fetch(self, url: str) -> tuple[bytes, str]:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._follow(url)
        except TimeoutError as exc:
            raise FetchError(
                f"no answer from {urlsplit(url).hostname} within {self._timeout}s"
            ) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {type(exc).__name__}") from exc

    async def _follow(self, url: str) -> tuple[bytes, str]:
        for _ in range(self._max_redirects + 1):
            response_url, status, media_type, body = await self._get_once(url)
            if status in (301, 302, 303, 307, 308):
                url = urljoin(url, response_url)
                continue
            if status != 200:
                raise FetchError(f"{url} answered HTTP {status}")
            return body, media_type
        raise FetchError(f"more than {self._max_redirects} redirects")

    async def _checked_address(self, url: str) -> tuple[str, str, int]:
        parts = urlsplit(url)
        allowed = ("https", "http") if self._allow_private else ("https",)
        if parts.scheme not in allowed or not parts.hostname:
            raise FetchError(f"only {' or '.join(allowed)} URLs are fetched: {url!r:.100}")
        if parts.username or parts.password:
            raise FetchError("URLs with credentials are refused")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                parts.hostname, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise FetchError(f"cannot resolve {parts.hostname}") from exc
        addresses = [str(info[4][0]) for info in infos]
        if not addresses:
            raise FetchError(f"{parts.hostname} has no address")
        for address in addresses:
            if not self._allow_private and not ipaddress.ip_address(address).is_global:
                raise FetchError(f"{parts.hostname} resolves to a non-public address")
        return parts.hostname, addresses[0], port

    async def _get_once(self, url: str) -> tuple[str, int, str, bytes]:
        host, address, port = await self._checked_address(url)
        parts = urlsplit(url)
        literal = f"[{address}]" if ":" in address else address
        pinned = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "Accept": ACCEPT}
        async with (
            httpx.AsyncClient(follow_redirects=False, trust_env=False) as client,
            client.stream(
                "GET", pinned, headers=headers, extensions={"sni_hostname": host}
            ) as response,
        ):
            if response.is_redirect:
                return response.headers.get("location", ""), response.status_code, "", b""
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self._max_bytes:
                    raise FetchError(f"{url} is larger than {self._max_bytes} bytes")
            media_type = response.headers.get("content-type", "").split(";")[0].strip()
            return url, response.status_code, media_type, bytes(body)
