"""Which dead letters a replay publishes again, and what it publishes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from microcred_shared.messaging.dead_letter import DeadLetterPublisher, Rejected
from microcred_shared.messaging.dead_letter_replay import (
    FOREIGN_TOPIC,
    NOT_A_LETTER,
    OTHER_REASON,
    SAME_RECORD,
    TRUNCATED,
    Replay,
    plan_replay,
)

TOPIC = "learning.uni-1.completions"


def record(
    topic: str,
    value: bytes,
    *,
    offset: int = 0,
    key: bytes | None = b"learner-7",
    headers: Any = (),
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=tuple(headers),
    )


class RecordingBroker:
    def __init__(self) -> None:
        self.letters: list[ConsumerRecord[bytes, bytes]] = []

    async def publish(self, body: bytes, **options: Any) -> None:
        headers = [(name, value.encode()) for name, value in options["headers"].items()]
        self.letters.append(record(options["topic"], body, key=options["key"], headers=headers))


async def dead_letter(
    broker: RecordingBroker, failed: ConsumerRecord[bytes, bytes], code: str, group: str = "g"
) -> ConsumerRecord[bytes, bytes]:
    publisher = DeadLetterPublisher(broker, group, "/tests")  # type: ignore[arg-type]
    await publisher.publish(failed, Rejected(code, "because"))
    return broker.letters[-1]


async def test_a_letter_is_replayed_as_the_record_that_failed_key_and_headers_included() -> None:
    failed = record(TOPIC, b'{"id": "e-1"}', offset=4, headers=[("traceparent", b"00-abc-01")])
    letter = await dead_letter(RecordingBroker(), failed, "retries_exhausted")

    plan = plan_replay([letter], TOPIC + ".dlq", reason=None)

    assert plan.replays == [
        Replay(TOPIC, b"learner-7", b'{"id": "e-1"}', (("traceparent", b"00-abc-01"),))
    ]
    assert not plan.skipped


async def test_only_the_letters_of_the_given_reason_are_replayed() -> None:
    broker = RecordingBroker()
    letters = [
        await dead_letter(broker, record(TOPIC, b"{", offset=1), "malformed_json"),
        await dead_letter(broker, record(TOPIC, b'{"id": 2}', offset=2), "retries_exhausted"),
    ]

    plan = plan_replay(letters, TOPIC + ".dlq", reason="retries_exhausted")

    assert [r.value for r in plan.replays] == [b'{"id": 2}']
    assert plan.skipped == {OTHER_REASON: 1}


async def test_one_record_dead_lettered_by_two_consumer_groups_is_replayed_once() -> None:
    broker = RecordingBroker()
    failed = record(TOPIC, b'{"id": 3}', offset=9)
    letters = [
        await dead_letter(broker, failed, "schema_invalid", group="catalogue"),
        await dead_letter(broker, failed, "schema_invalid", group="verifier"),
    ]

    plan = plan_replay(letters, TOPIC + ".dlq", reason=None)

    assert len(plan.replays) == 1
    assert plan.skipped == {SAME_RECORD: 1}


async def test_truncated_foreign_and_unreadable_letters_are_skipped() -> None:
    broker = RecordingBroker()
    huge = await dead_letter(broker, record(TOPIC, b"x" * 300_000), "too_large")
    foreign = await dead_letter(broker, record("other.topic", b"{}"), "schema_invalid")
    unreadable = record(TOPIC + ".dlq", b"not a letter")

    plan = plan_replay([huge, foreign, unreadable], TOPIC + ".dlq", reason=None)

    assert plan.replays == []
    assert plan.skipped == {TRUNCATED: 1, FOREIGN_TOPIC: 1, NOT_A_LETTER: 1}
    assert json.loads(huge.value or b"")["data"]["original_value_truncated"]


def test_only_a_dead_letter_topic_can_be_replayed() -> None:
    with pytest.raises(ValueError, match="not a dead-letter topic"):
        plan_replay([], TOPIC, reason=None)
