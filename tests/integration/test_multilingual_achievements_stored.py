"""Issue 15: an achievement's translations survive each service's MongoDB store (the catalogue's
achievements and the issuer's copy of the catalogue), the same as in the unit tests' fakes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from microcred_catalogue.adapters import mongo_achievements
from microcred_catalogue.adapters.mongo_achievements import MongoAchievements
from microcred_catalogue.service_layer.events import achievement_event
from microcred_issuer.adapters.mongo_catalogue import MongoCatalogueView
from microcred_issuer.service_layer.projections import achievement_from
from microcred_shared.mongo import MongoDatabase, ensure_indexes
from pymongo import AsyncMongoClient

from tests.unit.catalogue.test_catalogue_course_handlers import (
    course_event,
    ingest,
    world_with_provider,
)
from tests.unit.catalogue.test_catalogue_translations import trilingual

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
async def databases(infra: Any) -> AsyncIterator[tuple[MongoDatabase, MongoDatabase]]:
    """The catalogue's database and the issuer's (each service has its own)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    names = [f"t{infra.run_id}_multilingual_{uuid.uuid4().hex[:8]}_{s}" for s in ("cat", "iss")]
    try:
        yield client[names[0]], client[names[1]]
    finally:
        for name in names:
            await client.drop_database(name)
        await client.close()


async def test_the_catalogue_and_the_issuer_keep_every_translation(
    databases: tuple[MongoDatabase, MongoDatabase],
) -> None:
    catalogue_database, issuer_database = databases
    world = await world_with_provider()
    await ingest(world, course_event(**trilingual(translations={"de-CH": {"name": "SPS"}})))
    achievement = world.achievements.stored["uni-a:PLC-1"]
    [event] = world.achievements.events
    await ensure_indexes(catalogue_database, mongo_achievements.INDEXES)
    catalogue = MongoAchievements(catalogue_database)
    issuer_view = MongoCatalogueView(issuer_database)
    issuer_copy = achievement_from(event.data)

    await catalogue.save_if_newer(achievement, achievement_event(achievement))
    await issuer_view.apply_achievement(issuer_copy)

    assert await catalogue.get("uni-a:PLC-1") == achievement
    assert await issuer_view.achievement("uni-a:PLC-1") == issuer_copy
    assert issuer_copy.translations[0].language == "de-CH"
