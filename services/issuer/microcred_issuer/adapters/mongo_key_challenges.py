"""Key-import challenges, one document each by nonce; taking one deletes it."""

from __future__ import annotations

from microcred_shared.mongo import MongoDatabase

from ..domain.key_import import KeyImportChallenge

KEY_CHALLENGES = "key_challenges"


class MongoKeyChallenges:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[KEY_CHALLENGES]

    async def add(self, challenge: KeyImportChallenge) -> None:
        await self._collection.insert_one(
            {
                "_id": challenge.nonce,
                "provider_id": challenge.provider_id,
                "issued_at": challenge.issued_at,
                "expires_at": challenge.expires_at,
            }
        )

    async def take(self, nonce: str) -> KeyImportChallenge | None:
        document = await self._collection.find_one({"_id": nonce})
        if document is None:
            return None
        # Single use without a transaction: of two concurrent takers both may read it, but only
        # the one whose delete removed it gets it.
        deleted = await self._collection.delete_one({"_id": nonce})
        if deleted.deleted_count != 1:
            return None
        return KeyImportChallenge(
            nonce=nonce,
            provider_id=document["provider_id"],
            issued_at=document["issued_at"],
            expires_at=document["expires_at"],
        )
