"""What the issuer knows of the catalogue (its projections), as plain domain objects."""

from __future__ import annotations

from dataclasses import dataclass, field

from microcred_shared.events.contracts.catalogue import PathwayRule

from .translations import TranslatedTexts


@dataclass(frozen=True)
class Skill:
    """A skill alignment a credential's achievement carries. The catalogue's domain has its own
    ``Skill`` on purpose: services share contracts, not domain objects; the contract between the
    two is ``SkillAlignment`` (``microcred_shared.events.contracts.catalogue``), and the issuer
    also keeps its ``type`` for the credential's Alignment."""

    name: str
    url: str
    framework: str | None = None
    code: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class Provider:
    provider_id: str
    version: int
    name: str
    provider_type: str
    country: str
    trusted: bool
    region: str | None = None
    website: str | None = None
    accreditation_status: str | None = None
    accreditation_body: str | None = None
    accreditation_reference: str | None = None
    # DIDs the catalogue records as this provider's own (its admin vouched for the domain).
    issuer_dids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Achievement:
    """A micro-credential definition with the EU standard elements (normalised by the catalogue).

    Its fields repeat the catalogue's ``Definition`` on purpose: each service keeps its own
    domain, and the contract between the two is ``AchievementV1`` (``microcred_shared``)."""

    achievement_id: str
    provider_id: str
    version: int
    active: bool
    name: str
    description: str
    criteria: str
    learning_outcomes: tuple[str, ...] = ()
    ects: float | None = None
    workload_hours: float | None = None
    eqf_level: int | None = None
    isced_f_code: str | None = None
    languages: tuple[str, ...] = ()
    participation_forms: tuple[str, ...] = ()
    assessment_type: str | None = None
    quality_assurance: str | None = None
    prerequisites: tuple[str, ...] = ()
    identity_verification: str | None = None
    supervision: str | None = None
    grading_scheme: str | None = None
    stackability: str | None = None
    further_information: str | None = None
    skills: tuple[Skill, ...] = ()
    tags: tuple[str, ...] = ()
    achievement_type: str = "MicroCredential"
    primary_language: str | None = None  # BCP 47: the language of name, description, criteria
    translations: tuple[TranslatedTexts, ...] = ()  # the same texts in other languages


@dataclass(frozen=True)
class Pathway:
    pathway_id: str
    version: int
    active: bool
    owner_provider_id: str
    target_achievement_id: str
    name: str
    rule: PathwayRule  # the shared meaning of rules lives in microcred_shared.pathways
    accepted_provider_ids: tuple[str, ...] = field(default_factory=tuple)
    component_ids: tuple[str, ...] = ()
