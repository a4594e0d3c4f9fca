"""Consuming a topic (or a provider topic family) in batches, with every record's own
guarantees.

A handler that can do work for many records at once (one read of what exists, one bulk write)
receives up to ``max_records`` events and answers for each one: done (None), refused for good
(:class:`Rejected`: dead-lettered alone, with its reason), or failed for now (any other
exception: retried alone, with backoff, and dead-lettered once the attempts run out). Only
when every record of the batch is finished with are the offsets committed, so a crash in the
middle of a batch redelivers all of it: the handler must be idempotent, as every handler is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from ..events import CloudEvent
from ..events.registry import EventSpec
from ..logging import get_logger
from .consumer import RetryPolicy
from .dead_letter import DeadLetterPublisher, Rejected
from .decoding import decode_event

log = get_logger(__name__)

Record: TypeAlias = ConsumerRecord[bytes, bytes]
Answers: TypeAlias = Sequence[BaseException | None]
TRACE_HEADERS = ("traceparent", "tracestate")


@dataclass(frozen=True)
class Received:
    """One event of a batch, with the W3C trace context its record carried: a batch is
    handled in one span, so whatever the event causes further on continues from ``trace``."""

    event: CloudEvent[Any]
    trace: dict[str, str]


# Per event of the batch, in order: None when done, else the exception that stopped it.
# Raising fails the whole batch for now.
BatchHandler = Callable[[Sequence[Received]], Awaitable[Answers]]
# The same, each event with the provider whose own topic carried it.
ProviderBatchHandler = Callable[[Sequence[tuple[CloudEvent[Any], str]]], Awaitable[Answers]]


@dataclass(frozen=True)
class BatchSubscription:
    """``handler`` receives the events of the ``accepted`` types on ``topic``, many at once."""

    topic: str
    accepted: Sequence[EventSpec[Any]]
    handler: BatchHandler
    max_records: int = 200

    def channel_of(self, record: Record) -> str:
        return str(record.topic)

    async def deliver(self, items: Sequence[_Item]) -> Answers:
        return await self.handler([Received(i.event, _trace_of(i.record)) for i in items])


@dataclass(frozen=True)
class ProviderBatchSubscription:
    """Every provider's own topic of one family (see ``ProviderSubscription``), in batches."""

    pattern: str
    provider_of: Callable[[str], str | None]
    accepted: Sequence[EventSpec[Any]]
    handler: ProviderBatchHandler
    max_records: int = 200

    def channel_of(self, record: Record) -> str | None:
        return self.provider_of(record.topic)

    async def deliver(self, items: Sequence[_Item]) -> Answers:
        return await self.handler([(i.event, i.channel) for i in items])


def subscribe_batches(
    broker: KafkaBroker,
    subscription: BatchSubscription | ProviderBatchSubscription,
    *,
    group_id: str,
    dead_letters: DeadLetterPublisher,
    retry: RetryPolicy | None = None,
) -> None:
    """Register ``subscription`` on ``broker`` in consumer group ``group_id``."""
    batch = _BatchProcessor(subscription, dead_letters, retry or RetryPolicy())

    async def consume(message: KafkaMessage) -> None:
        records: tuple[Record, ...] = message.raw_message
        try:
            await batch.process(records)
        except BaseException:
            # Even the dead-letter publish failed (Kafka down?): redeliver the whole batch.
            await message.nack()
            raise
        await message.ack()

    by_pattern = isinstance(subscription, ProviderBatchSubscription)
    source = subscription.pattern if by_pattern else subscription.topic  # type: ignore[union-attr]
    broker.subscriber(
        *(() if by_pattern else (source,)),
        pattern=source if by_pattern else None,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        batch=True,
        max_records=subscription.max_records,
        title=f"{group_id}:{source}",
        description="CloudEvents 1.0 (structured JSON), consumed in batches. Accepted event "
        "types: "
        + "; ".join(f"{spec.type} (schema {spec.dataschema})" for spec in subscription.accepted),
    )(consume)


def _trace_of(record: Record) -> dict[str, str]:
    return {
        name: value.decode(errors="replace")
        for name, value in record.headers or ()
        if name in TRACE_HEADERS
    }


@dataclass(frozen=True)
class _Item:
    record: Record
    event: CloudEvent[Any]
    channel: str  # the topic, or the provider whose own topic it is


@dataclass(frozen=True)
class _BatchProcessor:
    subscription: BatchSubscription | ProviderBatchSubscription
    dead_letters: DeadLetterPublisher
    policy: RetryPolicy

    async def process(self, records: Sequence[Record]) -> None:
        """Until every record is handled or dead-lettered; the failed ones are retried alone."""
        pending = [item for record in records if (item := await self._item(record))]
        attempt = 0
        while pending:
            attempt += 1
            failures = await self._attempt(pending)
            retry: list[_Item] = []
            for item, failure in zip(pending, failures, strict=True):
                if isinstance(failure, Rejected):
                    await self._dead_letter(item.record, failure, attempt)
                elif failure is not None and attempt >= self.policy.max_attempts:
                    gave_up = Rejected(
                        "retries_exhausted", f"failed {attempt} times; last: {failure!r}"
                    )
                    await self._dead_letter(item.record, gave_up, attempt)
                elif failure is not None:
                    retry.append(item)
            if retry:
                log.warning(
                    "handler failed for part of a batch, will retry that part",
                    records=len(retry),
                    of=len(pending),
                    attempt=attempt,
                    error=repr(next(f for f in failures if f is not None)),
                )
                await asyncio.sleep(self.policy.delay(attempt))
            pending = retry

    async def _item(self, record: Record) -> _Item | None:
        """The record's event and channel, or None once it is dead-lettered."""
        channel = self.subscription.channel_of(record)
        try:
            if channel is None:  # the pattern matched: only a mistaken resolver gets here
                raise Rejected("unknown_channel", f"topic {record.topic!r} names no provider")
            return _Item(record, decode_event(record.value, self.subscription.accepted), channel)
        except Rejected as rejection:
            await self._dead_letter(record, rejection, 1)
            return None

    async def _attempt(self, items: Sequence[_Item]) -> Sequence[BaseException | None]:
        """The handler's answer per item; a failure of the whole call counts for each."""
        try:
            answers = await self.subscription.deliver(items)
        except Exception as error:
            return [error] * len(items)
        if len(answers) != len(items):
            raise RuntimeError(f"the handler answered {len(answers)} of {len(items)} events")
        return answers

    async def _dead_letter(self, record: Record, rejection: Rejected, attempt: int) -> None:
        await self.dead_letters.publish(record, rejection, attempts=attempt)
