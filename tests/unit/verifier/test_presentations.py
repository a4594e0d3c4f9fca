"""Presentations: a holder's did:key proves, over a challenge this verifier issued, that it
presents credentials issued to it. The challenge is good once; a replay, a holder who is not
the subject, a tampered credential or a bad holder proof is each not verified, with its reason."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from conftest import NOW, provider
from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_shared.crypto.presentations import sign_presentation
from microcred_shared.crypto.vc_jose import sign_vc_jwt
from microcred_verifier.adapters.mongo_challenges import MemoryPresentationChallenges
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.bootstrap import Adapters, create_app
from microcred_verifier.config import VerifierSettings

from tests.unit.verifier.presentation_world import (
    DOMAIN,
    HOLDER,
    ISSUER,
    RegistryProjections,
    credential,
    verifier,
)


async def challenge_of(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post("/presentations/challenges")
    assert response.status_code == 201
    issued: dict[str, Any] = response.json()
    return issued


async def verify(client: httpx.AsyncClient, presentation: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/verify", json=presentation)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def holder_check(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["holder_checks"] if c["name"] == name)


def presented(
    issued: dict[str, Any], *credentials: dict[str, Any], holder: Ed25519Multikey = HOLDER
) -> dict[str, Any]:
    return sign_presentation(
        credentials or (credential(),),
        holder,
        challenge=issued["challenge"],
        domain=issued["domain"],
    )


async def test_a_challenge_is_random_names_the_domain_and_expires() -> None:
    async with verifier() as client:
        first, second = await challenge_of(client), await challenge_of(client)
    assert first["challenge"] != second["challenge"]
    assert len(first["challenge"]) >= 32
    assert first["domain"] == DOMAIN
    assert first["expires"] > NOW.isoformat()


async def test_a_good_presentation_is_verified_with_its_holder_checks_and_each_credential() -> None:
    async with verifier() as client:
        issued = await challenge_of(client)
        report = await verify(client, presented(issued, credential(), credential()))
    assert report["verdict"] == "verified", report
    assert report["encoding"] == "presentation"
    assert report["holder"] == HOLDER.controller
    assert [c["status"] for c in report["holder_checks"]] == ["passed"] * 3
    assert [c["verdict"] for c in report["credentials"]] == ["verified", "verified"]


async def test_a_presentation_given_as_the_credential_member_is_verified_as_a_presentation() -> (
    None
):
    async with verifier() as client:
        issued = await challenge_of(client)
        report = await verify(client, {"credential": presented(issued)})
    assert report["encoding"] == "presentation"
    assert report["verdict"] == "verified"


async def test_a_replayed_challenge_is_not_verified() -> None:
    async with verifier() as client:
        presentation = presented(await challenge_of(client))
        first = await verify(client, presentation)
        replayed = await verify(client, presentation)
    assert first["verdict"] == "verified"
    assert replayed["verdict"] == "not_verified"
    assert holder_check(replayed, "challenge")["status"] == "failed"
    assert "already used" in replayed["headline"]


async def test_a_challenge_this_verifier_never_issued_is_not_verified() -> None:
    invented = {"challenge": "made-up-by-the-holder", "domain": DOMAIN}
    async with verifier() as client:
        report = await verify(client, presented(invented))
    assert report["verdict"] == "not_verified"
    assert "not issued by this verifier" in holder_check(report, "challenge")["reason"]


async def test_a_proof_for_another_domain_is_not_verified() -> None:
    async with verifier() as client:
        issued = await challenge_of(client)
        report = await verify(client, presented({**issued, "domain": "https://other.example"}))
    assert report["verdict"] == "not_verified"
    assert "domain" in holder_check(report, "challenge")["reason"]


async def test_an_expired_challenge_is_not_verified() -> None:
    settings = VerifierSettings(
        publish_events=False,
        fetch_enabled=False,
        presentation_domain=DOMAIN,
        presentation_challenge_seconds=1,
    )
    challenges = MemoryPresentationChallenges()
    app = create_app(
        settings,
        adapters=Adapters(
            projections=RegistryProjections(providers=[provider(ISSUER.controller)]),
            status_lists=InMemoryStatusLists(),
            challenges=challenges,
        ),
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v") as c:
        issued = await challenge_of(c)
        stored = challenges.issued[issued["challenge"]]
        # As if its second had passed: the store's record says when it ends.
        challenges.issued[issued["challenge"]] = type(stored)(
            stored.challenge, stored.domain, stored.expires - timedelta(seconds=2)
        )
        report = await verify(c, presented(issued))
    assert report["verdict"] == "not_verified"
    assert "expired" in holder_check(report, "challenge")["reason"]


async def test_a_holder_who_is_not_the_subject_is_not_verified() -> None:
    someone_else = Ed25519Multikey.generate().controller
    async with verifier() as client:
        issued = await challenge_of(client)
        report = await verify(client, presented(issued, credential(), credential(someone_else)))
    assert report["verdict"] == "not_verified"
    check = holder_check(report, "holder_is_subject")
    assert check["status"] == "failed"
    assert f"credential 1: its subject is {someone_else}" in check["reason"]
    # The credentials themselves are genuine: the refusal is the holder's, not theirs.
    assert [c["verdict"] for c in report["credentials"]] == ["verified", "verified"]


async def test_a_tampered_credential_the_holder_signed_over_is_not_verified() -> None:
    tampered = credential()
    tampered["credentialSubject"]["achievement"]["name"] = "A degree it never was"
    async with verifier() as client:
        issued = await challenge_of(client)
        report = await verify(client, presented(issued, tampered))
    assert holder_check(report, "holder_proof")["status"] == "passed"
    assert report["verdict"] == "not_verified"
    [checked] = report["credentials"]
    proof = next(c for c in checked["checks"] if c["name"] == "proof")
    assert proof["status"] == "failed"
    assert "altered" in proof["reason"]


async def test_a_credential_tampered_after_the_holder_signed_fails_the_holder_proof_too() -> None:
    async with verifier() as client:
        issued = await challenge_of(client)
        presentation = presented(issued)
        presentation["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "X"
        report = await verify(client, presentation)
    assert report["verdict"] == "not_verified"
    assert "does not verify" in holder_check(report, "holder_proof")["reason"]
    assert report["credentials"][0]["verdict"] == "not_verified"


@pytest.mark.parametrize(
    "forgery",
    ["signed by another key", "proof altered", "assertion instead of authentication"],
)
async def test_a_bad_holder_proof_is_not_verified_and_leaves_the_challenge_unused(
    forgery: str,
) -> None:
    async with verifier() as client:
        issued = await challenge_of(client)
        presentation = presented(issued)
        if forgery == "signed by another key":
            other = presented(issued, holder=Ed25519Multikey.generate())
            presentation["proof"] = other["proof"]
        elif forgery == "proof altered":
            presentation["proof"]["created"] = "2020-01-01T00:00:00Z"
        else:
            presentation = sign(
                {k: v for k, v in presentation.items() if k != "proof"},
                HOLDER,
                challenge=issued["challenge"],
                domain=issued["domain"],
            )
        report = await verify(client, presentation)
        assert report["verdict"] == "not_verified"
        assert holder_check(report, "holder_proof")["status"] == "failed"
        assert holder_check(report, "challenge")["status"] == "skipped"
        # A forgery does not use up the holder's challenge: the genuine presentation still works.
        genuine = await verify(client, presented(issued))
    assert genuine["verdict"] == "verified"


async def test_a_presentation_without_credentials_is_not_verified() -> None:
    async with verifier() as client:
        issued = await challenge_of(client)
        nothing = sign_presentation(
            [], HOLDER, challenge=issued["challenge"], domain=issued["domain"]
        )
        report = await verify(client, nothing)
    assert report["verdict"] == "not_verified"
    assert "carries no credential" in holder_check(report, "holder_is_subject")["reason"]


async def test_the_verify_page_shows_the_holder_checks_and_each_credential() -> None:
    async with verifier() as client:
        issued = await challenge_of(client)
        page = await client.post("/page/verify", data={"credential": json.dumps(presented(issued))})
    assert page.status_code == 200
    assert "Holder's signature" in page.text
    assert "Holder is each credential's subject" in page.text
    assert "Credential 1: " in page.text
    assert 'class="verdict verified"' in page.text


async def test_the_presentation_report_reads_in_german() -> None:
    async with verifier() as client:
        issued = await challenge_of(client)
        page = await client.post(
            "/page/verify",
            data={"credential": json.dumps(presented(issued))},
            headers={"Accept-Language": "de-AT,de;q=0.9"},
        )
    assert '<html lang="de">' in page.text
    assert "Eine Präsentation von <strong>" in page.text
    assert "mit 1 Nachweis." in page.text
    assert '<h2 id="holder-checks">Die Inhaberin oder der Inhaber</h2>' in page.text
    assert 'Nachweis 1: <span class="verified">Bestätigt</span>' in page.text
    assert ">bestanden</strong>" in page.text
    for english in ("A presentation by", "The holder</h2>", "Credential 1", ">passed<"):
        assert english not in page.text


async def test_a_credential_enveloped_as_a_vc_jose_token_is_presented_and_verified() -> None:
    """VC 2.0 §4.13.1: a credential secured by an enveloping proof travels as a data URL."""
    token = sign_vc_jwt(credential(), ISSUER, issued_at=NOW)
    enveloped = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    async with verifier() as client:
        issued = await challenge_of(client)
        report = await verify(client, presented(issued, enveloped))
    assert report["verdict"] == "verified", report
    assert report["credentials"][0]["encoding"] == "vc-jwt"
