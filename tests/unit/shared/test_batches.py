"""A batch keeps every record's own guarantees: refused or undecodable records are
dead-lettered alone, failing ones retried alone, and the rest handled once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aiokafka import ConsumerRecord
from microcred_shared.events import CloudEvent, ProviderTopic, TopicNames
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import COMPLETION_REPORTED
from microcred_shared.messaging.batches import (
    BatchSubscription,
    ProviderBatchSubscription,
    Received,
    _BatchProcessor,
)
from microcred_shared.messaging.consumer import RetryPolicy
from microcred_shared.messaging.dead_letter import Rejected

NAMES = TopicNames("p.")
TOPIC = "p.learning.uni-a.completions"


def completion_record(offset: int, completion_id: str) -> ConsumerRecord[bytes, bytes]:
    data = CompletionV1.model_validate(
        {
            "completion_id": completion_id,
            "provider_id": "uni-a",
            "achievement_id": "uni-a:X",
            "learner": {"email": "ada@example.org"},
            "completed_on": date(2026, 6, 1).isoformat(),
        }
    )
    value = COMPLETION_REPORTED.envelope(data, source="/tests").to_json_bytes()
    return raw_record(offset, value)


def raw_record(offset: int, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(TOPIC, 0, offset, 0, 0, b"k", value, None, 1, len(value), [])  # type: ignore[arg-type]


@dataclass
class DeadLetters:
    sent: list[tuple[int, str, int]] = field(default_factory=list)

    async def publish(
        self, record: ConsumerRecord[bytes, bytes], rejection: Rejected, *, attempts: int = 1
    ) -> None:
        self.sent.append((record.offset, rejection.code, attempts))


@dataclass
class Handler:
    """Refuses "refused-*", fails "flaky-*" the first ``flaky_failures`` times."""

    flaky_failures: int = 1
    calls: list[list[str]] = field(default_factory=list)
    done: list[str] = field(default_factory=list)

    async def __call__(
        self, received: Sequence[tuple[CloudEvent[Any], str]]
    ) -> list[BaseException | None]:
        ids = [event.data.completion_id for event, _ in received]
        self.calls.append(ids)
        answers: list[BaseException | None] = []
        for completion_id in ids:
            if completion_id.startswith("refused"):
                answers.append(Rejected("unknown_achievement", "no such achievement"))
            elif completion_id.startswith("flaky") and self._fails(completion_id):
                answers.append(ConnectionError("the database is away"))
            else:
                self.done.append(completion_id)
                answers.append(None)
        return answers

    def _fails(self, completion_id: str) -> bool:
        return sum(completion_id in call for call in self.calls) <= self.flaky_failures


def processor(handler: Handler, dead_letters: DeadLetters, attempts: int = 5) -> _BatchProcessor:
    subscription = ProviderBatchSubscription(
        pattern=NAMES.pattern_of(ProviderTopic.COMPLETIONS),
        provider_of=lambda topic: NAMES.provider_of(ProviderTopic.COMPLETIONS, topic),
        accepted=[COMPLETION_REPORTED],
        handler=handler,
    )
    policy = RetryPolicy(max_attempts=attempts, first_delay_seconds=0.001)
    return _BatchProcessor(subscription, dead_letters, policy)  # type: ignore[arg-type]


async def test_bad_records_are_dead_lettered_alone_and_the_rest_handled_once() -> None:
    handler, dead_letters = Handler(), DeadLetters()
    records = [
        completion_record(0, "good-0"),
        raw_record(1, b'{"specversion": '),
        completion_record(2, "refused-2"),
        completion_record(3, "good-3"),
        raw_record(4, b'{"type": "something.else", "specversion": "1.0"}'),
        completion_record(5, "good-5"),
    ]

    await processor(handler, dead_letters).process(records)

    assert handler.done == ["good-0", "good-3", "good-5"]
    assert dead_letters.sent == [
        (1, "malformed_json", 1),
        (4, "unknown_event_type", 1),
        (2, "unknown_achievement", 1),
    ]
    assert handler.calls == [["good-0", "refused-2", "good-3", "good-5"]]  # one call


async def test_a_record_failing_for_now_is_retried_alone() -> None:
    handler, dead_letters = Handler(flaky_failures=2), DeadLetters()
    records = [completion_record(0, "good-0"), completion_record(1, "flaky-1")]

    await processor(handler, dead_letters).process(records)

    assert handler.calls == [["good-0", "flaky-1"], ["flaky-1"], ["flaky-1"]]
    assert handler.done == ["good-0", "flaky-1"]
    assert dead_letters.sent == []


async def test_a_record_that_keeps_failing_is_dead_lettered_once_its_attempts_run_out() -> None:
    handler, dead_letters = Handler(flaky_failures=99), DeadLetters()
    records = [completion_record(0, "flaky-0"), completion_record(1, "good-1")]

    await processor(handler, dead_letters, attempts=3).process(records)

    assert handler.done == ["good-1"]
    assert dead_letters.sent == [(0, "retries_exhausted", 3)]


async def test_a_handler_failing_as_a_whole_retries_the_whole_batch() -> None:
    calls: list[int] = []

    async def handler(received: Sequence[tuple[CloudEvent[Any], str]]) -> list[None]:
        calls.append(len(received))
        if len(calls) == 1:
            raise ConnectionError("the database is away")
        return [None] * len(received)

    dead_letters = DeadLetters()
    batch = processor(Handler(), dead_letters)
    subscription = ProviderBatchSubscription(
        batch.subscription.pattern,
        batch.subscription.provider_of,
        batch.subscription.accepted,
        handler,
    )
    records = [completion_record(n, f"good-{n}") for n in range(3)]

    await _BatchProcessor(subscription, dead_letters, batch.policy).process(records)  # type: ignore[arg-type]

    assert calls == [3, 3]
    assert dead_letters.sent == []


async def test_a_plain_topic_batch_hands_over_each_event_with_its_own_trace() -> None:
    received: list[tuple[str, dict[str, str]]] = []

    async def handler(batch: Sequence[Received]) -> list[None]:
        received.extend((r.event.data.completion_id, r.trace) for r in batch)
        return [None] * len(batch)

    dead_letters = DeadLetters()
    subscription = BatchSubscription(TOPIC, [COMPLETION_REPORTED], handler)
    policy = RetryPolicy(first_delay_seconds=0.001)
    traced = completion_record(0, "good-0")
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    traced.headers = [("traceparent", parent.encode()), ("content-type", b"json")]
    records = [traced, raw_record(1, b"[]"), completion_record(2, "good-2")]

    await _BatchProcessor(subscription, dead_letters, policy).process(records)  # type: ignore[arg-type]

    assert received == [("good-0", {"traceparent": parent}), ("good-2", {})]
    assert dead_letters.sent == [(1, "malformed_envelope", 1)]
