"""The issuer app in-process on the real Kafka broker and MongoDB-wire database, a plain
aiokafka producer for the catalogue's and providers' events, and a topic reader."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from microcred_issuer.adapters.mongo_catalogue import MongoCatalogueView
from microcred_issuer.bootstrap import Issuer, create_app
from microcred_issuer.config import IssuerSettings
from microcred_issuer.domain.ids import CredentialIds
from microcred_shared.crypto import StaticKeyResolver, VerificationResult, verify_proofs
from microcred_shared.events import ProviderTopic, Topic
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    COMPLETION_REPORTED,
    PATHWAY_CHANGED,
    PROVIDER_CHANGED,
)
from microcred_shared.messaging.connection import KafkaConnection

from tests.infra import kafka_settings_of, provider_principal, provision_services
from tests.support import eventually
from tests.unit.issuer.fakes import achievement_event, pathway_event, provider_event

ADMIN_TOKEN = "integration-admin-token-0123456789"
BASE_URL = "http://issuer.test:8002"
CREDENTIAL_ID_KEY = "integration-credential-id-key-0123"
# The ids the issuer under test derives (the tests name credentials by their completion).
IDS = CredentialIds(CREDENTIAL_ID_KEY.encode())
SOURCE = "/tests/issuer"


def settings_for(infra: Any, name: str, **overrides: Any) -> IssuerSettings:
    values: dict[str, Any] = {
        "environment": "test",
        **infra.kafka_settings(),
        "mongodb_uri": infra.mongodb_uri,
        "mongodb_database": f"t{infra.run_id}_issuer_{name}",
        "topic_prefix": f"t{infra.run_id}.issuer-{name}.",
        "public_base_url": BASE_URL,
        "admin_token": ADMIN_TOKEN,
        "key_encryption_key": "integration-key-encryption-key-0123",
        "learner_salt_key": "integration-learner-salt-key-0123",
        "credential_id_key": CREDENTIAL_ID_KEY,
        "learner_access_key": "integration-learner-access-key-0123",
        "relay_interval_seconds": 0.05,
        "log_json": False,
    }
    values.update(overrides)
    return IssuerSettings(**values)


@dataclass
class RunningIssuer:
    app: FastAPI
    http: httpx.AsyncClient
    settings: IssuerSettings
    producer: AIOKafkaProducer  # the operator's: stands in for the catalogue's events
    admin: KafkaConnection
    providers: dict[str, AIOKafkaProducer] = field(default_factory=dict)

    @property
    def issuer(self) -> Issuer:
        found: Issuer = self.app.state.issuer
        return found

    def topic(self, topic: Topic) -> str:
        return self.settings.topics.of(topic)

    async def publish(self, topic: Topic, key: str, body: bytes) -> None:
        await self.producer.send_and_wait(self.topic(topic), body, key=key.encode())

    async def add_provider(self, provider_id: str, **changes: Any) -> None:
        event = PROVIDER_CHANGED.envelope(provider_event(provider_id, **changes), source=SOURCE)
        await self.publish(Topic.CATALOGUE_PROVIDERS, provider_id, event.to_json_bytes())

    async def add_achievement(self, achievement_id: str, provider_id: str, **changes: Any) -> None:
        data = achievement_event(achievement_id, provider_id, **changes)
        event = ACHIEVEMENT_CHANGED.envelope(data, source=SOURCE)
        await self.publish(Topic.CATALOGUE_ACHIEVEMENTS, achievement_id, event.to_json_bytes())

    async def add_pathway(self, pathway_id: str, *args: Any, **changes: Any) -> None:
        event = PATHWAY_CHANGED.envelope(pathway_event(pathway_id, *args, **changes), source=SOURCE)
        await self.publish(Topic.CATALOGUE_PATHWAYS, pathway_id, event.to_json_bytes())

    def completions_topic(self, provider_id: str) -> str:
        return self.settings.topics.of_provider(ProviderTopic.COMPLETIONS, provider_id)

    async def report(self, completion: CompletionV1, *, as_provider: str | None = None) -> None:
        """A provider's completion event (a fresh event id each time: a resubmission), sent
        by the provider on its own topic (``as_provider``: by another, on that one's topic)."""
        sender = as_provider or completion.provider_id
        producer = await self._provider_producer(sender)
        event = COMPLETION_REPORTED.envelope(completion, source=SOURCE)
        await producer.send_and_wait(
            self.completions_topic(sender), event.to_json_bytes(), key=sender.encode()
        )

    async def publish_raw_as(self, provider_id: str, bodies: list[bytes]) -> None:
        """Record values sent at once (not one acknowledged send after another) on the
        provider's own topic, by the provider."""
        producer = await self._provider_producer(provider_id)
        topic = self.completions_topic(provider_id)
        sent = [await producer.send(topic, body, key=provider_id.encode()) for body in bodies]
        await asyncio.gather(*sent)

    async def _provider_producer(self, provider_id: str) -> AIOKafkaProducer:
        if provider_id not in self.providers:
            connection = await provider_principal(
                self.admin, self.settings.topic_prefix, provider_id
            )
            producer = AIOKafkaProducer(**connection.aiokafka_kwargs(), acks="all")
            await producer.start()
            self.providers[provider_id] = producer
        return self.providers[provider_id]

    async def catalogue_knows(self, *achievement_ids: str, providers: tuple[str, ...] = ()) -> None:
        view = MongoCatalogueView(self.issuer.runtime.database)

        async def known() -> bool:
            found = [await view.achievement(a) for a in achievement_ids]
            for provider_id in providers:
                response = await self.http.get(f"/issuers/{provider_id}/did.json")
                if response.status_code != 200:
                    return False
            return all(found)

        await eventually(known, timeout=60)

    async def api_key(self, provider_id: str) -> str:
        response = await self.http.post(
            f"/admin/providers/{provider_id}/api-keys",
            headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert response.status_code == 201, response.text
        key: str = response.json()["api_key"]
        return key

    async def consumed(self, topic: Topic, *, timeout: float = 60) -> None:
        """Until the issuer's own consumer group has committed every record now on ``topic``:
        what the issuer does on reading them (its repairs) is done, not still on its way."""
        name = self.topic(topic)
        group = self.issuer.runtime.consumer_group_of(name)

        async def behind() -> int:
            admin = AIOKafkaAdminClient(**self.admin.aiokafka_kwargs())
            await admin.start()
            try:
                committed = await admin.list_consumer_group_offsets(group)
            finally:
                await admin.close()
            consumer = AIOKafkaConsumer(**self.admin.aiokafka_kwargs())
            await consumer.start()
            try:
                await consumer.topics()
                partitions = consumer.partitions_for_topic(name) or set()
                ends = await consumer.end_offsets([TopicPartition(name, p) for p in partitions])
            finally:
                await consumer.stop()
            done = {tp: meta.offset for tp, meta in committed.items()}
            return sum(end - done.get(tp, 0) for tp, end in ends.items())

        await eventually(behind, lambda left: left == 0, timeout=timeout)

    async def credential(self, credential_id: str, *, timeout: float = 60) -> dict[str, Any]:
        async def fetch() -> httpx.Response:
            return await self.http.get(f"/credentials/{credential_id}")

        response = await eventually(fetch, lambda r: r.status_code == 200, timeout=timeout)
        document: dict[str, Any] = response.json()
        return document

    async def verify(self, document: dict[str, Any]) -> VerificationResult:
        """Verify with the issuer's served did:web document (rotation history included)."""
        issuer = document["issuer"]
        provider_id = (issuer if isinstance(issuer, str) else issuer["id"]).rsplit(":", 1)[-1]
        did_doc = (await self.http.get(f"/issuers/{provider_id}/did.json")).json()
        return verify_proofs(document, StaticKeyResolver.from_documents(did_doc))


def completion(
    completion_id: str, provider_id: str, achievement_id: str, email: str = "ada@example.org"
) -> CompletionV1:
    return CompletionV1.model_validate(
        {
            "completion_id": completion_id,
            "provider_id": provider_id,
            "achievement_id": achievement_id,
            "learner": {"email": email, "name": "Ada"},
            "completed_on": date(2025, 5, 30).isoformat(),
            "results": [{"name": "Final grade", "value": "A"}],
        }
    )


@asynccontextmanager
async def running_issuer(settings: IssuerSettings) -> AsyncIterator[RunningIssuer]:
    """The issuer as its own Kafka principal, in a deployment ``settings``' operator
    connection provisions."""
    admin = settings.kafka
    principals = await provision_services(admin, settings.topic_prefix)
    settings = settings.model_copy(update=kafka_settings_of(principals["issuer"]))
    app = create_app(settings)
    producer = AIOKafkaProducer(**admin.aiokafka_kwargs())
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        await producer.start()
        transport = httpx.ASGITransport(app=app)
        providers: dict[str, AIOKafkaProducer] = {}
        try:
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
                yield RunningIssuer(app, http, settings, producer, admin, providers)
        finally:
            for provider_producer in providers.values():
                await provider_producer.stop()
            await producer.stop()


async def drain(
    connection: KafkaConnection,
    topic: str,
    *,
    until: Any,
    timeout: float = 60,
    settle: float = 1.5,
) -> list[dict[str, Any]]:
    """Every CloudEvent on ``topic`` (as JSON) once ``until(events)`` holds and nothing more
    has arrived for ``settle`` seconds: enough to tell "exactly one" from "one so far"."""
    consumer = AIOKafkaConsumer(
        topic,
        **connection.aiokafka_kwargs(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    events: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            records = [r for part in batch.values() for r in part]
            if records:
                events.extend(json.loads(r.value) for r in records)
                quiet_since = time.monotonic()
            elif until(events) and time.monotonic() - quiet_since >= settle:
                return events
            await asyncio.sleep(0)
        raise AssertionError(f"{topic}: condition not met within {timeout}s; got {len(events)}")
    finally:
        await consumer.stop()


def now() -> datetime:
    return datetime.now(UTC)
