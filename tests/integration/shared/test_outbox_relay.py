"""Publish only what was stored, and never lose it: the outbox relay on the real stack."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_shared.events import Topic
from microcred_shared.events.contracts.verifications import VerificationPerformedV1
from microcred_shared.events.registry import VERIFICATION_PERFORMED
from microcred_shared.locks import DocumentLocks, document_key
from microcred_shared.messaging.outbox import (
    ORPHAN_SECONDS,
    POINTERS_COLLECTION,
    OutboxRelay,
    insert_many_with_outbox,
    insert_with_outbox,
    outbox_entry,
    pointers_of,
    store_with_outbox,
    with_outbox,
)
from microcred_shared.mongo import Document
from microcred_shared.service.runtime import build_runtime
from microcred_shared.settings import ServiceSettings

from tests.infra import provision_services
from tests.support import eventually, read_topic

pytestmark = pytest.mark.integration


def verification(verification_id: str) -> Any:
    data = VerificationPerformedV1(
        verification_id=verification_id,
        verified_at="2026-06-01T10:00:00Z",  # type: ignore[arg-type]
        verdict="verified",
        channel="api",
    )
    return VERIFICATION_PERFORMED.envelope(data, source="/tests", subject=verification_id)


class CrashingRelay(OutboxRelay):
    """Publishes, then dies before it can record that it published."""

    async def _publish(self, due: Mapping[Any, Sequence[Document]]) -> set[Any]:
        assert await super()._publish(due), "nothing was published"
        raise RuntimeError("killed between publish and its record")


@pytest.fixture
async def runtime(infra: Any) -> Any:
    settings = ServiceSettings(
        **infra.kafka_settings(),
        mongodb_uri=infra.mongodb_uri,
        mongodb_database=f"t{infra.run_id}_outbox",
        topic_prefix=f"t{infra.run_id}.outbox.",
        service_name="outbox-test",
    )
    runtime = build_runtime(settings, outbox_collections=["things"])
    await provision_services(infra.kafka, settings.topic_prefix)  # creates the topics
    await runtime.start()
    yield runtime
    await runtime.stop()


async def test_events_stored_with_their_document_are_published_in_order_then_cleared(
    runtime: Any, infra: Any
) -> None:
    things = runtime.database["things"]
    events = [verification("v-1"), verification("v-2")]
    entries = [outbox_entry(Topic.VERIFICATIONS, "thing-1", e) for e in events]
    await store_with_outbox(things, "thing-1", {"$set": {"state": "done"}}, entries, upsert=True)
    runtime.wake_relay()

    topic = runtime.topics.of(Topic.VERIFICATIONS)
    records = await read_topic(infra.kafka, topic, expect=2)
    assert [json.loads(r.value)["id"] for r in records] == [e.id for e in events]
    assert all(r.key == b"thing-1" for r in records)
    cleared = await eventually(
        lambda: things.find_one({"_id": "thing-1"}), lambda d: not d["outbox_pending"]
    )
    assert cleared["outbox"] == []
    assert cleared["state"] == "done"


async def test_a_relay_that_dies_after_publishing_leaves_the_events_for_the_next_one(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()  # only the relays of this test may publish
    things = runtime.database["things"]
    event = verification("v-crash")
    await insert_with_outbox(
        things, {"_id": "thing-2"}, [outbox_entry(Topic.VERIFICATIONS, "thing-2", event)]
    )
    crashing = CrashingRelay(runtime.broker, runtime.topics, [things])
    with pytest.raises(RuntimeError, match="killed"):
        await crashing.drain()
    survivor = OutboxRelay(runtime.broker, runtime.topics, [things])
    assert await survivor.drain() == 1

    topic = runtime.topics.of(Topic.VERIFICATIONS)
    records = await read_topic(infra.kafka, topic, expect=2)
    # Published twice with one id: at-least-once, and consumers dedupe by event id.
    ids = [
        json.loads(r.value)["id"] for r in records if json.loads(r.value)["subject"] == "v-crash"
    ]
    assert ids == [event.id, event.id]
    assert await pointers_of(things).find_one({"_id": "thing-2"}) is None


async def test_a_document_written_without_a_pointer_is_found_by_the_sweep(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    event = verification("v-unpointed")
    await things.update_one(
        {"_id": "thing-3"},
        with_outbox({"$set": {"state": 1}}, [outbox_entry(Topic.VERIFICATIONS, "t3", event)]),
        upsert=True,
    )
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])
    assert await relay.drain(sweep=False) == 0
    assert await relay.drain(sweep=True) == 1


async def test_a_new_document_inserted_with_events_is_published_without_waiting_for_the_sweep(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    event = verification("v-inserted")
    entries = [outbox_entry(Topic.VERIFICATIONS, "t4", event)]

    inserted = await insert_with_outbox(things, {"_id": "thing-4", "state": 1}, entries)
    again = await insert_with_outbox(things, {"_id": "thing-4", "state": 2}, entries)
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert (inserted, again) == (True, False)
    assert await relay.drain(sweep=False) == 1
    assert await relay.drain(sweep=False) == 0
    assert (await things.find_one({"_id": "thing-4"}))["state"] == 1


async def test_a_batch_insert_stores_the_new_documents_with_their_events_and_leaves_the_rest(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    await insert_with_outbox(things, {"_id": "batch-1", "state": "old"}, [])

    def item(number: int) -> tuple[Document, list[Document]]:
        event = verification(f"v-batch-{number}")
        return (
            {"_id": f"batch-{number}", "state": "new"},
            [outbox_entry(Topic.VERIFICATIONS, f"b{number}", event)],
        )

    inserted = await insert_many_with_outbox(things, [item(n) for n in range(4)])
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert inserted == [True, False, True, True]
    assert (await things.find_one({"_id": "batch-1"}))["state"] == "old"
    # Found by their pointers, without a sweep: each published once.
    assert await relay.drain(sweep=False) == 3
    assert await relay.drain(sweep=False) == 0
    topic = runtime.topics.of(Topic.VERIFICATIONS)
    # The topic also holds the other tests' events (one topic per run).
    records = await read_topic(
        infra.kafka, topic, until=lambda seen: sum(r.key.startswith(b"b") for r in seen) >= 3
    )
    assert sorted(r.key for r in records if r.key.startswith(b"b")) == [b"b0", b"b2", b"b3"]


async def test_a_document_inserted_with_events_is_published_and_left_as_stored(
    runtime: Any, infra: Any
) -> None:
    """Its pointer names the events: publishing them deletes the pointer, and the document
    is not rewritten (an update is FerretDB's costliest statement)."""
    await runtime.relay.stop()
    things = runtime.database["things"]
    event = verification("v-handed-over")
    entries = [outbox_entry(Topic.VERIFICATIONS, "h1", event)]
    await insert_many_with_outbox(things, [({"_id": "handed-1", "state": 1}, entries)])
    pointer = await pointers_of(things).find_one({"_id": "handed-1"})
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert pointer is not None
    assert pointer["event_ids"] == [event.id]
    assert await relay.drain(sweep=False) == 1
    assert await pointers_of(things).find_one({"_id": "handed-1"}) is None
    stored = await things.find_one({"_id": "handed-1"})
    assert (stored["state"], stored["outbox_pending"], len(stored["outbox"])) == (1, False, 1)
    assert await relay.drain(sweep=False) == 0
    assert await relay.drain(sweep=True) == 0  # nor found pending by a sweep


async def test_a_guarded_write_whose_guard_fails_stores_neither_state_nor_events(
    runtime: Any, infra: Any
) -> None:
    """The version guard of a conditional write is checked under the document's lock, then
    the write goes by `_id` alone."""
    await runtime.relay.stop()
    things = runtime.database["things"]
    await things.insert_one({"_id": "thing-5", "version": 2})

    def newer_than(version: int) -> Any:
        return lambda stored: stored is None or stored["version"] < version

    def entries(name: str) -> list[Document]:
        return [outbox_entry(Topic.VERIFICATIONS, "t5", verification(name))]

    stale = await store_with_outbox(
        things, "thing-5", {"$set": {"version": 1}}, entries("v-stale"), only_if=newer_than(1)
    )
    newer = await store_with_outbox(
        things, "thing-5", {"$set": {"version": 3}}, entries("v-newer"), only_if=newer_than(3)
    )
    created = await store_with_outbox(
        things,
        "thing-6",
        {"$set": {"version": 1}},
        entries("v-new"),
        only_if=newer_than(1),
        upsert=True,
    )
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert (stale, newer, created) == (False, True, True)
    assert (await things.find_one({"_id": "thing-5"}))["version"] == 3
    assert await relay.drain(sweep=True) == 2  # v-newer and v-new, not v-stale


async def test_a_document_written_while_the_relay_clears_it_loses_neither_state_nor_events(
    runtime: Any, infra: Any
) -> None:
    """FerretDB updates are read-modify-write: without the document lock the relay's clearing
    overwrote concurrent handler writes (measured: about 1 in 4 lost)."""
    things = runtime.database["things"]
    events = [verification(f"v-hot-{n}") for n in range(60)]

    async def handler_writes() -> None:
        for event in events:
            entry = outbox_entry(Topic.VERIFICATIONS, "hot", event)
            await store_with_outbox(things, "hot", {"$inc": {"writes": 1}}, [entry], upsert=True)
            runtime.wake_relay()
            await asyncio.sleep(0)

    await handler_writes()
    final = await eventually(
        lambda: things.find_one({"_id": "hot"}), lambda d: not d["outbox_pending"]
    )
    assert final["writes"] == len(events)
    topic = runtime.topics.of(Topic.VERIFICATIONS)
    wanted = {e.id for e in events}
    records = await read_topic(
        infra.kafka,
        topic,
        until=lambda seen: wanted <= {json.loads(r.value)["id"] for r in seen},
    )
    assert wanted <= {json.loads(r.value)["id"] for r in records}


def batch_items(prefix: str, documents: int, events: int) -> list[tuple[Document, list[Document]]]:
    """Documents ``<prefix>-<n>``, each with ``events`` events keyed by the document."""
    return [
        (
            {"_id": f"{prefix}-{n}"},
            [
                outbox_entry(
                    Topic.VERIFICATIONS, f"{prefix}-{n}", verification(f"{prefix}-{n}-{e}")
                )
                for e in range(events)
            ],
        )
        for n in range(documents)
    ]


async def test_one_round_publishes_each_of_many_documents_events_once_and_in_stored_order(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    items = batch_items("round", documents=250, events=3)
    await insert_many_with_outbox(things, items)
    relay = OutboxRelay(runtime.broker, runtime.topics, [things], batch=250)

    assert await relay.drain(sweep=False) == 750  # one round: one drain, one batch
    assert await relay.drain(sweep=False) == 0

    stored = {document["_id"]: [e["event_id"] for e in entries] for document, entries in items}
    records = await read_topic(
        infra.kafka,
        runtime.topics.of(Topic.VERIFICATIONS),
        until=lambda seen: sum(r.key.startswith(b"round-") for r in seen) >= 750,
    )
    published: dict[str, list[str]] = {}
    for record in records:
        if record.key.startswith(b"round-"):
            published.setdefault(record.key.decode(), []).append(json.loads(record.value)["id"])
    assert published == stored
    assert await pointers_of(things).count_documents({"_id": {"$regex": "^round-"}}) == 0


async def test_a_document_a_writer_holds_is_skipped_and_published_in_the_next_round(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    await insert_many_with_outbox(things, batch_items("held", documents=3, events=2))
    locks = DocumentLocks.of(runtime.database)
    writer = await locks.try_acquire(document_key(things, "held-1"))
    assert writer is not None
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert await relay.drain(sweep=False) == 4
    assert await pointers_of(things).find_one({"_id": "held-1"}) is not None
    assert await pointers_of(things).find_one({"_id": "held-0"}) is None
    await locks.release(document_key(things, "held-1"), writer)
    assert await relay.drain(sweep=False) == 2
    assert await pointers_of(things).find_one({"_id": "held-1"}) is None


async def test_a_publish_the_producer_refuses_leaves_only_its_document_pending(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    items = batch_items("refused", documents=3, events=1)
    # Larger than the producer's max_request_size (1 MiB): aiokafka refuses to send it.
    items[1][1][0]["value"] = json.dumps({"padding": "x" * 1_100_000})
    await insert_many_with_outbox(things, items)
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])
    pointers = pointers_of(things)

    assert await relay.drain(sweep=False) == 2
    assert await relay.drain(sweep=False) == 0  # retried, refused again
    assert await pointers.find_one({"_id": "refused-1"}) is not None
    for published in ("refused-0", "refused-2"):
        assert await pointers.find_one({"_id": published}) is None


async def test_a_lock_left_by_a_crashed_holder_is_taken_over_once_its_time_is_up(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    await insert_many_with_outbox(things, batch_items("expired", documents=2, events=1))
    crashed = DocumentLocks(runtime.database["locks"], hold_for=timedelta(seconds=-1))
    assert await crashed.try_acquire(document_key(things, "expired-0")) is not None
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert await relay.drain(sweep=False) == 1  # expired-1; the expired lock is removed
    assert await relay.drain(sweep=False) == 1  # expired-0
    assert await pointers_of(things).find_one({"_id": "expired-0"}) is None


async def test_a_pointer_to_a_document_not_yet_stored_waits_until_it_is_an_orphan(
    runtime: Any, infra: Any
) -> None:
    """Pointers are written before their document: one whose document is not there may be
    ahead of its insert (kept), or left by a crash between the two writes (deleted once old)."""
    await runtime.relay.stop()
    things = runtime.database["things"]
    pointers = pointers_of(things)
    await pointers.insert_many(
        [
            {"_id": "ahead", "at": datetime.now(UTC)},
            {"_id": "left", "at": datetime.now(UTC) - timedelta(seconds=ORPHAN_SECONDS + 1)},
        ]
    )
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert await relay.drain(sweep=False) == 0
    assert await pointers.find_one({"_id": "left"}) is None
    assert await pointers.find_one({"_id": "ahead"}) is not None
    event = verification("v-ahead")
    await things.insert_one(
        {
            "_id": "ahead",
            "outbox": [outbox_entry(Topic.VERIFICATIONS, "ahead", event)],
            "outbox_pending": True,
        }
    )
    assert await relay.drain(sweep=False) == 1
    assert await pointers.find_one({"_id": "ahead"}) is None


async def test_pointers_kept_in_the_one_earlier_collection_are_taken_over(
    runtime: Any, infra: Any
) -> None:
    await runtime.relay.stop()
    things = runtime.database["things"]
    event = verification("v-legacy")
    await things.insert_one(
        {
            "_id": "legacy-1",
            "outbox": [outbox_entry(Topic.VERIFICATIONS, "legacy-1", event)],
            "outbox_pending": True,
        }
    )
    legacy = runtime.database[POINTERS_COLLECTION]
    await legacy.insert_one(
        {"_id": "things:legacy-1", "collection": "things", "document_id": "legacy-1"}
    )
    relay = OutboxRelay(runtime.broker, runtime.topics, [things])

    assert await relay.drain(sweep=False) == 1
    assert await legacy.count_documents({"collection": "things"}) == 0
    assert await pointers_of(things).find_one({"_id": "legacy-1"}) is None


async def test_a_database_is_swept_for_pointerless_documents_once(runtime: Any, infra: Any) -> None:
    """What versions that wrote the pointer after the document may have left is found by the
    first relay on a database; later relays (a restarted replica) do not scan again."""
    await runtime.relay.stop()
    others = runtime.database["others"]
    stranded = {"outbox": [outbox_entry(Topic.VERIFICATIONS, "s", verification("v-s"))]}
    await others.insert_one({"_id": "stranded-1", **stranded, "outbox_pending": True})

    first = OutboxRelay(runtime.broker, runtime.topics, [others])
    assert await first.drain() == 1
    await others.insert_one({"_id": "stranded-2", **stranded, "outbox_pending": True})
    restarted = OutboxRelay(runtime.broker, runtime.topics, [others])
    assert await restarted.drain() == 0
    assert await restarted.drain(sweep=True) == 1
