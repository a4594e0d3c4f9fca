"""The dispatcher finds due deliveries through small pointers, not by scanning every delivery
ever made; the periodic full scan still finds one whose pointer a crash never wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_notifier.adapters.mongo_deliveries import PENDING, MongoDeliveries, _document
from microcred_notifier.domain.deliveries import Delivery, DeliveryStatus
from microcred_shared.mongo import MongoDatabase
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.integration

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def delivery(delivery_id: str, status: DeliveryStatus = DeliveryStatus.PENDING) -> Delivery:
    return Delivery(
        delivery_id=delivery_id,
        subscription_id="sub-1",
        event_id=f"event-{delivery_id}",
        event_type="credential.issued",
        origin="uni.example:443",
        payload={"type": "credential.issued"},
        created_at=NOW - timedelta(minutes=1),
        due_at=NOW - timedelta(seconds=1),
        status=status,
    )


@pytest.fixture
async def database(infra: Any) -> AsyncIterator[MongoDatabase]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    yield client[f"t{infra.run_id}_notifier_pointers"]
    await client.drop_database(f"t{infra.run_id}_notifier_pointers")
    await client.close()


async def due_ids(deliveries: MongoDeliveries) -> list[str]:
    return [d.delivery_id for d in await deliveries.due(NOW, [], limit=10)]


async def test_a_new_delivery_is_found_by_its_pointer_and_an_ended_one_is_forgotten(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database, sweep_seconds=3600)
    assert await due_ids(deliveries) == []  # the first look is the full scan

    await deliveries.add_if_absent(delivery("d-1"))
    await deliveries.add_if_absent(delivery("d-2"))
    found = await due_ids(deliveries)
    await deliveries.save(delivery("d-1", DeliveryStatus.SUCCEEDED))

    assert sorted(found) == ["d-1", "d-2"]
    assert await due_ids(deliveries) == ["d-2"]
    assert await database[PENDING].count_documents({}) == 1  # d-1's pointer removed


async def test_a_pending_delivery_without_a_pointer_waits_for_the_full_scan(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database, sweep_seconds=3600)
    assert await due_ids(deliveries) == []
    # As a crash between the two inserts leaves it: the delivery, but no pointer.
    await database["deliveries"].insert_one(_document(delivery("d-3")))

    before_sweep = await due_ids(deliveries)
    swept = await due_ids(MongoDeliveries(database, sweep_seconds=3600))  # a restart sweeps
    after = await due_ids(deliveries)

    assert before_sweep == []
    assert swept == ["d-3"]
    assert after == ["d-3"]  # the sweep wrote its pointer


async def test_a_claimed_delivery_is_due_again_only_when_its_lease_ends(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database, sweep_seconds=3600)
    assert await due_ids(deliveries) == []
    await deliveries.add_if_absent(delivery("d-4"))
    lease_ends = NOW + timedelta(seconds=30)

    claim = await deliveries.claim("d-4", NOW, lease_ends)
    while_leased = await due_ids(deliveries)
    after_lease = [d.delivery_id for d in await deliveries.due(lease_ends, [], limit=10)]

    assert claim is not None
    assert while_leased == []
    assert after_lease == ["d-4"]  # its holder crashed: another may take it over
