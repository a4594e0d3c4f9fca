"""Subscribers (universities, partners) and their webhook subscriptions: who gets what."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from .notifications import EventType, Notification


class SubscriberKind(StrEnum):
    UNIVERSITY = "university"
    PARTNER = "partner"


@dataclass(frozen=True)
class Subscriber:
    """An account that owns subscriptions; ``provider_ids`` are the providers it acts for, whose
    learners it is entitled to know."""

    subscriber_id: str
    name: str
    kind: SubscriberKind
    provider_ids: frozenset[str] = frozenset()
    created_at: datetime | None = None


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    # The receiver answered 410 Gone: nothing is sent until its owner resumes it.
    DISABLED = "disabled"
    DELETED = "deleted"


@dataclass(frozen=True)
class Filters:
    """Empty means "any". Fields are ISCED-F codes matched by prefix (``07`` covers ``0714``).
    ``learner_refs`` narrows credential events to the subscriber's own learners; it does not
    apply to course events, which concern no learner."""

    provider_ids: frozenset[str] = frozenset()
    achievement_ids: frozenset[str] = frozenset()
    isced_f_codes: frozenset[str] = frozenset()
    learner_refs: frozenset[str] = frozenset()

    def match(self, notification: Notification) -> bool:
        return (
            _any_or_in(self.provider_ids, notification.provider_id)
            and _any_or_in(self.achievement_ids, notification.achievement_id)
            and self._field_matches(notification.isced_f_code)
            and self._learner_matches(notification)
        )

    def _field_matches(self, code: str | None) -> bool:
        if not self.isced_f_codes:
            return True
        return code is not None and any(code.startswith(wanted) for wanted in self.isced_f_codes)

    def _learner_matches(self, notification: Notification) -> bool:
        if not self.learner_refs or not notification.concerns_a_learner:
            return True
        return notification.learner_ref in self.learner_refs


def _any_or_in(wanted: frozenset[str], value: str | None) -> bool:
    return not wanted or (value is not None and value in wanted)


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    subscriber_id: str
    url: str
    event_types: frozenset[EventType]
    filters: Filters = field(default_factory=Filters)
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE
    description: str | None = None
    created_at: datetime | None = None
    status_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.status is SubscriptionStatus.ACTIVE

    def wants(self, notification: Notification) -> bool:
        return (
            self.active
            and notification.event_type in self.event_types
            and self.filters.match(notification)
        )

    def paused(self) -> Subscription:
        return replace(self, status=SubscriptionStatus.PAUSED, status_reason="paused by owner")

    def resumed(self) -> Subscription:
        return replace(self, status=SubscriptionStatus.ACTIVE, status_reason=None)

    def disabled(self, reason: str) -> Subscription:
        return replace(self, status=SubscriptionStatus.DISABLED, status_reason=reason)

    def deleted(self) -> Subscription:
        return replace(self, status=SubscriptionStatus.DELETED, status_reason="deleted by owner")


def learner_visible_to(subscriber: Subscriber, subscription: Subscription, n: Notification) -> bool:
    """A subscriber may see a learner's reference when it acts for the awarding provider or
    named that learner as one of its own."""
    if n.learner_ref is None:
        return False
    return (
        n.provider_id in subscriber.provider_ids
        or n.learner_ref in subscription.filters.learner_refs
    )
