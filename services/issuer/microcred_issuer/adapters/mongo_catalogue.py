"""The issuer's projection of the catalogue topics: one document per entity, newest version."""

from __future__ import annotations

import dataclasses
from typing import Any

from microcred_shared.events.contracts.catalogue import PathwayRule
from microcred_shared.mongo import Document, IndexSpec, MongoCollection, MongoDatabase
from pydantic import TypeAdapter
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from ..domain.model import Achievement, Pathway, Provider, Skill
from ..domain.translations import TranslatedTexts

PROVIDERS = "catalogue_providers"
ACHIEVEMENTS = "catalogue_achievements"
PATHWAYS = "catalogue_pathways"

INDEXES = [
    IndexSpec(PATHWAYS, (IndexModel([("component_ids", ASCENDING)]),)),
]

_RULE = TypeAdapter[PathwayRule](PathwayRule)


async def _apply_newer(collection: MongoCollection, entity_id: str, fields: Document) -> bool:
    """Store ``fields`` unless a version at least as new is there; True if stored.

    The filter matches only an older version; when a newer one exists, the upsert's insert
    collides with its ``_id`` and we keep it.
    """
    try:
        await collection.update_one(
            {"_id": entity_id, "version": {"$lt": fields["version"]}},
            {"$set": fields},
            upsert=True,
        )
    except DuplicateKeyError:
        return False
    return True


class MongoCatalogueView:
    def __init__(self, database: MongoDatabase) -> None:
        self._providers = database[PROVIDERS]
        self._achievements = database[ACHIEVEMENTS]
        self._pathways = database[PATHWAYS]

    async def provider(self, provider_id: str) -> Provider | None:
        doc = await self._providers.find_one({"_id": provider_id})
        return Provider(**_fields(doc, Provider)) if doc else None

    async def achievement(self, achievement_id: str) -> Achievement | None:
        doc = await self._achievements.find_one({"_id": achievement_id})
        return _achievement(doc) if doc else None

    async def pathways_with_component(self, achievement_id: str) -> list[Pathway]:
        cursor = self._pathways.find({"component_ids": achievement_id})
        return [_pathway(doc) async for doc in cursor]

    async def pathway(self, pathway_id: str) -> Pathway | None:
        doc = await self._pathways.find_one({"_id": pathway_id})
        return _pathway(doc) if doc else None

    async def apply_provider(self, provider: Provider) -> bool:
        return await _apply_newer(self._providers, provider.provider_id, _document(provider))

    async def apply_achievement(self, achievement: Achievement) -> bool:
        return await _apply_newer(
            self._achievements, achievement.achievement_id, _document(achievement)
        )

    async def apply_pathway(self, pathway: Pathway) -> bool:
        fields = _document(pathway)
        fields["rule"] = _RULE.dump_python(pathway.rule, mode="json")
        return await _apply_newer(self._pathways, pathway.pathway_id, fields)


def _document(entity: Any) -> Document:
    fields = {f.name: getattr(entity, f.name) for f in dataclasses.fields(entity)}
    return {key: _stored(value) for key, value in fields.items()}


def _stored(value: Any) -> Any:
    if not isinstance(value, tuple):
        return value
    return [
        dataclasses.asdict(item)
        if dataclasses.is_dataclass(item) and not isinstance(item, type)
        else item
        for item in value
    ]


def _fields(doc: Document, kind: type[Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(kind)}
    return {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in doc.items()
        if key in names
    }


def _achievement(doc: Document) -> Achievement:
    fields = _fields(doc, Achievement)
    fields["skills"] = tuple(Skill(**skill) for skill in doc.get("skills", []))
    fields["translations"] = tuple(
        TranslatedTexts(**{**texts, "learning_outcomes": tuple(texts["learning_outcomes"])})
        for texts in doc.get("translations", [])
    )
    return Achievement(**fields)


def _pathway(doc: Document) -> Pathway:
    fields = _fields(doc, Pathway)
    fields["rule"] = _RULE.validate_python(doc["rule"])
    return Pathway(**fields)
