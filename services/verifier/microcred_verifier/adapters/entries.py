"""What each consumed event becomes in a projection: the entry kept under its key, newest by its
order field. One shape for both stores, so the database and memory keep exactly the same."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microcred_shared.events.contracts.catalogue import AchievementV1, PathwayV1, ProviderV1
from microcred_shared.events.contracts.credentials import CredentialStatusChangedV1
from microcred_shared.events.contracts.keys import IssuerKeys

from ..domain.credential import name_key
from . import documents as col
from . import mapping

# Which field orders the versions of each projection's entries ("newest wins").
ORDER_FIELDS = {
    col.PROVIDERS: "version",
    col.ACHIEVEMENTS: "version",
    col.PATHWAYS: "version",
    col.ISSUER_KEYS: "version",
    col.STATUSES: "sequence",
}


@dataclass(frozen=True, slots=True)
class Entry:
    collection: str
    key: str
    document: dict[str, Any]

    @property
    def order(self) -> Any:
        return self.document[ORDER_FIELDS[self.collection]]

    @property
    def received_at(self) -> datetime:
        received: datetime = self.document["received_at"]
        return received


def provider_entry(event: ProviderV1, received_at: datetime) -> Entry:
    document = {
        **event.model_dump(mode="json"),
        "name_key": name_key(event.name),
        "received_at": received_at,
    }
    return Entry(col.PROVIDERS, event.provider_id, document)


def achievement_entry(event: AchievementV1, received_at: datetime) -> Entry:
    document = {**event.model_dump(mode="json"), "received_at": received_at}
    return Entry(col.ACHIEVEMENTS, event.achievement_id, document)


def pathway_entry(event: PathwayV1, received_at: datetime) -> Entry:
    document = {
        **event.model_dump(mode="json"),
        "component_ids": mapping.component_ids(event.rule),
        "received_at": received_at,
    }
    return Entry(col.PATHWAYS, event.pathway_id, document)


def issuer_keys_entry(event: IssuerKeys, received_at: datetime) -> Entry:
    document = {**event.model_dump(mode="json"), "received_at": received_at}
    document["dids"] = mapping.key_dids(document)  # what the database looks a DID up by
    return Entry(col.ISSUER_KEYS, event.provider_id, document)


def status_entry(event: CredentialStatusChangedV1, received_at: datetime) -> Entry:
    document = {**event.model_dump(mode="json"), "received_at": received_at}
    key = f"{event.status_list_credential}#{event.status_list_index}"
    return Entry(col.STATUSES, key, document)


def stored_entry(collection: str, stored: dict[str, Any]) -> Entry:
    """An entry as the database holds it (its key is the document's ``_id``)."""
    document = {k: v for k, v in stored.items() if k != "_id"}
    return Entry(collection, str(stored["_id"]), document)


class EntryWriter(ABC):
    """The projections' write side: every event becomes its entry, stored by
    :meth:`store_entry` (to memory and the database, or to the database alone)."""

    @abstractmethod
    async def store_entry(self, entry: Entry) -> bool:
        """True if ``entry`` was newer than what was held, and is now."""

    async def apply_provider(self, event: ProviderV1, received_at: datetime) -> bool:
        return await self.store_entry(provider_entry(event, received_at))

    async def apply_achievement(self, event: AchievementV1, received_at: datetime) -> bool:
        return await self.store_entry(achievement_entry(event, received_at))

    async def apply_pathway(self, event: PathwayV1, received_at: datetime) -> bool:
        return await self.store_entry(pathway_entry(event, received_at))

    async def apply_issuer_keys(self, event: IssuerKeys, received_at: datetime) -> bool:
        return await self.store_entry(issuer_keys_entry(event, received_at))

    async def apply_status(self, event: CredentialStatusChangedV1, received_at: datetime) -> bool:
        return await self.store_entry(status_entry(event, received_at))
