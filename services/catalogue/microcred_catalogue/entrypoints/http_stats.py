"""Counts: employer verifications for anyone (small counts withheld), and a provider's issued
and revoked credentials for that provider and the admin."""

from typing import Annotated

from fastapi import APIRouter, Query

from ..domain.demand import SMALL_COUNT, DemandDimension, publishable
from .deps import Api, ViewerDep
from .schemas import AchievementIssuancePublic, DemandResponse, DemandRowPublic, IssuanceResponse

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


router = APIRouter(tags=["statistics"])


@router.get("/stats/demand")
async def demand(
    api: Api,
    by: DemandDimension = DemandDimension.ACHIEVEMENT,
    provider: str | None = None,
    month_from: Annotated[
        str | None, Query(alias="from", pattern=MONTH, examples=["2026-01"])
    ] = None,
    month_to: Annotated[str | None, Query(alias="to", pattern=MONTH, examples=["2026-12"])] = None,
) -> DemandResponse:
    """How often employers verified credentials, per achievement/provider/field and month
    (counts below 5 withheld as null)."""
    rows = await api.demand.counts(
        by, provider_id=provider, month_from=month_from, month_to=month_to
    )
    public = [publishable(row) for row in rows]
    return DemandResponse(
        by=by.value,
        suppressed_below=SMALL_COUNT,
        rows=[
            DemandRowPublic(
                key=r.key,
                month=r.month,
                verifications=r.verifications,
                verified=r.verified,
                suppressed=r.suppressed,
            )
            for r in public
        ],
    )


@router.get("/stats/issuance")
async def issued_and_revoked(provider: str, who: ViewerDep, api: Api) -> IssuanceResponse:
    """How many credentials you (a provider, by its API key; or the admin) have issued, and
    how many are revoked or suspended."""
    summary = await api.figures.issued_and_revoked(who, provider)
    return IssuanceResponse(
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
