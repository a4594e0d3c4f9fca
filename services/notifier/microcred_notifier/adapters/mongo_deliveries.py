"""MongoDB storage of webhook deliveries (with their attempt log) and of sent learner e-mails."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

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
from pymongo.asynchronous.cursor import AsyncCursor

from ..domain.deliveries import Attempt, AttemptOutcome, Delivery, DeliveryStatus
from ..service_layer.ports import DueDelivery

DELIVERIES = "deliveries"
# One small document per pending delivery, with the moment it may next be claimed: what the
# dispatcher looks through, instead of every delivery ever made. Written before a delivery
# becomes pending (stored, resumed, sent again) and removed only after it stops being pending,
# so every pending delivery has one and no scan of the deliveries is ever needed to find work.
PENDING = "pending_deliveries"
# How a delivery ended (delivered, dead), with its last attempt: an insert beside the stored
# delivery rather than an update of it. On FerretDB 1.24 an update is a read, decode, re-encode
# and write of the whole document in a transaction of its own (measured: 1,000 updates 0.6 s,
# 1,000 inserts 0.02 s), and nearly every delivery ends at its first attempt. A delivery's
# state is the stored document overlaid with its ending, if it has one.
ENDINGS = "delivery_endings"
# Which one-time steps this database has had: `POINTED` once every pending delivery stored
# before pointers came first (an earlier version wrote the delivery, then its pointer) has one.
STORE_STEPS = "delivery_store_steps"
POINTED = "every_pending_delivery_pointed"
EMAILS = "emails"
EMAILS_SENT = "emails_sent"
# A pointer is written before its delivery: one whose delivery is still absent this long after
# it fell due belongs to a fan-out that stopped between the two (its event is consumed again
# and points anew), and is dropped. Younger ones are left for the insert under way.
ORPHAN_SECONDS = 60.0
ENDED = frozenset({DeliveryStatus.SUCCEEDED, DeliveryStatus.DEAD})

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
    def __init__(self, database: MongoDatabase) -> None:
        self._collection: MongoCollection = database[DELIVERIES]
        self._pending: MongoCollection = database[PENDING]
        self._endings: MongoCollection = database[ENDINGS]
        self._steps: MongoCollection = database[STORE_STEPS]
        self._pointed = False

    async def add_many_if_absent(self, deliveries: Sequence[Delivery]) -> list[bool]:
        # Pointers first (see PENDING). Inserts, not upserts: a redelivered event's pointer is
        # there already or points at a delivery that is no longer pending, which the first look
        # through it drops; FerretDB inserts ten times faster than it updates.
        await insert_many_if_absent(
            self._pending,
            [_pointer_document(d) for d in deliveries if d.status is DeliveryStatus.PENDING],
        )
        return await insert_many_if_absent(self._collection, [_document(d) for d in deliveries])

    async def get(self, delivery_id: str) -> Delivery | None:
        document = await self._collection.find_one({"_id": delivery_id})
        if document is None:
            return None
        return _delivery(document, await self._endings.find_one({"_id": delivery_id}))

    async def due(
        self, now: datetime, busy_origins: Sequence[str], limit: int
    ) -> list[DueDelivery]:
        """Pending deliveries due now, in about the order they were stored. Not sorted by due
        time: FerretDB sorts by reading the whole collection (0.85 s at 50,000 pointers, the
        backlog a burst leaves), while a filtered query with a limit stops at the limit (0.04 s).
        A retry keeps its pointer's place, so the longest-waiting come first all the same."""
        await self._point_at_unpointed()
        query: Document = {"due_at": {"$lte": now}}
        if busy_origins:
            query["origin"] = {"$nin": list(busy_origins)}
        cursor = self._pending.find(query).limit(limit)
        return [DueDelivery(pointer["_id"], pointer["origin"]) async for pointer in cursor]

    async def _point_at_unpointed(self) -> None:
        """Once per database: point at the pending deliveries an earlier version may have left
        without a pointer (it wrote them first), by one scan of the deliveries."""
        if self._pointed:
            return
        if await self._steps.find_one({"_id": POINTED}) is None:
            query: Document = {"status": DeliveryStatus.PENDING.value}
            cursor = self._collection.find(query, {"origin": 1, "due_at": 1})
            await insert_many_if_absent(self._pending, [d async for d in cursor])
            await insert_if_absent(self._steps, {"_id": POINTED, "at": utc_now()})
        self._pointed = True

    async def pending(self, delivery_ids: Sequence[str], now: datetime) -> list[Delivery]:
        stored = await self._overlaid(delivery_ids)
        sendable: list[Delivery] = []
        stale: list[Delivery] = []
        absent: list[str] = []
        for delivery_id in delivery_ids:
            delivery = stored.get(delivery_id)
            if delivery is None:
                absent.append(delivery_id)
            elif delivery.status is not DeliveryStatus.PENDING or delivery.due_at > now:
                stale.append(delivery)  # ended, moved or rescheduled meanwhile
            else:
                sendable.append(delivery)
        await self._repoint_after(stale)
        await self._drop_orphans(absent, now)
        return sendable

    async def _drop_orphans(self, delivery_ids: Sequence[str], now: datetime) -> None:
        if not delivery_ids:
            return
        since = now - timedelta(seconds=ORPHAN_SECONDS)
        await delete_by_ids(self._pending, delivery_ids, {"due_at": {"$lt": since}})

    async def _overlaid(self, delivery_ids: Collection[str]) -> dict[str, Delivery]:
        """The deliveries of ``delivery_ids`` that are stored, each with its ending if any."""
        documents = await find_by_ids(self._collection, delivery_ids)
        endings = await find_by_ids(self._endings, documents)
        return {str(i): _delivery(d, endings.get(i)) for i, d in documents.items()}

    async def _set_pointers(
        self, due: Sequence[tuple[str, str, datetime]], ended: Sequence[str]
    ) -> None:
        """A pending delivery's pointer says when it is next due (``due``: id, origin, time); an
        ended one has none. One bulk write and one delete, whatever their number."""
        await bulk_write_in_chunks(self._pending, [_pointer_to(*pointer) for pointer in due])
        await delete_by_ids(self._pending, ended)

    async def record(self, attempted: Sequence[Delivery]) -> None:
        """The dispatcher is the single writer of dispatch state (it holds the dispatch lease):
        an ended delivery gets its ending (an insert), one to be tried again a plain update by
        _id; then the pointers. A few commands per batch, whatever its size."""
        ended = [d for d in attempted if d.status is not DeliveryStatus.PENDING]
        retried = [d for d in attempted if d.status is DeliveryStatus.PENDING]
        await insert_many_if_absent(self._endings, [_ending_document(d) for d in ended])
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
                for delivery in retried
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
        """Store the delivery whole, its ending folded in (a redelivery makes an ended delivery
        pending again); pointed at first if pending, unpointed after if not."""
        if delivery.status is DeliveryStatus.PENDING:
            await self._repoint_after([delivery])
        attempts = [_attempt_document(a) for a in delivery.attempts]
        await self._collection.update_one(
            {"_id": delivery.delivery_id}, {"$set": {**_state(delivery), "attempts": attempts}}
        )
        await delete_by_ids(self._endings, [delivery.delivery_id])
        if delivery.status is not DeliveryStatus.PENDING:
            await self._repoint_after([delivery])

    async def of_subscription(
        self, subscription_id: str, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        query: Document = {"subscription_id": subscription_id}
        if status is not None and status not in ENDED:
            # A stored status other than the asked one cannot become it by an ending.
            query["status"] = status.value
        cursor = self._collection.find(query).sort("created_at", DESCENDING)
        found: list[Delivery] = []
        try:
            async for page in _pages(cursor):
                endings = await find_by_ids(self._endings, [d["_id"] for d in page])
                for document in page:
                    delivery = _delivery(document, endings.get(document["_id"]))
                    if status is None or delivery.status is status:
                        found.append(delivery)
                if len(found) >= limit:
                    break
        finally:
            await cursor.close()
        return found[:limit]

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
        # A rare operator action (pause, resume, delete): one scan finds what moves (about
        # 12 s at 100,000 deliveries on FerretDB), leaving out what has ended meanwhile; the
        # moves then go by `_id`, not by a second scan (`update_many` with this filter).
        moving = await self._in_statuses(subscription_id, from_statuses)
        if to_status is DeliveryStatus.PENDING:  # pointers first (see PENDING)
            due = [(d.delivery_id, d.origin, due_at or d.due_at) for d in moving]
            await self._set_pointers(due, [])
        await bulk_write_in_chunks(
            self._collection,
            [UpdateOne({"_id": d.delivery_id}, {"$set": changes}) for d in moving],
        )
        if to_status is not DeliveryStatus.PENDING:
            left = [d.delivery_id for d in moving if d.status == DeliveryStatus.PENDING.value]
            await self._set_pointers([], left)
        return len(moving)

    async def _in_statuses(
        self, subscription_id: str, statuses: Collection[DeliveryStatus]
    ) -> list[_Moving]:
        wanted = {status.value for status in statuses}
        query: Document = {"subscription_id": subscription_id}
        if wanted.isdisjoint(ENDED):
            query["status"] = {"$in": list(wanted)}
        found: list[_Moving] = []
        fields = {"origin": 1, "due_at": 1, "status": 1}
        async for page in _pages(self._collection.find(query, fields)):
            endings = await find_by_ids(self._endings, [d["_id"] for d in page], {"status": 1})
            for document in page:
                status = endings.get(document["_id"], document)["status"]
                if status in wanted:
                    found.append(
                        _Moving(document["_id"], document["origin"], document["due_at"], status)
                    )
        return found


class _Moving(NamedTuple):
    delivery_id: str
    origin: str
    due_at: datetime
    status: str


async def _pages(cursor: AsyncCursor[Document], size: int = 500) -> AsyncIterator[list[Document]]:
    page: list[Document] = []
    async for document in cursor:
        page.append(document)
        if len(page) >= size:
            yield page
            page = []
    if page:
        yield page


def _pointer_to(delivery_id: str, origin: str, due_at: datetime) -> UpdateOne:
    return UpdateOne(
        {"_id": delivery_id}, {"$set": {"origin": origin, "due_at": due_at}}, upsert=True
    )


def _pointer_document(delivery: Delivery) -> Document:
    return {"_id": delivery.delivery_id, "origin": delivery.origin, "due_at": delivery.due_at}


def _ending_document(delivery: Delivery) -> Document:
    return {
        "_id": delivery.delivery_id,
        "attempt": _attempt_document(delivery.attempts[-1]),
        **_state(delivery),
    }


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


def _delivery(document: Document, ending: Document | None = None) -> Delivery:
    """The stored delivery, overlaid with its ending (see ENDINGS) if it has one."""
    attempts = [_attempt(a) for a in document.get("attempts") or []]
    state = document
    if ending is not None:
        state = ending
        last = _attempt(ending["attempt"])
        # A redelivery folds the ending into the document before deleting it: not twice.
        if not attempts or attempts[-1].number < last.number:
            attempts.append(last)
    return Delivery(
        delivery_id=document["_id"],
        subscription_id=document["subscription_id"],
        event_id=document["event_id"],
        event_type=document["event_type"],
        origin=document["origin"],
        payload=document["payload"],
        created_at=document["created_at"],
        due_at=state["due_at"],
        status=DeliveryStatus(state["status"]),
        attempts=tuple(attempts),
        last_error=state.get("last_error"),
        round_start=state.get("round_start", 0),
        trace=document.get("trace") or {},
    )


def _attempt(stored: dict[str, Any]) -> Attempt:
    return Attempt(
        number=stored["number"],
        outcome=AttemptOutcome(
            started_at=stored["started_at"],
            latency_ms=stored["latency_ms"],
            status_code=stored.get("status_code"),
            error=stored.get("error"),
            retry_after_seconds=stored.get("retry_after_seconds"),
        ),
    )


class MongoEmailLog:
    """Which learner e-mails were sent; keeps no address or text, only the fact.

    Claimed and sent are each an insert (`emails`, then `emails_sent`): an insert is one
    statement of a batchable kind, where marking the claim sent would be an update, which
    FerretDB applies as a read-modify-write transaction of its own, about ten times the cost."""

    def __init__(self, database: MongoDatabase) -> None:
        self._collection: MongoCollection = database[EMAILS]
        self._sent: MongoCollection = database[EMAILS_SENT]

    async def claim_many(self, claims: Sequence[tuple[str, str]]) -> list[bool]:
        now = utc_now()
        documents = [{"_id": i, "credential_id": about, "created_at": now} for i, about in claims]
        new = await insert_many_if_absent(self._collection, documents)
        earlier = [i for (i, _), is_new in zip(claims, new, strict=True) if not is_new]
        sent = set(await find_by_ids(self._sent, earlier, {"_id": 1}))
        # Claims stored before `emails_sent` existed carry their status themselves.
        unsent = [i for i in earlier if i not in sent]
        stored = await find_by_ids(self._collection, unsent, {"status": 1})
        sent |= {i for i, document in stored.items() if document.get("status") == "sent"}
        return [is_new or i not in sent for (i, _), is_new in zip(claims, new, strict=True)]

    async def mark_sent_many(self, email_ids: Sequence[str]) -> None:
        now = utc_now()
        await insert_many_if_absent(self._sent, [{"_id": i, "sent_at": now} for i in email_ids])
