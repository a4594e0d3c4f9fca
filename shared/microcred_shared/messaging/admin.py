"""Topic provisioning: every topic and its dead-letter twin, compacted where state lives."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ..events.topics import COMPACTED_TOPICS, Topic, TopicNames
from .connection import KafkaConnection


def _topic_config(topic: Topic) -> dict[str, str]:
    if topic in COMPACTED_TOPICS:
        return {"cleanup.policy": "compact"}
    return {}


async def ensure_topics(
    connection: KafkaConnection,
    names: TopicNames,
    *,
    topics: Iterable[Topic] = tuple(Topic),
    partitions: int = 3,
    replication_factor: int = 1,
) -> None:
    """Create the missing ones of ``topics`` and their dead-letter twins (idempotent).

    On a broker with ACLs a principal sees only the topics it may describe; a service is
    granted CREATE on the topics it writes, and provisioning creates the rest before it starts.
    """
    admin = AIOKafkaAdminClient(**connection.aiokafka_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted: list[NewTopic] = []
        for topic in topics:
            if names.of(topic) not in existing:
                wanted.append(
                    NewTopic(
                        names.of(topic),
                        partitions,
                        replication_factor,
                        topic_configs=_topic_config(topic),
                    )
                )
            if names.dead_letter_of(topic) not in existing:
                wanted.append(NewTopic(names.dead_letter_of(topic), 1, replication_factor))
        if wanted:
            # A replica of another service may have created them first.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
    finally:
        await admin.close()
