"""In-memory stand-ins for the Open Badges API's stores (OAuth records, held credentials and
profiles); ``tests/integration/issuer/test_ob_api_store_contracts.py`` holds them to the
MongoDB adapters' contract."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from microcred_issuer.domain.oauth import AuthorizationCode, OAuthClient, OAuthToken
from microcred_issuer.service_layer.ob_api import HeldCredential


class FakeOAuthStore:
    def __init__(self) -> None:
        self.clients: dict[str, OAuthClient] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, OAuthToken] = {}

    async def add_client(self, client: OAuthClient) -> None:
        self.clients[client.client_id] = client

    async def client(self, client_id: str) -> OAuthClient | None:
        return self.clients.get(client_id)

    async def add_code(self, code: AuthorizationCode) -> None:
        self.codes[code.code_hash] = code

    async def take_code(self, code_hash: str) -> AuthorizationCode | None:
        return self.codes.pop(code_hash, None)

    async def add_token(self, token: OAuthToken) -> None:
        self.tokens[token.access_hash] = token

    async def token_by_access(self, access_hash: str) -> OAuthToken | None:
        return self.tokens.get(access_hash)

    async def token_by_refresh(self, refresh_hash: str) -> OAuthToken | None:
        found = [t for t in self.tokens.values() if t.refresh_hash == refresh_hash]
        return found[0] if found else None

    async def revoke_token(self, access_hash: str) -> None:
        if access_hash in self.tokens:
            self.tokens[access_hash] = replace(self.tokens[access_hash], revoked=True)

    async def revoke_grant(self, grant_id: str) -> None:
        for access_hash, token in self.tokens.items():
            if token.grant_id == grant_id:
                self.tokens[access_hash] = replace(token, revoked=True)


class FakeObResources:
    def __init__(self) -> None:
        self.held_credentials: dict[tuple[str, str], HeldCredential] = {}
        self.profiles: dict[str, dict[str, Any]] = {}

    async def held(self, learner_ref: str) -> list[HeldCredential]:
        return [h for (ref, _), h in self.held_credentials.items() if ref == learner_ref]

    async def put_held(self, credential: HeldCredential) -> bool:
        key = (credential.learner_ref, credential.credential_id)
        new = key not in self.held_credentials
        self.held_credentials[key] = credential
        return new

    async def profile(self, learner_ref: str) -> dict[str, Any] | None:
        return self.profiles.get(learner_ref)

    async def put_profile(self, learner_ref: str, profile: dict[str, Any]) -> None:
        self.profiles[learner_ref] = profile
