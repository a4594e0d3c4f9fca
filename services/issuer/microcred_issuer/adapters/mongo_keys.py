"""Keyrings (sealed keys and their history) and provider API key hashes."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.messaging.outbox import insert_with_outbox, store_with_outbox
from microcred_shared.mongo import Document, IndexSpec, MongoDatabase

from ..domain.keyring import KeyRecord, Keyring
from ..service_layer.ports import OutgoingEvent
from .outbox import entries

KEYRINGS = "keyrings"
API_KEYS = "api_keys"
INDEXES: list[IndexSpec] = []


def _key_document(key: KeyRecord) -> Document:
    return {
        "fragment": key.fragment,
        "public_key_multibase": key.public_key_multibase,
        "sealed_secret": key.sealed_secret,
        "valid_from": key.valid_from,
        "valid_until": key.valid_until,
        "revoked_at": key.revoked_at,
        "reported_at": key.reported_at,
        "controller": key.controller,
    }


def _state(keyring: Keyring) -> Document:
    return {
        "did": keyring.did,
        "version": keyring.version,
        "keys": [_key_document(key) for key in keyring.keys],
    }


def _keyring(doc: Document) -> Keyring:
    return Keyring(
        provider_id=doc["_id"],
        did=doc["did"],
        version=doc["version"],
        keys=tuple(
            KeyRecord(
                fragment=k["fragment"],
                public_key_multibase=k["public_key_multibase"],
                sealed_secret=k["sealed_secret"],
                valid_from=k["valid_from"],
                valid_until=k.get("valid_until"),
                revoked_at=k.get("revoked_at"),
                reported_at=k.get("reported_at"),
                controller=k.get("controller"),
            )
            for k in doc["keys"]
        ),
    )


class MongoKeyrings:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[KEYRINGS]

    async def get(self, provider_id: str) -> Keyring | None:
        doc = await self._collection.find_one({"_id": provider_id})
        return _keyring(doc) if doc else None

    async def all(self) -> list[Keyring]:
        return [_keyring(doc) async for doc in self._collection.find({})]

    async def create(self, keyring: Keyring, events: Sequence[OutgoingEvent]) -> bool:
        document = {"_id": keyring.provider_id, **_state(keyring)}
        return await insert_with_outbox(self._collection, document, entries(events))

    async def replace(
        self, keyring: Keyring, expected_version: int, events: Sequence[OutgoingEvent]
    ) -> bool:
        return await store_with_outbox(
            self._collection,
            keyring.provider_id,
            {"$set": _state(keyring)},
            entries(events),
            only_if=lambda stored: stored is not None and stored["version"] == expected_version,
        )
