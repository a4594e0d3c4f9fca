"""Topic provisioning: every topic and its dead-letter twin, compacted where state lives."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ..events.topics import COMPACTED_TOPICS, Topic, TopicNames
from .connection import KafkaConnection
from .topic_layout import DERIVED_LAYOUT, TopicLayout


def _topic_config(topic: Topic, replicated: dict[str, str]) -> dict[str, str]:
    if topic in COMPACTED_TOPICS:
        return {**replicated, "cleanup.policy": "compact"}
    return replicated


async def ensure_topics(
    connection: KafkaConnection,
    names: TopicNames,
    *,
    topics: Iterable[Topic] = tuple(Topic),
    layout: TopicLayout = DERIVED_LAYOUT,
) -> None:
    """Create the missing ones of ``topics`` and their dead-letter twins (idempotent).

    On a broker with ACLs a principal sees only the topics it may describe; a service is
    granted CREATE on the topics it writes, and provisioning creates the rest before it starts.
    """
    admin = AIOKafkaAdminClient(**connection.aiokafka_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            (topic, names.of(topic) not in existing, names.dead_letter_of(topic) not in existing)
            for topic in topics
        ]
        if not any(main or dead for _, main, dead in missing):
            return
        brokers = len((await admin.describe_cluster())["brokers"])
        copies = layout.replication.on(brokers)
        replicated = copies.topic_config()
        wanted: list[NewTopic] = []
        for topic, main_missing, dead_letter_missing in missing:
            if main_missing:
                wanted.append(
                    NewTopic(
                        names.of(topic),
                        layout.partitions_of(topic.value),
                        copies.factor,
                        topic_configs=_topic_config(topic, replicated),
                    )
                )
            if dead_letter_missing:
                wanted.append(
                    NewTopic(
                        names.dead_letter_of(topic),
                        layout.partitions_of(f"{topic.value}.dlq"),
                        copies.factor,
                        topic_configs=dict(replicated),
                    )
                )
        if wanted:
            # A replica of another service may have created them first.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
    finally:
        await admin.close()
