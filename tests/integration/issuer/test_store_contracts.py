"""The issuer's stores keep one contract, whichever implements it: each test runs against the
MongoDB-wire database (the adapter the service runs on) and against the in-memory fake the
unit tests use, so a fake that drifts from the database fails here, not in production."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_issuer.adapters.mongo_cohort_jobs import MongoCohortJobs
from microcred_issuer.adapters.mongo_credentials import MongoCredentials, MongoStatusSlots
from microcred_issuer.domain.cohort import CohortJob, CohortRowResult
from microcred_issuer.domain.records import IssuedCredential
from microcred_issuer.domain.status_list import StatusSlot
from microcred_issuer.service_layer.ports import (
    CohortJobStore,
    Credentials,
    NewCredential,
    StatusSlots,
)
from pymongo import AsyncMongoClient

from tests.unit.issuer.fakes import FakeCohortJobs, FakeCredentials, FakeSlots, Outbox

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
Stores = tuple[Credentials, StatusSlots, CohortJobStore]


@pytest.fixture(params=["mongodb", "fake"])
async def stores(request: pytest.FixtureRequest, infra: Any) -> AsyncIterator[Stores]:
    if request.param == "fake":
        yield FakeCredentials(Outbox()), FakeSlots(), FakeCohortJobs()
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_contracts_{uuid.uuid4().hex[:8]}"
    database = client[name]
    try:
        yield MongoCredentials(database), MongoStatusSlots(database), MongoCohortJobs(database)
    finally:
        await client.drop_database(name)
        await client.close()


def credential(credential_id: str, learner_ref: str = "learner-1") -> IssuedCredential:
    return IssuedCredential(
        credential_id=credential_id,
        kind="completion",
        provider_id="uni-a",
        achievement_id="uni-a:MECH-1",
        achievement_name="Mechatronics",
        learner_ref=learner_ref,
        issuer_did="did:web:issuer.test:issuers:uni-a",
        issued_at=NOW,
        valid_until=None,
        slot=StatusSlot("uni-a", 1, int(credential_id.rsplit("-", 1)[-1])),
        document={"id": f"urn:uuid:{credential_id}", "name": "Mechatronics"},
    )


async def test_credentials_added_at_once_are_each_stored_once(stores: Stores) -> None:
    credentials, _, _ = stores
    first = [NewCredential(credential(f"c-{n}"), []) for n in range(3)]

    added = await credentials.add_many(first)
    again = await credentials.add_many(
        [
            NewCredential(replace(credential("c-1"), achievement_name="Changed"), []),
            NewCredential(credential("c-3", learner_ref="learner-2"), []),
        ]
    )
    found = await credentials.get_many(["c-0", "c-1", "c-3", "c-9"])

    assert added == [True, True, True]
    assert again == [False, True]
    assert sorted(found) == ["c-0", "c-1", "c-3"]
    assert found["c-1"].achievement_name == "Mechatronics"  # the first stays as it was
    assert found["c-0"].document == credential("c-0").document
    held = await credentials.of_learner("learner-1")
    assert sorted(c.credential_id for c in held) == ["c-0", "c-1", "c-2"]


async def test_a_learners_credentials_from_several_batches_are_all_listed(stores: Stores) -> None:
    credentials, _, _ = stores

    await credentials.add_many([NewCredential(credential("c-0", "learner-a"), [])])
    await credentials.add_many(
        [
            NewCredential(credential("c-1", "learner-a"), []),
            NewCredential(credential("c-2", "learner-b"), []),
            NewCredential(credential("c-3", "learner-a"), []),
        ]
    )
    await credentials.add_many([NewCredential(credential("c-3", "learner-a"), [])])

    held_a = await credentials.of_learner("learner-a")
    held_b = await credentials.of_learner("learner-b")
    assert [c.credential_id for c in held_a] == ["c-0", "c-1", "c-3"]
    assert [c.credential_id for c in held_b] == ["c-2"]
    assert await credentials.of_learner("learner-c") == []


async def test_a_status_index_goes_to_one_credential_only(stores: Stores) -> None:
    _, slots, _ = stores

    first = await slots.claim_many("uni-a", 1, [(7, "c-1"), (8, "c-2")])
    second = await slots.claim_many("uni-a", 1, [(7, "c-3"), (9, "c-3"), (8, "c-2")])
    other_shard = await slots.claim_many("uni-a", 2, [(7, "c-4")])

    assert first == [True, True]
    assert second == [False, True, False]  # taken is taken, even by the same credential
    assert other_shard == [True]
    assert await slots.shards() == [("uni-a", 1), ("uni-a", 2)]


async def test_a_cohort_job_advances_only_from_the_version_it_was_read_at(stores: Stores) -> None:
    _, _, jobs = stores
    job = CohortJob("job-1", "uni-a", total=3, batch_size=2, submitted_at=NOW, updated_at=NOW)
    await jobs.create(job, "sealed-csv")
    rows = [CohortRowResult(2, "r1", "issued", "c-1"), CohortRowResult(3, None, "rejected")]

    await jobs.put_results("job-1", 0, rows)
    await jobs.put_results("job-1", 0, rows[:1])  # a batch answered again replaces its rows
    advanced = job.after_batch(rows, NOW + timedelta(seconds=1))
    saved = await jobs.save(advanced, expected_version=0)
    stale = await jobs.save(replace(advanced, issued=99), expected_version=0)

    assert (saved, stale) == (True, False)
    stored = await jobs.get("job-1")
    assert stored == advanced
    assert await jobs.results("job-1", 0) == rows[:1]
    assert await jobs.results("job-1", 1) == []
    assert [j.job_id for j in await jobs.unfinished()] == ["job-1"]
    assert await jobs.csv("job-1") == "sealed-csv"
    finished = advanced.after_batch(rows[:1], NOW + timedelta(seconds=2))
    assert await jobs.save(finished, expected_version=1)
    await jobs.drop_csv("job-1")
    assert await jobs.unfinished() == []
    assert await jobs.csv("job-1") is None
    assert await jobs.get("missing") is None
