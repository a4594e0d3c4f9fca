"""Outbox relay benchmark: events per second the relay drains from documents stored with
``insert_many_with_outbox`` (two events each), the batched relay beside the one-at-a-time relay
it replaced (main before issue 18: lock, read, publish each event awaiting its acknowledgement,
clear, delete the pointer, release, per document, on documents stored as they were then:
marked pending), measured in the same run, alternating.

Uses ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URI`` when both are set, else starts the
project's local stack on free ports for the run.

    uv run python bench/outbox_relay.py [--documents 2000] [--repeats 2] [--batch 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from microcred_shared.events import Topic, TopicNames
from microcred_shared.events.contracts.verifications import VerificationPerformedV1
from microcred_shared.events.registry import VERIFICATION_PERFORMED
from microcred_shared.locks import DocumentLocks, document_key
from microcred_shared.messaging.access import KafkaAccess
from microcred_shared.messaging.broker import create_broker
from microcred_shared.messaging.connection import KafkaConnection
from microcred_shared.messaging.outbox import (
    OUTBOX_FIELD,
    PENDING_FIELD,
    OutboxRelay,
    insert_many_with_outbox,
    outbox_entry,
    pointers_of,
)
from microcred_shared.mongo import Document, MongoCollection, create_client
from prometheus_client import CollectorRegistry
from pymongo import monitoring

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.issuer_throughput import infrastructure  # noqa: E402

EVENTS_PER_DOCUMENT = 2
INSERT_CHUNK = 500
ONE_AT_A_TIME = "one at a time (main before issue 18)"


class OneAtATimeRelay(OutboxRelay):
    """The reference: the relay as it was, each document on its own, each event acknowledged
    before the next is sent."""

    async def _relay_round(self, collection: MongoCollection, document_ids: Sequence[Any]) -> int:
        locks = DocumentLocks.of(collection.database)
        published = 0
        for document_id in document_ids:
            key = document_key(collection, document_id)
            owner = await locks.try_acquire(key)
            if owner is None:
                continue
            try:
                document = await collection.find_one({"_id": document_id})
                if document is not None and document.get(PENDING_FIELD):
                    for entry in document[OUTBOX_FIELD]:
                        acknowledgement = await self._send(entry)
                        await acknowledgement
                    await collection.update_one(
                        {"_id": document_id}, {"$set": {OUTBOX_FIELD: [], PENDING_FIELD: False}}
                    )
                    published += len(document[OUTBOX_FIELD])
                await pointers_of(collection).delete_one({"_id": document_id})
            finally:
                await locks.release(key, owner)
        return published


class CommandCount(monitoring.CommandListener):
    """Database commands sent, to report round trips per document."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def items(run: str, documents: int) -> list[tuple[Document, list[Document]]]:
    def event(number: int) -> Any:
        data = VerificationPerformedV1(
            verification_id=f"{run}-{number}",
            verified_at="2026-06-01T10:00:00Z",  # type: ignore[arg-type]
            verdict="verified",
            channel="api",
        )
        return VERIFICATION_PERFORMED.envelope(
            data, source="/bench/outbox", subject=data.verification_id
        )

    return [
        (
            {"_id": f"{run}-{n}", "state": "issued"},
            [
                outbox_entry(Topic.VERIFICATIONS, f"{run}-{n}", event(n * EVENTS_PER_DOCUMENT + e))
                for e in range(EVENTS_PER_DOCUMENT)
            ],
        )
        for n in range(documents)
    ]


async def drain_all(relay: OutboxRelay, events: int) -> None:
    published = 0
    while published < events:
        drained = await relay.drain(sweep=False)
        if not drained:
            raise RuntimeError(f"the relay stopped at {published} of {events} events")
        published += drained


async def store_as_before(
    collection: MongoCollection, chunk: list[tuple[Document, list[Document]]]
) -> None:
    """Documents as main stored them before issue 18: marked pending, each with a pointer."""
    await collection.insert_many(
        [{**document, OUTBOX_FIELD: entries, PENDING_FIELD: True} for document, entries in chunk]
    )
    await pointers_of(collection).insert_many([{"_id": document["_id"]} for document, _ in chunk])


async def measure(
    relay: OutboxRelay, collection: MongoCollection, counter: CommandCount, documents: int
) -> dict[str, Any]:
    store = store_as_before if isinstance(relay, OneAtATimeRelay) else insert_many_with_outbox
    for start in range(0, documents, INSERT_CHUNK):
        chunk = items(f"{collection.name}-{start}", min(INSERT_CHUNK, documents - start))
        await store(collection, chunk)
    events = documents * EVENTS_PER_DOCUMENT
    commands_before = counter.count
    started = time.perf_counter()
    await drain_all(relay, events)
    seconds = time.perf_counter() - started
    return {
        "documents": documents,
        "events": events,
        "seconds": round(seconds, 3),
        "events_per_second": round(events / seconds, 1),
        "database_commands_per_document": round((counter.count - commands_before) / documents, 2),
    }


async def run(kafka: KafkaConnection, mongo: str, args: argparse.Namespace) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]
    topics = TopicNames(f"bench{run_id}.")
    await KafkaAccess(kafka).create_topics([(topics.of(Topic.VERIFICATIONS), 3, {})])
    counter = CommandCount()
    client = create_client(mongo, app_name="bench-outbox", listeners=[counter])
    database = client[f"bench_outbox_{run_id}"]
    broker = create_broker(kafka, client_id="bench-outbox", metrics=CollectorRegistry())
    await broker.start()
    rows: list[dict[str, Any]] = []
    try:
        for repeat in range(args.repeats):
            variants: list[tuple[str, type[OutboxRelay]]] = [
                (ONE_AT_A_TIME, OneAtATimeRelay),
                (f"batched ({args.batch} per round)", OutboxRelay),
            ]
            for label, relay_class in variants:
                collection = database[f"things{repeat}{relay_class.__name__}"]
                relay = relay_class(broker, topics, [collection], batch=args.batch)
                row = await measure(relay, collection, counter, args.documents)
                rows.append({"relay": label, "repeat": repeat + 1, **row})
                print_row(rows[-1])
    finally:
        await broker.stop()
        await client.drop_database(database.name)
        await client.close()
    return {"benchmark": "outbox_relay", "rows": rows}


def print_row(row: dict[str, Any]) -> None:
    print(
        f"{row['relay']:40} {row['repeat']:>6} {row['events']:>7} {row['seconds']:>8.2f} "
        f"{row['events_per_second']:>9.0f} {row['database_commands_per_document']:>9.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join((__doc__ or "").split("\n\n")[0].split()))
    parser.add_argument("--documents", type=int, default=2000, help="documents per measurement")
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs of each relay")
    parser.add_argument("--batch", type=int, default=200, help="documents per relay round")
    parser.add_argument("--quick", action="store_true", help="400 documents, one repeat")
    parser.add_argument("--out", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    if args.quick:
        args.documents, args.repeats = 400, 1
    print(
        f"{'relay':40} {'repeat':>6} {'events':>7} {'seconds':>8} {'events/s':>9} {'cmds/doc':>9}"
    )
    with infrastructure() as (kafka, mongo):
        result = asyncio.run(run(kafka, mongo, args))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
