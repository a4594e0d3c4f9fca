"""A provider's issued and revoked counts from the issuer's events: each fact counted once."""

from __future__ import annotations

from datetime import UTC, datetime

from microcred_catalogue.service_layer import commands
from microcred_shared.events.contracts.credentials import (
    CredentialIssuedV2,
    CredentialLinks,
    CredentialStatusChangedV1,
)

from tests.unit.catalogue.fakes import World


def issued(credential_id: str, achievement_id: str = "uni:math") -> commands.RecordIssued:
    return commands.RecordIssued(
        CredentialIssuedV2(
            credential_id=credential_id,
            kind="completion",
            learner_ref="sha256$abc",
            provider_id="uni",
            issuer_did="did:web:issuer.example:providers:uni",
            achievement_id=achievement_id,
            achievement_name="Maths",
            valid_from=datetime(2026, 5, 2, tzinfo=UTC),
            links=CredentialLinks(json_url="https://i/c.json", page_url="https://i/c"),
        )
    )


def status(
    credential_id: str, state: str, sequence: int, achievement_id: str = "uni:math"
) -> commands.RecordStatusChange:
    return commands.RecordStatusChange(
        CredentialStatusChangedV1(
            credential_id=credential_id,
            provider_id="uni",
            achievement_id=achievement_id,
            learner_ref="sha256$abc",
            status=state,  # type: ignore[arg-type]
            status_list_credential="https://i/status/1",
            status_list_index=7,
            status_purpose="suspension" if state == "suspended" else "revocation",
            sequence=sequence,
            changed_at=datetime(2026, 5, 3, tzinfo=UTC),
        )
    )


async def test_a_redelivered_issuance_is_counted_once() -> None:
    world = World()

    assert await world.issuance.record_issued(issued("c-1"))
    assert not await world.issuance.record_issued(issued("c-1"))
    await world.issuance.record_issued(issued("c-2", "uni:cert"))

    summary = await world.issuance.summary("uni")
    assert (summary.issued, summary.revoked) == (2, 0)
    assert summary.of("uni:math").issued == 1
    assert summary.of("uni:cert").issued == 1
    assert (await world.issuance.summary("vet")).issued == 0


async def test_the_latest_status_counts_whatever_order_the_changes_arrive_in() -> None:
    world = World()
    for credential_id in ("c-1", "c-2", "c-3"):
        await world.issuance.record_issued(issued(credential_id))

    await world.issuance.record_status(status("c-1", "revoked", 2))
    stale = await world.issuance.record_status(status("c-1", "suspended", 1))
    await world.issuance.record_status(status("c-2", "suspended", 1))
    await world.issuance.record_status(status("c-3", "suspended", 1))
    await world.issuance.record_status(status("c-3", "active", 2))  # reinstated

    summary = await world.issuance.summary("uni")
    assert not stale
    assert (summary.issued, summary.revoked, summary.suspended) == (3, 1, 1)


async def test_a_revocation_seen_before_its_issuance_still_counts_for_its_achievement() -> None:
    world = World()

    await world.issuance.record_status(status("c-9", "revoked", 1, "uni:cert"))
    summary = await world.issuance.summary("uni")

    assert summary.of("uni:cert").revoked == 1
    assert summary.of("uni:cert").issued == 0
