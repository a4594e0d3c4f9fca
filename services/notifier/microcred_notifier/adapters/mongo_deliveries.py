"""MongoDB storage of webhook deliveries (with their attempt log) and of sent learner e-mails."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from microcred_shared.events import utc_now
from microcred_shared.mongo import (
    Document,
    IndexSpec,
    MongoCollection,
    MongoDatabase,
    bulk_write_in_chunks,
    delete_by_ids,
    find_by_ids,
    insert_if_absent,
    insert_many_if_absent,
)
from pymongo import ASCENDING, DESCENDING, IndexModel, UpdateOne

from ..domain.deliveries import Attempt, AttemptOutcome, Delivery, DeliveryStatus
from ..service_layer.ports import DueDelivery

DELIVERIES = "deliveries"
# One small document per pending delivery, with the moment it may next be claimed: what the
# dispatcher looks through, instead of every delivery ever made (FerretDB 1.24 answers any
# query but by _id with a scan). A delivery that ends drops its pointer; one left by a crash
# is dropped when a claim through it misses.
PENDING = "pending_deliveries"
EMAILS = "emails"
EMAILS_SENT = "emails_sent"
# How often the full scan also runs (and once at start): it finds a pending delivery whose
# pointer a crash between the two inserts never wrote. It reads every delivery ever made
# (about 2 s at 6,000 on FerretDB), so rarely.
SWEEP_SECONDS = 300.0

# One IndexSpec per index (see mongo_subscriptions.INDEXES for the FerretDB reason).
INDEXES = [
    IndexSpec(
        DELIVERIES,
        (
            IndexModel(
                [("subscription_id", ASCENDING), ("event_id", ASCENDING)],
                unique=True,
                name="one_delivery_per_subscription_and_event",
            ),
        ),
    ),
    IndexSpec(DELIVERIES, (IndexModel([("status", ASCENDING), ("due_at", ASCENDING)]),)),
    IndexSpec(
        DELIVERIES, (IndexModel([("subscription_id", ASCENDING), ("created_at", DESCENDING)]),)
    ),
]


class MongoDeliveries:
    def __init__(self, database: MongoDatabase, *, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self._collection: MongoCollection = database[DELIVERIES]
        self._pending: MongoCollection = database[PENDING]
        self._sweep_seconds = sweep_seconds
        self._last_sweep = float("-inf")

    async def add_many_if_absent(self, deliveries: Sequence[Delivery]) -> list[bool]:
        inserted = await insert_many_if_absent(
            self._collection, [_document(delivery) for delivery in deliveries]
        )
        # Inserts, not upserts: a new delivery has no pointer yet, or one a sweep wrote (just
        # as good), and FerretDB inserts ten times faster than it updates.
        await insert_many_if_absent(
            self._pending,
            [
                _pointer_document(delivery)
                for delivery, new in zip(deliveries, inserted, strict=True)
                if new and delivery.status is DeliveryStatus.PENDING
            ],
        )
        return inserted

    async def get(self, delivery_id: str) -> Delivery | None:
        document = await self._collection.find_one({"_id": delivery_id})
        return _delivery(document) if document else None

    async def due(
        self, now: datetime, busy_origins: Sequence[str], limit: int
    ) -> list[DueDelivery]:
        """Pending deliveries due now, earliest first: from the pointers, and now and then by
        the full scan (see SWEEP_SECONDS)."""
        if time.monotonic() - self._last_sweep >= self._sweep_seconds:
            self._last_sweep = time.monotonic()
            return await self._due_by_scan(now, busy_origins, limit)
        query: Document = {"due_at": {"$lte": now}}
        if busy_origins:
            query["origin"] = {"$nin": list(busy_origins)}
        cursor = self._pending.find(query).sort("due_at", ASCENDING).limit(limit)
        return [DueDelivery(pointer["_id"], pointer["origin"]) async for pointer in cursor]

    async def _due_by_scan(
        self, now: datetime, busy_origins: Sequence[str], limit: int
    ) -> list[DueDelivery]:
        # One query for a whole batch: FerretDB 1.24 (SQLite) pushes no filter but _id down, so
        # each query scans; claiming then goes by _id, which is cheap.
        query: Document = {"status": DeliveryStatus.PENDING.value, "due_at": {"$lte": now}}
        if busy_origins:
            query["origin"] = {"$nin": list(busy_origins)}
        cursor = self._collection.find(query, {"origin": 1, "due_at": 1})
        found = [document async for document in cursor.sort("due_at", ASCENDING).limit(limit)]
        # Most have their pointer already: inserting the missing ones in one command costs
        # less than updating each (an update is a read and a write on FerretDB).
        await insert_many_if_absent(self._pending, found)
        return [DueDelivery(document["_id"], document["origin"]) for document in found]

    async def pending(self, delivery_ids: Sequence[str], now: datetime) -> list[Delivery]:
        found = await find_by_ids(self._collection, delivery_ids)
        sendable: list[Delivery] = []
        stale: list[Document] = []
        for delivery_id in delivery_ids:
            document = found.get(delivery_id)
            if document is None or document["status"] != DeliveryStatus.PENDING.value:
                stale.append({"_id": delivery_id})
            elif document["due_at"] > now:  # rescheduled meanwhile: point at its new time
                stale.append(document)
            else:
                sendable.append(_delivery(document))
        await self._repoint(stale)
        return sendable

    async def _repoint(self, documents: Sequence[Document]) -> None:
        """Pointers after a look that missed: forget ended deliveries, re-time pending ones."""
        pending = [d for d in documents if d.get("status") == DeliveryStatus.PENDING.value]
        ended = [d["_id"] for d in documents if d.get("status") != DeliveryStatus.PENDING.value]
        await self._set_pointers([(d["_id"], d["origin"], d["due_at"]) for d in pending], ended)

    async def _set_pointers(
        self, due: Sequence[tuple[str, str, datetime]], ended: Sequence[str]
    ) -> None:
        """A pending delivery's pointer says when it is next due (``due``: id, origin, time); an
        ended one has none. One bulk write and one delete, whatever their number."""
        await bulk_write_in_chunks(self._pending, [_pointer_to(*pointer) for pointer in due])
        await delete_by_ids(self._pending, ended)

    async def record(self, attempted: Sequence[Delivery]) -> None:
        """The dispatcher is the single writer of dispatch state (it holds the dispatch lease),
        so each update is a plain write by _id: one bulk write for the deliveries, one for
        their pointers, whatever the batch's size."""
        if not attempted:
            return
        await bulk_write_in_chunks(
            self._collection,
            [
                UpdateOne(
                    {"_id": delivery.delivery_id},
                    {
                        "$push": {"attempts": _attempt_document(delivery.attempts[-1])},
                        "$set": _state(delivery),
                    },
                )
                for delivery in attempted
            ],
        )
        await self._repoint_after(attempted)

    async def _repoint_after(self, deliveries: Sequence[Delivery]) -> None:
        pending = [d for d in deliveries if d.status is DeliveryStatus.PENDING]
        ended = [d.delivery_id for d in deliveries if d.status is not DeliveryStatus.PENDING]
        await self._set_pointers([(d.delivery_id, d.origin, d.due_at) for d in pending], ended)

    async def set_status(self, delivery_ids: Sequence[str], status: DeliveryStatus) -> None:
        if not delivery_ids:
            return
        await bulk_write_in_chunks(
            self._collection,
            [UpdateOne({"_id": i}, {"$set": {"status": status.value}}) for i in delivery_ids],
        )
        await delete_by_ids(self._pending, delivery_ids)

    async def save(self, delivery: Delivery) -> None:
        await self._collection.update_one({"_id": delivery.delivery_id}, {"$set": _state(delivery)})
        await self._repoint_after([delivery])

    async def of_subscription(
        self, subscription_id: str, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        query: Document = {"subscription_id": subscription_id}
        if status is not None:
            query["status"] = status.value
        cursor = self._collection.find(query).sort("created_at", DESCENDING).limit(limit)
        return [_delivery(document) async for document in cursor]

    async def move(
        self,
        subscription_id: str,
        from_statuses: Collection[DeliveryStatus],
        to_status: DeliveryStatus,
        due_at: datetime | None = None,
    ) -> int:
        changes: Document = {"status": to_status.value}
        if due_at is not None:
            changes["due_at"] = due_at
        selected = {
            "subscription_id": subscription_id,
            "status": {"$in": [status.value for status in from_statuses]},
        }
        # A rare operator action (pause, resume, delete): one scan finds what moves (about
        # 12 s at 100,000 deliveries on FerretDB); the moves then go by `_id`, not by a second
        # scan (`update_many` with this filter).
        moving = [
            d
            async for d in self._collection.find(selected, {"origin": 1, "due_at": 1, "status": 1})
        ]
        await bulk_write_in_chunks(
            self._collection,
            [UpdateOne({"_id": document["_id"]}, {"$set": changes}) for document in moving],
        )
        if to_status is DeliveryStatus.PENDING:
            due = [(d["_id"], d["origin"], due_at or d["due_at"]) for d in moving]
            await self._set_pointers(due, [])
        else:
            left = [d["_id"] for d in moving if d["status"] == DeliveryStatus.PENDING.value]
            await self._set_pointers([], left)
        return len(moving)


def _pointer_to(delivery_id: str, origin: str, due_at: datetime) -> UpdateOne:
    return UpdateOne(
        {"_id": delivery_id}, {"$set": {"origin": origin, "due_at": due_at}}, upsert=True
    )


def _pointer_document(delivery: Delivery) -> Document:
    return {"_id": delivery.delivery_id, "origin": delivery.origin, "due_at": delivery.due_at}


def _state(delivery: Delivery) -> Document:
    return {
        "status": delivery.status.value,
        "due_at": delivery.due_at,
        "last_error": delivery.last_error,
        "round_start": delivery.round_start,
    }


def _document(delivery: Delivery) -> Document:
    return {
        "_id": delivery.delivery_id,
        "subscription_id": delivery.subscription_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "origin": delivery.origin,
        "payload": delivery.payload,
        "created_at": delivery.created_at,
        "trace": delivery.trace,
        "attempts": [_attempt_document(a) for a in delivery.attempts],
        **_state(delivery),
    }


def _attempt_document(attempt: Attempt) -> Document:
    outcome = attempt.outcome
    return {
        "number": attempt.number,
        "started_at": outcome.started_at,
        "latency_ms": outcome.latency_ms,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "retry_after_seconds": outcome.retry_after_seconds,
    }


def _delivery(document: Document) -> Delivery:
    attempts: list[dict[str, Any]] = document.get("attempts") or []
    return Delivery(
        delivery_id=document["_id"],
        subscription_id=document["subscription_id"],
        event_id=document["event_id"],
        event_type=document["event_type"],
        origin=document["origin"],
        payload=document["payload"],
        created_at=document["created_at"],
        due_at=document["due_at"],
        status=DeliveryStatus(document["status"]),
        attempts=tuple(
            Attempt(
                number=a["number"],
                outcome=AttemptOutcome(
                    started_at=a["started_at"],
                    latency_ms=a["latency_ms"],
                    status_code=a.get("status_code"),
                    error=a.get("error"),
                    retry_after_seconds=a.get("retry_after_seconds"),
                ),
            )
            for a in attempts
        ),
        last_error=document.get("last_error"),
        round_start=document.get("round_start", 0),
        trace=document.get("trace") or {},
    )


class MongoEmailLog:
    """Which learner e-mails were sent; keeps no address or text, only the fact.

    Claimed and sent are each an insert (`emails`, then `emails_sent`): an insert is one
    statement of a batchable kind, where marking the claim sent would be an update, which
    FerretDB applies as a read-modify-write transaction of its own, about ten times the cost."""

    def __init__(self, database: MongoDatabase) -> None:
        self._collection: MongoCollection = database[EMAILS]
        self._sent: MongoCollection = database[EMAILS_SENT]

    async def claim(self, email_id: str, credential_id: str) -> bool:
        document = {"_id": email_id, "credential_id": credential_id, "created_at": utc_now()}
        if await insert_if_absent(self._collection, document):
            return True
        if await self._sent.find_one({"_id": email_id}) is not None:
            return False
        # Claims stored before `emails_sent` existed carry their status themselves.
        earlier = await self._collection.find_one({"_id": email_id}, {"status": 1})
        return earlier is None or earlier.get("status") != "sent"

    async def mark_sent(self, email_id: str) -> None:
        await insert_if_absent(self._sent, {"_id": email_id, "sent_at": utc_now()})
