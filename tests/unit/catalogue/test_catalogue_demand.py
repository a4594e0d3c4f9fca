"""Employer demand: each verification counted once, with no personal data kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from microcred_catalogue.domain.demand import DemandRow, publishable
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


@pytest.mark.parametrize(
    ("verifications", "verified", "shown"),
    [
        (1, 1, (None, None)),
        (4, 4, (None, None)),  # below 5: the whole row withheld
        (5, 5, (5, 5)),  # all verified: nothing small to give away
        (12, 9, (12, None)),  # 3 not verified would follow from 12 - 9
        (12, 3, (12, None)),  # 3 verified
        (12, 0, (12, None)),
        (12, 7, (12, 7)),  # 7 verified, 5 not: both at least 5
    ],
)
def test_public_demand_counts_below_five_are_withheld(
    verifications: int, verified: int, shown: tuple[int | None, int | None]
) -> None:
    row = publishable(DemandRow("uni-a:PLC-1", "2026-03", verifications, verified))
    assert (row.verifications, row.verified) == shown
    assert row.suppressed == (shown != (verifications, verified))
    assert (row.key, row.month) == ("uni-a:PLC-1", "2026-03")
