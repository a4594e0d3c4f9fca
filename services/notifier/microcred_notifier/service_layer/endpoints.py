"""Where and how a delivery is sent: its subscription and signing secrets, briefly cached.

Every attempt needs both; reading them from the database for each of a burst of deliveries to
the same subscription doubles the database work of sending. A change (pause, rotation) is
therefore seen by the dispatcher within ``ttl`` at most.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain.subscriptions import Subscription
from .ports import Clock, Keys, SubscriptionRepository

MAX_CACHED = 10_000


@dataclass(frozen=True)
class Endpoint:
    subscription: Subscription
    signing_secrets: tuple[str, ...]


@dataclass
class EndpointDirectory:
    subscriptions: SubscriptionRepository
    keys: Keys
    clock: Clock
    ttl: timedelta = timedelta(seconds=1)
    _cache: dict[str, tuple[datetime, Endpoint | None]] = field(default_factory=dict)
    # One load per subscription at a time: when the entry expires, the sends in flight to that
    # subscription (up to the origin's limit) wait for the same read instead of each making one.
    _loading: dict[str, asyncio.Future[Endpoint | None]] = field(default_factory=dict)

    async def get(self, subscription_id: str) -> Endpoint | None:
        now = self.clock.now()
        cached = self._cache.get(subscription_id)
        if cached and cached[0] > now:
            return cached[1]
        loading = self._loading.get(subscription_id)
        if loading is None:
            loading = asyncio.ensure_future(self._load_and_cache(subscription_id, now))
            self._loading[subscription_id] = loading
            loading.add_done_callback(lambda _: self._loading.pop(subscription_id, None))
        return await asyncio.shield(loading)

    async def _load_and_cache(self, subscription_id: str, now: datetime) -> Endpoint | None:
        endpoint = await self._load(subscription_id, now)
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[subscription_id] = (now + self.ttl, endpoint)
        return endpoint

    def forget(self, subscription_id: str) -> None:
        self._cache.pop(subscription_id, None)

    async def _load(self, subscription_id: str, now: datetime) -> Endpoint | None:
        subscription = await self.subscriptions.get(subscription_id)
        if subscription is None:
            return None
        sealed = await self.subscriptions.secrets(subscription_id)
        secrets: list[str] = []
        if sealed is not None:
            secrets.append(self.keys.unseal(sealed.current))
            if sealed.previous and sealed.previous_until and sealed.previous_until > now:
                secrets.append(self.keys.unseal(sealed.previous))
        return Endpoint(subscription, tuple(secrets))
