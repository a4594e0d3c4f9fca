"""The notifier's subscriber and subscription stores keep one contract, whichever implements
it: each test runs against the MongoDB-wire database (the adapter the service runs on) and
against the in-memory fake the unit tests use, as the issuer's and the catalogue's stores do.
(The deliveries store is left to the dispatcher's own tests.)"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_notifier.adapters import mongo_subscriptions
from microcred_notifier.adapters.mongo_subscriptions import MongoSubscribers, MongoSubscriptions
from microcred_notifier.domain.notifications import EventType
from microcred_notifier.domain.subscriptions import (
    Filters,
    Subscriber,
    SubscriberKind,
    Subscription,
)
from microcred_notifier.service_layer.ports import (
    SealedSecrets,
    SubscriberRepository,
    SubscriptionRepository,
)
from microcred_shared.mongo import ensure_indexes
from pymongo import AsyncMongoClient

from tests.unit.notifier.fakes import FakeSubscribers, FakeSubscriptions

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Stores:
    subscribers: SubscriberRepository
    subscriptions: SubscriptionRepository


@pytest.fixture(params=["mongodb", "fake"])
async def stores(request: pytest.FixtureRequest, infra: Any) -> AsyncIterator[Stores]:
    if request.param == "fake":
        yield Stores(FakeSubscribers(), FakeSubscriptions())
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_notifier_contracts_{uuid.uuid4().hex[:8]}"
    database = client[name]
    await ensure_indexes(database, mongo_subscriptions.INDEXES)
    try:
        yield Stores(MongoSubscribers(database), MongoSubscriptions(database))
    finally:
        await client.drop_database(name)
        await client.close()


def subscriber(subscriber_id: str = "sbr_1") -> Subscriber:
    return Subscriber(
        subscriber_id, "JKU registry", SubscriberKind.UNIVERSITY, frozenset({"uni"}), NOW
    )


def subscription(subscription_id: str, *types: EventType, minutes: int = 0) -> Subscription:
    return Subscription(
        subscription_id=subscription_id,
        subscriber_id="sbr_1",
        url=f"https://registry.example/{subscription_id}",
        event_types=frozenset(types),
        filters=Filters(provider_ids=frozenset({"uni"}), isced_f_codes=frozenset({"07"})),
        description="credits",
        created_at=NOW + timedelta(minutes=minutes),
    )


async def test_a_subscriber_is_found_by_id_and_by_its_api_key_hash(stores: Stores) -> None:
    await stores.subscribers.add(subscriber(), "hash-1")

    assert await stores.subscribers.get("sbr_1") == subscriber()
    assert await stores.subscribers.by_api_key_hash("hash-1") == subscriber()
    assert await stores.subscribers.by_api_key_hash("hash-2") is None
    assert await stores.subscribers.get("sbr_2") is None


async def test_a_subscription_reads_back_as_stored_and_lists_under_its_subscriber(
    stores: Stores,
) -> None:
    first = subscription("sub_1", EventType.CREDENTIAL_ISSUED)
    second = subscription("sub_2", EventType.CREDENTIAL_REVOKED, minutes=1)
    await stores.subscriptions.add(first, SealedSecrets(current="sealed-1"))
    await stores.subscriptions.add(second, SealedSecrets(current="sealed-2"))

    assert await stores.subscriptions.get("sub_1") == first
    assert await stores.subscriptions.get("sub_9") is None
    listed = await stores.subscriptions.of_subscriber("sbr_1")
    assert sorted(listed, key=lambda s: s.subscription_id) == [first, second]
    assert await stores.subscriptions.of_subscriber("sbr_9") == []


async def test_only_active_subscriptions_for_an_event_type_are_wanted(stores: Stores) -> None:
    issued = subscription("sub_1", EventType.CREDENTIAL_ISSUED, EventType.CREDENTIAL_STACKED)
    paused = subscription("sub_2", EventType.CREDENTIAL_ISSUED).paused()
    revoked = subscription("sub_3", EventType.CREDENTIAL_REVOKED)
    for each in (issued, paused, revoked):
        await stores.subscriptions.add(each, SealedSecrets(current="sealed"))

    wanted = await stores.subscriptions.active_for(EventType.CREDENTIAL_ISSUED)
    await stores.subscriptions.save(issued.paused())
    wanted_after_pause = await stores.subscriptions.active_for(EventType.CREDENTIAL_ISSUED)
    await stores.subscriptions.save(paused.resumed())

    assert wanted == [issued]
    assert wanted_after_pause == []
    assert await stores.subscriptions.active_for(EventType.CREDENTIAL_ISSUED) == [paused.resumed()]
    assert await stores.subscriptions.get("sub_1") == issued.paused()


async def test_a_rotated_secret_keeps_the_previous_one_until_its_time(stores: Stores) -> None:
    await stores.subscriptions.add(
        subscription("sub_1", EventType.CREDENTIAL_ISSUED), SealedSecrets(current="sealed-1")
    )
    rotated = SealedSecrets(current="sealed-2", previous="sealed-1", previous_until=NOW)

    before = await stores.subscriptions.secrets("sub_1")
    await stores.subscriptions.set_secrets("sub_1", rotated)

    assert before == SealedSecrets(current="sealed-1")
    assert await stores.subscriptions.secrets("sub_1") == rotated
    assert await stores.subscriptions.secrets("sub_9") is None
