"""In-memory stand-ins for the notifier's ports, for handler-level tests."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from microcred_notifier.adapters.keys import SecretKeys
from microcred_notifier.domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus
from microcred_notifier.domain.emails import LearnerEmail
from microcred_notifier.domain.notifications import EventType
from microcred_notifier.domain.retries import RetrySchedule
from microcred_notifier.domain.subscriptions import Subscriber, Subscription, SubscriptionStatus
from microcred_notifier.domain.urls import UrlRefused
from microcred_notifier.service_layer.dispatcher import Dispatcher, DispatchLimits
from microcred_notifier.service_layer.fanout import FanOut
from microcred_notifier.service_layer.ports import (
    DueDelivery,
    SealedSecrets,
    WebhookRequest,
)
from microcred_notifier.service_layer.subscriptions import SubscriptionHandlers

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    current: datetime = T0

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeSubscribers:
    def __init__(self) -> None:
        self.by_id: dict[str, Subscriber] = {}
        self.hashes: dict[str, str] = {}

    async def add(self, subscriber: Subscriber, api_key_hash: str) -> None:
        self.by_id[subscriber.subscriber_id] = subscriber
        self.hashes[api_key_hash] = subscriber.subscriber_id

    async def get(self, subscriber_id: str) -> Subscriber | None:
        return self.by_id.get(subscriber_id)

    async def by_api_key_hash(self, api_key_hash: str) -> Subscriber | None:
        found = self.hashes.get(api_key_hash)
        return self.by_id.get(found) if found else None


class FakeSubscriptions:
    def __init__(self) -> None:
        self.by_id: dict[str, Subscription] = {}
        self.sealed: dict[str, SealedSecrets] = {}

    async def add(self, subscription: Subscription, secrets: SealedSecrets) -> None:
        self.by_id[subscription.subscription_id] = subscription
        self.sealed[subscription.subscription_id] = secrets

    async def get(self, subscription_id: str) -> Subscription | None:
        return self.by_id.get(subscription_id)

    async def save(self, subscription: Subscription) -> None:
        self.by_id[subscription.subscription_id] = subscription

    async def of_subscriber(self, subscriber_id: str) -> list[Subscription]:
        return [s for s in self.by_id.values() if s.subscriber_id == subscriber_id]

    async def active_for(self, event_type: EventType) -> list[Subscription]:
        return [
            s
            for s in self.by_id.values()
            if s.status is SubscriptionStatus.ACTIVE and event_type in s.event_types
        ]

    async def secrets(self, subscription_id: str) -> SealedSecrets | None:
        return self.sealed.get(subscription_id)

    async def set_secrets(self, subscription_id: str, secrets: SealedSecrets) -> None:
        self.sealed[subscription_id] = secrets


class FakeDeliveries:
    def __init__(self) -> None:
        self.rows: dict[str, Delivery] = {}

    def all(self) -> list[Delivery]:
        return list(self.rows.values())

    async def add_many_if_absent(self, deliveries: Sequence[Delivery]) -> list[bool]:
        added = []
        for delivery in deliveries:
            added.append(delivery.delivery_id not in self.rows)
            self.rows.setdefault(delivery.delivery_id, delivery)
        return added

    async def get(self, delivery_id: str) -> Delivery | None:
        return self.rows.get(delivery_id)

    async def due(
        self, now: datetime, busy_origins: Sequence[str], limit: int
    ) -> list[DueDelivery]:
        due = [
            d
            for d in self.rows.values()
            if d.status is DeliveryStatus.PENDING
            and d.due_at <= now
            and d.origin not in busy_origins
        ]
        due.sort(key=lambda d: d.due_at)
        return [DueDelivery(d.delivery_id, d.origin) for d in due[:limit]]

    async def pending(self, delivery_ids: Sequence[str], now: datetime) -> list[Delivery]:
        found = (self.rows.get(i) for i in delivery_ids)
        return [d for d in found if d and d.status is DeliveryStatus.PENDING and d.due_at <= now]

    async def record(self, attempted: Sequence[Delivery]) -> None:
        for delivery in attempted:
            self.rows[delivery.delivery_id] = delivery

    async def set_status(self, delivery_ids: Sequence[str], status: DeliveryStatus) -> None:
        for delivery_id in delivery_ids:
            self.rows[delivery_id] = replace(self.rows[delivery_id], status=status)

    async def save(self, delivery: Delivery) -> None:
        self.rows[delivery.delivery_id] = delivery

    async def of_subscription(
        self, subscription_id: str, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        found = [
            d
            for d in self.all()
            if d.subscription_id == subscription_id and (status is None or d.status is status)
        ]
        return found[:limit]

    async def move(
        self,
        subscription_id: str,
        from_statuses: Collection[DeliveryStatus],
        to_status: DeliveryStatus,
        due_at: datetime | None = None,
    ) -> int:
        moved = 0
        for d in list(self.rows.values()):
            if d.subscription_id == subscription_id and d.status in from_statuses:
                self.rows[d.delivery_id] = replace(d, status=to_status, due_at=due_at or d.due_at)
                moved += 1
        return moved


@dataclass
class FakeLease:
    """The dispatch lease; ``held_elsewhere`` plays another replica holding it."""

    held_elsewhere: bool = False
    released: int = 0

    async def hold(self, duration: timedelta) -> bool:
        return not self.held_elsewhere

    async def release(self) -> None:
        self.released += 1


@dataclass
class FakeResolver:
    """Every host resolves to a public address unless told otherwise."""

    addresses: dict[str, list[str]] = field(default_factory=dict)

    async def resolve(self, host: str, port: int) -> list[str]:
        if host.endswith(".invalid"):
            raise UrlRefused(f"{host} does not resolve")
        return self.addresses.get(host, ["93.184.216.34"])


@dataclass
class ScriptedSender:
    """Answers each URL with the next status of its script (then the last one forever)."""

    clock: FakeClock
    scripts: dict[str, list[int]] = field(default_factory=dict)
    retry_after: dict[str, float] = field(default_factory=dict)
    sent: list[WebhookRequest] = field(default_factory=list)

    async def send(self, request: WebhookRequest) -> AttemptOutcome:
        self.sent.append(request)
        script = self.scripts.get(request.url, [200])
        status = script.pop(0) if len(script) > 1 else script[0]
        return AttemptOutcome(
            started_at=self.clock.now(),
            latency_ms=1.0,
            status_code=status,
            retry_after_seconds=self.retry_after.get(request.url),
        )

    def to(self, url: str) -> list[WebhookRequest]:
        return [r for r in self.sent if r.url == url]


@dataclass
class FakeMailer:
    outbox: list[LearnerEmail] = field(default_factory=list)
    fail: bool = False

    # Addresses the mail server refuses (each such e-mail fails alone).
    refused: set[str] = field(default_factory=set)

    async def send_many(self, emails: Sequence[LearnerEmail]) -> list[Exception | None]:
        if self.fail:
            return [ConnectionError("the SMTP server is away") for _ in emails]
        outcome: list[Exception | None] = []
        for email in emails:
            if email.to in self.refused:
                outcome.append(ValueError(f"550 {email.to}: no such mailbox"))
            else:
                self.outbox.append(email)
                outcome.append(None)
        return outcome


@dataclass
class FakeEmailLog:
    status: dict[str, str] = field(default_factory=dict)

    async def claim_many(self, claims: Sequence[tuple[str, str]]) -> list[bool]:
        return [self.status.setdefault(email_id, "pending") != "sent" for email_id, _ in claims]

    async def mark_sent_many(self, email_ids: Sequence[str]) -> None:
        self.status.update(dict.fromkeys(email_ids, "sent"))


@dataclass
class World:
    """The notifier's handlers wired to fakes, as bootstrap wires them to real adapters."""

    clock: FakeClock = field(default_factory=FakeClock)
    subscribers: FakeSubscribers = field(default_factory=FakeSubscribers)
    subscriptions: FakeSubscriptions = field(default_factory=FakeSubscriptions)
    deliveries: FakeDeliveries = field(default_factory=FakeDeliveries)
    resolver: FakeResolver = field(default_factory=FakeResolver)
    keys: SecretKeys = field(default_factory=lambda: SecretKeys("unit-test-encryption-key"))
    schedule: RetrySchedule = field(default_factory=lambda: RetrySchedule(jitter=0.0))
    limits: DispatchLimits = field(default_factory=DispatchLimits)
    lease: FakeLease = field(default_factory=FakeLease)

    def __post_init__(self) -> None:
        self.sender = ScriptedSender(self.clock)
        self.handlers = SubscriptionHandlers(
            subscribers=self.subscribers,
            subscriptions=self.subscriptions,
            deliveries=self.deliveries,
            keys=self.keys,
            resolver=self.resolver,
            clock=self.clock,
        )
        self.fan_out = FanOut(self.subscribers, self.subscriptions, self.deliveries, self.clock)
        self.dispatcher = Dispatcher(
            deliveries=self.deliveries,
            subscriptions=self.subscriptions,
            keys=self.keys,
            sender=self.sender,
            resolver=self.resolver,
            clock=self.clock,
            lease=self.lease,
            schedule=self.schedule,
            limits=self.limits,
        )
        # As bootstrap wires them: new or re-due deliveries are looked for at once.
        self.fan_out.on_new_deliveries = self.dispatcher.new_deliveries
        self.handlers.on_new_deliveries = self.dispatcher.new_deliveries
