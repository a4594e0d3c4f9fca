"""Issue 8: poison on every topic the services consume (malformed JSON, a 500 KB value, an event
that violates its schema) is dead-lettered with a reason, and the event after it is processed."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from microcred_shared.events import ProviderTopic, Topic, TopicNames
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import COMPLETION_REPORTED
from pymongo import AsyncMongoClient

from microcred.ecosystem import story
from tests.reliability.conftest import Seeded
from tests.reliability.kafka_tools import json_of, publish_raw, read_everything
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(300)]

CONSUMED = (
    Topic.VERIFICATIONS,
    Topic.CATALOGUE_PROVIDERS,
    Topic.CATALOGUE_ACHIEVEMENTS,
    Topic.CATALOGUE_PATHWAYS,
    Topic.ISSUER_KEYS,
    Topic.CREDENTIALS_ISSUED,
    Topic.CREDENTIALS_STATUS,
    Topic.CREDENTIALS_STATUS_LISTS,
    Topic.CREDENTIALS_LEARNER_NOTICES,
)
# A provider's own inbound topics: the poison there is the provider's, sent as the provider.
CONSUMED_PER_PROVIDER = (ProviderTopic.COURSE_EVENTS, ProviderTopic.COMPLETIONS)
PARTITION = 0  # poison and the good event after it share a partition, so their order is fixed
POISON_KINDS = ("malformed JSON", "500 KB value", "schema violation")


def poison(good: dict[str, Any]) -> list[bytes]:
    violating = {**good, "id": f"poison-{secrets.token_hex(8)}", "data": {"unexpected": True}}
    return [
        b'{"specversion": "1.0", "id": ',
        json.dumps({"padding": "x" * 500_000}).encode(),
        json.dumps(violating).encode(),
    ]


async def test_poison_on_every_consumed_topic_is_dead_lettered_and_does_not_block(
    seeded: Seeded,
) -> None:
    ecosystem = seeded.ecosystem
    topics = TopicNames(ecosystem.topic_prefix)
    run = secrets.token_hex(4)
    await make_every_topic_carry_an_event(seeded, run)

    async def last_event_on(topic: str) -> dict[str, Any] | None:
        events = [json_of(r) for r in await read_everything(ecosystem.kafka, topic)]
        return next((e for e in reversed(events) if e and "specversion" in e), None)

    fresh_completion = f"poison/{run}/after"
    completions = topics.of_provider(ProviderTopic.COMPLETIONS, story.UNIVERSITY)

    async def latest_events() -> dict[str, dict[str, Any] | None]:
        # The completions topic gets a new completion instead: its credential must appear.
        others = [topics.of(t) for t in CONSUMED]
        others.append(topics.of_provider(ProviderTopic.COURSE_EVENTS, story.UNIVERSITY))
        return {name: await last_event_on(name) for name in others}

    latest = await eventually(
        latest_events, lambda found: None not in found.values(), timeout=60, interval=1.0
    )
    latest[completions] = json.loads(completion_event(fresh_completion))
    provider = seeded.provider_kafka[story.UNIVERSITY]
    poisoned: dict[str, list[int]] = {}
    good_offsets: dict[str, int] = {}
    for name, good in latest.items():
        assert good is not None
        records = [(b"poison", value) for value in poison(good)]
        records.append((str(good.get("subject") or "good").encode(), json.dumps(good).encode()))
        # Each topic's poison comes from whoever may write it: the provider on its own topics,
        # the operator (standing in for a broken service) on the others.
        sender = provider if name in (completions, *provider_topics(topics)) else ecosystem.kafka
        offsets = await publish_raw(sender, name, records, partition=PARTITION)
        poisoned[name], good_offsets[name] = offsets[:-1], offsets[-1]

    async def letters() -> dict[str, dict[int, list[dict[str, Any]]]]:
        found: dict[str, dict[int, list[dict[str, Any]]]] = {}
        for name, offsets in poisoned.items():
            by_offset: dict[int, list[dict[str, Any]]] = {o: [] for o in offsets}
            for record in await read_everything(ecosystem.kafka, name + ".dlq"):
                letter = (json_of(record) or {}).get("data", {})
                if letter.get("partition") == PARTITION and letter.get("offset") in by_offset:
                    by_offset[letter["offset"]].append(letter)
            found[name] = by_offset
        return found

    dead = await eventually(
        letters,
        lambda found: all(all(ls for ls in o.values()) for o in found.values()),
        timeout=120,
        interval=1.0,
    )
    groups = {
        name: {x["consumer_group"] for ls in o.values() for x in ls} for name, o in dead.items()
    }
    for by_offset in dead.values():
        for letters_of_one in by_offset.values():
            assert all(letter["reason_code"] and letter["reason"] for letter in letters_of_one)

    admin = AIOKafkaAdminClient(**ecosystem.kafka.aiokafka_kwargs())
    await admin.start()
    try:

        async def behind() -> list[str]:
            late = []
            for name, consumers in groups.items():
                partition = TopicPartition(name, PARTITION)
                for group in consumers:
                    committed = await admin.list_consumer_group_offsets(
                        group, partitions=[partition]
                    )
                    position = committed.get(partition)
                    if position is None or position.offset <= good_offsets[name]:
                        late.append(f"{group} on {name}")
            return late

        await eventually(behind, lambda late: late == [], timeout=120, interval=1.0)
    finally:
        await admin.close()

    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(ecosystem.mongodb_uri)
    try:
        credentials = mongo[seeded.issuer_database]["credentials"]
        await eventually(
            lambda: credentials.count_documents({"completion_id": fresh_completion}),
            lambda n: n == 1,
            timeout=60,
        )
    finally:
        await mongo.close()
    reasons = sorted({x["reason_code"] for o in dead.values() for ls in o.values() for x in ls})
    print(
        f"\npoison: {len(latest)} topics × {len(POISON_KINDS)} poison records → "
        f"{sum(len(ls) for o in dead.values() for ls in o.values())} dead letters from "
        f"{len({g for gs in groups.values() for g in gs})} consumer groups, reasons {reasons}; "
        "every group committed past the good event after them"
    )


def provider_topics(topics: TopicNames) -> list[str]:
    return [topics.of_provider(family, story.UNIVERSITY) for family in CONSUMED_PER_PROVIDER]


def completion_event(completion_id: str) -> bytes:
    completion = CompletionV1(
        completion_id=completion_id,
        provider_id=story.UNIVERSITY,
        achievement_id=story.achievement(story.UNIVERSITY, "ROB-610"),
        learner={"email": f"{completion_id.replace('/', '-')}@learners.example"},
        completed_on="2026-07-01",
    )
    source = f"/providers/{story.UNIVERSITY}"
    return COMPLETION_REPORTED.envelope(
        completion, source=source, subject=completion_id
    ).to_json_bytes()


async def make_every_topic_carry_an_event(seeded: Seeded, run: str) -> None:
    """Issue, revoke and verify a credential and define a pathway, so every topic has events."""
    async with httpx.AsyncClient(timeout=30) as http:
        issued = await http.post(
            seeded.url("issuer", "/completions"),
            json={
                "completion_id": f"poison/{run}/before",
                "achievement_id": story.achievement(story.UNIVERSITY, "ROB-610"),
                "learner": {"email": f"poison-{run}@learners.example"},
                "completed_on": "2026-07-01",
            },
            headers={"Authorization": f"Bearer {seeded.issuer_keys[story.UNIVERSITY]}"},
        )
        assert issued.status_code == 201, issued.text
        credential_id = issued.json()["credential_id"]
        await seeded.revoke(http, credential_id, "poison test")
        pathway = story.PATHWAYS[0]
        defined = await seeded.put_pathway(
            http, pathway["pathway_id"], {**pathway["body"], "owner_provider_id": pathway["owner"]}
        )
        assert defined.status_code in (200, 201), defined.text
        document = (await http.get(seeded.url("issuer", f"/credentials/{credential_id}"))).json()
        verified = await http.post(seeded.url("verifier", "/verify"), json={"credential": document})
        assert verified.status_code == 200, verified.text
