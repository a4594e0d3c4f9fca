"""What the catalogue can be asked to do, whatever the entrypoint."""

from __future__ import annotations

from dataclasses import dataclass

from microcred_shared.events.contracts.catalogue import PathwayRule
from microcred_shared.events.contracts.credentials import (
    CredentialIssuedV2,
    CredentialStatusChangedV1,
)
from microcred_shared.events.contracts.partner import CourseEventV1
from microcred_shared.events.contracts.verifications import VerificationPerformedV1

from ..domain.providers import Accreditation, ProviderType, Trust


@dataclass(frozen=True)
class RegisterProvider:
    provider_id: str
    name: str
    provider_type: ProviderType
    country: str
    accreditation: Accreditation
    region: str | None = None
    website: str | None = None
    trust: Trust = Trust.TRUSTED
    issuer_dids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeProvider:
    """Only the fields given (not None) change."""

    provider_id: str
    name: str | None = None
    provider_type: ProviderType | None = None
    country: str | None = None
    region: str | None = None
    website: str | None = None
    accreditation: Accreditation | None = None
    trust: Trust | None = None
    issuer_dids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RotateApiKey:
    provider_id: str


@dataclass(frozen=True)
class IngestCourseEvent:
    """A partner's course event. ``publisher_id`` is who sent it: the provider whose API key
    called the gateway, or the provider named by the CloudEvent ``source`` on Kafka."""

    publisher_id: str
    event: CourseEventV1


@dataclass(frozen=True)
class SavePathway:
    """Create (``expected_version`` None) or change a pathway; ``actor`` is a provider id, or
    None for the admin."""

    actor: str | None
    pathway_id: str
    owner_provider_id: str
    target_achievement_id: str
    name: str
    rule: PathwayRule
    accepted_provider_ids: tuple[str, ...]
    status: str = "active"
    expected_version: int | None = None


@dataclass(frozen=True)
class RecordVerification:
    event_id: str
    verification: VerificationPerformedV1


@dataclass(frozen=True)
class RecordIssued:
    credential: CredentialIssuedV2


@dataclass(frozen=True)
class RecordStatusChange:
    change: CredentialStatusChangedV1
