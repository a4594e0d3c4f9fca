"""Consumer lag per topic partition, for Prometheus: how far each of the service's consumer
groups is behind the newest record (grows under a burst, drains after it)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry, Gauge

from ..logging import get_logger
from .connection import KafkaConnection

log = get_logger(__name__)


@dataclass
class ConsumerLag:
    connection: KafkaConnection
    registry: CollectorRegistry
    groups: set[str] = field(default_factory=set)
    interval_seconds: float = 15.0

    def __post_init__(self) -> None:
        self.gauge = Gauge(
            "microcred_consumer_lag",
            "records a consumer group has not processed yet",
            ["group", "topic", "partition"],
            registry=self.registry,
        )
        self._task: asyncio.Task[None] | None = None

    def watch(self, group: str) -> None:
        self.groups.add(group)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="consumer-lag")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                # Bounded: a call that hangs (a broker not answering yet) must not end the
                # measuring for good.
                await asyncio.wait_for(self.refresh(), timeout=self.interval_seconds)
            except Exception as error:  # metrics must never take the service down
                log.warning("consumer lag not measured", error=repr(error))
            await asyncio.sleep(self.interval_seconds)

    async def refresh(self) -> dict[tuple[str, str, int], int]:
        """Measure now; returns (group, topic, partition) → lag."""
        committed = await self._committed(self.groups)
        ends = await self._end_offsets({tp for offsets in committed.values() for tp in offsets})
        lags: dict[tuple[str, str, int], int] = {}
        for group, offsets in committed.items():
            for tp, meta in offsets.items():
                lag = max(ends.get(tp, meta.offset) - meta.offset, 0)
                lags[(group, tp.topic, tp.partition)] = lag
                self.gauge.labels(group, tp.topic, str(tp.partition)).set(lag)
        return lags

    async def _committed(self, groups: Iterable[str]) -> dict[str, dict]:  # type: ignore[type-arg]
        admin = AIOKafkaAdminClient(**self.connection.aiokafka_kwargs())
        await admin.start()
        try:
            return {group: await admin.list_consumer_group_offsets(group) for group in groups}
        finally:
            await admin.close()

    async def _end_offsets(self, partitions: set) -> dict:  # type: ignore[type-arg]
        if not partitions:
            return {}
        consumer = AIOKafkaConsumer(**self.connection.aiokafka_kwargs())
        await consumer.start()
        try:
            return dict(await consumer.end_offsets(list(partitions)))
        finally:
            await consumer.stop()
