"""Replaying a dead-letter topic after a fix: each letter's original record goes back to the
topic it came from, with its key and headers.

Safe to run more than once, and safe for letters whose record another consumer group did
process: every consumer dedupes by event id, so a record processed before is skipped again.
A letter whose original was truncated is not replayed (the bytes are gone), nor one naming a
topic other than the dead-letter topic's twin (a letter says where it came from; the replay
never writes anywhere else).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.structs import TopicPartition
from pydantic import ValidationError

from ..events.contracts.dead_letter import DeadLetterV1
from ..events.topics import DEAD_LETTER_SUFFIX
from .connection import KafkaConnection
from .dead_letter import ORIGINAL_HEADER_PREFIX

# Why a letter was not replayed.
OTHER_REASON = "another reason code"
TRUNCATED = "original truncated"
NOT_A_LETTER = "not a dead letter"
FOREIGN_TOPIC = "names another topic"
SAME_RECORD = "same record dead-lettered by another consumer group"


@dataclass(frozen=True)
class Replay:
    """One original record, as it is published again."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


@dataclass
class ReplayPlan:
    replays: list[Replay] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def plan_replay(
    records: Iterable[ConsumerRecord[bytes, bytes]], dead_letter_topic: str, reason: str | None
) -> ReplayPlan:
    """What to publish again from ``records`` of ``dead_letter_topic`` (only letters with
    reason code ``reason``, when given), in the order they were dead-lettered."""
    if not dead_letter_topic.endswith(DEAD_LETTER_SUFFIX):
        raise ValueError(f"{dead_letter_topic} is not a dead-letter topic (…{DEAD_LETTER_SUFFIX})")
    twin = dead_letter_topic.removesuffix(DEAD_LETTER_SUFFIX)
    plan = ReplayPlan()
    seen: set[tuple[int, int]] = set()
    for record in records:
        letter = _letter_of(record)
        if letter is None:
            plan.skipped[NOT_A_LETTER] += 1
        elif reason is not None and letter.reason_code != reason:
            plan.skipped[OTHER_REASON] += 1
        elif letter.original_topic != twin:
            plan.skipped[FOREIGN_TOPIC] += 1
        elif letter.original_value_truncated:
            plan.skipped[TRUNCATED] += 1
        elif (letter.partition, letter.offset) in seen:
            plan.skipped[SAME_RECORD] += 1
        else:
            seen.add((letter.partition, letter.offset))
            plan.replays.append(
                Replay(twin, record.key, letter.original_value.encode(), _original_headers(record))
            )
    return plan


def _letter_of(record: ConsumerRecord[bytes, bytes]) -> DeadLetterV1 | None:
    try:
        event: Any = json.loads(record.value or b"")
        return DeadLetterV1.model_validate(event["data"])
    except (ValueError, TypeError, KeyError, ValidationError):
        return None


def _original_headers(record: ConsumerRecord[bytes, bytes]) -> tuple[tuple[str, bytes], ...]:
    return tuple(
        (name.removeprefix(ORIGINAL_HEADER_PREFIX), value)
        for name, value in record.headers or ()
        if name.startswith(ORIGINAL_HEADER_PREFIX)
    )


async def replay_dead_letters(
    connection: KafkaConnection, dead_letter_topic: str, *, reason: str | None = None
) -> ReplayPlan:
    """Publish again what :func:`plan_replay` picks from the topic as it is now (a record that
    fails again is dead-lettered after that end, and is not replayed twice by one run)."""
    records = await _read_to_end(connection, dead_letter_topic)
    plan = plan_replay(records, dead_letter_topic, reason)
    if plan.replays:
        await _publish(connection, plan.replays)
    return plan


async def _read_to_end(
    connection: KafkaConnection, topic: str
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(**connection.aiokafka_kwargs(), enable_auto_commit=False)
    await consumer.start()
    try:
        # A consumer's own metadata covers only the topics it subscribed to: ask the cluster.
        cluster = await consumer._client.fetch_all_metadata()
        partitions = cluster.partitions_for_topic(topic) or set()
        if not partitions:
            raise LookupError(f"no topic {topic} (or this principal may not describe it)")
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        records: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in assigned if await consumer.position(tp) < ends[tp]]:
            for tp, batch in (await consumer.getmany(*assigned, timeout_ms=1000)).items():
                records.extend(record for record in batch if record.offset < ends[tp])
        return records
    finally:
        await consumer.stop()


async def _publish(connection: KafkaConnection, replays: list[Replay]) -> None:
    producer = AIOKafkaProducer(
        **connection.aiokafka_kwargs(),
        acks="all",
        enable_idempotence=True,
        max_request_size=2 * 1024 * 1024,
    )
    await producer.start()
    try:
        # Handed over in order, acknowledged together (one key's records keep their order).
        sent = [
            await producer.send(r.topic, r.value, key=r.key, headers=list(r.headers))
            for r in replays
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
