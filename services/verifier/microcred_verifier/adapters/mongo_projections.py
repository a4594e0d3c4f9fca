"""The projections in MongoDB: one document per entity, newest version wins (FerretDB-safe:
single-document conditional upserts, no transactions). The service reads them from memory
(``held_projections``); this store is where a starting replica takes them from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from microcred_shared.crypto import ResolvedKey
from microcred_shared.locks import store_if_newer
from microcred_shared.mongo import IndexSpec, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..domain.credential import name_key
from ..domain.knowledge import (
    AchievementFacts,
    PathwayFacts,
    ProviderFacts,
    StatusRecord,
)
from ..domain.model import Freshness
from . import documents as col
from . import mapping
from .entries import (
    ORDER_FIELDS,
    Entry,
    EntryWriter,
    stored_entry,
)

INDEXES = [
    IndexSpec(col.PROVIDERS, (IndexModel([("issuer_dids", ASCENDING)]),)),
    IndexSpec(col.PATHWAYS, (IndexModel([("component_ids", ASCENDING)]),)),
    IndexSpec(
        col.ISSUER_KEYS, (IndexModel([("did", ASCENDING)]), IndexModel([("dids", ASCENDING)]))
    ),
    IndexSpec(
        col.STATUSES,
        (IndexModel([("status_list_credential", ASCENDING), ("status_list_index", ASCENDING)]),),
    ),
]


class MongoProjections(EntryWriter):
    def __init__(self, database: MongoDatabase) -> None:
        self._db = database

    async def store_entry(self, entry: Entry) -> bool:
        """Store ``entry`` unless one with the same or a newer order is there."""
        order_field = ORDER_FIELDS[entry.collection]
        changed = await store_if_newer(
            self._db[entry.collection], entry.key, entry.document, order_field
        )
        if changed:
            await self._db[col.PROJECTION_STATE].update_one(
                {"_id": entry.collection},
                {"$set": {"last_event_at": entry.received_at}},
                upsert=True,
            )
        return changed

    async def entries(self) -> AsyncIterator[Entry]:
        """Every stored entry of every projection (a scan: once, at start)."""
        for collection in ORDER_FIELDS:
            async for stored in self._db[collection].find({}):
                yield stored_entry(collection, stored)

    async def last_events(self) -> dict[str, datetime]:
        """When each projection last changed."""
        found: dict[str, datetime] = {}
        async for state in self._db[col.PROJECTION_STATE].find({}):
            if state.get("last_event_at") is not None:
                found[str(state["_id"])] = state["last_event_at"]
        return found

    async def provider_by_did(self, did: str) -> ProviderFacts | None:
        """The provider a DID belongs to: as the catalogue lists it, else as the issuer, which
        hosts every provider's did:web document, announced it on ``issuer.keys``."""
        doc = await self._db[col.PROVIDERS].find_one({"issuer_dids": did})
        if doc:
            return mapping.provider_facts(doc)
        keys = await self._db[col.ISSUER_KEYS].find_one(_published_under(did))
        return await self.provider_by_id(keys["provider_id"]) if keys else None

    async def provider_by_id(self, provider_id: str) -> ProviderFacts | None:
        doc = await self._db[col.PROVIDERS].find_one({"_id": provider_id})
        return mapping.provider_facts(doc) if doc else None

    async def provider_named(self, name: str) -> ProviderFacts | None:
        doc = await self._db[col.PROVIDERS].find_one({"name_key": name_key(name)})
        return mapping.provider_facts(doc) if doc else None

    async def achievement(self, achievement_id: str) -> AchievementFacts | None:
        doc = await self._db[col.ACHIEVEMENTS].find_one({"_id": achievement_id})
        return mapping.achievement_facts(doc) if doc else None

    async def pathways_from(self, achievement_id: str) -> list[PathwayFacts]:
        cursor = self._db[col.PATHWAYS].find({"component_ids": achievement_id, "status": "active"})
        pathways = []
        async for doc in cursor.limit(20):
            target = await self._db[col.ACHIEVEMENTS].find_one(
                {"_id": doc["target_achievement_id"]}
            )
            pathways.append(mapping.pathway_facts(doc, target.get("name") if target else None))
        return pathways

    async def keys_of(self, controller: str) -> list[ResolvedKey]:
        doc = await self._db[col.ISSUER_KEYS].find_one(_published_under(controller))
        return mapping.resolved_keys(doc) if doc else []

    async def status_at(self, list_url: str, index: int) -> StatusRecord | None:
        doc = await self._db[col.STATUSES].find_one({"_id": f"{list_url}#{index}"})
        return mapping.status_record(doc) if doc else None

    async def freshness(self, projection: str) -> Freshness:
        state: dict[str, Any] | None = await self._db[col.PROJECTION_STATE].find_one(
            {"_id": projection}
        )
        as_of = state.get("last_event_at") if state else None
        return Freshness(f"{projection} projection (last event received)", as_of)


def _published_under(did: str) -> dict[str, Any]:
    """Keys announced under ``did``: the current DID, or one a provider signed under before
    (``dids``; entries stored before it was kept have only ``did``)."""
    return {"$or": [{"did": did}, {"dids": did}]}
