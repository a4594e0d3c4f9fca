"""Employer demand: anonymous counts of verifications."""

from typing import Annotated

from fastapi import APIRouter, Query

from ..domain.demand import DemandDimension
from ..service_layer.demand import DemandHandlers
from .schemas import DemandRowPublic, DemandStats

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def build_stats_router(handlers: DemandHandlers) -> APIRouter:
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

    return router
