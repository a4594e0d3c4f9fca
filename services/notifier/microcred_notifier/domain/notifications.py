"""What happened in the ecosystem, as the notifier sees it: one notification per incoming event.

A notification keeps the facts a filter needs (provider, achievement, field, learner) apart from
the payload a receiver gets, so that what a subscriber may see is decided in one place
(:func:`payload_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """The webhook event types a subscription can ask for."""

    CREDENTIAL_ISSUED = "credential.issued"
    CREDENTIAL_REVOKED = "credential.revoked"
    CREDENTIAL_SUSPENDED = "credential.suspended"
    CREDENTIAL_STACKED = "credential.stacked"
    CREDENTIAL_REISSUED = "credential.reissued"  # signed again after a key compromise
    COURSE_CHANGED = "course.changed"


# Payload fields that identify a learner: only a subscriber entitled to know the learner gets them.
LEARNER_FIELDS = frozenset({"learner_ref"})


@dataclass(frozen=True)
class Notification:
    """One ecosystem event to tell subscribers about."""

    event_id: str
    event_type: EventType
    occurred_at: datetime
    provider_id: str
    achievement_id: str | None = None
    isced_f_code: str | None = None
    learner_ref: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def concerns_a_learner(self) -> bool:
        return self.learner_ref is not None


def payload_for(notification: Notification, *, learner_visible: bool) -> dict[str, Any]:
    """The webhook body (Standard Webhooks' recommended ``type``/``timestamp``/``data`` shape)."""
    data = dict(notification.data)
    if not learner_visible:
        for name in LEARNER_FIELDS:
            data.pop(name, None)
    return {
        "type": notification.event_type.value,
        "timestamp": notification.occurred_at.isoformat(),
        "event_id": notification.event_id,
        "data": data,
    }
