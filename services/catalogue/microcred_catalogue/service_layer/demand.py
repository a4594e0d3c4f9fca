"""Employer demand: verification events in, anonymous counts out."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.demand import DemandDimension, DemandRow, VerificationRecord, month_of
from . import commands
from .ports import DemandRepository, ProcessedEvents


@dataclass
class DemandHandlers:
    demand: DemandRepository
    inbox: ProcessedEvents

    async def record(self, command: commands.RecordVerification) -> bool:
        """Count a verification once, however often Kafka delivers it; True if counted now."""
        if await self.inbox.seen(command.event_id):
            return False
        v = command.verification
        counted = await self.demand.record(
            VerificationRecord(
                event_id=command.event_id,
                month=month_of(v.verified_at),
                verdict=v.verdict,
                achievement_id=v.achievement_id,
                provider_id=v.provider_id,
                field=v.isced_f_code[:2] if v.isced_f_code else None,
                eqf_level=v.eqf_level,
            )
        )
        await self.inbox.mark(command.event_id)
        return counted

    async def counts(
        self,
        by: DemandDimension,
        *,
        provider_id: str | None = None,
        month_from: str | None = None,
        month_to: str | None = None,
    ) -> list[DemandRow]:
        return await self.demand.counts(
            by, provider_id=provider_id, month_from=month_from, month_to=month_to
        )
