"""Domain objects -> the published contracts, in CloudEvents with ids derived from entity and
version (a retried write republishes the same id, and consumers dedupe it)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from microcred_shared.events import CloudEvent, deterministic_event_id
from microcred_shared.events.contracts.catalogue import (
    Accreditation,
    AchievementV1,
    CompletenessReport,
    PathwayV1,
    ProviderV1,
    SkillAlignment,
)
from microcred_shared.events.contracts.translations import AchievementTexts
from microcred_shared.events.registry import ACHIEVEMENT_CHANGED, PATHWAY_CHANGED, PROVIDER_CHANGED

from ..domain.achievements import Achievement
from ..domain.pathways import Pathway
from ..domain.providers import Provider

SOURCE = "/microcred/catalogue"


def provider_contract(provider: Provider) -> ProviderV1:
    return ProviderV1(
        provider_id=provider.provider_id,
        version=provider.version,
        name=provider.name,
        provider_type=provider.provider_type.value,
        country=provider.country,
        region=provider.region,
        website=provider.website,
        accreditation=Accreditation.model_validate(asdict(provider.accreditation)),
        trust=provider.trust.value,
        issuer_dids=list(provider.issuer_dids),
        updated_at=provider.updated_at,
    )


def provider_event(provider: Provider) -> CloudEvent[Any]:
    return PROVIDER_CHANGED.envelope(
        provider_contract(provider),
        source=SOURCE,
        subject=provider.provider_id,
        event_id=deterministic_event_id("provider", provider.provider_id, provider.version),
    )


def achievement_contract(achievement: Achievement) -> AchievementV1:
    d = achievement.definition
    return AchievementV1(
        achievement_id=achievement.achievement_id,
        provider_id=achievement.provider_id,
        course_code=achievement.course_code,
        version=achievement.version,
        status=achievement.status.value,
        name=d.name,
        description=d.description,
        criteria=d.criteria or "",
        learning_outcomes=list(d.learning_outcomes),
        ects=d.ects,
        workload_hours=d.workload_hours,
        eqf_level=d.eqf_level,
        isced_f_code=d.isced_f_code,
        languages=list(d.languages),
        participation_forms=list(d.participation_forms),
        assessment_type=d.assessment_type,
        quality_assurance=d.quality_assurance or achievement.provider.quality_assurance,
        prerequisites=list(d.prerequisites),
        identity_verification=d.identity_verification,
        supervision=d.supervision,
        grading_scheme=d.grading_scheme,
        stackability=d.stackability,
        further_information=d.further_information,
        skills=[
            SkillAlignment(
                target_name=s.name,
                target_url=s.url,
                target_framework=s.framework,
                target_code=s.code,
                target_type="Skill",
            )
            for s in d.skills
        ],
        tags=list(d.tags),
        completeness=CompletenessReport(
            score=achievement.completeness.score,
            mandatory_missing=list(achievement.completeness.mandatory_missing),
            optional_missing=list(achievement.completeness.optional_missing),
        ),
        updated_at=achievement.updated_at,
        provider_type=achievement.provider.provider_type,
        country=achievement.provider.country,
        ects_from_hours=d.ects_from_hours,
        primary_language=d.primary_language,
        translations={
            language: AchievementTexts(
                name=texts.name,
                description=texts.description,
                criteria=texts.criteria,
                learning_outcomes=list(texts.learning_outcomes),
            )
            for language, texts in d.translations.items()
        },
        missing_by_language={
            language: list(missing) for language, missing in d.missing_by_language().items()
        },
    )


def achievement_event(achievement: Achievement) -> CloudEvent[Any]:
    return ACHIEVEMENT_CHANGED.envelope(
        achievement_contract(achievement),
        source=SOURCE,
        subject=achievement.achievement_id,
        event_id=deterministic_event_id(
            "achievement", achievement.achievement_id, achievement.version
        ),
    )


def pathway_contract(pathway: Pathway) -> PathwayV1:
    return PathwayV1(
        pathway_id=pathway.pathway_id,
        version=pathway.version,
        status=pathway.status,
        owner_provider_id=pathway.owner_provider_id,
        target_achievement_id=pathway.target_achievement_id,
        name=pathway.name,
        rule=pathway.rule,
        accepted_provider_ids=list(pathway.accepted_provider_ids),
        updated_at=pathway.updated_at,
    )


def pathway_event(pathway: Pathway) -> CloudEvent[Any]:
    return PATHWAY_CHANGED.envelope(
        pathway_contract(pathway),
        source=SOURCE,
        subject=pathway.pathway_id,
        event_id=deterministic_event_id("pathway", pathway.pathway_id, pathway.version),
    )
