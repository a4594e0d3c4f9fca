"""What the catalogue publishes: providers, achievements (micro-credential definitions), pathways.

All three topics are compacted and keyed by the entity id; each event carries the entity's whole
current state and a monotonically increasing ``version``, so consumers keep the newest and ignore
an older one that arrives late.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from .base import Contract
from .translations import AchievementTexts


class ProviderType(StrEnum):
    UNIVERSITY = "university"
    VET = "vet"
    PRIVATE = "private"
    COMPANY = "company"


class TrustStatus(StrEnum):
    TRUSTED = "trusted"
    SUSPENDED = "suspended"
    PENDING = "pending"


class Accreditation(Contract):
    status: Literal["accredited", "not_accredited", "pending"]
    body: str | None = Field(default=None, description="QA agency, e.g. an EQAR-registered one")
    reference: str | None = Field(default=None, description="DEQAR-style report or decision URL")


class ProviderV1(Contract):
    provider_id: str
    version: int = Field(ge=1)
    name: str
    provider_type: ProviderType
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    region: str | None = None
    website: str | None = None
    accreditation: Accreditation
    trust: TrustStatus
    issuer_dids: list[str] = Field(default_factory=list)
    updated_at: datetime


class SkillAlignment(Contract):
    """An OB 3.0 Alignment: a skill or competence framework entry (e.g. an ESCO skill URI)."""

    target_name: str
    target_url: str
    target_framework: str | None = None
    target_code: str | None = None
    target_type: str | None = None


ParticipationForm = Literal["online", "onsite", "blended", "work_based", "volunteering"]


class CompletenessReport(Contract):
    score: float = Field(ge=0, le=1)
    mandatory_missing: list[str] = Field(default_factory=list)
    optional_missing: list[str] = Field(default_factory=list)


class AchievementV1(Contract):
    """A micro-credential definition, normalised (EQF 1-8, ISCED-F 2013, ECTS, ISO codes)."""

    achievement_id: str
    provider_id: str
    course_code: str
    version: int = Field(ge=1)
    status: Literal["active", "retired"]
    name: str
    description: str
    criteria: str
    learning_outcomes: list[str]
    ects: float | None = Field(default=None, ge=0)
    workload_hours: float | None = Field(default=None, ge=0)
    eqf_level: int | None = Field(default=None, ge=1, le=8)
    isced_f_code: str | None = Field(default=None, pattern=r"^\d{2,4}$")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes")
    participation_forms: list[ParticipationForm] = Field(default_factory=list)
    assessment_type: str | None = None
    quality_assurance: str | None = None
    prerequisites: list[str] = Field(default_factory=list)
    identity_verification: str | None = None
    supervision: str | None = None
    grading_scheme: str | None = None
    stackability: str | None = None
    further_information: str | None = None
    skills: list[SkillAlignment] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    achievement_type: str = "MicroCredential"
    completeness: CompletenessReport
    updated_at: datetime
    # Added in a minor change: the provider's facts at this version, so that a consumer can
    # filter by them (the catalogue's search projection does) without joining providers.
    provider_type: ProviderType | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1")
    ects_from_hours: bool = Field(
        default=False, description="ECTS derived from workload_hours at 27.5 hours per ECTS"
    )
    # Added in a minor change (issue 15): the texts' languages (BCP 47). name, description,
    # criteria and learning_outcomes are in primary_language; translations hold the others.
    primary_language: str | None = None
    translations: dict[str, AchievementTexts] = Field(default_factory=dict)
    missing_by_language: dict[str, list[str]] = Field(
        default_factory=dict,
        description="for each language of the texts, the translatable fields it lacks",
    )


class ComponentRule(Contract):
    kind: Literal["achievement"] = "achievement"
    achievement_id: str


class AllOfRule(Contract):
    kind: Literal["all_of"] = "all_of"
    rules: list[PathwayRule] = Field(min_length=1)


class NOfRule(Contract):
    kind: Literal["n_of"] = "n_of"
    n: int = Field(ge=1)
    rules: list[PathwayRule] = Field(min_length=1)


class MinEctsRule(Contract):
    """Satisfied when the ECTS of the satisfied children add up to at least ``min_ects``."""

    kind: Literal["min_ects"] = "min_ects"
    min_ects: float = Field(gt=0)
    rules: list[PathwayRule] = Field(min_length=1)


PathwayRule = Annotated[
    ComponentRule | AllOfRule | NOfRule | MinEctsRule, Field(discriminator="kind")
]


class PathwayV1(Contract):
    """A stacking rule: when a learner's achievements satisfy ``rule``, award ``target``."""

    pathway_id: str
    version: int = Field(ge=1)
    status: Literal["active", "retired"]
    owner_provider_id: str
    target_achievement_id: str
    name: str
    rule: PathwayRule
    accepted_provider_ids: list[str] = Field(
        description="providers whose credentials count as components; always includes the owner"
    )
    updated_at: datetime


AllOfRule.model_rebuild()
NOfRule.model_rebuild()
MinEctsRule.model_rebuild()
