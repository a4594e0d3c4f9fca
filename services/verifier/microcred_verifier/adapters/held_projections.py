"""The verifier's projections as it serves them: held in memory, written through to the database.

A verification reads memory only (no database round trip per request). Each replica feeds its
memory from the whole compacted topics (a consumer group of its own) and writes what it
receives through to the database, which is where a starting replica takes its projections
from before the topics have been read again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from microcred_shared.crypto import ResolvedKey

from ..domain.knowledge import (
    AchievementFacts,
    PathwayFacts,
    ProviderFacts,
    StatusRecord,
)
from ..domain.model import Freshness
from .entries import (
    Entry,
    EntryWriter,
)
from .memory_projections import InMemoryProjections


class RestartStore(Protocol):
    """Where the projections are written through to and restored from (``MongoProjections``)."""

    async def store_entry(self, entry: Entry) -> bool: ...
    def entries(self) -> AsyncIterator[Entry]: ...
    async def last_events(self) -> dict[str, datetime]: ...


class HeldProjections(EntryWriter):
    def __init__(self, store: RestartStore) -> None:
        self._store = store
        self._memory = InMemoryProjections()

    async def load(self) -> int:
        """The projections as the database holds them (a scan: once, before serving)."""
        loaded = 0
        async for entry in self._store.entries():
            loaded += self._memory.keep(entry)
        self._memory.restore_last_events(await self._store.last_events())
        return loaded

    async def store_entry(self, entry: Entry) -> bool:
        # Memory decides: another replica may have stored this entry already, and this one
        # must hold it all the same. The database's own rule keeps it from going back.
        if not self._memory.is_newer(entry):
            return False  # a replay after a restart, or a redelivery: nothing to write
        await self._store.store_entry(entry)
        return self._memory.keep(entry)

    async def provider_by_did(self, did: str) -> ProviderFacts | None:
        return await self._memory.provider_by_did(did)

    async def provider_by_id(self, provider_id: str) -> ProviderFacts | None:
        return await self._memory.provider_by_id(provider_id)

    async def provider_named(self, name: str) -> ProviderFacts | None:
        return await self._memory.provider_named(name)

    async def achievement(self, achievement_id: str) -> AchievementFacts | None:
        return await self._memory.achievement(achievement_id)

    async def pathways_from(self, achievement_id: str) -> list[PathwayFacts]:
        return await self._memory.pathways_from(achievement_id)

    async def keys_of(self, controller: str) -> list[ResolvedKey]:
        return await self._memory.keys_of(controller)

    async def status_at(self, list_url: str, index: int) -> StatusRecord | None:
        return await self._memory.status_at(list_url, index)

    async def freshness(self, projection: str) -> Freshness:
        return await self._memory.freshness(projection)
