"""A provider imports its own signing key on the real MongoDB-wire database and Kafka: the
challenge it signs is stored and taken once, the imported key signs its next credential, is
announced on ``issuer.keys``, and can be reported compromised like any other key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from microcred_shared.crypto import (
    Ed25519Multikey,
    StaticKeyResolver,
    encode_base58btc,
    verify_proofs,
)
from microcred_shared.events import Topic

from tests.integration.issuer.harness import (
    IDS,
    RunningIssuer,
    completion,
    drain,
    running_issuer,
    settings_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

PROVIDER, ACHIEVEMENT = "uni-own", "uni-own:KEY-1"
# A provider of its own domain: the catalogue lists the DID as its own.
DOMAIN_PROVIDER, DOMAIN_ACHIEVEMENT, OWN_DID = "uni-dom", "uni-dom:DID-1", "did:web:uni-dom.example"


@pytest.fixture(scope="module")
async def issuer(infra: Any) -> AsyncIterator[RunningIssuer]:
    async with running_issuer(settings_for(infra, "keyimport")) as running:
        await running.add_provider(PROVIDER)
        await running.add_achievement(ACHIEVEMENT, PROVIDER)
        await running.add_provider(DOMAIN_PROVIDER, issuer_dids=[OWN_DID])
        await running.add_achievement(DOMAIN_ACHIEVEMENT, DOMAIN_PROVIDER)
        await running.catalogue_knows(
            ACHIEVEMENT, DOMAIN_ACHIEVEMENT, providers=(PROVIDER, DOMAIN_PROVIDER)
        )
        yield running


def import_body(
    private_key: Ed25519PrivateKey, handed: dict[str, Any], **choices: str
) -> dict[str, Any]:
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    signature = encode_base58btc(private_key.sign(handed["message"].encode()))
    return {"challenge": handed["challenge"], "key": pem, "signature": signature, **choices}


async def test_an_imported_key_signs_is_announced_and_can_be_reported_compromised(
    issuer: RunningIssuer,
) -> None:
    headers = {"authorization": f"Bearer {await issuer.api_key(PROVIDER)}"}
    await issuer.report(completion("before-import", PROVIDER, ACHIEVEMENT))
    await issuer.credential(IDS.of_completion(PROVIDER, "before-import"))  # key-1 exists

    private_key = Ed25519PrivateKey.generate()
    public = Ed25519Multikey.from_private_key(private_key).public_key_multibase
    handed = await issuer.http.post(f"/providers/{PROVIDER}/keys/challenges", headers=headers)
    assert handed.status_code == 201, handed.text
    body = import_body(private_key, handed.json())
    imported = await issuer.http.post(
        f"/providers/{PROVIDER}/keys/import", json=body, headers=headers
    )
    assert imported.status_code == 200, imported.text
    vm_id = imported.json()["current_verification_method"]
    assert vm_id.endswith("#key-2")

    replayed = await issuer.http.post(
        f"/providers/{PROVIDER}/keys/import", json=body, headers=headers
    )
    assert (replayed.status_code, replayed.json()["code"]) == (422, "key_challenge_invalid")

    await issuer.report(completion("after-import", PROVIDER, ACHIEVEMENT, "b@example.org"))
    credential = await issuer.credential(IDS.of_completion(PROVIDER, "after-import"))
    assert credential["proof"][0]["verificationMethod"] == vm_id
    # It verifies under the imported public key alone, as the provider holds it.
    own_key = Ed25519Multikey.from_public_multibase(public, key_id=vm_id).to_document()
    assert verify_proofs(credential, StaticKeyResolver.from_documents(own_key)).verified
    before = await issuer.credential(IDS.of_completion(PROVIDER, "before-import"))
    assert (await issuer.verify(before)).verified  # key-1's credentials keep verifying

    events = await drain(
        issuer.admin,
        issuer.topic(Topic.ISSUER_KEYS),
        until=lambda events: any(_announces(e, public, "active") for e in events),
    )
    assert any(_announces(e, public, "active") for e in events)

    reported = await issuer.http.post(
        f"/providers/{PROVIDER}/keys/key-2/compromised", headers=headers
    )
    assert reported.status_code == 202, reported.text
    assert reported.json()["current_verification_method"].endswith("#key-3")
    await drain(
        issuer.admin,
        issuer.topic(Topic.ISSUER_KEYS),
        until=lambda events: any(_announces(e, public, "revoked") for e in events),
    )


def _announces(event: dict[str, Any], public_key_multibase: str, status: str) -> bool:
    data = event["data"]
    return data["provider_id"] == PROVIDER and any(
        vm["public_key_multibase"] == public_key_multibase and vm["status"] == status
        for vm in data["verification_methods"]
    )


async def test_a_provider_issuing_under_its_own_did_web_publishes_what_the_issuer_serves(
    issuer: RunningIssuer,
) -> None:
    headers = {"authorization": f"Bearer {await issuer.api_key(DOMAIN_PROVIDER)}"}
    await issuer.report(completion("platform-did", DOMAIN_PROVIDER, DOMAIN_ACHIEVEMENT))
    before = await issuer.credential(IDS.of_completion(DOMAIN_PROVIDER, "platform-did"))

    private_key = Ed25519PrivateKey.generate()
    handed = await issuer.http.post(
        f"/providers/{DOMAIN_PROVIDER}/keys/challenges", headers=headers
    )
    body = import_body(private_key, handed.json(), did=OWN_DID)
    imported = await issuer.http.post(
        f"/providers/{DOMAIN_PROVIDER}/keys/import", json=body, headers=headers
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["current_verification_method"] == f"{OWN_DID}#key-2"

    await issuer.report(completion("own-did", DOMAIN_PROVIDER, DOMAIN_ACHIEVEMENT, "c@example.org"))
    after = await issuer.credential(IDS.of_completion(DOMAIN_PROVIDER, "own-did"))
    assert after["issuer"]["id"] == OWN_DID
    to_publish = (await issuer.http.get(f"/providers/{DOMAIN_PROVIDER}/did.json")).json()
    assert to_publish["id"] == OWN_DID
    assert verify_proofs(after, StaticKeyResolver.from_documents(to_publish)).verified
    assert (await issuer.verify(before)).verified  # from the platform's did.json, as before

    events = await drain(
        issuer.admin,
        issuer.topic(Topic.ISSUER_KEYS),
        until=lambda events: any(
            e["data"]["provider_id"] == DOMAIN_PROVIDER and e["data"]["did"] == OWN_DID
            for e in events
        ),
    )
    [announced] = [
        e["data"]
        for e in events
        if e["data"]["provider_id"] == DOMAIN_PROVIDER and e["data"]["did"] == OWN_DID
    ]
    assert announced["did_document"] == to_publish
