"""Issue 17, across the four service processes: a provider imports its own signing key (proving
possession by signing the issuer's challenge) and issues under a did:web of its own domain; the
verifier verifies what it issues from the registry's copy of that DID (no network call), and
refuses a credential another key signed in that DID's name."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from microcred_shared.crypto import Ed25519Multikey, encode_base58btc, sign

from microcred.ecosystem.processes import Ecosystem
from tests.e2e.test_key_compromise import Provider, _bearer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


class OwnDomainProvider(Provider):
    """A provider the catalogue's admin lists with a did:web of its own domain."""

    def __init__(self, ecosystem: Ecosystem, http: httpx.AsyncClient) -> None:
        super().__init__(ecosystem, http)
        self.own_did = f"did:web:{self.provider_id}.example"

    def registration(self) -> dict[str, Any]:
        return {**super().registration(), "issuer_dids": [self.own_did]}

    async def import_key(self, key: Ed25519PrivateKey) -> dict[str, Any]:
        keys = self.url("issuer", f"/providers/{self.provider_id}/keys")
        handed = await self.http.post(f"{keys}/challenges", headers=_bearer(self.issuer_key))
        assert handed.status_code in (200, 201), handed.text
        challenge = handed.json()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
        body = {
            "challenge": challenge["challenge"],
            "key": pem,
            "signature": encode_base58btc(key.sign(challenge["message"].encode())),
            "did": self.own_did,
        }
        imported = await self.http.post(
            f"{keys}/import", json=body, headers=_bearer(self.issuer_key)
        )
        assert imported.status_code == 200, imported.text
        result: dict[str, Any] = imported.json()
        return result


def signed_by_another_key(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential's proof made again with a key its issuer never had, under the same
    verification method id (what a forger publishing their own DID document would send)."""
    unsigned = copy.deepcopy(credential)
    proofs = unsigned.pop("proof")
    proof = proofs[0] if isinstance(proofs, list) else proofs
    method = proof["verificationMethod"]
    forger = Ed25519Multikey.from_private_key(
        Ed25519PrivateKey.generate(), method.split("#")[0], method
    )
    return sign(unsigned, forger, suite=proof["cryptosuite"], verification_method=method)


async def test_a_provider_issuing_under_its_own_did_web_is_verified_and_not_impersonated(
    ecosystem: Ecosystem,
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        provider = OwnDomainProvider(ecosystem, http)
        await provider.register()
        imported = await provider.import_key(Ed25519PrivateKey.generate())
        credential = await provider.credential(await provider.issue("own-did-e2e-1"))
        verified = await provider.verdict(credential, "verified")
        refused = await provider.verdict(signed_by_another_key(credential), "not_verified")
        published = await http.get(
            provider.url("issuer", f"/providers/{provider.provider_id}/did.json")
        )

    assert imported["current_verification_method"].startswith(f"{provider.own_did}#")
    assert credential["issuer"]["id"] == provider.own_did
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    assert [p["verificationMethod"] for p in proofs] == [imported["current_verification_method"]]
    assert published.json()["id"] == provider.own_did
    assert all(c["status"] != "failed" for c in verified["checks"])
    failed = {c["name"] for c in refused["checks"] if c["status"] == "failed"}
    assert failed, refused
