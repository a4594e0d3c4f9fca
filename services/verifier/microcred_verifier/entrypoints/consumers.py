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

from microcred_verifier.service_layer.projection_handlers import ProjectionHandlers


def subscribe_projections(runtime: Runtime, handlers: ProjectionHandlers, replica_id: str) -> None:
    topics = runtime.topics
    subscriptions: list[tuple[Topic, list[EventSpec[Any]], EventHandler]] = [
        (Topic.CATALOGUE_PROVIDERS, [PROVIDER_CHANGED], handlers.on_provider),
        (Topic.CATALOGUE_ACHIEVEMENTS, [ACHIEVEMENT_CHANGED], handlers.on_achievement),
        (Topic.CATALOGUE_PATHWAYS, [PATHWAY_CHANGED], handlers.on_pathway),
        # The compacted topic may still hold v1 records of keyrings not changed since v2.
        (
            Topic.ISSUER_KEYS,
            [ISSUER_KEYS_CHANGED, ISSUER_KEYS_CHANGED_V2],
            handlers.on_issuer_keys,
        ),
        # The issuer's words for a revocation or suspension, told with the list's verdict.
        (Topic.CREDENTIALS_STATUS, [CREDENTIAL_STATUS_CHANGED], handlers.on_status),
    ]
    for topic, specs, handler in subscriptions:
        runtime.subscribe(Subscription(topics.of(topic), specs, handler))
    # The status lists live in each replica's memory, so every replica reads the whole
    # compacted topic: a consumer group of its own, from the earliest offset at each start.
    runtime.subscribe(
        Subscription(
            topics.of(Topic.CREDENTIALS_STATUS_LISTS),
            [STATUS_LIST_PUBLISHED],
            handlers.on_status_list,
        ),
        group_suffix=f".status-lists.{replica_id}",
    )
