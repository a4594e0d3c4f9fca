"""HTTP shapes of the subscriptions API (separate from the domain and the stored documents)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..domain.deliveries import Delivery, DeliveryStatus
from ..domain.notifications import EventType
from ..domain.subscriptions import (
    Filters,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionStatus,
)

Ids = list[str]


class SubscriberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Hochschule Nordstadt"])
    kind: SubscriberKind
    provider_ids: Ids = Field(
        default_factory=list,
        max_length=100,
        description="providers this account acts for: it sees their learners' references",
    )


class SubscriberCreated(BaseModel):
    subscriber_id: str
    name: str
    kind: SubscriberKind
    provider_ids: Ids
    api_key: str = Field(description="shown this once: store it, it cannot be read again")

    @classmethod
    def of(cls, subscriber: Subscriber, api_key: str) -> SubscriberCreated:
        return cls(
            subscriber_id=subscriber.subscriber_id,
            name=subscriber.name,
            kind=subscriber.kind,
            provider_ids=sorted(subscriber.provider_ids),
            api_key=api_key,
        )


class FiltersPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider_ids: Ids = Field(default_factory=list, max_length=500)
    achievement_ids: Ids = Field(default_factory=list, max_length=1000)
    isced_f_codes: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="ISCED-F 2013 codes, matched by prefix ('07' covers '0714')",
        examples=[["0714"]],
    )
    learner_refs: Ids = Field(
        default_factory=list,
        max_length=10_000,
        description="your own learners (their learner_ref): credential events about others are "
        "not sent; does not apply to course events",
    )

    def to_domain(self) -> Filters:
        return Filters(
            provider_ids=frozenset(self.provider_ids),
            achievement_ids=frozenset(self.achievement_ids),
            isced_f_codes=frozenset(self.isced_f_codes),
            learner_refs=frozenset(self.learner_refs),
        )

    @classmethod
    def of(cls, filters: Filters) -> FiltersPublic:
        return cls(
            provider_ids=sorted(filters.provider_ids),
            achievement_ids=sorted(filters.achievement_ids),
            isced_f_codes=sorted(filters.isced_f_codes),
            learner_refs=sorted(filters.learner_refs),
        )


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, examples=["https://sis.example.edu/hooks/microcred"])
    event_types: list[EventType] = Field(min_length=1)
    filters: FiltersPublic = Field(default_factory=FiltersPublic)
    description: str | None = Field(default=None, max_length=500)


class SubscriptionPublic(BaseModel):
    subscription_id: str
    url: str
    event_types: list[EventType]
    filters: FiltersPublic
    status: SubscriptionStatus
    status_reason: str | None
    description: str | None
    created_at: datetime | None

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionPublic:
        return cls(
            subscription_id=subscription.subscription_id,
            url=subscription.url,
            event_types=sorted(subscription.event_types),
            filters=FiltersPublic.of(subscription.filters),
            status=subscription.status,
            status_reason=subscription.status_reason,
            description=subscription.description,
            created_at=subscription.created_at,
        )


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(
        description="Standard Webhooks signing secret (whsec_…), shown this once; verify each "
        "webhook with it"
    )


class SigningSecretCreated(BaseModel):
    subscription_id: str
    secret: str = Field(
        description="the new signing secret; the old one keeps signing too during the grace period"
    )


class AttemptPublic(BaseModel):
    number: int
    started_at: datetime
    latency_ms: float
    status_code: int | None
    error: str | None


class DeliveryPublic(BaseModel):
    delivery_id: str = Field(description="also the webhook-id header of every attempt")
    event_id: str
    event_type: str
    status: DeliveryStatus
    created_at: datetime
    next_attempt_at: datetime | None
    last_error: str | None
    attempts: list[AttemptPublic]
    payload: dict[str, Any]

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryPublic:
        return cls(
            delivery_id=delivery.delivery_id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status,
            created_at=delivery.created_at,
            next_attempt_at=delivery.due_at if delivery.status is DeliveryStatus.PENDING else None,
            last_error=delivery.last_error,
            attempts=[
                AttemptPublic(
                    number=a.number,
                    started_at=a.outcome.started_at,
                    latency_ms=a.outcome.latency_ms,
                    status_code=a.outcome.status_code,
                    error=a.outcome.error,
                )
                for a in delivery.attempts
            ],
            payload=delivery.payload,
        )
