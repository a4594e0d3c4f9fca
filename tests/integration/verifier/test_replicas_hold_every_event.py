"""On the real stack: every replica holds every projection event in memory (a consumer group of
its own per topic), and a replica starts serving with what the database held."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from microcred_shared.events.registry import ISSUER_KEYS_CHANGED_V2, PROVIDER_CHANGED
from microcred_shared.mongo import create_client
from microcred_verifier.adapters.held_projections import HeldProjections
from microcred_verifier.adapters.mongo_projections import MongoProjections
from microcred_verifier.bootstrap import create_app
from microcred_verifier.config import VerifierSettings

from tests.infra import kafka_settings_of, provision_services
from tests.support import eventually
from tests.unit.verifier.projections_contract import DID, keys, provider

pytestmark = pytest.mark.integration

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _settings(infra: Any, name: str) -> VerifierSettings:
    return VerifierSettings(
        **infra.kafka_settings(),
        mongodb_uri=infra.mongodb_uri,
        mongodb_database=f"t{infra.run_id}_verifier_{name}",
        topic_prefix=f"t{infra.run_id}.{name}.",
        fetch_enabled=False,
        publish_events=False,
    )


async def test_two_replicas_both_hold_each_event_of_the_compacted_topics(infra: Any) -> None:
    settings = _settings(infra, "replicas")
    principals = await provision_services(infra.kafka, settings.topic_prefix)
    as_verifier = settings.model_copy(update=kafka_settings_of(principals["verifier"]))
    replicas = [create_app(as_verifier), create_app(as_verifier)]
    producer = AIOKafkaProducer(**infra.kafka.aiokafka_kwargs())
    await producer.start()
    try:
        async with AsyncExitStack() as running:
            for app in replicas:
                await running.enter_async_context(LifespanManager(app, startup_timeout=60))
            for spec, data in ((PROVIDER_CHANGED, provider(1)), (ISSUER_KEYS_CHANGED_V2, keys(1))):
                assert spec.topic is not None
                event = spec.envelope(data, source="/tests").to_json_bytes()
                await producer.send_and_wait(settings.topics.of(spec.topic), event, key=b"rvu")

            for app in replicas:
                found = await eventually(
                    lambda app=app: app.state.projections.provider_by_did(DID), timeout=60
                )
                assert found.provider_id == "rvu"
    finally:
        await producer.stop()
        client = create_client(infra.mongodb_uri, app_name="tests")
        await client.drop_database(settings.mongodb_database)
        await client.close()


async def test_a_starting_replica_serves_what_the_database_held_before_reading_kafka(
    infra: Any,
) -> None:
    """The topics of this deployment are empty: all it knows came from the database."""
    settings = _settings(infra, "restart")
    principals = await provision_services(infra.kafka, settings.topic_prefix)
    client = create_client(infra.mongodb_uri, app_name="tests")
    try:
        earlier = HeldProjections(MongoProjections(client[settings.mongodb_database]))
        await earlier.apply_provider(provider(3, trust="suspended"), NOW)
        await earlier.apply_issuer_keys(keys(1), NOW)
        app = create_app(settings.model_copy(update=kafka_settings_of(principals["verifier"])))

        async with LifespanManager(app, startup_timeout=60):
            served = await app.state.projections.provider_by_did(DID)
            freshness = await app.state.projections.freshness("providers")

        assert served.trust == "suspended"
        assert freshness.as_of == NOW
    finally:
        await client.drop_database(settings.mongodb_database)
        await client.close()
