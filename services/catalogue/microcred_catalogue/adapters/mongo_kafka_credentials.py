"""Kafka credentials' records (no passwords: the broker keeps only SCRAM verifiers)."""

from __future__ import annotations

from typing import Any

from microcred_shared.mongo import Document, IndexSpec, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..domain.kafka_credentials import Holder, HolderKind, KafkaCredential

COLLECTION = "kafka_credentials"
INDEXES = [IndexSpec(COLLECTION, [IndexModel([("holder_id", ASCENDING)])])]


class MongoKafkaCredentials:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[COLLECTION]

    async def save(self, credential: KafkaCredential) -> None:
        await self._collection.replace_one(
            {"_id": credential.credential_id}, _document(credential), upsert=True
        )

    async def get(self, credential_id: str) -> KafkaCredential | None:
        document = await self._collection.find_one({"_id": credential_id})
        return _credential(document) if document else None

    async def of_holder(self, holder: Holder) -> list[KafkaCredential]:
        # An admin's listing over a small collection: the scan FerretDB makes of it is fine.
        cursor = self._collection.find(
            {"holder_id": holder.holder_id, "holder_kind": holder.kind.value}
        ).sort("created_at", ASCENDING)
        return [_credential(document) async for document in cursor]


def _document(credential: KafkaCredential) -> Document:
    return {
        "_id": credential.credential_id,
        "holder_kind": credential.holder.kind.value,
        "holder_id": credential.holder.holder_id,
        "username": credential.username,
        "write_topics": list(credential.write_topics),
        "read_topics": list(credential.read_topics),
        "consumer_group_prefix": credential.consumer_group_prefix,
        "created_at": credential.created_at,
        "revoked_at": credential.revoked_at,
    }


def _credential(document: dict[str, Any]) -> KafkaCredential:
    return KafkaCredential(
        credential_id=document["_id"],
        holder=Holder(HolderKind(document["holder_kind"]), document["holder_id"]),
        username=document["username"],
        write_topics=tuple(document["write_topics"]),
        read_topics=tuple(document["read_topics"]),
        consumer_group_prefix=document["consumer_group_prefix"],
        created_at=document["created_at"],
        revoked_at=document.get("revoked_at"),
    )
