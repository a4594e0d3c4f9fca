"""Subscribing a handler to a topic with at-least-once delivery and dead-lettering.

Every record is acknowledged only after its handler finished. A message that can never
succeed (:class:`Rejected`, or undecodable) goes to the dead-letter topic and is acknowledged,
so the partition moves on; any other failure is retried in place (the offset is not committed
and the consumer seeks back) with backoff, and dead-lettered once the attempts run out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from ..events import CloudEvent
from ..events.registry import EventSpec
from ..logging import get_logger
from .dead_letter import DeadLetterPublisher, Rejected
from .decoding import decode_event

EventHandler = Callable[[CloudEvent[Any]], Awaitable[None]]
# Receives the event and the provider whose own topic carried it: the authenticated channel.
ProviderEventHandler = Callable[[CloudEvent[Any], str], Awaitable[None]]

log = get_logger(__name__)


@dataclass
class RetryPolicy:
    max_attempts: int = 5
    first_delay_seconds: float = 0.2
    max_delay_seconds: float = 5.0

    def delay(self, attempt: int) -> float:
        return min(self.first_delay_seconds * 2.0 ** (attempt - 1), self.max_delay_seconds)


@dataclass
class _AttemptCounter:
    """Failures per record in this process; a rebalance that moves the partition resets it,
    which costs at most a few extra retries."""

    counts: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def failed(self, record: ConsumerRecord[bytes, bytes]) -> int:
        key = (record.topic, record.partition, record.offset)
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]

    def forget(self, record: ConsumerRecord[bytes, bytes]) -> None:
        self.counts.pop((record.topic, record.partition, record.offset), None)


@dataclass(frozen=True)
class Subscription:
    """``handler`` receives every event of the ``accepted`` types published on ``topic``."""

    topic: str
    accepted: Sequence[EventSpec[Any]]
    handler: EventHandler

    async def deliver(self, event: CloudEvent[Any], record: ConsumerRecord[bytes, bytes]) -> None:
        await self.handler(event)


@dataclass(frozen=True)
class ProviderSubscription:
    """Every provider's own topic of one family, matched by ``pattern``; ``handler`` receives
    each event with the provider named by the topic it arrived on.

    Only that provider's principal may write the topic (Kafka ACLs), so the topic is the proof
    of who sent the event; the ``provider_of`` resolver turns a physical topic name into it.
    """

    pattern: str
    provider_of: Callable[[str], str | None]
    accepted: Sequence[EventSpec[Any]]
    handler: ProviderEventHandler

    @property
    def topic(self) -> str:
        return self.pattern

    async def deliver(self, event: CloudEvent[Any], record: ConsumerRecord[bytes, bytes]) -> None:
        provider = self.provider_of(record.topic)
        if provider is None:  # the pattern matched, so only a mistaken resolver gets here
            raise Rejected("unknown_channel", f"topic {record.topic!r} names no provider")
        await self.handler(event, provider)


def subscribe(
    broker: KafkaBroker,
    subscription: Subscription | ProviderSubscription,
    *,
    group_id: str,
    dead_letters: DeadLetterPublisher,
    retry: RetryPolicy | None = None,
    max_workers: int = 1,
) -> None:
    """Register ``subscription`` on ``broker`` in consumer group ``group_id``."""
    policy = retry or RetryPolicy()
    attempts = _AttemptCounter()

    async def process(record: ConsumerRecord[bytes, bytes]) -> bool:
        """True when the record is finished with (handled or dead-lettered)."""
        try:
            event = decode_event(record.value, subscription.accepted)
            await subscription.deliver(event, record)
        except Rejected as rejection:
            await _dead_letter(dead_letters, record, rejection, attempts.failed(record))
        except Exception as error:
            attempt = attempts.failed(record)
            if attempt < policy.max_attempts:
                log.warning(
                    "handler failed, will retry",
                    topic=record.topic,
                    offset=record.offset,
                    attempt=attempt,
                    error=repr(error),
                )
                await asyncio.sleep(policy.delay(attempt))
                return False
            gave_up = Rejected("retries_exhausted", f"failed {attempt} times; last: {error!r}")
            await _dead_letter(dead_letters, record, gave_up, attempt)
        attempts.forget(record)
        return True

    async def consume(message: KafkaMessage) -> None:
        record: ConsumerRecord[bytes, bytes] = message.raw_message
        try:
            finished = await process(record)
        except BaseException:
            # Even the dead-letter publish failed (Kafka down?): never let a later ack commit
            # past this record.
            await message.nack()
            raise
        await (message.ack() if finished else message.nack())

    by_pattern = isinstance(subscription, ProviderSubscription)
    broker.subscriber(
        *(() if by_pattern else (subscription.topic,)),
        pattern=subscription.topic if by_pattern else None,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        max_workers=max_workers,
        title=f"{group_id}:{subscription.topic}",
        description="CloudEvents 1.0 (structured JSON). Accepted event types: "
        + "; ".join(f"{spec.type} (schema {spec.dataschema})" for spec in subscription.accepted),
    )(consume)


async def _dead_letter(
    publisher: DeadLetterPublisher,
    record: ConsumerRecord[bytes, bytes],
    rejection: Rejected,
    attempt: int,
) -> None:
    await publisher.publish(record, rejection, attempts=attempt)
