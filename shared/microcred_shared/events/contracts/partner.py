"""What partners publish on their own ``partner.<provider>.course-events``: course offered,
changed, retired.

Written by systems outside the ecosystem, so values arrive as the partner has them (hours or
ECTS, "EQF 5" or 5, a language name or code): the catalogue validates and normalises them, and
dead-letters what it cannot.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .base import ExternalContract
from .translations import CourseTextsV1

LanguageTag = Annotated[str, StringConstraints(min_length=1, max_length=35)]


class PartnerSkill(ExternalContract):
    name: str = Field(max_length=300)
    url: str = Field(max_length=1000)
    framework: str | None = Field(default=None, max_length=200)
    code: str | None = Field(default=None, max_length=100)


class CourseDefinitionV1(ExternalContract):
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(max_length=10_000)
    criteria: str | None = Field(default=None, max_length=10_000)
    learning_outcomes: list[str] = Field(default_factory=list, max_length=100)
    ects: float | None = Field(default=None, ge=0, le=240)
    workload_hours: float | None = Field(default=None, ge=0, le=7200)
    eqf_level: int | str | None = None
    isced_f: str | None = Field(default=None, max_length=200)
    languages: list[str] = Field(default_factory=list, max_length=20)
    participation_forms: list[str] = Field(default_factory=list, max_length=5)
    assessment_type: str | None = Field(default=None, max_length=500)
    quality_assurance: str | None = Field(default=None, max_length=500)
    prerequisites: list[str] = Field(default_factory=list, max_length=50)
    identity_verification: str | None = Field(default=None, max_length=500)
    supervision: str | None = Field(default=None, max_length=500)
    grading_scheme: str | None = Field(default=None, max_length=500)
    stackability: str | None = Field(default=None, max_length=1000)
    further_information: str | None = Field(default=None, max_length=2000)
    skills: list[PartnerSkill] = Field(default_factory=list, max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=50)
    # Added in a minor change (issue 15): the language the texts above are written in (BCP 47;
    # by default the first of ``languages``) and the same texts in other languages.
    primary_language: str | None = Field(default=None, max_length=35)
    translations: dict[LanguageTag, CourseTextsV1] = Field(
        default_factory=dict, max_length=30, description="BCP 47 tag -> the texts in it"
    )


class CourseEventV1(ExternalContract):
    """One change to a partner's course; ``version`` increases with every change of the course."""

    action: Literal["offered", "changed", "retired"]
    provider_id: str = Field(min_length=1, max_length=100)
    course_code: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    version: int = Field(ge=1)
    course: CourseDefinitionV1 | None = Field(
        default=None, description="required for offered/changed; ignored for retired"
    )
