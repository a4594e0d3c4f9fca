"""Handlers for subscribers and their subscriptions (the subscriptions API)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from ..domain.deliveries import Delivery, DeliveryStatus
from ..domain.subscriptions import Subscriber, Subscription, SubscriptionStatus
from ..domain.urls import UrlRefused, check_addresses, parse_webhook_url
from . import commands
from .errors import Invalid, NotFound, Unauthorized
from .ports import (
    AddressResolver,
    Clock,
    DeliveryRepository,
    Keys,
    SealedSecrets,
    SubscriberRepository,
    SubscriptionRepository,
)


@dataclass(frozen=True)
class Created:
    """A new subscriber or subscription with the secret that is shown this once only."""

    secret: str


@dataclass(frozen=True)
class SubscriberCreated(Created):
    subscriber: Subscriber


@dataclass(frozen=True)
class SubscriptionCreated(Created):
    subscription: Subscription


@dataclass
class SubscriptionHandlers:
    subscribers: SubscriberRepository
    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository
    keys: Keys
    resolver: AddressResolver
    clock: Clock
    allow_private_urls: bool = False
    rotation_grace: timedelta = timedelta(hours=24)
    # Tells the dispatcher that deliveries became due (resume, redelivery).
    on_new_deliveries: Callable[[], None] = field(default=lambda: None)

    async def create_subscriber(self, command: commands.CreateSubscriber) -> SubscriberCreated:
        subscriber = Subscriber(
            subscriber_id="sbr_" + uuid.uuid4().hex,
            name=command.name,
            kind=command.kind,
            provider_ids=command.provider_ids,
            created_at=self.clock.now(),
        )
        api_key = self.keys.new_api_key()
        await self.subscribers.add(subscriber, self.keys.hash_api_key(api_key))
        return SubscriberCreated(secret=api_key, subscriber=subscriber)

    async def authenticate(self, api_key: str) -> Subscriber:
        subscriber = await self.subscribers.by_api_key_hash(self.keys.hash_api_key(api_key))
        if subscriber is None:
            raise Unauthorized("unknown API key")
        return subscriber

    async def register(self, command: commands.RegisterSubscription) -> SubscriptionCreated:
        if not command.event_types:
            raise Invalid("name at least one event type")
        await self._check_url(command.url)
        subscription = Subscription(
            subscription_id="sub_" + uuid.uuid4().hex,
            subscriber_id=command.subscriber_id,
            url=command.url,
            event_types=command.event_types,
            filters=command.filters,
            description=command.description,
            created_at=self.clock.now(),
        )
        secret = self.keys.new_signing_secret()
        await self.subscriptions.add(subscription, SealedSecrets(current=self.keys.seal(secret)))
        return SubscriptionCreated(secret=secret, subscription=subscription)

    async def list_own(self, subscriber_id: str) -> list[Subscription]:
        owned = await self.subscriptions.of_subscriber(subscriber_id)
        return [s for s in owned if s.status is not SubscriptionStatus.DELETED]

    async def get_own(self, command: commands.SubscriptionCommand) -> Subscription:
        subscription = await self.subscriptions.get(command.subscription_id)
        if (
            subscription is None
            or subscription.subscriber_id != command.subscriber_id
            or subscription.status is SubscriptionStatus.DELETED
        ):
            raise NotFound("no such subscription")
        return subscription

    async def pause(self, command: commands.PauseSubscription) -> Subscription:
        paused = (await self.get_own(command)).paused()
        await self.subscriptions.save(paused)
        await self.deliveries.move(
            paused.subscription_id, [DeliveryStatus.PENDING], DeliveryStatus.HELD
        )
        return paused

    async def resume(self, command: commands.ResumeSubscription) -> Subscription:
        resumed = (await self.get_own(command)).resumed()
        await self.subscriptions.save(resumed)
        await self.deliveries.move(
            resumed.subscription_id, [DeliveryStatus.HELD], DeliveryStatus.PENDING, self.clock.now()
        )
        self.on_new_deliveries()
        return resumed

    async def delete(self, command: commands.DeleteSubscription) -> None:
        deleted = (await self.get_own(command)).deleted()
        await self.subscriptions.save(deleted)
        # One pass over the deliveries for both: at 100,000 deliveries each pass reads them
        # all on FerretDB (15 s or more), and two passes outlasted a client's 60 s.
        await self.deliveries.move(
            deleted.subscription_id,
            [DeliveryStatus.PENDING, DeliveryStatus.HELD],
            DeliveryStatus.CANCELLED,
        )

    async def rotate_secret(self, command: commands.RotateSigningSecret) -> str:
        """A new secret signs from now on; the old one signs too during a grace period, so the
        receiver can switch over without rejecting anything (Standard Webhooks allows several
        signatures in one header)."""
        subscription = await self.get_own(command)
        old = await self.subscriptions.secrets(subscription.subscription_id)
        secret = self.keys.new_signing_secret()
        await self.subscriptions.set_secrets(
            subscription.subscription_id,
            SealedSecrets(
                current=self.keys.seal(secret),
                previous=old.current if old else None,
                previous_until=self.clock.now() + self.rotation_grace,
            ),
        )
        return secret

    async def deliveries_of(
        self, command: commands.SubscriptionCommand, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        subscription = await self.get_own(command)
        return await self.deliveries.of_subscription(subscription.subscription_id, status, limit)

    async def redeliver(self, command: commands.Redeliver) -> Delivery:
        subscription = await self.get_own(command)
        delivery = await self.deliveries.get(command.delivery_id)
        if delivery is None or delivery.subscription_id != subscription.subscription_id:
            raise NotFound("no such delivery")
        if delivery.status is DeliveryStatus.PENDING:
            return delivery
        again = delivery.redelivered(self.clock.now())
        if not subscription.active:
            again = replace(again, status=DeliveryStatus.HELD)
        await self.deliveries.save(again)
        self.on_new_deliveries()
        return again

    async def _check_url(self, url: str) -> None:
        try:
            target = parse_webhook_url(url, allow_private=self.allow_private_urls)
            addresses = await self.resolver.resolve(target.host, target.port)
            check_addresses(addresses, allow_private=self.allow_private_urls)
        except UrlRefused as refused:
            raise Invalid(f"webhook URL refused: {refused}") from refused
