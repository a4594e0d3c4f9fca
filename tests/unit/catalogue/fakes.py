"""In-memory stand-ins for the catalogue's repositories, honouring the same contracts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from microcred_catalogue.adapters.memory_search import MemorySearchIndex
from microcred_catalogue.domain.achievements import Achievement
from microcred_catalogue.domain.demand import DemandDimension, DemandRow, VerificationRecord
from microcred_catalogue.domain.issuance import (
    IssuanceSummary,
    IssuedRecord,
    StatusRecord,
    summarise,
)
from microcred_catalogue.domain.pathways import Pathway
from microcred_catalogue.domain.providers import API_KEY_PREFIX, Provider
from microcred_catalogue.service_layer.courses import CourseIngestion
from microcred_catalogue.service_layer.demand import DemandHandlers
from microcred_catalogue.service_layer.issuance import IssuanceHandlers
from microcred_catalogue.service_layer.pathways import PathwayHandlers
from microcred_catalogue.service_layer.providers import ProviderHandlers
from microcred_shared.api_keys import ApiKeyRegistry

from tests.unit.api_key_fakes import InMemoryApiKeyStore


class FakeProviders:
    def __init__(self) -> None:
        self.stored: dict[str, Provider] = {}
        self.events: list[Any] = []

    async def get(self, provider_id: str) -> Provider | None:
        return self.stored.get(provider_id)

    async def add(self, provider: Provider, event: Any) -> bool:
        if provider.provider_id in self.stored:
            return False
        self.stored[provider.provider_id] = provider
        self.events.append(event)
        return True

    async def replace(self, provider: Provider, event: Any) -> bool:
        current = self.stored.get(provider.provider_id)
        if current is None or current.version != provider.version - 1:
            return False
        self.stored[provider.provider_id] = provider
        self.events.append(event)
        return True

    async def list(self) -> list[Provider]:
        return list(self.stored.values())


class FakeAchievements:
    def __init__(self) -> None:
        self.stored: dict[str, Achievement] = {}
        self.events: list[Any] = []

    async def get(self, achievement_id: str) -> Achievement | None:
        return self.stored.get(achievement_id)

    async def many(self, achievement_ids: Sequence[str]) -> dict[str, Achievement]:
        return {i: self.stored[i] for i in achievement_ids if i in self.stored}

    async def save_if_newer(self, achievement: Achievement, event: Any) -> bool:
        current = self.stored.get(achievement.achievement_id)
        if current is not None and current.version >= achievement.version:
            return False
        self.stored[achievement.achievement_id] = achievement
        self.events.append(event)
        return True


class FakePathways:
    def __init__(self) -> None:
        self.stored: dict[str, Pathway] = {}
        self.events: list[Any] = []

    async def get(self, pathway_id: str) -> Pathway | None:
        return self.stored.get(pathway_id)

    async def add(self, pathway: Pathway, event: Any) -> bool:
        if pathway.pathway_id in self.stored:
            return False
        self.stored[pathway.pathway_id] = pathway
        self.events.append(event)
        return True

    async def replace(self, pathway: Pathway, event: Any) -> bool:
        current = self.stored.get(pathway.pathway_id)
        if current is None or current.version != pathway.version - 1:
            return False
        self.stored[pathway.pathway_id] = pathway
        self.events.append(event)
        return True

    async def involving(self, achievement_ids: Sequence[str]) -> list[Pathway]:
        ids = set(achievement_ids)
        return [
            p
            for p in self.stored.values()
            if p.status == "active"
            and (ids & set(p.component_ids) or p.target_achievement_id in ids)
        ]


class FakeDemand:
    def __init__(self) -> None:
        self.records: dict[str, VerificationRecord] = {}

    async def record(self, record: VerificationRecord) -> bool:
        if record.event_id in self.records:
            return False
        self.records[record.event_id] = record
        return True

    async def counts(self, by: DemandDimension, **_: Any) -> list[DemandRow]:
        raise NotImplementedError  # aggregation is the database's job: tested on the real one


class FakeIssuance:
    """The repository's contract in memory: one issued record and one latest status each."""

    def __init__(self) -> None:
        self.issued: dict[str, IssuedRecord] = {}
        self.statuses: dict[str, StatusRecord] = {}

    async def record_issued_many(self, records: Sequence[IssuedRecord]) -> list[bool]:
        kept = []
        for record in records:
            kept.append(record.credential_id not in self.issued)
            self.issued.setdefault(record.credential_id, record)
        return kept

    async def record_status(self, record: StatusRecord) -> bool:
        kept = self.statuses.get(record.credential_id)
        if kept and kept.sequence >= record.sequence:
            return False
        self.statuses[record.credential_id] = record
        return True

    async def summary(self, provider_id: str) -> IssuanceSummary:
        issued: dict[str, int] = {}
        for record in self.issued.values():
            if record.provider_id == provider_id:
                issued[record.achievement_id] = issued.get(record.achievement_id, 0) + 1
        states = [
            (s.achievement_id, s.state, 1)
            for s in self.statuses.values()
            if s.provider_id == provider_id
        ]
        return summarise(issued, states)


class FakeInbox:
    def __init__(self) -> None:
        self.ids: set[str] = set()

    async def seen(self, event_id: str) -> bool:
        return event_id in self.ids

    async def mark(self, event_id: str) -> bool:
        fresh = event_id not in self.ids
        self.ids.add(event_id)
        return fresh


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 6, 1, tzinfo=UTC))

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class World:
    """The handlers wired to fakes, the way bootstrap wires them to MongoDB."""

    providers: FakeProviders = field(default_factory=FakeProviders)
    achievements: FakeAchievements = field(default_factory=FakeAchievements)
    pathways_repo: FakePathways = field(default_factory=FakePathways)
    demand_repo: FakeDemand = field(default_factory=FakeDemand)
    issuance_repo: FakeIssuance = field(default_factory=FakeIssuance)
    inbox: FakeInbox = field(default_factory=FakeInbox)
    projection: MemorySearchIndex = field(default_factory=MemorySearchIndex)
    clock: Clock = field(default_factory=Clock)
    api_keys: InMemoryApiKeyStore = field(default_factory=InMemoryApiKeyStore)
    wakes: int = 0

    def wake(self) -> None:
        self.wakes += 1

    @property
    def provider_handlers(self) -> ProviderHandlers:
        registry = ApiKeyRegistry(self.api_keys, API_KEY_PREFIX, self.clock)
        return ProviderHandlers(self.providers, self.clock, self.wake, registry)

    @property
    def courses(self) -> CourseIngestion:
        return CourseIngestion(
            self.providers, self.achievements, self.projection, self.clock, self.wake
        )

    @property
    def pathways(self) -> PathwayHandlers:
        return PathwayHandlers(self.pathways_repo, self.achievements, self.clock, self.wake)

    @property
    def demand(self) -> DemandHandlers:
        return DemandHandlers(self.demand_repo, self.inbox)

    @property
    def issuance(self) -> IssuanceHandlers:
        return IssuanceHandlers(self.issuance_repo)
