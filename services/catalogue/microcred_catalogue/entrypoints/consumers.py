"""Kafka subscriptions: partner course events, verifications for employer demand, and the
issuer's credential events for the provider dashboard's issued and revoked counts."""

from __future__ import annotations

import re
from typing import Any

from microcred_shared.events import CloudEvent, Topic
from microcred_shared.events.contracts.credentials import current_issued
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    COURSE_CHANGED,
    COURSE_OFFERED,
    COURSE_RETIRED,
    CREDENTIAL_ISSUED_VERSIONS,
    CREDENTIAL_STATUS_CHANGED,
    VERIFICATION_PERFORMED,
)
from microcred_shared.messaging.consumer import Subscription
from microcred_shared.messaging.dead_letter import Rejected
from microcred_shared.service.runtime import Runtime

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
# A partner names itself in the CloudEvents ``source``: "/providers/<provider id>" (or a URN
# "urn:microcred:provider:<id>"). On a broker with authentication, ACLs bind each partner's
# principal to its own source; here the catalogue checks that a source only speaks for itself.
_SOURCE = re.compile(r"^(?:.*/providers/|urn:microcred:provider:)([A-Za-z0-9._-]+)/?$")


def publisher_of(event: CloudEvent[Any]) -> str:
    match = _SOURCE.match(event.source)
    if not match:
        raise Rejected(
            "unknown_publisher",
            f"source {event.source!r} does not name a provider (use /providers/<provider id>)",
        )
    return match.group(1)


def register_consumers(
    runtime: Runtime,
    ingestion: CourseIngestion,
    demand: DemandHandlers,
    issuance: IssuanceHandlers,
    projection: MemorySearchIndex,
    replica_id: str,
) -> None:
    async def on_course_event(event: CloudEvent[Any]) -> None:
        if _ACTION_OF_TYPE[event.type] != event.data.action:
            raise Rejected(
                "action_mismatch",
                f"event type {event.type} carries action {event.data.action!r}",
            )
        try:
            await ingestion.handle(commands.IngestCourseEvent(publisher_of(event), event.data))
        except CommandRefused as refused:
            raise Rejected(refused.code, refused.reason, refused.errors) from refused

    async def on_verification(event: CloudEvent[Any]) -> None:
        await demand.record(commands.RecordVerification(event.id, event.data))

    async def on_issued(event: CloudEvent[Any]) -> None:
        await issuance.record_issued(commands.RecordIssued(current_issued(event.data)))

    async def on_status(event: CloudEvent[Any]) -> None:
        await issuance.record_status(commands.RecordStatusChange(event.data))

    async def on_achievement(event: CloudEvent[Any]) -> None:
        projection.add_event(event.data)

    topics = runtime.topics
    runtime.subscribe(
        Subscription(topics.of(Topic.PARTNER_COURSE_EVENTS), COURSE_EVENTS, on_course_event)
    )
    runtime.subscribe(
        Subscription(topics.of(Topic.VERIFICATIONS), [VERIFICATION_PERFORMED], on_verification)
    )
    runtime.subscribe(
        Subscription(topics.of(Topic.CREDENTIALS_ISSUED), CREDENTIAL_ISSUED_VERSIONS, on_issued)
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
