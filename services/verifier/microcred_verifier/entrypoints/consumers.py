"""Kafka subscriptions that keep the verifier's projections current."""

from __future__ import annotations

from typing import Any

from microcred_shared.events import Topic
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    CREDENTIAL_STATUS_CHANGED,
    ISSUER_KEYS_CHANGED,
    ISSUER_KEYS_CHANGED_V2,
    PATHWAY_CHANGED,
    PROVIDER_CHANGED,
    STATUS_LIST_PUBLISHED,
    EventSpec,
)
from microcred_shared.messaging.consumer import EventHandler, Subscription
from microcred_shared.service.runtime import Runtime

from ..service_layer.projection_handlers import ProjectionHandlers


def subscribe_projections(runtime: Runtime, handlers: ProjectionHandlers, replica_id: str) -> None:
    topics = runtime.topics
    subscriptions: list[tuple[str, Topic, list[EventSpec[Any]], EventHandler]] = [
        ("providers", Topic.CATALOGUE_PROVIDERS, [PROVIDER_CHANGED], handlers.on_provider),
        (
            "achievements",
            Topic.CATALOGUE_ACHIEVEMENTS,
            [ACHIEVEMENT_CHANGED],
            handlers.on_achievement,
        ),
        ("pathways", Topic.CATALOGUE_PATHWAYS, [PATHWAY_CHANGED], handlers.on_pathway),
        # The compacted topic may still hold v1 records of keyrings not changed since v2.
        (
            "issuer-keys",
            Topic.ISSUER_KEYS,
            [ISSUER_KEYS_CHANGED, ISSUER_KEYS_CHANGED_V2],
            handlers.on_issuer_keys,
        ),
        # The issuer's words for a revocation or suspension, told with the list's verdict.
        ("statuses", Topic.CREDENTIALS_STATUS, [CREDENTIAL_STATUS_CHANGED], handlers.on_status),
        (
            "status-lists",
            Topic.CREDENTIALS_STATUS_LISTS,
            [STATUS_LIST_PUBLISHED],
            handlers.on_status_list,
        ),
    ]
    # Every projection lives in each replica's memory, so every replica reads each whole
    # compacted topic: a consumer group of its own per topic (one group for several topics
    # rebalances at each subscriber's start), from the earliest offset at each start.
    for name, topic, specs, handler in subscriptions:
        runtime.subscribe(
            Subscription(topics.of(topic), specs, handler), group_suffix=f".{name}.{replica_id}"
        )
