"""Achievements in MongoDB: versioned upserts carrying their outbox, and search."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.events.topics import Topic
from microcred_shared.messaging.outbox import outbox_entry, with_outbox
from microcred_shared.mongo import IndexSpec, MongoDatabase
from pymongo.errors import DuplicateKeyError

from ..domain.achievements import Achievement, ProviderFacts
from ..domain.search import SearchQuery
from ..service_layer.ports import Event, SearchPage
from .documents import achievement_document, achievement_from
from .lost_updates import write_until_stored
from .search_queries import SEARCH_INDEXES, search_filter, search_sort, sort_value

COLLECTION = "achievements"
INDEXES = [IndexSpec(COLLECTION, SEARCH_INDEXES)]
_NOT_SEARCH_FIELDS = {"search_terms": 0, "outbox": 0}


class MongoAchievements:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[COLLECTION]

    async def get(self, achievement_id: str) -> Achievement | None:
        document = await self._collection.find_one({"_id": achievement_id}, _NOT_SEARCH_FIELDS)
        return achievement_from(document) if document else None

    async def many(self, achievement_ids: Sequence[str]) -> dict[str, Achievement]:
        if not achievement_ids:
            return {}
        cursor = self._collection.find({"_id": {"$in": list(achievement_ids)}}, _NOT_SEARCH_FIELDS)
        return {doc["_id"]: achievement_from(doc) async for doc in cursor}

    async def save_if_newer(self, achievement: Achievement, event: Event) -> bool:
        update = with_outbox(
            {"$set": achievement_document(achievement)},
            [outbox_entry(Topic.CATALOGUE_ACHIEVEMENTS, achievement.achievement_id, event)],
        )

        async def write() -> bool:
            try:
                # The version guard and the upsert are one write: when a version >= ours is
                # stored the filter misses, the upsert collides on _id, and nothing changes.
                await self._collection.update_one(
                    {"_id": achievement.achievement_id, "version": {"$lt": achievement.version}},
                    update,
                    upsert=True,
                )
            except DuplicateKeyError:
                return False
            return True

        return await write_until_stored(
            self._collection, achievement.achievement_id, achievement.version, write
        )

    async def refresh_provider(self, facts: ProviderFacts) -> None:
        """Keep the provider fields search filters on in step with the provider.

        Completeness is not rescored here: it changes with the next version of each course.
        """
        await self._collection.update_many(
            {"provider_id": facts.provider_id},
            {
                "$set": {
                    "provider.provider_type": facts.provider_type,
                    "provider.country": facts.country,
                    "provider_type": facts.provider_type,
                    "country": facts.country,
                }
            },
        )

    async def search(self, query: SearchQuery) -> SearchPage:
        cursor = (
            self._collection.find(search_filter(query), _NOT_SEARCH_FIELDS)
            .sort(search_sort(query))
            .limit(query.limit + 1)
        )
        documents = [document async for document in cursor]
        page = documents[: query.limit]
        more = len(documents) > query.limit
        next_after = (sort_value(query, page[-1]), page[-1]["_id"]) if more and page else None
        return SearchPage([achievement_from(d) for d in page], next_after)
