"""Anonymous counts: employer verifications, and a provider's issued and revoked credentials."""

from typing import Annotated

from fastapi import APIRouter, Query

from ..domain.demand import DemandDimension
from ..service_layer.demand import DemandHandlers
from ..service_layer.issuance import IssuanceHandlers
from ..service_layer.providers import ProviderHandlers
from .auth import run
from .schemas import AchievementIssuancePublic, DemandRowPublic, DemandStats, IssuanceStats

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def build_stats_router(
    handlers: DemandHandlers, issuance: IssuanceHandlers, providers: ProviderHandlers
) -> APIRouter:
    router = APIRouter(tags=["statistics"])

    @router.get("/stats/demand")
    async def demand(
        by: DemandDimension = DemandDimension.ACHIEVEMENT,
        provider: str | None = None,
        month_from: Annotated[
            str | None, Query(alias="from", pattern=MONTH, examples=["2026-01"])
        ] = None,
        month_to: Annotated[
            str | None, Query(alias="to", pattern=MONTH, examples=["2026-12"])
        ] = None,
    ) -> DemandStats:
        """How often employers verified credentials, per achievement/provider/field and month."""
        rows = await handlers.counts(
            by, provider_id=provider, month_from=month_from, month_to=month_to
        )
        return DemandStats(
            by=by.value,
            rows=[
                DemandRowPublic(
                    key=r.key, month=r.month, verifications=r.verifications, verified=r.verified
                )
                for r in rows
            ],
        )

    @router.get("/stats/issuance")
    async def issued_and_revoked(provider: str) -> IssuanceStats:
        """How many credentials a provider has issued, and how many are revoked or suspended."""
        await run(providers.get(provider))  # an unknown provider is a 404, not zero counts
        summary = await issuance.summary(provider)
        return IssuanceStats(
            provider_id=provider,
            issued=summary.issued,
            revoked=summary.revoked,
            suspended=summary.suspended,
            by_achievement=[
                AchievementIssuancePublic(
                    achievement_id=row.achievement_id,
                    issued=row.issued,
                    revoked=row.revoked,
                    suspended=row.suspended,
                )
                for row in summary.by_achievement
            ],
        )

    return router
