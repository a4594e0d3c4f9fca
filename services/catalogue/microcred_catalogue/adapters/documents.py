"""Domain objects <-> MongoDB documents (the stored shape is ours, not the event contract)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from microcred_shared.events.contracts.catalogue import PathwayRule
from microcred_shared.mongo import Document
from pydantic import TypeAdapter

from ..domain.achievements import (
    Achievement,
    AchievementStatus,
    Completeness,
    Definition,
    ProviderFacts,
    Skill,
)
from ..domain.pathways import Pathway
from ..domain.providers import Accreditation, Provider, ProviderType, Trust
from ..domain.translations import Texts

RULE = TypeAdapter[PathwayRule](PathwayRule)
_TUPLE_FIELDS = ("learning_outcomes", "languages", "participation_forms", "prerequisites", "tags")


def achievement_document(achievement: Achievement) -> Document:
    return {
        "provider_id": achievement.provider_id,
        "course_code": achievement.course_code,
        "version": achievement.version,
        "status": achievement.status.value,
        "definition": asdict(achievement.definition),
        "completeness": asdict(achievement.completeness),
        "provider": asdict(achievement.provider),
        "updated_at": achievement.updated_at,
    }


def achievement_from(document: Document) -> Achievement:
    raw: dict[str, Any] = dict(document["definition"])
    for name in _TUPLE_FIELDS:
        raw[name] = tuple(raw.get(name) or ())
    raw["skills"] = tuple(Skill(**skill) for skill in raw.get("skills") or ())
    raw["translations"] = {
        language: Texts(**{**texts, "learning_outcomes": tuple(texts["learning_outcomes"])})
        for language, texts in (raw.get("translations") or {}).items()
    }
    completeness = document["completeness"]
    return Achievement(
        achievement_id=document["_id"],
        course_code=document["course_code"],
        version=document["version"],
        status=AchievementStatus(document["status"]),
        definition=Definition(**raw),
        completeness=Completeness(
            score=completeness["score"],
            mandatory_missing=tuple(completeness["mandatory_missing"]),
            optional_missing=tuple(completeness["optional_missing"]),
        ),
        provider=ProviderFacts(**document["provider"]),
        updated_at=document["updated_at"],
    )


def provider_document(provider: Provider) -> Document:
    document = asdict(provider)
    del document["provider_id"]
    document["provider_type"] = provider.provider_type.value
    document["trust"] = provider.trust.value
    document["issuer_dids"] = list(provider.issuer_dids)
    return document


def provider_from(document: Document) -> Provider:
    return Provider(
        provider_id=document["_id"],
        version=document["version"],
        name=document["name"],
        provider_type=ProviderType(document["provider_type"]),
        country=document["country"],
        region=document.get("region"),
        website=document.get("website"),
        accreditation=Accreditation(**document["accreditation"]),
        trust=Trust(document["trust"]),
        issuer_dids=tuple(document.get("issuer_dids") or ()),
        updated_at=document["updated_at"],
    )


def pathway_document(pathway: Pathway) -> Document:
    return {
        "version": pathway.version,
        "status": pathway.status,
        "owner_provider_id": pathway.owner_provider_id,
        "target_achievement_id": pathway.target_achievement_id,
        "name": pathway.name,
        "rule": RULE.dump_python(pathway.rule, mode="json"),
        "accepted_provider_ids": list(pathway.accepted_provider_ids),
        "component_ids": list(pathway.component_ids),
        "updated_at": pathway.updated_at,
    }


def pathway_from(document: Document) -> Pathway:
    return Pathway(
        pathway_id=document["_id"],
        version=document["version"],
        status=document["status"],
        owner_provider_id=document["owner_provider_id"],
        target_achievement_id=document["target_achievement_id"],
        name=document["name"],
        rule=RULE.validate_python(document["rule"]),
        accepted_provider_ids=tuple(document["accepted_provider_ids"]),
        updated_at=document["updated_at"],
    )
