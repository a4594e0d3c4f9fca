"""What the handlers need from the outside world; adapters implement these (so each adapter
method repeats its signature here, as a Protocol's implementation does)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from microcred_shared.events import CloudEvent
from microcred_shared.events.contracts.catalogue import AchievementV1

from ..domain.achievements import Achievement
from ..domain.demand import DemandDimension, DemandRow, VerificationRecord
from ..domain.issuance import IssuanceSummary, IssuedRecord, StatusRecord
from ..domain.kafka_credentials import Holder, KafkaCredential
from ..domain.pathways import Pathway
from ..domain.providers import Provider
from ..domain.search import SearchQuery

Event = CloudEvent[Any]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SearchHits:
    """A page of search results, as published (the projection holds what it answers with)."""

    items: list[AchievementV1]
    next_after: tuple[object, str] | None

    @property
    def achievement_ids(self) -> list[str]:
        return [item.achievement_id for item in self.items]


class SearchProjection(Protocol):
    """Answers searches; kept up to date with every stored change."""

    def add(self, achievement: Achievement) -> bool: ...
    def search(self, query: SearchQuery) -> SearchHits: ...


class ProviderRepository(Protocol):
    async def get(self, provider_id: str) -> Provider | None: ...
    async def add(self, provider: Provider, event: Event) -> bool:
        """Store a new provider with its event; False if the id is taken."""
        ...

    async def replace(self, provider: Provider, event: Event) -> bool:
        """Store ``provider`` if the stored one is the version before it; False otherwise."""
        ...

    async def list(self) -> list[Provider]: ...


class AchievementRepository(Protocol):
    async def get(self, achievement_id: str) -> Achievement | None: ...
    async def many(self, achievement_ids: Sequence[str]) -> dict[str, Achievement]: ...
    async def save_if_newer(self, achievement: Achievement, event: Event) -> bool:
        """Store it with its event unless a version >= it is stored (atomically)."""
        ...


class PathwayRepository(Protocol):
    async def get(self, pathway_id: str) -> Pathway | None: ...
    async def add(self, pathway: Pathway, event: Event) -> bool: ...
    async def replace(self, pathway: Pathway, event: Event) -> bool: ...
    async def involving(self, achievement_ids: Sequence[str]) -> list[Pathway]:
        """Active pathways with one of ``achievement_ids`` as a component or as the target."""
        ...


class DemandRepository(Protocol):
    async def record(self, record: VerificationRecord) -> bool: ...
    async def counts(
        self,
        by: DemandDimension,
        *,
        provider_id: str | None,
        month_from: str | None,
        month_to: str | None,
    ) -> list[DemandRow]: ...


class IssuanceRepository(Protocol):
    async def record_issued_many(self, records: Sequence[IssuedRecord]) -> list[bool]:
        """Keep each unless its credential is known; per record, True if kept now."""
        ...

    async def record_status(self, record: StatusRecord) -> bool:
        """Keep it unless a status with a sequence >= it is kept; True if kept now."""
        ...

    async def summary(self, provider_id: str) -> IssuanceSummary: ...


class ProcessedEvents(Protocol):
    """The inbox: event ids a consumer has processed."""

    async def seen(self, event_id: str) -> bool: ...
    async def mark(self, event_id: str) -> bool: ...


@dataclass(frozen=True)
class PrincipalPlan:
    """What a new Kafka credential will be allowed to do, before it exists."""

    holder: Holder
    credential_id: str
    username: str
    write_topics: tuple[str, ...]
    read_topics: tuple[str, ...]
    consumer_group_prefix: str


class KafkaRegistrar(Protocol):
    """Makes and removes principals on the broker (the catalogue's registrar credential)."""

    def plan(self, holder: Holder, credential_id: str, topics: Sequence[str]) -> PrincipalPlan:
        """Raises ValueError for a topic that may not be granted to the holder."""
        ...

    async def provision(self, plan: PrincipalPlan) -> str:
        """Create the principal with its grants (and a provider's topics); its password."""
        ...

    async def revoke(self, username: str) -> None: ...


class KafkaCredentialRepository(Protocol):
    async def save(self, credential: KafkaCredential) -> None: ...
    async def get(self, credential_id: str) -> KafkaCredential | None: ...
    async def of_holder(self, holder: Holder) -> list[KafkaCredential]: ...
