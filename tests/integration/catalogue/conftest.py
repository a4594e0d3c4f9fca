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

from tests.support import eventually, read_topic

ADMIN = "integration-admin-token-0123456789"
TYPE = "org.microcred.partner.course.{}.v1"


class Catalogue:
    """One catalogue app in-process, in its own database and topics, plus a plain producer."""

    def __init__(self, infra: Any) -> None:
        name = f"cat_{infra.run_id}_{uuid.uuid4().hex[:6]}"
        self.settings = CatalogueSettings(
            kafka_bootstrap_servers=infra.kafka_bootstrap,
            mongodb_uri=infra.mongodb_uri,
            mongodb_database=name,
            topic_prefix=f"{name}.",
            admin_token=ADMIN,
            session_key="integration-session-key-0123456789",
            environment="test",
            relay_interval_seconds=0.05,
        )
        self.bootstrap = infra.kafka_bootstrap
        self.topic = f"{name}.partner.course-events"
        self.keys: dict[str, str] = {}
        self.published: dict[str, int] = {}

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

    def topic_of(self, logical: str) -> str:
        return f"{self.settings.topic_prefix}{logical}"

    async def send(self, value: bytes, key: str, topic: str | None = None) -> None:
        topic = topic or self.topic
        await self.producer.send_and_wait(topic, value, key=key.encode())
        self.published[topic] = self.published.get(topic, 0) + 1

    async def publish(self, source: str, action: str, data: dict[str, Any]) -> None:
        event = {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": source,
            "type": TYPE.format(action),
            "time": datetime.now(UTC).isoformat(),
            "datacontenttype": "application/json",
            "dataschema": f"https://microcred.example/schemas/events/partner.course.{action}.v1.json",
            "data": {"action": action, **data},
        }
        await self.send(json.dumps(event).encode(), f"{data['provider_id']}:{data['course_code']}")

    async def committed(self, topic: str) -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(
                f"{self.settings.topic_prefix}catalogue.{topic.removeprefix(self.settings.topic_prefix)}"
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
        letters = await read_topic(self.bootstrap, self.topic + ".dlq", expect=expect)
        return [json.loads(letter.value)["data"] for letter in letters]


@pytest.fixture(scope="module")
async def catalogue(infra: Any) -> AsyncIterator[Catalogue]:
    cat = Catalogue(infra)
    app = create_app(cat.settings)
    cat.producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
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
                await cat.producer.stop()
