"""A provider chooses the DID it signs under when it imports its key: the platform's did:web,
a did:web of its own the catalogue lists for it, or the key's own did:key. What it signed
before keeps verifying under the DID it was signed under."""

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from microcred_issuer.service_layer.commands import IssueCompletion, ReportKeyCompromise, RotateKey
from microcred_shared.crypto import (
    Ed25519Multikey,
    StaticKeyResolver,
    encode_base58btc,
    verify_proofs,
)
from microcred_shared.events import Topic

from tests.unit.issuer.fakes import World
from tests.unit.issuer.http_app import ADMIN, issuer_client

OWN_DID = "did:web:uni.example"


@pytest.fixture
async def world() -> World:
    world = World()
    await world.add_provider("uni-a", issuer_dids=[OWN_DID])
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    return world


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer_client(world) as client:
        client.headers.update(ADMIN)
        yield client


async def issue(world: World, completion_id: str) -> dict[str, Any]:
    outcome = await world.handlers.completions.issue(
        IssueCompletion(completion_id, "uni-a", "uni-a:MECH-1", date(2025, 5, 1), "a@x.org")
    )
    return world.credentials.stored[outcome.credential_id].document


async def import_key(
    http: httpx.AsyncClient, private_key: Ed25519PrivateKey, did: str
) -> httpx.Response:
    handed = (await http.post("/providers/uni-a/keys/challenges")).json()
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    body = {
        "challenge": handed["challenge"],
        "key": pem,
        "signature": encode_base58btc(private_key.sign(handed["message"].encode())),
        "did": did,
    }
    return await http.post("/providers/uni-a/keys/import", json=body)


def verifies_with(credential: dict[str, Any], did_document: dict[str, Any]) -> bool:
    return verify_proofs(credential, StaticKeyResolver.from_documents(did_document)).verified


def issuer_of(credential: dict[str, Any]) -> str:
    return str(credential["issuer"]["id"])


async def test_a_provider_moves_to_a_did_web_of_its_own_and_old_credentials_keep_verifying(
    http: httpx.AsyncClient, world: World
) -> None:
    before = await issue(world, "before")
    private_key = Ed25519PrivateKey.generate()
    public = Ed25519Multikey.from_private_key(private_key).public_key_multibase

    imported = await import_key(http, private_key, OWN_DID)

    assert imported.status_code == 200, imported.text
    assert imported.json()["current_verification_method"] == f"{OWN_DID}#key-2"
    after = await issue(world, "after")
    assert issuer_of(after) == OWN_DID
    assert after["proof"][0]["verificationMethod"] == f"{OWN_DID}#key-2"
    to_publish = (await http.get("/providers/uni-a/did.json")).json()
    assert to_publish["id"] == OWN_DID
    assert [vm["publicKeyMultibase"] for vm in to_publish["verificationMethod"]] == [public]
    platform = (await http.get("/issuers/uni-a/did.json")).json()
    assert platform["id"] == issuer_of(before) != OWN_DID
    assert verifies_with(after, to_publish)
    assert verifies_with(before, platform)
    assert not verifies_with(after, platform)

    announced = world.outbox.on(Topic.ISSUER_KEYS)[-1].data
    assert announced.did == OWN_DID
    assert announced.did_document == to_publish
    assert [vm.id for vm in announced.verification_methods] == [
        f"{OWN_DID}#key-2",
        f"{issuer_of(before)}#key-1",
    ]


async def test_a_did_the_catalogue_does_not_list_for_the_provider_is_refused(
    http: httpx.AsyncClient, world: World
) -> None:
    refused = await import_key(http, Ed25519PrivateKey.generate(), "did:web:other-uni.example")
    assert refused.status_code == 422
    assert refused.json()["code"] == "did_not_claimed"
    assert (await http.get("/providers/uni-a/did.json")).status_code == 404
    assert world.keyrings.keyrings["uni-a"].version == 1  # created for the challenge, unchanged


async def test_a_did_key_is_named_after_each_key_and_a_compromise_is_announced(
    http: httpx.AsyncClient, world: World
) -> None:
    private_key = Ed25519PrivateKey.generate()
    public = Ed25519Multikey.from_private_key(private_key).public_key_multibase
    imported = await import_key(http, private_key, "did:key")
    assert imported.json()["current_verification_method"] == f"did:key:{public}#{public}"
    signed = await issue(world, "under-did-key")
    assert issuer_of(signed) == f"did:key:{public}"
    assert verify_proofs(signed).verified  # a did:key resolves by itself

    rotated = await world.handlers.keys.rotate(RotateKey("uni-a"))
    assert rotated.did.startswith("did:key:")
    assert rotated.did != f"did:key:{public}"
    marked = await world.handlers.keys.report_compromise(ReportKeyCompromise("uni-a", "key-2"))
    announced = world.outbox.on(Topic.ISSUER_KEYS)[-1].data
    assert announced.version == marked.version
    revoked = {vm.id: vm.status for vm in announced.verification_methods}
    assert revoked[f"did:key:{public}#{public}"] == "revoked"


async def test_a_provider_returns_to_the_platforms_did(
    http: httpx.AsyncClient, world: World
) -> None:
    platform = issuer_of(await issue(world, "first"))
    assert (await import_key(http, Ed25519PrivateKey.generate(), OWN_DID)).is_success
    back = await import_key(http, Ed25519PrivateKey.generate(), "platform")
    assert back.json()["current_verification_method"] == f"{platform}#key-3"
    assert issuer_of(await issue(world, "again")) == platform
    listed = (await http.get("/issuers/uni-a/did.json")).json()["verificationMethod"]
    assert [vm["id"].rsplit("#")[1] for vm in listed] == ["key-3", "key-1"]
