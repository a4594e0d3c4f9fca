"""What the handlers need from the outside world; adapters implement these, tests fake them
(so each adapter method repeats its signature here, as a Protocol's implementation does)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
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
    # The delivery as this process just stored it (new, pending, due now): taken without
    # reading it back. None when found by a look at the pointers.
    stored: Delivery | None = None


class DeliveryRepository(Protocol):
    """Deliveries and their dispatch state. Only the replica that holds the dispatch lease
    (:class:`DispatchLease`) calls ``pending``, ``record`` and ``set_status``: it is the single
    writer of dispatch state, so these are plain by-``_id`` writes, batched, with no lock."""

    async def add_many_if_absent(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """Store each new delivery (with its pointer while pending); per delivery, True if
        it was new."""
        ...

    async def get(self, delivery_id: str) -> Delivery | None: ...
    async def due(
        self, now: datetime, busy_origins: Sequence[str], limit: int
    ) -> list[DueDelivery]:
        """Deliveries that are due (a peek: nothing held), up to ``limit``: those waiting
        longest first, roughly (a store may keep the order they were stored in rather than sort
        its whole backlog)."""
        ...

    async def pending(self, delivery_ids: Sequence[str], now: datetime) -> list[Delivery]:
        """Those of ``delivery_ids`` still pending and due at ``now`` (the others are dropped
        from what ``due`` looks through, or looked for again when they fall due)."""
        ...

    async def record(self, attempted: Sequence[Delivery]) -> None:
        """Store each delivery's latest attempt and new state, in one bulk write."""
        ...

    async def set_status(self, delivery_ids: Sequence[str], status: DeliveryStatus) -> None:
        """End or hold deliveries that were not sent (subscription deleted or paused)."""
        ...

    async def save(self, delivery: Delivery) -> None: ...
    async def of_subscription(
        self, subscription_id: str, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]: ...
    async def move(
        self,
        subscription_id: str,
        from_statuses: Collection[DeliveryStatus],
        to_status: DeliveryStatus,
        due_at: datetime | None = None,
    ) -> int:
        """The subscription's deliveries in any of ``from_statuses`` to ``to_status`` (and
        ``due_at``, if given); how many moved."""
        ...


class DispatchLease(Protocol):
    """Ownership of dispatching: one replica at a time sends and records deliveries.

    A standby replica takes over once the holder has not renewed for ``duration`` (it crashed);
    a holder that could not renew stops claiming, so two never send the same delivery at once.
    """

    async def hold(self, duration: timedelta) -> bool:
        """Take the lease, or extend it if ours: True while this replica holds it."""
        ...

    async def release(self) -> None: ...


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
    async def claim_many(self, claims: Sequence[tuple[str, str]]) -> list[bool]:
        """Per (e-mail id, what it is about): True unless that e-mail was already sent."""
        ...

    async def mark_sent_many(self, email_ids: Sequence[str]) -> None: ...


class Mailer(Protocol):
    async def send_many(self, emails: Sequence[LearnerEmail]) -> list[Exception | None]:
        """Send each e-mail (over one connection where the transport has them); per e-mail,
        None once the mail server took it, else why not."""
        ...
