"""Kafka subscriptions: each ecosystem event becomes a notification (or a learner e-mail)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microcred_shared.events import CloudEvent, Topic
from microcred_shared.events.contracts.catalogue import AchievementV1
from microcred_shared.events.contracts.credentials import (
    CredentialIssuedV1,
    CredentialIssuedV2,
    CredentialStatusChangedV1,
    LearnerAccessLinkV1,
    LearnerNoticeV1,
    current_issued,
)
from microcred_shared.events.contracts.reissuance import CredentialReissuedV1
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    CREDENTIAL_ISSUED_VERSIONS,
    CREDENTIAL_REISSUED,
    CREDENTIAL_STATUS_CHANGED,
    LEARNER_ACCESS_LINK,
    LEARNER_NOTICE,
    EventSpec,
)
from microcred_shared.messaging.batches import BatchSubscription, Received
from microcred_shared.messaging.consumer import EventHandler, Subscription
from microcred_shared.service.runtime import Runtime
from opentelemetry import propagate

from ..domain.emails import AccessLinkNotice, LearnerNotice
from ..domain.notifications import EventType, Notification
from ..service_layer.emails import LearnerEmails
from ..service_layer.fanout import FanOut

# What a course.changed webhook tells: the definition's headline facts, not the whole record.
COURSE_FIELDS = (
    "achievement_id",
    "provider_id",
    "course_code",
    "version",
    "status",
    "name",
    "ects",
    "eqf_level",
    "isced_f_code",
    "languages",
    "participation_forms",
    "updated_at",
)


def issued_notification(
    event: CloudEvent[CredentialIssuedV2] | CloudEvent[CredentialIssuedV1],
) -> Notification:
    # A v1 event still on the topic is upgraded first: its completion id never reaches a webhook.
    data = current_issued(event.data)
    kind = EventType.CREDENTIAL_STACKED if data.kind == "stacked" else EventType.CREDENTIAL_ISSUED
    return Notification(
        event_id=event.id,
        event_type=kind,
        occurred_at=event.time,
        provider_id=data.provider_id,
        achievement_id=data.achievement_id,
        isced_f_code=data.isced_f_code,
        learner_ref=data.learner_ref,
        data=data.model_dump(mode="json"),
    )


def credential_notification(event: CloudEvent[Any]) -> Notification:
    if event.type == CREDENTIAL_REISSUED.type:
        return reissued_notification(event)
    return issued_notification(event)


def reissued_notification(event: CloudEvent[CredentialReissuedV1]) -> Notification:
    """The same credential (id, content, status entry) with a new proof: fetch it again."""
    data = event.data
    return Notification(
        event_id=event.id,
        event_type=EventType.CREDENTIAL_REISSUED,
        occurred_at=event.time,
        provider_id=data.provider_id,
        achievement_id=data.achievement_id,
        learner_ref=data.learner_ref,
        data=data.model_dump(mode="json"),
    )


STATUS_EVENT_TYPES = {
    "revoked": EventType.CREDENTIAL_REVOKED,
    "suspended": EventType.CREDENTIAL_SUSPENDED,
}


def status_notification(event: CloudEvent[CredentialStatusChangedV1]) -> Notification | None:
    """None for a reinstatement: no subscription event type announces it."""
    data = event.data
    event_type = STATUS_EVENT_TYPES.get(data.status)
    if event_type is None:
        return None
    return Notification(
        event_id=event.id,
        event_type=event_type,
        occurred_at=event.time,
        provider_id=data.provider_id,
        achievement_id=data.achievement_id,
        learner_ref=data.learner_ref,
        data=data.model_dump(mode="json"),
    )


def course_notification(event: CloudEvent[AchievementV1]) -> Notification:
    data = event.data
    return Notification(
        event_id=event.id,
        event_type=EventType.COURSE_CHANGED,
        occurred_at=event.time,
        provider_id=data.provider_id,
        achievement_id=data.achievement_id,
        isced_f_code=data.isced_f_code,
        data=data.model_dump(mode="json", include=set(COURSE_FIELDS)),
    )


def learner_notice(event: CloudEvent[LearnerNoticeV1]) -> LearnerNotice:
    data = event.data
    return LearnerNotice(
        credential_id=data.credential_id,
        kind=data.kind,
        email=data.email,
        learner_name=data.learner_name,
        achievement_name=data.achievement_name,
        provider_name=data.provider_name,
        page_url=data.page_url,
        wallet_url=data.wallet_url,
        wallet_url_expires_at=data.wallet_url_expires_at,
    )


def access_link_notice(event: CloudEvent[LearnerAccessLinkV1]) -> AccessLinkNotice:
    data = event.data
    return AccessLinkNotice(
        event_id=event.id, email=data.email, wallet_url=data.wallet_url, expires_at=data.expires_at
    )


def notice_of(event: CloudEvent[Any]) -> LearnerNotice | AccessLinkNotice:
    if event.type == LEARNER_ACCESS_LINK.type:
        return access_link_notice(event)
    return learner_notice(event)


def _current_trace() -> dict[str, str]:
    """The consumer span's context, stored with each delivery so the webhook continues it."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def register_consumers(runtime: Runtime, fan_out: FanOut, emails: LearnerEmails) -> None:
    topics = runtime.topics

    async def on_issued(batch: Sequence[Received]) -> list[BaseException | None]:
        # Each webhook continues the trace of the event it announces, not the batch's.
        await fan_out.notify_many([(credential_notification(r.event), r.trace) for r in batch])
        return [None] * len(batch)

    async def on_status(event: CloudEvent[Any]) -> None:
        notification = status_notification(event)
        if notification is not None:
            await fan_out.notify(notification, _current_trace())

    async def on_course(event: CloudEvent[Any]) -> None:
        await fan_out.notify(course_notification(event), _current_trace())

    async def on_notices(batch: Sequence[Received]) -> list[BaseException | None]:
        outcomes = await emails.send_many([notice_of(r.event) for r in batch])
        return [o if isinstance(o, Exception) else None for o in outcomes]

    subscriptions: list[tuple[Topic, list[EventSpec[Any]], EventHandler]] = [
        (Topic.CREDENTIALS_STATUS, [CREDENTIAL_STATUS_CHANGED], on_status),
        (Topic.CATALOGUE_ACHIEVEMENTS, [ACHIEVEMENT_CHANGED], on_course),
    ]
    for topic, specs, handler in subscriptions:
        # A consumer group per topic: four consumers in one group would rebalance each other
        # at every start; replicas still share each topic's partitions.
        runtime.subscribe(Subscription(topics.of(topic), specs, handler))
    # The busiest topics, consumed in batches: one read of the subscriptions per event type and
    # one write of every new delivery per batch; one claim, one mark and one SMTP session per
    # batch of learner e-mails.
    runtime.subscribe_in_batches(
        BatchSubscription(
            topics.of(Topic.CREDENTIALS_ISSUED),
            [*CREDENTIAL_ISSUED_VERSIONS, CREDENTIAL_REISSUED],
            on_issued,
        )
    )
    runtime.subscribe_in_batches(
        BatchSubscription(
            topics.of(Topic.CREDENTIALS_LEARNER_NOTICES),
            [LEARNER_NOTICE, LEARNER_ACCESS_LINK],
            on_notices,
        )
    )
