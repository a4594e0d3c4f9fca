"""The catalogue of event types: which contract, which topic, which schema URI.

A producer builds an event with :func:`EventSpec.envelope`; a consumer maps an incoming
envelope's ``type`` back to its contract with :data:`REGISTRY`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .contracts.catalogue import AchievementV1, PathwayV1, ProviderV1
from .contracts.credentials import (
    CredentialIssuedV1,
    CredentialIssuedV2,
    CredentialStatusChangedV1,
    LearnerAccessLinkV1,
    LearnerNoticeV1,
    StatusListPublishedV1,
)
from .contracts.dead_letter import DeadLetterV1
from .contracts.endorsements import EndorsementV1
from .contracts.keys import IssuerKeysV1, IssuerKeysV2
from .contracts.learning import CompletionV1
from .contracts.partner import CourseEventV1
from .contracts.reissuance import CredentialReissuedV1
from .contracts.verifications import VerificationPerformedV1
from .envelope import CloudEvent, new_event_id, utc_now
from .topics import ProviderTopic, Topic

SCHEMA_BASE_URI = "https://microcred.example/schemas/events/"
TYPE_PREFIX = "org.microcred."

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class EventSpec(Generic[ModelT]):
    name: str  # e.g. "credential.issued.v1"
    model: type[ModelT]
    # A fixed topic, a family of per-provider topics, or None: any topic (dead letters).
    topic: Topic | ProviderTopic | None

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.name

    @property
    def dataschema(self) -> str:
        return f"{SCHEMA_BASE_URI}{self.name}.json"

    def envelope(
        self,
        data: ModelT,
        *,
        source: str,
        subject: str | None = None,
        event_id: str | None = None,
    ) -> CloudEvent[ModelT]:
        return CloudEvent[ModelT](
            id=event_id or new_event_id(),
            source=source,
            type=self.type,
            subject=subject,
            time=utc_now(),
            dataschema=self.dataschema,
            data=data,
        )

    def parse(self, raw: bytes | str | dict[str, Any]) -> CloudEvent[ModelT]:
        """Validate an envelope carrying this contract; raises pydantic.ValidationError."""
        if isinstance(raw, dict):
            return CloudEvent[self.model].model_validate(raw)  # type: ignore[name-defined]
        return CloudEvent[self.model].model_validate_json(raw)  # type: ignore[name-defined]


COURSE_OFFERED = EventSpec("partner.course.offered.v1", CourseEventV1, ProviderTopic.COURSE_EVENTS)
COURSE_CHANGED = EventSpec("partner.course.changed.v1", CourseEventV1, ProviderTopic.COURSE_EVENTS)
COURSE_RETIRED = EventSpec("partner.course.retired.v1", CourseEventV1, ProviderTopic.COURSE_EVENTS)
PROVIDER_CHANGED = EventSpec("catalogue.provider.v1", ProviderV1, Topic.CATALOGUE_PROVIDERS)
ACHIEVEMENT_CHANGED = EventSpec(
    "catalogue.achievement.v1", AchievementV1, Topic.CATALOGUE_ACHIEVEMENTS
)
PATHWAY_CHANGED = EventSpec("catalogue.pathway.v1", PathwayV1, Topic.CATALOGUE_PATHWAYS)
COMPLETION_REPORTED = EventSpec("learning.completion.v1", CompletionV1, ProviderTopic.COMPLETIONS)
CREDENTIAL_ISSUED = EventSpec("credential.issued.v2", CredentialIssuedV2, Topic.CREDENTIALS_ISSUED)
# v1 carried the provider's completion id (personal data, issue 13). Nobody publishes it any
# more; consumers still accept the v1 events a topic retains and upgrade them (current_issued).
CREDENTIAL_ISSUED_V1 = EventSpec(
    "credential.issued.v1", CredentialIssuedV1, Topic.CREDENTIALS_ISSUED
)
CREDENTIAL_ISSUED_VERSIONS = (CREDENTIAL_ISSUED, CREDENTIAL_ISSUED_V1)
# On the issued topic, keyed by learner like the issuance it replaces: per-learner order holds.
CREDENTIAL_REISSUED = EventSpec(
    "credential.reissued.v1", CredentialReissuedV1, Topic.CREDENTIALS_ISSUED
)
CREDENTIAL_STATUS_CHANGED = EventSpec(
    "credential.status.v1", CredentialStatusChangedV1, Topic.CREDENTIALS_STATUS
)
STATUS_LIST_PUBLISHED = EventSpec(
    "credential.status-list.v1", StatusListPublishedV1, Topic.CREDENTIALS_STATUS_LISTS
)
LEARNER_NOTICE = EventSpec(
    "credential.learner-notice.v1", LearnerNoticeV1, Topic.CREDENTIALS_LEARNER_NOTICES
)
LEARNER_ACCESS_LINK = EventSpec(
    "learner.access-link.v1", LearnerAccessLinkV1, Topic.CREDENTIALS_LEARNER_NOTICES
)
ISSUER_KEYS_CHANGED = EventSpec("issuer.keys.v1", IssuerKeysV1, Topic.ISSUER_KEYS)
# v2 adds each compromised key's revoked_at; the issuer publishes v2, consumers accept both.
ISSUER_KEYS_CHANGED_V2 = EventSpec("issuer.keys.v2", IssuerKeysV2, Topic.ISSUER_KEYS)
VERIFICATION_PERFORMED = EventSpec(
    "verification.performed.v1", VerificationPerformedV1, Topic.VERIFICATIONS
)
DEAD_LETTER = EventSpec("dead-letter.v1", DeadLetterV1, None)
ENDORSEMENT_CHANGED = EventSpec("endorsement.v1", EndorsementV1, Topic.ENDORSEMENTS)

REGISTRY: dict[str, EventSpec[Any]] = {
    spec.type: spec
    for spec in (
        COURSE_OFFERED,
        COURSE_CHANGED,
        COURSE_RETIRED,
        PROVIDER_CHANGED,
        ACHIEVEMENT_CHANGED,
        PATHWAY_CHANGED,
        COMPLETION_REPORTED,
        CREDENTIAL_ISSUED,
        CREDENTIAL_ISSUED_V1,
        CREDENTIAL_REISSUED,
        CREDENTIAL_STATUS_CHANGED,
        STATUS_LIST_PUBLISHED,
        LEARNER_NOTICE,
        LEARNER_ACCESS_LINK,
        ISSUER_KEYS_CHANGED,
        ISSUER_KEYS_CHANGED_V2,
        VERIFICATION_PERFORMED,
        DEAD_LETTER,
        ENDORSEMENT_CHANGED,
    )
}


def json_schema_of(spec: EventSpec[Any]) -> dict[str, Any]:
    """The JSON Schema of the whole envelope carrying ``spec``'s contract."""
    schema = CloudEvent[spec.model].model_json_schema()  # type: ignore[name-defined]
    schema["$id"] = spec.dataschema
    schema["title"] = spec.type
    return schema


def export_schemas(directory: Path) -> list[Path]:
    """Write one JSON Schema file per event type (the published contract)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in REGISTRY.values():
        path = directory / f"{spec.name}.json"
        path.write_text(json.dumps(json_schema_of(spec), indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written
