"""The Open Badges API's rules, one at a time: whose credential it is, paging links, scopes,
lifetimes, and what is stored of a secret."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from microcred_issuer.domain.oauth import AuthorizationCode, OAuthClient, OAuthToken, secret_hash
from microcred_issuer.entrypoints.http_ob_api import imsx_body, paging_links
from microcred_issuer.service_layer.ob_api import names_email, profile_id
from microcred_shared.openbadges.schema import validate_against

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
URL = "https://issuer.example/ims/ob/v3p0/credentials"


def identity(value: str, *, hashed: bool = True, salt: str = "s4lt") -> dict[str, object]:
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": hashed,
        "salt": salt,
        "identityHash": value,
    }


def hashed(email: str, salt: str = "s4lt") -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def test_a_subject_names_an_email_by_its_salted_hash_or_in_clear() -> None:
    assert names_email({"identifier": [identity(hashed("ada@example.org"))]}, " Ada@Example.org")
    assert names_email(
        {"identifier": [identity("ADA@example.org", hashed=False)]}, "ada@example.org"
    )
    assert not names_email(
        {"identifier": [identity(hashed("grace@example.org"))]}, "ada@example.org"
    )
    # The hash of the right address under another salt than the one stated is not a match.
    other_salt = identity(hashed("ada@example.org", salt="other"))
    assert not names_email({"identifier": [other_salt]}, "ada@example.org")
    phone = {**identity(hashed("ada@example.org")), "identityType": "phone"}
    assert not names_email({"identifier": [phone]}, "ada@example.org")
    assert not names_email({}, "ada@example.org")


def test_a_profile_id_is_the_learners_did_or_a_urn_of_their_hash() -> None:
    assert profile_id("did:key:z6Mkabc") == "did:key:z6Mkabc"
    assert profile_id("sha256$0a1b") == "urn:microcred:learner:sha256:0a1b"


def test_paging_links_name_first_and_last_always_next_and_prev_when_there_are_such() -> None:
    middle = paging_links(URL, 10, 10, 35)
    assert middle == ", ".join(
        [
            f'<{URL}?limit=10&offset=20>; rel="next"',
            f'<{URL}?limit=10&offset=30>; rel="last"',
            f'<{URL}?limit=10&offset=0>; rel="first"',
            f'<{URL}?limit=10&offset=0>; rel="prev"',
        ]
    )
    assert 'rel="next"' not in paging_links(URL, 10, 30, 35)
    assert f'<{URL}?limit=10&offset=10>; rel="last"' in paging_links(URL, 10, 0, 20)
    assert paging_links(URL, 10, 0, 0) == (
        f'<{URL}?limit=10&offset=0>; rel="last", <{URL}?limit=10&offset=0>; rel="first"'
    )


def test_an_error_body_is_a_valid_imsx_status_info() -> None:
    body = imsx_body("failure", "unauthorizedrequest", "no token")

    assert validate_against("ob_v3p0_imsx_statusinfo_schema.json", body) == []


def test_a_client_is_granted_only_scopes_it_registered_and_its_secret_is_kept_hashed() -> None:
    client = OAuthClient(
        client_id="wallet",
        secret_hash=secret_hash("s3cret"),
        name="Wallet",
        redirect_uris=("https://wallet.example/cb",),
        scope="a b",
        registered_at=NOW,
    )

    assert client.allowed_scope("b c a") == "a b"
    assert client.allowed_scope("c") == ""
    assert client.secret_matches("s3cret")
    assert not client.secret_matches("s3cret ")
    assert "s3cret" not in client.secret_hash


def test_a_code_expires_and_a_refresh_token_ends_with_its_lifetime_or_revocation() -> None:
    code = AuthorizationCode("h", "c", "l", "u", "s", "x", "S256", NOW + timedelta(minutes=5))
    token = OAuthToken(
        access_hash="a",
        refresh_hash="r",
        grant_id="a",
        client_id="c",
        learner_ref="l",
        scope="s",
        issued_at=NOW,
        access_expires_at=NOW + timedelta(hours=1),
        refresh_expires_at=NOW + timedelta(days=30),
    )

    assert not code.expired(NOW + timedelta(minutes=4, seconds=59))
    assert code.expired(NOW + timedelta(minutes=5))
    assert not token.access_expired(NOW + timedelta(minutes=59))
    assert token.access_expired(NOW + timedelta(hours=1))
    assert token.refresh_usable(NOW + timedelta(days=29))
    assert not token.refresh_usable(NOW + timedelta(days=30))
    spent = OAuthToken(**{**token.__dict__, "revoked": True})
    assert not spent.refresh_usable(NOW)
    assert spent.refresh_replayed(NOW)
    assert not token.refresh_replayed(NOW)
    assert not spent.refresh_replayed(NOW + timedelta(days=30))
