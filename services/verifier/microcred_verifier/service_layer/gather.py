"""Collecting what the checks need from the projections (and, where allowed, the network)
before the pure, synchronous verification runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from microcred_shared.crypto import DidKeyResolver, OfflineDocumentLoader

from ..domain.credential import achievement_id, issuer_id, issuer_name
from ..domain.jwt import JwtCredential
from ..domain.knowledge import AchievementFacts, Knowledge
from ..domain.model import Freshness
from .endorsement_gather import EndorserGatherer
from .issuer_keys import DidWebDocuments, IssuerKeyGatherer
from .ports import Projections
from .status_gather import StatusGatherer

KEYS = "issuer_keys"
PROVIDERS = "providers"
ACHIEVEMENTS = "achievements"


class KnowledgeGatherer:
    def __init__(
        self,
        projections: Projections,
        status: StatusGatherer,
        loader: OfflineDocumentLoader | None,
        did_web: DidWebDocuments | None = None,
    ) -> None:
        self._p = projections
        self._status = status
        self._loader = loader
        # Without a fetcher an outside did:web issuer's document cannot be had: "not checked".
        self._keys = IssuerKeyGatherer(projections, did_web or DidWebDocuments(None, 64))
        self._endorsers = EndorserGatherer(projections, self._keys, status, loader)

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
        keys_freshness = await self._p.freshness(KEYS)
        providers_freshness = await self._p.freshness(PROVIDERS)
        return Knowledge(
            resolver=keys.resolver,
            keys_freshness=keys_freshness,
            loader=self._loader,
            online=True,
            unresolved_dids=keys.unresolved_dids,
            provider=provider,
            providers_freshness=providers_freshness,
            name_taken_from=name_taken_from,
            issuer_hosted_here=keys.issuer_hosted_here,
            achievement=achievement,
            achievement_provider=owner,
            achievements_freshness=await self._p.freshness(ACHIEVEMENTS),
            pathways=pathways,
            status=await self._status.evidence(document, issuer_is_ours=keys.issuer_hosted_here),
            endorsements=await self._endorsers.gather(
                document, keys_freshness, providers_freshness
            ),
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
