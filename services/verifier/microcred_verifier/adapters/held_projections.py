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
from microcred_shared.events.contracts.catalogue import AchievementV1, PathwayV1, ProviderV1
from microcred_shared.events.contracts.credentials import CredentialStatusChangedV1
from microcred_shared.events.contracts.keys import IssuerKeys

from microcred_verifier.adapters.entries import (
    Entry,
    achievement_entry,
    issuer_keys_entry,
    pathway_entry,
    provider_entry,
    status_entry,
)
from microcred_verifier.adapters.memory_projections import InMemoryProjections
from microcred_verifier.domain.knowledge import (
    AchievementFacts,
    PathwayFacts,
    ProviderFacts,
    StatusRecord,
)
from microcred_verifier.domain.model import Freshness


class RestartStore(Protocol):
    """Where the projections are written through to and restored from (``MongoProjections``)."""

    async def store(self, entry: Entry) -> bool: ...
    def entries(self) -> AsyncIterator[Entry]: ...
    async def last_events(self) -> dict[str, datetime]: ...


class HeldProjections:
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

    async def _apply(self, entry: Entry) -> bool:
        # Memory decides: another replica may have stored this entry already, and this one
        # must hold it all the same. The database's own rule keeps it from going back.
        if not self._memory.is_newer(entry):
            return False  # a replay after a restart, or a redelivery: nothing to write
        await self._store.store(entry)
        return self._memory.keep(entry)

    async def apply_provider(self, event: ProviderV1, received_at: datetime) -> bool:
        return await self._apply(provider_entry(event, received_at))

    async def apply_achievement(self, event: AchievementV1, received_at: datetime) -> bool:
        return await self._apply(achievement_entry(event, received_at))

    async def apply_pathway(self, event: PathwayV1, received_at: datetime) -> bool:
        return await self._apply(pathway_entry(event, received_at))

    async def apply_issuer_keys(self, event: IssuerKeys, received_at: datetime) -> bool:
        return await self._apply(issuer_keys_entry(event, received_at))

    async def apply_status(self, event: CredentialStatusChangedV1, received_at: datetime) -> bool:
        return await self._apply(status_entry(event, received_at))

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
