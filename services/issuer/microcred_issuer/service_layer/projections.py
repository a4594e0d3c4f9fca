"""Keeping the issuer's copy of the catalogue current, so issuing never calls the catalogue."""

from __future__ import annotations

from microcred_shared.events.contracts.catalogue import AchievementV1, PathwayV1, ProviderV1
from microcred_shared.pathways import component_ids

from ..domain.model import Achievement, Pathway, Provider, Skill
from ..domain.translations import TranslatedTexts
from .keys import KeyHandlers
from .ports import CatalogueView
from .stacking import Stacking
from .status_lists import StatusLists


class ProjectionHandlers:
    def __init__(
        self,
        catalogue: CatalogueView,
        keys: KeyHandlers,
        status_lists: StatusLists,
        stacking: Stacking,
    ) -> None:
        self._catalogue = catalogue
        self._keys = keys
        self._status_lists = status_lists
        self._stacking = stacking

    async def on_provider(self, data: ProviderV1) -> None:
        await self._catalogue.apply_provider(provider_from(data))
        # Every provider gets its signing key and its first status lists as soon as it
        # appears (idempotent): verifiers know the lists long before a credential names them.
        await self._keys.ensure(data.provider_id)
        await self._status_lists.announce(data.provider_id, shard=1)

    async def on_achievement(self, data: AchievementV1) -> None:
        await self._catalogue.apply_achievement(achievement_from(data))

    async def on_pathway(self, data: PathwayV1) -> None:
        pathway = pathway_from(data)
        await self._catalogue.apply_pathway(pathway)
        # Also on a redelivery (idempotent): a crash may have come between store and award.
        current = await self._catalogue.pathway(pathway.pathway_id)
        if current is not None and current.version == pathway.version:
            await self._stacking.after_pathway_change(current)


def provider_from(data: ProviderV1) -> Provider:
    return Provider(
        provider_id=data.provider_id,
        version=data.version,
        name=data.name,
        provider_type=data.provider_type.value,
        country=data.country,
        trusted=data.trust.value != "suspended",
        region=data.region,
        website=data.website,
        accreditation_status=data.accreditation.status,
        accreditation_body=data.accreditation.body,
        accreditation_reference=data.accreditation.reference,
        issuer_dids=tuple(data.issuer_dids),
    )


def achievement_from(data: AchievementV1) -> Achievement:
    return Achievement(
        achievement_id=data.achievement_id,
        provider_id=data.provider_id,
        version=data.version,
        active=data.status == "active",
        name=data.name,
        description=data.description,
        criteria=data.criteria,
        learning_outcomes=tuple(data.learning_outcomes),
        ects=data.ects,
        workload_hours=data.workload_hours,
        eqf_level=data.eqf_level,
        isced_f_code=data.isced_f_code,
        languages=tuple(data.languages),
        participation_forms=tuple(data.participation_forms),
        assessment_type=data.assessment_type,
        quality_assurance=data.quality_assurance,
        prerequisites=tuple(data.prerequisites),
        identity_verification=data.identity_verification,
        supervision=data.supervision,
        grading_scheme=data.grading_scheme,
        stackability=data.stackability,
        further_information=data.further_information,
        skills=tuple(
            Skill(s.target_name, s.target_url, s.target_framework, s.target_code, s.target_type)
            for s in data.skills
        ),
        tags=tuple(data.tags),
        achievement_type=data.achievement_type,
        primary_language=data.primary_language,
        translations=tuple(
            TranslatedTexts(
                language,
                texts.name,
                texts.description,
                texts.criteria,
                tuple(texts.learning_outcomes),
            )
            for language, texts in data.translations.items()
        ),
    )


def pathway_from(data: PathwayV1) -> Pathway:
    return Pathway(
        pathway_id=data.pathway_id,
        version=data.version,
        active=data.status == "active",
        owner_provider_id=data.owner_provider_id,
        target_achievement_id=data.target_achievement_id,
        name=data.name,
        rule=data.rule,
        accepted_provider_ids=tuple(data.accepted_provider_ids),
        component_ids=component_ids(data.rule),
    )
