"""The same contract as memory, on the MongoDB-wire database: the restart store alone, the store
the service serves from (memory written through), and that store after a restart (what one
process wrote, the next loads before it serves)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from microcred_shared.mongo import MongoDatabase, create_client, ensure_indexes
from microcred_verifier.adapters.held_projections import HeldProjections
from microcred_verifier.adapters.mongo_projections import INDEXES, MongoProjections

from tests.unit.verifier.projections_contract import ProjectionsContract

pytestmark = pytest.mark.integration

READS = (
    "provider_by_did",
    "provider_by_id",
    "provider_named",
    "achievement",
    "pathways_from",
    "keys_of",
    "status_at",
    "freshness",
)


@pytest.fixture
async def database(infra: Any) -> AsyncIterator[MongoDatabase]:
    client = create_client(infra.mongodb_uri, app_name="verifier-projection-tests")
    name = f"t{infra.run_id}_verifier_{uuid.uuid4().hex[:6]}"
    database = client[name]
    await ensure_indexes(database, INDEXES)
    try:
        yield database
    finally:
        await client.drop_database(name)
        await client.close()


class Restarted:
    """Events applied by one process; every read by a new one, loaded from the database."""

    def __init__(self, database: MongoDatabase) -> None:
        self._store = MongoProjections(database)
        self._writer = HeldProjections(self._store)

    def __getattr__(self, name: str) -> Any:
        if name in READS:

            async def read(*args: Any) -> Any:
                restarted = HeldProjections(self._store)
                await restarted.load()
                return await getattr(restarted, name)(*args)

            return read
        return getattr(self._writer, name)


class TestMongoProjections(ProjectionsContract):
    @pytest.fixture
    def projections(self, database: MongoDatabase) -> MongoProjections:
        return MongoProjections(database)


class TestHeldProjections(ProjectionsContract):
    @pytest.fixture
    def projections(self, database: MongoDatabase) -> HeldProjections:
        return HeldProjections(MongoProjections(database))


class TestHeldProjectionsAfterARestart(ProjectionsContract):
    @pytest.fixture
    def projections(self, database: MongoDatabase) -> Restarted:
        return Restarted(database)
