"""Purpose-bound, expiring signed tokens: what they grant, and everything they refuse."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from microcred_shared.access_tokens import MAX_TOKEN_CHARS, PurposeTokens

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "a-test-secret-of-some-length-0123"


def tokens(purpose: str = "wallet-link", secret: str = SECRET) -> PurposeTokens:
    return PurposeTokens(secret, purpose, timedelta(minutes=30))


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_token_grants_its_subject_until_it_expires() -> None:
    minted = tokens().mint("sha256$ada", NOW)
    assert minted.expires_at == NOW + timedelta(minutes=30)
    grant = tokens().check(minted.token, NOW + timedelta(minutes=29))
    assert grant is not None
    assert (grant.subject, grant.expires_at) == ("sha256$ada", minted.expires_at)
    assert tokens().check(minted.token, NOW + timedelta(minutes=30, seconds=1)) is None


def test_a_lifetime_given_at_minting_replaces_the_purposes_own() -> None:
    minted = tokens().mint("sha256$ada", NOW, timedelta(days=7))
    assert tokens().check(minted.token, NOW + timedelta(days=6)) is not None
    assert tokens().check(minted.token, NOW + timedelta(days=7, seconds=1)) is None


def test_a_token_of_another_purpose_or_secret_is_refused() -> None:
    minted = tokens("wallet-link").mint("sha256$ada", NOW)
    assert tokens("wallet-session").check(minted.token, NOW) is None
    assert tokens(secret="another-secret-of-some-length-01").check(minted.token, NOW) is None


def test_a_token_whose_subject_was_changed_is_refused() -> None:
    header, payload, signature = tokens().mint("sha256$ada", NOW).token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = b64({**claims, "sub": "sha256$grace"})
    assert tokens().check(f"{header}.{forged}.{signature}", NOW) is None


def test_an_unsigned_token_is_refused() -> None:
    claims = {"sub": "sha256$ada", "aud": "wallet-link", "exp": int(NOW.timestamp()) + 60}
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert tokens().check(unsigned, NOW) is None


@pytest.mark.parametrize(
    "garbage", ["", "abc", "a.b.c", "é.é.é", "eyJ.eyJ.AA", "x" * (MAX_TOKEN_CHARS + 1)]
)
def test_anything_that_is_not_a_token_is_refused(garbage: str) -> None:
    assert tokens().check(garbage, NOW) is None
