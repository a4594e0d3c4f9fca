"""What the Open Badges API's OAuth 2.0 server remembers: registered clients, authorization
codes and tokens, each kept without its secret in clear (a hash stands for it).

These are plain records and rules; Authlib's server reads them through the wrappers in
``service_layer/oauth.py``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

SCOPE_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READONLY = SCOPE_PREFIX + "credential.readonly"
CREDENTIAL_UPSERT = SCOPE_PREFIX + "credential.upsert"
PROFILE_READONLY = SCOPE_PREFIX + "profile.readonly"
PROFILE_UPDATE = SCOPE_PREFIX + "profile.update"

# The four scopes of OB 3.0 § 6.2.1, with the words the consent page and discovery show.
OB_SCOPES: dict[str, str] = {
    CREDENTIAL_READONLY: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: (
        "Permission to create or update AchievementCredentials for the authenticated entity."
    ),
    PROFILE_READONLY: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}


def secret_hash(secret: str) -> str:
    """What is stored for a token, code or client secret: a leaked database holds no usable
    secret. Unsalted SHA-256 suffices: each secret is 32+ random bytes, never guessable."""
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_of(scope: str | None) -> frozenset[str]:
    return frozenset((scope or "").split())


@dataclass(frozen=True)
class OAuthClient:
    """A client registered by RFC 7591 dynamic registration."""

    client_id: str
    secret_hash: str
    name: str
    redirect_uris: tuple[str, ...]
    scope: str
    registered_at: datetime
    client_uri: str | None = None
    auth_method: str = "client_secret_basic"
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")
    response_types: tuple[str, ...] = ("code",)

    def secret_matches(self, secret: str) -> bool:
        # Constant-time: how much of a guess matched must not show in the timing.
        return hmac.compare_digest(secret_hash(secret), self.secret_hash)

    def allowed_scope(self, asked: str | None) -> str:
        """The asked scopes this client registered for (space-separated, in a stable order)."""
        return " ".join(sorted(scopes_of(asked) & scopes_of(self.scope)))


@dataclass(frozen=True)
class AuthorizationCode:
    """A code the learner's consent produced, good once and briefly."""

    code_hash: str
    client_id: str
    learner_ref: str
    redirect_uri: str
    scope: str
    code_challenge: str
    code_challenge_method: str
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True)
class OAuthToken:
    """An access token with its refresh token, revoked together. ``grant_id`` names the
    learner's consent they descend from: every refresh keeps it."""

    access_hash: str
    refresh_hash: str | None
    grant_id: str
    client_id: str
    learner_ref: str
    scope: str
    issued_at: datetime
    access_expires_at: datetime
    refresh_expires_at: datetime
    revoked: bool = False

    def access_expired(self, now: datetime) -> bool:
        return now >= self.access_expires_at

    def refresh_usable(self, now: datetime) -> bool:
        return not self.revoked and now < self.refresh_expires_at

    def refresh_replayed(self, now: datetime) -> bool:
        """A refresh token used again after it was spent (or revoked): whoever holds it may
        have stolen it, so the whole grant ends (OAuth 2.0 Security BCP, RFC 9700 § 4.14)."""
        return self.revoked and now < self.refresh_expires_at
