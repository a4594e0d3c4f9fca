"""Pathways in MongoDB, indexed by their components and target for the pathway graph."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.events.topics import Topic
from microcred_shared.messaging.outbox import outbox_entry
from microcred_shared.mongo import IndexSpec, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..domain.pathways import Pathway
from ..service_layer.ports import Event
from .documents import pathway_document, pathway_from
from .versioned import store_first_version, store_next_version

COLLECTION = "pathways"
# One index per spec (so one per createIndexes call): FerretDB 1.24 panics ("slice bounds out
# of range") when a createIndexes naming several indexes finds them already there, as it does
# on every restart.
INDEXES = [
    IndexSpec(COLLECTION, [IndexModel([("component_ids", ASCENDING)])]),
    IndexSpec(COLLECTION, [IndexModel([("target_achievement_id", ASCENDING)])]),
]
_PUBLIC = {"outbox": 0}


class MongoPathways:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[COLLECTION]

    async def get(self, pathway_id: str) -> Pathway | None:
        document = await self._collection.find_one({"_id": pathway_id}, _PUBLIC)
        return pathway_from(document) if document else None

    async def add(self, pathway: Pathway, event: Event) -> bool:
        return await store_first_version(
            self._collection, pathway.pathway_id, pathway_document(pathway), _entry(pathway, event)
        )

    async def replace(self, pathway: Pathway, event: Event) -> bool:
        return await store_next_version(
            self._collection, pathway.pathway_id, pathway_document(pathway), _entry(pathway, event)
        )

    async def involving(self, achievement_ids: Sequence[str]) -> list[Pathway]:
        ids = list(achievement_ids)
        cursor = self._collection.find(
            {
                "status": "active",
                "$or": [{"component_ids": {"$in": ids}}, {"target_achievement_id": {"$in": ids}}],
            },
            _PUBLIC,
        ).sort("_id", ASCENDING)
        return [pathway_from(document) async for document in cursor]


def _entry(pathway: Pathway, event: Event) -> dict[str, object]:
    return outbox_entry(Topic.CATALOGUE_PATHWAYS, pathway.pathway_id, event)
