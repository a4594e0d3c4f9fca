"""Turning one ecosystem event into one delivery per matching subscription."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..domain.deliveries import Delivery, delivery_id_for
from ..domain.notifications import Notification, payload_for
from ..domain.subscriptions import Subscriber, Subscription, learner_visible_to
from ..domain.urls import UrlRefused, parse_webhook_url
from .ports import (
    Clock,
    DeliveryRepository,
    DueDelivery,
    SubscriberRepository,
    SubscriptionRepository,
)


def _nothing(_: Sequence[DueDelivery]) -> None:
    return None


@dataclass
class FanOut:
    subscribers: SubscriberRepository
    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository
    clock: Clock
    # Hands the dispatcher the new work, so it need not wait for its next poll.
    on_new_deliveries: Callable[[Sequence[DueDelivery]], None] = field(default=_nothing)

    async def notify(self, notification: Notification, trace: dict[str, str] | None = None) -> int:
        """Store a delivery for every subscription that wants ``notification``; returns how
        many were new (a redelivered event finds them all there and adds nothing)."""
        return await self.notify_many([(notification, trace or {})])

    async def notify_many(self, batch: Sequence[tuple[Notification, dict[str, str]]]) -> int:
        """:meth:`notify` for many events: the subscriptions read once per event type and
        every new delivery stored in one write."""
        event_types = sorted({notification.event_type for notification, _ in batch})
        found = await asyncio.gather(*(self.subscriptions.active_for(t) for t in event_types))
        active = dict(zip(event_types, found, strict=True))
        owners: dict[str, Subscriber | None] = {}
        deliveries: list[Delivery] = []
        for notification, trace in batch:
            for subscription in active[notification.event_type]:
                if not subscription.wants(notification):
                    continue
                owner = await self._owner(subscription.subscriber_id, owners)
                delivery = owner and self._delivery(notification, subscription, owner, trace)
                if delivery:
                    deliveries.append(delivery)
        added = await self.deliveries.add_many_if_absent(deliveries) if deliveries else []
        created = [
            DueDelivery(d.delivery_id, d.origin, d)
            for d, new in zip(deliveries, added, strict=True)
            if new
        ]
        if created:
            self.on_new_deliveries(created)
        return len(created)

    async def _owner(
        self, subscriber_id: str, owners: dict[str, Subscriber | None]
    ) -> Subscriber | None:
        if subscriber_id not in owners:
            owners[subscriber_id] = await self.subscribers.get(subscriber_id)
        return owners[subscriber_id]

    def _delivery(
        self,
        notification: Notification,
        subscription: Subscription,
        owner: Subscriber,
        trace: dict[str, str],
    ) -> Delivery | None:
        try:
            # Registration checked the URL with the settings of that time; origin is only for
            # bounding concurrency, so the dispatcher's own check decides whether it is called.
            origin = parse_webhook_url(subscription.url, allow_private=True).origin
        except UrlRefused:
            return None
        now = self.clock.now()
        return Delivery(
            delivery_id=delivery_id_for(subscription.subscription_id, notification.event_id),
            subscription_id=subscription.subscription_id,
            event_id=notification.event_id,
            event_type=notification.event_type.value,
            origin=origin,
            payload=payload_for(
                notification,
                learner_visible=learner_visible_to(owner, subscription, notification),
            ),
            created_at=now,
            due_at=now,
            trace=trace,
        )
