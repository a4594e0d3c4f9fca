"""A provider's own figures (issued, revoked and suspended credentials, employer verifications
per month): for that provider or the admin, nobody else."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from microcred_shared.events.contracts.catalogue import AchievementV1

from ..domain.demand import DemandDimension
from ..domain.issuance import IssuanceSummary
from ..domain.providers import Provider
from ..domain.search import SearchQuery
from .demand import DemandHandlers
from .errors import Forbidden
from .issuance import IssuanceHandlers
from .providers import ProviderHandlers
from .queries import AchievementQueries

DASHBOARD_LIMIT = 500


@dataclass(frozen=True)
class Viewer:
    """Who asks: the admin (``provider_id`` None) or one provider, as authenticated."""

    provider_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.provider_id is None


ADMIN = Viewer(provider_id=None)


@dataclass(frozen=True)
class Dashboard:
    provider: Provider
    achievements: list[AchievementV1]
    issuance: IssuanceSummary
    verifications_per_month: list[tuple[str, int]]


@dataclass
class ProviderFigures:
    providers: ProviderHandlers
    queries: AchievementQueries
    issuance: IssuanceHandlers
    demand: DemandHandlers

    async def issued_and_revoked(self, viewer: Viewer, provider_id: str) -> IssuanceSummary:
        await self._viewable(viewer, provider_id)
        return await self.issuance.summary(provider_id)

    async def dashboard(self, viewer: Viewer, provider_id: str) -> Dashboard:
        provider = await self._viewable(viewer, provider_id)
        query = SearchQuery(
            provider_ids=(provider_id,), include_retired=True, limit=DASHBOARD_LIMIT
        )
        achievements = (await self.queries.search(query)).items
        rows = await self.demand.counts(DemandDimension.MONTH, provider_id=provider_id)
        per_month = Counter[str]()
        for row in rows:
            per_month[row.month or row.key or "?"] += row.verifications
        return Dashboard(
            provider=provider,
            achievements=achievements,
            issuance=await self.issuance.summary(provider_id),
            verifications_per_month=sorted(per_month.items()),
        )

    async def _viewable(self, viewer: Viewer, provider_id: str) -> Provider:
        # Refused before the look-up: another provider learns nothing, not even existence.
        if not viewer.is_admin and viewer.provider_id != provider_id:
            raise Forbidden("a provider's figures are for that provider and the admin only")
        return await self.providers.get(provider_id)
