"""MongoDB access plumbing: the async client and the indexes each repository declares.

We write to the subset that both MongoDB and FerretDB serve: single-document atomic updates,
unique indexes for idempotency, no multi-document transactions and no change streams.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import (
    AsyncMongoClient,
    DeleteOne,
    IndexModel,
    InsertOne,
    ReplaceOne,
    UpdateOne,
    monitoring,
)
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

Document = dict[str, Any]
MongoCollection = AsyncCollection[Document]
MongoDatabase = AsyncDatabase[Document]


def create_client(
    uri: str, *, app_name: str, listeners: Sequence[monitoring._EventListener] = ()
) -> AsyncMongoClient[Document]:
    # Short selection timeout: a service whose database is unreachable should fail its
    # readiness check in seconds, not hang for the driver's default 30 s.
    return AsyncMongoClient(
        uri,
        appname=app_name,
        serverSelectionTimeoutMS=5000,
        tz_aware=True,
        event_listeners=list(listeners),
    )


@dataclass(frozen=True)
class IndexSpec:
    """The indexes one collection needs; repositories declare these next to their queries."""

    collection: str
    indexes: Sequence[IndexModel] = field(default_factory=tuple)


async def ensure_indexes(database: MongoDatabase, specs: Iterable[IndexSpec]) -> None:
    """Create every declared index (idempotent: existing identical indexes are kept).

    One index per command: FerretDB 1.24 drops the connection when a ``createIndexes`` naming
    several existing indexes is repeated, which every restart does.
    """
    for spec in specs:
        for index in spec.indexes:
            await database[spec.collection].create_indexes([index])


async def ping(client: AsyncMongoClient[Document]) -> bool:
    try:
        await client.admin.command("ping")
    except Exception:  # any failure means "not ready"; the caller reports it
        return False
    return True


async def count_groups(
    collection: MongoCollection, match: Document, group_id: dict[str, str]
) -> list[tuple[Document, int]]:
    """``$match`` then ``$group`` counting with ``{"$sum": 1}``: each group's ``_id`` and size.

    Counting documents only: FerretDB 1.24 sums a field path to 0 when the group ``_id`` is a
    document."""
    pipeline: list[Document] = [
        {"$match": match},
        {"$group": {"_id": group_id, "count": {"$sum": 1}}},
    ]
    return [(row["_id"], int(row["count"])) async for row in await collection.aggregate(pipeline)]


async def insert_if_absent(collection: MongoCollection, document: Document) -> bool:
    """Insert ``document`` unless its ``_id`` (or another unique key) exists; True if inserted."""
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


DUPLICATE_KEY = 11000


async def insert_many_if_absent(
    collection: MongoCollection, documents: Sequence[Document]
) -> list[bool]:
    """Insert each document unless its ``_id`` (or another unique key) exists, in one command;
    per document, True if inserted. The others are still inserted when some exist."""
    if not documents:
        return []
    try:
        await collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        existing = {int(e["index"]) for e in errors}
        return [n not in existing for n in range(len(documents))]
    return [True] * len(documents)


# Ids per command when reading or deleting by `_id: {$in: ...}`: well inside SQLite's bound on
# a statement's parameters, and a reply of at most a few megabytes of credentials.
IDS_PER_COMMAND = 500


def _chunks(ids: Iterable[object]) -> list[list[object]]:
    wanted = list(dict.fromkeys(ids))
    return [wanted[n : n + IDS_PER_COMMAND] for n in range(0, len(wanted), IDS_PER_COMMAND)]


async def find_by_ids(
    collection: MongoCollection, ids: Iterable[object], projection: Document | None = None
) -> dict[object, Document]:
    """The stored documents of ``ids`` (absent ones left out): one ``$in`` query per
    ``IDS_PER_COMMAND`` ids. On the stack's FerretDB an ``_id`` condition of strings or
    ObjectIds uses the ``_id`` index (patched, see ``stack/fetch.py``: 15 ms for 200 ids among
    20,000 documents, against 1.2 s unpatched); other id types read the whole collection."""
    found: dict[object, Document] = {}
    for chunk in _chunks(ids):
        async for document in collection.find({"_id": {"$in": chunk}}, projection):
            found[document["_id"]] = document
    return found


async def delete_by_ids(
    collection: MongoCollection, ids: Iterable[object], condition: Document | None = None
) -> int:
    """Delete the documents of ``ids`` (those that also match ``condition``, if given): one
    command per ``IDS_PER_COMMAND`` ids, each one SQLite transaction on FerretDB. The number
    deleted."""
    deleted = 0
    for chunk in _chunks(ids):
        result = await collection.delete_many({"_id": {"$in": chunk}, **(condition or {})})
        deleted += result.deleted_count
    return deleted


# FerretDB 1.24 as released never answers an update command of 100 statements or more, nor
# several at once adding up to that (an iterator per statement kept open until the command
# ends, each holding one of its 100 SQLite connections). The stack builds it patched (see
# stack/fetch.py); commands of at most 50 statements, one at a time, keep an unpatched one
# answering too, for a few more round trips.
MAX_WRITE_STATEMENTS = 50

WriteOperation = InsertOne[Document] | UpdateOne | DeleteOne | ReplaceOne[Document]


async def bulk_write_in_chunks(
    collection: MongoCollection, operations: Sequence[WriteOperation]
) -> None:
    """Every operation (unordered), in commands any FerretDB 1.24 answers."""
    for start in range(0, len(operations), MAX_WRITE_STATEMENTS):
        chunk = list(operations[start : start + MAX_WRITE_STATEMENTS])
        await collection.bulk_write(chunk, ordered=False)
