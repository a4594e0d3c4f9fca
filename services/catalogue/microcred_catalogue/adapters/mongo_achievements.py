"""Achievements in MongoDB: versioned upserts carrying their outbox, and search."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from microcred_shared.events.topics import Topic
from microcred_shared.messaging.outbox import outbox_entry, store_with_outbox
from microcred_shared.mongo import IndexSpec, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..domain.achievements import Achievement
from ..service_layer.ports import Event
from .documents import achievement_document, achievement_from

COLLECTION = "achievements"
# Listing a provider's courses is the one query besides `_id` lookups (searches go to the
# in-memory projection, see memory_search.py).
INDEXES = [IndexSpec(COLLECTION, [IndexModel([("provider_id", ASCENDING), ("_id", ASCENDING)])])]
_NOT_SEARCH_FIELDS = {"outbox": 0}


class MongoAchievements:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[COLLECTION]

    async def get(self, achievement_id: str) -> Achievement | None:
        document = await self._collection.find_one({"_id": achievement_id}, _NOT_SEARCH_FIELDS)
        return achievement_from(document) if document else None

    async def many(self, achievement_ids: Sequence[str]) -> dict[str, Achievement]:
        # One lookup per id, concurrently: FerretDB pushes `_id` equality down to SQLite but
        # not `{"_id": {"$in": …}}`, which it evaluates document by document in Go.
        found = await asyncio.gather(*(self.get(i) for i in dict.fromkeys(achievement_ids)))
        return {a.achievement_id: a for a in found if a is not None}

    async def save_if_newer(self, achievement: Achievement, event: Event) -> bool:
        entry = outbox_entry(Topic.CATALOGUE_ACHIEVEMENTS, achievement.achievement_id, event)
        return await store_with_outbox(
            self._collection,
            achievement.achievement_id,
            {"$set": achievement_document(achievement)},
            [entry],
            only_if=lambda stored: stored is None or stored["version"] < achievement.version,
            upsert=True,
        )
