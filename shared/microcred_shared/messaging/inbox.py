"""Skipping events a consumer has already processed (Kafka delivers at least once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..events import utc_now
from ..mongo import IndexSpec, MongoCollection, insert_if_absent

INBOX_COLLECTION = "inbox"

# ``_id`` is the unique index: the event id itself.
INBOX_INDEXES = IndexSpec(INBOX_COLLECTION)


class Inbox:
    """Processed event ids, one document each, keyed by ``<consumer>:<event id>``.

    Without multi-document transactions the mark cannot be atomic with the effect, so the
    effect is applied first and must itself be idempotent (deterministic ids, unique indexes,
    versioned upserts); the inbox then saves redoing it on the common redelivery.
    """

    def __init__(self, collection: MongoCollection, consumer: str) -> None:
        self._collection = collection
        self._consumer = consumer

    def _key(self, event_id: str) -> str:
        return f"{self._consumer}:{event_id}"

    async def seen(self, event_id: str) -> bool:
        return await self._collection.count_documents({"_id": self._key(event_id)}, limit=1) > 0

    async def mark(self, event_id: str) -> bool:
        """Record ``event_id``; False if it was already recorded."""
        return await insert_if_absent(
            self._collection,
            {"_id": self._key(event_id), "consumer": self._consumer, "at": utc_now()},
        )

    async def process_once(self, event_id: str, effect: Callable[[], Awaitable[None]]) -> bool:
        """Run ``effect`` unless ``event_id`` was processed; True if it ran."""
        if await self.seen(event_id):
            return False
        await effect()
        await self.mark(event_id)
        return True
