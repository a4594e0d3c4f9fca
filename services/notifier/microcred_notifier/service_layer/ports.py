"""What the handlers need from the outside world; adapters implement these, tests fake them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus
from ..domain.emails import LearnerEmail
from ..domain.notifications import EventType
from ..domain.subscriptions import Subscriber, Subscription


class Clock(Protocol):
    def now(self) -> datetime: ...


class Keys(Protocol):
    """Secrets: API keys (stored only as hashes) and signing secrets (stored only sealed)."""

    def new_api_key(self) -> str: ...
    def hash_api_key(self, api_key: str) -> str: ...
    def new_signing_secret(self) -> str: ...
    def seal(self, secret: str) -> str: ...
    def unseal(self, sealed: str) -> str: ...


@dataclass(frozen=True)
class SealedSecrets:
    """The current signing secret and, during a rotation's grace period, the previous one."""

    current: str
    previous: str | None = None
    previous_until: datetime | None = None


class SubscriberRepository(Protocol):
    async def add(self, subscriber: Subscriber, api_key_hash: str) -> None: ...
    async def get(self, subscriber_id: str) -> Subscriber | None: ...
    async def by_api_key_hash(self, api_key_hash: str) -> Subscriber | None: ...


class SubscriptionRepository(Protocol):
    async def add(self, subscription: Subscription, secrets: SealedSecrets) -> None: ...
    async def get(self, subscription_id: str) -> Subscription | None: ...
    async def save(self, subscription: Subscription) -> None: ...
    async def of_subscriber(self, subscriber_id: str) -> list[Subscription]: ...
    async def active_for(self, event_type: EventType) -> list[Subscription]: ...
    async def secrets(self, subscription_id: str) -> SealedSecrets | None: ...
    async def set_secrets(self, subscription_id: str, secrets: SealedSecrets) -> None: ...


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: str
    origin: str


@dataclass(frozen=True)
class Claim:
    """A delivery this worker holds a lease on; only the lease holder may record its result."""

    delivery: Delivery
    lease_token: str


class DeliveryRepository(Protocol):
    async def add_if_absent(self, delivery: Delivery) -> bool: ...
    async def get(self, delivery_id: str) -> Delivery | None: ...
    async def due(
        self, now: datetime, busy_origins: Sequence[str], limit: int
    ) -> list[DueDelivery]:
        """Deliveries that are due and not leased, most overdue first (a peek: nothing held)."""
        ...

    async def claim(self, delivery_id: str, now: datetime, lease_until: datetime) -> Claim | None:
        """Take the lease on one due delivery, atomically; None if another worker was first."""
        ...

    async def record(self, claim: Claim, updated: Delivery) -> bool: ...
    async def release(self, claim: Claim, status: DeliveryStatus) -> None: ...
    async def save(self, delivery: Delivery) -> None: ...
    async def of_subscription(
        self, subscription_id: str, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]: ...
    async def move(
        self,
        subscription_id: str,
        from_status: DeliveryStatus,
        to_status: DeliveryStatus,
        due_at: datetime | None = None,
    ) -> int: ...


class AddressResolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]: ...


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    webhook_id: str
    body: bytes
    signing_secrets: Sequence[str]
    trace: dict[str, str]


class WebhookSender(Protocol):
    async def send(self, request: WebhookRequest) -> AttemptOutcome: ...


class EmailLog(Protocol):
    async def claim(self, email_id: str, credential_id: str) -> bool:
        """True unless the e-mail was already sent."""
        ...

    async def mark_sent(self, email_id: str) -> None: ...


class Mailer(Protocol):
    async def send(self, email: LearnerEmail) -> None: ...
