"""Issue 13: the Kafka access matrix. Every topic × every kind of principal (anonymous, a
provider on its own and on another's topics, a university's read-only principal, each service),
writing and reading, against the real broker with SASL/SCRAM and ACLs; a provider cannot have a
credential issued in another's name; a revoked Kafka credential stops working on a connection
that is already open."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAuthorizationFailedError
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from confluent_kafka import KafkaError as LibrdkafkaError
from microcred_shared.events import ProviderTopic, Topic, TopicNames
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import COMPLETION_REPORTED
from microcred_shared.messaging.acls import (
    provider_group_prefix,
    reader_group_prefix,
    service_group_prefix,
)
from microcred_shared.messaging.connection import KafkaConnection

from microcred.ecosystem import story
from tests.reliability.conftest import Seeded
from tests.reliability.kafka_tools import json_of, read_everything
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(600)]

OWNER, OTHER = story.UNIVERSITY, story.COLLEGE
READER = "access-matrix-registry"
SERVICES = ("catalogue", "issuer", "verifier", "notifier")
READ_WAIT_S = 6.0

# Written out by hand, not derived from the ACL plan: this is what the trust model promises.
# The consumer of a provider's inbound topics may also write them: it writes their dead-letter
# twins, and both hold more power than that already (the issuer signs, the catalogue is the
# catalogue).
MAY_WRITE: dict[str, set[str]] = {
    Topic.CATALOGUE_PROVIDERS: {"catalogue"},
    Topic.CATALOGUE_ACHIEVEMENTS: {"catalogue"},
    Topic.CATALOGUE_PATHWAYS: {"catalogue"},
    Topic.CREDENTIALS_ISSUED: {"issuer"},
    Topic.CREDENTIALS_STATUS: {"issuer"},
    Topic.CREDENTIALS_LEARNER_NOTICES: {"issuer"},
    Topic.ISSUER_KEYS: {"issuer"},
    Topic.CREDENTIALS_STATUS_LISTS: {"issuer"},
    Topic.VERIFICATIONS: {"verifier"},
    "learning.{owner}.completions": {"owner", "issuer"},
    "partner.{owner}.course-events": {"owner", "catalogue"},
}
MAY_READ: dict[str, set[str]] = {
    Topic.CATALOGUE_PROVIDERS: {"issuer", "verifier"},
    Topic.CATALOGUE_ACHIEVEMENTS: {"catalogue", "issuer", "verifier", "notifier"},
    Topic.CATALOGUE_PATHWAYS: {"issuer", "verifier"},
    Topic.CREDENTIALS_ISSUED: {"catalogue", "notifier", "university"},
    Topic.CREDENTIALS_STATUS: {"catalogue", "issuer", "verifier", "notifier", "university"},
    Topic.CREDENTIALS_LEARNER_NOTICES: {"notifier"},  # e-mail addresses: the notifier alone
    Topic.ISSUER_KEYS: {"issuer", "verifier"},
    Topic.CREDENTIALS_STATUS_LISTS: {"verifier"},
    Topic.VERIFICATIONS: {"catalogue"},
    "learning.{owner}.completions": {"issuer"},
    "partner.{owner}.course-events": {"catalogue"},
    "learning.{owner}.completions.dlq": {"owner", "issuer"},
    "partner.{owner}.course-events.dlq": {"owner", "catalogue"},
}


@dataclass(frozen=True)
class Principal:
    kind: str  # "anonymous", "owner", "other provider", "university", or a service name
    connection: KafkaConnection
    group_prefix: str


@dataclass
class Matrix:
    outcomes: Counter[str] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)

    def record(self, action: str, who: str, topic: str, allowed: bool, expected: bool) -> None:
        verdict = "as expected" if allowed == expected else "WRONG"
        self.outcomes[f"{action} {'allowed' if allowed else 'refused'}: {verdict}"] += 1
        if allowed != expected:
            self.wrong.append(f"{who} {action} {topic}: {'allowed' if allowed else 'refused'}")


def physical(names: TopicNames, logical: str) -> str:
    return names.prefix + logical.format(owner=OWNER)


def allowed_kinds(kinds: set[str]) -> set[str]:
    return kinds


async def principals(seeded: Seeded, http: httpx.AsyncClient) -> list[Principal]:
    ecosystem = seeded.ecosystem
    names = ecosystem.topics
    reader = await http.post(
        seeded.url("catalogue", f"/admin/readers/{READER}/kafka-credentials"),
        json={"topics": [Topic.CREDENTIALS_ISSUED.value, Topic.CREDENTIALS_STATUS.value]},
        headers=seeded.admin("catalogue"),
    )
    assert reader.status_code == 201, reader.text
    issued = reader.json()
    assert issued["write_topics"] == []
    seeded.secrets_handed_out.add(issued["password"])
    admin = ecosystem.kafka
    found = [
        Principal("anonymous", KafkaConnection(admin.bootstrap_servers), "anonymous."),
        Principal("owner", seeded.provider_kafka[OWNER], provider_group_prefix(names, OWNER)),
        Principal(
            "other provider", seeded.provider_kafka[OTHER], provider_group_prefix(names, OTHER)
        ),
        Principal(
            "university",
            admin.as_principal(issued["username"], issued["password"]),
            reader_group_prefix(names, READER),
        ),
    ]
    found += [
        Principal(s, ecosystem.principal_of(s), service_group_prefix(names, s)) for s in SERVICES
    ]
    return found


async def try_write(principal: Principal, topics: Iterable[str]) -> dict[str, bool]:
    """Whether the principal could write one (harmless, undecodable) record to each topic."""
    producer = AIOKafkaProducer(**principal.connection.aiokafka_kwargs(), request_timeout_ms=5000)
    try:
        await asyncio.wait_for(producer.start(), 15)
    except (KafkaConnectionError, TimeoutError):
        await producer.stop()
        return dict.fromkeys(topics, False)
    results: dict[str, bool] = {}
    try:
        for topic in topics:
            try:
                await asyncio.wait_for(
                    producer.send_and_wait(topic, b"access-matrix probe", key=b"probe"), 15
                )
                results[topic] = True
            except (TopicAuthorizationFailedError, KafkaError, TimeoutError):
                results[topic] = False
    finally:
        await producer.stop()
    return results


def try_read(principal: Principal, topic: str) -> bool:
    """Whether the principal could fetch a record of ``topic`` (which has records)."""
    config: dict[str, Any] = {
        **principal.connection.librdkafka_config(),
        "group.id": principal.group_prefix + "access-probe",
        "enable.auto.commit": False,
    }
    consumer = Consumer(config)
    try:
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(3)])
        deadline = time.monotonic() + READ_WAIT_S
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            error = message.error()
            if error is None:
                return True
            if error.code() in (
                LibrdkafkaError.TOPIC_AUTHORIZATION_FAILED,
                LibrdkafkaError.GROUP_AUTHORIZATION_FAILED,
                LibrdkafkaError._AUTHENTICATION,
            ):
                return False
        return False  # a topic it may not even describe stays silent
    finally:
        consumer.close()


async def test_every_topic_refuses_every_principal_it_does_not_name(seeded: Seeded) -> None:
    names = seeded.ecosystem.topics
    async with httpx.AsyncClient(timeout=30) as http:
        everyone = await principals(seeded, http)
    matrix = Matrix()
    writable = {physical(names, t): kinds for t, kinds in MAY_WRITE.items()}
    for principal in everyone:
        for topic, allowed in (await try_write(principal, writable)).items():
            matrix.record(
                "write", principal.kind, topic, allowed, principal.kind in writable[topic]
            )

    readable = {physical(names, t): kinds for t, kinds in MAY_READ.items()}
    # The probes wrote to every topic and the consumers dead-lettered the probes on the
    # providers' topics: every topic now has a record to read.
    await eventually(
        lambda: read_everything(
            seeded.ecosystem.kafka, physical(names, "learning.{owner}.completions.dlq")
        ),
        timeout=60,
    )
    probes = [(p, topic) for p in everyone for topic in readable]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda probe: try_read(*probe), probes))
    for (principal, topic), allowed in zip(probes, results, strict=True):
        matrix.record("read", principal.kind, topic, allowed, principal.kind in readable[topic])

    print(
        f"\nkafka access matrix: {len(everyone)} principals × {len(writable)} topics written, "
        f"× {len(readable)} topics read: {dict(sorted(matrix.outcomes.items()))}"
    )
    assert matrix.wrong == []
    every_topic_read_by_someone = {t for (p, t), ok in zip(probes, results, strict=True) if ok}
    assert every_topic_read_by_someone == set(readable)  # the refusals are not empty topics


async def test_a_provider_cannot_have_a_credential_issued_in_anothers_name(seeded: Seeded) -> None:
    names = seeded.ecosystem.topics
    own_topic = names.of_provider(ProviderTopic.COMPLETIONS, OWNER)
    impersonation = CompletionV1.model_validate(
        {
            "completion_id": f"impersonation-{time.time_ns()}",
            "provider_id": OTHER,
            "achievement_id": story.achievement(OTHER, "VET-PLC"),
            "learner": {"email": "someone@attacker.example"},
            "completed_on": "2026-07-01",
        }
    )
    event = COMPLETION_REPORTED.envelope(impersonation, source=f"/providers/{OTHER}")
    producer = AIOKafkaProducer(**seeded.provider_kafka[OWNER].aiokafka_kwargs())
    await producer.start()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait(
                names.of_provider(ProviderTopic.COMPLETIONS, OTHER), event.to_json_bytes()
            )
        await producer.send_and_wait(own_topic, event.to_json_bytes(), key=b"impersonation")
    finally:
        await producer.stop()

    async def letter() -> dict[str, Any] | None:
        for record in await read_everything(seeded.ecosystem.kafka, own_topic + ".dlq"):
            data = (json_of(record) or {}).get("data", {})
            if impersonation.completion_id in data.get("original_value", ""):
                return dict(data)
        return None

    found = await eventually(letter, timeout=60)
    assert found["reason_code"] == "provider_mismatch"
    assert OTHER in found["reason"]


async def test_a_revoked_kafka_credential_stops_working_on_an_open_connection(
    seeded: Seeded,
) -> None:
    names = seeded.ecosystem.topics
    topic = names.of_provider(ProviderTopic.COURSE_EVENTS, OWNER)
    owner_key = {"Authorization": f"Bearer {seeded.catalogue_keys[OWNER]}"}
    async with httpx.AsyncClient(timeout=30) as http:
        created = await http.post(
            seeded.url("catalogue", f"/providers/{OWNER}/kafka-credentials"), headers=owner_key
        )
        assert created.status_code == 201, created.text
        issued = created.json()
        seeded.secrets_handed_out.add(issued["password"])
        connection = seeded.ecosystem.kafka.as_principal(issued["username"], issued["password"])
        producer = AIOKafkaProducer(**connection.aiokafka_kwargs(), request_timeout_ms=5000)
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"before revocation", key=b"probe")
            revoked = await http.delete(
                seeded.url(
                    "catalogue",
                    f"/providers/{OWNER}/kafka-credentials/{issued['credential_id']}",
                ),
                headers=owner_key,
            )
            assert revoked.status_code == 200, revoked.text
            began = time.monotonic()

            async def refused() -> bool:
                try:
                    await asyncio.wait_for(
                        producer.send_and_wait(topic, b"after revocation", key=b"probe"), 10
                    )
                except (TopicAuthorizationFailedError, KafkaError, TimeoutError):
                    return True
                return False

            await eventually(refused, timeout=30, interval=0.5)
            took = time.monotonic() - began
        finally:
            await producer.stop()
        listed = await http.get(
            seeded.url("catalogue", f"/providers/{OWNER}/kafka-credentials"), headers=owner_key
        )
    print(f"\nkafka revocation: an open producer was refused {took:.1f} s after the revocation")
    [entry] = [c for c in listed.json() if c["credential_id"] == issued["credential_id"]]
    assert entry["revoked_at"] is not None
    assert "password" not in entry
