"""The issuer serves the VC-JOSE form of any credential (``Accept: application/vc+jwt``): the
credential as the payload of an EdDSA compact JWS by the provider's current key, ``kid`` the
verification method its DID document lists, and both forms verify."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError, SecurityWarning
from joserfc.jwk import OKPKey
from microcred_shared.crypto import StaticKeyResolver
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import CheckName, CheckStatus, Freshness
from microcred_verifier.domain.verification import verify_credential
from microcred_verifier.service_layer.intake import present

from tests.unit.issuer.fakes import World
from tests.unit.issuer.http_app import ADMIN, issuer_client, provider_api_key

COMPLETION = {
    "completion_id": "jose-1",
    "achievement_id": "uni-a:MECH-1",
    "learner": {"email": "ada@example.org", "name": "Ada"},
    "completed_on": "2025-05-30",
}
VC_JWT = {"accept": "application/vc+jwt"}
# As RFC 7515 reads a header parameter it does not know (here ``iat``): ignored, not refused.
NO_HEADER_CHECK = jws.JWSRegistry(strict_check_header=False, algorithms=["EdDSA"])


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    world = World()
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    async with issuer_client(world) as client:
        yield client


async def issued(http: httpx.AsyncClient) -> str:
    headers = await provider_api_key(http, "uni-a")
    created = await http.post("/completions", json=COMPLETION, headers=headers)
    assert created.status_code in (200, 201), created.text
    return f"/credentials/{created.json()['credential_id']}"


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return tuple(  # type: ignore[return-value]
        json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        for part in (header, payload)
    )


async def public_jwk(http: httpx.AsyncClient, kid: str) -> OKPKey:
    """The key the issuer's DID document lists under ``kid``, as an independent JWK."""
    did = kid.split("#")[0]
    document = (await http.get(f"/issuers/{did.rsplit(':', 1)[-1]}/did.json")).json()
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    resolver = StaticKeyResolver.from_documents(document)
    raw = resolver.resolve(method["id"]).public_key.public_bytes_raw()
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": x})


def verified_by(token: str, key: OKPKey) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        try:
            jws.deserialize_compact(token, key, registry=NO_HEADER_CHECK)
        except BadSignatureError:
            return False
    return True


async def test_the_vc_jose_form_is_the_credential_signed_as_a_jws_by_the_current_key(
    http: httpx.AsyncClient,
) -> None:
    url = await issued(http)
    document = (await http.get(url)).json()
    response = await http.get(url, headers=VC_JWT)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+jwt")
    token = response.text
    header, payload = segments(token)
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "vc+jwt"
    assert header["kid"] == document["proof"][0]["verificationMethod"]
    assert payload == {k: v for k, v in document.items() if k != "proof"}
    assert verified_by(token, await public_jwk(http, header["kid"]))
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert not verified_by(forged, await public_jwk(http, header["kid"]))


async def test_after_a_rotation_the_new_key_signs_and_both_forms_are_authentic(
    http: httpx.AsyncClient,
) -> None:
    url = await issued(http)
    rotated = await http.post("/admin/providers/uni-a/keys/rotate", headers=ADMIN)
    assert rotated.status_code == 200, rotated.text
    document = (await http.get(url)).json()
    token = (await http.get(url, headers=VC_JWT)).text
    header, _ = segments(token)
    assert header["kid"].endswith("#key-2")
    assert document["proof"][0]["verificationMethod"].endswith("#key-1")

    did = document["issuer"]["id"]
    did_document = (await http.get(f"/issuers/{did.rsplit(':', 1)[-1]}/did.json")).json()
    knowledge = Knowledge(
        resolver=StaticKeyResolver.from_documents(did_document),
        keys_freshness=Freshness("the issuer's DID document"),
    )
    # Signed now by key-2, which was not yet valid at the credential's validFrom: the JWS's
    # iat is what the verifier judges the key at, as a proof's created.
    for form in (document, token):
        report = verify_credential(present(form, 64), knowledge, now=datetime.now(UTC))
        assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.PASSED, form
        assert report.check(CheckName.PROOF).status is CheckStatus.PASSED, form
