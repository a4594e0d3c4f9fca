"""A guard against FerretDB 1.24's lost updates.

FerretDB's SQLite backend applies an update as an unsynchronised read-modify-write of the whole
document: when two updates of one document overlap, the later write wins with the earlier
state. The outbox relay updates our documents (lease, ``$pullAll``) while a handler may be
writing the next version, so the relay can silently undo that write (reproduced: 155 of 200
overlapping ``$set``/``$pullAll`` pairs lost one of the two; ``_txlock=immediate`` on the
SQLite URL does not help). MongoDB updates are atomic per document and need none of this.

On FerretDB we therefore (1) wait until the relay is done with a document (``outbox_pending``
false: it only claims pending documents, so it cannot start on it before our write), then
(2) write, re-read, and write again until our version is there. A lost relay update only
republishes events, which consumers dedupe.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from microcred_shared.messaging.outbox import PENDING_FIELD
from microcred_shared.mongo import MongoCollection

ATTEMPTS = 5
# The relay publishes a document's events within milliseconds while Kafka is up; when it is
# down nothing else writes the document, so after this long we write anyway.
RELAY_WAIT_SECONDS = 3.0
POLL_SECONDS = 0.02


class WriteKeptBeingLost(RuntimeError):
    pass


async def write_until_stored(
    collection: MongoCollection,
    document_id: str,
    version: int,
    write: Callable[[], Awaitable[bool]],
) -> bool:
    """Run ``write`` (False: refused by its version guard) until ``version`` or a newer one is
    stored; True if our write is (or was superseded by a newer version)."""
    await _relay_idle(collection, document_id)
    for _ in range(ATTEMPTS):
        if not await write():
            return False
        stored = await collection.find_one({"_id": document_id}, {"version": 1})
        if stored is not None and stored.get("version", 0) >= version:
            return True
    raise WriteKeptBeingLost(f"{collection.name}/{document_id} v{version} kept being overwritten")


async def _relay_idle(collection: MongoCollection, document_id: str) -> None:
    deadline = time.monotonic() + RELAY_WAIT_SECONDS
    while time.monotonic() < deadline:
        pending = await collection.count_documents(
            {"_id": document_id, PENDING_FIELD: True}, limit=1
        )
        if not pending:
            return
        await asyncio.sleep(POLL_SECONDS)
