"""Writes of a versioned document (provider, pathway) with the event announcing each version."""

from __future__ import annotations

from microcred_shared.messaging.outbox import store_with_outbox
from microcred_shared.mongo import Document, MongoCollection


async def store_first_version(
    collection: MongoCollection, document_id: str, document: Document, entry: Document
) -> bool:
    """Store version 1 unless the document exists; True if stored."""
    return await store_with_outbox(
        collection,
        document_id,
        {"$set": document},
        [entry],
        only_if=lambda stored: stored is None or "version" not in stored,
        upsert=True,
    )


async def store_next_version(
    collection: MongoCollection, document_id: str, document: Document, entry: Document
) -> bool:
    """Store ``document`` if the stored version is the one before it; False if another change
    got there first."""
    return await store_with_outbox(
        collection,
        document_id,
        {"$set": document},
        [entry],
        only_if=lambda stored: (
            stored is not None and stored.get("version") == document["version"] - 1
        ),
    )
