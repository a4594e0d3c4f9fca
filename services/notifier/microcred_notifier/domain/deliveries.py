"""A webhook delivery: one event for one subscription, tried until accepted or given up.

Its id is derived from (subscription, event), so a redelivered Kafka event finds the delivery
already there; it is also the ``webhook-id`` every attempt carries, which lets the receiver
drop the duplicates an at-least-once sender can produce.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .retries import RetrySchedule


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    # The subscription is paused or disabled: kept, sent when it is resumed.
    HELD = "held"
    SUCCEEDED = "succeeded"
    # The dead-letter record: every attempt failed, or the receiver said 410 Gone.
    DEAD = "dead"
    CANCELLED = "cancelled"


def delivery_id_for(subscription_id: str, event_id: str) -> str:
    return "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, f"microcred:{subscription_id}:{event_id}").hex


@dataclass(frozen=True)
class AttemptOutcome:
    """What one HTTP attempt gave: a status code, or an error (timeout, refused, refused URL)."""

    started_at: datetime
    latency_ms: float
    status_code: int | None = None
    error: str | None = None
    retry_after_seconds: float | None = None

    @property
    def accepted(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


@dataclass(frozen=True)
class Attempt:
    number: int
    outcome: AttemptOutcome


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    subscription_id: str
    event_id: str
    event_type: str
    # The receiving server (host:port): concurrency is bounded per origin.
    origin: str
    payload: dict[str, Any]
    created_at: datetime
    due_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: tuple[Attempt, ...] = ()
    last_error: str | None = None
    # Attempts made before the current round: a manual redelivery starts the schedule afresh.
    round_start: int = 0
    trace: dict[str, str] = field(default_factory=dict)

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)

    @property
    def final(self) -> bool:
        return self.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.DEAD)

    def after_attempt(self, outcome: AttemptOutcome, schedule: RetrySchedule) -> Delivery:
        """The delivery once ``outcome`` is recorded: accepted, dead, or due again later."""
        attempt = Attempt(self.attempt_count + 1, outcome)
        recorded = replace(self, attempts=(*self.attempts, attempt), last_error=_error_of(outcome))
        if outcome.accepted:
            return replace(recorded, status=DeliveryStatus.SUCCEEDED, last_error=None)
        if outcome.gone:
            return replace(recorded, status=DeliveryStatus.DEAD)
        attempts_in_round = attempt.number - self.round_start
        delay = schedule.delay_after(attempts_in_round, retry_after=outcome.retry_after_seconds)
        if delay is None:
            return replace(recorded, status=DeliveryStatus.DEAD)
        return replace(recorded, due_at=outcome.started_at + timedelta(seconds=delay))

    def redelivered(self, now: datetime) -> Delivery:
        """Sent again on request (same ``webhook-id``), with a fresh retry schedule."""
        return replace(
            self, status=DeliveryStatus.PENDING, due_at=now, round_start=self.attempt_count
        )


def _error_of(outcome: AttemptOutcome) -> str | None:
    if outcome.error:
        return outcome.error
    if outcome.status_code is not None and not outcome.accepted:
        return f"HTTP {outcome.status_code}"
    return None
