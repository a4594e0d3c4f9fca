"""A catalogue replica's own consumer group (its search projection reads the whole compacted
achievements topic) is deleted when it stops: restarts leave no groups behind on the broker."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from asgi_lifespan import LifespanManager
from microcred_catalogue.bootstrap import create_app
from microcred_shared.messaging.connection import KafkaConnection

from tests.integration.catalogue.conftest import Catalogue
from tests.support import eventually

pytestmark = pytest.mark.integration


async def search_groups(admin: KafkaConnection, prefix: str) -> set[str]:
    client = AIOKafkaAdminClient(**admin.aiokafka_kwargs())
    await client.start()
    try:
        listed = await client.list_consumer_groups()
    finally:
        await client.close()
    return {group for group, _ in listed if group.startswith(f"{prefix}catalogue.search.")}


async def test_each_restart_replaces_the_replicas_search_group_instead_of_adding_one(
    infra: Any,
) -> None:
    catalogue = Catalogue(infra)
    settings = await catalogue.as_its_own_principal()  # deleting needs the service's own grant
    prefix = settings.topic_prefix
    seen: list[set[str]] = []
    for _ in range(2):
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
            seen.append(
                await eventually(lambda: search_groups(infra.kafka, prefix), lambda g: len(g) == 1)
            )
        assert await search_groups(infra.kafka, prefix) == set()

    assert seen[0] != seen[1]  # one group per process life, gone with it
