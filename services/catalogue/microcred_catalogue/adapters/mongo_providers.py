"""Providers in MongoDB, each document carrying its pending ``catalogue.providers`` events."""

from __future__ import annotations

from microcred_shared.events.topics import Topic
from microcred_shared.messaging.outbox import outbox_entry
from microcred_shared.mongo import IndexSpec, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..domain.providers import Provider
from ..service_layer.ports import Event
from .documents import provider_document, provider_from
from .versioned import store_first_version, store_next_version

COLLECTION = "providers"
INDEXES = [
    IndexSpec(COLLECTION, [IndexModel([("api_key_sha256", ASCENDING)], unique=True)]),
]
_PUBLIC = {"outbox": 0}


class MongoProviders:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[COLLECTION]

    async def get(self, provider_id: str) -> Provider | None:
        document = await self._collection.find_one({"_id": provider_id}, _PUBLIC)
        return provider_from(document) if document else None

    async def by_key_hash(self, key_sha256: str) -> Provider | None:
        document = await self._collection.find_one({"api_key_sha256": key_sha256}, _PUBLIC)
        return provider_from(document) if document else None

    async def add(self, provider: Provider, event: Event) -> bool:
        return await store_first_version(
            self._collection,
            provider.provider_id,
            provider_document(provider),
            _entry(provider, event),
        )

    async def replace(self, provider: Provider, event: Event) -> bool:
        return await store_next_version(
            self._collection,
            provider.provider_id,
            provider_document(provider),
            _entry(provider, event),
        )

    async def list(self) -> list[Provider]:
        cursor = self._collection.find({}, _PUBLIC).sort("_id", ASCENDING)
        return [provider_from(document) async for document in cursor]


def _entry(provider: Provider, event: Event) -> dict[str, object]:
    return outbox_entry(Topic.CATALOGUE_PROVIDERS, provider.provider_id, event)
