"""Presentation challenges, one document each by its value; taking one deletes it."""

from __future__ import annotations

from microcred_shared.mongo import MongoDatabase

from ..domain.presentation import IssuedChallenge

PRESENTATION_CHALLENGES = "presentation_challenges"


class MongoPresentationChallenges:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[PRESENTATION_CHALLENGES]

    async def add(self, challenge: IssuedChallenge) -> None:
        await self._collection.insert_one(
            {"_id": challenge.challenge, "domain": challenge.domain, "expires": challenge.expires}
        )

    async def take(self, challenge: str) -> IssuedChallenge | None:
        document = await self._collection.find_one({"_id": challenge})
        if document is None:
            return None
        # Single use without a transaction: two presentations of one challenge may both read
        # it, but the delete of one document by _id is atomic, and only its winner gets it.
        deleted = await self._collection.delete_one({"_id": challenge})
        if deleted.deleted_count != 1:
            return None
        # The client is tz-aware (microcred_shared.mongo): expires comes back in UTC.
        return IssuedChallenge(challenge, document["domain"], document["expires"])


class MemoryPresentationChallenges:
    """The same contract in memory (one process; tests and the offline demo)."""

    def __init__(self) -> None:
        self.issued: dict[str, IssuedChallenge] = {}

    async def add(self, challenge: IssuedChallenge) -> None:
        self.issued[challenge.challenge] = challenge

    async def take(self, challenge: str) -> IssuedChallenge | None:
        return self.issued.pop(challenge, None)
