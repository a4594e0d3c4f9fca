"""The presentation challenges' contract, in memory and on the MongoDB-wire database: a
challenge comes back once, with what it was issued for, and of concurrent takers only one
gets it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_shared.mongo import create_client
from microcred_verifier.adapters.mongo_challenges import (
    MemoryPresentationChallenges,
    MongoPresentationChallenges,
)
from microcred_verifier.domain.presentation import IssuedChallenge
from microcred_verifier.service_layer.presentations import PresentationChallenges

pytestmark = pytest.mark.integration

EXPIRES = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "mongo"])
async def challenges(request: Any, infra: Any) -> AsyncIterator[PresentationChallenges]:
    if request.param == "memory":
        yield MemoryPresentationChallenges()
        return
    client = create_client(infra.mongodb_uri, app_name="verifier-challenge-tests")
    name = f"t{infra.run_id}_verifier_{uuid.uuid4().hex[:6]}"
    try:
        yield MongoPresentationChallenges(client[name])
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_challenge_is_taken_once_with_its_domain_and_expiry(
    challenges: PresentationChallenges,
) -> None:
    issued = IssuedChallenge("c-" + uuid.uuid4().hex, "https://verifier.example", EXPIRES)
    await challenges.add(issued)

    assert await challenges.take(issued.challenge) == issued
    assert await challenges.take(issued.challenge) is None
    assert await challenges.take("never-issued") is None


async def test_of_concurrent_takers_only_one_gets_the_challenge(
    challenges: PresentationChallenges,
) -> None:
    issued = IssuedChallenge("c-" + uuid.uuid4().hex, "https://v.example", EXPIRES)
    await challenges.add(issued)

    taken = await asyncio.gather(*(challenges.take(issued.challenge) for _ in range(8)))

    assert [t for t in taken if t is not None] == [issued]


async def test_expiry_comes_back_as_an_aware_utc_time(challenges: PresentationChallenges) -> None:
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    issued = IssuedChallenge("c-" + uuid.uuid4().hex, "https://v.example", expires)
    await challenges.add(issued)
    taken = await challenges.take(issued.challenge)
    assert taken is not None
    assert taken.expires == expires
