"""Provider API keys: 256 random bits shown once, kept only as their SHA-256, revocable, and
several active at once so a provider can rotate without downtime (issue, deploy, revoke).

A key's public id (``k_`` and the first 12 hex digits of its hash) names it in listings and
revocations: derived from the hash, it needs no migration for keys stored before it existed,
and reveals nothing about the secret.

Lookups are not cached: every request reads the key's document by ``_id`` (the one filter
FerretDB serves from an index), so a revoked key is refused by the very next request on every
replica.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel

from .locks import update_by_id_if
from .mongo import Document, MongoCollection

KEY_ID_PREFIX = "k_"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def key_id_of(key_hash: str) -> str:
    return KEY_ID_PREFIX + key_hash[:12]


@dataclass(frozen=True)
class ApiKeyRecord:
    key_hash: str
    provider_id: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return key_id_of(self.key_hash)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiKeyStore(Protocol):
    async def add(self, record: ApiKeyRecord) -> None: ...
    async def by_hash(self, key_hash: str) -> ApiKeyRecord | None: ...
    async def of_provider(self, provider_id: str) -> list[ApiKeyRecord]: ...
    async def mark_revoked(self, key_hash: str, at: datetime) -> ApiKeyRecord | None:
        """The record revoked at ``at``; None if it was revoked already (or is absent)."""
        ...


class ApiKeyRegistry:
    def __init__(self, store: ApiKeyStore, prefix: str, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._prefix = prefix
        self._clock = clock

    async def issue(self, provider_id: str) -> tuple[ApiKeyRecord, str]:
        """A new active key (the provider's others stay active): the record and the key,
        which is shown this once."""
        api_key = self._prefix + secrets.token_urlsafe(32)
        record = ApiKeyRecord(hash_api_key(api_key), provider_id, self._clock())
        await self._store.add(record)
        return record, api_key

    async def provider_of(self, api_key: str) -> str | None:
        """The provider an active key belongs to; None for an unknown or revoked key."""
        record = await self._store.by_hash(hash_api_key(api_key))
        return record.provider_id if record is not None and record.active else None

    async def keys_of(self, provider_id: str) -> list[ApiKeyRecord]:
        records = await self._store.of_provider(provider_id)
        return sorted(records, key=lambda record: record.created_at)

    async def revoke(self, provider_id: str, key_id: str) -> ApiKeyRecord | None:
        """The provider's key revoked (as it was, if it already was); None: no such key."""
        record = next(
            (r for r in await self._store.of_provider(provider_id) if r.key_id == key_id), None
        )
        if record is None or not record.active:
            return record
        revoked = await self._store.mark_revoked(record.key_hash, self._clock())
        return revoked or await self._store.by_hash(record.key_hash)

    async def revoke_all_but(self, provider_id: str, keep: ApiKeyRecord) -> None:
        """Revoke every other active key of the provider (a rotation done in one step)."""
        for record in await self._store.of_provider(provider_id):
            if record.active and record.key_hash != keep.key_hash:
                await self._store.mark_revoked(record.key_hash, self._clock())


class MongoApiKeyStore:
    """One document per key: ``_id`` the key's hash (looked up per request), its provider, when
    it was created and revoked."""

    def __init__(self, collection: MongoCollection) -> None:
        self._collection = collection

    async def add(self, record: ApiKeyRecord) -> None:
        await self._collection.insert_one(
            {
                "_id": record.key_hash,
                "provider_id": record.provider_id,
                "created_at": record.created_at,
                "revoked_at": record.revoked_at,
            }
        )

    async def by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        doc = await self._collection.find_one({"_id": key_hash})
        return _record(doc) if doc else None

    async def of_provider(self, provider_id: str) -> list[ApiKeyRecord]:
        # A scan of a small collection (a few keys per provider), for key management only.
        return [_record(doc) async for doc in self._collection.find({"provider_id": provider_id})]

    async def mark_revoked(self, key_hash: str, at: datetime) -> ApiKeyRecord | None:
        stored = await update_by_id_if(
            self._collection,
            key_hash,
            lambda doc: doc.get("revoked_at") is None,
            {"$set": {"revoked_at": at}},
        )
        return _record(stored) if stored else None


def _record(doc: Document) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_hash=str(doc["_id"]),
        provider_id=str(doc["provider_id"]),
        created_at=doc["created_at"],
        revoked_at=doc.get("revoked_at"),
    )


class ApiKeyInfo(BaseModel):
    """A provider's API key as the catalogue and the issuer list it over HTTP: never the key."""

    key_id: str
    provider_id: str
    created_at: datetime
    revoked_at: datetime | None
    active: bool

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKeyInfo:
        return cls(
            key_id=record.key_id,
            provider_id=record.provider_id,
            created_at=record.created_at,
            revoked_at=record.revoked_at,
            active=record.active,
        )
