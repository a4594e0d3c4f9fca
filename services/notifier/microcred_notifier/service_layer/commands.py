"""What the notifier can be asked to do, whichever entrypoint asks."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.notifications import EventType
from ..domain.subscriptions import Filters, SubscriberKind


@dataclass(frozen=True)
class CreateSubscriber:
    name: str
    kind: SubscriberKind
    provider_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RegisterSubscription:
    subscriber_id: str
    url: str
    event_types: frozenset[EventType]
    filters: Filters
    description: str | None = None


@dataclass(frozen=True)
class SubscriptionCommand:
    """Pause, resume, delete, rotate: act on one of the subscriber's own subscriptions."""

    subscriber_id: str
    subscription_id: str


@dataclass(frozen=True)
class PauseSubscription(SubscriptionCommand):
    pass


@dataclass(frozen=True)
class ResumeSubscription(SubscriptionCommand):
    pass


@dataclass(frozen=True)
class DeleteSubscription(SubscriptionCommand):
    pass


@dataclass(frozen=True)
class RotateSigningSecret(SubscriptionCommand):
    pass


@dataclass(frozen=True)
class Redeliver(SubscriptionCommand):
    delivery_id: str
