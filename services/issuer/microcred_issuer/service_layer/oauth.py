"""The Open Badges API's OAuth 2.0 authorization server, on Authlib.

Authlib decides everything OAuth: dynamic client registration (RFC 7591), the authorization
code grant with PKCE (RFC 7636, S256 only), refresh tokens, revocation (RFC 7009) and bearer
token checks (RFC 6750). This module only tells it where clients, codes and tokens are kept
(``OAuthStore``) and which scopes exist; ``entrypoints/oauth_http.py`` adds the HTTP side.

Authlib's server is synchronous while our store is async: the routes run a server call in a
worker thread (``anyio.to_thread``), and each store call here goes back to the event loop with
``anyio.from_thread.run``, which blocks only that worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import anyio.from_thread
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import AuthorizationServer, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge

from ..domain.oauth import (
    OB_SCOPES,
    AuthorizationCode,
    OAuthClient,
    OAuthToken,
    secret_hash,
)
from .ports import Clock

T = TypeVar("T")

# OB 3.0 § 7: a client authenticates at the token and revocation endpoints with its secret.
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
GRANT_TYPES = ["authorization_code", "refresh_token"]


class OAuthStore(Protocol):
    async def add_client(self, client: OAuthClient) -> None: ...
    async def client(self, client_id: str) -> OAuthClient | None: ...
    async def add_code(self, code: AuthorizationCode) -> None: ...
    async def take_code(self, code_hash: str) -> AuthorizationCode | None:
        """The code, deleted as it is read: only one taker ever gets it."""
        ...

    async def add_token(self, token: OAuthToken) -> None: ...
    async def token_by_access(self, access_hash: str) -> OAuthToken | None: ...
    async def token_by_refresh(self, refresh_hash: str) -> OAuthToken | None: ...
    async def revoke_token(self, access_hash: str) -> None: ...
    async def revoke_grant(self, grant_id: str) -> None:
        """Revoke every token descending from one consent."""
        ...


@dataclass(frozen=True)
class OAuthOptions:
    code_lifetime: timedelta = timedelta(minutes=5)
    access_lifetime: timedelta = timedelta(hours=1)
    refresh_lifetime: timedelta = timedelta(days=30)


def _blocking(call: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run a store call on the event loop from the worker thread Authlib runs in."""
    return anyio.from_thread.run(call, *args)


class ObClient:
    """An ``OAuthClient`` as Authlib's ``ClientMixin`` reads it."""

    def __init__(self, record: OAuthClient) -> None:
        self.record = record

    def get_client_id(self) -> str:
        return self.record.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.record.redirect_uris[0] if self.record.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The asked scopes this client registered for; None (invalid_scope) if none is."""
        return self.record.allowed_scope(scope) or None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.record.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.record.secret_matches(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.record.response_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.record.grant_types


class ObAuthorizationCode:
    def __init__(self, record: AuthorizationCode) -> None:
        self.record = record

    def get_redirect_uri(self) -> str:
        return self.record.redirect_uri

    def get_scope(self) -> str:
        return self.record.scope


class ObToken:
    """An ``OAuthToken`` as Authlib's ``TokenMixin`` reads it, judged at ``now``."""

    def __init__(self, record: OAuthToken, now: datetime) -> None:
        self.record = record
        self.now = now

    def check_client(self, client: ObClient) -> bool:
        return client.get_client_id() == self.record.client_id

    def get_scope(self) -> str:
        return self.record.scope

    def get_expires_in(self) -> int:
        return int((self.record.access_expires_at - self.record.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.record.access_expired(self.now)

    def is_revoked(self) -> bool:
        return self.record.revoked


class ObAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """Authlib's server on our store; the HTTP adapters are added by a subclass."""

    def __init__(self, store: OAuthStore, clock: Clock, options: OAuthOptions) -> None:
        super().__init__(scopes_supported=list(OB_SCOPES))
        self.store = store
        self.clock = clock
        self.options = options
        lifetimes = {
            "authorization_code": int(options.access_lifetime.total_seconds()),
            "refresh_token": int(options.access_lifetime.total_seconds()),
        }
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: generate_token(48),
                refresh_token_generator=lambda **_: generate_token(48),
                expires_generator=lambda client, grant_type: lifetimes[grant_type],
            ),
        )
        self.register_grant(ObAuthorizationCodeGrant, [S256CodeChallenge(required=True)])
        self.register_grant(ObRefreshTokenGrant)
        self.register_endpoint(ObRevocationEndpoint)
        self.register_endpoint(ObClientRegistrationEndpoint)

    def query_client(self, client_id: str) -> ObClient | None:
        record = _blocking(self.store.client, client_id)
        return ObClient(record) if record else None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        now = self.clock.now()
        refresh = token.get("refresh_token")
        access_hash = secret_hash(token["access_token"])
        # A refreshed token keeps its grant; a code's token starts one.
        spent = request.refresh_token
        record = OAuthToken(
            access_hash=access_hash,
            refresh_hash=secret_hash(refresh) if refresh else None,
            grant_id=spent.record.grant_id if spent is not None else access_hash,
            client_id=request.client.get_client_id(),
            learner_ref=request.user,
            scope=token.get("scope", ""),
            issued_at=now,
            access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
            refresh_expires_at=now + self.options.refresh_lifetime,
        )
        _blocking(self.store.add_token, record)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib's hook for framework signals: nothing listens here."""

    def find_token(self, token: str, hint: str | None = None) -> ObToken | None:
        """The grant an access or refresh token belongs to (RFC 7009 accepts either)."""
        now = self.clock.now()
        lookups = [self.store.token_by_access, self.store.token_by_refresh]
        if hint == "refresh_token":
            lookups.reverse()
        for lookup in lookups:
            record = _blocking(lookup, secret_hash(token))
            if record is not None:
                return ObToken(record, now)
        return None


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE with S256 only: "plain" would send the verifier itself through the browser."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 (Authlib's attribute, read only)

    def get_authorization_code_challenge(self, authorization_code: ObAuthorizationCode) -> str:
        return authorization_code.record.code_challenge

    def get_authorization_code_challenge_method(
        self, authorization_code: ObAuthorizationCode
    ) -> str:
        return authorization_code.record.code_challenge_method


class ObAuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: ObAuthorizationServer

    def save_authorization_code(self, code: str, request: Any) -> None:
        payload = request.payload.data
        record = AuthorizationCode(
            code_hash=secret_hash(code),
            client_id=request.client.get_client_id(),
            learner_ref=request.user,
            redirect_uri=payload.get("redirect_uri") or "",
            scope=request.scope or "",
            code_challenge=payload.get("code_challenge", ""),
            code_challenge_method=payload.get("code_challenge_method") or "S256",
            expires_at=self.server.clock.now() + self.server.options.code_lifetime,
        )
        _blocking(self.server.store.add_code, record)

    def query_authorization_code(self, code: str, client: ObClient) -> ObAuthorizationCode | None:
        # Taken (deleted) on first use, whatever follows: a code never works twice, even when
        # two exchanges race or the first one's verifier was wrong.
        record = _blocking(self.server.store.take_code, secret_hash(code))
        if record is None or record.client_id != client.get_client_id():
            return None
        if record.expired(self.server.clock.now()):
            return None
        return ObAuthorizationCode(record)

    def delete_authorization_code(self, authorization_code: ObAuthorizationCode) -> None:
        """Nothing left to delete: ``query_authorization_code`` took it."""

    def authenticate_user(self, authorization_code: ObAuthorizationCode) -> str:
        return authorization_code.record.learner_ref


class ObRefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    # A new refresh token with each refresh; the old grant is revoked (rotation).
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: ObAuthorizationServer

    def authenticate_refresh_token(self, refresh_token: str) -> ObToken | None:
        record = _blocking(self.server.store.token_by_refresh, secret_hash(refresh_token))
        now = self.server.clock.now()
        if record is not None and record.refresh_replayed(now):
            _blocking(self.server.store.revoke_grant, record.grant_id)
        return ObToken(record, now) if record and record.refresh_usable(now) else None

    def authenticate_user(self, refresh_token: ObToken) -> str:
        return refresh_token.record.learner_ref

    def revoke_old_credential(self, refresh_token: ObToken) -> None:
        _blocking(self.server.store.revoke_token, refresh_token.record.access_hash)


class ObRevocationEndpoint(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS
    server: ObAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> ObToken | None:
        return self.server.find_token(token_string, token_type_hint)

    def revoke_token(self, token: ObToken, request: Any) -> None:
        _blocking(self.server.store.revoke_token, token.record.access_hash)


class ObClientRegistrationEndpoint(ClientRegistrationEndpoint):  # type: ignore[misc]
    """Open registration, as OB 3.0 § 7.2 has it: any client may register; none gets a token
    until a learner consents to it."""

    server: ObAuthorizationServer

    def authenticate_token(self, request: Any) -> bool:
        return True

    def resolve_public_key(self, request: Any) -> None:
        return None

    def get_server_metadata(self) -> dict[str, Any]:
        return {
            "scopes_supported": list(OB_SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": GRANT_TYPES,
            "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        }

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> ObClient:
        record = OAuthClient(
            client_id=client_info["client_id"],
            secret_hash=secret_hash(client_info["client_secret"]),
            name=client_metadata.get("client_name") or client_info["client_id"],
            redirect_uris=tuple(client_metadata.get("redirect_uris") or ()),
            scope=client_metadata.get("scope", ""),
            registered_at=self.server.clock.now(),
            client_uri=client_metadata.get("client_uri"),
            auth_method=client_metadata.get("token_endpoint_auth_method", CLIENT_AUTH_METHODS[0]),
            grant_types=tuple(client_metadata.get("grant_types") or GRANT_TYPES),
            response_types=tuple(client_metadata.get("response_types") or ["code"]),
        )
        _blocking(self.server.store.add_client, record)
        return ObClient(record)


class ObBearerTokens(BearerTokenValidator):  # type: ignore[misc]
    """Authlib's check of a token for a resource: genuine, current, not revoked, the scope."""

    def __init__(self) -> None:
        super().__init__(realm="ob")

    def check(self, token: ObToken | None, scope: str) -> ObToken:
        """The token, or Authlib's InvalidTokenError / InsufficientScopeError."""
        self.validate_token(token, [scope], None)
        assert token is not None  # validate_token refuses a missing one
        return token


async def find_access_token(store: OAuthStore, clock: Clock, token: str) -> ObToken | None:
    """An access token's grant, judged now (async: the resource routes need no thread)."""
    record = await store.token_by_access(secret_hash(token))
    return ObToken(record, clock.now()) if record else None
