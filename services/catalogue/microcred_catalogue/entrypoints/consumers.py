"""Kafka subscriptions: partner course events, verifications for employer demand, and the
issuer's credential events for the provider dashboard's issued and revoked counts.

Course events arrive on each partner's own topic (``partner.<provider>.course-events``), which
only that partner's principal may write: the publisher is the provider the topic names, never
the CloudEvents ``source`` or a payload field, which the sender writes itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microcred_shared.events import CloudEvent, ProviderTopic, Topic
from microcred_shared.events.contracts.credentials import current_issued
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    COURSE_CHANGED,
    COURSE_OFFERED,
    COURSE_RETIRED,
    CREDENTIAL_ISSUED_VERSIONS,
    CREDENTIAL_REISSUED,
    CREDENTIAL_STATUS_CHANGED,
    ENDORSEMENT_CHANGED,
    VERIFICATION_PERFORMED,
)
from microcred_shared.messaging.batches import BatchSubscription, Received
from microcred_shared.messaging.consumer import Subscription
from microcred_shared.messaging.dead_letter import Rejected
from microcred_shared.service.runtime import Runtime

from ..adapters.memory_endorsements import MemoryEndorsements
from ..adapters.memory_search import MemorySearchIndex
from ..service_layer import commands
from ..service_layer.courses import CourseIngestion
from ..service_layer.demand import DemandHandlers
from ..service_layer.errors import CommandRefused
from ..service_layer.issuance import IssuanceHandlers

COURSE_EVENTS = (COURSE_OFFERED, COURSE_CHANGED, COURSE_RETIRED)
_ACTION_OF_TYPE = {
    COURSE_OFFERED.type: "offered",
    COURSE_CHANGED.type: "changed",
    COURSE_RETIRED.type: "retired",
}


def register_consumers(
    runtime: Runtime,
    ingestion: CourseIngestion,
    demand: DemandHandlers,
    issuance: IssuanceHandlers,
    projection: MemorySearchIndex,
    replica_id: str,
    endorsements: MemoryEndorsements | None = None,
) -> None:
    async def on_course_event(event: CloudEvent[Any], publisher: str) -> None:
        if _ACTION_OF_TYPE[event.type] != event.data.action:
            raise Rejected(
                "action_mismatch",
                f"event type {event.type} carries action {event.data.action!r}",
            )
        try:
            await ingestion.handle(commands.IngestCourseEvent(publisher, event.data))
        except CommandRefused as refused:
            raise Rejected(refused.code, refused.reason, refused.errors) from refused

    async def on_verification(event: CloudEvent[Any]) -> None:
        await demand.record(commands.RecordVerification(event.id, event.data))

    async def on_issued(batch: Sequence[Received]) -> list[BaseException | None]:
        # A credential signed again (after a key compromise) is no new count.
        counted = [r.event for r in batch if r.event.type != CREDENTIAL_REISSUED.type]
        await issuance.record_issued_many(
            [commands.RecordIssued(current_issued(event.data)) for event in counted]
        )
        return [None] * len(batch)

    async def on_status(event: CloudEvent[Any]) -> None:
        await issuance.record_status(commands.RecordStatusChange(event.data))

    async def on_achievement(event: CloudEvent[Any]) -> None:
        projection.add_event(event.data)

    topics = runtime.topics
    runtime.subscribe_per_provider(ProviderTopic.COURSE_EVENTS, COURSE_EVENTS, on_course_event)
    runtime.subscribe(
        Subscription(topics.of(Topic.VERIFICATIONS), [VERIFICATION_PERFORMED], on_verification)
    )
    runtime.subscribe_in_batches(
        BatchSubscription(
            topics.of(Topic.CREDENTIALS_ISSUED),
            [*CREDENTIAL_ISSUED_VERSIONS, CREDENTIAL_REISSUED],
            on_issued,
        )
    )
    runtime.subscribe(
        Subscription(topics.of(Topic.CREDENTIALS_STATUS), [CREDENTIAL_STATUS_CHANGED], on_status)
    )
    # Every replica reads the whole compacted topic into its own projection: a consumer group
    # of its own, starting from the earliest offset each time the process starts.
    runtime.subscribe(
        Subscription(
            topics.of(Topic.CATALOGUE_ACHIEVEMENTS), [ACHIEVEMENT_CHANGED], on_achievement
        ),
        group_suffix=f".search.{replica_id}",
    )
    if endorsements is not None:
        _subscribe_endorsements(runtime, endorsements, replica_id)


def _subscribe_endorsements(
    runtime: Runtime, endorsements: MemoryEndorsements, replica_id: str
) -> None:
    async def on_endorsement(event: CloudEvent[Any]) -> None:
        endorsements.apply(event.data)

    # Like the search projection: every replica reads the whole compacted topic itself.
    runtime.subscribe(
        Subscription(runtime.topics.of(Topic.ENDORSEMENTS), [ENDORSEMENT_CHANGED], on_endorsement),
        group_suffix=f".endorsements.{replica_id}",
    )
