"""The endorsement store keeps one contract on the MongoDB-wire database and in the unit tests'
fake: one endorsement per id, its next state only from the sequence it was read at, a target's
active endorsements (what issuance embeds) and a withdrawn one's bit in the partner's list."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from microcred_issuer.adapters.mongo_credentials import MongoCredentials
from microcred_issuer.adapters.mongo_endorsements import MongoEndorsements
from microcred_issuer.domain.endorsements import Endorsement
from microcred_issuer.domain.status_list import StatusSlot
from microcred_issuer.service_layer.ports import Credentials
from microcred_issuer.service_layer.ports_endorsements import EndorsementStore
from pymongo import AsyncMongoClient

from tests.unit.issuer.fakes import FakeCredentials, FakeEndorsements, Outbox

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
Stores = tuple[EndorsementStore, Credentials]


@pytest.fixture(params=["mongodb", "fake"])
async def stores(request: pytest.FixtureRequest, infra: Any) -> AsyncIterator[Stores]:
    if request.param == "fake":
        credentials = FakeCredentials(Outbox())
        yield FakeEndorsements(Outbox(), credentials), credentials
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_endorsements_{uuid.uuid4().hex[:8]}"
    database = client[name]
    try:
        yield MongoEndorsements(database), MongoCredentials(database)
    finally:
        await client.drop_database(name)
        await client.close()


def endorsement(
    endorsement_id: str, target_id: str = "uni-a:MECH-1", index: int = 5
) -> Endorsement:
    return Endorsement(
        endorsement_id=endorsement_id,
        endorser_id="kessler",
        endorser_name="Kessler Automation",
        endorser_did="did:web:issuer.test:issuers:kessler",
        target_kind="achievement",
        target_id=target_id,
        target_provider_id="uni-a",
        comment="We hire its graduates.",
        document={
            "id": f"http://issuer.test/endorsements/{endorsement_id}",
            "validFrom": f"2026-06-01T12:00:0{index}Z",
        },
        slot=StatusSlot("kessler", 1, index),
        issued_at=NOW,
    )


async def test_an_endorsement_is_stored_once_and_changes_only_from_its_sequence(
    stores: Stores,
) -> None:
    store, _ = stores
    first = endorsement("e-1")

    added = await store.add(first, [])
    again = await store.add(replace(first, comment="Changed"), [])
    withdrawn = first.withdrawn(NOW)
    assert withdrawn is not None
    replaced = await store.replace(withdrawn, expected_sequence=1, events=[])
    stale = await store.replace(replace(withdrawn, comment="Late"), expected_sequence=1, events=[])

    assert (added, again, replaced, stale) == (True, False, True, False)
    assert await store.get("e-1") == withdrawn
    assert await store.get("missing") is None


async def test_a_targets_active_endorsements_are_embedded_and_a_withdrawn_one_sets_its_bit(
    stores: Stores,
) -> None:
    store, credentials = stores
    kept, dropped = endorsement("e-1", index=1), endorsement("e-2", index=2)
    elsewhere = endorsement("e-3", target_id="uni-a:HYD-2", index=3)
    for item in (kept, dropped, elsewhere):
        await store.add(item, [])
        await store.index(item)
    withdrawn = dropped.withdrawn(NOW)
    assert withdrawn is not None
    await store.replace(withdrawn, expected_sequence=1, events=[])
    await store.index(withdrawn)
    await store.index(withdrawn)  # indexing again (a retried withdrawal) changes nothing

    active = await store.active_for(["achievement:uni-a:MECH-1", "achievement:none"])

    assert active == {"achievement:uni-a:MECH-1": [kept.document]}
    assert await credentials.set_indexes("kessler", 1, "revocation") == [2]
    listed = await store.of_endorser("kessler")
    assert sorted(e.endorsement_id for e in listed) == ["e-1", "e-2", "e-3"]
