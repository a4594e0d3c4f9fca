"""Which bits of each status list are set: one small document per list, read by `_id`.

Serving a status list used to ask the credentials for the revoked (or suspended) ones of the
list's shard: a query FerretDB answers by reading every credential ever issued (about 2 s at
10,000, and 50 s when 25 verifiers asked at once). Each list's document keeps, per index, the
status sequence it reflects and whether the bit is set; it is written after a status change
(under the credential's change, see MongoCredentials.update_status) and again from the
`credentials.status` event that change published, so a crash between the two writes is
mended within a second. Older sequences never overwrite newer ones.
"""

from __future__ import annotations

from microcred_shared.locks import update_by_id_if
from microcred_shared.mongo import Document, MongoDatabase, insert_if_absent

from ..domain.records import IssuedCredential
from ..domain.status_list import PURPOSES, StatusPurpose, StatusSlot, list_id

STATUS_BITS = "status_bits"

STATUS_OF_PURPOSE: dict[StatusPurpose, str] = {
    "revocation": "revoked",
    "suspension": "suspended",
}


class MongoStatusBits:
    def __init__(self, database: MongoDatabase) -> None:
        self._collection = database[STATUS_BITS]

    async def apply(self, credential: IssuedCredential) -> None:
        """Set or clear the credential's bit in both its lists, unless a newer status is in."""
        for purpose in PURPOSES:
            await self._apply(
                credential.slot,
                purpose,
                credential.status == STATUS_OF_PURPOSE[purpose],
                credential.status_sequence,
            )

    async def apply_slot(
        self, slot: StatusSlot, purpose: StatusPurpose, bit: bool, sequence: int
    ) -> None:
        """Set or clear one slot's bit (an endorsement's, which is no credential), unless a
        newer sequence is in."""
        await self._apply(slot, purpose, bit, sequence)

    async def _apply(
        self, slot: StatusSlot, purpose: StatusPurpose, bit: bool, sequence: int
    ) -> None:
        document_id = slot.list_id(purpose)
        field = str(slot.index)
        await insert_if_absent(self._collection, {"_id": document_id, "entries": {}})

        def older(stored: Document) -> bool:
            entry = stored.get("entries", {}).get(field)
            return entry is None or int(entry["sequence"]) < sequence

        await update_by_id_if(
            self._collection,
            document_id,
            older,
            {"$set": {f"entries.{field}": {"sequence": sequence, "set": bit}}},
        )

    async def set_indexes(self, provider_id: str, shard: int, purpose: StatusPurpose) -> list[int]:
        stored = await self._collection.find_one({"_id": list_id(provider_id, purpose, shard)})
        entries: dict[str, Document] = stored.get("entries", {}) if stored else {}
        return sorted(int(index) for index, entry in entries.items() if entry["set"])
