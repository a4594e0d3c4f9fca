"""Collecting what the checks need from the projections (and, where allowed, the network)
before the pure, synchronous verification runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from microcred_shared.crypto import DidKeyResolver, OfflineDocumentLoader

from microcred_verifier.domain.credential import (
    achievement_id,
    issuer_id,
    issuer_name,
    status_entries,
)
from microcred_verifier.domain.jwt import JwtCredential
from microcred_verifier.domain.knowledge import AchievementFacts, Knowledge, StatusEvidence
from microcred_verifier.domain.model import Freshness
from microcred_verifier.domain.status_list import StatusListError, entry_index
from microcred_verifier.service_layer.intake import InputError, present_body
from microcred_verifier.service_layer.issuer_keys import DidWebDocuments, IssuerKeyGatherer
from microcred_verifier.service_layer.ports import Fetcher, FetchError, Projections

KEYS = "issuer_keys"
PROVIDERS = "providers"
ACHIEVEMENTS = "achievements"


class KnowledgeGatherer:
    def __init__(
        self,
        projections: Projections,
        fetcher: Fetcher | None,
        loader: OfflineDocumentLoader | None,
        max_depth: int,
    ) -> None:
        self._p = projections
        self._fetcher = fetcher
        self._loader = loader
        self._max_depth = max_depth
        self._keys = IssuerKeyGatherer(projections, DidWebDocuments(fetcher, max_depth))

    async def gather(self, document: Any, jwt: JwtCredential | None) -> Knowledge:
        if not isinstance(document, Mapping):
            return Knowledge(DidKeyResolver(), Freshness("did:key"), self._loader, online=True)
        issuer = issuer_id(document)
        provider = await self._p.provider_by_did(issuer) if issuer else None
        claimed_name = issuer_name(document) if provider is None else None
        name_taken_from = await self._p.provider_named(claimed_name) if claimed_name else None
        achievement = await self._achievement(achievement_id(document))
        owner = await self._p.provider_by_id(achievement.provider_id) if achievement else None
        pathways = await self._p.pathways_from(achievement.achievement_id) if achievement else []
        keys = await self._keys.gather(document, jwt, issuer)
        return Knowledge(
            resolver=keys.resolver,
            keys_freshness=await self._p.freshness(KEYS),
            loader=self._loader,
            online=True,
            unresolved_dids=keys.unresolved_dids,
            provider=provider,
            providers_freshness=await self._p.freshness(PROVIDERS),
            name_taken_from=name_taken_from,
            issuer_hosted_here=keys.issuer_hosted_here,
            achievement=achievement,
            achievement_provider=owner,
            achievements_freshness=await self._p.freshness(ACHIEVEMENTS),
            pathways=pathways,
            status=await self._statuses(document),
        )

    async def _achievement(self, credential_achievement_id: str | None) -> AchievementFacts | None:
        """By the exact id, else by its last path segment (``…/achievements/{id}``, which the
        issuer percent-encodes: catalogue ids hold a colon)."""
        if not credential_achievement_id:
            return None
        found = await self._p.achievement(credential_achievement_id)
        tail = unquote(credential_achievement_id.rstrip("/").rsplit("/", 1)[-1])
        if found is None and tail != credential_achievement_id:
            found = await self._p.achievement(tail)
        return found

    async def _statuses(self, document: Mapping[str, Any]) -> dict[int, StatusEvidence]:
        evidence: dict[int, StatusEvidence] = {}
        for index, entry in enumerate(status_entries(document)):
            if isinstance(entry, Mapping):
                evidence[index] = await self._status_of(entry)
        return evidence

    async def _status_of(self, entry: Mapping[str, Any]) -> StatusEvidence:
        url = entry.get("statusListCredential")
        if not isinstance(url, str):
            return StatusEvidence(problem="the entry names no statusListCredential")
        try:
            record = await self._p.status_at(url, entry_index(entry))
        except StatusListError as exc:
            return StatusEvidence(problem=str(exc))
        if record is not None:
            return StatusEvidence(record=record)
        if self._fetcher is None:
            return StatusEvidence(problem="no status event received and fetching is disabled")
        try:
            body, _ = await self._fetcher.fetch(url)
            listed = present_body(body, self._max_depth).document
        except (FetchError, InputError) as exc:
            return StatusEvidence(problem=f"status list not obtained: {exc}")
        return StatusEvidence(list_credential=listed, list_freshness=Freshness(f"fetched {url}"))
