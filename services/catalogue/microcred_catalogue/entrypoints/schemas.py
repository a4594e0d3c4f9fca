"""HTTP request and response shapes (distinct from events, documents and domain objects)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from microcred_shared.api_keys import ApiKeyInfo
from microcred_shared.events.contracts.catalogue import AchievementV1, PathwayRule
from microcred_shared.pathways import RuleOutcome
from pydantic import BaseModel, ConfigDict, Field

from ..domain.achievements import Achievement
from ..domain.pathways import Pathway
from ..domain.providers import Provider, ProviderType, Trust
from ..service_layer.events import achievement_contract, pathway_contract
from ..service_layer.pathways import Progress
from .kafka_schemas import KafkaCredentialCreated

PROVIDER_ID = r"^[a-z0-9][a-z0-9._-]{1,62}$"


class AccreditationPublic(BaseModel):
    status: Literal["accredited", "not_accredited", "pending"]
    body: str | None = Field(
        default=None, max_length=300, examples=["AQ Austria (EQAR-registered)"]
    )
    reference: str | None = Field(default=None, max_length=1000)


class ProviderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider_id: str = Field(pattern=PROVIDER_ID, examples=["tu-linz"])
    name: str = Field(min_length=1, max_length=300, examples=["Technical University of Linz"])
    provider_type: ProviderType
    country: str = Field(max_length=60, examples=["AT"], description="ISO 3166-1 alpha-2 or name")
    region: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=500)
    accreditation: AccreditationPublic
    trust: Trust = Trust.TRUSTED
    issuer_dids: list[str] = Field(default_factory=list, max_length=20)


class PartnerCreate(BaseModel):
    """A partner company to register: it endorses achievements and providers."""

    partner_id: str = Field(pattern=PROVIDER_ID, examples=["kessler-automation"])
    name: str = Field(min_length=1, max_length=300, examples=["Kessler Automation GmbH"])
    url: str = Field(min_length=1, max_length=500, examples=["https://kessler.example"])
    country: str = Field(max_length=60, examples=["DE"], description="ISO 3166-1 alpha-2 or name")


class ProviderUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=300)
    provider_type: ProviderType | None = None
    country: str | None = Field(default=None, max_length=60)
    region: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=500)
    accreditation: AccreditationPublic | None = None
    trust: Trust | None = None
    issuer_dids: list[str] | None = Field(default=None, max_length=20)


# The domain's ``Provider`` fields again, in a shape of its own (as every boundary shape is) so
# that the API and the domain can change apart.
class ProviderPublic(BaseModel):
    provider_id: str
    version: int
    name: str
    provider_type: ProviderType
    country: str
    region: str | None
    website: str | None
    accreditation: AccreditationPublic
    trust: Trust
    issuer_dids: list[str]
    updated_at: datetime

    @classmethod
    def of(cls, provider: Provider) -> ProviderPublic:
        a = provider.accreditation
        return cls(
            provider_id=provider.provider_id,
            version=provider.version,
            name=provider.name,
            provider_type=provider.provider_type,
            country=provider.country,
            region=provider.region,
            website=provider.website,
            accreditation=AccreditationPublic(status=a.status, body=a.body, reference=a.reference),
            trust=provider.trust,
            issuer_dids=list(provider.issuer_dids),
            updated_at=provider.updated_at,
        )


class ProviderCreated(BaseModel):
    provider: ProviderPublic
    api_key: str = Field(description="shown once: only its SHA-256 is stored")
    kafka: KafkaCredentialCreated | None = Field(
        default=None,
        description="the provider's Kafka principal, shown once (absent where this catalogue "
        "holds no registrar credential)",
    )


class AchievementPublic(AchievementV1):
    """The HTTP view of an achievement: today the event contract; its own class so the two can
    evolve apart."""

    @classmethod
    def of(cls, achievement: Achievement) -> AchievementPublic:
        return cls.of_contract(achievement_contract(achievement))

    @classmethod
    def of_contract(cls, contract: AchievementV1) -> AchievementPublic:
        return cls.model_validate(contract.model_dump())


class SearchResponse(BaseModel):
    items: list[AchievementPublic]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class CourseEventResponse(BaseModel):
    outcome: Literal["stored", "ignored"] = Field(
        description="ignored: the same or a newer version of the course is already stored"
    )
    achievement: AchievementPublic | None


class PathwayUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    owner_provider_id: str | None = Field(
        default=None, description="admin only; a provider's key defines its own pathways"
    )
    target_achievement_id: str = Field(min_length=1, max_length=250)
    rule: PathwayRule
    accepted_provider_ids: list[str] = Field(default_factory=list, max_length=100)
    status: Literal["active", "retired"] = "active"
    expected_version: int | None = Field(default=None, ge=1, description="optimistic lock")


class PathwayPublic(BaseModel):
    pathway_id: str
    version: int
    status: str
    owner_provider_id: str
    target_achievement_id: str
    name: str
    rule: PathwayRule
    accepted_provider_ids: list[str]
    component_ids: list[str]
    updated_at: datetime

    @classmethod
    def of(cls, pathway: Pathway) -> PathwayPublic:
        """The published contract (one mapping of a pathway's fields) and its components."""
        contract = pathway_contract(pathway).model_dump()
        return cls(**contract, component_ids=list(pathway.component_ids))


class PathwayGraphResponse(BaseModel):
    achievement_id: str
    stacks_into: list[PathwayPublic] = Field(description="pathways it is a component of")
    awarded_by: list[PathwayPublic] = Field(description="pathways whose target it is")


class ProgressRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    achievement_ids: list[str] = Field(min_length=1, max_length=500)


class RuleProgressPublic(BaseModel):
    kind: str
    satisfied: bool
    done: list[str]
    missing: list[str]
    ects: float
    ects_short: float
    children_short: int
    children: list[RuleProgressPublic]


class PathwayProgressPublic(BaseModel):
    pathway: PathwayPublic
    satisfied: bool
    done: list[str]
    missing: list[str]
    ects: float
    outcome: RuleProgressPublic

    @classmethod
    def of(cls, progress: Progress, pathway: PathwayPublic) -> PathwayProgressPublic:
        outcome = _rule_progress(progress.outcome)
        return cls(
            pathway=pathway,
            satisfied=outcome.satisfied,
            done=outcome.done,
            missing=outcome.missing,
            ects=outcome.ects,
            outcome=outcome,
        )


class ProgressResponse(BaseModel):
    pathways: list[PathwayProgressPublic]


class DemandRowPublic(BaseModel):
    key: str | None
    month: str | None
    verifications: int | None = Field(
        description="verifications in the row; null when fewer than 5 (withheld)"
    )
    verified: int | None = Field(
        description=(
            "of which verified; null when fewer than 5, or when the rest (not verified) would "
            "be 1 to 4"
        )
    )
    suppressed: bool = Field(description="true when a count of this row is withheld")


class DemandResponse(BaseModel):
    by: str
    suppressed_below: int = Field(
        description="counts below this are withheld (null), so no single verification shows"
    )
    rows: list[DemandRowPublic]


class AchievementIssuancePublic(BaseModel):
    achievement_id: str
    issued: int
    revoked: int = Field(description="credentials whose status is revoked (final)")
    suspended: int = Field(description="credentials suspended now (may be reinstated)")


class IssuanceResponse(BaseModel):
    provider_id: str
    issued: int
    revoked: int
    suspended: int
    by_achievement: list[AchievementIssuancePublic]


def _rule_progress(outcome: RuleOutcome) -> RuleProgressPublic:
    return RuleProgressPublic(
        kind=outcome.kind,
        satisfied=outcome.satisfied,
        done=list(outcome.counted),
        missing=list(outcome.missing),
        ects=outcome.ects,
        ects_short=outcome.ects_short,
        children_short=outcome.children_short,
        children=[_rule_progress(child) for child in outcome.children],
    )


class ApiKeyCreated(ApiKeyInfo):
    api_key: str = Field(description="shown once: only its SHA-256 is stored")
