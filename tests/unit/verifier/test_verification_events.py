"""Verification outcomes are published behind the responses, many per produce request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from faststream.kafka.exceptions import BatchBufferOverflowException
from microcred_shared.events import TopicNames
from microcred_shared.events.contracts.verifications import VerificationPerformedV1
from microcred_shared.events.registry import VERIFICATION_PERFORMED
from microcred_verifier.adapters.events import BatchedVerificationEvents, kafka_batch_sender

SOURCE = "/verifier/test"


def outcome(number: int) -> VerificationPerformedV1:
    return VerificationPerformedV1(
        verification_id=f"verification-{number}",
        verified_at=datetime(2026, 1, 1, tzinfo=UTC),
        verdict="verified",
        channel="api",
    )


class RecordingSender:
    def __init__(self, failures: int = 0) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self._failures = failures

    async def __call__(self, bodies: Sequence[bytes]) -> None:
        if self._failures:
            self._failures -= 1
            raise ConnectionError("broker down")
        self.batches.append([json.loads(body) for body in bodies])

    def ids(self) -> list[str]:
        return [event["id"] for batch in self.batches for event in batch]


async def test_concurrent_outcomes_go_out_together_as_cloud_events_once_each() -> None:
    sender = RecordingSender()
    events = BatchedVerificationEvents(SOURCE, sender, linger_seconds=0.01)
    for number in range(50):
        events.announce(outcome(number))
    await asyncio.sleep(0.1)

    assert sender.ids() == [f"verification-{n}" for n in range(50)]
    assert len(sender.batches) == 1
    first = sender.batches[0][0]
    assert first["type"] == VERIFICATION_PERFORMED.type
    assert first["source"] == SOURCE
    assert first["data"]["verdict"] == "verified"
    await events.close()


async def test_batches_are_no_larger_than_the_limit() -> None:
    sender = RecordingSender()
    events = BatchedVerificationEvents(SOURCE, sender, max_batch=20)
    for number in range(45):
        events.announce(outcome(number))
    await events.close()

    assert [len(batch) for batch in sender.batches] == [20, 20, 5]


async def test_a_failed_publish_loses_its_batch_and_the_next_outcomes_still_go_out() -> None:
    sender = RecordingSender(failures=1)
    events = BatchedVerificationEvents(SOURCE, sender, linger_seconds=0.01)
    events.announce(outcome(1))
    await asyncio.sleep(0.05)
    events.announce(outcome(2))
    await asyncio.sleep(0.05)

    assert sender.ids() == ["verification-2"]
    await events.close()


async def test_a_broker_that_is_down_costs_a_bounded_queue_keeping_the_newest() -> None:
    sender = RecordingSender()
    events = BatchedVerificationEvents(SOURCE, sender, max_queued=3)
    for number in range(5):
        events.announce(outcome(number))
    await events.close()

    assert sender.ids() == ["verification-2", "verification-3", "verification-4"]


async def test_closing_publishes_what_is_still_queued() -> None:
    sender = RecordingSender()
    events = BatchedVerificationEvents(SOURCE, sender, linger_seconds=10.0)
    events.announce(outcome(1))
    await asyncio.sleep(0)
    await events.close()

    assert sender.ids() == ["verification-1"]


class SmallBatchBroker:
    """A producer whose batch buffer holds two messages."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, list[bytes]]] = []

    async def publish_batch(self, *bodies: bytes, topic: str, headers: dict[str, str]) -> None:
        if len(bodies) > 2:
            raise BatchBufferOverflowException(message_position=2)
        self.requests.append((topic, list(bodies)))


async def test_what_does_not_fit_one_produce_request_goes_in_the_next() -> None:
    broker = SmallBatchBroker()
    send = kafka_batch_sender(broker, TopicNames("run1."))  # type: ignore[arg-type]
    await send([b"1", b"2", b"3", b"4", b"5"])

    assert [bodies for _, bodies in broker.requests] == [[b"1", b"2"], [b"3", b"4"], [b"5"]]
    assert {topic for topic, _ in broker.requests} == {"run1.verifications"}
