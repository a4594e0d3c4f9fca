"""The issuer's credential events in, a provider's issued and revoked counts out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.demand import month_of
from ..domain.issuance import CredentialState, IssuanceSummary, IssuedRecord, StatusRecord
from . import commands
from .ports import IssuanceRepository


@dataclass
class IssuanceHandlers:
    issuance: IssuanceRepository

    async def record_issued(self, command: commands.RecordIssued) -> bool:
        """Count a credential once, however often its event is delivered; True if new."""
        return (await self.record_issued_many([command]))[0]

    async def record_issued_many(self, batch: Sequence[commands.RecordIssued]) -> list[bool]:
        """:meth:`record_issued` for many events in one write; per event, True if new."""
        return await self.issuance.record_issued_many([_issued_record(c) for c in batch])

    async def record_status(self, command: commands.RecordStatusChange) -> bool:
        """Keep the latest status of a credential: an older or repeated change has no effect."""
        c = command.change
        return await self.issuance.record_status(
            StatusRecord(
                credential_id=c.credential_id,
                provider_id=c.provider_id,
                achievement_id=c.achievement_id,
                state=CredentialState(c.status),
                sequence=c.sequence,
            )
        )

    async def summary(self, provider_id: str) -> IssuanceSummary:
        return await self.issuance.summary(provider_id)


def _issued_record(command: commands.RecordIssued) -> IssuedRecord:
    c = command.credential
    return IssuedRecord(
        credential_id=c.credential_id,
        provider_id=c.provider_id,
        achievement_id=c.achievement_id,
        kind=c.kind,
        month=month_of(c.valid_from),
    )
