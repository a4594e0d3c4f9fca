"""What a learner keeps through the Open Badges API: credentials issued elsewhere that they
stored here (``upsertCredential``) and their profile (``putProfile``)."""

from __future__ import annotations

import hashlib
from typing import Any

from microcred_shared.mongo import IndexSpec, MongoDatabase
from pymongo import ASCENDING, IndexModel

from ..service_layer.ob_api import HeldCredential

HELD_CREDENTIALS = "ob_held_credentials"
LEARNER_PROFILES = "ob_learner_profiles"

INDEXES = [IndexSpec(HELD_CREDENTIALS, (IndexModel([("learner_ref", ASCENDING)]),))]


def held_id(learner_ref: str, credential_id: str) -> str:
    """One document per learner and credential id: storing it again replaces it."""
    return hashlib.sha256(f"{learner_ref}\n{credential_id}".encode()).hexdigest()


class MongoObResources:
    def __init__(self, database: MongoDatabase) -> None:
        self._held = database[HELD_CREDENTIALS]
        self._profiles = database[LEARNER_PROFILES]

    async def held(self, learner_ref: str) -> list[HeldCredential]:
        cursor = self._held.find({"learner_ref": learner_ref})
        return [
            HeldCredential(
                learner_ref=doc["learner_ref"],
                credential_id=doc["credential_id"],
                issued_at=doc["issued_at"],
                document=doc["document"],
            )
            async for doc in cursor
        ]

    async def put_held(self, credential: HeldCredential) -> bool:
        result = await self._held.replace_one(
            {"_id": held_id(credential.learner_ref, credential.credential_id)},
            {
                "learner_ref": credential.learner_ref,
                "credential_id": credential.credential_id,
                "issued_at": credential.issued_at,
                "document": credential.document,
            },
            upsert=True,
        )
        return result.upserted_id is not None

    async def profile(self, learner_ref: str) -> dict[str, Any] | None:
        doc = await self._profiles.find_one({"_id": learner_ref})
        return None if doc is None else dict(doc["profile"])

    async def put_profile(self, learner_ref: str, profile: dict[str, Any]) -> None:
        await self._profiles.replace_one({"_id": learner_ref}, {"profile": profile}, upsert=True)
