"""Each status list's newest signed snapshot, one document per list (by ``_id``), carrying the
event that publishes it until the relay has sent it.

Documents written before snapshots were published (a cache of the served list) have no
``sequence``: they read as sequence 0, so the next look at the list publishes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from microcred_shared.messaging.outbox import PENDING_FIELD, store_with_outbox
from microcred_shared.mongo import Document, MongoDatabase

from ..service_layer.ports import OutgoingEvent, SignedList
from .outbox import entries

STATUS_LISTS = "status_lists"


def _sequence(stored: Document | None) -> int:
    return int(stored.get("sequence", 0)) if stored else 0


class MongoStatusListSnapshots:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[STATUS_LISTS]

    async def get(self, list_id: str) -> SignedList | None:
        doc = await self._collection.find_one({"_id": list_id})
        if doc is None:
            return None
        return SignedList(
            list_id,
            doc["digest"],
            json.loads(doc["document_json"]),
            doc["signed_at"],
            _sequence(doc),
        )

    async def put(self, signed: SignedList, events: Sequence[OutgoingEvent]) -> bool:
        state = {
            "digest": signed.digest,
            # The exact JSON text that was signed: no database type mapping can alter it.
            "document_json": json.dumps(signed.document),
            "signed_at": signed.signed_at,
            "sequence": signed.sequence,
        }
        return await store_with_outbox(
            self._collection,
            signed.list_id,
            {"$set": state},
            entries(events),
            only_if=lambda stored: _sequence(stored) == signed.sequence - 1,
            upsert=True,
        )

    async def pending(self, list_id: str) -> bool:
        doc = await self._collection.find_one({"_id": list_id}, {PENDING_FIELD: True})
        return bool(doc and doc.get(PENDING_FIELD))
