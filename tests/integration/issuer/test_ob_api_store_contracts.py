"""The Open Badges API's stores keep one contract: the MongoDB adapters (on the MongoDB-wire
database) and the fakes the unit tests use answer alike."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from microcred_issuer.adapters.mongo_oauth import MongoOAuthStore
from microcred_issuer.adapters.mongo_ob_resources import MongoObResources
from microcred_issuer.domain.oauth import AuthorizationCode, OAuthClient, OAuthToken, secret_hash
from microcred_issuer.service_layer.oauth import OAuthStore
from microcred_issuer.service_layer.ob_api import HeldCredential, ObResources
from pymongo import AsyncMongoClient

from tests.unit.issuer.ob_api_fakes import FakeOAuthStore, FakeObResources

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
Stores = tuple[OAuthStore, ObResources]


@pytest.fixture(params=["mongodb", "fake"])
async def stores(request: pytest.FixtureRequest, infra: Any) -> AsyncIterator[Stores]:
    if request.param == "fake":
        yield FakeOAuthStore(), FakeObResources()
        return
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"t{infra.run_id}_obapi_{uuid.uuid4().hex[:8]}"
    database = client[name]
    try:
        yield MongoOAuthStore(database), MongoObResources(database)
    finally:
        await client.drop_database(name)
        await client.close()


def token(access: str, refresh: str, grant: str = "grant-1") -> OAuthToken:
    return OAuthToken(
        access_hash=secret_hash(access),
        refresh_hash=secret_hash(refresh),
        grant_id=grant,
        client_id="wallet-1",
        learner_ref="sha256$abc",
        scope="s1 s2",
        issued_at=NOW,
        access_expires_at=NOW + timedelta(hours=1),
        refresh_expires_at=NOW + timedelta(days=30),
    )


async def test_a_client_reads_back_as_registered(stores: Stores) -> None:
    oauth, _ = stores
    client = OAuthClient(
        client_id="wallet-1",
        secret_hash=secret_hash("secret"),
        name="Pocket Wallet",
        redirect_uris=("https://wallet.example/cb",),
        scope="s1 s2",
        registered_at=NOW,
        client_uri="https://wallet.example",
    )

    await oauth.add_client(client)

    assert await oauth.client("wallet-1") == client
    assert await oauth.client("wallet-2") is None


async def test_a_code_is_taken_once_even_by_two_takers_at_once(stores: Stores) -> None:
    oauth, _ = stores
    code = AuthorizationCode(
        code_hash=secret_hash("code"),
        client_id="wallet-1",
        learner_ref="sha256$abc",
        redirect_uri="https://wallet.example/cb",
        scope="s1",
        code_challenge="challenge",
        code_challenge_method="S256",
        expires_at=NOW + timedelta(minutes=5),
    )
    await oauth.add_code(code)

    taken = await asyncio.gather(*(oauth.take_code(code.code_hash) for _ in range(4)))

    assert [t for t in taken if t is not None] == [code]
    assert await oauth.take_code(code.code_hash) is None


async def test_a_token_is_found_by_either_hash_and_revoked_as_one_grant(stores: Stores) -> None:
    oauth, _ = stores
    stored = token("access-1", "refresh-1")
    await oauth.add_token(stored)
    await oauth.add_token(token("access-2", "refresh-2", grant="grant-2"))

    assert await oauth.token_by_access(secret_hash("access-1")) == stored
    assert await oauth.token_by_refresh(secret_hash("refresh-1")) == stored
    assert await oauth.token_by_access(secret_hash("refresh-1")) is None
    await oauth.revoke_token(stored.access_hash)

    revoked = await oauth.token_by_refresh(secret_hash("refresh-1"))
    assert revoked is not None
    assert revoked.revoked
    other = await oauth.token_by_access(secret_hash("access-2"))
    assert other is not None
    assert not other.revoked


async def test_revoking_a_grant_revokes_every_token_of_it_and_no_other(stores: Stores) -> None:
    oauth, _ = stores
    for access, grant in (("a1", "g1"), ("a2", "g1"), ("a3", "g2")):
        await oauth.add_token(token(access, "r" + access, grant=grant))

    await oauth.revoke_grant("g1")

    revoked = [await oauth.token_by_access(secret_hash(a)) for a in ("a1", "a2", "a3")]
    assert [t.revoked for t in revoked if t is not None] == [True, True, False]


async def test_a_held_credential_is_stored_once_per_learner_and_id(stores: Stores) -> None:
    _, resources = stores
    held = HeldCredential("sha256$abc", "urn:uuid:1", NOW, {"id": "urn:uuid:1", "name": "A"})
    changed = HeldCredential("sha256$abc", "urn:uuid:1", NOW, {"id": "urn:uuid:1", "name": "B"})

    assert await resources.put_held(held)
    assert not await resources.put_held(changed)
    assert await resources.put_held(HeldCredential("sha256$def", "urn:uuid:1", NOW, held.document))

    assert await resources.held("sha256$abc") == [changed]
    assert await resources.held("sha256$nobody") == []


async def test_a_profile_is_replaced_whole(stores: Stores) -> None:
    _, resources = stores
    assert await resources.profile("sha256$abc") is None

    await resources.put_profile("sha256$abc", {"id": "urn:x", "name": "Ada", "phone": "1"})
    await resources.put_profile("sha256$abc", {"id": "urn:x", "name": "Ada L."})

    assert await resources.profile("sha256$abc") == {"id": "urn:x", "name": "Ada L."}
