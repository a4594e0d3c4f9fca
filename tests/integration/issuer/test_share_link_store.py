"""Share links keep one contract on the MongoDB-wire database and in the unit tests' fake: by
token, per learner (oldest first), and withdrawn as stored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_issuer.adapters.mongo_share_links import MongoShareLinks
from microcred_issuer.domain.share_links import new_share_link
from microcred_issuer.service_layer.ports import ShareLinks
from pymongo import AsyncMongoClient

from tests.unit.issuer.fakes import FakeShareLinks

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["mongodb", "fake"])
async def links(request: pytest.FixtureRequest, infra: Any) -> AsyncIterator[ShareLinks]:
    if request.param == "fake":
        yield FakeShareLinks()
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_share_links_{uuid.uuid4().hex[:8]}"
    try:
        yield MongoShareLinks(client[name])
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_link_is_found_by_its_token_and_listed_for_its_learner_only(
    links: ShareLinks,
) -> None:
    first = new_share_link("c-1", "ada", NOW)
    second = new_share_link("c-2", "ada", NOW + timedelta(minutes=1))
    other = new_share_link("c-3", "grace", NOW)
    for link in (second, first, other):
        await links.add(link)

    assert await links.get(first.share_id) == first
    assert await links.get("no-such-token") is None
    assert await links.of_learner("ada") == [first, second]
    assert await links.of_learner("nobody") == []


async def test_a_withdrawn_link_is_stored_withdrawn(links: ShareLinks) -> None:
    link = new_share_link("c-1", "ada", NOW)
    await links.add(link)
    withdrawn = link.withdrawn(NOW + timedelta(hours=1))
    await links.save(withdrawn)

    assert await links.get(link.share_id) == withdrawn
    assert (await links.of_learner("ada"))[0].withdrawn_at == NOW + timedelta(hours=1)
