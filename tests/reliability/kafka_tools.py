"""Plain aiokafka helpers for the reliability suite: publish raw bytes, read or follow a topic."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from microcred_shared.messaging.connection import KafkaConnection


async def publish_raw(
    connection: KafkaConnection,
    topic: str,
    records: list[tuple[bytes, bytes]],
    *,
    partition: int | None = None,
) -> list[int]:
    """Send every (key, value) (acks=all) as ``connection``'s principal; answer with the
    offsets they were written at."""
    producer = AIOKafkaProducer(
        **connection.aiokafka_kwargs(), acks="all", max_request_size=2 * 1024 * 1024
    )
    await producer.start()
    try:
        # Handed to the producer in order, acknowledged together: the producer batches them
        # (a 100,000-completion run would otherwise wait a round trip per record).
        sent = [
            await producer.send(topic, value, key=key, partition=partition)
            for key, value in records
        ]
        return [metadata.offset for metadata in await asyncio.gather(*sent)]
    finally:
        await producer.stop()


async def read_everything(connection: KafkaConnection, topic: str) -> list[Any]:
    """Every record currently on ``topic`` (all partitions, up to their end offsets)."""
    consumer = AIOKafkaConsumer(
        **connection.aiokafka_kwargs(),
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


class TopicTail:
    """Follows a topic from its beginning in the background, handing each record's JSON to
    ``on_event``: progress read from the events themselves, which costs the database nothing
    (counting a growing collection scans it on FerretDB)."""

    def __init__(
        self,
        connection: KafkaConnection,
        topic: str,
        on_event: Callable[[dict[str, Any]], None],
    ):
        self._consumer = AIOKafkaConsumer(
            topic,
            **connection.aiokafka_kwargs(),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        self._on_event = on_event
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> TopicTail:
        await self._consumer.start()
        self._task = asyncio.create_task(self._follow())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _follow(self) -> None:
        # The broker restart in the crash suite interrupts fetches; aiokafka reconnects.
        async for record in self._consumer:
            event = json_of(record)
            if event is not None:
                self._on_event(event)
