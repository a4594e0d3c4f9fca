"""The learner e-mail log keeps one contract on the database and in the fake the unit tests use:
an e-mail may be claimed again until it is marked sent, never after."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from microcred_notifier.adapters.mongo_deliveries import MongoEmailLog
from microcred_notifier.service_layer.ports import EmailLog
from pymongo import AsyncMongoClient

from tests.unit.notifier.fakes import FakeEmailLog

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(params=["mongodb", "fake"])
async def log(request: pytest.FixtureRequest, infra: Any) -> AsyncIterator[EmailLog]:
    if request.param == "fake":
        yield FakeEmailLog()
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_emails_{uuid.uuid4().hex[:8]}"
    try:
        yield MongoEmailLog(client[name])
    finally:
        await client.drop_database(name)
        await client.close()


async def claim(log: EmailLog, email_id: str) -> bool:
    (claimed,) = await log.claim_many([(email_id, "cred-1")])
    return claimed


async def test_an_email_is_claimable_until_it_is_marked_sent(log: EmailLog) -> None:
    first = await claim(log, "email-1")
    retried = await claim(log, "email-1")  # the send failed: the redelivery retries
    await log.mark_sent_many(["email-1"])
    after_sending = await claim(log, "email-1")
    await log.mark_sent_many(["email-1"])  # a second mark (a crash after marking) changes nothing
    other = await claim(log, "email-2")

    assert (first, retried, after_sending, other) == (True, True, False, True)
    assert await claim(log, "email-1") is False


async def test_a_batch_of_claims_answers_for_each_email(log: EmailLog) -> None:
    await log.claim_many([("sent", "c"), ("claimed", "c")])
    await log.mark_sent_many(["sent"])

    answers = await log.claim_many([("sent", "c"), ("claimed", "c"), ("new", "c"), ("sent", "c")])

    assert answers == [False, True, True, False]


async def test_an_email_marked_sent_in_the_earlier_format_stays_sent(infra: Any) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_emails_{uuid.uuid4().hex[:8]}"
    try:
        database = client[name]
        await database["emails"].insert_many(
            [
                {"_id": "sent-before", "credential_id": "c", "status": "sent"},
                {"_id": "claimed-before", "credential_id": "c", "status": "pending"},
            ]
        )
        log = MongoEmailLog(database)

        answers = await log.claim_many([("sent-before", "c"), ("claimed-before", "c")])
        assert answers == [False, True]
    finally:
        await client.drop_database(name)
        await client.close()
