"""MongoDB storage of subscribers and subscriptions (all their queries live here)."""

from __future__ import annotations

from typing import Any

from microcred_shared.mongo import Document, IndexSpec, MongoCollection, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..domain.notifications import EventType
from ..domain.subscriptions import (
    Filters,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionStatus,
)
from ..service_layer.ports import SealedSecrets

SUBSCRIBERS = "subscribers"
SUBSCRIPTIONS = "subscriptions"

# One IndexSpec per index: FerretDB 1.24 drops the connection when a createIndexes command that
# names several indexes is repeated on a restart (one index per command is fine).
INDEXES = [
    IndexSpec(SUBSCRIBERS, (IndexModel([("api_key_hash", ASCENDING)], unique=True),)),
    IndexSpec(SUBSCRIPTIONS, (IndexModel([("subscriber_id", ASCENDING)]),)),
    IndexSpec(SUBSCRIPTIONS, (IndexModel([("status", ASCENDING), ("event_types", ASCENDING)]),)),
]


class MongoSubscribers:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection: MongoCollection = database[SUBSCRIBERS]

    async def add(self, subscriber: Subscriber, api_key_hash: str) -> None:
        await self._collection.insert_one(
            {
                "_id": subscriber.subscriber_id,
                "name": subscriber.name,
                "kind": subscriber.kind.value,
                "provider_ids": sorted(subscriber.provider_ids),
                "created_at": subscriber.created_at,
                "api_key_hash": api_key_hash,
            }
        )

    async def get(self, subscriber_id: str) -> Subscriber | None:
        document = await self._collection.find_one({"_id": subscriber_id})
        return _subscriber(document) if document else None

    async def by_api_key_hash(self, api_key_hash: str) -> Subscriber | None:
        if not isinstance(api_key_hash, str):  # never let an operator object reach a query
            return None
        document = await self._collection.find_one({"api_key_hash": api_key_hash})
        return _subscriber(document) if document else None


def _subscriber(document: Document) -> Subscriber:
    return Subscriber(
        subscriber_id=document["_id"],
        name=document["name"],
        kind=SubscriberKind(document["kind"]),
        provider_ids=frozenset(document.get("provider_ids") or ()),
        created_at=document.get("created_at"),
    )


class MongoSubscriptions:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection: MongoCollection = database[SUBSCRIPTIONS]

    async def add(self, subscription: Subscription, secrets: SealedSecrets) -> None:
        await self._collection.insert_one(
            {"_id": subscription.subscription_id, **_state(subscription), **_secrets(secrets)}
        )

    async def get(self, subscription_id: str) -> Subscription | None:
        document = await self._collection.find_one({"_id": subscription_id})
        return _subscription(document) if document else None

    async def save(self, subscription: Subscription) -> None:
        await self._collection.update_one(
            {"_id": subscription.subscription_id}, {"$set": _state(subscription)}
        )

    async def of_subscriber(self, subscriber_id: str) -> list[Subscription]:
        cursor = self._collection.find({"subscriber_id": subscriber_id}).sort("created_at", 1)
        return [_subscription(document) async for document in cursor]

    async def active_for(self, event_type: EventType) -> list[Subscription]:
        cursor = self._collection.find(
            {"status": SubscriptionStatus.ACTIVE.value, "event_types": event_type.value}
        )
        return [_subscription(document) async for document in cursor]

    async def secrets(self, subscription_id: str) -> SealedSecrets | None:
        document = await self._collection.find_one({"_id": subscription_id}, {"secrets": 1})
        if not document or "secrets" not in document:
            return None
        stored = document["secrets"]
        return SealedSecrets(
            current=stored["current"],
            previous=stored.get("previous"),
            previous_until=stored.get("previous_until"),
        )

    async def set_secrets(self, subscription_id: str, secrets: SealedSecrets) -> None:
        await self._collection.update_one({"_id": subscription_id}, {"$set": _secrets(secrets)})


def _state(subscription: Subscription) -> Document:
    filters = subscription.filters
    return {
        "subscriber_id": subscription.subscriber_id,
        "url": subscription.url,
        "event_types": sorted(t.value for t in subscription.event_types),
        "filters": {
            "provider_ids": sorted(filters.provider_ids),
            "achievement_ids": sorted(filters.achievement_ids),
            "isced_f_codes": sorted(filters.isced_f_codes),
            "learner_refs": sorted(filters.learner_refs),
        },
        "status": subscription.status.value,
        "status_reason": subscription.status_reason,
        "description": subscription.description,
        "created_at": subscription.created_at,
    }


def _secrets(secrets: SealedSecrets) -> Document:
    return {
        "secrets": {
            "current": secrets.current,
            "previous": secrets.previous,
            "previous_until": secrets.previous_until,
        }
    }


def _subscription(document: Document) -> Subscription:
    filters: dict[str, Any] = document.get("filters") or {}
    return Subscription(
        subscription_id=document["_id"],
        subscriber_id=document["subscriber_id"],
        url=document["url"],
        event_types=frozenset(EventType(t) for t in document["event_types"]),
        filters=Filters(
            provider_ids=frozenset(filters.get("provider_ids") or ()),
            achievement_ids=frozenset(filters.get("achievement_ids") or ()),
            isced_f_codes=frozenset(filters.get("isced_f_codes") or ()),
            learner_refs=frozenset(filters.get("learner_refs") or ()),
        ),
        status=SubscriptionStatus(document["status"]),
        status_reason=document.get("status_reason"),
        description=document.get("description"),
        created_at=document.get("created_at"),
    )
