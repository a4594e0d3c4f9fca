"""Topic provisioning: every topic and its dead-letter twin, compacted where state lives."""

from __future__ import annotations

import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ..events.topics import COMPACTED_TOPICS, Topic, TopicNames


def _topic_config(topic: Topic) -> dict[str, str]:
    if topic in COMPACTED_TOPICS:
        return {"cleanup.policy": "compact"}
    return {}


async def ensure_topics(
    bootstrap_servers: str,
    names: TopicNames,
    *,
    partitions: int = 3,
    replication_factor: int = 1,
) -> None:
    """Create missing topics; existing ones are left as they are (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted: list[NewTopic] = []
        for topic in Topic:
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
