"""The projections held in memory: the same entries and "newest wins" rule as the database,
mapped to the domain's facts once, when an entry arrives, so a verification only looks them up.

Each table keeps, per key, the order (version or sequence) of the entry it holds and the facts
made from it; the lookups by DID, by name and by component are indexes kept with them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from microcred_shared.crypto import ResolvedKey
from microcred_shared.events.contracts.catalogue import AchievementV1, PathwayV1, ProviderV1
from microcred_shared.events.contracts.credentials import CredentialStatusChangedV1
from microcred_shared.events.contracts.keys import IssuerKeys

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
    achievement_entry,
    issuer_keys_entry,
    pathway_entry,
    provider_entry,
    status_entry,
)

# As many pathways from one achievement as the database projection answers.
MAX_PATHWAYS = 20


class _Index:
    """Keys of one table by a looked-up value (a DID, a name, a component): the entry first
    stored under a value answers for it, as the database's first match would."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[str, None]] = {}

    def replace(self, key: str, old: Iterable[str], new: Iterable[str]) -> None:
        for value in old:
            held = self._keys.get(value, {})
            held.pop(key, None)
            if not held:
                self._keys.pop(value, None)
        for value in new:
            self._keys.setdefault(value, {})[key] = None

    def first(self, value: str) -> str | None:
        return next(iter(self._keys.get(value, ())), None)

    def all(self, value: str) -> list[str]:
        return list(self._keys.get(value, ()))


class InMemoryProjections:
    def __init__(self) -> None:
        self._orders: dict[str, dict[str, Any]] = {name: {} for name in ORDER_FIELDS}
        self._last_event: dict[str, datetime] = {}
        self._providers: dict[str, ProviderFacts] = {}
        self._providers_by_did, self._providers_by_name = _Index(), _Index()
        self._achievements: dict[str, AchievementFacts] = {}
        self._pathways: dict[str, dict[str, Any]] = {}
        self._pathways_by_component = _Index()
        self._keys: dict[str, tuple[list[str], list[ResolvedKey]]] = {}
        self._keys_by_did = _Index()
        self._statuses: dict[str, StatusRecord] = {}

    def is_newer(self, entry: Entry) -> bool:
        held = self._orders[entry.collection].get(entry.key)
        return held is None or bool(held < entry.order)

    def keep(self, entry: Entry) -> bool:
        """Hold ``entry`` unless one with the same or a newer order is held."""
        if not self.is_newer(entry):
            return False
        self._orders[entry.collection][entry.key] = entry.order
        self._last_event[entry.collection] = entry.received_at
        _HOLDERS[entry.collection](self, entry.key, entry.document)
        return True

    def restore_last_events(self, last_events: dict[str, datetime]) -> None:
        """As stored; an event received since (the consumers start first) stays the last."""
        for projection, at in last_events.items():
            held = self._last_event.get(projection)
            self._last_event[projection] = at if held is None else max(held, at)

    def _hold_provider(self, key: str, document: dict[str, Any]) -> None:
        old = self._providers.get(key)
        new = mapping.provider_facts(document)
        self._providers[key] = new
        self._providers_by_did.replace(key, old.issuer_dids if old else (), new.issuer_dids)
        self._providers_by_name.replace(
            key, [name_key(old.name)] if old else [], [name_key(new.name)]
        )

    def _hold_achievement(self, key: str, document: dict[str, Any]) -> None:
        self._achievements[key] = mapping.achievement_facts(document)

    def _hold_pathway(self, key: str, document: dict[str, Any]) -> None:
        old = self._pathways.get(key)
        self._pathways[key] = document
        old_components = old["component_ids"] if old else []
        self._pathways_by_component.replace(key, old_components, document["component_ids"])

    def _hold_issuer_keys(self, key: str, document: dict[str, Any]) -> None:
        old = self._keys.get(key)
        dids = mapping.key_dids(document)
        self._keys[key] = (dids, mapping.resolved_keys(document))
        self._keys_by_did.replace(key, old[0] if old else [], dids)

    def _hold_status(self, key: str, document: dict[str, Any]) -> None:
        self._statuses[key] = mapping.status_record(document)

    async def apply_provider(self, event: ProviderV1, received_at: datetime) -> bool:
        return self.keep(provider_entry(event, received_at))

    async def apply_achievement(self, event: AchievementV1, received_at: datetime) -> bool:
        return self.keep(achievement_entry(event, received_at))

    async def apply_pathway(self, event: PathwayV1, received_at: datetime) -> bool:
        return self.keep(pathway_entry(event, received_at))

    async def apply_issuer_keys(self, event: IssuerKeys, received_at: datetime) -> bool:
        return self.keep(issuer_keys_entry(event, received_at))

    async def apply_status(self, event: CredentialStatusChangedV1, received_at: datetime) -> bool:
        return self.keep(status_entry(event, received_at))

    async def provider_by_did(self, did: str) -> ProviderFacts | None:
        """As the catalogue lists it, else as the issuer announced the DID on ``issuer.keys``."""
        listed = self._providers_by_did.first(did)
        if listed is not None:
            return self._providers[listed]
        announced_by = self._keys_by_did.first(did)
        return self._providers.get(announced_by) if announced_by else None

    async def provider_by_id(self, provider_id: str) -> ProviderFacts | None:
        return self._providers.get(provider_id)

    async def provider_named(self, name: str) -> ProviderFacts | None:
        found = self._providers_by_name.first(name_key(name))
        return self._providers[found] if found else None

    async def achievement(self, achievement_id: str) -> AchievementFacts | None:
        return self._achievements.get(achievement_id)

    async def pathways_from(self, achievement_id: str) -> list[PathwayFacts]:
        active = [
            document
            for key in self._pathways_by_component.all(achievement_id)
            if (document := self._pathways[key])["status"] == "active"
        ]
        return [self._pathway_facts(document) for document in active[:MAX_PATHWAYS]]

    def _pathway_facts(self, document: dict[str, Any]) -> PathwayFacts:
        target = self._achievements.get(document["target_achievement_id"])
        return mapping.pathway_facts(document, target.name if target else None)

    async def keys_of(self, controller: str) -> list[ResolvedKey]:
        provider = self._keys_by_did.first(controller)
        return list(self._keys[provider][1]) if provider else []

    async def status_at(self, list_url: str, index: int) -> StatusRecord | None:
        return self._statuses.get(f"{list_url}#{index}")

    async def freshness(self, projection: str) -> Freshness:
        return Freshness(
            f"{projection} projection (last event received)", self._last_event.get(projection)
        )


_HOLDERS = {
    col.PROVIDERS: InMemoryProjections._hold_provider,
    col.ACHIEVEMENTS: InMemoryProjections._hold_achievement,
    col.PATHWAYS: InMemoryProjections._hold_pathway,
    col.ISSUER_KEYS: InMemoryProjections._hold_issuer_keys,
    col.STATUSES: InMemoryProjections._hold_status,
}
