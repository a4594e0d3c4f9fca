"""The catalogue's stores keep one contract, whichever implements it: each test runs against the
MongoDB-wire database (the adapter the service runs on) and against the in-memory fake the
unit tests use, so a fake that drifts from the database fails here, not in production."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from microcred_catalogue.adapters import mongo_achievements, mongo_issuance, mongo_pathways
from microcred_catalogue.adapters.mongo_achievements import MongoAchievements
from microcred_catalogue.adapters.mongo_issuance import MongoIssuance
from microcred_catalogue.adapters.mongo_pathways import MongoPathways
from microcred_catalogue.adapters.mongo_providers import MongoProviders
from microcred_catalogue.domain.achievements import Achievement
from microcred_catalogue.domain.issuance import CredentialState, IssuedRecord, StatusRecord
from microcred_catalogue.domain.pathways import Pathway
from microcred_catalogue.domain.providers import Provider
from microcred_catalogue.service_layer.events import (
    achievement_event,
    pathway_event,
    provider_event,
)
from microcred_catalogue.service_layer.ports import (
    AchievementRepository,
    IssuanceRepository,
    PathwayRepository,
    ProviderRepository,
)
from microcred_shared.mongo import ensure_indexes
from pymongo import AsyncMongoClient

from tests.unit.catalogue.fakes import FakeAchievements, FakeIssuance, FakePathways, FakeProviders
from tests.unit.catalogue.test_catalogue_pathway_handlers import save, world_with_courses

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

LATER = timedelta(minutes=5)


@dataclass(frozen=True)
class Stores:
    providers: ProviderRepository
    achievements: AchievementRepository
    pathways: PathwayRepository
    issuance: IssuanceRepository


@dataclass(frozen=True)
class Examples:
    """Domain objects as the handlers make them (built on the unit tests' fakes)."""

    provider: Provider
    achievements: list[Achievement]
    pathway: Pathway


@pytest.fixture(params=["mongodb", "fake"])
async def stores(request: pytest.FixtureRequest, infra: Any) -> AsyncIterator[Stores]:
    if request.param == "fake":
        yield Stores(FakeProviders(), FakeAchievements(), FakePathways(), FakeIssuance())
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_catalogue_contracts_{uuid.uuid4().hex[:8]}"
    database = client[name]
    indexes = [*mongo_achievements.INDEXES, *mongo_pathways.INDEXES, *mongo_issuance.INDEXES]
    await ensure_indexes(database, indexes)
    try:
        yield Stores(
            MongoProviders(database),
            MongoAchievements(database),
            MongoPathways(database),
            MongoIssuance(database),
        )
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
async def examples() -> Examples:
    world = await world_with_courses()
    pathway = await world.pathways.save(save("uni"))
    provider = await world.providers.get("uni")
    found = await world.achievements.many(["uni:math", "uni:cert", "vet:plc", "academy:cad"])
    assert provider is not None
    return Examples(provider, list(found.values()), pathway)


async def test_a_provider_is_added_once_and_replaced_only_from_the_version_before(
    stores: Stores, examples: Examples
) -> None:
    provider = examples.provider
    changed = provider.changed(provider.updated_at + LATER, name="University of Examples")

    added = await stores.providers.add(provider, provider_event(provider))
    added_again = await stores.providers.add(provider, provider_event(provider))
    replaced = await stores.providers.replace(changed, provider_event(changed))
    stale = provider.changed(provider.updated_at + LATER, name="Stale")
    replaced_stale = await stores.providers.replace(stale, provider_event(stale))

    assert (added, added_again, replaced, replaced_stale) == (True, False, True, False)
    assert await stores.providers.get(provider.provider_id) == changed
    assert await stores.providers.get("nobody") is None
    assert [p.provider_id for p in await stores.providers.list()] == [provider.provider_id]


async def test_an_achievement_is_kept_only_when_newer_than_the_stored_version(
    stores: Stores, examples: Examples
) -> None:
    first = examples.achievements[0]
    newer = replace(first, version=first.version + 1, updated_at=first.updated_at + LATER)

    kept = [
        await stores.achievements.save_if_newer(first, achievement_event(first)),
        await stores.achievements.save_if_newer(first, achievement_event(first)),
        await stores.achievements.save_if_newer(newer, achievement_event(newer)),
        await stores.achievements.save_if_newer(first, achievement_event(first)),
    ]

    assert kept == [True, False, True, False]
    assert await stores.achievements.get(first.achievement_id) == newer
    assert await stores.achievements.get("nobody:x") is None


async def test_many_achievements_are_read_by_id_and_unknown_ids_left_out(
    stores: Stores, examples: Examples
) -> None:
    for achievement in examples.achievements:
        await stores.achievements.save_if_newer(achievement, achievement_event(achievement))
    wanted = [a.achievement_id for a in examples.achievements[:2]]

    found = await stores.achievements.many([*wanted, "nobody:x"])

    assert found == {a.achievement_id: a for a in examples.achievements[:2]}


async def test_a_pathway_is_found_by_a_component_or_its_target_while_active(
    stores: Stores, examples: Examples
) -> None:
    pathway = examples.pathway
    retired = pathway.revised(pathway.updated_at + LATER, status="retired")

    added = await stores.pathways.add(pathway, pathway_event(pathway))
    added_again = await stores.pathways.add(pathway, pathway_event(pathway))
    by_component = await stores.pathways.involving(["vet:plc"])
    by_target = await stores.pathways.involving([pathway.target_achievement_id])
    unrelated = await stores.pathways.involving(["nobody:x"])
    replaced = await stores.pathways.replace(retired, pathway_event(retired))
    replaced_again = await stores.pathways.replace(retired, pathway_event(retired))

    assert (added, added_again, replaced, replaced_again) == (True, False, True, False)
    assert by_component == [pathway]
    assert by_target == [pathway]
    assert unrelated == []
    assert await stores.pathways.involving(["vet:plc"]) == []
    assert await stores.pathways.get(pathway.pathway_id) == retired


def issued(credential_id: str, achievement_id: str = "uni:math") -> IssuedRecord:
    return IssuedRecord(credential_id, "uni", achievement_id, "completion", "2026-05")


def status(credential_id: str, state: CredentialState, sequence: int) -> StatusRecord:
    return StatusRecord(credential_id, "uni", "uni:math", state, sequence)


async def test_issued_credentials_and_their_latest_status_are_each_counted_once(
    stores: Stores,
) -> None:
    kept = await stores.issuance.record_issued_many(
        [issued("c-1"), issued("c-2"), issued("c-3", "uni:cert"), issued("c-1")]
    )
    kept_again = await stores.issuance.record_issued_many([issued("c-2")])
    statuses = [
        await stores.issuance.record_status(status("c-1", CredentialState.SUSPENDED, 1)),
        await stores.issuance.record_status(status("c-1", CredentialState.REVOKED, 2)),
        await stores.issuance.record_status(status("c-1", CredentialState.ACTIVE, 1)),
        await stores.issuance.record_status(status("c-2", CredentialState.SUSPENDED, 1)),
    ]

    summary = await stores.issuance.summary("uni")

    assert kept == [True, True, True, False]
    assert kept_again == [False]
    assert statuses == [True, True, False, True]
    assert (summary.issued, summary.revoked, summary.suspended) == (3, 1, 1)
    assert {row.achievement_id: row.issued for row in summary.by_achievement} == {
        "uni:math": 2,
        "uni:cert": 1,
    }
    assert (await stores.issuance.summary("nobody")).issued == 0
