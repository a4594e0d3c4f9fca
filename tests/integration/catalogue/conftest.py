"""The catalogue app in-process on the real broker and database, one per test module."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from microcred_catalogue.bootstrap import create_app
from microcred_catalogue.config import CatalogueSettings
from microcred_shared.events import ProviderTopic
from microcred_shared.messaging.connection import KafkaConnection
from pydantic import SecretStr

from tests.infra import kafka_settings_of, provision_services
from tests.support import eventually, read_topic

ADMIN = "integration-admin-token-0123456789"
TYPE = "org.microcred.partner.course.{}.v1"


class Catalogue:
    """One catalogue app in-process, in its own database and topics, as its own Kafka principal
    with the registrar's credential; each registered provider publishes as itself."""

    def __init__(self, infra: Any) -> None:
        name = f"cat_{infra.run_id}_{uuid.uuid4().hex[:6]}"
        self.settings = CatalogueSettings(
            **infra.kafka_settings(),
            mongodb_uri=infra.mongodb_uri,
            mongodb_database=name,
            topic_prefix=f"{name}.",
            admin_token=ADMIN,
            session_key="integration-session-key-0123456789",
            environment="test",
            relay_interval_seconds=0.05,
        )
        self.admin: KafkaConnection = infra.kafka
        self.topic = self.course_topic("uni-a")
        self.keys: dict[str, str] = {}
        self.kafka: dict[str, dict[str, Any]] = {}  # each provider's issued Kafka credential
        self.producers: dict[str, AIOKafkaProducer] = {}
        self.published: dict[str, int] = {}

    def course_topic(self, provider_id: str) -> str:
        return self.settings.topics.of_provider(ProviderTopic.COURSE_EVENTS, provider_id)

    def connection_of(self, provider_id: str) -> KafkaConnection:
        issued = self.kafka[provider_id]
        return self.admin.as_principal(issued["username"], issued["password"])

    async def as_its_own_principal(self) -> CatalogueSettings:
        """The deployment provisioned; the settings the catalogue runs with: its own principal
        and the registrar's."""
        principals = await provision_services(self.admin, self.settings.topic_prefix)
        registrar = principals["registrar"]
        return self.settings.model_copy(
            update={
                **kafka_settings_of(principals["catalogue"]),
                "kafka_registrar_username": registrar.username,
                "kafka_registrar_password": SecretStr(registrar.password or ""),
            }
        )

    async def register(self, provider_id: str) -> None:
        response = await self.http.post(
            "/admin/providers",
            headers={"Authorization": f"Bearer {ADMIN}"},
            json={
                "provider_id": provider_id,
                "name": f"Provider {provider_id}",
                "provider_type": "university",
                "country": "Austria",
                "accreditation": {"status": "accredited", "body": "AQ Austria"},
            },
        )
        assert response.status_code == 201, response.text
        self.keys[provider_id] = response.json()["api_key"]
        self.kafka[provider_id] = response.json()["kafka"]
        producer = AIOKafkaProducer(**self.connection_of(provider_id).aiokafka_kwargs())
        await producer.start()
        self.producers[provider_id] = producer

    def topic_of(self, logical: str) -> str:
        return f"{self.settings.topic_prefix}{logical}"

    async def send(self, value: bytes, key: str, topic: str | None = None) -> None:
        """Publish as the operator (``topic``) or, by default, as uni-a on its own topic."""
        producer = self.producer if topic else self.producers["uni-a"]
        topic = topic or self.topic
        await producer.send_and_wait(topic, value, key=key.encode())
        self.published[topic] = self.published.get(topic, 0) + 1

    async def publish(self, sender: str, action: str, data: dict[str, Any]) -> None:
        """A course event ``sender`` publishes on its own topic, as itself."""
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": f"/providers/{sender}",
            "type": TYPE.format(action),
            "time": datetime.now(UTC).isoformat(),
            "datacontenttype": "application/json",
            "dataschema": f"https://microcred.example/schemas/events/partner.course.{action}.v1.json",
            "data": {"action": action, **data},
        }
        topic = self.course_topic(sender)
        key = f"{data['provider_id']}:{data['course_code']}"
        await self.producers[sender].send_and_wait(
            topic, json.dumps(event).encode(), key=key.encode()
        )
        self.published[topic] = self.published.get(topic, 0) + 1

    async def committed(self, topic: str) -> int:
        admin = AIOKafkaAdminClient(**self.admin.aiokafka_kwargs())
        logical = topic.removeprefix(self.settings.topic_prefix)
        per_provider = any(
            self.settings.topics.provider_of(family, topic) for family in ProviderTopic
        )
        group = "course_events" if per_provider else logical
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(
                f"{self.settings.topic_prefix}catalogue.{group}"
            )
        finally:
            await admin.close()
        return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic)

    async def all_processed(self, topic: str | None = None) -> None:
        """Wait until the catalogue acknowledged every record published so far on ``topic``."""
        topic = topic or self.topic
        expected = self.published.get(topic, 0)
        await eventually(lambda: self.committed(topic), lambda n: n >= expected, timeout=45)

    async def achievement(self, achievement_id: str) -> httpx.Response:
        return await self.http.get(f"/achievements/{achievement_id}")

    async def dead_letters(self, expect: int) -> list[dict[str, Any]]:
        letters = await read_topic(self.admin, self.topic + ".dlq", expect=expect)
        return [json.loads(letter.value)["data"] for letter in letters]


@pytest.fixture(scope="module")
async def catalogue(infra: Any) -> AsyncIterator[Catalogue]:
    cat = Catalogue(infra)
    app = create_app(await cat.as_its_own_principal())
    cat.producer = AIOKafkaProducer(**infra.kafka.aiokafka_kwargs())
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        await cat.producer.start()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as http:
            cat.http = http
            await cat.register("uni-a")
            await cat.register("vet-b")
            try:
                yield cat
            finally:
                for producer in [cat.producer, *cat.producers.values()]:
                    await producer.stop()
