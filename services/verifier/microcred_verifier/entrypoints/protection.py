"""Protecting a public endpoint: a per-client token bucket and a request body size limit."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from microcred_shared.service.http import problem_response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_TRACKED_CLIENTS = 50_000
LIMITED_PATHS = ("/verify", "/page", "/presentations")


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """``rate`` tokens per second up to ``burst``, per client; least recently seen forgotten."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, client: str, now: float | None = None) -> float:
        """0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(client, None) or _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[client] = bucket
        if len(self._buckets) > MAX_TRACKED_CLIENTS:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self._rate


class _TooLarge(Exception):
    pass


class ProtectionMiddleware:
    """Rate limit (429) and body size limit (413) before any route code runs."""

    def __init__(self, app: ASGIApp, *, buckets: TokenBuckets, max_body_bytes: int) -> None:
        self._app = app
        self._buckets = buckets
        self._max = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(LIMITED_PATHS):
            await self._app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self._buckets.take(client)
        if wait:
            response = problem_response(429, "Too many requests", f"retry in {wait:.0f}s")
            response.headers["Retry-After"] = str(max(1, round(wait)))
            await response(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max:
            await self._too_large(scope, receive, send)
            return
        await self._guarded(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self._max:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(413, "Request too large", f"the limit is {self._max} bytes")
        await response(scope, receive, send)
