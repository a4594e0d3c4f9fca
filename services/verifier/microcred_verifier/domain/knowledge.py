"""What the checks know besides the credential: keys, the catalogue's view of issuers and
achievements, and status lists. The service fills it from its projections; the offline CLI
leaves the ecosystem parts empty and the checks that need them are reported as not made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from microcred_shared.crypto import KeyResolver, OfflineDocumentLoader

from .model import Freshness


@dataclass(frozen=True, slots=True)
class ProviderFacts:
    provider_id: str
    name: str
    trust: str  # trusted | suspended | pending
    accreditation_status: str  # accredited | not_accredited | pending
    accreditation_body: str | None
    country: str
    issuer_dids: tuple[str, ...]
    freshness: Freshness


@dataclass(frozen=True, slots=True)
class AchievementFacts:
    achievement_id: str
    provider_id: str
    name: str
    status: str  # active | retired
    ects: float | None = None
    eqf_level: int | None = None
    isced_f_code: str | None = None
    learning_outcomes: tuple[str, ...] = ()
    assessment_type: str | None = None
    quality_assurance: str | None = None
    participation_forms: tuple[str, ...] = ()
    freshness: Freshness | None = None


@dataclass(frozen=True, slots=True)
class PathwayFacts:
    pathway_id: str
    name: str
    target_achievement_id: str
    target_name: str | None = None


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """A credential's status as announced by its issuer (``credentials.status`` events)."""

    status: str  # active | revoked | suspended
    purpose: str  # revocation | suspension
    reason: str | None
    freshness: Freshness


@dataclass(frozen=True, slots=True)
class StatusEvidence:
    """What is known about one ``credentialStatus`` entry: the status list credential (this
    ecosystem's newest snapshot from Kafka, or one fetched from another issuer), or why it
    could not be obtained. ``announced``: the issuer's last status event for the entry, whose
    reason is told with a set bit; the signed list alone decides."""

    list_credential: Mapping[str, Any] | None = None
    list_freshness: Freshness | None = None
    problem: str | None = None
    announced: StatusRecord | None = None


@dataclass(frozen=True)
class Knowledge:
    resolver: KeyResolver
    keys_freshness: Freshness
    loader: OfflineDocumentLoader | None = None
    online: bool = False  # False: no ecosystem data (the offline CLI)
    # DIDs whose documents could not be obtained, with why: a key of theirs is undetermined
    # (the verdict unknown), never wrong (not verified).
    unresolved_dids: Mapping[str, str] = field(default_factory=dict)
    provider: ProviderFacts | None = None
    providers_freshness: Freshness | None = None
    # The registered provider whose name an unregistered issuer gives itself, if any.
    name_taken_from: ProviderFacts | None = None
    # The ecosystem's issuer publishes this issuer DID's keys (issuer.keys), whether or not the
    # catalogue lists its provider.
    issuer_hosted_here: bool = False
    achievement: AchievementFacts | None = None
    achievement_provider: ProviderFacts | None = None
    achievements_freshness: Freshness | None = None
    pathways: Sequence[PathwayFacts] = ()
    # One entry per credentialStatus entry (by its index in the credential); None: not checked.
    status: Mapping[int, StatusEvidence] | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    # What is known of each embedded endorsement's endorser (keys, registry entry, status
    # lists), by the endorsement's position (see checks_endorsements); None: not gathered.
    endorsements: Sequence[Knowledge] | None = None
