"""One replica at a time dispatches: the lease is taken by one, kept while renewed, and taken
over by a standby only once its holder stopped renewing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from microcred_notifier.adapters.dispatch_lease import MongoDispatchLease
from microcred_shared.mongo import MongoDatabase
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration

LONG = timedelta(seconds=30)


@pytest.fixture
async def database(infra: Any) -> AsyncIterator[MongoDatabase]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    yield client[f"t{infra.run_id}_notifier_lease"]
    await client.drop_database(f"t{infra.run_id}_notifier_lease")
    await client.close()


async def test_one_replica_holds_the_lease_and_keeps_it_while_it_renews(
    database: MongoDatabase,
) -> None:
    first, standby = MongoDispatchLease(database), MongoDispatchLease(database)

    assert await first.hold(LONG)
    assert not await standby.hold(LONG)
    assert await first.hold(LONG)  # renewed
    assert not await standby.hold(LONG)


async def test_a_standby_takes_over_once_the_holder_stops_renewing_and_the_holder_knows(
    database: MongoDatabase,
) -> None:
    crashed, standby = MongoDispatchLease(database), MongoDispatchLease(database)
    assert await crashed.hold(timedelta(seconds=0.5))
    assert not await standby.hold(LONG)

    await asyncio.sleep(0.7)  # the holder's lease runs out unrenewed
    assert not await standby.hold(LONG)  # clears the expired lease
    taken = await standby.hold(LONG)

    assert taken
    assert not await crashed.hold(LONG)  # back from its stall, it no longer dispatches


async def test_a_released_lease_is_taken_at_once(database: MongoDatabase) -> None:
    stopping, next_one = MongoDispatchLease(database), MongoDispatchLease(database)
    assert await stopping.hold(LONG)

    await stopping.release()

    assert await next_one.hold(LONG)
