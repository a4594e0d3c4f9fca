"""What the service layer needs from the outside world: its projections and a safe fetcher."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from microcred_shared.crypto import ResolvedKey
from microcred_shared.events.contracts.catalogue import AchievementV1, PathwayV1, ProviderV1
from microcred_shared.events.contracts.credentials import (
    CredentialStatusChangedV1,
    StatusListPublishedV1,
)
from microcred_shared.events.contracts.keys import IssuerKeys

from ..domain.knowledge import (
    AchievementFacts,
    PathwayFacts,
    ProviderFacts,
    StatusRecord,
)
from ..domain.model import Freshness


class Projections(Protocol):
    """The verifier's read models of other services' events. Each ``apply_*`` keeps the newest
    version and ignores older or repeated ones (returns False then)."""

    async def apply_provider(self, event: ProviderV1, received_at: datetime) -> bool: ...
    async def apply_achievement(self, event: AchievementV1, received_at: datetime) -> bool: ...
    async def apply_pathway(self, event: PathwayV1, received_at: datetime) -> bool: ...
    async def apply_issuer_keys(self, event: IssuerKeys, received_at: datetime) -> bool: ...
    async def apply_status(
        self, event: CredentialStatusChangedV1, received_at: datetime
    ) -> bool: ...

    async def provider_by_did(self, did: str) -> ProviderFacts | None: ...
    async def provider_by_id(self, provider_id: str) -> ProviderFacts | None: ...
    async def provider_named(self, name: str) -> ProviderFacts | None:
        """The registered provider with this name (compared by ``name_key``)."""
        ...

    async def achievement(self, achievement_id: str) -> AchievementFacts | None: ...
    async def pathways_from(self, achievement_id: str) -> list[PathwayFacts]: ...
    async def keys_of(self, controller: str) -> list[ResolvedKey]: ...
    async def status_at(self, list_url: str, index: int) -> StatusRecord | None:
        """The issuer's last status event for this entry (its words; the list decides)."""
        ...

    async def freshness(self, projection: str) -> Freshness: ...


@dataclass(frozen=True, slots=True)
class StatusListSnapshot:
    """One of this ecosystem's status lists as its issuer last published it."""

    list_url: str
    sequence: int
    list_credential: Mapping[str, Any]
    received_at: datetime

    @property
    def freshness(self) -> Freshness:
        return Freshness(f"status-lists projection (snapshot {self.sequence})", self.received_at)


class StatusLists(Protocol):
    """The newest snapshot of each of this ecosystem's status lists, fed by Kafka and read from
    memory (a verification waits for no database and no issuer); ``load`` restores it at start."""

    async def load(self) -> int: ...
    async def apply(self, event: StatusListPublishedV1, received_at: datetime) -> bool:
        """Keep it unless this list's snapshot in hand has the same or a higher sequence."""
        ...

    def newest(self, list_url: str) -> StatusListSnapshot | None: ...
    def lists_under(self, list_url: str) -> bool:
        """True when this ecosystem publishes lists at the URL's location (its directory)."""
        ...


class FetchError(Exception):
    """A URL could not be fetched safely (refused, too big, too slow, not there)."""


class Fetcher(Protocol):
    async def fetch(self, url: str) -> tuple[bytes, str]:
        """The body and its media type; raises FetchError."""
        ...


Json = Any
