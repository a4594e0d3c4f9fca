"""The verifier's VC-JOSE path on real tokens: one made by joserfc alone on a key the test makes
(an independent signer), one made by our own signer, a tampered one, one whose kid names no key
of the issuer, one whose payload is not a credential; and both forms of one credential agree."""

from __future__ import annotations

import base64
import dataclasses
import json
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

from conftest import NOW, ONEEDTECH, load, registered_knowledge
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from microcred_shared.crypto import Ed25519Multikey, ResolvedKey, StaticKeyResolver, sign
from microcred_shared.crypto.vc_jose import sign_vc_jwt
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import VerificationReport, verify_credential
from microcred_verifier.service_layer.intake import present

from tests.unit.verifier.presentation_world import verifier

ISSUER = Ed25519Multikey.generate()


def unsigned(issuer: str = ISSUER.controller) -> dict[str, Any]:
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["issuer"] = {"id": issuer, "type": ["Profile"], "name": "Example Corp"}
    return document


def independent_token(
    payload: dict[str, Any], key: Ed25519Multikey = ISSUER, kid: str | None = None
) -> str:
    """A VC-JOSE token made by joserfc alone, from the raw key bytes: none of our code."""
    assert key.private_key is not None
    seed = key.private_key.private_bytes_raw()
    public = key.public_key.public_bytes_raw()
    jwk = OKPKey.import_key(
        {"kty": "OKP", "crv": "Ed25519", "x": b64url(public), "d": b64url(seed)}
    )
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": kid or key.id}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return jws.serialize_compact(header, json.dumps(payload), jwk, algorithms=["EdDSA"])


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def verify(token: str | dict[str, Any], document: dict[str, Any]) -> VerificationReport:
    return verify_credential(present(token, 64), registered_knowledge(document), now=NOW)


def test_a_token_made_by_an_independent_library_is_verified() -> None:
    document = unsigned()
    report = verify(independent_token(document), document)
    assert report.encoding == "vc-jwt"
    assert report.verdict is Verdict.VERIFIED, report.to_dict()
    assert report.check(CheckName.PROOF).reason == "EdDSA JWS signature verified (VC-JOSE)"


def test_both_forms_of_one_credential_verify_alike() -> None:
    document = unsigned()
    data_integrity = verify(sign(document, ISSUER), document)
    vc_jose = verify(sign_vc_jwt(sign(document, ISSUER), ISSUER, issued_at=NOW), document)
    assert (data_integrity.verdict, vc_jose.verdict) == (Verdict.VERIFIED, Verdict.VERIFIED)
    assert (data_integrity.encoding, vc_jose.encoding) == ("json-ld", "vc-jwt")


def test_a_tampered_token_is_not_verified() -> None:
    document = unsigned()
    header, _, signature = independent_token(document).split(".")
    altered = {**document, "name": "A degree it never was"}
    forged = ".".join((header, b64url(json.dumps(altered).encode()), signature))
    report = verify(forged, document)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.PROOF).status is CheckStatus.FAILED
    assert "signature does not verify" in report.check(CheckName.PROOF).reason


def test_a_token_whose_kid_is_not_the_issuers_key_is_not_verified() -> None:
    document = unsigned()
    stranger = Ed25519Multikey.generate()
    signed_by_stranger = independent_token(document, key=stranger)
    report = verify(signed_by_stranger, document)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "not to the issuer" in report.check(CheckName.ISSUER_KEY).reason

    unknown_kid = independent_token(document, kid=f"{ISSUER.controller}#no-such-key")
    report = verify(unknown_kid, document)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.FAILED


def test_a_token_whose_payload_is_not_a_credential_is_not_verified() -> None:
    document = unsigned()
    claims = {"iss": ISSUER.controller, "sub": "someone", "exp": 2_000_000_000}
    report = verify(independent_token(claims), document)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.FORMAT).status is CheckStatus.FAILED


def test_a_rotated_in_key_is_judged_when_the_token_says_it_signed() -> None:
    """The issuer signs the VC-JOSE form on request with its current key, which may be younger
    than the credential: the header's iat is when it signed, as a proof's created."""
    did = "did:web:uni.example"
    key = Ed25519Multikey.generate(controller=did, key_id=f"{did}#key-2")
    document = unsigned(did)
    document["validFrom"] = "2025-01-01T00:00:00Z"
    since = datetime(2025, 6, 1, tzinfo=UTC)
    knowledge = dataclasses.replace(
        registered_knowledge(document),
        resolver=StaticKeyResolver([ResolvedKey(key.id, did, key.public_key, valid_from=since)]),
    )
    signed_now = sign_vc_jwt(document, key, issued_at=since + timedelta(days=1))
    without_iat = independent_token(document, key=key)

    assert verify_credential(present(signed_now, 64), knowledge, now=NOW).verdict in (
        Verdict.VERIFIED,
        Verdict.VERIFIED_WITH_WARNINGS,
    )
    refused = verify_credential(present(without_iat, 64), knowledge, now=NOW)
    assert "was not valid at" in refused.check(CheckName.ISSUER_KEY).reason


async def test_post_verify_takes_a_token_as_application_vc_jwt() -> None:
    document = unsigned()
    token = independent_token(document)
    async with verifier() as client:
        answer = await client.post(
            "/verify", content=token, headers={"content-type": "application/vc+jwt"}
        )
    assert answer.status_code == 200
    assert answer.json()["encoding"] == "vc-jwt"
    proof = next(c for c in answer.json()["checks"] if c["name"] == "proof")
    assert proof["status"] == "passed"
