"""Employer demand: each verification counted once, with no personal data kept."""

from __future__ import annotations

from datetime import UTC, datetime

from microcred_catalogue.service_layer import commands
from microcred_shared.events.contracts.verifications import VerificationPerformedV1

from tests.unit.catalogue.fakes import World


def verification() -> VerificationPerformedV1:
    return VerificationPerformedV1(
        verification_id="v-1",
        verified_at=datetime(2026, 3, 14, 9, 0, tzinfo=UTC),
        verdict="verified",
        channel="api",
        provider_id="uni-a",
        achievement_id="uni-a:PLC-1",
        isced_f_code="0714",
        eqf_level=5,
    )


async def test_a_redelivered_verification_is_counted_once() -> None:
    world = World()
    command = commands.RecordVerification("event-1", verification())

    assert await world.demand.record(command)
    assert not await world.demand.record(command)

    [record] = world.demand_repo.records.values()
    assert (record.month, record.field, record.achievement_id) == ("2026-03", "07", "uni-a:PLC-1")
