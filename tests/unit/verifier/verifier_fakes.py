"""In-memory stand-ins for the verifier's outside world: its projections and its fetcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from microcred_shared.crypto import ResolvedKey
from microcred_verifier.domain.knowledge import (
    AchievementFacts,
    PathwayFacts,
    ProviderFacts,
    StatusRecord,
)
from microcred_verifier.domain.model import Freshness
from microcred_verifier.service_layer.ports import FetchError


@dataclass
class MemoryProjections:
    """The read side of the verifier's projections, from plain dictionaries (empty by default:
    nothing received yet)."""

    providers: list[ProviderFacts] = field(default_factory=list)
    keys: dict[str, list[ResolvedKey]] = field(default_factory=dict)
    received_at: datetime | None = None

    async def provider_by_did(self, did: str) -> ProviderFacts | None:
        return next((p for p in self.providers if did in p.issuer_dids), None)

    async def provider_by_id(self, provider_id: str) -> ProviderFacts | None:
        return next((p for p in self.providers if p.provider_id == provider_id), None)

    async def provider_named(self, name: str) -> ProviderFacts | None:
        return next((p for p in self.providers if p.name.casefold() == name.casefold()), None)

    async def achievement(self, achievement_id: str) -> AchievementFacts | None:
        return None

    async def pathways_from(self, achievement_id: str) -> list[PathwayFacts]:
        return []

    async def keys_of(self, controller: str) -> list[ResolvedKey]:
        return self.keys.get(controller, [])

    async def status_at(self, list_url: str, index: int) -> StatusRecord | None:
        return None

    async def freshness(self, projection: str) -> Freshness:
        return Freshness(projection, self.received_at)


@dataclass
class ScriptedFetcher:
    """Answers each URL from ``bodies``; any other URL fails as an unreachable host would."""

    bodies: dict[str, bytes] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def fetch(self, url: str) -> tuple[bytes, str]:
        self.asked.append(url)
        if url not in self.bodies:
            raise FetchError(f"cannot fetch {url}: ConnectError")
        return self.bodies[url], "application/did+json"
