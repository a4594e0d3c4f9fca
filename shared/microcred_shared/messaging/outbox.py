"""Events stored inside the document whose change they announce, and the relay that publishes them.

FerretDB (and MongoDB without a replica set) has no multi-document transactions, so a service
never writes state and then publishes: it writes the state *and* its events in one
single-document write (``outbox`` on the document). The relay publishes them in order, holding
the document's lock (FerretDB updates are not atomic, see :mod:`..locks`); a crash between
publishing and recording it republishes them: consumers dedupe by event id.

Each collection's pending documents are pointed at from a small collection of its own
(``outbox_pointers.<collection>``), written *before* the document and naming the events to
publish: whatever a crash interrupts, a pending document has a pointer, so no relay scans the
state collection for work (at 60,000 credentials such a scan took 15 s), and reading the next
pointers is a ``LIMIT`` query. Publishing deletes the pointer. A document inserted with its
events is left as written; one changed by :func:`store_with_outbox` is marked
``outbox_pending`` and its outbox cleared after publishing, since it changes again. A pointer
whose document does not exist is left for ``ORPHAN_SECONDS`` (the insert may be on its way),
then deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka.structs import RecordMetadata
from faststream.kafka import KafkaBroker
from opentelemetry import context as otel_context
from opentelemetry import propagate
from pymongo import ASCENDING, IndexModel, UpdateOne

from ..events import CONTENT_TYPE, CloudEvent, TopicNames, utc_now
from ..events.topics import Topic
from ..locks import DocumentLocks, document_key
from ..logging import get_logger
from ..mongo import (
    Document,
    MongoCollection,
    bulk_write_in_chunks,
    delete_by_ids,
    find_by_ids,
    insert_if_absent,
    insert_many_if_absent,
)

log = get_logger(__name__)

OUTBOX_FIELD = "outbox"
PENDING_FIELD = "outbox_pending"
# Before pointers had a collection per outboxed collection, all were in this one, keyed
# "<collection>:<id>"; a relay still reads (and empties) it on its first round.
POINTERS_COLLECTION = "outbox_pointers"
# The relay's own record of which collections it swept for pending documents without a pointer
# (what versions that wrote the pointer after the document may have left): once per database.
SWEPT_COLLECTION = "outbox_swept"
# A pointer to a document that does not exist is deleted once it is this old: by then the
# insert it announced has failed or will never come (a crash between the two writes).
ORPHAN_SECONDS = 60.0

# What the relay reads of a document: not its state (a credential's signed JSON, say).
RELAYED_FIELDS = {OUTBOX_FIELD: True, PENDING_FIELD: True}

OUTBOX_INDEX = IndexModel([(PENDING_FIELD, ASCENDING)])


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


def always(_: Document | None) -> bool:
    return True


async def store_with_outbox(
    collection: MongoCollection,
    document_id: object,
    update: dict[str, Any],
    entries: Sequence[Document],
    *,
    only_if: Callable[[Document | None], bool] = always,
    upsert: bool = False,
) -> bool:
    """Apply ``update`` to the document and store ``entries`` with it, in one write, if
    ``only_if`` holds for the document as stored (None: absent); True if stored.

    Holds the document's lock, so the relay never clears the outbox in the middle of it and
    the check cannot race another writer (see :mod:`..locks`). The check is made here, then
    the write filters on ``_id`` alone: a filter with any other field (a version guard) would
    make FerretDB scan the whole collection."""
    key = document_key(collection, document_id)
    async with DocumentLocks.of(collection.database).hold(key):
        stored = await collection.find_one({"_id": document_id})
        if not only_if(stored):
            return False
        # The pointer first: a crash before the update leaves a pointer to nothing pending,
        # which the relay simply deletes.
        # The entries still pending in the document are named again: an earlier version's
        # pointer did not name them.
        still_pending = stored.get(OUTBOX_FIELD) or [] if stored and _pending(stored) else []
        await _point_at(collection, document_id, _event_ids([*still_pending, *entries]))
        result = await collection.update_one(
            {"_id": document_id}, with_outbox(update, entries), upsert=upsert
        )
        return result.matched_count == 1 or result.upserted_id is not None


async def insert_with_outbox(
    collection: MongoCollection, document: Document, entries: Sequence[Document]
) -> bool:
    """Insert a new ``document`` carrying ``entries`` unless its ``_id`` exists; True if
    inserted (see :func:`insert_many_with_outbox`)."""
    return (await insert_many_with_outbox(collection, [(document, entries)]))[0]


async def insert_many_with_outbox(
    collection: MongoCollection, items: Sequence[tuple[Document, Sequence[Document]]]
) -> list[bool]:
    """Insert each new document with its events unless its ``_id`` exists, in a constant
    number of commands: per document, True if inserted; one that exists is left as it is.

    The pointers first, so a crash between the writes leaves a pointer to nothing (deleted
    once it is ``ORPHAN_SECONDS`` old), never events without a pointer; no lock is needed:
    a relay that reads a pointer before its document exists leaves it for a later round."""
    pointed = {document["_id"]: _event_ids(entries) for document, entries in items if entries}
    await _point_at_many(collection, pointed)
    # Not marked pending: its pointer names what to publish, and the relay leaves the
    # document as it is (clearing it would be an update: FerretDB's costliest statement).
    inserted = await insert_many_if_absent(
        collection,
        [
            {**document, OUTBOX_FIELD: list(entries), PENDING_FIELD: False}
            for document, entries in items
        ],
    )
    HANDED_OVER.add(
        collection,
        [
            document["_id"]
            for (document, entries), new in zip(items, inserted, strict=True)
            if new and entries
        ],
    )
    return inserted


def pointers_of(collection: MongoCollection) -> MongoCollection:
    """Where the pending documents of ``collection`` are pointed at."""
    return collection.database[f"{POINTERS_COLLECTION}.{collection.name}"]


def _event_ids(entries: Sequence[Document]) -> list[str]:
    return [str(entry["event_id"]) for entry in entries]


def _pending(document: Document | None) -> bool:
    return bool(document and document.get(PENDING_FIELD))


async def _point_at_many(
    collection: MongoCollection, event_ids: Mapping[Any, Sequence[str]]
) -> None:
    """Point at the documents, each pointer naming the events to publish; a pointer already
    there (a retried write) is dated anew and names these too, so it is not taken for an
    orphan while the retried insert is on its way."""
    pointers = pointers_of(collection)
    now = utc_now()
    new = await insert_many_if_absent(
        pointers, [{"_id": i, "at": now, "event_ids": list(ids)} for i, ids in event_ids.items()]
    )
    again = [i for i, fresh in zip(event_ids, new, strict=True) if not fresh]
    await bulk_write_in_chunks(
        pointers,
        [
            UpdateOne(
                {"_id": i},
                {"$set": {"at": now}, "$addToSet": {"event_ids": {"$each": list(event_ids[i])}}},
            )
            for i in again
        ],
    )


async def _point_at(collection: MongoCollection, document_id: Any, event_ids: list[str]) -> None:
    await _point_at_many(collection, {document_id: event_ids})
    HANDED_OVER.add(collection, [document_id])


class _HandOver:
    """The documents this process has just pointed at, per collection, for its relays to take
    first: each replica relays what it wrote without a query (a query of the pointers is one
    more read that FerretDB queues behind every write, seconds each under load, and two
    replicas' relays reading the same pointers contend for the same documents). The pointers
    stay the record: what a crash loses here, a relay's look at the pointers finds."""

    def __init__(self) -> None:
        self._waiting: dict[tuple[str, str], dict[Any, None]] = {}

    def add(self, collection: MongoCollection, document_ids: Sequence[Any]) -> None:
        key = (collection.database.name, collection.name)
        self._waiting.setdefault(key, {}).update(dict.fromkeys(document_ids))

    def take(self, collection: MongoCollection, limit: int) -> list[Any]:
        waiting = self._waiting.get((collection.database.name, collection.name))
        if not waiting:
            return []
        taken = list(itertools.islice(waiting, limit))
        for document_id in taken:
            del waiting[document_id]
        return taken


HANDED_OVER = _HandOver()


@dataclass
class OutboxRelay:
    """Publishes the pending events of the given collections until stopped.

    Works in rounds of up to ``batch`` documents: each document is published and cleared
    while holding its lock, so neither a handler appending events nor a relay in another
    replica can interleave with it; the round's events go to the producer together, so it
    batches them, and nothing is cleared before the broker has acknowledged it.
    """

    broker: KafkaBroker
    topics: TopicNames
    collections: Sequence[MongoCollection]
    interval_seconds: float = 0.2
    batch: int = 200
    # While documents handed over by this process keep it busy, how often it still looks at
    # the pointers (for what another replica or a crash left).
    pointer_look_seconds: float = 5.0

    def __post_init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._first_round = True
        self._last_pointer_look = float("-inf")

    def wake(self) -> None:
        """Publish soon: call after storing a document with pending events."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        # The flag as well as the cancel: on Python 3.11 wait_for can swallow a cancel that
        # races with a wake-up, and the loop would go on.
        self._stopping = True
        self._wake.set()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                published = await self.drain()
            except Exception as error:  # Kafka or the database is away: keep trying
                log.warning("outbox relay failed, retrying", error=repr(error))
                published = 0
            if not published:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.interval_seconds)
                self._wake.clear()

    async def drain(self, *, sweep: bool | None = None) -> int:
        """Publish the pending events of every document not locked right now: one round of up
        to ``batch`` documents per collection; the number of events published.

        ``sweep`` also scans each collection for pending documents without a pointer, which
        only a version that wrote the pointer after the document can have left (or
        ``with_outbox`` used directly), and points at them. By default a relay sweeps a
        collection once per database, on its first round, and records it."""
        first_round, self._first_round = self._first_round, False
        total = 0
        for collection in self.collections:
            due = sweep if sweep is not None else first_round and not await _swept(collection)
            if first_round or due:
                await _adopt_unpointed(collection, sweep=due)
            document_ids = await self._pending_ids(collection)
            if document_ids:
                total += await self._relay_round(collection, document_ids)
            if due:
                await _record_swept(collection)
        return total

    async def _pending_ids(self, collection: MongoCollection) -> list[Any]:
        """What this process handed over first; the pointers when that is not a full round
        (or every ``pointer_look_seconds`` regardless)."""
        ids = HANDED_OVER.take(collection, self.batch)
        look_due = time.monotonic() - self._last_pointer_look >= self.pointer_look_seconds
        if len(ids) < self.batch or look_due:
            self._last_pointer_look = time.monotonic()
            # No filter, so the limit reaches SQLite: the first pointers, not a scan.
            pointers = pointers_of(collection).find({}, {"_id": 1}).limit(self.batch)
            taken = set(ids)
            ids += [pointer["_id"] async for pointer in pointers if pointer["_id"] not in taken]
        return ids

    async def _relay_round(self, collection: MongoCollection, document_ids: Sequence[Any]) -> int:
        """Publish and clear the documents whose locks this round takes; the others (being
        written right now) wait for the next round.

        A constant number of commands whatever the batch, each addressing documents by
        ``_id`` (the only condition FerretDB answers from an index): the locks in one insert,
        the documents in one ``$in`` read, the clearing in ``bulk_write``s of at most
        ``MAX_WRITE_STATEMENTS``, the pointers and the locks each in one delete."""
        locks = DocumentLocks.of(collection.database)
        id_of = {document_key(collection, document_id): document_id for document_id in document_ids}
        held = await locks.try_acquire_many(list(id_of))
        # Being written right now: the next round takes them.
        HANDED_OVER.add(collection, [i for key, i in id_of.items() if key not in held])
        try:
            held_ids = [id_of[key] for key in held]
            documents = await find_by_ids(collection, held_ids, RELAYED_FIELDS)
            pointers = await find_by_ids(pointers_of(collection), held_ids)
            due = {
                document_id: _due(document, pointers.get(document_id))
                for document_id, document in documents.items()
            }
            published = await self._publish({i: entries for i, entries in due.items() if entries})
            failed = {i for i, entries in due.items() if entries} - published
            await self._clear(
                collection,
                [d for i, d in documents.items() if _pending(d) and i not in failed],
            )
            orphans = _orphans([i for i in held_ids if i not in documents], pointers)
            # A pointer goes once its document's events are published (now, or by another
            # replica), or once it has pointed at nothing for ORPHAN_SECONDS; a document
            # whose publish failed keeps it.
            await _delete_pointers(
                collection,
                [i for i in held_ids if (i in documents and i not in failed) or i in orphans],
            )
            return sum(len(due[i]) for i in published)
        finally:
            await locks.release_many(held)

    async def _publish(self, due: Mapping[Any, Sequence[Document]]) -> set[Any]:
        """Publish every document's due entries, the documents concurrently (the producer
        batches them); the ids of the documents whose every entry the broker acknowledged."""
        outcomes = await asyncio.gather(
            *(self._publish_entries(entries) for entries in due.values()), return_exceptions=True
        )
        published = set()
        for document_id, outcome in zip(due, outcomes, strict=True):
            if isinstance(outcome, Exception):
                log.warning(
                    "outbox publish failed, the document stays pending",
                    document_id=str(document_id),
                    error=repr(outcome),
                )
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                published.add(document_id)
        return published

    async def _publish_entries(self, entries: Sequence[Document]) -> None:
        """Hand a document's entries to the producer in their stored order, then wait for
        every acknowledgement.

        They share a key, hence a partition, and aiokafka keeps a partition's records in the
        order they were handed over: it sends at most one request per broker at a time and
        retries a batch before the next one goes (idempotence on, see ``broker.py``)."""
        acknowledgements: list[asyncio.Future[RecordMetadata]] = []
        try:
            for entry in entries:
                acknowledgements.append(await self._send(entry))
        except Exception:
            # What was handed over is sent all the same: retrieve its outcome too.
            await asyncio.gather(*acknowledgements, return_exceptions=True)
            raise
        for outcome in await asyncio.gather(*acknowledgements, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome

    async def _clear(self, collection: MongoCollection, documents: Sequence[Document]) -> None:
        """Empty the outbox of documents whose events the broker acknowledged."""
        await bulk_write_in_chunks(
            collection,
            [
                UpdateOne(
                    {"_id": document["_id"]}, {"$set": {OUTBOX_FIELD: [], PENDING_FIELD: False}}
                )
                for document in documents
            ],
        )

    async def _send(self, entry: Document) -> asyncio.Future[RecordMetadata]:
        """Hand one entry to the producer; the future of its acknowledgement."""
        token = otel_context.attach(propagate.extract(entry.get("trace") or {}))
        try:
            return await self.broker.publish(
                entry["value"].encode(),
                topic=self.topics.of(Topic(entry["topic"])),
                key=entry["key"].encode(),
                headers={"content-type": CONTENT_TYPE, "ce_id": entry["event_id"]},
                no_confirm=True,
            )
        finally:
            otel_context.detach(token)


def _due(document: Document, pointer: Document | None) -> list[Document]:
    """The entries of ``document`` to publish: those its pointer names; all of a pending
    document's when its pointer names none (written by an earlier version) or it has none (a
    sweep found it)."""
    entries: list[Document] = document.get(OUTBOX_FIELD) or []
    if pointer is not None and "event_ids" in pointer:
        named = set(pointer["event_ids"])
        return [entry for entry in entries if entry["event_id"] in named]
    return entries if _pending(document) else []


async def _delete_pointers(collection: MongoCollection, document_ids: Sequence[Any]) -> None:
    await delete_by_ids(pointers_of(collection), document_ids)


def _orphans(absent_ids: Sequence[Any], pointers: Mapping[Any, Document]) -> set[Any]:
    """Of the pointed-at documents found absent, those whose pointer is ORPHAN_SECONDS old (or
    gone, or undated)."""
    limit = utc_now() - timedelta(seconds=ORPHAN_SECONDS)
    return {
        i
        for i in absent_ids
        if (at := (pointers.get(i) or {}).get("at")) is None or _aware(at) < limit
    }


def _aware(moment: datetime) -> datetime:
    """A stored time as UTC, whether the client was made timezone-aware or not."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _adopt_unpointed(collection: MongoCollection, *, sweep: bool) -> None:
    """Point at what is pending without a pointer of this collection's own: pointers an earlier
    version kept in one shared collection (moved here), and, when ``sweep``, pending documents
    found by a scan. Their pointers name no events: the relay publishes whatever such a
    document has pending, in rounds of its usual size."""
    legacy = collection.database[POINTERS_COLLECTION]
    ids = [p["document_id"] async for p in legacy.find({"collection": collection.name})]
    if sweep:
        ids += [d["_id"] async for d in collection.find({PENDING_FIELD: True}, {"_id": 1})]
    if ids:
        await insert_many_if_absent(
            pointers_of(collection), [{"_id": i, "at": utc_now()} for i in dict.fromkeys(ids)]
        )
        await delete_by_ids(legacy, [document_key(collection, i) for i in ids])


async def _swept(collection: MongoCollection) -> bool:
    record = await collection.database[SWEPT_COLLECTION].find_one({"_id": collection.name})
    return record is not None


async def _record_swept(collection: MongoCollection) -> None:
    await insert_if_absent(
        collection.database[SWEPT_COLLECTION], {"_id": collection.name, "at": utc_now()}
    )


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
