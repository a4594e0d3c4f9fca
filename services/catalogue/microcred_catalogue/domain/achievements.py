"""Micro-credential definitions (OB 3.0 ``Achievement`` plus the EU standard elements)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from .translations import Texts, missing_by_language


class AchievementStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True)
class Skill:
    """An OB 3.0 Alignment to a skill framework entry (e.g. an ESCO skill URI).

    The issuer's domain has its own ``Skill`` on purpose: services share contracts, not domain
    objects, and the contract between the two is ``SkillAlignment`` in
    ``microcred_shared.events.contracts.catalogue`` (each side maps it onto its own)."""

    name: str
    url: str
    framework: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Definition:
    """What a course is, normalised: EQF 1-8, ISCED-F 2013 code, ECTS, ISO 639-1 languages.

    The issuer's ``Achievement`` holds the same EU elements in its own domain on purpose: the
    contract between the two is ``AchievementV1`` (``microcred_shared``), not this class."""

    name: str
    description: str
    criteria: str | None = None
    learning_outcomes: tuple[str, ...] = ()
    ects: float | None = None
    workload_hours: float | None = None
    ects_from_hours: bool = False  # ECTS derived from hours at HOURS_PER_ECTS
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
    primary_language: str | None = None  # BCP 47: the language of the texts above
    translations: Mapping[str, Texts] = field(default_factory=dict)  # the other languages

    @property
    def primary_texts(self) -> Texts:
        return Texts(self.name, self.description, self.criteria, self.learning_outcomes)

    @property
    def text_languages(self) -> tuple[str, ...]:
        """Every language the texts are available in, the primary one first."""
        primary = (self.primary_language,) if self.primary_language else ()
        return (*primary, *self.translations)

    def missing_by_language(self) -> dict[str, tuple[str, ...]]:
        return missing_by_language(self.primary_language, self.primary_texts, self.translations)


@dataclass(frozen=True)
class ProviderFacts:
    """What an achievement borrows from its provider: search filters and the issuer elements."""

    provider_id: str
    provider_type: str
    country: str
    quality_assurance: str | None  # e.g. "accredited by <QA body>", when accredited


@dataclass(frozen=True)
class Completeness:
    score: float
    mandatory_missing: tuple[str, ...]
    optional_missing: tuple[str, ...]


@dataclass(frozen=True)
class Achievement:
    achievement_id: str
    course_code: str
    version: int
    status: AchievementStatus
    definition: Definition
    completeness: Completeness
    provider: ProviderFacts
    updated_at: datetime

    @property
    def provider_id(self) -> str:
        return self.provider.provider_id

    def retire(self, version: int, at: datetime) -> Achievement:
        return replace(self, version=version, status=AchievementStatus.RETIRED, updated_at=at)

    def supersedes(self, other: Achievement | None) -> bool:
        """Only a newer version changes anything: redeliveries and late old versions do not."""
        return other is None or self.version > other.version


def achievement_id_for(provider_id: str, course_code: str) -> str:
    """Course codes are unique within a provider, so the id carries the provider."""
    return f"{provider_id}:{course_code}"
