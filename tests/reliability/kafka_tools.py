"""Plain aiokafka helpers for the reliability suite: publish raw bytes, read a whole topic."""

from __future__ import annotations

import json
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition


async def publish_raw(
    bootstrap: str, topic: str, records: list[tuple[bytes, bytes]], *, partition: int | None = None
) -> list[int]:
    """Send every (key, value) (acks=all); answer with the offsets they were written at."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=2 * 1024 * 1024
    )
    await producer.start()
    try:
        offsets = []
        for key, value in records:
            sent = await producer.send_and_wait(topic, value, key=key, partition=partition)
            offsets.append(sent.offset)
        return offsets
    finally:
        await producer.stop()


async def read_everything(bootstrap: str, topic: str) -> list[Any]:
    """Every record currently on ``topic`` (all partitions, up to their end offsets)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        # The consumer's own metadata covers only subscribed topics; ask for the whole cluster's.
        cluster = await consumer._client.fetch_all_metadata()
        ids = cluster.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in ids]
        if not assigned:
            return []
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        records: list[Any] = []
        while [tp for tp in assigned if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(*assigned, timeout_ms=1000)
            for part in batch.values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


def json_of(record: Any) -> dict[str, Any] | None:
    try:
        value = json.loads(record.value)
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None
