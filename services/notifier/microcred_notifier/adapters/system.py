"""The clock and DNS, as the handlers' ports see them."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

from ..domain.urls import UrlRefused


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class DnsResolver:
    async def resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError) as error:
            raise UrlRefused(f"{host} does not resolve") from error
        return sorted({str(info[4][0]) for info in infos})
