"""A provider imports its own signing key over HTTP, proving possession by signing a single-use,
expiring challenge; the imported key signs from then on and can be reported compromised."""

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc.jwk import OKPKey
from microcred_shared.crypto import (
    Ed25519Multikey,
    decode_ed25519_public,
    encode_base58btc,
    read_ed25519_key,
)
from microcred_shared.events import Topic

from microcred.commands.key_import import ImportRefused, import_own_key
from tests.unit.issuer.fakes import World
from tests.unit.issuer.http_app import issuer_client, provider_api_key


@pytest.fixture
async def world() -> World:
    world = World()
    await world.add_provider("uni-a")
    await world.add_provider("college-b")
    await world.handlers.keys.ensure("uni-a")
    return world


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer_client(world) as client:
        yield client


def pem(private_key: Ed25519PrivateKey) -> str:
    return private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


async def challenge(http: httpx.AsyncClient, provider_id: str, auth: dict[str, str]) -> Any:
    response = await http.post(f"/providers/{provider_id}/keys/challenges", headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def signed(private_key: Ed25519PrivateKey, handed: dict[str, Any], key: Any = None) -> Any:
    signature = private_key.sign(handed["message"].encode())
    return {
        "challenge": handed["challenge"],
        "key": pem(private_key) if key is None else key,
        "signature": encode_base58btc(signature),
    }


async def test_a_provider_imports_its_own_key_which_then_signs_and_is_announced(
    http: httpx.AsyncClient, world: World
) -> None:
    own = await provider_api_key(http, "uni-a")
    private_key = Ed25519PrivateKey.generate()
    public = Ed25519Multikey.from_private_key(private_key).public_key_multibase
    handed = await challenge(http, "uni-a", own)
    assert handed["message"].endswith(f"provider: uni-a\nchallenge: {handed['challenge']}")

    imported = await http.post(
        "/providers/uni-a/keys/import", json=signed(private_key, handed), headers=own
    )

    assert imported.status_code == 200, imported.text
    body = imported.json()
    assert body["current_verification_method"].endswith("#key-2")
    assert body["public_key_multibase"] == public
    keyring = world.keyrings.keyrings["uni-a"]
    assert world.vault.signing_key(keyring).public_key_multibase == public
    did = (await http.get("/issuers/uni-a/did.json")).json()
    assert did["verificationMethod"][0]["publicKeyMultibase"] == public
    announced = world.outbox.on(Topic.ISSUER_KEYS)[-1].data
    assert announced.verification_methods[0].public_key_multibase == public


async def test_the_64_byte_multikey_form_imports_too(http: httpx.AsyncClient) -> None:
    own = await provider_api_key(http, "uni-a")
    private_key = Ed25519PrivateKey.generate()
    key = Ed25519Multikey.from_private_key(private_key)
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    document = key.to_document() | {
        "secretKeyMultibase": encode_base58btc(b"\x80\x26" + seed + bytes.fromhex(_public_hex(key)))
    }
    handed = await challenge(http, "uni-a", own)
    imported = await http.post(
        "/providers/uni-a/keys/import", json=signed(private_key, handed, document), headers=own
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["public_key_multibase"] == key.public_key_multibase


def _public_hex(key: Ed25519Multikey) -> str:
    return decode_ed25519_public(key.public_key_multibase).hex()


async def test_a_challenge_is_used_once(http: httpx.AsyncClient) -> None:
    own = await provider_api_key(http, "uni-a")
    private_key = Ed25519PrivateKey.generate()
    body = signed(private_key, await challenge(http, "uni-a", own))
    assert (await http.post("/providers/uni-a/keys/import", json=body, headers=own)).is_success
    replayed = await http.post("/providers/uni-a/keys/import", json=body, headers=own)
    assert replayed.status_code == 422
    assert replayed.json()["code"] == "key_challenge_invalid"


async def test_an_expired_challenge_is_refused(http: httpx.AsyncClient, world: World) -> None:
    own = await provider_api_key(http, "uni-a")
    private_key = Ed25519PrivateKey.generate()
    body = signed(private_key, await challenge(http, "uni-a", own))
    world.clock.current += timedelta(minutes=5)
    refused = await http.post("/providers/uni-a/keys/import", json=body, headers=own)
    assert refused.status_code == 422
    assert refused.json()["code"] == "key_challenge_invalid"
    assert "expired" in refused.json()["detail"]
    assert world.keyrings.keyrings["uni-a"].version == 1


async def test_a_signature_by_another_key_is_refused_and_uses_the_challenge_up(
    http: httpx.AsyncClient, world: World
) -> None:
    own = await provider_api_key(http, "uni-a")
    offered, signer = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    handed = await challenge(http, "uni-a", own)
    body = signed(signer, handed, pem(offered))
    refused = await http.post("/providers/uni-a/keys/import", json=body, headers=own)
    assert refused.status_code == 422
    assert refused.json()["code"] == "key_possession_not_proven"
    retried = await http.post(
        "/providers/uni-a/keys/import", json=signed(offered, handed), headers=own
    )
    assert retried.json()["code"] == "key_challenge_invalid"
    assert world.keyrings.keyrings["uni-a"].version == 1


async def test_another_providers_challenge_does_not_import_a_key(http: httpx.AsyncClient) -> None:
    own, other = await provider_api_key(http, "uni-a"), await provider_api_key(http, "college-b")
    private_key = Ed25519PrivateKey.generate()
    theirs = await challenge(http, "college-b", other)
    refused = await http.post(
        "/providers/uni-a/keys/import", json=signed(private_key, theirs), headers=own
    )
    assert refused.json()["code"] == "key_challenge_invalid"
    assert (await http.post("/providers/uni-a/keys/challenges", headers=other)).status_code == 403
    assert (await http.post("/providers/uni-a/keys/challenges")).status_code == 401


@pytest.mark.parametrize(
    "key",
    [
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
        "-----END PUBLIC KEY-----\n",
    ],
)
async def test_what_is_not_an_ed25519_secret_key_is_refused(
    http: httpx.AsyncClient, key: Any
) -> None:
    own = await provider_api_key(http, "uni-a")
    private_key = Ed25519PrivateKey.generate()
    handed = await challenge(http, "uni-a", own)
    refused = await http.post(
        "/providers/uni-a/keys/import", json=signed(private_key, handed, key), headers=own
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_signing_key"


async def test_an_imported_key_reported_compromised_is_revoked_and_replaced(
    http: httpx.AsyncClient, world: World
) -> None:
    own = await provider_api_key(http, "uni-a")
    private_key = Ed25519PrivateKey.generate()
    body = signed(private_key, await challenge(http, "uni-a", own))
    assert (await http.post("/providers/uni-a/keys/import", json=body, headers=own)).is_success
    reported = await http.post("/providers/uni-a/keys/key-2/compromised", headers=own)
    assert reported.status_code == 202, reported.text
    assert reported.json()["current_verification_method"].endswith("#key-3")
    did = (await http.get("/issuers/uni-a/did.json")).json()
    revoked = {vm["id"].rsplit("#")[1]: "revoked" in vm for vm in did["verificationMethod"]}
    assert revoked == {"key-3": False, "key-2": True, "key-1": False}


@pytest.mark.parametrize("form", ["pem", "jwk"])
async def test_the_cli_client_signs_the_challenge_and_imports_the_key_file(
    http: httpx.AsyncClient, world: World, form: str
) -> None:
    http.headers.update(await provider_api_key(http, "uni-a"))
    private_key = Ed25519PrivateKey.generate()
    key = Ed25519Multikey.from_private_key(private_key)
    text = pem(private_key) if form == "pem" else json.dumps(_jwk(private_key))

    answer = await import_own_key(http, "uni-a", text, read_ed25519_key(text))

    assert answer["public_key_multibase"] == key.public_key_multibase
    assert world.vault.signing_key(world.keyrings.keyrings["uni-a"]).public_key_multibase == (
        key.public_key_multibase
    )


async def test_the_cli_client_reports_the_issuers_refusal(http: httpx.AsyncClient) -> None:
    http.headers.update(await provider_api_key(http, "college-b"))
    text = pem(Ed25519PrivateKey.generate())
    with pytest.raises(ImportRefused, match=r"challenge \(403\)"):
        await import_own_key(http, "uni-a", text, read_ed25519_key(text))


def _jwk(private_key: Ed25519PrivateKey) -> dict[str, Any]:
    return dict(OKPKey.import_key(pem(private_key)).as_dict(private=True))
