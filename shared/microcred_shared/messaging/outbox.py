"""Events stored inside the document whose change they announce, and the relay that publishes them.

FerretDB (and MongoDB without a replica set) has no multi-document transactions, so a service
never writes state and then publishes: it writes the state *and* the pending events in one
single-document update (``$push`` onto ``outbox``, ``outbox_pending: true``). The relay
publishes pending events in order and removes exactly the entries it published. A crash between
publish and removal republishes them: consumers dedupe by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from opentelemetry import context as otel_context
from opentelemetry import propagate
from pymongo import ASCENDING, IndexModel, ReturnDocument

from ..events import CONTENT_TYPE, CloudEvent, TopicNames, utc_now
from ..events.topics import Topic
from ..logging import get_logger
from ..mongo import Document, MongoCollection

log = get_logger(__name__)

OUTBOX_FIELD = "outbox"
PENDING_FIELD = "outbox_pending"
LEASE_FIELD = "outbox_lease_until"

OUTBOX_INDEX = IndexModel([(PENDING_FIELD, ASCENDING), (LEASE_FIELD, ASCENDING)])


def outbox_entry(topic: Topic, key: str, event: CloudEvent[Any]) -> Document:
    """An event ready to be stored with its document; carries the current trace context so the
    publish continues the trace of the request that caused it."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {
        "event_id": event.id,
        "topic": topic.value,
        "key": key,
        "value": event.to_json_bytes().decode(),
        "trace": carrier,
    }


def outbox_update(entries: Sequence[Document]) -> dict[str, Any]:
    """The update fragment that stores ``entries``; merge it into the state update."""
    return {
        "$push": {OUTBOX_FIELD: {"$each": list(entries)}},
        "$set": {PENDING_FIELD: True},
    }


def with_outbox(update: dict[str, Any], entries: Sequence[Document]) -> dict[str, Any]:
    """``update`` extended so that it also stores ``entries`` (the same atomic write)."""
    merged = {operator: dict(fields) for operator, fields in update.items()}
    for operator, fields in outbox_update(entries).items():
        merged.setdefault(operator, {}).update(fields)
    return merged


@dataclass
class OutboxRelay:
    """Publishes the pending events of the given collections until stopped.

    Several replicas may run it: a short lease on each document keeps two relays from
    publishing the same entries at once (which would still be safe, only wasteful).
    """

    broker: KafkaBroker
    topics: TopicNames
    collections: Sequence[MongoCollection]
    interval_seconds: float = 0.2
    lease: timedelta = timedelta(seconds=30)

    def __post_init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Publish soon: call after storing a document with pending events."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                published = await self.drain()
            except Exception as error:  # Kafka or the database is away: keep trying
                log.warning("outbox relay failed, retrying", error=repr(error))
                published = 0
            if not published:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.interval_seconds)
                self._wake.clear()

    async def drain(self) -> int:
        """Publish every pending event now; returns how many were published."""
        total = 0
        for collection in self.collections:
            while (document := await self._claim(collection)) is not None:
                total += await self._publish(collection, document)
        return total

    async def _claim(self, collection: MongoCollection) -> Document | None:
        now = utc_now()
        return await collection.find_one_and_update(
            {
                PENDING_FIELD: True,
                "$or": [{LEASE_FIELD: {"$exists": False}}, {LEASE_FIELD: {"$lt": now}}],
            },
            {"$set": {LEASE_FIELD: now + self.lease}},
            return_document=ReturnDocument.AFTER,
        )

    async def _publish(self, collection: MongoCollection, document: Document) -> int:
        entries: list[Document] = document.get(OUTBOX_FIELD) or []
        for entry in entries:
            await self._send(entry)
        # $pullAll removes exactly what was published: entries appended meanwhile stay.
        await collection.update_one(
            {"_id": document["_id"]},
            {"$pullAll": {OUTBOX_FIELD: entries}, "$unset": {LEASE_FIELD: ""}},
        )
        await collection.update_one(
            {"_id": document["_id"], OUTBOX_FIELD: {"$size": 0}},
            {"$set": {PENDING_FIELD: False}},
        )
        return len(entries)

    async def _send(self, entry: Document) -> None:
        token = otel_context.attach(propagate.extract(entry.get("trace") or {}))
        try:
            await self.broker.publish(
                entry["value"].encode(),
                topic=self.topics.of(Topic(entry["topic"])),
                key=entry["key"].encode(),
                headers={"content-type": CONTENT_TYPE, "ce_id": entry["event_id"]},
            )
        finally:
            otel_context.detach(token)


async def publish_now(
    broker: KafkaBroker, topics: TopicNames, topic: Topic, key: str, event: CloudEvent[Any]
) -> None:
    """Publish an event that announces no stored state (e.g. a verification outcome), waiting
    for the broker's acknowledgement."""
    await broker.publish(
        event.to_json_bytes(),
        topic=topics.of(topic),
        key=key.encode(),
        headers={"content-type": CONTENT_TYPE, "ce_id": event.id},
    )
