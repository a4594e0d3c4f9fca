"""What the broker-loss suite asks a Kafka cluster: who leads the busiest partitions, whether
every replica is back in sync, how far behind the ecosystem's consumer groups are."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource
from microcred_shared.messaging.connection import KafkaConnection
from microcred_shared.messaging.lag import ConsumerLag
from prometheus_client import CollectorRegistry


async def busiest_leader(connection: KafkaConnection, topics: Iterable[str]) -> int:
    """The broker leading the partitions of ``topics`` that hold the most records."""
    consumer = AIOKafkaConsumer(**connection.aiokafka_kwargs())
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in cluster.partitions_for_topic(topic) or ()
        ]
        ends = await consumer.end_offsets(partitions)
        records_led: Counter[int] = Counter()
        for tp in partitions:
            leader = cluster.leader_for_partition(tp)
            if leader is not None and leader >= 0:
                records_led[leader] += ends[tp]
        [(leader, _)] = records_led.most_common(1)
        return leader
    finally:
        await consumer.stop()


def _admin(connection: KafkaConnection) -> AdminClient:
    return AdminClient(dict(connection.librdkafka_config()))


async def replication_of(connection: KafkaConnection, topic: str) -> tuple[set[int], str]:
    """The replica counts of ``topic``'s partitions and its ``min.insync.replicas``."""

    def describe() -> tuple[set[int], str]:
        admin = _admin(connection)
        metadata = admin.list_topics(topic, timeout=15)
        copies = {len(p.replicas) for p in metadata.topics[topic].partitions.values()}
        [future] = admin.describe_configs([ConfigResource("topic", topic)]).values()
        return copies, future.result(timeout=15)["min.insync.replicas"].value

    return await asyncio.to_thread(describe)


async def under_replicated(connection: KafkaConnection, prefix: str) -> int:
    """Partitions of the deployment's topics (and the consumer offsets) whose in-sync replicas
    are fewer than their replicas: zero once a broker brought back has caught up."""

    def count() -> int:
        metadata = _admin(connection).list_topics(timeout=15)
        return sum(
            len(p.isrs) < len(p.replicas)
            for name, topic in metadata.topics.items()
            if name.startswith(prefix) or name == "__consumer_offsets"
            for p in topic.partitions.values()
        )

    return await asyncio.to_thread(count)


async def consumer_groups(connection: KafkaConnection, prefix: str) -> set[str]:
    """The deployment's consumer groups (every service and replica has joined its own by the
    time it answers ready)."""
    admin = AIOKafkaAdminClient(**connection.aiokafka_kwargs())
    await admin.start()
    try:
        return {
            group for group, _ in await admin.list_consumer_groups() if group.startswith(prefix)
        }
    finally:
        await admin.close()


async def total_lag(connection: KafkaConnection, groups: set[str]) -> int:
    """Records ``groups`` have not processed yet, summed over their partitions."""
    lag = ConsumerLag(connection, CollectorRegistry(), set(groups))
    return sum((await lag.refresh()).values())
