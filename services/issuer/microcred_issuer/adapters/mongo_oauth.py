"""The OAuth 2.0 server's clients, codes and tokens: one collection each, every secret stored
as its hash (``domain/oauth.secret_hash``), every lookup by ``_id`` or an indexed hash."""

from __future__ import annotations

from microcred_shared.mongo import Document, IndexSpec, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..domain.oauth import AuthorizationCode, OAuthClient, OAuthToken

OAUTH_CLIENTS = "oauth_clients"
OAUTH_CODES = "oauth_codes"
OAUTH_TOKENS = "oauth_tokens"

INDEXES = [
    IndexSpec(
        OAUTH_TOKENS,
        (
            IndexModel([("refresh_hash", ASCENDING)], sparse=True),
            IndexModel([("grant_id", ASCENDING)]),
        ),
    ),
]


class MongoOAuthStore:
    def __init__(self, database: MongoDatabase) -> None:
        self._clients = database[OAUTH_CLIENTS]
        self._codes = database[OAUTH_CODES]
        self._tokens = database[OAUTH_TOKENS]

    async def add_client(self, client: OAuthClient) -> None:
        await self._clients.insert_one(
            {
                "_id": client.client_id,
                "secret_hash": client.secret_hash,
                "name": client.name,
                "redirect_uris": list(client.redirect_uris),
                "scope": client.scope,
                "registered_at": client.registered_at,
                "client_uri": client.client_uri,
                "auth_method": client.auth_method,
                "grant_types": list(client.grant_types),
                "response_types": list(client.response_types),
            }
        )

    async def client(self, client_id: str) -> OAuthClient | None:
        doc = await self._clients.find_one({"_id": client_id})
        if doc is None:
            return None
        return OAuthClient(
            client_id=doc["_id"],
            secret_hash=doc["secret_hash"],
            name=doc["name"],
            redirect_uris=tuple(doc["redirect_uris"]),
            scope=doc["scope"],
            registered_at=doc["registered_at"],
            client_uri=doc.get("client_uri"),
            auth_method=doc["auth_method"],
            grant_types=tuple(doc["grant_types"]),
            response_types=tuple(doc["response_types"]),
        )

    async def add_code(self, code: AuthorizationCode) -> None:
        await self._codes.insert_one(
            {
                "_id": code.code_hash,
                "client_id": code.client_id,
                "learner_ref": code.learner_ref,
                "redirect_uri": code.redirect_uri,
                "scope": code.scope,
                "code_challenge": code.code_challenge,
                "code_challenge_method": code.code_challenge_method,
                "expires_at": code.expires_at,
            }
        )

    async def take_code(self, code_hash: str) -> AuthorizationCode | None:
        # Single use without a transaction: of two concurrent takers both may read it, but only
        # the one whose delete removed it gets it.
        doc = await self._codes.find_one({"_id": code_hash})
        if doc is None:
            return None
        deleted = await self._codes.delete_one({"_id": code_hash})
        if deleted.deleted_count != 1:
            return None
        return AuthorizationCode(
            code_hash=doc["_id"],
            client_id=doc["client_id"],
            learner_ref=doc["learner_ref"],
            redirect_uri=doc["redirect_uri"],
            scope=doc["scope"],
            code_challenge=doc["code_challenge"],
            code_challenge_method=doc["code_challenge_method"],
            expires_at=doc["expires_at"],
        )

    async def add_token(self, token: OAuthToken) -> None:
        await self._tokens.insert_one(
            {
                "_id": token.access_hash,
                "refresh_hash": token.refresh_hash,
                "grant_id": token.grant_id,
                "client_id": token.client_id,
                "learner_ref": token.learner_ref,
                "scope": token.scope,
                "issued_at": token.issued_at,
                "access_expires_at": token.access_expires_at,
                "refresh_expires_at": token.refresh_expires_at,
                "revoked": token.revoked,
            }
        )

    async def token_by_access(self, access_hash: str) -> OAuthToken | None:
        return _token(await self._tokens.find_one({"_id": access_hash}))

    async def token_by_refresh(self, refresh_hash: str) -> OAuthToken | None:
        return _token(await self._tokens.find_one({"refresh_hash": refresh_hash}))

    async def revoke_token(self, access_hash: str) -> None:
        await self._tokens.update_one({"_id": access_hash}, {"$set": {"revoked": True}})

    async def revoke_grant(self, grant_id: str) -> None:
        await self._tokens.update_many({"grant_id": grant_id}, {"$set": {"revoked": True}})


def _token(doc: Document | None) -> OAuthToken | None:
    if doc is None:
        return None
    return OAuthToken(
        access_hash=doc["_id"],
        refresh_hash=doc.get("refresh_hash"),
        grant_id=doc["grant_id"],
        client_id=doc["client_id"],
        learner_ref=doc["learner_ref"],
        scope=doc["scope"],
        issued_at=doc["issued_at"],
        access_expires_at=doc["access_expires_at"],
        refresh_expires_at=doc["refresh_expires_at"],
        revoked=doc["revoked"],
    )
