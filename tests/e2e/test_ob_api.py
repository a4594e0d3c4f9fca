"""A wallet app uses the Open Badges 3.0 API of the running issuer as a wallet would: it reads
the discovery document, registers, is authorised by the learner (signed in from the link
e-mailed to them), trades the code with its PKCE verifier, pages through the learner's
credentials, refreshes, revokes, stores a credential from elsewhere; every refusal in the OB
error shape."""

from __future__ import annotations

import secrets

import httpx
import pytest
from microcred_shared.crypto import Ed25519Multikey
from microcred_shared.openbadges.schema import validate_against

from microcred.ecosystem import story
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.mailbox import wallet_links_to
from microcred.ecosystem.ob_wallet import (
    ALL_SCOPES,
    OB,
    Registered,
    authorisation_params_for,
    authorise,
    bearer,
    consent,
    exchange,
    register,
    s256,
)
from microcred.ecosystem.processes import Ecosystem
from tests.unit.issuer.foreign_credentials import foreign_credential

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

CREDENTIALS = "/ims/ob/v3p0/credentials"
STATUS_INFO = "ob_v3p0_imsx_statusinfo_schema.json"


def emailed_link(ecosystem: Ecosystem, email: str) -> str:
    """The wallet link in the learner's issuance e-mail. Not one asked for: a learner gets at
    most one of those a minute, and the learner-access tests ask for them."""
    links = wallet_links_to(ecosystem.log_file("mailsink"), email)
    assert links, f"no wallet link was e-mailed to {email}"
    return links[-1]


def refused(answer: httpx.Response, status: int, minor: str) -> bool:
    body = answer.json()
    field = body.get("imsx_codeMinor", {}).get("imsx_codeMinorField", [{}])[0]
    return (
        answer.status_code == status
        and validate_against(STATUS_INFO, body) == []
        and field.get("imsx_codeMinorFieldValue") == minor
    )


async def test_a_wallet_app_is_authorised_by_the_learner_and_fetches_their_credentials(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    bo = story.LEARNERS[1]
    issuer = ecosystem.service("issuer").url
    async with httpx.AsyncClient(base_url=issuer, timeout=30) as http:
        discovery = (await http.get("/ims/ob/v3p0/discovery")).json()
        flow = discovery["components"]["securitySchemes"]["OAuth2ACG"]["flows"]
        assert flow["authorizationCode"]["tokenUrl"] == issuer + "/oauth/token"

        opened = await http.get(emailed_link(ecosystem, bo.email))
        assert opened.status_code == 200  # the wallet session cookie is set
        client = await register(http)
        token = await authorise(http, client)
        first = await http.get(
            CREDENTIALS, params={"limit": 1}, headers=bearer(token["access_token"])
        )
        every = await http.get(CREDENTIALS, headers=bearer(token["access_token"]))

        refreshed = await http.post(
            "/oauth/token",
            auth=client.auth,
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        )
        new = refreshed.json()
        after_refresh = await http.get(CREDENTIALS, headers=bearer(new["access_token"]))
        old_after_refresh = await http.get(CREDENTIALS, headers=bearer(token["access_token"]))
        revoked = await http.post(
            "/oauth/revoke", auth=client.auth, data={"token": new["access_token"]}
        )
        after_revoke = await http.get(CREDENTIALS, headers=bearer(new["access_token"]))

    total = int(first.headers["X-Total-Count"])
    assert total >= len(bo.completions)
    assert len(first.json()["credential"]) == 1
    assert 'rel="next"' in first.headers["Link"]
    assert 'rel="last"' in first.headers["Link"]
    assert (
        validate_against("ob_v3p0_getopenbadgecredentialsresponse_schema.json", every.json()) == []
    )
    assert len(every.json()["credential"]) == total
    assert refreshed.status_code == 200
    assert after_refresh.status_code == 200
    assert refused(old_after_refresh, 401, "unauthorizedrequest")
    assert revoked.status_code == 200
    assert refused(after_revoke, 401, "unauthorizedrequest")


async def test_an_unregistered_client_a_wrong_scope_or_verifier_is_refused(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    chen = story.LEARNERS[2]
    issuer = ecosystem.service("issuer").url
    async with httpx.AsyncClient(base_url=issuer, timeout=30) as http:
        await http.get(emailed_link(ecosystem, chen.email))
        ghost = Registered("ghost-" + secrets.token_hex(4), "ghost-secret")
        verifier = secrets.token_urlsafe(48)
        ghost_page = await http.get(
            "/oauth/authorize", params=authorisation_params_for(ghost, ALL_SCOPES, s256(verifier))
        )
        ghost_token = await exchange(http, ghost, "any-code", verifier)

        client = await register(http)
        back = await consent(http, authorisation_params_for(client, ALL_SCOPES, s256(verifier)))
        wrong_verifier = await exchange(http, client, back["code"], secrets.token_urlsafe(48))

        profile_only = await authorise(http, client, scope=OB + "profile.readonly")
        wrong_scope = await http.get(CREDENTIALS, headers=bearer(profile_only["access_token"]))
        no_token = await http.get(CREDENTIALS)

    assert ghost_page.status_code == 400
    assert ghost_token.status_code == 401
    assert ghost_token.json()["error"] == "invalid_client"
    assert wrong_verifier.status_code == 400
    assert wrong_verifier.json()["error"] == "invalid_grant"
    assert refused(wrong_scope, 403, "forbidden")
    assert refused(no_token, 401, "unauthorizedrequest")


async def test_a_wallet_stores_a_credential_from_elsewhere_and_the_learners_profile(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    chen, bo = story.LEARNERS[2], story.LEARNERS[1]
    issuer = ecosystem.service("issuer").url
    key = Ed25519Multikey.generate()
    elsewhere = foreign_credential(chen.email, key)
    about_bo = foreign_credential(bo.email, key)
    async with httpx.AsyncClient(base_url=issuer, timeout=30) as http:
        await http.get(emailed_link(ecosystem, chen.email))
        token = await authorise(http, await register(http))
        headers = bearer(token["access_token"])
        before = int((await http.get(CREDENTIALS, headers=headers)).headers["X-Total-Count"])
        stored = await http.post(CREDENTIALS, headers=headers, json=elsewhere)
        not_chens = await http.post(CREDENTIALS, headers=headers, json=about_bo)
        listed = await http.get(CREDENTIALS, headers=headers)

        profile = (await http.get("/ims/ob/v3p0/profile", headers=headers)).json()
        await http.put("/ims/ob/v3p0/profile", headers=headers, json={**profile, "name": "Chen"})
        read_back = (await http.get("/ims/ob/v3p0/profile", headers=headers)).json()

    assert stored.status_code == 201
    assert refused(not_chens, 403, "forbidden")
    assert int(listed.headers["X-Total-Count"]) == before + 1
    assert elsewhere in listed.json()["credential"]
    assert read_back["name"] == "Chen"
    assert read_back["id"] == profile["id"]
