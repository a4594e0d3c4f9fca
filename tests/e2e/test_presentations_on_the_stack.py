"""Issue 16, parts 3 and 5, across the four service processes: a learner identified by a
did:key presents the credential the issuer issued to that DID over a challenge the verifier
issued (verified once, then a replay refused; a holder who is not its subject and a tampered
credential refused), and the issuer's VC-JOSE form of a credential verifies as its Data
Integrity form does. A provider of its own, so no other test's credentials change."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import httpx
import pytest
from microcred_shared.crypto import Ed25519Multikey
from microcred_shared.crypto.presentations import sign_presentation

from microcred.ecosystem.demo import eventually
from microcred.ecosystem.processes import Ecosystem
from tests.e2e.test_key_compromise import Provider, _bearer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


class DidLearnerProvider(Provider):
    async def issue_to_did(self, completion_id: str, did: str) -> str:
        body = {
            "completion_id": completion_id,
            "achievement_id": self.achievement_id,
            "learner": {"did": did},
            "completed_on": "2026-06-30",
        }

        async def issued() -> str | None:
            response = await self.http.post(
                self.url("issuer", "/completions"), json=body, headers=_bearer(self.issuer_key)
            )
            return str(response.json()["credential_id"]) if response.status_code < 300 else None

        credential_id: str = await eventually(issued, "the issuer to know the course")
        return credential_id

    async def present(
        self, holder: Ed25519Multikey, *credentials: dict[str, Any]
    ) -> dict[str, Any]:
        """Verified over a fresh challenge from the verifier; the presentation is returned
        with the report under ``report``, to replay it."""
        issued = await self.http.post(self.url("verifier", "/presentations/challenges"))
        assert issued.status_code == 201, issued.text
        challenge = issued.json()
        presentation = sign_presentation(
            credentials, holder, challenge=challenge["challenge"], domain=challenge["domain"]
        )
        return {"presentation": presentation, "report": await self.verify(presentation)}

    async def verify(self, document: dict[str, Any] | str) -> dict[str, Any]:
        if isinstance(document, str):
            response = await self.http.post(
                self.url("verifier", "/verify"),
                content=document,
                headers={"content-type": "application/vc+jwt"},
            )
        else:
            response = await self.http.post(self.url("verifier", "/verify"), json=document)
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report


def with_payload_changed(token: str) -> str:
    """The token with its credential's achievement renamed, the signature left as it was."""
    header, payload, signature = token.split(".")
    credential = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    credential["credentialSubject"]["achievement"]["name"] = "A degree it never was"
    altered = base64.urlsafe_b64encode(json.dumps(credential).encode()).rstrip(b"=").decode()
    return ".".join((header, altered, signature))


def holder_check(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["holder_checks"] if c["name"] == name)


async def test_a_did_key_learner_presents_its_credential_once_per_challenge(
    ecosystem: Ecosystem,
) -> None:
    holder = Ed25519Multikey.generate()
    async with httpx.AsyncClient(timeout=30) as http:
        provider = DidLearnerProvider(ecosystem, http)
        await provider.register()
        credential_id = await provider.issue_to_did("vp-e2e-1", holder.controller)
        credential = await provider.credential(credential_id)
        # The verifier learns the provider, its keys and the status list from Kafka.
        await provider.verdict(credential, "verified")

        good = await provider.present(holder, credential)
        replayed = await provider.verify(good["presentation"])
        someone_else = await provider.present(Ed25519Multikey.generate(), credential)
        forged = copy.deepcopy(credential)
        forged["credentialSubject"]["achievement"]["name"] = "A degree it never was"
        tampered = await provider.present(holder, forged)

    assert credential["credentialSubject"]["id"] == holder.controller
    assert good["report"]["verdict"] == "verified", good["report"]
    assert [c["status"] for c in good["report"]["holder_checks"]] == ["passed"] * 3
    assert good["report"]["credentials"][0]["verdict"] == "verified"

    assert replayed["verdict"] == "not_verified"
    assert "already used" in holder_check(replayed, "challenge")["reason"]

    assert someone_else["report"]["verdict"] == "not_verified"
    assert holder_check(someone_else["report"], "holder_is_subject")["status"] == "failed"

    assert tampered["report"]["verdict"] == "not_verified"
    proof = next(c for c in tampered["report"]["credentials"][0]["checks"] if c["name"] == "proof")
    assert proof["status"] == "failed"


async def test_the_vc_jose_form_the_issuer_serves_verifies_as_the_data_integrity_form_does(
    ecosystem: Ecosystem,
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        provider = DidLearnerProvider(ecosystem, http)
        await provider.register()
        credential_id = await provider.issue("jose-e2e-1")
        url = provider.url("issuer", f"/credentials/{credential_id}")
        document = await provider.credential(credential_id)
        await provider.verdict(document, "verified")
        served = await http.get(url, headers={"accept": "application/vc+jwt"})
        assert served.status_code == 200, served.text
        assert served.headers["content-type"].startswith("application/vc+jwt")
        token = served.text
        as_jwt = await provider.verify(token)
        tampered = await provider.verify(with_payload_changed(token))

    assert as_jwt["encoding"] == "vc-jwt"
    assert as_jwt["verdict"] == "verified", as_jwt
    assert tampered["verdict"] == "not_verified"
    proof = next(c for c in tampered["checks"] if c["name"] == "proof")
    assert "signature does not verify" in proof["reason"]
