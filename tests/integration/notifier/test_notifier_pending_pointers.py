"""The dispatcher finds due deliveries through small pointers, not by scanning every delivery
ever made: every pending delivery has one (written first), ended deliveries are recorded by an
insert beside the delivery, and deliveries an earlier version left without a pointer are pointed
at once per database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_notifier.adapters.mongo_deliveries import (
    ENDINGS,
    ORPHAN_SECONDS,
    PENDING,
    MongoDeliveries,
    _document,
)
from microcred_notifier.domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus
from microcred_notifier.domain.retries import RetrySchedule
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
    deliveries = MongoDeliveries(database)
    assert await due_ids(deliveries) == []

    await deliveries.add_many_if_absent([delivery("d-1")])
    await deliveries.add_many_if_absent([delivery("d-2")])
    found = await due_ids(deliveries)
    await deliveries.save(delivery("d-1", DeliveryStatus.SUCCEEDED))

    assert sorted(found) == ["d-1", "d-2"]
    assert await due_ids(deliveries) == ["d-2"]
    assert await database[PENDING].count_documents({}) == 1  # d-1's pointer removed


async def test_deliveries_an_earlier_version_left_without_a_pointer_are_pointed_at_once(
    database: MongoDatabase,
) -> None:
    # As a crash between the two inserts of an earlier version (delivery, then pointer) left it.
    await database["deliveries"].insert_one(_document(delivery("d-3")))

    first_look = await due_ids(MongoDeliveries(database))
    await database["deliveries"].insert_one(_document(delivery("d-3b")))
    after_a_restart = await due_ids(MongoDeliveries(database))

    assert first_look == ["d-3"]
    # Once per database: since pointers come first, no delivery can lack one any more, and
    # no look scans the deliveries again.
    assert after_a_restart == ["d-3"]


async def test_a_pointer_whose_delivery_is_not_stored_yet_is_kept_until_it_is_an_orphan(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database)
    assert await due_ids(deliveries) == []
    # The fan-out writes the pointer first; this one's delivery insert never came.
    pointer = {"_id": "d-orphan", "origin": "uni.example:443", "due_at": NOW - timedelta(seconds=1)}
    await database[PENDING].insert_one(pointer)

    taken_at_once = await deliveries.pending(["d-orphan"], NOW)
    kept = await database[PENDING].count_documents({})
    later = NOW + timedelta(seconds=ORPHAN_SECONDS + 1)
    taken_later = await deliveries.pending(["d-orphan"], later)

    assert (taken_at_once, kept) == ([], 1)
    assert taken_later == []
    assert await database[PENDING].count_documents({}) == 0


async def test_an_ended_delivery_reads_as_ended_everywhere_and_a_redelivery_reopens_it(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database)
    await deliveries.add_many_if_absent([delivery("e-1"), delivery("e-2")])
    taken = await deliveries.pending(["e-1", "e-2"], NOW)
    accepted = AttemptOutcome(started_at=NOW, latency_ms=3.0, status_code=204)
    await deliveries.record([taken[0].after_attempt(accepted, RetrySchedule())])

    ended = await deliveries.get("e-1")
    delivered = await deliveries.of_subscription("sub-1", DeliveryStatus.SUCCEEDED, 10)
    still_pending = await deliveries.of_subscription("sub-1", DeliveryStatus.PENDING, 10)
    held = await deliveries.move("sub-1", [DeliveryStatus.PENDING], DeliveryStatus.HELD)
    assert ended is not None
    assert (ended.status, [a.outcome.status_code for a in ended.attempts]) == (
        DeliveryStatus.SUCCEEDED,
        [204],
    )
    assert [d.delivery_id for d in delivered] == ["e-1"]
    assert [d.delivery_id for d in still_pending] == ["e-2"]
    assert held == 1  # e-2 only: e-1 ended
    assert await database[ENDINGS].count_documents({}) == 1

    # An operator sends it again (the redeliver endpoint): pending, both attempts kept.
    await deliveries.save(ended.redelivered(NOW))
    reopened = await deliveries.get("e-1")
    assert reopened is not None
    assert reopened.status is DeliveryStatus.PENDING
    assert await due_ids(deliveries) == ["e-1"]
    again = (await deliveries.pending(["e-1"], NOW))[0].after_attempt(accepted, RetrySchedule())
    await deliveries.record([again])
    final = await deliveries.get("e-1")
    assert final is not None
    assert final.status is DeliveryStatus.SUCCEEDED
    assert [a.number for a in final.attempts] == [1, 2]


async def test_a_recorded_batch_moves_each_pointer_to_its_next_due_time_or_drops_it(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database)
    assert await due_ids(deliveries) == []
    for name in ("d-4", "d-5", "d-6"):
        await deliveries.add_many_if_absent([delivery(name)])
    taken = await deliveries.pending(["d-4", "d-5", "d-6"], NOW)
    outcome = AttemptOutcome(started_at=NOW, latency_ms=3.0, status_code=503)
    retry_at = NOW + timedelta(seconds=30)
    retried = replace(taken[0].after_attempt(outcome, RetrySchedule()), due_at=retry_at)
    accepted = taken[1].after_attempt(
        AttemptOutcome(started_at=NOW, latency_ms=3.0, status_code=204), RetrySchedule()
    )

    await deliveries.record([retried, accepted])

    assert [d.delivery_id for d in taken] == ["d-4", "d-5", "d-6"]
    assert await due_ids(deliveries) == ["d-6"]
    assert sorted(d.delivery_id for d in await deliveries.due(retry_at, [], 10)) == ["d-4", "d-6"]
    retried_stored, accepted_stored = await deliveries.get("d-4"), await deliveries.get("d-5")
    assert retried_stored is not None
    assert retried_stored.attempts[-1].outcome.status_code == 503
    assert accepted_stored is not None
    assert accepted_stored.status is DeliveryStatus.SUCCEEDED


async def test_taking_a_delivery_that_ended_or_moved_later_drops_or_retimes_its_pointer(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database)
    assert await due_ids(deliveries) == []
    await deliveries.add_many_if_absent([delivery("d-7")])
    await deliveries.add_many_if_absent([delivery("d-8")])
    later = NOW + timedelta(minutes=5)
    # Changed behind the pointers' back, as an operator's action can.
    await database["deliveries"].update_one({"_id": "d-7"}, {"$set": {"status": "cancelled"}})
    await database["deliveries"].update_one({"_id": "d-8"}, {"$set": {"due_at": later}})

    taken = await deliveries.pending(["d-7", "d-8", "never-stored"], NOW)

    assert taken == []
    assert await due_ids(deliveries) == []
    assert [d.delivery_id for d in await deliveries.due(later, [], 10)] == ["d-8"]
    assert await database[PENDING].count_documents({}) == 1


async def test_a_batch_of_hundreds_of_outcomes_is_recorded_whole(database: MongoDatabase) -> None:
    # FerretDB 1.24 never answered an update command of 100 statements or more (each holds a
    # connection of a pool of 100 until the command ends): such a batch hung the dispatcher.
    deliveries = MongoDeliveries(database)
    names = [f"many-{n:03d}" for n in range(250)]
    for name in names:
        await deliveries.add_many_if_absent([delivery(name)])
    accepted = AttemptOutcome(started_at=NOW, latency_ms=3.0, status_code=204)
    taken = await deliveries.pending(names, NOW)

    # The bound is on a hang, the bug's symptom, not on speed.
    async with asyncio.timeout(120):
        await deliveries.record([d.after_attempt(accepted, RetrySchedule()) for d in taken])

    assert len(taken) == 250
    stored = await deliveries.of_subscription("sub-1", DeliveryStatus.SUCCEEDED, 1000)
    assert sorted(d.delivery_id for d in stored) == names
    assert await database[PENDING].count_documents({}) == 0


async def test_moving_a_subscriptions_deliveries_moves_every_status_asked_for_and_their_pointers(
    database: MongoDatabase,
) -> None:
    deliveries = MongoDeliveries(database)
    await deliveries.add_many_if_absent(
        [
            delivery("m-pending"),
            delivery("m-held", DeliveryStatus.HELD),
            delivery("m-done", DeliveryStatus.SUCCEEDED),
        ]
    )
    assert await due_ids(deliveries) == ["m-pending"]

    held = await deliveries.move("sub-1", [DeliveryStatus.PENDING], DeliveryStatus.HELD)
    assert (held, await due_ids(deliveries)) == (1, [])
    resumed = await deliveries.move("sub-1", [DeliveryStatus.HELD], DeliveryStatus.PENDING, NOW)
    assert (resumed, sorted(await due_ids(deliveries))) == (2, ["m-held", "m-pending"])
    await deliveries.move("sub-1", [DeliveryStatus.HELD], DeliveryStatus.HELD)  # nothing held
    await deliveries.save(replace(delivery("m-held"), status=DeliveryStatus.HELD))

    cancelled = await deliveries.move(
        "sub-1", [DeliveryStatus.PENDING, DeliveryStatus.HELD], DeliveryStatus.CANCELLED
    )
    statuses = {d.delivery_id: d.status for d in await deliveries.of_subscription("sub-1", None, 9)}
    assert cancelled == 2
    assert statuses == {
        "m-pending": DeliveryStatus.CANCELLED,
        "m-held": DeliveryStatus.CANCELLED,
        "m-done": DeliveryStatus.SUCCEEDED,
    }
    assert await due_ids(deliveries) == []
    assert await database[PENDING].count_documents({}) == 0
