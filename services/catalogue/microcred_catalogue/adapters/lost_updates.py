"""A guard against FerretDB 1.24's lost updates.

FerretDB's SQLite backend applies an update as an unsynchronised read-modify-write of the whole
document: when two updates of one document overlap, the later write wins with the earlier
state. The outbox relay updates our documents (lease, ``$pullAll``) while a handler may be
writing the next version, so the relay can silently undo that write (reproduced: 155 of 200
overlapping ``$set``/``$pullAll`` pairs lost one of the two). MongoDB updates are atomic per
document and never need this; on FerretDB we re-read and write again until our version is
there. A lost relay update only republishes events, which consumers dedupe.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from microcred_shared.mongo import MongoCollection

ATTEMPTS = 5


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
    for _ in range(ATTEMPTS):
        if not await write():
            return False
        stored = await collection.find_one({"_id": document_id}, {"version": 1})
        if stored is not None and stored.get("version", 0) >= version:
            return True
    raise WriteKeptBeingLost(f"{collection.name}/{document_id} v{version} kept being overwritten")
