"""The Open Badges 3.0 API on fakes: discovery, OAuth 2.0 (registration, consent, PKCE, refresh,
revocation) and the resources, every refusal in the OB error shape."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from microcred_issuer.bootstrap import create_app
from microcred_issuer.domain.identity import learner_from_email
from microcred_issuer.service_layer.commands import IssueCompletion
from microcred_issuer.service_layer.learner_access import LINK_PURPOSE
from microcred_shared.access_tokens import PurposeTokens
from microcred_shared.crypto import Ed25519Multikey
from microcred_shared.openbadges.schema import validate_against

from microcred.ecosystem.ob_wallet import (
    ALL_SCOPES,
    OB,
    REDIRECT_URI,
    Registered,
    authorisation_params_for,
    authorise,
    bearer,
    consent,
    exchange,
    register,
    s256,
)
from tests.unit.issuer.fakes import World, achievement_event, provider_event
from tests.unit.issuer.foreign_credentials import foreign_credential
from tests.unit.issuer.http_app import unit_settings

ADA, GRACE = "ada@example.org", "grace@example.org"
# Authlib refuses OAuth over plain http except to a loopback address, as it should.
PUBLIC_URL = "http://127.0.0.1:8002"
CREDENTIALS = "/ims/ob/v3p0/credentials"
PROFILE = "/ims/ob/v3p0/profile"
STATUS_INFO = "ob_v3p0_imsx_statusinfo_schema.json"
GET_CREDENTIALS = "ob_v3p0_getopenbadgecredentialsresponse_schema.json"


@dataclass
class Stage:
    world: World
    app: FastAPI
    http: httpx.AsyncClient

    def learner_ref(self, email: str) -> str:
        salt = self.app.state.issuer.settings.learner_salt_key.get_secret_value().encode()
        return learner_from_email(email, salt).learner_ref

    async def sign_in(self, email: str) -> None:
        """Open the wallet as the learner does, from the link e-mailed to them."""
        key = self.app.state.issuer.settings.learner_access_key.get_secret_value()
        link = PurposeTokens(key, LINK_PURPOSE, timedelta(minutes=30))
        minted = link.mint(self.learner_ref(email), self.world.clock.current)
        opened = await self.http.get("/wallet/open", params={"token": minted.token})
        assert opened.status_code == 200


@pytest.fixture
async def stage() -> AsyncIterator[Stage]:
    """Ada holds three credentials here, Grace one; Ada is signed in to her wallet."""
    world = World()
    settings = unit_settings().model_copy(update={"public_base_url": PUBLIC_URL})
    app = create_app(settings, ports=world.ports)
    handlers = app.state.api.handlers
    await handlers.projections.on_provider(provider_event("uni-a"))
    for code in ("MECH-1", "HYD-1", "PNEU-1"):
        await handlers.projections.on_achievement(achievement_event(f"uni-a:{code}", "uni-a"))
    for number, code in enumerate(("MECH-1", "HYD-1", "PNEU-1")):
        await handlers.completions.issue(_completion(f"a-{number}", ADA, f"uni-a:{code}"))
    await handlers.completions.issue(_completion("g-1", GRACE, "uni-a:MECH-1"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        staged = Stage(world, app, http)
        await staged.sign_in(ADA)
        yield staged


def _completion(completion_id: str, email: str, achievement_id: str) -> IssueCompletion:
    return IssueCompletion(
        completion_id=completion_id,
        provider_id=achievement_id.split(":")[0],
        achievement_id=achievement_id,
        completed_on=date(2025, 5, 30),
        learner_email=email,
    )


def assert_status_info(answer: httpx.Response, status: int, minor: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert validate_against(STATUS_INFO, body) == []
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor


async def test_discovery_names_the_oauth_endpoints_the_scopes_and_the_privacy_policy(
    stage: Stage,
) -> None:
    answer = await stage.http.get("/ims/ob/v3p0/discovery")

    assert answer.status_code == 200
    document = answer.json()
    assert document["info"]["x-imssf-privacyPolicyUrl"]
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == PUBLIC_URL + "/oauth/register"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == PUBLIC_URL + "/oauth/authorize"
    assert flow["tokenUrl"] == flow["refreshUrl"] == PUBLIC_URL + "/oauth/token"
    assert set(flow["scopes"]) == set(ALL_SCOPES.split())
    assert document["servers"][0]["url"] == PUBLIC_URL + "/ims/ob/v3p0"


async def test_a_wallet_authorised_by_the_learner_pages_through_their_credentials_only(
    stage: Stage,
) -> None:
    client = await register(stage.http)
    token = await authorise(stage.http, client)

    first = await stage.http.get(
        CREDENTIALS, params={"limit": 2}, headers=bearer(token["access_token"])
    )
    second = await stage.http.get(
        CREDENTIALS, params={"limit": 2, "offset": 2}, headers=bearer(token["access_token"])
    )

    assert first.status_code == second.status_code == 200
    assert first.headers["X-Total-Count"] == second.headers["X-Total-Count"] == "3"
    assert validate_against(GET_CREDENTIALS, first.json()) == []
    assert validate_against(GET_CREDENTIALS, second.json()) == []
    assert len(first.json()["credential"]) == 2
    assert len(second.json()["credential"]) == 1
    base = PUBLIC_URL + CREDENTIALS
    assert f'<{base}?limit=2&offset=2>; rel="next"' in first.headers["Link"]
    assert f'<{base}?limit=2&offset=2>; rel="last"' in first.headers["Link"]
    assert f'<{base}?limit=2&offset=0>; rel="first"' in first.headers["Link"]
    assert 'rel="prev"' not in first.headers["Link"]
    assert 'rel="next"' not in second.headers["Link"]
    assert f'<{base}?limit=2&offset=0>; rel="prev"' in second.headers["Link"]
    listed = [c["id"] for c in first.json()["credential"] + second.json()["credential"]]
    adas = {
        c.document["id"] for c in await stage.world.credentials.of_learner(stage.learner_ref(ADA))
    }
    assert len(set(listed)) == 3
    assert set(listed) == adas


async def test_since_lists_only_credentials_issued_after_it(stage: Stage) -> None:
    token = await authorise(stage.http, await register(stage.http))
    adas = sorted(
        await stage.world.credentials.of_learner(stage.learner_ref(ADA)), key=lambda c: c.issued_at
    )

    answer = await stage.http.get(
        CREDENTIALS,
        params={"since": adas[0].issued_at.isoformat()},
        headers=bearer(token["access_token"]),
    )
    naive = await stage.http.get(
        CREDENTIALS, params={"since": "2025-01-01T00:00:00"}, headers=bearer(token["access_token"])
    )

    assert answer.headers["X-Total-Count"] == "2"
    assert {c["id"] for c in answer.json()["credential"]} == {c.document["id"] for c in adas[1:]}
    assert_status_info(naive, 400, "invalid_query_parameter")


async def test_a_bad_paging_parameter_is_refused_as_an_invalid_query_parameter(
    stage: Stage,
) -> None:
    token = await authorise(stage.http, await register(stage.http))

    answer = await stage.http.get(
        CREDENTIALS, params={"limit": 0}, headers=bearer(token["access_token"])
    )

    assert_status_info(answer, 400, "invalid_query_parameter")


async def test_a_refresh_gives_new_tokens_and_retires_the_old_pair(stage: Stage) -> None:
    client = await register(stage.http)
    token = await authorise(stage.http, client)

    refreshed = await stage.http.post(
        "/oauth/token",
        auth=client.auth,
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    )

    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["access_token"] != token["access_token"]
    assert new["refresh_token"] != token["refresh_token"]
    assert (
        await stage.http.get(CREDENTIALS, headers=bearer(new["access_token"]))
    ).status_code == 200
    assert_status_info(
        await stage.http.get(CREDENTIALS, headers=bearer(token["access_token"])),
        401,
        "unauthorizedrequest",
    )


async def test_a_spent_refresh_token_used_again_ends_the_grant_it_was_refreshed_into(
    stage: Stage,
) -> None:
    client = await register(stage.http)
    token = await authorise(stage.http, client)
    other = await authorise(stage.http, client)  # another consent: left alone
    refresh = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    new = (await stage.http.post("/oauth/token", auth=client.auth, data=refresh)).json()

    replayed = await stage.http.post("/oauth/token", auth=client.auth, data=refresh)
    new_used = await stage.http.get(CREDENTIALS, headers=bearer(new["access_token"]))
    new_refreshed = await stage.http.post(
        "/oauth/token",
        auth=client.auth,
        data={"grant_type": "refresh_token", "refresh_token": new["refresh_token"]},
    )

    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"
    assert_status_info(new_used, 401, "unauthorizedrequest")
    assert new_refreshed.status_code == 400
    other_used = await stage.http.get(CREDENTIALS, headers=bearer(other["access_token"]))
    assert other_used.status_code == 200


async def test_a_revoked_token_is_refused_and_so_is_its_refresh_token(stage: Stage) -> None:
    client = await register(stage.http)
    token = await authorise(stage.http, client)

    revoked = await stage.http.post(
        "/oauth/revoke", auth=client.auth, data={"token": token["access_token"]}
    )
    used = await stage.http.get(CREDENTIALS, headers=bearer(token["access_token"]))
    refreshed = await stage.http.post(
        "/oauth/token",
        auth=client.auth,
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    )

    assert revoked.status_code == 200
    assert_status_info(used, 401, "unauthorizedrequest")
    assert refreshed.status_code == 400


async def test_another_client_cannot_revoke_a_token_it_was_not_issued(stage: Stage) -> None:
    token = await authorise(stage.http, await register(stage.http))
    stranger = await register(stage.http)

    await stage.http.post(
        "/oauth/revoke", auth=stranger.auth, data={"token": token["access_token"]}
    )

    assert (
        await stage.http.get(CREDENTIALS, headers=bearer(token["access_token"]))
    ).status_code == 200


async def test_an_expired_token_is_refused(stage: Stage) -> None:
    token = await authorise(stage.http, await register(stage.http))

    stage.world.clock.current += timedelta(minutes=61)
    answer = await stage.http.get(CREDENTIALS, headers=bearer(token["access_token"]))

    assert_status_info(answer, 401, "unauthorizedrequest")


async def test_no_token_or_an_unknown_one_is_refused(stage: Stage) -> None:
    missing = await stage.http.get(CREDENTIALS)
    unknown = await stage.http.get(CREDENTIALS, headers=bearer(secrets.token_urlsafe(32)))

    assert_status_info(missing, 401, "unauthorizedrequest")
    assert_status_info(unknown, 401, "unauthorizedrequest")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_token_without_the_operations_scope_is_refused_as_forbidden(stage: Stage) -> None:
    client = await register(stage.http)
    token = await authorise(stage.http, client, scope=OB + "profile.readonly")

    credentials = await stage.http.get(CREDENTIALS, headers=bearer(token["access_token"]))
    profile = await stage.http.get(PROFILE, headers=bearer(token["access_token"]))

    assert_status_info(credentials, 403, "forbidden")
    assert "insufficient_scope" in credentials.headers["WWW-Authenticate"]
    assert profile.status_code == 200


async def test_a_scope_the_client_did_not_register_or_no_one_knows_is_refused_to_the_client(
    stage: Stage,
) -> None:
    client = await register(stage.http, scope=OB + "credential.readonly")
    verifier = secrets.token_urlsafe(48)
    unregistered = authorisation_params_for(client, OB + "profile.update", s256(verifier))
    unknown = authorisation_params_for(client, "https://example.org/scope/admin", s256(verifier))

    for params in (unregistered, unknown):
        answer = await stage.http.get("/oauth/authorize", params=params)
        assert redirected_error(answer) == ("invalid_scope", params["state"])


def redirected_error(answer: httpx.Response) -> tuple[str, str]:
    """The error an authorization request was sent back to the client with, and its state."""
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI)
    query = parse_qs(urlsplit(location).query)
    assert "code" not in query
    return query["error"][0], query["state"][0]


async def test_a_wrong_pkce_verifier_is_refused_and_spends_the_code(stage: Stage) -> None:
    client = await register(stage.http)
    verifier = secrets.token_urlsafe(48)
    back = await consent(stage.http, authorisation_params_for(client, ALL_SCOPES, s256(verifier)))

    wrong = await exchange(stage.http, client, back["code"], secrets.token_urlsafe(48))
    right_too_late = await exchange(stage.http, client, back["code"], verifier)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert right_too_late.status_code == 400


async def test_a_code_works_once(stage: Stage) -> None:
    client = await register(stage.http)
    verifier = secrets.token_urlsafe(48)
    back = await consent(stage.http, authorisation_params_for(client, ALL_SCOPES, s256(verifier)))

    first = await exchange(stage.http, client, back["code"], verifier)
    second = await exchange(stage.http, client, back["code"], verifier)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


async def test_an_expired_code_is_refused(stage: Stage) -> None:
    client = await register(stage.http)
    verifier = secrets.token_urlsafe(48)
    back = await consent(stage.http, authorisation_params_for(client, ALL_SCOPES, s256(verifier)))

    stage.world.clock.current += timedelta(minutes=6)
    late = await exchange(stage.http, client, back["code"], verifier)

    assert late.status_code == 400
    assert late.json()["error"] == "invalid_grant"


async def test_pkce_is_required_and_plain_is_not_accepted(stage: Stage) -> None:
    client = await register(stage.http)
    verifier = secrets.token_urlsafe(48)
    without = authorisation_params_for(client, ALL_SCOPES, s256(verifier))
    del without["code_challenge"]
    plain = authorisation_params_for(client, ALL_SCOPES, verifier, method="plain")

    for params in (without, plain):
        answer = await stage.http.get("/oauth/authorize", params=params)
        assert redirected_error(answer) == ("invalid_request", params["state"])
        posted = await stage.http.post("/oauth/authorize", data={**params, "decision": "allow"})
        assert redirected_error(posted) == ("invalid_request", params["state"])


async def test_an_unregistered_client_gets_no_consent_page_and_no_token(stage: Stage) -> None:
    ghost = Registered("ghost-client", "ghost-secret")
    verifier = secrets.token_urlsafe(48)

    page = await stage.http.get(
        "/oauth/authorize", params=authorisation_params_for(ghost, ALL_SCOPES, s256(verifier))
    )
    token = await exchange(stage.http, ghost, "any-code", verifier)

    assert page.status_code == 400
    assert "Pocket Wallet" not in page.text
    assert token.status_code == 401
    assert token.json()["error"] == "invalid_client"


async def test_a_wrong_client_secret_is_refused(stage: Stage) -> None:
    client = await register(stage.http)
    verifier = secrets.token_urlsafe(48)
    back = await consent(stage.http, authorisation_params_for(client, ALL_SCOPES, s256(verifier)))

    answer = await exchange(
        stage.http, Registered(client.client_id, "wrong"), back["code"], verifier
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


async def test_the_consent_page_names_the_client_and_the_scopes_and_needs_the_learner(
    stage: Stage,
) -> None:
    client = await register(stage.http, scope=OB + "credential.readonly " + OB + "profile.readonly")
    params = authorisation_params_for(client, ALL_SCOPES, s256(secrets.token_urlsafe(48)))

    page = await stage.http.get("/oauth/authorize", params=params)
    async with httpx.AsyncClient(transport=stage.http._transport, base_url=PUBLIC_URL) as anonymous:
        signed_out = await anonymous.get("/oauth/authorize", params=params)
        posted = await anonymous.post("/oauth/authorize", data={**params, "decision": "allow"})

    assert "Pocket Wallet" in page.text
    assert '<strong id="redirect-host">wallet.example</strong>' in page.text
    assert f'data-scope="{OB}credential.readonly"' in page.text
    assert f'data-scope="{OB}credential.upsert"' not in page.text
    assert signed_out.status_code == posted.status_code == 401


async def test_the_consent_page_speaks_french_and_its_language_switch_keeps_the_oauth_state(
    stage: Stage,
) -> None:
    client = await register(stage.http, scope=OB + "credential.readonly " + OB + "profile.readonly")
    params = authorisation_params_for(client, ALL_SCOPES, s256(secrets.token_urlsafe(48)))

    french = await stage.http.get("/oauth/authorize", params={**params, "lang": "fr"})
    async with httpx.AsyncClient(transport=stage.http._transport, base_url=PUBLIC_URL) as anonymous:
        signed_out = await anonymous.get(
            "/oauth/authorize", params=params, headers={"Accept-Language": "de-DE"}
        )

    assert '<html lang="fr">' in french.text
    assert 'Autoriser <span id="client-name">Pocket Wallet</span> à utiliser' in french.text
    assert "Lire vos certifications (AchievementCredentials)." in french.text
    assert 'Si vous autorisez, vous revenez à <strong id="redirect-host">' in french.text
    assert ">Refuser</button>" in french.text
    assert "Permission to" not in french.text
    assert "Allow" not in french.text
    german_switch = french.text.split('hreflang="de"', 1)[0].rsplit("href=", 1)[1]
    assert f"state={params['state']}" in german_switch
    assert "Melden Sie sich zuerst in Ihrer Wallet an" in signed_out.text


async def test_a_learner_who_denies_sends_the_client_back_with_access_denied(stage: Stage) -> None:
    client = await register(stage.http)
    params = authorisation_params_for(client, ALL_SCOPES, s256(secrets.token_urlsafe(48)))

    back = await consent(stage.http, params, decision="deny")

    assert back["error"] == "access_denied"
    assert "code" not in back


async def test_a_learner_gets_and_replaces_their_profile(stage: Stage) -> None:
    token = await authorise(stage.http, await register(stage.http))
    headers = bearer(token["access_token"])

    profile = (await stage.http.get(PROFILE, headers=headers)).json()
    updated = await stage.http.put(PROFILE, headers=headers, json={**profile, "name": "Ada L."})
    foreign = await stage.http.put(PROFILE, headers=headers, json={**profile, "id": "urn:x:other"})
    not_a_profile = await stage.http.put(PROFILE, headers=headers, json={"name": "Ada"})

    assert validate_against("ob_v3p0_profile_schema.json", profile) == []
    assert "sha256" in profile["id"]
    assert "@" not in profile["id"]
    assert updated.status_code == 200
    assert (await stage.http.get(PROFILE, headers=headers)).json()["name"] == "Ada L."
    assert_status_info(foreign, 400, "invalid_data")
    assert_status_info(not_a_profile, 400, "invalid_data")


async def test_a_learner_stores_a_verified_credential_of_theirs_from_elsewhere(
    stage: Stage,
) -> None:
    token = await authorise(stage.http, await register(stage.http))
    headers = bearer(token["access_token"])
    credential = foreign_credential(ADA, Ed25519Multikey.generate())

    created = await stage.http.post(CREDENTIALS, headers=headers, json=credential)
    replaced = await stage.http.post(CREDENTIALS, headers=headers, json=credential)
    listed = await stage.http.get(CREDENTIALS, headers=headers)

    assert (created.status_code, replaced.status_code) == (201, 200)
    assert created.json() == credential
    assert listed.headers["X-Total-Count"] == "4"
    assert credential["id"] in {c["id"] for c in listed.json()["credential"]}
    assert validate_against(GET_CREDENTIALS, listed.json()) == []


async def test_a_credential_about_someone_else_or_tampered_or_unsigned_is_refused(
    stage: Stage,
) -> None:
    token = await authorise(stage.http, await register(stage.http))
    headers = bearer(token["access_token"])
    key = Ed25519Multikey.generate()
    graces = foreign_credential(GRACE, key)
    tampered = foreign_credential(ADA, key)
    tampered["name"] = "Welding mastery"
    unsigned = {k: v for k, v in foreign_credential(ADA, key).items() if k != "proof"}

    assert_status_info(
        await stage.http.post(CREDENTIALS, headers=headers, json=graces), 403, "forbidden"
    )
    assert_status_info(
        await stage.http.post(CREDENTIALS, headers=headers, json=tampered), 400, "invalid_data"
    )
    assert_status_info(
        await stage.http.post(CREDENTIALS, headers=headers, json=unsigned), 400, "invalid_data"
    )
    assert_status_info(
        await stage.http.post(CREDENTIALS, headers=headers, json={"name": "x"}), 400, "invalid_data"
    )
    assert (await stage.http.get(CREDENTIALS, headers=headers)).headers["X-Total-Count"] == "3"


async def test_a_credential_issued_here_handed_back_is_already_listed(stage: Stage) -> None:
    token = await authorise(stage.http, await register(stage.http))
    headers = bearer(token["access_token"])
    [one, *_] = await stage.world.credentials.of_learner(stage.learner_ref(ADA))

    answer = await stage.http.post(CREDENTIALS, headers=headers, json=one.document)

    assert answer.status_code == 200
    assert (await stage.http.get(CREDENTIALS, headers=headers)).headers["X-Total-Count"] == "3"


async def test_storing_a_credential_needs_the_upsert_scope(stage: Stage) -> None:
    token = await authorise(
        stage.http, await register(stage.http), scope=OB + "credential.readonly"
    )

    answer = await stage.http.post(
        CREDENTIALS,
        headers=bearer(token["access_token"]),
        json=foreign_credential(ADA, Ed25519Multikey.generate()),
    )

    assert_status_info(answer, 403, "forbidden")
