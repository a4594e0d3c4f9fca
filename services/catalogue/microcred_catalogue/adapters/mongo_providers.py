"""Providers in MongoDB, each document carrying its pending ``catalogue.providers`` events."""

from __future__ import annotations

import contextlib

from microcred_shared.api_keys import ApiKeyRecord, ApiKeyStore
from microcred_shared.events.topics import Topic
from microcred_shared.locks import update_by_id_if
from microcred_shared.messaging.outbox import outbox_entry
from microcred_shared.mongo import IndexSpec, MongoDatabase
from pymongo import ASCENDING
from pymongo.errors import OperationFailure

from ..domain.providers import Provider
from ..service_layer.ports import Event
from .documents import provider_document, provider_from
from .versioned import store_first_version, store_next_version

COLLECTION = "providers"
API_KEYS = "api_keys"
INDEXES: list[IndexSpec] = []
# Before API keys were revocable, each provider document held its one key's hash, under a
# unique index that would now refuse a second provider without the field.
LEGACY_KEY_FIELD = "api_key_sha256"
LEGACY_KEY_INDEX = "api_key_sha256_1"
_PUBLIC = {"outbox": 0}


class MongoProviders:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[COLLECTION]

    async def get(self, provider_id: str) -> Provider | None:
        document = await self._collection.find_one({"_id": provider_id}, _PUBLIC)
        return provider_from(document) if document else None

    async def move_legacy_api_keys(self, keys: ApiKeyStore) -> int:
        """Copy each provider's single stored key hash into the API key store (once; a start-up
        migration, idempotent) and drop the index that made it unique. Returns keys moved."""
        moved = 0
        async for document in self._collection.find({LEGACY_KEY_FIELD: {"$exists": True}}):
            key_hash = str(document[LEGACY_KEY_FIELD])
            if await keys.by_hash(key_hash) is None:
                await keys.add(ApiKeyRecord(key_hash, document["_id"], document["updated_at"]))
                moved += 1
            # Under the document's lock: a provider change may be writing it at the same time.
            await update_by_id_if(
                self._collection,
                document["_id"],
                lambda _: True,
                {"$unset": {LEGACY_KEY_FIELD: ""}},
            )
        # Absent when never created here, or already dropped by another replica.
        with contextlib.suppress(OperationFailure):
            await self._collection.drop_index(LEGACY_KEY_INDEX)
        return moved

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
